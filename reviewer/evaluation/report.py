"""Eval reports: text (rich), json, junit (XML for CI dashboards) and markdown."""

from __future__ import annotations

import json
from pathlib import Path

from reviewer.models import CATEGORIES

_DASH = "–"


def _pct(x: float | None) -> str:
    return _DASH if x is None else f"{x:.2f}"


def _rows_cases(result) -> list[list[str]]:
    rows = []
    for r in result.results:
        if r.kind != "annotated":
            continue
        comments = []
        for d, scores in sorted(r.comments.items()):
            if scores:
                comments.append(f"{d} {sum(s.weighted for s in scores) / len(scores):.2f}")
        rows.append([
            r.name, r.origin + ("" if r.full else " (partial)"), str(len(r.outcomes)), str(r.matched),
            str(r.produced), str(len(r.false_positives)) if r.full else _DASH,
            f"{len(r.violations)}/{r.negatives}", " · ".join(comments) or _DASH,
        ])
    return rows


CASE_HEAD = ["case", "origin", "expected", "matched", "produced", "false +", "negatives hit", "comments"]


def _rows_categories(agg) -> list[list[str]]:
    f = agg["findings"]
    rows = []
    for c in CATEGORIES:
        v = f["categories"].get(c)
        m = agg["mutations"]["categories"].get(c)
        if not v and not m:
            continue
        v = v or {"expected": 0, "matched": 0, "fp": 0, "precision": None, "recall": None, "f1": None}
        mut = f"{m['detected']}/{m['injected']}" if m else _DASH
        rows.append([c, str(v["expected"]), str(v["matched"]), str(v["fp"]), _pct(v["precision"]),
                     _pct(v["recall"]), _pct(v["f1"]), mut])
    micro, macro, mu = f["micro"], f["macro"], agg["mutations"]
    rows.append(["micro", str(f["expected"]), str(f["matched"]), str(f["false_positives"]),
                 _pct(micro["precision"]), _pct(micro["recall"]), _pct(micro["f1"]),
                 f"{mu['detected']}/{mu['injected']}"])
    rows.append(["macro", "", "", "", _pct(macro["precision"]), _pct(macro["recall"]), _pct(macro["f1"]),
                 _pct(mu["macro_recall"])])
    return rows


CATEGORY_HEAD = ["category", "expected", "matched", "false +", "precision", "recall", "F1", "mutations found"]


def _rows_rules(result) -> list[list[str]]:
    rows = []
    cats = {code: v.get("category", "") for code, v in result.snapshot["rules"].items()}
    for code, v in result.aggregate["rules"].items():
        rows.append([code, cats.get(code, ""), str(v["matched_annotated"]), str(v["matched_mutation"]),
                     str(v["fp"]), _pct(v["precision"]), _pct(v["recall"]), _pct(v["f1"])])
    return rows


RULE_HEAD = ["rule", "category", "matched", "mutations", "false +", "precision", "recall", "F1"]


def _rows_mutations(result) -> list[list[str]]:
    rows = []
    for r in result.results:
        if r.kind == "mutation":
            found = r.matched == len(r.outcomes) and r.outcomes
            rows.append([r.name, r.outcomes[0].spec.category if r.outcomes else "", "yes" if found else "NO",
                         str(len(r.false_positives)), r.description])
    return rows


MUTATION_HEAD = ["mutation", "category", "found", "other new", "what was injected"]


def _rows_operators(agg) -> list[list[str]]:
    return [[op, str(v["injected"]), str(v["detected"]), _pct(v["recall"])]
            for op, v in agg["mutations"]["operators"].items()]


OPERATOR_HEAD = ["operator", "injected", "detected", "recall"]


def _rows_comments(agg) -> tuple[list[str], list[list[str]]]:
    criteria = sorted({k for v in agg["comments"].values() for k in v["criteria"]})
    head = ["drafter", "comments", "score", *criteria, "reference", "judge"]
    rows = []
    for d, v in agg["comments"].items():
        judge = v.get("judge")
        judge_text = _DASH if not judge else f"{_pct(judge['score'])} ({judge['judged']} judged, {judge['errors']} errors)"
        ref = _DASH if not v["references"] else f"{v['reference_overlap']:.2f} ({v['references']})"
        rows.append([d, str(v["count"]), _pct(v["score"]), *(_pct(v["criteria"].get(k)) for k in criteria),
                     ref, judge_text])
    return head, rows


def _missed(result) -> list[str]:
    out = []
    for r in result.results:
        if r.kind != "annotated":
            continue
        for o in r.outcomes:
            if not o.matched:
                where = "" if o.table_found else "（表未识别）"
                out.append(f"{r.name} · {o.spec.table}{where} · {o.spec.describe()}")
    return out


def _false_positives(result) -> list[str]:
    return [f"{r.name} · {t} · {f.rule} {f.category} · {f.indicator or f.location} · {f.message[:60]}"
            for r in result.results if r.kind == "annotated" for t, f in r.false_positives]


def _status(failures, baseline_path, blessed, had_baseline) -> list[str]:
    lines = []
    if blessed:
        lines.append(f"baseline written: {baseline_path}")
    elif not had_baseline:
        lines.append(f"no baseline at {baseline_path}: only thresholds checked (write one with --bless)")
    if failures:
        lines.append(f"FAILED: {len(failures)} gate check(s)")
        lines += [f"  - {f}" for f in failures]
    else:
        lines.append("eval gate: ok")
    return lines


# ---------------------------------------------------------------- text


def render_text(result, console, failures, baseline_path, blessed, had_baseline) -> None:
    from rich.table import Table

    def table(title, head, rows):
        t = Table(*head, title=title, title_justify="left", show_lines=False)
        for row in rows:
            t.add_row(*row)
        console.print(t)

    table("Annotated cases", CASE_HEAD, _rows_cases(result))
    if result.aggregate["mutations"]["cases"]:
        table("Mutations", MUTATION_HEAD, _rows_mutations(result))
        table("Mutation recall by operator", OPERATOR_HEAD, _rows_operators(result.aggregate))
    table("Findings by category (annotated cases; mutations found at the right)", CATEGORY_HEAD,
          _rows_categories(result.aggregate))
    table("Findings by rule", RULE_HEAD, _rows_rules(result))
    head, rows = _rows_comments(result.aggregate)
    if rows:
        table("Comments (rubric criteria, 0–1)", head, rows)
    neg = result.aggregate["negatives"]
    console.print(f"Negatives: {neg['violated']} of {neg['total']} violated", markup=False)
    for v in neg["list"]:
        console.print(f"  - {v['case']} · {v['table']} · {v['negative']}: {v['finding']}", markup=False)
    missed = _missed(result)
    if missed:
        console.print(f"Expected findings not reported ({len(missed)}):", markup=False)
        for m in missed:
            console.print(f"  - {m}", markup=False)
    fps = _false_positives(result)
    if fps:
        console.print(f"Findings no annotation expects ({len(fps)}):", markup=False)
        for m in fps:
            console.print(f"  - {m}", markup=False)
    for note in result.notes:
        console.print(f"note: {note}", markup=False)
    for line in _status(failures, baseline_path, blessed, had_baseline):
        console.print(line, markup=False, style="bold red" if line.startswith("FAILED") else None)


# ---------------------------------------------------------------- markdown


def _md_table(head, rows) -> str:
    def esc(s: str) -> str:
        return str(s).replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def render_markdown(result, failures, baseline_path, blessed, had_baseline) -> str:
    parts = ["# Eval report", "", "## Annotated cases", "", _md_table(CASE_HEAD, _rows_cases(result)), ""]
    parts += ["## Findings by category", "", _md_table(CATEGORY_HEAD, _rows_categories(result.aggregate)), ""]
    parts += ["## Findings by rule", "", _md_table(RULE_HEAD, _rows_rules(result)), ""]
    if result.aggregate["mutations"]["cases"]:
        parts += ["## Mutations", "", _md_table(OPERATOR_HEAD, _rows_operators(result.aggregate)), "",
                  _md_table(MUTATION_HEAD, _rows_mutations(result)), ""]
    head, rows = _rows_comments(result.aggregate)
    if rows:
        parts += ["## Comments", "", _md_table(head, rows), ""]
    neg = result.aggregate["negatives"]
    parts += ["## Negatives", "", f"{neg['violated']} of {neg['total']} violated.", ""]
    parts += [f"- {v['case']} · {v['table']} · {v['negative']}: {v['finding']}" for v in neg["list"]]
    missed = _missed(result)
    if missed:
        parts += ["", "## Expected findings not reported", ""] + [f"- {m}" for m in missed]
    parts += ["", "## Gate", ""] + [f"{line}" for line in _status(failures, baseline_path, blessed, had_baseline)]
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------- json


def to_json(result, failures, baseline_path, blessed) -> dict:
    cases = []
    for r in result.results:
        cases.append({
            "name": r.name, "kind": r.kind, "origin": r.origin, "full": r.full, "operator": r.operator,
            "description": r.description,
            "expected": [
                {"table": o.spec.table, "category": o.spec.category, "indicator": o.spec.indicator,
                 "keywords": o.spec.keywords, "matched": o.finding.contract() if o.finding else None,
                 "table_found": o.table_found}
                for o in r.outcomes
            ],
            "false_positives": [{"table": t, **f.contract()} for t, f in r.false_positives],
            "negatives_violated": [
                {"table": t, "negative": v.negative.describe(), "finding": v.finding.contract()} for t, v in r.violations
            ],
            "comments": {
                d: [{"table": s.table, "text": s.text, "scores": s.scores, "weighted": s.weighted,
                     "reference_overlap": s.reference_overlap, "judge": s.judge, "judge_error": s.judge_error}
                    for s in scores]
                for d, scores in r.comments.items()
            },
        })
    return {"llm": result.llm, "aggregate": result.aggregate, "snapshot": result.snapshot, "cases": cases,
            "notes": result.notes, "failures": failures, "baseline": str(baseline_path), "blessed": blessed}


# ---------------------------------------------------------------- junit


def render_junit(result, failures) -> str:
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="reviewer eval")

    def suite(name: str) -> ET.Element:
        return ET.SubElement(root, "testsuite", name=name)

    def case(parent: ET.Element, classname: str, name: str, failure: str | None) -> None:
        tc = ET.SubElement(parent, "testcase", classname=classname, name=name)
        if failure:
            ET.SubElement(tc, "failure", message=failure[:200]).text = failure

    findings, negatives, mutations = suite("expected findings"), suite("negatives"), suite("mutations")
    for r in result.results:
        if r.kind == "annotated":
            for o in r.outcomes:
                case(findings, r.name, f"{o.spec.table} · {o.spec.describe()}",
                     None if o.matched else "not reported" + ("" if o.table_found else " (table not found)"))
            hit = {id(v.negative): v for _, v in r.violations}
            for n in r.negative_specs:
                v = hit.get(id(n))
                case(negatives, r.name, f"{n.table} · {n.describe()}",
                     None if v is None else f"flagged by {v.finding.rule}: {v.finding.message}")
        else:
            found = r.outcomes and all(o.matched for o in r.outcomes)
            case(mutations, r.operator or "mutation", r.name, None if found else f"not detected: {r.description}")
    gate = suite("gate")
    case(gate, "gate", "thresholds and baseline", "\n".join(failures) if failures else None)
    for s in root:
        s.set("tests", str(len(s)))
        s.set("failures", str(sum(1 for tc in s if tc.find("failure") is not None)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ---------------------------------------------------------------- dispatch


def render(result, format: str, *, failures, baseline_path: Path, blessed: bool, had_baseline: bool,
           output: Path | None) -> None:
    """Print the report in `format`; with `output`, write it there too."""
    import sys

    if format == "text":
        from rich.console import Console

        console = Console(record=output is not None)
        if not console.is_terminal:
            console.width = 160
        render_text(result, console, failures, baseline_path, blessed, had_baseline)
        if output is not None:
            output.write_text(console.export_text(), encoding="utf-8")
        return
    if format == "json":
        text = json.dumps(to_json(result, failures, baseline_path, blessed), ensure_ascii=False, indent=2)
    elif format == "junit":
        text = render_junit(result, failures)
    elif format == "markdown":
        text = render_markdown(result, failures, baseline_path, blessed, had_baseline)
    else:
        from reviewer.evaluation.cases import CaseError

        raise CaseError(f"unknown --format {format!r}")
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if output is not None:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
