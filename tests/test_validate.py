"""Validation of model replies: schema, finding ids, indicators, grounding, coverage."""

from __future__ import annotations

import json

import pytest

from reviewer.drafting.validate import ReviewComments, known_subjects, parse_reply, validate_reply
from reviewer.models import Finding, Indicator, Slot, Table, TableReview, Target, TextField

OVERVIEW = "档案室需要空调，柜机两台挂机一台，业务档案需要加高密集架60组及除湿机等档案设备，所需资金为49.5万元。"


def review() -> TableReview:
    rows = [
        ("产出目标", "数量", "密集架", "=52组"),
        ("产出目标", "数量", "空调", "3台"),
        ("产出目标", "成本", "空调成本", "=6199元/台"),
        ("效果目标", "满意度", "使用人员满意度", "≥95%"),
    ]
    table = Table(
        title="档案保护专项",
        kind="project",
        header={"项目名称": TextField(name="项目名称", text="档案保护专项"),
                "项目总金额": TextField(name="项目总金额", text="49.50")},
        narrative={"项目概况": TextField(name="项目概况", text=OVERVIEW)},
        indicators=[Indicator(level1=a, level2=b, level3=c, target=Target(raw=d)) for a, b, c, d in rows],
        slots=[Slot(level1="效果目标", level2="经济效益")],
        text="\n".join(["项目名称\t档案保护专项", "项目总金额\t49.50", f"项目概况\t{OVERVIEW}"] + ["\t".join(r) for r in rows]),
    )
    findings = [
        Finding(id="F1", rule="IQ203", category="narrative_mismatch", severity="error", indicator="密集架",
                location="产出目标 > 数量 > 密集架", evidence="项目概况: 加高密集架60组; 指标值: =52组",
                message="项目概况写密集架60组，数量指标写52组，两处不一致。"),
        Finding(id="F2", rule="IQ301", category="format", severity="warning", indicator="空调",
                location="产出目标 > 数量 > 空调", evidence="指标值: 3台", message="指标值没有比较符。"),
        Finding(id="F3", rule="IQ105", category="unmeasurable_target", severity="warning",
                indicator="使用人员满意度", location="效果目标 > 满意度 > 使用人员满意度",
                evidence="指标值: ≥95%", message="满意度没有说明调查方式。"),
    ]
    return TableReview(title=table.title, kind="project", verdict="退回修改", findings=findings, table=table)


def comment(ids, text, indicator=None, category=None) -> dict:
    return {"finding_ids": ids, "indicator": indicator, "text": text, "category": category}


GOOD = {
    "F1": comment(["F1"], "“密集架”指标值为“=52组”，项目概况写加高密集架60组，两处相差8组，建议核实后统一。", "密集架"),
    "F2": comment(["F2"], "“空调”指标值“3台”缺少比较符，建议改为“=3台”。", "空调"),
    "F3": comment(["F3"], "“使用人员满意度”建议写明调查方式，目标值保持“≥95%”。", "使用人员满意度"),
}


def reply(*comments: dict) -> ReviewComments:
    parsed = parse_reply({"comments": list(comments)})
    assert parsed is not None
    return parsed


def covered(outcome) -> set[str]:
    return {i for c in outcome.comments for i in c.finding_ids}


# ---------------------------------------------------------------- parsing


def test_parse_reply_accepts_dicts_json_and_models():
    payload = {"comments": [GOOD["F1"]]}
    assert parse_reply(payload).comments[0].finding_ids == ["F1"]
    assert parse_reply(json.dumps(payload, ensure_ascii=False)).comments[0].indicator == "密集架"
    model = ReviewComments.model_validate(payload)
    assert parse_reply(model) is model


@pytest.mark.parametrize(
    "payload",
    [
        "{oops",
        "",
        None,
        {"comments": "本表无问题"},
        {"verdict": "通过"},
        {"comments": [{"finding_ids": ["F1"]}]},  # no text
        {"comments": [{"finding_ids": "F1", "text": "x"}]},
        {"comments": [comment([], "补充意见", category="not_a_category")]},
    ],
)
def test_parse_reply_rejects_what_breaks_the_schema(payload):
    assert parse_reply(payload) is None


# ---------------------------------------------------------------- validation


def test_a_good_reply_is_kept_as_llm_comments():
    tr = review()
    out = validate_reply(reply(GOOD["F1"], GOOD["F2"], GOOD["F3"]), tr)
    assert not out.fallback and (out.dropped, out.ungrounded) == (0, 0)
    assert [c.finding_ids for c in out.comments] == [["F1"], ["F2"], ["F3"]]
    assert {c.source for c in out.comments} == {"llm"}
    assert all(not c.suggested and c.category is None for c in out.comments)


def test_no_reply_falls_back_to_the_offline_drafter_for_the_table():
    tr = review()
    out = validate_reply(None, tr)
    assert out.fallback
    assert covered(out) == {"F1", "F2", "F3"}
    assert {c.source for c in out.comments} == {"template"}


def test_unknown_finding_id_drops_the_comment_and_the_template_covers():
    tr = review()
    bad = comment(["F1", "F99"], "“密集架”与“空调”均需核实。", "密集架")
    out = validate_reply(reply(bad, GOOD["F2"], GOOD["F3"]), tr)
    assert out.dropped == 1 and "F99" in out.reasons[0]
    assert all("F99" not in c.finding_ids for c in out.comments)
    assert covered(out) == {"F1", "F2", "F3"}
    assert [c.source for c in out.comments if "F1" in c.finding_ids] == ["template"]


def test_unknown_indicator_drops_the_comment():
    tr = review()
    out = validate_reply(reply(comment(["F2"], "“电梯”缺少比较符。", "电梯"), GOOD["F1"], GOOD["F3"]), tr)
    assert out.dropped == 1
    assert [c.source for c in out.comments if "F2" in c.finding_ids] == ["template"]


def test_known_subjects_accept_paths_levels_and_fields():
    tr = review()
    for name in ("产出目标 > 数量 > 密集架", "产出目标>数量>密集架", "“密集架”", "数量", "经济效益", "项目概况",
                 "项目总金额", "效果目标 > 满意度 > 使用人员满意度"):
        out = validate_reply(reply(comment(["F1"], GOOD["F1"]["text"], name), GOOD["F2"], GOOD["F3"]), tr)
        assert out.dropped == 0, name
    assert "密集架" in known_subjects(tr) and "电梯" not in known_subjects(tr)


def test_ungrounded_number_drops_the_comment_and_is_counted():
    tr = review()
    invented = comment(["F1"], "“密集架”应按80组填报，建议改为“≥80组”。", "密集架")
    out = validate_reply(reply(invented, GOOD["F2"], GOOD["F3"]), tr)
    assert (out.ungrounded, out.dropped) == (1, 0)
    assert "80" in out.reasons[0]
    on_f1 = [c for c in out.comments if "F1" in c.finding_ids]
    assert [c.source for c in on_f1] == ["template"] and "80组" not in on_f1[0].text


def test_derived_numbers_are_grounded():
    tr = review()
    # from F1's evidence: 60 − 52 = 8, (60 − 52) / 52 = 15.38%; 49.5万元 = 495000元
    derived = comment(["F1"], "“密集架”=52组比项目概况的60组少8组（少15.38%），所需资金495000元，建议统一。", "密集架")
    out = validate_reply(reply(derived, GOOD["F2"], GOOD["F3"]), tr)
    assert out.ungrounded == 0 and {c.source for c in out.comments} == {"llm"}


def test_suggestions_need_a_category_and_are_capped():
    tr = review()
    s1 = comment([], "产出指标未体现会议室整修内容，建议补充整修完成情况的数量指标，目标值按计划标准填写。", None,
                 "missing_indicator")
    s2 = comment([], "“空调成本”=6199元/台，建议按行业标准核实单价。", "空调成本", "cost_inconsistency")
    no_category = comment([], "建议补充培训类指标。")
    out = validate_reply(reply(GOOD["F1"], GOOD["F2"], GOOD["F3"], s1, no_category, s2), tr, max_suggestions=1)
    suggested = [c for c in out.comments if c.suggested]
    assert len(suggested) == 1 and suggested[0].category == "missing_indicator"
    assert suggested[0].source == "llm" and suggested[0].finding_ids == []
    assert out.comments[-1] is suggested[0]  # suggestions come after the comments on findings
    assert out.dropped == 2


def test_empty_text_is_dropped():
    tr = review()
    out = validate_reply(reply(comment(["F1"], "   "), GOOD["F2"], GOOD["F3"]), tr)
    assert out.dropped == 1 and covered(out) == {"F1", "F2", "F3"}


def test_partial_reply_is_completed_by_templates_in_rubric_order():
    tr = review()
    out = validate_reply(reply(GOOD["F3"]), tr)
    assert covered(out) == {"F1", "F2", "F3"}
    by_source = {tuple(c.finding_ids): c.source for c in out.comments}
    assert by_source[("F3",)] == "llm"
    assert all(src == "template" for ids, src in by_source.items() if "F3" not in ids)
    # 产出 before 满意度, whoever wrote them
    assert out.comments[-1].finding_ids == ["F3"]


def test_a_comment_may_cover_several_findings():
    tr = review()
    merged = comment(["F1", "F2", "F1"], "“密集架”=52组与项目概况60组不一致，“空调”3台缺少比较符，建议统一并改为“=3台”。")
    out = validate_reply(reply(merged, GOOD["F3"]), tr)
    assert out.comments[0].finding_ids == ["F1", "F2"] and out.comments[0].source == "llm"
    assert len(out.comments) == 2
