"""Group A rules: missing, measurable, format, misclassified, wording, incomplete.

Each rule gets a bad case and a good case on tables built by hand (targets parsed by the real
parser, cells taken from the sample and the real tables), then the whole sample document and
the real tables go through the rules: the key findings appear and clean rows stay quiet.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.checks.registry import Context, all_rules
from reviewer.config import Config
from reviewer.extract.targets import parse_target
from reviewer.models import Amount, Document, Indicator, Slot, Table, TextField

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "eval" / "cases" / "jiyuan_housing_fund_2021.txt"
REAL = ROOT / "eval" / "cases" / "real"  # the repo's copies of shared/samples/real

HENAN_SLOTS = [
    ("投入与目标管理", "投入管理"), ("投入与目标管理", "财务管理"), ("投入与目标管理", "项目管理"),
    ("投入与目标管理", "资产管理"), ("产出目标", "数量"), ("产出目标", "质量"), ("产出目标", "时效"),
    ("产出目标", "成本"), ("效果目标", "经济效益"), ("效果目标", "社会效益"), ("效果目标", "环境效益"),
    ("效果目标", "满意度"), ("影响力目标", "长效管理"), ("影响力目标", "人力资源"),
]


def ind(l1: str | None, l2: str | None, l3: str | None, raw: str, *, unit_column: str | None = None,
        direction: str | None = None, note: str | None = None) -> Indicator:
    target = parse_target(raw, unit_column=unit_column, comparator_column=direction, indicator=l3)
    return Indicator(level1=l1, level2=l2, level3=l3, target=target, unit_column=unit_column,
                     direction=direction, note=note)


def table(indicators: list[Indicator], *, framework: str | None = "henan", slots=None, narrative=None,
          header=None, kind: str = "project", title: str = "测试项目") -> Table:
    if slots is None:
        slots = HENAN_SLOTS if framework == "henan" else sorted({(i.level1, i.level2) for i in indicators})
    return Table(
        title=title, kind=kind, framework=framework, year=2021, indicators=indicators,
        slots=[Slot(level1=a, level2=b) for a, b in slots],
        narrative={k: TextField(name=k, text=v) for k, v in (narrative or {}).items()},
        header=header or {},
    )


def henan_full(*extra: Indicator, drop: tuple[str, ...] = ()) -> list[Indicator]:
    """A clean Henan table's rows (from the sample's U-key table), plus/minus some."""
    rows = [
        ind("投入与目标管理", "投入管理", "预算执行率", "=100%"),
        ind("产出目标", "数量", "购买U-KEY数量", "=600个"),
        ind("产出目标", "质量", "一次性验收合格率", "≥99%"),
        ind("产出目标", "时效", "完成时间", "≤2021年12月31日"),
        ind("产出目标", "成本", "U-KEY成本", "=595元/个"),
        ind("效果目标", "社会效益", "U-KEY发放率", "≥95%"),
        ind("效果目标", "满意度", "使用人员满意度", "≥95%"),
    ]
    return [r for r in rows if r.level2 not in drop] + list(extra)


def run(code: str, tbl: Table, config: Config | None = None) -> list:
    rule_cls = all_rules()[code]
    ctx = Context(config=config or Config(), document=Document(source="t", tables=[tbl]), budget_year=2021)
    return list(rule_cls(ctx).check(tbl))


# ---------------------------------------------------------------- rule metadata


GROUP_A = [c for c in all_rules() if int(c[2:]) in range(100, 200) or int(c[2:]) in range(300, 500)
           or int(c[2:]) in range(1000, 1300)]


def test_group_a_rules_are_registered_with_docs():
    assert len(GROUP_A) >= 30
    for code in GROUP_A:
        cls = all_rules()[code]
        doc = cls.doc()
        assert "shared/spec/domain.md" in doc or "findings contract" in doc, code
        assert cls.kinds and set(cls.kinds) <= {"project", "department"}


# ---------------------------------------------------------------- missing_indicator


def test_iq101_empty_required_slot_names_the_misfiled_row():
    rows = henan_full(ind("产出目标", "质量", "工作及时性", "及时"), drop=("时效",))
    found = run("IQ101", table(rows))
    assert len(found) == 1
    assert found[0].location.endswith("> 时效")
    assert "工作及时性" in found[0].message and found[0].evidence.startswith("二级指标: 时效")


def test_iq101_quiet_on_full_table_and_optional_empty_slots():
    # 资产管理, 经济效益, 环境效益, 人力资源 are printed empty: optional in the Henan template
    assert run("IQ101", table(henan_full())) == []


def test_iq101_undeclared_level2_in_older_framework():
    rows = [ind("产出指标", "数量指标", "培训人次", "≥280人次"),
            ind("产出指标", "时效指标", "完成时间", "≤2022年12月31日"),
            ind("效益指标", "社会效益指标", "受益人数", "≥500人")]
    found = run("IQ101", table(rows, framework="older"))
    assert [f.location for f in found] == ["产出 > 质量"]
    assert "没有质量指标" in found[0].message


def test_iq102_whole_level1_missing_and_present():
    rows = [ind("产出指标", "数量指标", "培训人次", "≥280人次"),
            ind("满意度指标", "服务对象满意度指标", "学员满意度", "≥95%")]
    found = run("IQ102", table(rows, framework="older"))
    assert [(f.location, f.severity) for f in found] == [("效益", "error")]
    rows.append(ind("效益指标", "社会效益指标", "受益人数", "≥500人"))
    assert run("IQ102", table(rows, framework="older")) == []


def test_iq103_too_few_and_configurable():
    rows = [ind("产出目标", "数量", "发放人数", "=9人"), ind("效果目标", "满意度", "职工满意度", "≥90%")]
    found = run("IQ103", table(rows))
    assert len(found) == 1 and "2个" in found[0].message
    assert run("IQ103", table(rows), Config(min_level3=2)) == []
    empty = run("IQ103", table([]))
    assert empty[0].severity == "error"


def test_iq104_no_cost_indicator():
    rows = henan_full(drop=("成本",))
    found = run("IQ104", table(rows))
    assert len(found) == 1 and "成本" in found[0].message
    assert run("IQ104", table(henan_full())) == []
    # a cost named as such and priced, filed elsewhere, still counts as a cost indicator
    rows.append(ind("产出目标", "数量", "设备购置费用", "≤3万元"))
    assert run("IQ104", table(rows)) == []


def test_iq105_no_satisfaction_where_people_are_served():
    rows = [ind("产出", "数量", "培训人次", "≥280人次")]
    tbl = table(rows, framework=None, slots=[], narrative={"项目概况": "为参训学员提供集中培训。"})
    found = run("IQ105", tbl)
    assert len(found) == 1 and "学员" in found[0].message
    # satisfaction present but misfiled: that is IQ1002's business, not a missing indicator
    rows.append(ind("效果目标", "社会效益", "职工满意度", "≥90%"))
    assert run("IQ105", table(rows)) == []


def test_iq106_level2_carried_from_another_level1():
    rows = [ind("产出指标", "成本指标", "单台年维护成本", "≤4000元/台"),
            ind("效益指标", "成本指标", "档案安全事故发生次数", "≤0次")]
    found = run("IQ106", table(rows, framework="older"))
    assert [f.indicator for f in found] == ["档案安全事故发生次数"] and "不属于" in found[0].message


def test_iq104_count_under_cost_is_not_a_cost():
    rows = henan_full(drop=("成本",)) + [ind("产出目标", "成本", "安全事故发生次数", "≤0次")]
    found = run("IQ104", table(rows))
    assert len(found) == 1 and "均非成本" in found[0].evidence


def test_iq106_level3_without_level2():
    found = run("IQ106", table([ind("产出指标", None, "培训人次", "≥280人次")], framework="older"))
    assert len(found) == 1
    assert run("IQ106", table([ind("产出指标", "数量指标", "培训人次", "≥280人次")], framework="older")) == []


# ---------------------------------------------------------------- unmeasurable_target


@pytest.mark.parametrize("l3, raw, note", [
    ("提高村民人均收入有效性", "有效", None),
    ("保证单位正常运转", "应保尽保", "该指标主要考察单位运转需要保障范围应保尽保"),
    ("生态效益", "生态修复功能提高", None),
    ("群众生活水平", "进一步提高", None),
])
def test_iq301_vague(l3, raw, note):
    found = run("IQ301", table([ind("效果目标", "社会效益", l3, raw, note=note)]))
    assert len(found) == 1 and found[0].indicator == l3


@pytest.mark.parametrize("l3, raw, note", [
    ("居民人均可支配收入实际增长率", "≥5%", None),
    ("财务监控有效性", "有效", "优：每季度开展监控并整改；良：每半年；中：每年；差：未开展"),
    ("贫困村村民满意度", "满意", None),  # IQ302's
    ("计划完成及时性", "及时", None),  # IQ303's
])
def test_iq301_quiet(l3, raw, note):
    assert run("IQ301", table([ind("效果目标", "社会效益", l3, raw, note=note)])) == []


def test_iq302_satisfaction_word_instead_of_rate():
    found = run("IQ302", table([ind("效果目标", "满意度", "贫困村村民满意度", "满意")]))
    assert len(found) == 1 and "满意率" in found[0].message
    assert run("IQ302", table([ind("效果目标", "满意度", "贫困村村民满意度", "≥90%")])) == []


def test_iq303_timely_without_deadline():
    found = run("IQ303", table([ind("产出目标", "时效", "计划完成及时性", "及时")]))
    assert len(found) == 1 and "2021年12月31日" in found[0].fix
    assert run("IQ303", table([ind("产出目标", "时效", "故障处理及时性", "及时",
                                   note="接到报修后2小时内到场处理")])) == []
    assert run("IQ303", table([ind("产出目标", "时效", "申请贷款业务办理时效", "≤10个工作日")])) == []


@pytest.mark.parametrize("l2, l3, raw", [
    ("社会效益", "经济效益指标", "项目实施后的经济效益达到100%。"),
    ("社会效益", "维护社会稳定", "≥95%"),
    ("经济效益", "促进村集体经济发展", "≥95%"),
    ("时效", "时效指标", "资金管理的时效性100%"),
])
def test_iq304_percent_of_nothing(l2, l3, raw):
    found = run("IQ304", table([ind("效果目标", l2, l3, raw)]))
    assert len(found) == 1 and raw in found[0].evidence


@pytest.mark.parametrize("l2, l3, raw", [
    ("社会效益", "住房公积金制度覆盖率", "≥85%"),
    ("数量", "理论教育和党性教育课时比例", "70%"),
    ("投入管理", "预算资金到位情况", "=100%"),
    ("满意度", "社会公众满意度", "社会公众满意度较好，社会公众满意率达到90%。"),
    ("经济效益", "居民人均可支配收入实际增长率", "≥5%"),
    ("成本", "成本控制率", "≤100%"),  # a cost: IQ305's
])
def test_iq304_quiet_on_rates(l2, l3, raw):
    assert run("IQ304", table([ind("效果目标", l2, l3, raw)])) == []


def test_iq305_cost_says_nothing():
    rows = [ind("产出目标", "成本", "成本控制率", "≤100%"), ind("产出目标", "成本", "运行成本", "控制在预算成本内"),
            ind("产出目标", "成本", "出差单位成本", "0", unit_column="万元/人", direction="=")]
    found = run("IQ305", table(rows))
    assert [f.indicator for f in found] == ["成本控制率", "运行成本", "出差单位成本"]
    assert run("IQ305", table([ind("产出目标", "成本", "U-KEY成本", "=595元/个"),
                               ind("产出目标", "成本", "系统维护费", "≤9万元")])) == []


def test_iq305_quiet_on_social_and_ecological_cost_rates():
    rows = [ind("成本指标", "生态环境成本指标", "单位产值能耗降低率", "≥5%"),
            ind("成本指标", "社会成本指标", "失业率上升幅度", "≤0.5%"),
            ind("成本指标", "经济成本指标", "成本控制率", "≤100%")]
    found = run("IQ305", table(rows, framework="central2021"))
    assert [f.indicator for f in found] == ["成本控制率"]


def test_iq305_single_cost_equal_to_budget():
    header = {"项目本年度金额": TextField(name="项目本年度金额", text="50.00",
                                       amount=Amount(raw="50.00", value=50, wan=50))}
    one = table([ind("产出目标", "成本", "项目总成本", "≤50万元")], header=header)
    found = run("IQ305", one)
    assert len(found) == 1 and "全部预算" in found[0].message
    # a total equal to the budget next to other cost rows restates the budget: info
    two = table([ind("产出目标", "成本", "项目总成本", "≤50万元"), ind("产出目标", "成本", "单价", "≤595元/个")],
                header=header)
    assert [(f.indicator, f.severity) for f in run("IQ305", two)] == [("项目总成本", "info")]
    parts = table([ind("产出目标", "成本", "出差总成本", "≤1万元"), ind("产出目标", "成本", "劳务人员总成本", "≤2万元"),
                   ind("产出目标", "成本", "系统维护费", "≤50万元")], header=header)
    assert run("IQ305", parts) == []  # a component equal to the budget is not named as the total


def test_iq305_quiet_on_budget_control_rates_and_counts_under_cost():
    # "三公经费控制率 ≤100%" is a budget-management target (actual ≤ budget), not a cost row
    assert run("IQ305", table([ind("绩效目标及说明", "预算编制及执行", "“三公经费”控制率", "≤100%")],
                              framework="department", kind="department")) == []
    # a count carried under 成本 by the layout is not a zero cost
    assert run("IQ305", table([ind("产出目标", "成本", "档案安全事故发生次数", "≤0次")])) == []


def test_iq306_grouped_ungraded_qualitatives():
    rows = [ind("投入与目标管理", "财务管理", "财务管理制度健全性", "健全"),
            ind("投入与目标管理", "投入管理", "预算编制合理性", "合理"),
            ind("投入与目标管理", "财务管理", "资金使用规范性", "合规"),
            ind("产出目标", "质量", "律师事务所资质是否合格", "合格")]
    found = run("IQ306", table(rows))
    assert len(found) == 1 and found[0].indicator is None
    assert "3个" in found[0].message and "资金使用规范性: 合规" in found[0].evidence
    graded = [ind("投入与目标管理", "财务管理", "财务管理制度健全性", "健全", note="优：制度齐全；良：基本齐全；差：缺失")]
    assert run("IQ306", table(graded)) == []


def test_iq307_work_description_target():
    rows = [ind("产出指标", "重点工作任务完成", "信息化建设", "推进住房公积金网上营业大厅业务办理，实现线上线下一网通办，提高营商环境。"),
            ind("产出指标", "重点工作任务完成", "资金风险管控", "强化事前、事中、事后审核，确保资金安全。")]
    found = run("IQ307", table(rows, framework="department", kind="department"))
    assert [f.indicator for f in found] == ["信息化建设", "资金风险管控"]
    quiet = [ind("产出指标", "重点工作任务完成", "缴存扩面", "2021年预计新增缴存单位150个，覆盖率达到90%。"),
             ind("产出指标", "履职目标实现", "数量指标", "完成与示范区管委会签订的责任目"),  # cut off: IQ1201
             ind("投入与目标管理", "财务管理", "财务管理制度健全性", "健全")]
    assert run("IQ307", table(quiet, framework="department", kind="department")) == []


# ---------------------------------------------------------------- format


def test_iq401_missing_comparator_single_and_grouped():
    found = run("IQ401", table([ind("产出目标", "数量", "委托律师事务所个数", "1个")]))
    assert len(found) == 1 and found[0].indicator == "委托律师事务所个数"
    quiet = [ind("产出目标", "数量", "密集架", "=52组"), ind("产出目标", "数量", "出差人数", "8", direction="="),
             ind("效果目标", "社会效益", "村民投诉次数", "0起")]
    assert run("IQ401", table(quiet)) == []
    many = [ind("产出", "数量", n, v) for n, v in
            [("主体班培训人次", "280人次"), ("授课人次", "25人次"), ("外训批次", "6次"), ("培训完成率", "100%")]]
    found = run("IQ401", table(many, framework="older"))
    assert len(found) == 1 and found[0].indicator is None and "4个" in found[0].message


def test_iq402_missing_or_cut_unit():
    found = run("IQ402", table([ind("产出", "数量", "开设课程数量", "220"),
                                ind("产出", "成本", "黄金蜜(葡萄)补助成本", "≤28.40/株")], framework="older"))
    assert [f.indicator for f in found] == ["开设课程数量", "黄金蜜(葡萄)补助成本"]
    assert "元/株" in found[1].fix
    assert run("IQ402", table([ind("产出", "质量", "工作任务完成率", "100", unit_column="%")])) == []


def test_iq402_unit_only_in_template_placeholder():
    found = run("IQ402", table([ind("产出", "质量", "种植作物成活率", "(≥**%)>=85"),
                                ind("产出", "数量", "种植数量", "(≥**株)>=17600株")], framework="older"))
    assert [f.indicator for f in found] == ["种植作物成活率"] and "模板占位" in found[0].message


def test_iq403_unit_contradictions():
    rows = [ind("产出", "数量", "业务工作支出安排金额", "28.8万元", unit_column="%"),
            ind("产出", "数量", "培训人数", "95%"),
            ind("产出", "数量", "服务人数", "230人", unit_column="个")]
    found = run("IQ403", table(rows, framework="older"))
    assert [f.indicator for f in found] == ["业务工作支出安排金额", "培训人数", "服务人数"]
    quiet = [ind("产出", "质量", "业务工作支出到位率", "100", unit_column="%"),
             ind("产出", "数量", "出差人次", "24", unit_column="人/次")]
    assert run("IQ403", table(quiet, framework="older")) == []


def test_iq404_one_item_two_units():
    rows = [ind("产出目标", "数量", "超薄全频会议音箱", "=2台"), ind("产出目标", "成本", "超薄全频会议音箱", "=3650元/只"),
            ind("产出目标", "数量", "调音台", "=1台"), ind("产出目标", "成本", "调音台成本", "=5950元/台"),
            ind("产出目标", "数量", "出差人次", "24", unit_column="人/次"),
            ind("产出目标", "成本", "出差单位成本", "0", unit_column="万元/人")]
    found = run("IQ404", table(rows))
    assert len(found) == 1 and "只" in found[0].message and "台" in found[0].message
    assert "=2台" in found[0].evidence and "=3650元/只" in found[0].evidence


def test_iq405_rates_over_hundred():
    rows = [ind("产出", "时效", "项目(工程)完成及时率", "≥100%"), ind("产出", "质量", "验收合格率", "≥100百分比"),
            ind("产出", "质量", "培训完成率", "105%")]
    found = run("IQ405", table(rows, framework="older"))
    assert len(found) == 3 and "百分比" in found[1].message
    quiet = [ind("产出", "质量", "验收合格率", "=100%"), ind("效益", "经济效益", "产值增长率", "≥120%"),
             ind("产出", "质量", "一次性验收合格率", "≥99%")]
    assert run("IQ405", table(quiet, framework="older")) == []


def test_iq406_comparator_against_direction():
    rows = [ind("绩效目标及说明", "预算编制及执行", "政府采购执行率", "≤100%"),
            ind("产出", "质量", "故障发生率", "≥3%"),
            ind("产出", "数量", "逾期率", "≤0.15%"), ind("效益", "社会效益", "个贷率", "≤90%"),
            ind("绩效目标及说明", "预算编制及执行", "预算调整率", "≤15%")]
    found = run("IQ406", table(rows, framework="department", kind="department"))
    assert [f.indicator for f in found] == ["政府采购执行率", "故障发生率"]


def test_iq407_equals_on_growth_is_info():
    rows = [ind("产出目标", "数量", "归集额", "=6亿元"), ind("产出目标", "数量", "新增缴存单位", "≥150家"),
            ind("产出目标", "数量", "发放人数", "=9人")]
    found = run("IQ407", table(rows))
    assert [(f.indicator, f.severity) for f in found] == [("归集额", "info")]


def test_iq408_placeholders():
    found = run("IQ408", table([ind("产出", "数量", "黄金蜜(葡萄)种植数量", "(≥**株)>=17600株"),
                                ind("产出", "质量", "成活率", "≥**%")], framework="older"))
    assert {f.indicator: f.severity for f in found} == {"黄金蜜(葡萄)种植数量": "warning", "成活率": "error"}
    assert run("IQ408", table([ind("产出", "数量", "种植数量", "≥17600株")], framework="older")) == []


def test_iq409_excel_serial():
    rows = [ind("产出", "时效", "项目财政资金到位时间", "44,561", unit_column="44,561", direction="=")]
    found = run("IQ409", table(rows, framework="older"))
    assert len(found) == 1 and "2021年12月31日" in found[0].message
    assert run("IQ409", table([ind("产出", "时效", "完成时间", "≤2021年12月31日"),
                               ind("产出", "数量", "新增缴存人员", "≥8000人")], framework="older")) == []


def test_iq410_sentence_target():
    rows = [ind("满意度", "满意度", "社会公众满意度", "社会公众满意度较好，社会公众满意率达到90%。"),
            ind("效益", "社会效益", "社会效益", "项目实施后的社会效益达到90%。"),  # IQ304's
            ind("产出", "重点工作任务完成", "缴存扩面", "新增缴存单位150个，覆盖率达到90%。")]
    found = run("IQ410", table(rows, framework="department", kind="department"))
    assert [f.indicator for f in found] == ["社会公众满意度"] and "≥90%" in found[0].message
    assert run("IQ410", table([ind("满意度", "满意度", "社会公众满意度", "≥90%")], framework="department")) == []


def test_iq411_average_cost_without_base():
    found = run("IQ411", table([ind("产出目标", "成本", "信息网络维护平均成本", "=8万元"),
                                ind("产出目标", "成本", "单台年维护成本", "≤4000元/台"),
                                ind("产出目标", "成本", "强力巨彩小间距LED高清屏成本", "=22.23万元")]))
    assert [f.indicator for f in found] == ["信息网络维护平均成本"]


def test_iq412_value_written_twice():
    header = {"财政拨款": TextField(name="财政拨款", text="854万854万(高标准农田建设400万元,示范建设295万元)"),
              "年度资金总额": TextField(name="年度资金总额", text="854万(高标准农田建设400万元)"),
              "项目期": TextField(name="项目期", text="2020-2022年")}
    found = run("IQ412", table([ind("产出", "数量", "面积", "≥2020亩")], header=header, framework="older"))
    assert [f.location for f in found] == ["财政拨款"] and "854万854万" in found[0].message


# ---------------------------------------------------------------- misclassified


def test_iq1001_rate_under_quantity():
    found = run("IQ1001", table([ind("产出目标", "数量", "逾期率", "≤0.15%"),
                                 ind("产出目标", "数量", "新增缴存单位", "≥150家")]))
    assert [f.indicator for f in found] == ["逾期率"]


def test_iq1002_satisfaction_outside_its_level():
    found = run("IQ1002", table([ind("效果目标", "社会效益", "职工满意度", "≥90%")]))
    assert len(found) == 1 and "社会效益" in found[0].message
    assert run("IQ1002", table([ind("效果目标", "满意度", "职工满意度", "≥90%"),
                                ind("满意度", "职工满意", "职工满意", "≥90%")])) == []


def test_iq1003_quality_and_timeliness_swapped():
    rows = [ind("产出目标", "时效", "故障重复发生率", "≤3%"), ind("产出目标", "质量", "工作及时性", "及时"),
            ind("产出目标", "质量", "一次性验收合格率", "≥95%"), ind("产出目标", "时效", "故障处理及时性", "及时"),
            ind("产出目标", "时效", "设备到位率", "=100%")]
    found = run("IQ1003", table(rows))
    assert [f.indicator for f in found] == ["故障重复发生率", "工作及时性"]


def test_iq1004_inputs_as_outputs():
    rows = [ind("产出指标", "时效指标", "项目财政资金到位时间", "≤2021年12月31日"),
            ind("产出指标", "数量指标", "业务工作支出安排金额", "28.8万元")]
    found = run("IQ1004", table(rows, framework="older"))
    assert len(found) == 2
    assert run("IQ1004", table([ind("投入与目标管理", "投入管理", "预算执行率", "=100%"),
                                ind("产出目标", "成本", "年度预算总成本", "=3万元")])) == []


def test_iq1005_benefit_named_as_another():
    found = run("IQ1005", table([ind("社会效益", "社会效益", "经济效益指标", "项目实施后的经济效益达到100%。")],
                                framework="department", kind="department"))
    assert len(found) == 1 and "经济效益" in found[0].message
    assert run("IQ1005", table([ind("效益指标", "履职效益", "社会效益", "项目实施后的社会效益达到90%。")],
                               framework="department", kind="department")) == []


def test_iq1006_output_quality_under_benefit():
    found = run("IQ1006", table([ind("效益指标", "社会效益指标", "工程验收合格率", "=100%")], framework="older"))
    assert [f.severity for f in found] == ["info"]
    assert run("IQ1006", table([ind("效益指标", "社会效益指标", "受益脱贫(监测)人口数", "≥500人")],
                               framework="older")) == []


# ---------------------------------------------------------------- text_inconsistency


def test_iq1101_place_name_one_character_apart():
    narrative = {"项目概况": "中心帮扶邵原镇卫凹村，并派驻一名工作人员。",
                 "立项依据": "中心有一名工作人员在邵原镇卫洼村驻村，各村、每村均按要求派驻村干部。"}
    found = run("IQ1101", table([], narrative=narrative))
    assert len(found) == 1 and "卫凹村" in found[0].message and "卫洼村" in found[0].message
    same = {"项目概况": "中心帮扶邵原镇卫凹村。", "立项依据": "在邵原镇卫凹村驻村，做好派驻村与进驻村工作。"}
    assert run("IQ1101", table([], narrative=same)) == []


def test_iq1102_project_name_written_differently():
    header = {"项目名称": TextField(name="项目名称", text="住房公积金运转费-法律咨询费及诉讼费")}
    narrative = {"年度绩效目标": "济源市住房公积金管理中心的住房公积金运转费-聘用律师及贷款诉讼费项目主要是用于律师事务所的委托业务费。"}
    found = run("IQ1102", table([], header=header, narrative=narrative))
    assert len(found) == 1 and found[0].severity == "warning" and "聘用律师及贷款诉讼费" in found[0].message
    fine = {"年度绩效目标": "住房公积金运转费-法律咨询费及诉讼费项目主要用于律师事务所的委托业务费。"}
    assert run("IQ1102", table([], header=header, narrative=fine)) == []


def test_iq1102_one_character_off_is_info():
    header = {"项目名称": TextField(name="项目名称", text="档案保护专项-住房公积金管理中心大会议室、档案室整修及设备采购")}
    narrative = {"项目配套制度措施": "为了完成济源市住房公积金管理中心大会议室、档案室整个及设备采购的项目，中心成立领导小组。"}
    found = run("IQ1102", table([], header=header, narrative=narrative))
    assert len(found) == 1 and found[0].severity == "info" and "整修" in found[0].message


def test_iq1102_quoted_name_written_otherwise():
    header = {"项目名称": TextField(name="项目名称", text="“四好农村路”、“三个一号旅游路”工作经费")}
    narrative = {"项目概况": "“四好农村路”、“三大板块旅游路”项目开工前期项目勘察设计审批。",
                 "项目设立必要性": "“四好农村路”、“三大板块旅游路”项目进度督导检查。",
                 "立项依据": "山西省人民政府晋政办发[2018]96号文件、“四好农村路”建设要求。"}
    found = run("IQ1102", table([], header=header, narrative=narrative))
    assert len(found) == 1 and "三大板块旅游路" in found[0].message


def test_iq1106_item_named_two_ways():
    rows = [ind("产出目标", "数量", "话筒", "=1套"), ind("产出目标", "成本", "一托四无线话筒", "=8550元/套"),
            ind("产出目标", "数量", "调音台", "=1台"), ind("产出目标", "成本", "调音台成本", "=5950元/台"),
            ind("产出目标", "数量", "出差人次", "24", unit_column="人/次"),
            ind("产出目标", "成本", "出差单位成本", "0.1", unit_column="万元/人")]
    found = run("IQ1106", table(rows))
    assert [f.indicator for f in found] == ["一托四无线话筒"]


def test_iq1103_latin_case_variants():
    narrative = {"项目实施计划": "2021年第一季度完成U-KEY采购。", "项目配套制度措施": "成立U-Key购买工作领导小组，购置LED屏。"}
    found = run("IQ1103", table([], narrative=narrative, title="综合服务平台U-key购买资金"))
    assert len(found) == 1 and "U-KEY" in found[0].message and "U-key" in found[0].message
    assert run("IQ1103", table([], narrative={"项目概况": "购置LED屏和LED灯。"})) == []


def test_iq1104_repeated_clause():
    rows = [ind("产出指标", "重点工作任务完成", "资金风险管控", "强化事前、事中、事后审核，确保资金安全，确保资金安全。")]
    found = run("IQ1104", table(rows, framework="department", kind="department"))
    assert len(found) == 1 and "确保资金安全" in found[0].message
    rows = [ind("产出指标", "重点工作任务完成", "资金风险管控", "强化事前、事中、事后审核，确保资金安全。")]
    assert run("IQ1104", table(rows, framework="department", kind="department")) == []


def test_iq1105_count_unit_variants():
    rows = [ind("产出目标", "数量", "新增缴存单位", "≥150家"), ind("产出目标", "数量", "新增缴存人员", "≥8000人")]
    narrative = {"项目总目标": "2021年新增缴存单位150个，新增缴存人员8000名，归集住房公积金6亿元。"}
    found = run("IQ1105", table(rows, narrative=narrative))
    assert [f.indicator for f in found] == ["新增缴存单位"]


# ---------------------------------------------------------------- incomplete_text


def test_iq1201_cut_off_values_and_sentences():
    rows = [ind("产出指标", "履职目标实现", "数量指标", "完成与示范区管委会签订的责任目")]
    narrative = {"年度绩效目标": "二、效果目标：满意度要达到95%以上。三、影响力目标：一是中心建立逾期贷款机制，将逾期贷款"}
    found = run("IQ1201", table(rows, framework="department", kind="department", narrative=narrative))
    assert {f.indicator or f.location for f in found} == {"数量指标", "年度绩效目标"}


@pytest.mark.parametrize("text", [
    "保障中心业务顺利开展",
    "完成市扶贫办的脱贫任务。",
    "中心将于2021年12月底前全部完成",
    "争创一流管理中心",
    "提高住房公积金使用效率的目的",
    "确保项目按时保质完成",
])
def test_iq1201_quiet_on_complete_text(text):
    assert run("IQ1201", table([], narrative={"项目总目标": text})) == []


def test_iq1202_unbalanced_brackets():
    narrative = {"立项依据": "根据《关于调整市直机关驻村干部驻村补助标准的通知（济财[2019]5号文件要求",
                 "项目概况": "根据《关于调整补助标准的通知》（济财〔2019〕5号）文件要求。"}
    found = run("IQ1202", table([], narrative=narrative))
    assert [f.location for f in found] == ["立项依据"]


# ---------------------------------------------------------------- the sample and the real tables


def _review(path: Path):
    from reviewer.checks import run_checks
    from reviewer.pipeline import extract

    doc = extract(path.read_bytes(), path.name)
    review = run_checks(doc, Config(select=GROUP_A))
    return {t.title: t.findings for t in review.tables}


@pytest.fixture(scope="module")
def sample():
    return _review(SAMPLE)


def _has(findings, code: str, indicator: str | None = None, text: str | None = None) -> bool:
    return any(f.rule == code and (indicator is None or f.indicator == indicator)
               and (text is None or text in f.message + f.evidence) for f in findings)


def _table(sample, start: str):
    return next(v for k, v in sample.items() if k.startswith(start))


def test_sample_key_findings(sample):
    dept = _table(sample, "济源市住房公积金管理中心")
    assert _has(dept, "IQ1201", text="责任目")
    assert _has(dept, "IQ304", "经济效益指标") and _has(dept, "IQ1005", "经济效益指标")
    assert _has(dept, "IQ1104", text="确保资金安全")
    zhucun = _table(sample, "驻村帮扶")
    assert _has(zhucun, "IQ101", text="时效") and _has(zhucun, "IQ1003", "工作及时性")
    assert _has(zhucun, "IQ302", "贫困村村民满意度") and _has(zhucun, "IQ1101", text="卫洼村")
    assert _has(_table(sample, "住房公积金运转经费"), "IQ1002", "职工满意度")
    zhengshou = _table(sample, "住房公积金运转费-住房公积金征收")
    assert _has(zhengshou, "IQ1001", "逾期率") and _has(zhengshou, "IQ305", "成本控制率")
    legal = _table(sample, "住房公积金运转费-法律")
    assert _has(legal, "IQ401", "委托律师事务所个数") and _has(legal, "IQ1201", text="将逾期贷款")
    assert _has(legal, "IQ1102", text="聘用律师及贷款诉讼费")
    ukey = _table(sample, "电子政务专项-综合服务平台")
    assert _has(ukey, "IQ303", "计划完成及时性") and _has(ukey, "IQ1103", text="U-KEY")
    assert _has(_table(sample, "电子政务专项-网络维护"), "IQ1003", "故障重复发生率")
    archive = _table(sample, "档案保护专项")
    assert _has(archive, "IQ401", "空调") and _has(archive, "IQ401", "强力巨彩小间距LED高清屏")
    assert _has(archive, "IQ404", "超薄全频会议音箱") and _has(archive, "IQ1106", "一托四无线话筒")
    assert _has(dept, "IQ307", "信息化建设") and _has(dept, "IQ410", "社会公众满意度")
    assert _has(_table(sample, "电子政务专项-网络维护"), "IQ411", "信息网络维护平均成本")


def test_sample_clean_rows_stay_quiet(sample):
    clean = {"密集架", "购买U-KEY数量", "U-KEY成本", "一次性验收合格率", "住房公积金制度覆盖率", "发放人数",
             "逾期贷款回收额", "贷款逾期率", "调音台成本", "碎纸机", "U-KEY发放率", "居民人均可支配收入实际增长率",
             "使用人员满意度", "中心对委托单位满意度", "申请贷款业务办理时效"}
    noisy = [(t, f.rule, f.indicator) for t, fs in sample.items() for f in fs if f.indicator in clean]
    assert noisy == []
    everything = [f for fs in sample.values() for f in fs]
    assert not any(f.rule == "IQ102" for f in everything)  # every table has its main 一级 levels
    assert sum(f.rule == "IQ1101" for f in everything) == 1
    # optional Henan slots (环境效益, 资产管理, 人力资源 …) are never reported as missing
    assert not any(f.rule == "IQ101" and any(w in f.location for w in ("环境效益", "资产管理", "人力资源", "经济效益"))
                   for f in everything)


def test_real_tables():
    if not REAL.is_dir():
        pytest.skip("shared samples not available")
    huangshi = next(iter(_review(REAL / "05_huangshi_dangxiao_2022.tsv").values()))
    assert _has(huangshi, "IQ102", text="效益") and _has(huangshi, "IQ1001", "理论教育和党性教育课时比例")
    assert _has(huangshi, "IQ402", "开设课程数量") and _has(huangshi, "IQ305", "成本控制率")
    tongxin = next(iter(_review(REAL / "12_tongxin_xiamaguan_putao_2023.tsv").values()))
    assert _has(tongxin, "IQ408") and _has(tongxin, "IQ405", "完成及时率")
    assert _has(tongxin, "IQ402", "黄金蜜(葡萄)补助成本")
    yueyang = next(iter(_review(REAL / "13_yueyang_gaobiaozhunnongtian_2022.tsv").values()))
    assert _has(yueyang, "IQ405", "项目(工程)完成及时率")
    assert not any(f.indicator in {"受益脱贫(监测)户满意度", "工程设计使用年限", "脱贫户供水设施数量"} for f in yueyang)
    yueyanglou = next(iter(_review(REAL / "19_yueyanglou_jiagerenzheng_zhengti_2023.tsv").values()))
    assert _has(yueyanglou, "IQ403", "业务工作支出安排金额") and _has(yueyanglou, "IQ301", "保证单位正常运转")
    wuhai = next(iter(_review(REAL / "21_wuhai_gongxiaoshe_zaishengziyuan_2021.tsv").values()))
    assert sum(f.rule == "IQ409" for f in wuhai) == 2 and _has(wuhai, "IQ1004", "项目财政资金到位时间")
    assert not _has(wuhai, "IQ404") and _has(wuhai, "IQ305", "年度预算总成本")
    assert _has(tongxin, "IQ402", "种植作物成活率")
    yangquan = next(iter(_review(REAL / "15_yangquan_sihaonongcunlu_2021.tsv").values()))
    assert _has(yangquan, "IQ1102", text="三大板块旅游路")
    assert _has(yueyang, "IQ412", text="854万854万")


# ---------------------------------------------------------------- generalisation (tests/heldout)


@pytest.mark.parametrize("raw", ["有效控制", "明显增强", "逐步完善", "得到保障", "稳步推进"])
def test_iq301_degree_adverb_and_verb(raw):
    assert len(run("IQ301", table([ind("效果目标", "社会效益", "重大传染病疫情", raw)]))) == 1


@pytest.mark.parametrize("raw", ["无明显影响", "全面掌握", "达到一级A标准", "=0起"])
def test_iq301_quiet_on_checkable_wording(raw):
    assert run("IQ301", table([ind("效果目标", "社会效益", "影响", raw)])) == []


def test_iq303_timeliness_word_inside_a_short_value():
    for raw in ("按时足额", "按计划完成", "及时到位"):
        assert len(run("IQ303", table([ind("产出目标", "时效", "补助资金发放", raw)]))) == 1, raw
    assert run("IQ303", table([ind("产出目标", "时效", "补助资金发放", "每月10日前")])) == []


def test_iq307_descriptive_phrase_but_not_a_standard_or_a_negation():
    rows = [ind("产出", "数量", "补贴发放对象", "符合条件的参训人员"),
            ind("产出", "质量", "出水主要指标", "达到城镇污水处理厂排放标准"),
            ind("成本", "生态环境成本", "对生态环境的影响", "对周边生态环境无不良影响"),
            ind("成本", "生态环境成本", "施工扬尘", "不发生扬尘污染投诉事件")]
    found = run("IQ307", table(rows, framework="central2021"))
    assert [f.indicator for f in found] == ["补贴发放对象"]


def test_iq304_density_and_concentration_are_rates():
    assert run("IQ304", table([ind("产出", "质量", "畜禽群体免疫密度", "≥90", unit_column="%")],
                              framework="older")) == []


def test_iq305_single_cost_equal_to_the_total_under_its_canonical_name():
    header = {"项目总金额": TextField(name="项目总金额", text="3600万元",
                                   amount=Amount(raw="3600万元", value=3600, wan=3600))}
    found = run("IQ305", table([ind("产出", "成本", "老旧小区改造资金", "3600万元")], header=header,
                               framework="older"))
    assert len(found) == 1 and "全部预算" in found[0].message


def test_iq401_compound_unit_without_comparator():
    found = run("IQ401", table([ind("产出", "成本", "营养膳食补助标准", "5元/生·天")], framework="older"))
    assert len(found) == 1
    assert run("IQ401", table([ind("产出", "时效", "发放时间", "每月20日前")], framework="older")) == []


def test_iq403_head_noun_decides_count_or_rate():
    rows = [ind("产出", "数量", "补贴发放户数", "≥98", unit_column="%"),
            ind("产出", "数量", "发放人数比例", "≥98", unit_column="%")]
    assert [f.indicator for f in run("IQ403", table(rows, framework="older"))] == ["补贴发放户数"]
    # the same count-in-% is a unit problem, not a rate misfiled under 数量
    assert [f.indicator for f in run("IQ1001", table(rows, framework="older"))] == ["发放人数比例"]


def test_iq405_any_share_bounded_by_hundred():
    rows = [ind("产出", "质量", "系统正常运行率", "≥100", unit_column="%"),
            ind("产出", "质量", "生活垃圾无害化处理率", "≥100%"),
            ind("效益", "经济效益", "国有资产保值增值率", "≥100%"),
            ind("效益", "经济效益", "农民人均收入增长比例", "≥105%"),
            ind("产出", "质量", "资产负债率", "≤120%")]
    found = run("IQ405", table(rows, framework="older"))
    assert [f.indicator for f in found] == ["系统正常运行率", "生活垃圾无害化处理率"]


def test_iq406_cost_with_a_floor():
    rows = [ind("产出目标", "成本", "单处维修养护成本", "≥1.2万元/处"),
            ind("产出目标", "成本", "人均基本公共卫生服务补助标准", "≥84元/人"),
            ind("产出目标", "成本", "单处维修养护成本", "≤1.2万元/处")]
    found = run("IQ406", table(rows))
    assert [f.evidence for f in found] == ["三级指标: 单处维修养护成本; 指标值: ≥1.2万元/处"]


def test_iq410_quiet_on_deadline_phrases():
    rows = [ind("产出", "时效", "季度运营考核完成时间", "每季度结束后15日内"),
            ind("产出", "时效", "补贴按月计发时间", "每月10日前", direction="≤")]
    assert run("IQ410", table(rows, framework="older")) == []


def test_iq411_quiet_when_the_name_gives_the_base():
    rows = [ind("产出", "成本", "亩均补贴标准", "≤15", unit_column="元"),
            ind("产出", "成本", "每平方米年保洁成本", "≤6.3元"),
            ind("产出", "成本", "人均培训成本", "≤800元"),
            ind("产出", "成本", "单个中心改造成本", "≤112万元"),
            ind("产出", "成本", "设备维护平均成本", "≤8万元")]
    assert [f.indicator for f in run("IQ411", table(rows, framework="older"))] == ["设备维护平均成本"]


def test_iq1003_minimum_service_hours_are_not_timeliness():
    rows = [ind("产出", "质量", "免费开放每周开放时间", "≥56", unit_column="小时"),
            ind("产出", "质量", "故障处理时间", "≤2小时")]
    assert [f.indicator for f in run("IQ1003", table(rows, framework="older"))] == ["故障处理时间"]


def test_iq1101_only_names_that_sound_alike():
    narrative = {"项目概况": "在马家湾村、李庄村、桂花园小区实施。",
                 "年度绩效目标": "马家弯村、李楼村、桂花苑小区年底前完工。"}
    found = run("IQ1101", table([], narrative=narrative))
    pairs = {tuple(sorted((f.message.split("“")[1].split("”")[0], f.message.split("“")[2].split("”")[0])))
             for f in found}
    assert pairs == {("马家弯村", "马家湾村"), ("桂花园小区", "桂花苑小区")}


def test_iq1106_a_more_specific_count_pairs_with_its_price():
    rows = [ind("产出目标", "数量", "馆藏档案数字化扫描页数", "≥120万页"),
            ind("产出目标", "成本", "档案数字化扫描单价", "≤0.5元/页")]
    assert run("IQ1106", table(rows)) == []


@pytest.mark.parametrize("text, cut", [
    ("全年保障城乡低保对象12000人，动态管理做到", True),
    ("每周开放时间不少于56小时，全年举办读者活", True),
    ("补贴资金通过", True),
    ("全年举办读者活动", False),
    ("生活灵活", False),
    ("社会成本不涉及", False),
    ("乡镇水利站初验、县水利局复验", False),
])
def test_iq1201_dangling_verbs_and_half_words(text, cut):
    assert bool(run("IQ1201", table([], narrative={"项目概况": text}))) is cut


def test_iq1201_target_value_left_empty():
    rows = [ind("满意度", "服务对象满意度", "健身群众满意度", ""),
            ind("满意度", "服务对象满意度", "受益群众满意度", "≥%"),
            ind("成本", "社会成本", "社会成本", "无")]
    rows[0].nature = "≥"
    found = run("IQ1201", table(rows, framework="central2021"))
    assert [f.indicator for f in found] == ["健身群众满意度", "受益群众满意度"]
    assert "只有“≥”" in found[0].message


CLEAN_ROWS = [
    ("产出", "时效", "项目完成时间", "≤12月31日前完成"), ("产出", "数量", "培训人次", "=1200人次"),
    ("产出", "成本", "人均培训成本", "≤350元/人"), ("满意度", "服务对象满意度", "受益群众满意度", "≥90%"),
    ("产出", "质量", "验收合格率", "≥95%（含）"), ("产出", "质量", "水质达标率", "90%-95%"),
    ("效益", "经济效益", "农民人均纯收入", "较上年提高2个百分点"), ("产出", "时效", "项目周期", "1-12月"),
    ("产出", "时效", "办理时限", "即时办结"), ("产出", "质量", "食品安全事故", "不发生"),
    ("效益", "可持续影响", "设施使用年限", "≥10年"), ("产出", "数量", "维修道路", "≥3.5km"),
    ("产出", "数量", "绿化面积", "≥1200㎡"), ("产出", "时效", "报告提交时间", "2023年6月底前"),
    ("效益", "社会效益", "带动就业人数", "≥50人"), ("效益", "生态效益", "化肥使用量减少", "≥5%"),
    ("效益", "生态效益", "PM2.5平均浓度", "≤35微克/立方米"), ("产出", "成本", "单位面积造价", "≤2800元/平方米"),
    ("产出", "质量", "系统可用性", "≥99.9%"), ("产出", "数量", "新建厕所", "≥15座"),
]


def test_clean_wording_draws_nothing_above_info():
    tbl = table([ind(*row) for row in CLEAN_ROWS], framework="older")
    loud = [(code, f.indicator) for code in GROUP_A for f in run(code, tbl) if f.severity != "info"]
    assert loud == []


def test_iq410_sentence_needs_clauses_a_restated_name_or_a_verbal_comparator():
    rows = [ind("满意度", "满意度", "社会公众满意度", "社会公众满意率达到90%。"),
            ind("效益", "社会效益", "村民收入", "村民年收入保持在1.2万元"),
            ind("效益", "经济效益", "农民人均纯收入", "较上年提高2个百分点")]
    found = run("IQ410", table(rows, framework="older"))
    assert [f.indicator for f in found] == ["社会公众满意度", "村民收入"]
