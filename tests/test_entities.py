"""Number–entity extraction from Chinese narrative (reviewer.checks.entities)."""

from __future__ import annotations

import pytest

from reviewer.checks.entities import (
    base_unit,
    distinctive,
    extract_quantities,
    match_indicator,
    money_in_yuan,
    rate_kind,
    same_quantity_kind,
    similarity,
    values_agree,
)
from reviewer.models import Indicator, Target


def one(text: str, **kw):
    qs = extract_quantities(text, **kw)
    assert len(qs) == 1, [(q.entity, q.value, q.unit) for q in qs]
    return qs[0]


def ind(name: str, raw: str, value: float, unit: str, comparator: str | None = "=", level2: str = "数量") -> Indicator:
    return Indicator(level1="产出", level2=level2, level3=name,
                     target=Target(raw=raw, kind="numeric", value=value, unit=unit, comparator=comparator))


# ---------------------------------------------------------------- entities, values, units


@pytest.mark.parametrize(
    "text, entity, value, unit",
    [
        ("业务档案需要加高密集架60组及除湿机等档案设备", "密集架", 60, "组"),  # verb stripped, 及 ends it
        ("2021年中心采购600个U-KEY，主要用于公积金缴存单位", "U-KEY", 600, "个"),  # object after the number
        ("中心帮扶邵原镇卫凹村，并派驻一名工作人员。", "工作人员", 1, "名"),  # Chinese numeral
        ("中心经市编委会同意聘用工作人员9名", "工作人员", 9, "名"),
        ("建议对市住房公积金管理中心聘用的13名工作人员，在暂未理顺编制的情况下", "工作人员", 13, "名"),
        ("一是人员发放数量为9人", "人员发放数量", 9, "人"),
        ("职工满意度要大于85%；", "职工满意度", 85, "%"),
        ("覆盖率达到90%，", "覆盖率", 90, "%"),
        ("二是驻村工作人员的工作完成率要达到100%，", "驻村工作人员的工作完成率", 100, "%"),
        ("新增缴存单位150个，", "缴存单位", 150, "个"),
        ("中心需要委托一家律师事务所承接中心的律师顾问", "律师事务所", 1, "家"),
        ("情景教学或外训批次6批次;", "情景教学或外训批次", 6, "批次"),
    ],
)
def test_entity_value_unit(text, entity, value, unit):
    q = one(text)
    assert (q.entity, q.value, q.unit) == (entity, value, unit)


def test_per_day_money_becomes_a_unit_cost():
    q = one("对中心驻村人员生活补助标准由调整为每天100元。")
    assert q.unit == "元/天" and q.value == 100
    assert q.entity == "驻村人员生活补助标准"
    # "每日…补助金额不得高于140元": the per-day word is in the phrase, not next to the number
    q = one("每日每天补助金额不得高于140元。")
    assert q.unit.startswith("元/") and q.comparator == "<="


def test_generic_entity_borrows_context_from_the_clause_before():
    q = one("二是严格控制人员工资平均标准，成本控制在每人1.03万元/人（含四险一金缴纳）")
    assert q.entity == "成本" and q.unit == "万元/人" and q.comparator == "<="
    assert "人员工资" in q.context


@pytest.mark.parametrize(
    "text, comparator",
    [
        ("满意度要达到95%以上", ">="),
        ("个贷率控制在90%以内", "<="),
        ("个贷逾期率控制在0.15%以内", "<="),
        ("清理逾期贷款回收额至少达到15万元", ">="),
        ("合格率不低于98%", ">="),
        ("费用不超过3万元", "<="),
        ("职工满意度要大于85%", ">"),
        ("人员发放数量为9人", None),
    ],
)
def test_comparators(text, comparator):
    assert one(text).comparator == comparator


def test_approximate_and_change_figures_are_marked():
    assert one("此项目所需资金约35.9万元。").approx
    assert one("目前全市有近2000个单位").approx
    qs = extract_quantities("2021 年“三公”经费支出预算数比 2020 年减少 0.7 万元，下降 17.07%。")
    assert [q.value for q in qs] == [0.7, 17.07]
    assert all(q.delta for q in qs)
    assert one("交通补助标准增加40元").delta


def test_siblings_written_together_carry_their_total():
    qs = extract_quantities("档案室需要空调，柜机两台挂机一台，业务档案需要加高密集架60组")
    assert [(q.entity, q.value) for q in qs] == [("柜机", 2), ("挂机", 1), ("密集架", 60)]
    assert qs[0].group_total == 3 and qs[1].group_total == 3 and qs[2].group_total is None


@pytest.mark.parametrize(
    "text",
    [
        "根据济财[2019]5号文件和建金【2019】57号文件",  # document numbers
        "联系电话0391-6612969",  # phone number
        "2021年6月底全部支付完毕，2019年1-12月",  # dates
        "《河南省住房公积金管理条例》第三十二条明确规定",  # ordinal
        "一是要建立健全项目管理机制；二是确保五险一金缴纳的及时性",  # list markers, idioms
        "“四好农村路”、“三个一号旅游路”",  # numerals inside quotes are names
        "中心开通12329服务热线",  # no unit: not a quantity
    ],
)
def test_not_quantities(text):
    assert extract_quantities(text) == []


def test_payment_steps_have_no_entity():
    qs = extract_quantities("2021年6月底支付50%，2021年10月底支付80%，2021年12月底全部支付完毕。")
    assert [q.value for q in qs] == [50, 80]
    assert all(q.entity == "" for q in qs)


def test_quote_is_exact_text_of_the_input():
    text = "档案室需要空调，柜机两台挂机一台，业务档案需要加高密集架60组及除湿机等档案设备。"
    for q in extract_quantities(text, field="项目概况"):
        assert q.quote in text
    q = [q for q in extract_quantities(text, field="项目概况") if q.entity == "密集架"][0]
    assert q.cite() == "项目概况: 加高密集架60组"
    q = one("2021年中心采购600个U-KEY，主要用于")
    assert q.quote == "采购600个U-KEY"


# ---------------------------------------------------------------- matching


def test_distinctive_drops_generic_words():
    assert distinctive("人员工资平均成本（含五险一金缴纳）") == "人员工资"
    assert distinctive("购买U-KEY数量") == "购买UKEY"
    assert distinctive("工作完成率") == "工作完成"  # nothing specific left: weak words kept


def test_similarity():
    assert similarity("密集架", "密集架") >= 1
    assert similarity("覆盖率", "住房公积金制度覆盖率") >= 0.8
    assert similarity("密集架", "除湿机") == 0
    assert similarity("职工满意度", "人员工资足额发放率") == 0


def test_match_reports_a_contradiction_only_for_the_same_item_and_unit_family():
    table = [
        ind("空调", "3台", 3, "台"),
        ind("除湿机", "2台", 2, "台"),
        ind("密集架", "=52组", 52, "组"),
        ind("一次性验收合格率", "≥98%", 98, "%", ">=", "质量"),
    ]
    q = [q for q in extract_quantities("业务档案需要加高密集架60组") if q.entity == "密集架"][0]
    m = match_indicator(q, table)
    assert m is not None and m.indicator.level3 == "密集架" and not m.agrees
    # 柜机两台挂机一台 = 3台: no indicator is named 柜机, and the group total agrees anyway
    for q in extract_quantities("档案室需要空调，柜机两台挂机一台"):
        m = match_indicator(q, table)
        assert m is None or m.agrees


def test_match_agrees_when_values_are_equal_in_other_money_units():
    cost = ind("U-KEY成本", "=595元/个", 595, "元/个", level2="成本")
    q = one("U-KEY单价0.0595万元/个")
    assert values_agree(q, cost)
    assert money_in_yuan(1.02, "万元/月") == pytest.approx(10200)


def test_ambiguous_names_are_not_matched():
    table = [ind("个贷率", "≤90%", 90, "%", "<="), ind("逾期率", "≤0.15%", 0.15, "%", "<=")]
    q = one("个贷逾期率控制在0.5%以内")
    assert match_indicator(q, table) is None  # as close to 个贷率 as to 逾期率


def test_delta_and_entityless_quantities_never_match():
    table = [ind("预算执行率", "=100%", 100, "%")]
    q = one("支付50%")
    assert match_indicator(q, table) is None


def test_year_and_history_of_a_figure():
    qs = extract_quantities("2020年完成培训400人次，2021年计划培训500人次；截至目前累计培训3000人次。")
    assert [(q.value, q.year, q.history) for q in qs] == [(400, 2020, False), (500, 2021, False), (3000, None, True)]
    table = [ind("培训人次", "≥500人次", 500, "人次", ">=")]
    assert match_indicator(qs[0], table, budget_year=2021) is None  # last year's figure
    assert match_indicator(qs[1], table, budget_year=2021).agrees
    assert match_indicator(qs[2], table, budget_year=2021) is None  # a running total


def _parsed(name: str, raw: str) -> Indicator:
    from reviewer.extract.targets import parse_target

    return Indicator(level1="产出", level2="数量", level3=name, target=parse_target(raw, indicator=name))


@pytest.mark.parametrize(
    "text, indicators",
    [
        ("全年计划培训干部500人次，其中科级干部200人次，开设课程30门，培训满意度达到95%以上。",
         [("培训人次", "≥500人次"), ("开设课程数量", "≥30门"), ("参训学员满意度", "≥95%"), ("培训完成率", "=100%")]),
        ("项目建成后可新增灌溉面积500亩，改善排水面积200亩，受益农户120户，带动就业30人。",
         [("新增和改善灌溉达标面积", "≥500亩"), ("新增和改善排水达标面积", "≥200亩"), ("受益农户数", "≥120户"),
          ("带动就业人数", "≥30人")]),
        ("2020年完成道路硬化10公里，2021年计划硬化道路15公里，群众满意度不低于90%。",
         [("道路硬化里程", "≥15公里"), ("群众满意度", "≥90%")]),
        ("为全县12个乡镇、186个行政村提供技术服务，服务覆盖率达到100%，技术推广面积1.5万亩。",
         [("服务乡镇数", "=12个"), ("服务行政村数", "=186个"), ("技术服务覆盖率", "=100%"), ("技术推广面积", "≥15000亩")]),
        ("新建公厕3座，改造公厕5座，公厕保洁覆盖率90%，资金发放及时率100%。",
         [("新建公厕数量", "=3座"), ("改造公厕数量", "=5座"), ("公厕保洁覆盖率", "≥90%"), ("资金发放及时率", "=100%")]),
    ],
)
def test_consistent_narratives_raise_no_contradiction(text, indicators):
    table = [_parsed(n, raw) for n, raw in indicators]
    for q in extract_quantities(text):
        m = match_indicator(q, table, budget_year=2021)
        assert m is None or m.agrees, (q.quote, m.indicator.level3)


def test_one_changed_figure_is_caught_among_similar_names():
    table = [_parsed("新增和改善灌溉达标面积", "≥500亩"), _parsed("新增和改善排水达标面积", "≥200亩")]
    [irrigation, drainage] = extract_quantities("项目建成后可新增灌溉面积600亩，改善排水面积200亩。")
    m = match_indicator(irrigation, table, budget_year=2021)
    assert m.indicator.level3 == "新增和改善灌溉达标面积" and not m.agrees
    assert match_indicator(drainage, table, budget_year=2021).agrees


def test_close_scores_resolved_when_the_entity_names_the_whole_indicator():
    table = [_parsed("贷款逾期率", "≤0.15%"), _parsed("逾期贷款人员纳入失信人员名单公示率", "=100%"),
             _parsed("职能部门配合率", "≥95%")]
    q = one("逾期贷款率控制在0.30%范围内。")
    m = match_indicator(q, table, budget_year=2021)
    assert m is not None and m.indicator.level3 == "贷款逾期率" and not m.agrees


def test_per_item_counts_are_not_totals():
    [q] = extract_quantities("2022年6月、2022年10月各举办展览1次。")
    assert q.distributive
    assert match_indicator(q, [_parsed("举办展览次数", "≥2次")], budget_year=2022) is None
    assert not one("2022年举办档案主题展览2次").distributive


# ---------------------------------------------------------------- generalisation (held-out inputs)


@pytest.mark.parametrize(
    "text, entity, value, unit",
    [
        ("为全县32所农村小学的150间教室配备一体机", "教室", 150, "间"),  # after 的: the noun that follows
        ("为全县32所农村小学配备一体机", "农村小学", 32, "所"),  # 全县 is a place, not the thing counted
        ("对全县15名县级以上非遗代表性传承人给予补助", "非遗代表性传承人", 15, "名"),  # rank qualifier skipped
    ],
)
def test_entity_after_possessive_place_and_rank(text, entity, value, unit):
    q = next(q for q in extract_quantities(text) if q.value == value)
    assert (q.entity, q.unit) == (entity, unit)


def test_ordinals_are_not_quantities():
    qs = extract_quantities("一期工程需资金320万元；二期工程需资金200万元；第二批资金50万元。")
    assert [q.unit for q in qs] == ["万元", "万元", "万元"]


def test_ranges_and_per_person_per_year_units():
    q = one("受援群众满意度保持在90%—95%。")
    assert (q.value, q.value_max) == (90, 95) and q.quote == "受援群众满意度保持在90%—95%"
    assert values_agree(q, ind("受援群众满意度", "≥90%", 90, "%", ">="))
    assert not values_agree(q, ind("受援群众满意度", "≥98%", 98, "%", ">="))
    assert one("传承人传习补助每人每年8000元").unit == "元/人/年"
    assert one("驻村人员每日每天补助140元").unit in ("元/天", "元/日")  # one period, not two


def test_measure_words_and_magnitudes_decide_what_compares():
    assert not same_quantity_kind("间", "所")  # 150间教室 is not 32所学校
    assert same_quantity_kind("名", "人") and same_quantity_kind("个", "所")
    assert not same_quantity_kind("元/月", "元/人/年") and same_quantity_kind("元/天", "元/人/天")
    assert base_unit("万册") == (10_000, "册") and base_unit("台（件）") == (1, "台")
    q = one("新增馆藏图书1.5万册")  # the indicator prints 1.5 with the unit 万册 in its own column
    assert values_agree(q, ind("新增馆藏图书", "≥1.5", 1.5, "万册", ">="))


def test_a_rate_is_not_matched_to_a_rate_of_another_kind():
    assert rate_kind("体检对象满意度") == "满意" and rate_kind("验收合格率") == "合格" and rate_kind("逾期率") == ""
    table = [ind("体检项目完成率", "≥95%", 95, "%", ">="), ind("体检对象满意度", "≥85%", 85, "%", ">=")]
    m = match_indicator(one("体检对象满意度达到95%"), table)
    assert m.indicator.level3 == "体检对象满意度" and not m.agrees  # 95 of the completion rate is no alibi


def test_a_unit_cost_without_a_head_noun_matches_by_its_clause():
    table = [ind("传承人传习补助标准", "=6000元/人/年", 6000, "元/人/年"), ind("传承人数", "=15人", 15, "人")]
    [_, q] = extract_quantities("对15名传承人给予传习补助，每人每年8000元。")
    m = match_indicator(q, table)
    assert m is not None and m.indicator.level3 == "传承人传习补助标准" and not m.agrees


def test_regex_guards_skip_only_texts_the_patterns_cannot_match():
    """_build tries the marker, after-comparator and after-approximation patterns only on texts
    starting with one of their first characters: the skipped texts never match."""
    import random

    from reviewer.checks import entities as E

    rng = random.Random(11)
    alphabet = "0123456789０١（()）一二三四五六七八九十目标第是、.．:：及以上下之内左右余约 个人元"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(20000)]
    guards = (
        (E._MARKER_RE, lambda t: t[:1] in E._MARKER_FIRST or t[:1].isdecimal()),
        (E._COMPARATOR_AFTER, lambda t: t[:1] in E._COMPARATOR_AFTER_FIRST),
        (E._APPROX_AFTER_WORD, lambda t: t[:1] in E._APPROX_AFTER_FIRST),
    )
    for pattern, guard in guards:
        reached = 0
        for text in texts:
            if guard(text):
                reached += pattern.match(text) is not None
            else:
                assert pattern.match(text) is None, (pattern.pattern, text)
        assert reached, pattern.pattern  # the texts do reach the pattern
