"""The eval harness: matching, cases, mutations, scores, the baseline gate, replay, the command."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from reviewer.config import Config
from reviewer.errors import ConfigError, ReviewerError
from reviewer.evaluation.cases import CaseError, Expected, Negative, load_cases
from reviewer.evaluation.matching import match_one_to_one, resolve_table, spec_matches, violations
from reviewer.models import Finding

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "eval" / "cases"
SAMPLE = CASES / "jiyuan_housing_fund_2021.txt"

# Rules that no input can reach today, with the reason; the test for them must fail
# (strict xfail) as soon as they do, so the entry is removed then.
UNREACHABLE: dict[str, str] = {}


def finding(rule="IQ203", category="narrative_mismatch", indicator=None, location="", evidence="", message="m"):
    return Finding(rule=rule, category=category, severity="warning", indicator=indicator, location=location,
                   evidence=evidence, message=message)


# ---------------------------------------------------------------- matching


def test_match_by_indicator_or_all_keywords():
    f = finding(indicator="密集架", evidence="项目概况: 加高密集架60组; 指标值: =52组")
    assert spec_matches(Expected(table="t", category="narrative_mismatch", indicator="密集架"), f)
    assert spec_matches(Expected(table="t", category="narrative_mismatch", keywords=["60组", "52 组"]), f)
    assert not spec_matches(Expected(table="t", category="narrative_mismatch", keywords=["60组", "70组"]), f)
    assert not spec_matches(Expected(table="t", category="format", indicator="密集架"), f)
    # a name that contains the finding's indicator, or is contained in it
    assert spec_matches(Expected(table="t", category="narrative_mismatch", indicator="人员工资平均成本"),
                        finding(indicator="人员工资平均成本（含五险一金缴纳）"))


def test_one_to_one_matching_is_maximal_not_greedy():
    # the first annotation could take either finding; a greedy pass would starve the second
    a = Expected(table="t", category="amount_inconsistency", keywords=["金额"])
    b = Expected(table="t", category="amount_inconsistency", keywords=["本年度金额"])
    produced = [finding("IQ601", "amount_inconsistency", evidence="项目本年度金额: 5.00"),
                finding("IQ602", "amount_inconsistency", evidence="项目上年度金额: 5.00")]
    assert sorted(match_one_to_one([a, b], produced)) == [0, 1]
    assert match_one_to_one([a, b], produced)[1] == 0
    # one finding never satisfies two annotations
    assert match_one_to_one([b, b], produced[:1]).count(None) == 1


def test_negatives_and_table_resolution():
    n = Negative(table="U-key", category="cost_inconsistency")
    assert violations([n], [finding("IQ501", "cost_inconsistency")])
    assert not violations([n], [finding("IQ203")])
    with pytest.raises(ValueError):
        Negative(table="x")  # says nothing about what must not be flagged
    titles = ["住房公积金运转经费", "住房公积金运转费-住房公积金征收管理费", "电子政务专项-综合服务平台U-key购买资金"]
    assert resolve_table("住房公积金运转经费", titles) == 0
    assert resolve_table("征收管理费", titles) == 1
    assert resolve_table("住房公积金", titles) is None  # ambiguous: names no single table


# ---------------------------------------------------------------- cases


@pytest.fixture(scope="module")
def prepared():
    from reviewer.evaluation.harness import prepare

    return prepare(CASES, Config())


def test_every_annotation_names_a_table_the_extraction_finds(prepared):
    from reviewer.evaluation.harness import default_checker, score_case

    assert any(c.name == "jiyuan_housing_fund_2021" for c in prepared.cases)
    origins = {c.origin for c in prepared.cases}
    assert origins == {"real", "converted", "constructed"}
    formats = {c.input_path.suffix for c in prepared.cases}
    assert {".txt", ".tsv", ".xlsx", ".docx", ".html", ".csv"} <= formats
    for case in prepared.cases:
        result = score_case(case, default_checker(prepared.documents[case.name], Config()))
        assert not result.missing_tables, f"{case.name}: {result.missing_tables}"


def test_converted_cases_inherit_the_sample_annotations(prepared):
    by_name = {c.name: c for c in prepared.cases}
    sample = by_name["jiyuan_housing_fund_2021"]
    assert len(by_name["formats/jiyuan_2021.docx"].expected) == len(sample.expected)
    xlsx = by_name["formats/jiyuan_2021.xlsx"]
    assert 0 < len(xlsx.expected) < len(sample.expected)  # only the performance tables
    assert all(e.table != "部门预算说明" for e in xlsx.expected)


def test_bad_case_files_are_user_errors(tmp_path):
    (tmp_path / "a.case.yaml").write_text("input: missing.txt\n", encoding="utf-8")
    with pytest.raises(CaseError, match="input file not found"):
        load_cases(tmp_path)
    (tmp_path / "a.case.yaml").write_text("input: x.txt\nexpected: [{table: t, category: nonsense}]\n",
                                          encoding="utf-8")
    (tmp_path / "x.txt").write_text("x", encoding="utf-8")
    with pytest.raises(CaseError, match="category"):
        load_cases(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(CaseError, match="no .*case.yaml"):
        load_cases(tmp_path / "empty")


# ---------------------------------------------------------------- mutations


def _sample_bases():
    from reviewer.evaluation.mutate import split_tables
    from reviewer.pipeline import extract

    text = SAMPLE.read_text(encoding="utf-8")
    return split_tables("jiyuan", text, extract(text.encode("utf-8"), SAMPLE.name))


def test_mutations_are_reproducible_and_change_the_text():
    from reviewer.evaluation.mutate import generate

    bases = _sample_bases()
    assert len(bases) == 7  # the seven project tables
    one, two = generate(bases, seed=7), generate(bases, seed=7)
    assert [(m.id, m.text) for m in one] == [(m.id, m.text) for m in two]
    base_text = {b.name: b.text for b in bases}
    for m in one:
        assert m.text != base_text[m.base], m.id
        assert m.expected and all(e.table for e in m.expected)
    assert {m.operator for m in one} >= {"narrative_number", "vague_target", "delete_level3", "break_cost",
                                         "stale_plan_date", "foreign_sentence", "halve_amount"}


def test_break_cost_changes_the_unit_cost_that_matched_the_budget():
    from reviewer.evaluation.mutate import sites
    from reviewer.pipeline import extract

    ukey = next(b for b in _sample_bases() if "U-key" in b.table.title)
    (site,) = sites(ukey, "break_cost")
    doc = extract("\n".join(site.lines).encode("utf-8"), "m.txt")
    cost = next(i for i in doc.tables[0].indicators if i.level3 == "U-KEY成本")
    assert cost.target.value == 714  # 595 × 1.2: 600 × 714元 no longer gives 35.70万元
    assert site.expected[0].category == "cost_inconsistency"


def test_delete_level3_leaves_the_level2_empty():
    from reviewer.evaluation.mutate import sites
    from reviewer.pipeline import extract

    base = next(b for b in _sample_bases() if "档案保护" in b.table.title)
    site = next(s for s in sites(base, "delete_level3") if "「数量」" in s.description)
    doc = extract("\n".join(site.lines).encode("utf-8"), "m.txt")
    table = doc.tables[0]
    assert not [i for i in table.indicators if i.level2 == "数量" and i.level3]
    assert any(s.level2 == "数量" for s in table.slots)


def test_mutation_scoring_counts_only_new_findings(prepared):
    from reviewer.evaluation.harness import default_checker, score_mutation

    m = next(m for m in prepared.mutations if m.operator == "stale_plan_date")
    base = next(b for b in prepared.bases if b.name == m.base)
    base_review = default_checker(base.document, Config())
    # the base against itself: nothing new, so the injected defect is not "found"
    unchanged = score_mutation(m, base_review, base_review)
    assert unchanged.produced == 0 and unchanged.matched == 0
    mutated = score_mutation(m, base_review, default_checker(prepared.mutation_documents[m.id], Config()))
    assert mutated.produced >= mutated.matched


# ---------------------------------------------------------------- the gate


@pytest.fixture(scope="module")
def rules_off(prepared):
    from reviewer.checks.registry import all_rules
    from reviewer.evaluation.harness import evaluate_rules_off

    return evaluate_rules_off(prepared, list(all_rules()))


def _rule_params():
    from reviewer.checks.registry import all_rules

    out = []
    for code in all_rules():
        marks = [pytest.mark.xfail(reason=UNREACHABLE[code], strict=True)] if code in UNREACHABLE else []
        out.append(pytest.param(code, marks=marks, id=code))
    return out


@pytest.mark.parametrize("code", _rule_params())
def test_switching_off_any_rule_fails_the_gate_and_names_it(code, rules_off):
    failures = rules_off[code]
    assert failures, f"switching off {code} changed nothing: give it an expected finding in eval/cases"
    assert any(f.startswith(f"{code} ") and "matched" in f and "→ 0" in f for f in failures), failures


def test_per_rule_composition_equals_the_pipeline(prepared):
    from reviewer.evaluation.harness import PerRuleChecker, default_checker

    checker = PerRuleChecker()
    config = Config(severity={"IQ306": "warning"})
    docs = [prepared.documents[c.name] for c in prepared.cases[:3]] + [b.document for b in prepared.bases[:3]]
    for doc in docs:
        a, b = checker(doc, config), default_checker(doc, config)
        for ta, tb in zip(a.tables, b.tables, strict=True):
            assert sorted((f.rule, f.severity, f.indicator, f.location, f.evidence) for f in ta.findings) == \
                sorted((f.rule, f.severity, f.indicator, f.location, f.evidence) for f in tb.findings)


def test_regressions_name_what_fell():
    from reviewer.evaluation.baseline import regressions

    old = {"categories": {"narrative_mismatch": {"expected": 5, "matched": 4, "fp": 0}},
           "rules": {"IQ203": {"category": "narrative_mismatch", "matched": 3, "fp": 0}},
           "mutations": {"stale_date": {"injected": 6, "detected": 6}},
           "negatives": {"total": 10, "violated": 0},
           "comments": {"offline": {"count": 5, "score": 0.9, "criteria": {"actionable_fix": 0.9}}}}
    new = {"categories": {"narrative_mismatch": {"expected": 5, "matched": 1, "fp": 2}},
           "rules": {"IQ203": {"category": "narrative_mismatch", "matched": 0, "fp": 0}},
           "mutations": {"stale_date": {"injected": 6, "detected": 5}},
           "negatives": {"total": 10, "violated": 1},
           "comments": {"offline": {"count": 5, "score": 0.8, "criteria": {"actionable_fix": 0.9}}}}
    out = regressions(new, old)
    assert "IQ203 narrative_mismatch: matched 3 → 0" in out
    assert "narrative_mismatch: matched 4 → 1" in out
    assert "narrative_mismatch: false positives 0 → 2" in out
    assert "mutation stale_date: detected 6 → 5 of 6" in out
    assert "negatives violated: 0 → 1" in out
    assert any(x.startswith("offline comments score") for x in out)
    assert regressions(old, old) == []


def test_thresholds():
    from reviewer.evaluation.baseline import below_thresholds

    agg = {"findings": {"micro": {"precision": 0.9, "recall": 0.5, "f1": 0.64},
                        "macro": {"precision": 0.9, "recall": 0.5, "f1": 0.6}, "categories": {}},
           "mutations": {"recall": 0.8, "macro_recall": 0.8, "precision": 1.0, "categories": {}},
           "negatives": {"ok": 1.0}, "comments": {}}
    assert below_thresholds(agg, {"recall": 0.6, "precision": 0.8}) == ["recall 0.500 < threshold 0.600"]
    with pytest.raises(ConfigError, match="unknown eval threshold"):
        below_thresholds(agg, {"recal": 0.5})


# ---------------------------------------------------------------- the judge


def test_judge_reply_must_parse_or_it_is_an_error():
    from reviewer.evaluation.judge import JudgeError, parse_judgement

    ok = parse_judgement('```json\n{"scores": [{"index": 1, "a": 1, "b": 0.5}]}\n```', 1, ["a", "b"])
    assert ok == [{"a": 1.0, "b": 0.5}]
    for bad in ("好的，全部满分", '{"scores": [{"index": 1, "a": 0.7, "b": 1}]}',
                '{"scores": [{"index": 1, "a": 1}]}', '{"scores": []}', '{"scores": [{"index": 1, "a": true, "b": 1}]}'):
        with pytest.raises(JudgeError):
            parse_judgement(bad, 1, ["a", "b"])


# ---------------------------------------------------------------- the command, live and replay


def _small_cases(tmp_path: Path) -> Path:
    """One real case and a mutation spec over it, in a folder of their own."""
    cases = tmp_path / "eval" / "cases"
    (cases / "real").mkdir(parents=True)
    for name in ("05_huangshi_dangxiao_2022.tsv", "05_huangshi_dangxiao_2022.case.yaml"):
        shutil.copy(CASES / "real" / name, cases / "real" / name)
    (cases / "mutations.yaml").write_text(
        "seed: 1\nbases: [{input: real/05_huangshi_dangxiao_2022.tsv, name: hs}]\n", encoding="utf-8")
    return cases


def test_eval_command_formats_bless_and_regression(tmp_path, capsys):
    from reviewer.evaluation.harness import run_eval_command

    cases = _small_cases(tmp_path)
    baseline = tmp_path / "eval" / "baseline.json"
    assert run_eval_command(cases, "off", "json", None, True, Config(), None) == 0
    blessed = json.loads(baseline.read_text(encoding="utf-8"))
    report = json.loads(capsys.readouterr().out)
    assert report["blessed"] and report["aggregate"]["findings"]["expected"] == 6
    assert blessed["mutations"] and blessed["rules"]

    out = tmp_path / "report.xml"
    assert run_eval_command(cases, "off", "junit", None, False, Config(), out) == 0
    assert out.read_text(encoding="utf-8").startswith("<?xml") and "<testsuite" in capsys.readouterr().out

    # a baseline that claims more than the tool does → exit 1, naming what fell
    now = blessed["rules"]["IQ102"]["matched"]
    assert now >= 1
    blessed["rules"]["IQ102"]["matched"] = now + 1
    baseline.write_text(json.dumps(blessed), encoding="utf-8")
    assert run_eval_command(cases, "off", "markdown", None, False, Config(), None) == 1
    assert f"IQ102 missing_indicator: matched {now + 1} → {now}" in capsys.readouterr().out
    # thresholds from the config also gate
    assert run_eval_command(cases, "off", "text", tmp_path / "none.json", False,
                            Config(eval_thresholds={"recall": 1.01}), None) == 1


def test_cli_missing_cases_folder_exits_2(tmp_path):
    from typer.testing import CliRunner

    from reviewer.cli import app

    result = CliRunner().invoke(app, ["eval", "--cases", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "cases folder not found" in result.output


def _stub_module():
    spec = importlib.util.spec_from_file_location("record_with_stub", ROOT / "eval" / "record_with_stub.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_live_records_and_replay_reads_back_offline(tmp_path, monkeypatch):
    from reviewer.evaluation.harness import evaluate, prepare
    from reviewer.evaluation.recordings import MissingRecording

    monkeypatch.delenv("REVIEWER_MODEL", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    cases = _small_cases(tmp_path)
    recordings = tmp_path / "recordings"
    stub = _stub_module()
    stub.record(cases, recordings, port=0)  # an ephemeral port, closed again when done
    manifest = json.loads((recordings / "settings.json").read_text(encoding="utf-8"))
    assert manifest["model"] == "stub-model" and manifest["source"] == "stub"
    assert "api_key" not in json.dumps(manifest)

    prepared = prepare(cases, Config(), mutations=False)
    result = evaluate(prepared, Config(), llm="replay", recordings=recordings)
    llm = result.aggregate["comments"]["llm"]
    assert llm["count"] > 0 and llm["judge"]["judged"] == llm["count"] and llm["judge"]["errors"] == 0
    assert set(llm["criteria"]) == set(result.aggregate["comments"]["offline"]["criteria"])

    # other findings → other prompts → no recording: an error naming the case and table
    with pytest.raises(MissingRecording, match="missing recording: real/05_huangshi_dangxiao_2022/主体班"):
        evaluate(prepared, Config(ignore=["IQ401"]), llm="replay", recordings=recordings)
    with pytest.raises(MissingRecording, match="no recordings"):
        evaluate(prepared, Config(), llm="replay", recordings=tmp_path / "empty")
    assert isinstance(MissingRecording("x"), ReviewerError)
