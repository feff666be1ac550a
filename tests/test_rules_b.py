"""Group B rules: narrative, cost, amounts, arithmetic, dates, copying.

Each rule gets a bad and a good case on tables built by hand (targets parsed by the real
parser, text taken from the sample and the real tables); then the sample document goes
through the rules — the key findings appear, figures that are right stay quiet — and
mutated copies of it show that each check notices a broken figure. Real tables from
shared/samples must not raise false alarms.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.checks.registry import Context, all_rules
from reviewer.config import Config, Tolerances
from reviewer.extract import load_document
from reviewer.extract.numbers import parse_amount
from reviewer.extract.targets import parse_target
from reviewer.models import Document, GridRow, Cell, Indicator, Table, TextField

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "eval" / "cases" / "jiyuan_housing_fund_2021.txt"
REAL = ROOT / "eval" / "cases" / "real"  # the repo's copies of shared/samples/real
GROUP_B = ("IQ2", "IQ5", "IQ6", "IQ7", "IQ8", "IQ9")


def ind(l1: str, l2: str, l3: str, raw: str, unit_column: str | None = None) -> Indicator:
    return Indicator(level1=l1, level2=l2, level3=l3, unit_column=unit_column,
                     target=parse_target(raw, unit_column=unit_column, indicator=l3))


def money(name: str, text: str) -> TextField:
    return TextField(name=name, text=text, amount=parse_amount(text, default_unit="万元"))


def project(*indicators: Indicator, narrative: dict[str, str] | None = None, amounts: dict[str, str] | None = None,
            header: dict[str, str] | None = None, title: str = "测试项目") -> Table:
    head = {k: money(k, v) for k, v in (amounts or {}).items()}
    head.update({k: TextField(name=k, text=v) for k, v in (header or {}).items()})
    head.setdefault("项目名称", TextField(name="项目名称", text=title))
    return Table(title=title, kind="project", framework="henan", year=2021, header=head,
                 narrative={k: TextField(name=k, text=v) for k, v in (narrative or {}).items()},
                 indicators=list(indicators))


def budget_narrative(sections: dict[str, str]) -> Table:
    return Table(title="部门预算说明", kind="budget", year=2021,
                 narrative={k: TextField(name=k, text=v) for k, v in sections.items()})


def budget_grid(title: str, columns: list[str], rows: list[list[str]]) -> Table:
    return Table(title=title, kind="budget", year=2021, columns=columns,
                 rows=[GridRow(cells=[Cell(text=t) for t in r]) for r in rows])


def run(code: str, *tables: Table, doc: Document | None = None, config: Config | None = None, year: int = 2021):
    rules = all_rules()
    doc = doc or Document(source="test", budget_year=year, tables=list(tables))
    ctx = Context(config=config or Config(), document=doc, budget_year=year)
    rule = rules[code](ctx)
    if rule.scope == "document":
        return [f for _, f in rule.check_document(doc)]
    return [f for t in doc.tables if t.kind in rule.kinds for f in rule.check(t)]


def findings_of(doc: Document, prefixes=GROUP_B, config: Config | None = None):
    """(table title, finding) for every group-B rule over a document."""
    rules = all_rules()
    ctx = Context(config=config or Config(), document=doc, budget_year=doc.budget_year)
    out = []
    for code, cls in rules.items():
        if not code.startswith(prefixes):
            continue
        rule = cls(ctx)
        if rule.scope == "document":
            out += [(t.title, f) for t, f in rule.check_document(doc)]
        else:
            out += [(t.title, f) for t in doc.tables if t.kind in rule.kinds for f in rule.check(t)]
    return out


# ---------------------------------------------------------------- every rule is documented


def test_group_b_rules_are_registered_with_docs():
    codes = [c for c in all_rules() if c.startswith(GROUP_B)]
    assert {"IQ201", "IQ203", "IQ501", "IQ502", "IQ503", "IQ504", "IQ601", "IQ602", "IQ603", "IQ604", "IQ605", "IQ701",
            "IQ702", "IQ703", "IQ704", "IQ801", "IQ802", "IQ803", "IQ804", "IQ805", "IQ901", "IQ902", "IQ903",
            "IQ904"} <= set(codes)
    for code in codes:
        doc = all_rules()[code].doc()
        assert all(part in doc for part in ("What it checks", "Why", "Bad", "Good")), code


# ---------------------------------------------------------------- narrative_mismatch


ARCHIVE_TEXT = "档案室需要空调，柜机两台挂机一台，业务档案需要加高密集架60组及除湿机等档案设备，所需资金为49.5万元。"


def test_iq203_narrative_count_contradicts_indicator():
    t = project(ind("产出目标", "数量", "空调", "3台"), ind("产出目标", "数量", "密集架", "=52组"),
                ind("产出目标", "数量", "除湿机", "2台"), narrative={"项目概况": ARCHIVE_TEXT})
    [f] = run("IQ203", t)
    assert f.indicator == "密集架" and f.severity == "error" and f.category == "narrative_mismatch"
    assert f.evidence == "项目概况: 加高密集架60组; 指标值: =52组"
    assert "60组" in f.message and "=52组" in f.message and f.location == "产出目标 > 数量 > 密集架"


def test_iq203_quiet_when_text_and_table_agree():
    t = project(ind("产出目标", "数量", "空调", "3台"), ind("产出目标", "数量", "密集架", "=60组"),
                ind("产出目标", "数量", "购买U-KEY数量", "=600个"), ind("产出目标", "成本", "U-KEY成本", "=595元/个"),
                narrative={"项目概况": ARCHIVE_TEXT, "年度绩效目标": "2021年中心采购600个U-KEY，主要用于网上大厅业务办理。"})
    assert run("IQ203", t) == []


@pytest.mark.parametrize(
    "text, name, raw",
    [
        ("一是社会效益：职工满意度要大于85%；", "职工满意度", "≥90%"),
        ("2021年新增缴存单位150个，覆盖率达到90%，个贷率控制在90%以内。", "住房公积金制度覆盖率", "≥85%"),
        ("三是对委托的律师事务所进行考评，确保中心对律师事务所的满意度要达到95%以上。", "中心对委托单位满意度", "≥85%"),
        ("二是严格控制人员工资平均标准，成本控制在每人1.03万元/人（含四险一金缴纳）；", "人员工资平均成本（含五险一金缴纳）",
         "=1.02万元/月"),
    ],
)
def test_iq203_rates_and_unit_costs(text, name, raw):
    t = project(ind("效果目标", "社会效益", name, raw), ind("效果目标", "社会效益", "个贷率", "≤90%"),
                ind("投入与目标管理", "投入管理", "预算执行率", "=100%"), narrative={"年度绩效目标": text})
    [f] = run("IQ203", t)
    assert f.indicator == name and raw in f.evidence


def test_iq203_cites_a_narrative_field_that_agrees_with_the_indicator():
    t = project(
        ind("产出目标", "成本", "驻村人员补助标准", "140元/人/天"),
        narrative={"项目概况": "对中心驻村人员生活补助标准由调整为每天100元，交通补助标准增加40元。",
                   "立项依据": "结合我市实际，驻村人员每日补助为每天140元，中心有一名工作人员驻村。"},
    )
    [f] = run("IQ203", t)
    assert "项目概况: 驻村人员生活补助标准由调整为每天100元" in f.evidence
    assert "立项依据: 驻村人员每日补助为每天140元" in f.evidence


def test_iq201_two_narrative_figures_for_one_thing():
    t = project(narrative={"项目概况": "中心经市编委会同意聘用工作人员9名。",
                           "立项依据": "建议对市住房公积金管理中心聘用的13名工作人员参照在编人员发放工资。"})
    [f] = run("IQ201", t)
    assert f.severity == "info"  # 立项依据 cites an earlier decision
    assert "聘用工作人员9名" in f.evidence and "13名工作人员" in f.evidence
    t = project(narrative={"项目概况": "中心经市编委会同意聘用工作人员9名。", "项目设立的必要性": "聘用9名工作人员以更好地服务职工。",
                           "项目实施计划": "2021年6月底支付50%，2021年10月底支付80%，2021年12月底全部支付完毕。"})
    assert run("IQ201", t) == []


# ---------------------------------------------------------------- cost_inconsistency


def test_iq501_headcount_times_monthly_cost_differs_from_budget():
    t = project(ind("产出目标", "数量", "发放人数", "=9人"),
                ind("产出目标", "成本", "人员工资平均成本（含五险一金缴纳）", "=1.02万元/月"),
                amounts={"项目本年度金额": "118.00"})
    [f] = run("IQ501", t)
    assert "110.16万元" in f.message and "118" in f.message and f.category == "cost_inconsistency"
    # a looser tolerance accepts the 6.6 % gap
    assert run("IQ501", t, config=Config(tolerances=Tolerances(cost_relative=0.1))) == []


def test_iq501_quantity_times_unit_price_matches_budget():
    t = project(ind("产出目标", "数量", "购买U-KEY数量", "=600个"), ind("产出目标", "成本", "U-KEY成本", "=595元/个"),
                amounts={"项目本年度金额": "35.70"})
    assert run("IQ501", t) == []
    t.header["项目本年度金额"] = money("项目本年度金额", "45.70")
    [f] = run("IQ501", t)
    assert "35.7万元" in f.message


def test_iq501_per_day_subsidy_allows_working_days_to_calendar_days():
    def t(budget):
        return project(ind("产出目标", "数量", "驻村工作人员数量", "=1人"),
                       ind("产出目标", "成本", "驻村人员补助标准", "140元/人/天"), amounts={"项目本年度金额": budget})
    assert run("IQ501", t("5.00")) == []  # 1 × 140 × 250…365 days = 3.5…5.11万元
    [f] = run("IQ501", t("10.00"))
    assert "5.11" in f.message


def test_iq502_plan_total_against_budget():
    plan = ("“四好农村路”项目开工前期项目勘察设计审批需20万元;进度督导检查、工程质量监督检查、工程安全运营检查需20万元;"
            "财务审计、工程竣工验收需10万元,合计50万元。")
    [f] = run("IQ502", project(narrative={"项目实施计划": plan}, amounts={"项目本年度金额": "25"}))
    assert "50万元" in f.message and "25万元" in f.message
    good = ("1、2021年1月支付系统维护费9万元。 2、2021年2月至10月支付短信平台专线、容灾备份专线、互联网出口合计8万元。 "
            "3、2021年1月至12月“12329”热线及固定电话费2万元。 4、2021年1月至12月机房维护费3万元。 "
            "5、2021年1月至12月备品备件约10万元。 6、2021年1月至12月其他运维升级费8万元。")
    assert run("IQ502", project(narrative={"项目实施计划": good}, amounts={"项目本年度金额": "40.00"})) == []
    percent_only = "2021年6月底支付50%，2021年10月底支付80%，2021年12月底全部支付完毕。"
    assert run("IQ502", project(narrative={"项目实施计划": percent_only}, amounts={"项目本年度金额": "5.00"})) == []


def test_iq502_multi_year_plans_and_parts_are_not_double_counted():
    multi_year = "2021年完成主体工程并支付30万元；2022年完成附属工程并支付20万元。"
    assert run("IQ502", project(narrative={"项目实施计划": multi_year}, amounts={"项目本年度金额": "30"})) == []
    assert run("IQ502", project(narrative={"项目实施计划": multi_year},
                                amounts={"项目总金额": "50", "项目本年度金额": "30"})) == []
    parts = "2021年3月采购设备40万元，其中：服务器20万元，存储设备20万元。2021年12月支付运维费5万元。"
    assert run("IQ502", project(narrative={"项目实施计划": parts}, amounts={"项目本年度金额": "45"})) == []
    [f] = run("IQ502", project(narrative={"项目实施计划": parts}, amounts={"项目本年度金额": "85"}))
    assert "45万元" in f.message


def test_iq503_cost_items_exceed_budget():
    t = project(ind("产出目标", "成本", "设备购置成本", "=30万元"), ind("产出目标", "成本", "安装调试成本", "=25万元"),
                amounts={"项目本年度金额": "49.50"})
    [f] = run("IQ503", t)
    assert "55万元" in f.message
    wuhai = project(ind("产出指标", "成本指标", "出差总成本", "1", unit_column="万元"),
                    ind("产出指标", "成本指标", "劳务人员总成本", "2", unit_column="万元"),
                    ind("产出指标", "成本指标", "办公费总成本", "0", unit_column="万元"),
                    ind("产出指标", "成本指标", "年度预算总成本", "3", unit_column="万元"),
                    amounts={"项目本年度金额": "3"})
    assert run("IQ503", wuhai) == []


def test_iq504_unit_cost_times_quantity_against_the_item_total():
    def t(unit_cost):
        return project(ind("产出指标", "数量指标", "出差人数", "8"),
                       ind("产出指标", "成本指标", "出差单位成本", unit_cost, unit_column="万元/人"),
                       ind("产出指标", "成本指标", "出差总成本", "1", unit_column="万元"),
                       ind("产出指标", "成本指标", "劳务人员总成本", "2", unit_column="万元"), amounts={"项目本年度金额": "3"})
    [f] = run("IQ504", t("0"))
    assert f.indicator == "出差单位成本" and "出差总成本" in f.message
    assert run("IQ504", t("0.125")) == []


# ---------------------------------------------------------------- amount_inconsistency


def test_iq601_iq602_header_amounts():
    t = project(amounts={"项目总金额": "0.00", "项目本年度金额": "5.00", "上年度项目总金额": "0.00", "项目上年度金额": "5.00"})
    [f] = run("IQ601", t)
    assert f.severity == "error" and f.evidence == "项目总金额: 0.00; 项目本年度金额: 5.00"
    [g] = run("IQ602", t)
    assert g.evidence == "上年度项目总金额: 0.00; 项目上年度金额: 5.00"
    ok = project(amounts={"项目总金额": "49.50", "项目本年度金额": "49.50", "上年度项目总金额": "60.00",
                          "项目上年度金额": "50.00"})
    assert run("IQ601", ok) == [] and run("IQ602", ok) == []


def test_iq603_narrative_funding_against_header():
    t = project(narrative={"项目概况": "根据该通知精神，中心需对公积金业务数据治理系统及应用进行整合。此项目所需资金约35.9万元。"},
                amounts={"项目总金额": "35.70", "项目本年度金额": "35.70"})
    [f] = run("IQ603", t)
    assert f.evidence == "项目概况: 所需资金约35.9万元; 项目本年度金额: 35.70"
    good = project(narrative={
        "年度绩效目标": "济源市住房公积金的驻村帮扶工作经费预算数为5万元，主要取得以下成效。",
        "项目概况": "2020年网络维护费及业务软件升级费中：业务系统运维为18万元。预计2021年-2023年网络维护费为80万元。"
                    "三年合计总金额为120万元。",
        "立项依据": "建制扩面奖励总额不突破60万元，在单位上缴的管理费用中列支。",
        "项目设立的必要性": "项目总投资5000万元，分三年实施。",
    }, amounts={"项目本年度金额": "5.00"})
    assert run("IQ603", good) == []


def test_iq605_funding_sources_and_inline_breakdown():
    good = "854万(高标准农田建设400万元,示范建设295万元,畅通工程159万元)"
    assert run("IQ605", project(amounts={"项目本年度金额": good, "财政拨款": good})) == []
    found = run("IQ605", project(amounts={"项目本年度金额": good.replace("854万", "427万", 1), "财政拨款": good}))
    assert any("括号内分项合计854万元" in f.message for f in found)  # 427 ≠ 400 + 295 + 159
    assert any("资金来源合计854万元" in f.message for f in found)  # 财政拨款 854 > 427
    assert run("IQ605", project(amounts={"项目本年度金额": "3", "财政拨款": "3", "其他资金": "0"})) == []
    [f] = run("IQ605", project(amounts={"项目本年度金额": "1.5", "财政拨款": "3", "其他资金": "0"}))
    assert "资金来源合计3万元" in f.message


def _department_total(total: str) -> Table:
    cols = ["科目编码/类", "科目编码/款", "科目编码/项", "单位代码", "单位（科目名称）", "总计", "基本支出/小计",
            "项目支出/小计"]
    return budget_grid("部门支出总体情况表", cols, [["", "", "", "", "合计", "503.7", "200.5", total]])


def test_iq604_projects_against_department_total():
    a = project(amounts={"项目本年度金额": "118.00"}, title="甲")
    b = project(amounts={"项目本年度金额": "185.20"}, title="乙")
    assert run("IQ604", _department_total("303.2"), a, b) == []
    [f] = run("IQ604", _department_total("290.0"), a, b)
    assert f.severity == "warning" and "303.2" in f.message
    [f] = run("IQ604", _department_total("310.0"), a, b)
    assert f.severity == "info"


# ---------------------------------------------------------------- arithmetic_error

SPENDING_COLS = ["科目编码/类", "科目编码/款", "科目编码/项", "单位代码", "单位（科目名称）", "总计", "基本支出/小计",
                 "基本支出/工资福利支出", "基本支出/公用经费", "基本支出/对个人和家庭的补助", "项目支出/小计",
                 "项目支出/一般性项目", "项目支出/专项资金"]


def _spending(rows):
    return budget_grid("部门支出总体情况表", SPENDING_COLS, rows)


def test_iq701_budget_table_totals():
    good = [["", "", "", "", "合计", "503.7", "200.5", "168.4", "24.0", "8.1", "303.2", "178.0", "125.2"],
            ["", "", "", "", "某中心", "503.7", "200.5", "168.4", "24.0", "8.1", "303.2", "178.0", "125.2"],
            ["221", "03", "02", "060", "住房公积金管理", "503.7", "200.5", "168.4", "24.0", "8.1", "303.2", "178.0", "125.2"]]
    assert run("IQ701", _spending(good)) == []
    bad_column = [r[:] for r in good]
    for r in bad_column:
        r[6] = "210.5"  # 基本支出/小计 no longer 168.4 + 24.0 + 8.1, 总计 no longer 基本 + 项目
    msgs = [f.message for f in run("IQ701", _spending(bad_column))]
    assert any("基本支出/小计" in m for m in msgs) and any("总计" in m for m in msgs)
    bad_row = [r[:] for r in good]
    bad_row[0][5] = "513.7"
    assert any("合计行" in f.message for f in run("IQ701", _spending(bad_row)))


def test_iq701_parent_rows_and_numbered_items():
    cols = ["项 目", "2021年“三公”经费预算数"]
    rows = [["共计", "3.4"], ["1、因公出国（境）费用", ""], ["2、公务接待费", "0.2"], ["3、公务用车费", "3.2"],
            ["其中：（1）公务用车运行维护费", "3.2"], ["（2）公务用车购置", ""]]
    assert run("IQ701", budget_grid("“三公”经费支出情况表", cols, rows)) == []
    rows[2][1] = "0.5"
    [f] = run("IQ701", budget_grid("“三公”经费支出情况表", cols, rows))
    assert "3.7" in f.message
    cols = ["部门预算经济分类/类", "部门预算经济分类/款", "部门预算经济分类/科目名称", "一般公共预算/合计"]
    rows = [["", "", "合计", "24.0"], ["302", "", "商品和服务支出", "24.0"], ["302", "01", "办公费", "2.0"],
            ["302", "07", "邮电费", "22.0"]]
    assert run("IQ701", budget_grid("基本支出情况表", cols, rows)) == []
    rows[3][3] = "12.0"
    assert any("各款之和" in f.message for f in run("IQ701", budget_grid("基本支出情况表", cols, rows)))


def test_iq701_income_equals_spending():
    cols = ["收 入/项目", "收 入/金额", "支 出/项目", "支 出/合计"]
    assert run("IQ701", budget_grid("收支总体情况表", cols, [["收入合计", "503.7", "支出合计", "503.7"]])) == []
    [f] = run("IQ701", budget_grid("收支总体情况表", cols, [["收入合计", "503.7", "支出合计", "500.7"]]))
    assert "收支不平衡" in f.message


def test_iq702_change_percent():
    bad = budget_narrative({"七、“三公”经费": "（二）公务接待费 0.2 万元，主要用于接待外单位考察人员，比 2020 年增加 0.1 万元，增长 50.00%。"})
    [f] = run("IQ702", bad)
    assert "100.00%" in f.message and "50.00%" in f.message and f.severity == "error"
    assert f.evidence.startswith("七、“三公”经费: 公务接待费 0.2 万元")
    good = budget_narrative({
        "一、总体情况": "2021 年收入总计 503.7 万元，支出总计 503.7 万元，与 2020 年相比，收、支总计各减少 93.7 万元，降低 15.68%。",
        "七、“三公”经费": "“三公”经费预算为 3.4 万元。2021 年“三公”经费支出预算数比 2020 年减少 0.7 万元，下降 17.07%。"
                       "（一）因公出国（境）费 0.0 万元，预算数比 2020 年减少 0.0 万元，较上年下降 0.00%。"
                       "公务用车运行维护费 3.2 万元，主要用于公务用车的日常维护，比2020年减少0.8万元，下降20.00%。",
    })
    assert run("IQ702", good) == []


def test_iq703_shares():
    text = "2021 年支出合计 503.7 万元，其中：基本支出 200.5 万元，占 39.81%；项目支出 303.2 万元，占 60.19%。"
    assert run("IQ703", budget_narrative({"三、支出": text})) == []
    [f] = run("IQ703", budget_narrative({"三、支出": text.replace("60.19%", "62.19%")}))
    assert "60.19%" in f.message


def test_iq704_stated_sums():
    good = "2021年政府采购预算安排111.2万元，其中：政府采购货物预算67.2万元、政府采购服务预算44.0万元。"
    assert run("IQ704", budget_narrative({"（二）政府采购": good})) == []
    [f] = run("IQ704", budget_narrative({"（二）政府采购": good.replace("44.0", "54.0")}))
    assert "121.2" in f.message
    items = ("2020年网络维护费及业务软件升级费中：业务系统运维为18万元；网络系统运维费为2万元；适应性升级为10万元；"
             "运维过程中的各种损耗费用约为10万元。预计2021年-2023年网络维护费及业务软件升级费为80万元。三年合计总金额为120万元。")
    assert run("IQ704", project(narrative={"项目概况": items})) == []
    [f] = run("IQ704", project(narrative={"项目概况": items.replace("120万元", "130万元")}))
    assert "120万元" in f.message


# ---------------------------------------------------------------- stale_date


def test_iq801_plan_dated_before_budget_year():
    bad = project(narrative={"项目实施计划": "1、2020年9月付河南剑光律师事务所业务委托费用3万元。 2、2019年1-12月付济源市人民法院诉讼费约2万元。"})
    [f] = run("IQ801", bad)
    assert f.severity == "error" and "2020年" in f.message and "2019年" in f.message
    assert "项目实施计划: 1、2020年9月付河南剑光律师事务所业务委托费用3万元" in f.evidence
    good = project(narrative={
        "项目实施计划": "2021年6月底支付50%，2021年10月底支付80%，2021年12月底全部支付完毕。",
        "年度绩效目标": "依据济财[2019]5号文件，中心成立于1999年，比2020年增加一名工作人员；2019年至2021年实施三年规划；"
                        "按2020年标准发放补助；2020年结转资金于6月底前支付完毕。",
        "项目概况": "2020年网络维护费及业务软件升级费中：业务系统运维为18万元。",
    })
    assert run("IQ801", good) == []


def test_iq801_department_task_deadline_in_the_past():
    dept = Table(title="某中心", kind="department", year=2021, narrative={
        "推进信息化建设": TextField(name="推进信息化建设", text="加快推进综合服务平台建设，争取到2020年底前具备验收条件；")})
    [f] = run("IQ801", dept)
    assert f.severity == "warning" and "2020年" in f.message


def test_iq802_project_period():
    def t(start, end):
        return project(header={"开始时间": start, "结束时间": end})
    assert run("IQ802", t("2021-01-01", "2021-12-31")) == []
    assert run("IQ802", t("2019-01-01", "2023-12-31")) == []  # multi-year, runs through 2021
    [f] = run("IQ802", t("2020-01-01", "2020-12-31"))
    assert f.severity == "error"
    [f] = run("IQ802", t("2021-12-01", "2021-01-31"))
    assert "早于开始时间" in f.message


def test_iq803_budget_narrative_past_year():
    bad = budget_narrative({"（一）机关运行经费": "济源市住房公积金管理中心2020年机关运行经费支出预算0.0万元，比2020年减少0.0万元。"})
    [f] = run("IQ803", bad)
    assert "2020年机关运行经费支出预算0.0万元" in f.evidence
    good = budget_narrative({"（一）": "2021年机关运行经费支出预算0.0万元，比2020年减少0.0万元；与 2020 年相比预算减少。"
                                     "2020年期末共有车辆1辆；2020年无此项开支，2021年无此项开支计划。"
                                     "2020年预算执行率为98%。2020年预算数为10万元，2021年预算数为12万元。"})
    assert run("IQ803", good) == []


def test_iq804_deadline_before_budget_year():
    bad = project(ind("产出目标", "时效", "完成时间", "2020年12月31日"))
    [f] = run("IQ804", bad)
    assert f.indicator == "完成时间"
    assert run("IQ804", project(ind("产出目标", "时效", "完成时间", "≤2021年12月31日"))) == []


def test_iq805_past_year_as_current():
    bad = project(narrative={"项目设立的必要性": "2018年是全市深入推进脱贫攻坚工作的关键之年，是脱贫攻坚领域作风建设年。"})
    [f] = run("IQ805", bad)
    assert f.evidence == "项目设立的必要性: 2018年是全市深入推进脱贫攻坚工作的关键之年"
    assert run("IQ805", project(narrative={"项目设立的必要性": "2021年是“十四五”开局之年。"})) == []


# ---------------------------------------------------------------- copy_paste

MEASURES = ("为了完成济源市住房公积金管理中心大会议室、档案室整个及设备采购的项目，中心一是成立以主管副主任为组长，"
            "各科室负责人为成员的工作领导小组；二是领导小组成立后，在项目执行的各个阶段进行专题会议。")


def test_iq901_other_projects_items():
    archive = project(narrative={"项目配套制度措施": MEASURES},
                      title="档案保护专项-住房公积金管理中心大会议室、档案室整修及设备采购")
    network = project(ind("产出目标", "数量", "业务软件维护套数", "=5套"),
                      narrative={"项目配套制度措施": MEASURES,
                                 "项目概况": "根据《住房和城乡建设部关于建立健全住房公积金综合服务平台的通知》要求维护系统。"},
                      title="电子政务专项-网络维护费及业务软件升级费")
    ukey = project(narrative={"项目配套制度措施": "为了完成电子政务专项-综合服务平台U-Key购买资金的项目，中心成立领导小组。"},
                   title="电子政务专项-综合服务平台U-key购买资金")
    doc = Document(source="t", budget_year=2021, tables=[archive, network, ukey])
    found = [(t.title, f) for t, f in all_rules()["IQ901"](Context(Config(), doc, 2021)).check_document(doc)]
    assert [t for t, _ in found] == ["电子政务专项-网络维护费及业务软件升级费"]
    f = found[0][1]
    assert f.location == "项目配套制度措施" and "大会议室" in f.message and f.severity == "error"


def test_iq904_a_project_named_that_is_not_this_one():
    pasted = project(narrative={"项目设立的必要性": "宣传档案工作，提高社会档案意识。为了完成济源市住房公积金管理中心大会议室、"
                                                "档案室整个及设备采购的项目，中心成立工作领导小组。"},
                     title="驻村帮扶工作经费")
    [f] = run("IQ904", pasted)
    assert "大会议室" in f.message and f.category == "copy_paste"
    own = project(narrative={"项目配套制度措施": "为了完成济源市住房公积金管理中心电子政务专项-综合服务平台U-Key购买资金的项目，"
                                                "中心成立领导小组；三是中心领导小组针对项目资金进行跟踪。",
                             "立项依据": "根据《关于下达2023年中央财政衔接推进乡村振兴资金项目的通知》要求。"},
                  title="电子政务专项-综合服务平台U-key购买资金")
    assert run("IQ904", own) == []
    renamed = project(narrative={"年度绩效目标": "济源市住房公积金管理中心的住房公积金运转费-聘用律师及贷款诉讼费项目主要用于律师费。"},
                      title="住房公积金运转费-法律咨询费及诉讼费")
    assert run("IQ904", renamed) == []  # the same project named another way: text_inconsistency, not a copy


def test_iq902_fields_copied_into_each_other():
    text = "根据示范区要求：公积金大厅为了方便职工，职工只跑一趟的原则，需入住市民之家。"
    [f] = run("IQ902", project(narrative={"项目概况": text, "项目设立的必要性": "<p>" + text + "</p>"}))
    assert f.severity == "warning" and "项目设立的必要性" in f.message
    [f] = run("IQ902", project(narrative={"项目总目标": "保障中心各项业务顺利开展，提高服务质量。",
                                          "年度绩效目标": "保障中心各项业务顺利开展，提高服务质量。"}))
    assert f.severity == "info"
    assert run("IQ902", project(narrative={"项目概况": text, "项目设立的必要性": "档案设备老化，不能满足业务档案保管的需要。"})) == []


def test_iq903_same_plan_in_several_projects():
    plan = "2021年6月底支付50%，2021年10月底支付80%，2021年12月底全部支付完毕。"
    tables = [project(narrative={"项目实施计划": plan}, title=n) for n in ("甲项目", "乙项目")]
    tables.append(project(narrative={"项目实施计划": "2021年第一季度完成U-KEY采购；第二季度支付合同金额的95%。"}, title="丙项目"))
    found = run("IQ903", *tables)
    # one finding for the group, naming the other member (not one per table)
    [f] = found
    assert f.severity == "info" and "乙项目" in f.message and "2个项目" in f.message


def test_iq903_one_finding_per_group_and_no_short_boilerplate():
    plan = "2021年3月启动，2021年6月底支付50%，2021年12月底前全部支付完毕。"
    goal = "保障中心各项业务顺利开展。"  # shared by all, but too short to mean anything
    tables = [project(narrative={"项目实施计划": plan, "项目总目标": goal}, title=f"第{n}项目") for n in range(12)]
    found = run("IQ903", *tables)
    assert len(found) == 1 and "12个项目" in found[0].message and found[0].location == "项目实施计划"


# ---------------------------------------------------------------- the sample document


@pytest.fixture(scope="module")
def sample_findings():
    doc = load_document(SAMPLE.read_bytes(), SAMPLE.name)
    return findings_of(doc)


def _has(found, title_start: str, rule: str, text: str = "") -> bool:
    return any(t.startswith(title_start) and f.rule == rule and text in (f.evidence + f.message + (f.indicator or ""))
               for t, f in found)


@pytest.mark.parametrize(
    "title, rule, text",
    [
        ("档案保护专项", "IQ203", "密集架"),
        ("住房公积金运转经费", "IQ203", "职工满意度"),
        ("住房公积金运转经费", "IQ203", "1.03万元"),
        ("住房公积金运转费-住房公积金征收管理费", "IQ203", "覆盖率"),
        ("住房公积金运转费-法律咨询费及诉讼费", "IQ203", "满意度"),
        ("驻村帮扶工作经费", "IQ203", "每天100元"),
        ("住房公积金运转经费", "IQ501", "110.16"),
        ("驻村帮扶工作经费", "IQ601", "0.00"),
        ("电子政务专项-综合服务平台U-key购买资金", "IQ603", "35.9万元"),
        ("部门预算说明", "IQ702", "公务接待费"),
        ("部门预算说明", "IQ803", "2020年机关运行经费"),
        ("住房公积金运转费-法律咨询费及诉讼费", "IQ801", "2020年9月"),
        ("驻村帮扶工作经费", "IQ805", "2018年"),
        ("电子政务专项-网络维护费及业务软件升级费", "IQ901", "大会议室"),
        ("电子政务专项-网络维护费及业务软件升级费", "IQ902", "项目总目标"),
        ("档案保护专项", "IQ902", "项目设立的必要性"),
        ("驻村帮扶工作经费", "IQ903", "项目实施计划"),
    ],
)
def test_sample_key_findings(sample_findings, title, rule, text):
    assert _has(sample_findings, title, rule, text), [(t[:12], f.rule, f.evidence[:40]) for t, f in sample_findings]


def test_sample_figures_that_are_right_stay_quiet(sample_findings):
    rules = [f.rule for _, f in sample_findings]
    # totals of the budget tables, shares, stated sums, project sum = 项目支出 303.2
    for quiet in ("IQ502", "IQ503", "IQ604", "IQ701", "IQ703", "IQ704", "IQ802", "IQ804"):
        assert quiet not in rules, quiet
    assert rules.count("IQ702") == 1  # only 公务接待费; 15.68%, 17.07%, 20.00% are right
    assert not _has(sample_findings, "电子政务专项-综合服务平台U-key", "IQ501")  # 600 × 595元 = 35.70万
    assert not _has(sample_findings, "驻村帮扶工作经费", "IQ501")  # 140元 × 1人 × 250–365天 ∋ 5.00万
    assert not _has(sample_findings, "档案保护专项", "IQ203", "空调")  # 柜机两台挂机一台 = 3台
    assert not _has(sample_findings, "电子政务专项-综合服务平台U-key", "IQ203")  # 600个U-KEY = 600个
    assert not _has(sample_findings, "驻村帮扶工作经费", "IQ603")  # 预算数为5万元 = 5.00
    assert not _has(sample_findings, "电子政务专项-综合服务平台U-key", "IQ901")


def test_sample_evidence_quotes_the_input(sample_findings):
    text = SAMPLE.read_text(encoding="utf-8")
    for _, f in sample_findings:
        if f.rule in ("IQ203", "IQ201", "IQ603", "IQ801", "IQ803", "IQ805"):
            for part in f.evidence.split("; "):
                field, _, quoted = part.partition(": ")
                assert quoted.rstrip("…") and quoted.rstrip("…")[:30] in text, (f.rule, part)


MUTATIONS = [
    ("降低 15.68%", "降低 16.68%", "IQ702"),
    ("占 39.81%", "占 41.81%", "IQ703"),
    ("政府采购服务预算44.0万元", "政府采购服务预算54.0万元", "IQ704"),
    ("\t\t\t\t合计\t503.7\t200.5\t168.4", "\t\t\t\t合计\t513.7\t200.5\t168.4", "IQ701"),
    ("301\t02\t津贴补贴\t505\t01\t工资福利支出\t16.6", "301\t02\t津贴补贴\t505\t01\t工资福利支出\t18.6", "IQ701"),
    ("项目总金额\t49.50\t项目本年度金额\t49.50", "项目总金额\t59.50\t项目本年度金额\t59.50", "IQ604"),
    ("U-KEY成本\t=595元/个", "U-KEY成本\t=695元/个", "IQ501"),
    ("业务委托费用3万元", "业务委托费用4万元", "IQ502"),
]


@pytest.mark.parametrize("old, new, rule", MUTATIONS)
def test_sample_mutations_are_noticed(sample_findings, old, new, rule):
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text
    doc = load_document(text.replace(old, new, 1).encode("utf-8"), "mutated.txt")
    before = [f.rule for _, f in sample_findings]
    after = [f.rule for _, f in findings_of(doc, (rule,))]
    assert after.count(rule) > before.count(rule)


# ---------------------------------------------------------------- real tables


@pytest.mark.skipif(not REAL.is_dir(), reason="shared/samples/real not available")
def test_real_tables_no_false_alarms():
    expected = {("15_yangquan_sihaonongcunlu_2021.tsv", "IQ502"), ("15_yangquan_sihaonongcunlu_2021.tsv", "IQ902"),
                ("21_wuhai_gongxiaoshe_zaishengziyuan_2021.tsv", "IQ504")}  # 出差单位成本 0 × 8人 ≠ 出差总成本 1万元
    seen = set()
    for path in sorted(REAL.glob("*.tsv")):
        doc = load_document(path.read_bytes(), path.name)
        for _, f in findings_of(doc):
            seen.add((path.name, f.rule))
    assert seen == expected


def test_rules_survive_odd_tables():
    odd = [
        project(),
        project(ind("产出目标", "数量", "", ""), ind("产出目标", "成本", "成本", "=0元/个"),
                narrative={"项目概况": "", "项目实施计划": "合计万元", "年度绩效目标": "<p></p>"},
                amounts={"项目总金额": "", "项目本年度金额": "abc"}, header={"开始时间": "", "结束时间": "年底"}),
        budget_grid("支出总体情况表", ["总计", "基本支出/小计"], [["合计"], ["1", "2", "3", "4"], ["x", "y"]]),
        budget_grid("", [], []),
        budget_narrative({"一、": "比上年增加0万元，增长0%。占100%。其中：0万元。合计0万元。"}),
        Table(title="", kind="department"),
    ]
    doc = Document(source="odd", budget_year=None, tables=odd)
    findings_of(doc)
    doc.budget_year = 2021
    findings_of(doc)


# ---------------------------------------------------------------- generalisation (tests/heldout_b)


def test_iq501_a_ceiling_leaves_room_unless_the_narrative_prices_the_budget_with_it():
    cap = (ind("产出目标", "数量", "食品安全监督抽检批次", "=1500批次"), ind("产出目标", "成本", "每批次抽检成本", "≤300元/批次"))
    assert run("IQ501", project(*cap, amounts={"项目本年度金额": "60.00"})) == []  # 45万 of 60万: the rest is other work
    priced = project(*cap, amounts={"项目本年度金额": "60.00"},
                     narrative={"项目概况": "全年抽检1500批次，按每批次300元测算，需资金60万元。"})
    [f] = run("IQ501", priced)
    assert "45万元" in f.message
    # above the budget a ceiling is a contradiction whatever the narrative says
    [f] = run("IQ501", project(ind("产出目标", "数量", "教师培训人次", "=1200人次"),
                               ind("产出目标", "成本", "人均培训成本", "≤600元/人次"), amounts={"项目本年度金额": "60.00"}))
    assert "72万元" in f.message and f.severity == "warning"


def test_iq501_uses_the_days_the_table_counts_and_the_only_quantity_in_the_unit():
    meals = project(ind("产出指标", "数量指标", "受益学生人数", "≥21000人"), ind("产出指标", "数量指标", "全年供餐天数", "=200天"),
                    ind("产出指标", "成本指标", "膳食补助标准", "=5元/人/天"), amounts={"项目本年度金额": "2100"})
    assert run("IQ501", meals) == []  # 5 × 21000 × 200 = 2100万, not 250–365 days
    roads = project(ind("产出指标", "数量指标", "日常养护里程", "≥320公里"), ind("产出指标", "数量指标", "坑槽修补面积", "≥6000平方米"),
                    ind("产出指标", "成本指标", "养护补助标准", "=7000元/公里"), amounts={"项目本年度金额": "240"})
    [f] = run("IQ501", roads)  # names share little, but 公里 is counted only once
    assert "224万元" in f.message
    assert f.severity == "info"  # money left over, and the table counts other work (坑槽修补)


def test_iq502_a_total_announced_before_its_parts_and_a_wrong_total_over_right_items():
    plan = "合同总价86.4万元分三次支付：合同签订后支付30%即25.92万元；安装完成后支付40%即34.56万元；验收后支付30%即25.92万元。"
    assert run("IQ502", project(narrative={"项目实施计划": plan}, amounts={"项目本年度金额": "86.40"})) == []
    wrong_total = "一期工程需资金320万元；二期工程需资金200万元；设计及监理费用40万元，合计580万元。"
    t = project(narrative={"项目实施计划": wrong_total}, amounts={"项目本年度金额": "560.00"})
    assert run("IQ502", t) == []  # the items make the budget; the 合计 is IQ704's
    assert any("580万元" in f.message for f in run("IQ704", t))
    t = project(narrative={"项目实施计划": "第一季度支付20万元，第二季度支付20万元，第三季度支付20万元，第四季度支付30万元。"},
                amounts={"项目本年度金额": "80.00"})
    [f] = run("IQ502", t)
    assert "90万元" in f.message


def test_iq704_a_total_smaller_than_an_item_totals_something_else():
    plan = ("3月采购春季疫苗，支付疫苗款428000元；9月采购秋季疫苗，支付疫苗款328000元；"
            "全年按季度支付村级防疫员劳务补助，合计100000元。")
    t = project(narrative={"项目实施计划": plan}, amounts={"项目本年度金额": "85.60"})
    assert run("IQ704", t) == [] and run("IQ502", t) == [] and run("IQ201", t) == []


def test_iq703_a_sibling_share_is_not_the_total():
    text = ("2023年收入合计2,356.8万元，其中：一般公共预算收入2,196.8万元，占93.21%；"
            "政府性基金预算收入160.0万元，占6.79%。")
    assert run("IQ703", budget_narrative({"二、收入预算总体情况说明": text})) == []
    [f] = run("IQ703", budget_narrative({"二、": text.replace("占6.79%", "占7.28%")}))
    assert "6.79%" in f.message


def test_iq701_nested_codes_in_one_column_and_three_code_columns():
    cols = ["功能分类科目编码", "科目名称", "合计", "基本支出", "项目支出"]
    rows = [["", "合计", "12,580.36", "9,862.15", "2,718.21"],
            ["205", "教育支出", "11,320.56", "8,602.35", "2,718.21"],
            ["20502", "普通教育", "10,896.16", "8,177.95", "2,718.21"],
            ["20509", "教育费附加安排的支出", "424.40", "424.40", ""],
            ["208", "社会保障和就业支出", "1,259.80", "1,259.80", ""],
            ["20805", "行政事业单位养老支出", "1,259.80", "1,259.80", ""]]
    assert run("IQ701", budget_grid("一般公共预算支出情况表", cols, rows)) == []
    rows[3][2] = "524.40"
    assert any("各款之和" in f.message for f in run("IQ701", budget_grid("一般公共预算支出情况表", cols, rows)))
    cols = ["科目编码/类", "科目编码/款", "科目编码/项", "科目名称", "合计"]
    rows = [["", "", "", "合计", "430.50"], ["204", "", "", "公共安全支出", "430.50"], ["204", "06", "", "司法", "430.50"],
            ["204", "06", "01", "行政运行", "342.90"], ["204", "06", "04", "基层司法业务", "87.60"]]
    assert run("IQ701", budget_grid("支出总体情况表", cols, rows)) == []
    rows[4][4] = "77.60"
    assert any("各项之和" in f.message for f in run("IQ701", budget_grid("支出总体情况表", cols, rows)))


def test_iq203_quiet_when_the_sentence_also_gives_the_indicator_value():
    t = project(ind("成本", "经济成本", "区级财政承担签约服务费标准", "=50元/人·年"),
                narrative={"项目概况": "签约服务费每人每年120元，其中医保基金支付70元、基本公共卫生服务经费支付50元。"})
    assert run("IQ203", t) == []
    t = project(ind("成本", "经济成本", "传承人传习补助标准", "=6000元/人/年"), ind("产出", "数量", "资助传承人数", "=15人"),
                narrative={"项目概况": "对全县15名县级以上非遗代表性传承人给予传习补助，每人每年8000元。"})
    [f] = run("IQ203", t)
    assert "8000元" in f.message and f.severity == "error"


def test_iq204_two_totals_for_one_period():
    t = project(narrative={"项目概况": "2020年业务系统运维为18万元。预计2021年-2023年网络维护费及业务软件升级费"
                                     "为80万元。三年合计总金额为120万元。"})
    [f] = run("IQ204", t)
    assert "80万元" in f.evidence and "120万元" in f.evidence and f.category == "narrative_mismatch"
    # across fields, a span against a span of the same years
    t = project(narrative={"项目概况": "2021-2023年共需资金150万元。", "立项依据": "2021年至2023年安排资金120万元。"})
    assert len(run("IQ204", t)) == 1


@pytest.mark.parametrize("text", [
    "预计2021年-2023年每年40万元，三年合计120万元。",  # a per-year figure is not the total
    "2021-2023年共需资金120万元。三年合计120万元。",  # the same total twice
    "2019年-2020年投入50万元。预计2021年-2023年投入90万元。",  # two periods
    "2021-2023年网络维护费为80万元、软件升级费为40万元。三年合计120万元。",  # two parts in one clause
    "2021年-2023年合计120万元。两年合计80万元。",  # another number of years
    "2021年共需资金50万元。2021年合计安排60万元。",  # "21年共" inside a year is no period
])
def test_iq204_quiet_on_consistent_or_different_periods(text):
    assert run("IQ204", project(narrative={"项目概况": text})) == []


def test_iq201_parallel_items_of_one_field_are_not_compared():
    t = project(narrative={"项目概况": "春季采购疫苗，支付疫苗款42.8万元；秋季采购疫苗，支付疫苗款32.8万元。"})
    assert run("IQ201", t) == []


def test_iq603_funding_words_as_written():
    t = project(narrative={"项目概况": "按每人每月1800元标准给予岗位补贴，项目资金320万元。"}, amounts={"项目本年度金额": "300.00"})
    [f] = run("IQ603", t)
    assert "320万元" in f.message


def test_iq901_a_copy_in_one_other_project_is_not_common_text():
    food = project(narrative={"项目概况": "全年完成食品安全监督抽检1500批次，建设快检室5个。"}, title="食品安全监督抽检及快检室建设")
    boiler = project(narrative={"项目配套制度措施": "为了完成食品安全监督抽检及农贸市场快检室建设的项目，中心成立工作专班。"},
                     title="特种设备安全监察")
    meter = project(narrative={"项目概况": "全年检定计量器具6000台（件）。"}, title="计量器具强制检定")
    doc = Document(source="t", budget_year=2021, tables=[food, boiler, meter])
    found = [(t.title, f) for t, f in all_rules()["IQ901"](Context(Config(), doc, 2021)).check_document(doc)]
    assert [t for t, _ in found] == ["特种设备安全监察"] and "快检室" in found[0][1].message


def test_iq904_a_project_named_in_a_measure():
    t = project(narrative={"保障措施": "为保障智慧城管平台建设项目顺利实施，成立项目领导小组。"}, title="区数字政府基础设施运维服务")
    [f] = run("IQ904", t)
    assert "智慧城管平台建设" in f.message
    own = project(narrative={"保障措施": "为保障项目顺利实施，成立项目领导小组。"}, title="区数字政府基础设施运维服务")
    assert run("IQ904", own) == []
