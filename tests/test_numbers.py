"""reviewer.extract.numbers and reviewer.extract.units on concrete text from the sample and real tables."""

from __future__ import annotations

import re

import pytest

from reviewer.extract.numbers import find_numbers, parse_amount, parse_chinese_numeral, parse_number
from reviewer.extract.units import FAMILIES, fold, normalize_unit, unit_family, wan_factor

# ------------------------------------------------------------------ parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.5", 1234.5),
        ("44,561", 44561),
        ("１２３", 123),
        ("１２．５", 12.5),
        ("0.15", 0.15),
        ("49.50", 49.5),
        (" 503.7 ", 503.7),
        ("-3", -3),
        ("一", 1),
        ("两", 2),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("一百二十", 120),
        ("一百零五", 105),
        ("一千二百五十", 1250),
        ("三万", 30000),
        ("二十万", 200000),
        ("一亿二千万", 120000000),
        ("零点五", 0.5),
        ("三点一四", 3.14),
        ("二零二一", 2021),
        ("一万五", 15000),
        ("三百五", 350),
        ("壹佰贰拾", 120),
        ("兩", 2),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "   ", "６亿", "90%", "abc", "1,2345", "12a", "约5", "万", "一般"])
def test_parse_number_rejects_non_numbers(text):
    assert parse_number(text) is None


def test_parse_chinese_numeral_rejects_mixed():
    assert parse_chinese_numeral("十二个") is None
    assert parse_chinese_numeral("点") is None


# ------------------------------------------------------------------ parse_amount


@pytest.mark.parametrize(
    ("text", "value", "unit", "wan"),
    [
        ("164万元", 164, "万元", 164),
        ("854万", 854, "万元", 854),
        ("854万854万(高标准农田建设400万元,示范建设295万元,畅通工程159万元)", 854, "万元", 854),
        ("5950元", 5950, "元", 0.595),
        ("=5950元/台" .split("/")[0], 5950, "元", 0.595),
        ("1.2亿元", 1.2, "亿元", 12000),
        ("6亿元", 6, "亿元", 60000),
        ("49.50", 49.5, "万元", 49.5),
        ("35.70", 35.7, "万元", 35.7),
        ("0.00", 0, "万元", 0),
        ("3万元以内", 3, "万元", 3),
        ("约35.9万元", 35.9, "万元", 35.9),
        ("五万元", 5, "万元", 5),
        ("28.8萬元", 28.8, "万元", 28.8),
        ("3,000元", 3000, "元", 0.3),
        ("503.7 万元", 503.7, "万元", 503.7),
        ("2021年预算5万元", 5, "万元", 5),
    ],
)
def test_parse_amount(text, value, unit, wan):
    a = parse_amount(text)
    assert a is not None
    assert a.value == pytest.approx(value)
    assert a.unit == unit
    assert a.wan == pytest.approx(wan)
    assert a.raw in fold(text) or a.raw in text


def test_parse_amount_default_unit():
    a = parse_amount("25", default_unit="元")
    assert a is not None and a.unit == "元" and a.wan == pytest.approx(0.0025)


@pytest.mark.parametrize("text", ["", "无", "(万元)", "30%", "595元/个", "2021年", "济财[2019]5号"])
def test_parse_amount_none(text):
    assert parse_amount(text) is None


def test_parse_amount_rejects_bad_default_unit():
    with pytest.raises(ValueError):
        parse_amount("5", default_unit="个")


# ------------------------------------------------------------------ find_numbers


def quantities(text: str) -> list[tuple[float, str | None]]:
    return [(s.value, s.unit) for s in find_numbers(text) if s.kind == "quantity"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("业务档案需要加高密集架60组及除湿机等档案设备", [(60, "组")]),
        ("档案室需要空调，柜机两台挂机一台", [(2, "台"), (1, "台")]),
        ("中心经市编委会同意聘用工作人员9名", [(9, "名")]),
        ("归集住房公积金6亿元，覆盖率达到90%", [(6, "亿元"), (90, "%")]),
        ("个贷逾期率控制在0.15%以内", [(0.15, "%")]),
        ("驻村人员每日补助为每天140元", [(140, "元/天")]),
        ("补助标准为每人每天 100元", [(100, "元/天")]),
        ("每年新增缴存单位150个", [(150, "个")]),
        ("成本控制在每人1.03万元/人（含四险一金缴纳）", [(1.03, "万元/人")]),
        ("2021年中心采购600个U-KEY", [(600, "个")]),
        ("目前全市有近2000个单位，7.5万名职工缴存住房公积金", [(2000, "个"), (75000, "名")]),
        ("按照1760株/栋的标准,在10栋设施温棚中种植", [(1760, "株/栋"), (10, "栋")]),
        ("补助成本(≤**元/株)≤28.40/株", [(28.4, "/株")]),
        ("强力巨彩小间距LED高清屏7.3平方米", [(7.3, "㎡")]),
        ("申请贷款业务办理时效≤10个工作日", [(10, "工作日")]),
        ("工程设计使用年限≥20年", [(20, "年")]),
        ("年增粮食3500公斤", [(3500, "公斤")]),
        ("出差人次24人/次", [(24, "人次")]),
        ("业务工作支出安排金额28.8萬元", [(28.8, "万元")]),
        ("受益人口1.2万人", [(12000, "人")]),
        ("满意度百分之九十五", [(95, "%")]),
        ("２８０人次", [(280, "人次")]),
        ("本预算为汇总预算，包括局机关本级预算和 0 个局属单位预算", [(0, "个")]),
        ("济源市住房公积金管理中心 2021 年收入总计 503.7 万元", [(503.7, "万元")]),
        # Chinese numerals that are words, not quantities
        ("实现线上线下一网通办，确保四险一金缴纳", []),
        ("“四好农村路”、“三个一号旅游路”工作经费", []),
        ("一次性验收合格率", []),
        ("这项工作十分重要", []),
        ("分为基本支出和项目支出两部分", []),
        ("建立一人一档管理制度", []),
        # identifiers and list markers
        ("联系电话\t0391-6612969", []),
        ("单位编码\t060001", []),
        ("《济源市财政局关于调整补助标准的通知》（济财[2019]5号）", []),
        ("财预〔2021〕101号文件", []),
        ("济编【2007】号", []),
        ("宁财(农)指标[2022]605号", []),
        ("第三十二条明确规定", []),
        ("一是继续以我市30家重点工业企业为重点", [(30, "家")]),
        ("1、2020年9月付律师事务所业务委托费用3万元。 2、诉讼费约2万元。", [(3, "万元"), (2, "万元")]),
        ("（一）执行决策部署；（二）负责拟定", []),
        ("目标1:聘用人员1人,出差8人", [(1, "人"), (8, "人")]),
        ("项目数量3项目", [(3, None)]),
        # compound units, concentrations, per-period counts
        ("营养改善计划补助5元/生·天", [(5, "元/生·天")]),
        ("运输补贴1.5元/吨·公里", [(1.5, "元/吨·公里")]),
        ("开展督查2次/每年", [(2, "次/年")]),
        ("PM2.5年均浓度≤35微克/立方米，出水COD≤50mg/L", [(35, "微克/立方米"), (50, "毫克/升")]),
        ("昼间噪声≤55分贝", [(55, "分贝")]),
        ("每季度1次", [(1, "次/季度")]),
        ("合同金额RMB100万元，监测PM10浓度", [(100, "万元")]),  # PM10, PM2.5: names, not numbers
        ("补贴于每月20日前发放", []),  # a day of every month is a date, not 20 日/月
    ],
)
def test_find_numbers_quantities(text, expected):
    got = quantities(text)
    assert len(got) == len(expected), got
    for (v, u), (ev, eu) in zip(got, expected, strict=True):
        assert v == pytest.approx(ev)
        assert u == eu


@pytest.mark.parametrize(
    ("text", "year", "month", "day"),
    [
        ("2021年", 2021, None, None),
        ("2021 年度", 2021, None, None),
        ("2021年6月底", 2021, 6, None),
        ("2021年12月31日前完成", 2021, 12, 31),
        ("2021 年 4 月 7 日", 2021, 4, 7),
        ("2021-12-31", 2021, 12, 31),
        ("2021/06/30", 2021, 6, 30),
        ("2021.12.31", 2021, 12, 31),
        ("2023.07", 2023, 7, None),
        ("2021年第二季度", 2021, 6, None),
        ("2021年上半年", 2021, 6, None),
        ("2019年1-12月付诉讼费", 2019, 12, None),
    ],
)
def test_find_numbers_dates(text, year, month, day):
    spans = find_numbers(text)
    assert spans and spans[0].is_date and spans[0].kind == "date"
    assert (spans[0].year, spans[0].month, spans[0].day) == (year, month, day)
    assert spans[0].unit == "年" and spans[0].value == year
    assert spans[0].family == "date"


def test_day_of_every_month_is_a_date():
    spans = find_numbers("补贴每月20日前发放，每月1次")
    assert [(s.kind, s.value, s.unit, s.day, s.raw) for s in spans] == [
        ("date", 20.0, "日", 20, "每月20日"), ("quantity", 1.0, "次/月", None, "每月1次")]


def test_yearless_months_and_quarters_are_dates():
    spans = find_numbers("2021年2月至10月支付短信平台专线；12月底前完成；第三季度验收")
    assert [(s.kind, s.unit, s.value) for s in spans] == [
        ("date", "年", 2021),
        ("date", "月", 10),
        ("date", "月", 12),
        ("date", "季度", 3),
    ]


def test_year_range_gives_two_years():
    spans = find_numbers("预计2021-2023年网络维护费为80万元")
    assert [(s.kind, s.value) for s in spans] == [("date", 2021), ("date", 2023), ("quantity", 80)]


def test_amount_with_year_like_decimal_is_not_a_date():
    (span,) = find_numbers("总额2021.12万元")
    assert span.kind == "quantity" and span.value == pytest.approx(2021.12) and span.unit == "万元"


def test_durations_are_not_dates():
    spans = find_numbers("项目期限3年，3个月内完成，工期20年")
    assert [(s.kind, s.value, s.unit) for s in spans] == [
        ("quantity", 3, "年"),
        ("quantity", 3, "月"),
        ("quantity", 20, "年"),
    ]


def test_quoted_spans_are_flagged():
    text = "《关于下达2023年中央财政衔接推进乡村振兴资金预算指标的通知》；中心建设了“12329”服务热线，共80万元"
    spans = find_numbers(text)
    assert [(s.value, s.quoted) for s in spans] == [(2023, True), (12329, True), (80, False)]


def test_offsets_point_at_the_original_text():
    text = "柜机两台挂机一台，全频会议音箱＝２台，每天140元，1.03万元/人。"
    for s in find_numbers(text):
        assert text[s.start:s.end] == s.raw
    assert [s.raw for s in find_numbers(text)] == ["两台", "一台", "２台", "每天140元", "1.03万元/人"]


def test_sample_project_narrative(samples_dir):
    text = (samples_dir / "jiyuan_housing_fund_2021.txt").read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("项目概况") and "密集架" in ln)
    assert quantities(line) == [(2, "台"), (1, "台"), (60, "组"), (49.5, "万元")]


def test_sample_document_numbers_and_phones_never_yield_numbers(samples_dir):
    text = (samples_dir / "jiyuan_housing_fund_2021.txt").read_text(encoding="utf-8")
    spans = find_numbers(text)
    assert len(spans) > 500
    skipped = [m.span() for m in re.finditer(r"[\[〔【]\d{4}[\]〕】]\d*号|0391-\d{7}", text)]
    assert len(skipped) >= 20
    for a, b in skipped:
        assert not any(s.start < b and a < s.end for s in spans), text[a:b]
    for s in spans:
        assert text[s.start:s.end] == s.raw


def test_every_line_of_every_sample_scans(samples_dir):
    files = [samples_dir / "jiyuan_housing_fund_2021.txt", *sorted((samples_dir / "real").glob("*.tsv"))]
    total = 0
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            for s in find_numbers(line):
                total += 1
                assert line[s.start:s.end] == s.raw
                assert s.unit is None or s.unit == normalize_unit(s.unit)
            parse_amount(line)
    assert total > 700


# ------------------------------------------------------------------ units


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("平方米", "㎡"), ("m2", "㎡"), ("㎡", "㎡"), ("ｍ２", "㎡"), ("平米", "㎡"),
        ("km", "公里"), ("千米", "公里"), ("公里", "公里"),
        ("百分比", "%"), ("％", "%"), ("%", "%"), ("个百分点", "百分点"),
        ("千克", "公斤"), ("kg", "公斤"), ("吨", "吨"),
        ("个工作日", "工作日"), ("个月", "月"), ("个小时", "小时"),
        ("人/次", "人次"), ("人次", "人次"),
        ("元/个", "元/个"), ("元 / 人 / 天", "元/人/天"), ("万元/月", "万元/月"), ("元/平方米", "元/㎡"),
        ("/株", "/株"), ("萬元", "万元"), ("個", "个"), (" 台 ", "台"), ("(万元)", "万元"), ("", ""),
        ("万平方米", "万㎡"),
        ("元/生·天", "元/生·天"), ("元/人・天", "元/人·天"), ("元/人·次", "元/人次"), ("次/每年", "次/年"),
        ("μg/m³", "微克/立方米"), ("µg/m3", "微克/立方米"), ("mg/L", "毫克/升"), ("dB", "分贝"), ("PH", "pH"),
    ],
)
def test_normalize_unit(raw, canonical):
    assert normalize_unit(raw) == canonical


@pytest.mark.parametrize(
    ("unit", "family"),
    [
        ("%", "percent"), ("百分比", "percent"), ("‰", "percent"),
        ("个", "count"), ("台", "count"), ("套", "count"), ("组", "count"), ("人", "count"), ("人次", "count"),
        ("名", "count"), ("家", "count"), ("只", "count"), ("株", "count"), ("户", "count"), ("座", "count"),
        ("项", "count"), ("次", "count"), ("批次", "count"), ("门", "count"), ("册", "count"), ("份", "count"),
        ("辆", "count"), ("条", "count"), ("处", "count"), ("所", "count"), ("场", "count"), ("期", "count"),
        ("篇", "count"), ("起", "count"), ("人/次", "count"),
        ("元", "money"), ("万元", "money"), ("亿元", "money"),
        ("元/个", "unit_cost"), ("元/人/天", "unit_cost"), ("万元/月", "unit_cost"), ("万元/人", "unit_cost"),
        ("元/亩", "unit_cost"), ("元/株", "unit_cost"), ("/株", "unit_cost"),
        ("小时", "duration"), ("天", "duration"), ("日", "duration"), ("工作日", "duration"),
        ("个工作日", "duration"), ("月", "duration"), ("年", "duration"), ("分钟", "duration"),
        ("亩", "area"), ("公顷", "area"), ("平方米", "area"), ("万亩", "area"),
        ("米", "length"), ("公里", "length"), ("km", "length"),
        ("公斤", "weight"), ("千克", "weight"), ("吨", "weight"),
        ("日期", "date"),
        ("株/栋", "other"), ("立方米", "other"), ("", "other"), ("某某", "other"),
        ("元/生·天", "unit_cost"), ("元/人·月", "unit_cost"),
        ("微克/立方米", "concentration"), ("mg/L", "concentration"), ("毫克/千克", "concentration"),
        ("毫克", "weight"), ("分贝", "other"), ("pH", "other"),
    ],
)
def test_unit_family(unit, family):
    assert unit_family(unit) == family
    assert family in FAMILIES


def test_wan_factor():
    assert wan_factor("元") == pytest.approx(1e-4)
    assert wan_factor("万元") == 1
    assert wan_factor("亿元") == 10000
    assert wan_factor("个") is None


def test_fold_keeps_length_and_chinese_comma():
    s = "１２３，４５６％萬元"
    assert len(fold(s)) == len(s)
    assert fold(s) == "123，456%万元"


def test_unit_after_a_number_is_the_longest_spelling_as_by_the_regex_alternation():
    """numbers._match_unit looks spellings up by first character; the plain definition is a regex
    alternation of every known spelling, longest first."""
    import random

    from reviewer.extract import numbers
    from reviewer.extract.units import KNOWN_UNIT_SPELLINGS

    alternation = re.compile("|".join(re.escape(u) for u in KNOWN_UNIT_SPELLINGS))
    alphabet = sorted(set("".join(KNOWN_UNIT_SPELLINGS)) | set(" ab的了"))
    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        pos = rng.randint(0, 3)
        p = pos + 1 if pos < len(text) and text[pos] == " " else pos
        m = alternation.match(text, p)
        want = (None, pos)
        if m is not None and not (m.group()[0].isascii() and m.group()[0].isalpha()
                                  and (p > pos or re.match(r"[A-Za-z]", text[m.end():m.end() + 1]))):
            want = (m.group(), m.end())
        assert numbers._match_unit(text, pos) == want, (text, pos)
