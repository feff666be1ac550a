"""The rubric as data (rubrics/rubric.yaml) and the deterministic comment scores."""

from __future__ import annotations

import pytest

from reviewer.checks import verdict
from reviewer.drafting.grounding import numbers_in
from reviewer.drafting.rubric import load_rubric, score_comment
from reviewer.errors import ConfigError
from reviewer.models import CATEGORIES, Comment, Finding, TableReview


def finding(**kw) -> Finding:
    base = dict(id="F1", rule="IQ203", category="narrative_mismatch", severity="error", indicator="密集架",
                location="产出目标 > 数量 > 密集架", evidence="项目概况: 加高密集架60组; 指标值: =52组",
                message="项目概况写密集架60组，数量指标写52组，两处不一致。")
    base.update(kw)
    return Finding(**base)


def review(*findings: Finding) -> TableReview:
    fs = list(findings)
    return TableReview(title="档案保护专项-住房公积金管理中心大会议室、档案室整修及设备采购", kind="project",
                       verdict=verdict(fs), findings=fs)


def test_rubric_loads_complete_and_cached():
    r = load_rubric()
    assert r is load_rubric()
    assert set(r.categories) == set(CATEGORIES)
    deterministic = {c.id for c in r.criteria if c.deterministic}
    assert {"names_subject", "grounded_numbers", "actionable_fix", "within_length", "chinese"} <= deterministic
    assert any(not c.deterministic for c in r.criteria)  # tone and basis need a judge
    assert all(c.weight > 0 for c in r.criteria)
    assert abs(sum(c.weight for c in r.criteria) - 1) < 1e-9
    assert r.length.min_chars < r.length.max_chars


@pytest.mark.parametrize("severities, expected", [
    ([], "通过"), (["info"], "通过"), (["info", "warning"], "修改后通过"),
    (["warning", "error"], "退回修改"), (["error"], "退回修改"),
])
def test_verdicts_agree_with_checks(severities, expected):
    fs = [finding(id=f"F{i}", severity=s) for i, s in enumerate(severities)]
    r = load_rubric()
    assert verdict(fs) == expected
    assert r.verdict_for(fs) == expected
    assert r.verdict_rule(expected).definition


def test_category_bases_are_phrased_by_status():
    r = load_rubric()
    for name, guide in r.categories.items():
        if guide.basis_status == "official":
            assert "财预〔" in guide.why and guide.why.startswith("根据《"), name
        else:  # unverified or local: good practice, never an official requirement
            assert "通行" in guide.why and "根据《" not in guide.why, name
        # The texts a comment copies hold no number besides document codes.
        assert numbers_in(guide.why) == [] and numbers_in(guide.fix) == [], name


def test_generic_fixes_are_actionable():
    r = load_rubric()
    rv = review(finding())
    for name, guide in r.categories.items():
        comment = Comment(finding_ids=[], text="“密集架”指标：" + guide.fix)
        assert score_comment(comment, rv)["actionable_fix"] == 1.0, name


def test_comment_order_puts_outputs_then_effects_then_satisfaction():
    r = load_rubric()
    ranks = [r.order_rank(loc) for loc in (
        "产出目标 > 数量 > 密集架",
        "成本指标 > 经济成本 > 单位成本",
        "效益指标 > 社会效益指标 > 受益人口数",
        "影响力目标 > 长效管理 > 人员档案健全性",
        "效果目标 > 满意度 > 使用人员满意度",
        "满意度指标 > 服务对象满意度指标 > 受益户满意度",
        "项目概况",
        "投入与目标管理 > 投入管理 > 预算执行率",
    )]
    assert ranks[0] == ranks[1] < ranks[2] == ranks[3] < ranks[4] == ranks[5] < ranks[6] == ranks[7]
    assert r.order_rank("效益") == ranks[2]  # a whole 一级, e.g. a missing one


def test_invalid_rubric_is_a_config_error(tmp_path):
    bad = tmp_path / "rubric.yaml"
    bad.write_text("version: '0'\ncriteria: []\nverdicts: []\ncomment_order: []\ncategories: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid rubric"):
        load_rubric(bad)
    with pytest.raises(ConfigError):
        load_rubric(tmp_path / "missing.yaml")


GOOD = ("“密集架”指标（产出目标—数量）：项目概况写加高密集架60组，指标值为“=52组”，两处不一致。"
        "按通行审核做法，项目概况与绩效指标应相互对应。建议核实后统一：若以项目概况为准，将指标值改为“=60组”。")


def test_a_good_comment_scores_full_marks():
    rv = review(finding())
    scores = score_comment(Comment(finding_ids=["F1"], text=GOOD), rv)
    assert scores == {k: 1.0 for k in scores}
    assert load_rubric().weighted_score(scores) == pytest.approx(1.0)


def test_a_bad_comment_scores_low():
    rv = review(finding())
    bad = Comment(finding_ids=["F1"], text="This indicator is wrong, the value should be 75 units.")
    scores = score_comment(bad, rv)
    assert scores["names_subject"] == 0
    assert scores["quotes_evidence"] == 0
    assert scores["grounded_numbers"] == 0
    assert scores["actionable_fix"] == 0
    assert scores["chinese"] == 0
    assert load_rubric().weighted_score(scores) < 0.2


def test_partial_scores():
    rv = review(finding(), finding(id="F2", indicator="除湿机", location="产出目标 > 数量 > 除湿机",
                                   evidence="指标值: 2台", message="除湿机数量需核实。"))
    # Names one of two indicators, quotes one of the evidence numbers, a vague fix.
    text = "“密集架”指标写52组，与“项目概况”不一致，请核实。"
    scores = score_comment(Comment(finding_ids=["F1", "F2"], text=text), rv)
    assert scores["names_subject"] == 0.5
    assert scores["quotes_evidence"] == 0.5
    assert scores["actionable_fix"] == 0.5
    assert scores["grounded_numbers"] == 1.0
    # One invented number among several grounded ones.
    text = "“密集架”指标：项目概况60组，指标值52组，建议改为“=55组”。"
    assert score_comment(Comment(finding_ids=["F1"], text=text), rv)["grounded_numbers"] == 0.5


def test_length_limits():
    r = load_rubric()
    rv = review(finding())
    short = Comment(finding_ids=["F1"], text="密集架有误。")
    assert score_comment(short, rv)["within_length"] == 0
    long = Comment(finding_ids=["F1"], text=GOOD + "另" * (r.length.max_chars - len(GOOD) + 10))
    assert score_comment(long, rv)["within_length"] == 0.5
