"""reviewer.extract.targets: 指标值 cells from the sample and the real tables → Target."""

from __future__ import annotations

import re
from datetime import date

import pytest

from reviewer.extract.targets import _parse_target, parse_target, resolve_date

D = date


def check(t, expected: dict) -> None:
    for field, want in expected.items():
        got = getattr(t, field)
        if isinstance(want, float):
            assert got == pytest.approx(want), (field, t)
        else:
            assert got == want, (field, t)


CASES: list[tuple[str, dict, dict]] = [
    # ---- numbers with comparators and units, as written in the sample and real tables
    ("≥95%", {}, dict(kind="numeric", comparator=">=", comparator_raw="≥", value=95.0, unit="%", unit_source="value")),
    ("=100%", {}, dict(kind="numeric", comparator="=", value=100.0, unit="%")),
    ("100.00%", {}, dict(kind="numeric", comparator=None, value=100.0, unit="%")),
    ("≤15%", {}, dict(kind="numeric", comparator="<=", value=15.0, unit="%")),
    ("≤0.15%", {}, dict(kind="numeric", comparator="<=", value=0.15, unit="%")),
    ("=595元/个", {}, dict(kind="numeric", comparator="=", value=595.0, unit="元/个")),
    ("140元/人/天", {}, dict(kind="numeric", comparator=None, value=140.0, unit="元/人/天")),
    ("=1.02万元/月", {}, dict(kind="numeric", value=1.02, unit="万元/月")),
    ("≤28.40/株", {}, dict(kind="numeric", comparator="<=", value=28.4, unit="/株")),
    ("≥100百分比", {}, dict(kind="numeric", comparator=">=", value=100.0, unit="%")),
    ("7.3平方米", {}, dict(kind="numeric", comparator=None, value=7.3, unit="㎡")),
    ("0起", {}, dict(kind="numeric", value=0.0, unit="起")),
    ("≤10个工作日", {}, dict(kind="numeric", comparator="<=", value=10.0, unit="工作日")),
    ("1600元/亩", {}, dict(kind="numeric", value=1600.0, unit="元/亩")),
    ("3500公斤", {}, dict(kind="numeric", value=3500.0, unit="公斤")),
    ("≥100公里", {}, dict(kind="numeric", comparator=">=", value=100.0, unit="公里")),
    ("≥20年", {}, dict(kind="numeric", comparator=">=", value=20.0, unit="年")),
    ("=6亿元", {}, dict(kind="numeric", comparator="=", value=6.0, unit="亿元")),
    ("≥150家", {}, dict(kind="numeric", comparator=">=", value=150.0, unit="家")),
    ("=52组", {}, dict(kind="numeric", comparator="=", value=52.0, unit="组")),
    ("3台", {}, dict(kind="numeric", comparator=None, value=3.0, unit="台")),
    ("1个", {}, dict(kind="numeric", comparator=None, value=1.0, unit="个")),
    ("280人次", {}, dict(kind="numeric", value=280.0, unit="人次")),
    ("220", {}, dict(kind="numeric", value=220.0, unit=None, unit_source=None)),
    ("= 8", {}, dict(kind="numeric", comparator="=", value=8.0, unit=None)),
    ("≥ 95 %", {}, dict(kind="numeric", comparator=">=", value=95.0, unit="%")),
    ("＞85％", {}, dict(kind="numeric", comparator=">", value=85.0, unit="%")),
    ("≧90%", {}, dict(kind="numeric", comparator=">=", comparator_raw="≥", value=90.0)),
    ("<=3%", {}, dict(kind="numeric", comparator="<=", value=3.0)),
    ("≥1,000人", {}, dict(kind="numeric", value=1000.0, unit="人")),
    ("28.8萬元", {}, dict(kind="numeric", value=28.8, unit="万元")),
    ("1.2万人", {}, dict(kind="numeric", value=12000.0, unit="人")),
    ("两台", {}, dict(kind="numeric", value=2.0, unit="台")),
    ("100%(含)", {}, dict(kind="numeric", value=100.0, unit="%")),
    ("=5950元/台", {}, dict(kind="numeric", value=5950.0, unit="元/台")),
    # ---- comparator words
    ("不低于95%", {}, dict(kind="numeric", comparator=">=", comparator_raw="不低于", value=95.0)),
    ("不少于3次", {}, dict(kind="numeric", comparator=">=", value=3.0, unit="次")),
    ("至少2名", {}, dict(kind="numeric", comparator=">=", value=2.0, unit="名")),
    ("95%以上", {}, dict(kind="numeric", comparator=">=", comparator_raw="以上", value=95.0)),
    ("不高于5%", {}, dict(kind="numeric", comparator="<=", value=5.0)),
    ("不超过3万元", {}, dict(kind="numeric", comparator="<=", value=3.0, unit="万元")),
    ("3万元以内", {}, dict(kind="numeric", comparator="<=", comparator_raw="以内", value=3.0, unit="万元")),
    ("5%以下", {}, dict(kind="numeric", comparator="<=", value=5.0)),
    ("控制在3万元以内", {}, dict(kind="numeric", comparator="<=", comparator_raw="控制在…以内", value=3.0)),
    ("控制在90%", {}, dict(kind="numeric", comparator="<=", comparator_raw="控制在", value=90.0)),
    ("大于85%", {}, dict(kind="numeric", comparator=">", value=85.0)),
    ("小于1小时", {}, dict(kind="numeric", comparator="<", value=1.0, unit="小时")),
    ("高于80%", {}, dict(kind="numeric", comparator=">")),
    ("低于3%", {}, dict(kind="numeric", comparator="<")),
    ("达到95%", {}, dict(kind="numeric", comparator=">=", comparator_raw="达到", value=95.0)),
    ("达到95%以上", {}, dict(kind="numeric", comparator=">=", comparator_raw="达到…以上")),
    ("大于等于90%", {}, dict(kind="numeric", comparator=">=", comparator_raw="大于等于")),
    ("3个月内", {}, dict(kind="numeric", comparator="<=", value=3.0, unit="月")),
    ("约50万元", {}, dict(kind="numeric", comparator=None, comparator_raw="约", value=50.0)),
    ("≥5万人次", {}, dict(kind="numeric", value=50000.0, unit="人次")),
    ("≤5‰", {}, dict(kind="numeric", value=5.0, unit="‰")),
    ("≥3个百分点", {}, dict(kind="numeric", value=3.0, unit="百分点")),
    ("≥3次/年", {}, dict(kind="numeric", value=3.0, unit="次/年")),
    ("≥90分", {}, dict(kind="numeric", value=90.0, unit="分")),
    ("每月1次", {}, dict(kind="text", value=1.0, unit="次/月")),
    # ---- ranges
    ("90%-95%", {}, dict(kind="numeric", value=90.0, value_max=95.0, unit="%")),
    ("90～95%", {}, dict(kind="numeric", value=90.0, value_max=95.0, unit="%")),
    ("90%~95%", {}, dict(kind="numeric", value=90.0, value_max=95.0, unit="%")),
    ("1-2个", {}, dict(kind="numeric", value=1.0, value_max=2.0, unit="个")),
    ("5至10天", {}, dict(kind="numeric", value=5.0, value_max=10.0, unit="天")),
    # ---- qualitative
    ("合格", {}, dict(kind="qualitative", qualitative="合格", value=None)),
    ("及时", {}, dict(kind="qualitative", qualitative="及时")),
    ("健全", {}, dict(kind="qualitative", qualitative="健全")),
    ("建立健全", {}, dict(kind="qualitative", qualitative="建立健全")),
    ("完整性", {}, dict(kind="qualitative", qualitative="完整性")),
    ("实时", {}, dict(kind="qualitative", qualitative="实时")),
    ("满意", {}, dict(kind="qualitative", qualitative="满意")),
    (" 按月安排 ", {}, dict(kind="qualitative", qualitative="按月安排")),
    ("應(yīng)保盡保", {}, dict(kind="qualitative", qualitative="應保盡保")),
    ("生态修复功能提高", {}, dict(kind="qualitative")),
    ("优", {}, dict(kind="qualitative", qualitative="优")),
    ("是", {}, dict(kind="qualitative", qualitative="是")),
    ("一般", {}, dict(kind="qualitative", qualitative="一般")),
    ("十分满意", {}, dict(kind="qualitative")),
    ("十分", {}, dict(kind="qualitative", value=None)),
    ("达到国家标准", {}, dict(kind="qualitative", comparator=None)),
    ("及时、准确、完整、规范", {}, dict(kind="qualitative")),
    ("合格", {"comparator_column": "="}, dict(kind="qualitative", comparator=None)),
    ("=合格", {}, dict(kind="qualitative", qualitative="合格")),
    ("应保尽保", {"unit_column": "%"}, dict(kind="qualitative", unit=None)),
    # ---- dates and periods
    ("2021年12月31日", {}, dict(kind="date", date=D(2021, 12, 31))),
    ("2021-12-31", {}, dict(kind="date", date=D(2021, 12, 31))),
    ("2021/12/31", {}, dict(kind="date", date=D(2021, 12, 31))),
    ("2021.12.31", {}, dict(kind="date", date=D(2021, 12, 31))),
    ("2021年6月底", {}, dict(kind="date", date=D(2021, 6, 30))),
    ("2021年2月", {}, dict(kind="date", date=D(2021, 2, 28))),
    ("2021年6月初", {}, dict(kind="date", date=D(2021, 6, 1))),
    ("2021年底", {}, dict(kind="date", date=D(2021, 12, 31))),
    ("2021年12月31日前", {}, dict(kind="date", date=D(2021, 12, 31), comparator="<=", comparator_raw="前")),
    ("≤2021年10月", {}, dict(kind="date", date=D(2021, 10, 31), comparator="<=")),
    ("12月底前", {}, dict(kind="date", date=None, value=12.0, unit="月", comparator="<=", comparator_raw="前")),
    ("6月30日", {}, dict(kind="date", date=None, value=6.0, unit="月")),
    ("年底前", {}, dict(kind="date", date=None, value=12.0, unit="月")),
    ("2023.07-2024.01", {}, dict(kind="period", date=D(2023, 7, 1), date_end=D(2024, 1, 31))),
    ("2021.1.1-2021.12.31", {}, dict(kind="period", date=D(2021, 1, 1), date_end=D(2021, 12, 31))),
    ("2021年1月-12月", {}, dict(kind="period", date=D(2021, 1, 1), date_end=D(2021, 12, 31))),
    ("2021年1-6月", {}, dict(kind="period", date=D(2021, 1, 1), date_end=D(2021, 6, 30))),
    ("2021年第二季度", {}, dict(kind="period", date=D(2021, 4, 1), date_end=D(2021, 6, 30))),
    ("2021年四季度", {}, dict(kind="period", date=D(2021, 10, 1), date_end=D(2021, 12, 31))),
    ("2021年上半年", {}, dict(kind="period", date=D(2021, 1, 1), date_end=D(2021, 6, 30))),
    ("2021年", {}, dict(kind="period", date=D(2021, 1, 1), date_end=D(2021, 12, 31))),
    ("2021-2023年", {}, dict(kind="period", date=D(2021, 1, 1), date_end=D(2023, 12, 31))),
    ("2021年内", {}, dict(kind="date", date=D(2021, 12, 31), comparator="<=")),
    ("2021-02-30", {}, dict(kind="text", date=None)),
    ("2021-12-31 00:00:00", {}, dict(kind="date", date=D(2021, 12, 31))),
    ("2022年12月31号", {}, dict(kind="date", date=D(2022, 12, 31))),
    # ---- Excel serials leaked from date cells
    ("44,561", {"unit_column": "44,561", "comparator_column": "="},
     dict(kind="date", date=D(2021, 12, 31), excel_serial=True, comparator="=", unit=None, value=None)),
    ("44,561", {"indicator": "项目财政资金到位时间"}, dict(kind="date", date=D(2021, 12, 31), excel_serial=True)),
    ("44561", {"indicator": "工作计划按时完成时间"}, dict(kind="date", excel_serial=True)),
    ("44197", {"indicator": "开始日期"}, dict(kind="date", date=D(2021, 1, 1), excel_serial=True)),
    ("44,561", {}, dict(kind="numeric", value=44561.0, excel_serial=False)),
    ("44561", {"indicator": "新增缴存职工人数"}, dict(kind="numeric", excel_serial=False)),
    ("1,500", {"indicator": "完成时间"}, dict(kind="numeric", excel_serial=False)),
    # ---- placeholders
    ("**", {}, dict(kind="text", placeholder=True, value=None)),
    ("XX", {}, dict(kind="text", placeholder=True)),
    ("≥XX%", {}, dict(kind="text", placeholder=True, comparator=">=", unit="%")),
    ("≥**%", {}, dict(kind="text", placeholder=True, comparator=">=", unit="%")),
    ("(≥**株)", {}, dict(kind="text", placeholder=True, comparator=">=", unit="株")),
    ("(≥**株)>=17600株", {}, dict(kind="numeric", placeholder=True, comparator=">=", value=17600.0, unit="株")),
    ("(≥**%)>=85", {}, dict(kind="numeric", placeholder=True, value=85.0, unit="%", unit_source="value")),
    ("(≤**元/株)≤28.40/株", {}, dict(kind="numeric", placeholder=True, comparator="<=", value=28.4, unit="/株")),
    ("(≥**万元)≥80万元", {}, dict(kind="numeric", placeholder=True, value=80.0, unit="万元")),
    ("≥95%", {}, dict(placeholder=False)),
    # ---- units and comparators from their own columns
    ("100", {"unit_column": "%"}, dict(kind="numeric", value=100.0, unit="%", unit_source="column")),
    ("24", {"unit_column": "人/次", "comparator_column": "="},
     dict(value=24.0, unit="人次", unit_source="column", comparator="=", comparator_raw="=")),
    ("28.8萬元", {"unit_column": "%"}, dict(value=28.8, unit="万元", unit_source="value")),
    ("100", {"unit_column": "百分比"}, dict(unit="%", unit_source="column")),
    ("8", {"unit_column": "", "comparator_column": "="}, dict(value=8.0, unit=None, comparator="=")),
    ("95", {"comparator_column": "≥"}, dict(comparator=">=", comparator_raw="≥")),
    ("95", {"comparator_column": "正向"}, dict(comparator=None, comparator_raw=None)),
    ("95", {"comparator_column": "反向"}, dict(comparator=None)),
    ("≤95%", {"comparator_column": "="}, dict(comparator="<=", comparator_raw="≤")),
    ("0", {"unit_column": "万元/人", "comparator_column": "="}, dict(value=0.0, unit="万元/人")),
    # ---- prose targets
    ("项目实施后的经济效益达到100%。", {},
     dict(kind="text", value=100.0, unit="%", comparator=">=", comparator_raw="达到")),
    ("社会公众满意度较好，社会公众满意率达到90%。", {}, dict(kind="text", value=90.0, unit="%", comparator=">=")),
    ("2021年预计新增缴存单位150个，新增缴存职工8000名，归集住房公积金6亿元，覆盖率达到90%。", {},
     dict(kind="text", value=90.0, unit="%", comparator=">=")),
    ("资金申请的标准依据符合政策规定100%", {}, dict(kind="text", value=100.0, unit="%", comparator=None)),
    ("逾期贷款率控制在0.15%范围内。", {}, dict(kind="text", value=0.15, comparator="<=")),
    ("新增缴存单位150个，新增缴存人员8000名", {}, dict(kind="text", value=None)),
    ("完成与示范区管委会签订的责任目", {}, dict(kind="text", value=None, qualitative=None)),
    ("强化事前、事中、事后审核，确保资金安全，确保资金安全。", {}, dict(kind="text", value=None)),
    ("切实加强中心窗口服务水平，打造一支作风优良的管理和服务队伍", {}, dict(kind="text", value=None)),
    ("2021年12月31日前完成全部采购工作", {}, dict(kind="text", date=D(2021, 12, 31), value=None)),
    # ---- compound units with a middle dot, concentrations, noise, acidity
    ("5元/生·天", {}, dict(kind="numeric", comparator=None, value=5.0, unit="元/生·天")),
    ("5元/人·月", {}, dict(kind="numeric", value=5.0, unit="元/人·月")),
    ("3元/人·次", {}, dict(kind="numeric", value=3.0, unit="元/人次")),  # 人·次 is 人次
    ("≤1.5元/吨•公里", {}, dict(kind="numeric", comparator="<=", value=1.5, unit="元/吨·公里")),
    ("≥2次/每年", {}, dict(kind="numeric", comparator=">=", value=2.0, unit="次/年")),
    ("≤35微克/立方米", {}, dict(kind="numeric", comparator="<=", value=35.0, unit="微克/立方米")),
    ("≤35μg/m³", {}, dict(kind="numeric", comparator="<=", value=35.0, unit="微克/立方米")),
    ("≤15ug/m3", {}, dict(kind="numeric", value=15.0, unit="微克/立方米")),
    ("≤0.5毫克/升", {}, dict(kind="numeric", comparator="<=", value=0.5, unit="毫克/升")),
    ("≤10mg/L", {}, dict(kind="numeric", comparator="<=", value=10.0, unit="毫克/升")),
    ("≤55分贝", {}, dict(kind="numeric", comparator="<=", value=55.0, unit="分贝")),
    ("≤60dB(A)", {}, dict(kind="numeric", comparator="<=", value=60.0, unit="分贝")),
    ("pH6.5-8.5", {}, dict(kind="numeric", value=6.5, value_max=8.5, unit="pH", unit_source="value")),
    ("pH值≥6", {}, dict(kind="numeric", comparator=">=", value=6.0, unit="pH")),
    # ---- more realistic forms
    ("≥1.2万元/处", {}, dict(kind="numeric", comparator=">=", value=1.2, unit="万元/处")),
    ("≤350元/人", {}, dict(kind="numeric", comparator="<=", value=350.0, unit="元/人")),
    ("不少于2次/年", {}, dict(kind="numeric", comparator=">=", comparator_raw="不少于", value=2.0, unit="次/年")),
    ("≥1万人次", {}, dict(kind="numeric", comparator=">=", value=10000.0, unit="人次")),
    ("≤0.5‰", {}, dict(kind="numeric", comparator="<=", value=0.5, unit="‰")),
    ("≥4.5星", {}, dict(kind="numeric", comparator=">=", value=4.5, unit="星")),
    ("≤5个工作日内", {}, dict(kind="numeric", comparator="<=", comparator_raw="≤…内", value=5.0, unit="工作日")),
    ("100%覆盖", {}, dict(kind="text", value=100.0, unit="%", comparator=None)),
    ("无", {}, dict(kind="qualitative", qualitative="无", value=None)),
    ("每季度1次", {}, dict(kind="text", value=1.0, unit="次/季度")),
    # ---- deadlines with a completion verb, dates and periods without a year
    ("2023年12月31日前", {}, dict(kind="date", date=D(2023, 12, 31), comparator="<=")),
    ("2023年底前完成", {}, dict(kind="date", date=D(2023, 12, 31), comparator="<=", comparator_raw="前")),
    ("2023年11月30日前拨付到位", {}, dict(kind="date", date=D(2023, 11, 30), comparator="<=")),
    ("≤2023年12月完成", {}, dict(kind="date", date=D(2023, 12, 31), comparator="<=", comparator_raw="≤")),
    ("12月", {}, dict(kind="date", date=None, value=12.0, unit="月")),
    ("第四季度", {}, dict(kind="period", date=None, value=12.0, unit="月")),
    ("一季度", {}, dict(kind="period", date=None, value=3.0, unit="月")),
    ("三季度末", {}, dict(kind="date", date=None, value=9.0, unit="月")),
    ("第四季度前", {}, dict(kind="date", value=12.0, unit="月", comparator="<=")),
    ("上半年", {}, dict(kind="period", value=6.0, unit="月")),
    ("下半年完成", {}, dict(kind="period", value=12.0, unit="月")),
    # ---- recurring deadlines: the day of the month is kept, not read as a quantity
    ("每月20日前", {}, dict(kind="date", date=None, value=20.0, unit="日", qualitative="每月20日前",
                          comparator="<=", comparator_raw="前")),
    ("每月10号前", {}, dict(kind="date", value=10.0, unit="日", qualitative="每月10号前")),
    ("次月10日前", {}, dict(kind="date", value=10.0, unit="日", comparator="<=")),
    ("每季度末", {}, dict(kind="date", date=None, value=None, unit=None, qualitative="每季度末")),
    ("每月底前", {}, dict(kind="date", value=None, qualitative="每月底前", comparator="<=")),
    ("每年3月底前", {}, dict(kind="date", date=None, value=3.0, unit="月", qualitative="每年3月底前",
                           comparator="<=")),
    ("每月40日前", {}, dict(kind="text", qualitative=None)),  # no such day: not a deadline
    ("每季度结束后15日内", {}, dict(kind="text", value=15.0, unit="日")),  # a duration after the quarter
    # ---- empty
    ("", {}, dict(kind="empty")),
    ("   ", {}, dict(kind="empty")),
    ("\t", {}, dict(kind="empty")),
    ("—", {}, dict(kind="empty")),
    ("/", {}, dict(kind="empty")),
    # ---- things that only look like numbers
    ("0391-6612969", {}, dict(kind="text", value=None)),
]


@pytest.mark.parametrize(("raw", "kwargs", "expected"), CASES, ids=[f"{i}:{c[0][:12]}" for i, c in enumerate(CASES)])
def test_parse_target(raw, kwargs, expected):
    t = parse_target(raw, **kwargs)
    assert t.raw == raw
    check(t, expected)
    # the safety net in parse_target must not be what produced the answer
    assert _parse_target(raw, kwargs.get("unit_column"), kwargs.get("comparator_column"),
                         kwargs.get("indicator")) == t


@pytest.mark.parametrize(
    "raw",
    ["≥", "%", "（", ")", "=", "≥-", "-", "--", "1e309", "9" * 400, "X" * 1000, "\x00", "12月40日", "13月",
     "2021年13月", "2021.13", "≥≥95%", "95%%", "(", "((**)", "一万万", "点五", "第三", "44,561,000",
     "<p>≥95%</p>", "≥95%；", None, 95, "1/0", "0/0个", "∞", "≥.5", "..", "万元", "百分之", "-5%~5%"],
)
def test_never_raises(raw):
    t = parse_target(raw)
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    assert t.raw == text
    if isinstance(raw, str):
        _parse_target(raw, None, None, None)  # the internal parser itself copes


def test_html_and_trailing_punctuation():
    check(parse_target("<p>≥95%</p>"), dict(kind="numeric", value=95.0, unit="%"))
    check(parse_target("≥95%；"), dict(kind="numeric", value=95.0))


def test_resolve_date_completes_yearless_dates():
    assert resolve_date(parse_target("12月底前"), 2021) == D(2021, 12, 31)
    assert resolve_date(parse_target("6月15日前"), 2022) == D(2022, 6, 15)
    assert resolve_date(parse_target("2月底"), 2024) == D(2024, 2, 29)
    assert resolve_date(parse_target("年底前"), 2021) == D(2021, 12, 31)
    assert resolve_date(parse_target("2021年第二季度"), 2030) == D(2021, 6, 30)
    assert resolve_date(parse_target("2023-05-01"), 2030) == D(2023, 5, 1)
    assert resolve_date(parse_target("≥95%"), 2021) is None
    assert resolve_date(parse_target("第三季度"), 2022) == D(2022, 9, 30)
    assert resolve_date(parse_target("一季度初"), 2022) == D(2022, 1, 1)
    assert resolve_date(parse_target("上半年"), 2022) == D(2022, 6, 30)
    assert resolve_date(parse_target("每年3月底前"), 2022) == D(2022, 3, 31)
    assert resolve_date(parse_target("2023年底前完成"), 2030) == D(2023, 12, 31)
    assert resolve_date(parse_target("每月20日前"), 2022) is None  # no single date
    assert resolve_date(parse_target("12个月"), 2022) is None  # a duration, not a date


# ------------------------------------------------------------------ the sample and the real tables

PINYIN = re.compile(r"\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def lines(path) -> list[list[str]]:
    return [ln.split("\t") for ln in path.read_text(encoding="utf-8").splitlines()]


def all_files(samples_dir):
    return [samples_dir / "jiyuan_housing_fund_2021.txt", *sorted((samples_dir / "real").glob("*.tsv"))]


def test_every_cell_of_every_sample_parses(samples_dir):
    n = 0
    for f in all_files(samples_dir):
        for cells in lines(f):
            for c in cells:
                t = _parse_target(c, None, None, None)  # no safety net: a bug raises here
                assert t.raw == c
                n += 1
    assert n > 3000


def project_targets(samples_dir) -> list[list[str]]:
    """The 目标值 cells of the sample's project tables: last non-empty cell of indicator rows."""
    tables: list[list[str]] = []
    current: list[str] | None = None
    for cells in lines(samples_dir / "jiyuan_housing_fund_2021.txt"):
        texts = [c.strip() for c in cells if c.strip()]
        if texts[:4] == ["一级指标", "二级指标", "三级指标", "目标值"]:
            current = []
            tables.append(current)
        elif texts and texts[0].endswith("支出项目绩效目标表"):
            current = None
        elif current is not None and len(texts) >= 2:
            current.append(texts[-1])
    return tables


NUMERIC_SHAPE = re.compile(r"[=≥≤]?\d+(\.\d+)?(%|[\u4e00-\u9fff/]+)?")


def test_sample_project_targets(samples_dir):
    tables = project_targets(samples_dir)
    assert len(tables) == 7
    cells = [c for t in tables for c in t]
    parsed = [parse_target(c) for c in cells]
    assert all(t.kind in ("numeric", "qualitative") for t in parsed), [
        t.raw for t in parsed if t.kind not in ("numeric", "qualitative")
    ]
    for c, t in zip(cells, parsed, strict=True):
        if NUMERIC_SHAPE.fullmatch(c):
            assert t.kind == "numeric" and t.value is not None, c
    numeric = [t for t in parsed if t.kind == "numeric"]
    assert len(numeric) >= 60
    assert all(t.unit for t in numeric)  # every numeric target in the sample carries a unit
    by_raw = {t.raw: t for t in parsed}
    check(by_raw["140元/人/天"], dict(value=140.0, unit="元/人/天", comparator=None))
    check(by_raw["=595元/个"], dict(value=595.0, unit="元/个", comparator="="))
    check(by_raw["7.3平方米"], dict(value=7.3, unit="㎡"))
    check(by_raw["≤10个工作日"], dict(value=10.0, unit="工作日", comparator="<="))
    check(by_raw["=3650元/只"], dict(value=3650.0, unit="元/只"))
    check(by_raw["0起"], dict(value=0.0, unit="起"))
    check(by_raw["实时"], dict(kind="qualitative"))


def test_sample_department_table_cells(samples_dir):
    text = (samples_dir / "jiyuan_housing_fund_2021.txt").read_text(encoding="utf-8")
    start = text.index("整体绩效目标表")
    dept = text[start: text.index("支出项目绩效目标表", start)]
    row = {c[2]: c[3] for c in (ln.split("\t") for ln in dept.splitlines()) if len(c) >= 4 and c[2]}
    check(parse_target(row["专项资金细化率"]), dict(kind="numeric", comparator=">=", value=95.0))
    check(parse_target(row["预算调整率"]), dict(kind="numeric", comparator="<=", value=15.0))
    check(parse_target(row["绩效监控完成率"]), dict(kind="numeric", value=100.0, unit="%"))
    check(parse_target(row["年度履职目标相关性"]), dict(kind="qualitative", qualitative="相关"))
    check(parse_target(row["缴存扩面"]), dict(kind="text", value=90.0, comparator=">="))
    check(parse_target(row["经济效益指标"]), dict(kind="text", value=100.0, unit="%"))
    check(parse_target(row["社会公众满意度"]), dict(kind="text", value=90.0))
    check(parse_target(row["资金风险管控"]), dict(kind="text", value=None))


def column_targets(path, value_col: int, *, name_col: int, unit_col: int | None = None,
                   cmp_col: int | None = None, after: str = "三级指标"):
    rows = lines(path)
    start = next(i for i, r in enumerate(rows) if any(after in PINYIN.sub("", c) for c in r)) + 1
    out = []
    for r in rows[start:]:
        if len(r) <= value_col or not r[name_col].strip():
            continue
        out.append((r[name_col].strip(), parse_target(
            r[value_col],
            unit_column=r[unit_col] if unit_col is not None else None,
            comparator_column=r[cmp_col] if cmp_col is not None else None,
            indicator=r[name_col],
        )))
    return out


def summary(t):
    return (t.kind, t.comparator, t.value, t.unit)


def test_real_huangshi(samples_dir):
    got = column_targets(samples_dir / "real/05_huangshi_dangxiao_2022.tsv", 5, name_col=3)
    assert [summary(t) for _, t in got] == [
        ("numeric", None, 280.0, "人次"),
        ("numeric", None, 25.0, "人次"),
        ("numeric", None, 6.0, "次"),
        ("numeric", None, 70.0, "%"),
        ("numeric", None, 220.0, None),
        *[("numeric", None, 100.0, "%")] * 7,
        ("numeric", ">=", 95.0, "%"),
    ]


def test_real_yueyang(samples_dir):
    got = column_targets(samples_dir / "real/13_yueyang_gaobiaozhunnongtian_2022.tsv", 4, name_col=3)
    assert [summary(t) for _, t in got] == [
        ("numeric", ">=", 100.0, "公里"),
        ("numeric", ">=", 20.0, "座"),
        ("numeric", None, 100.0, "%"),
        ("numeric", ">=", 100.0, "%"),
        ("numeric", None, 1600.0, "元/亩"),
        ("numeric", None, 3500.0, "公斤"),
        ("numeric", ">=", 500.0, "人"),
        ("numeric", ">=", 1000.0, "人"),
        ("numeric", ">=", 500.0, "亩"),
        ("numeric", ">=", 200.0, "亩"),
        ("numeric", ">=", 20.0, "年"),
        ("numeric", ">=", 95.0, "%"),
    ]


def test_real_yueyanglou_traditional_with_unit_column(samples_dir):
    got = column_targets(samples_dir / "real/19_yueyanglou_jiagerenzheng_zhengti_2023.tsv", 4,
                         name_col=2, unit_col=5, after="三級")
    targets = [t for _, t in got]
    assert [(t.kind, t.value, t.unit, t.unit_source, t.qualitative) for t in targets] == [
        ("numeric", 28.8, "万元", "value", None),  # the value's unit wins over the column's "%"
        ("numeric", 100.0, "%", "column", None),
        ("qualitative", None, None, None, "按月安排"),
        ("numeric", 100.0, "%", "column", None),
        ("qualitative", None, None, None, "應保盡保"),
    ]


def test_real_wuhai_direction_and_excel_serials(samples_dir):
    got = column_targets(samples_dir / "real/21_wuhai_gongxiaoshe_zaishengziyuan_2021.tsv", 6,
                         name_col=3, unit_col=7, cmp_col=5)
    assert [(n, t.kind, t.comparator, t.value, t.unit, t.date, t.excel_serial) for n, t in got] == [
        ("出差人数", "numeric", "=", 8.0, None, None, False),
        ("出差人次", "numeric", "=", 24.0, "人次", None, False),
        ("工作任务完成率", "numeric", "=", 100.0, "%", None, False),
        ("项目财政资金到位时间", "date", "=", None, None, D(2021, 12, 31), True),
        ("财政资金到位及时支付率", "numeric", "=", 100.0, "%", None, False),
        ("工作计划按时完成时间", "date", "=", None, None, D(2021, 12, 31), True),
        ("出差单位成本", "numeric", "=", 0.0, "万元/人", None, False),
        ("出差总成本", "numeric", "=", 1.0, "万元", None, False),
        ("劳务人员总成本", "numeric", "=", 2.0, "万元", None, False),
        ("办公费总成本", "numeric", "=", 0.0, "万元", None, False),
        ("年度预算总成本", "numeric", "=", 3.0, "万元", None, False),
    ]


def test_real_tongxin_prose_with_placeholders(samples_dir):
    text = (samples_dir / "real/12_tongxin_xiamaguan_putao_2023.tsv").read_text(encoding="utf-8")
    pieces = re.findall(r"\([^()]*\*\*[^()]*\)[^;；,，。:：]*", text)
    targets = [parse_target(p) for p in pieces]
    assert all(t.placeholder for t in targets)
    assert [(t.kind, t.comparator, t.value, t.unit) for t in targets] == [
        ("numeric", ">=", 17600.0, "株"),
        ("numeric", ">=", 85.0, "%"),
        ("numeric", ">=", 100.0, "%"),
        ("numeric", "<=", 28.4, "/株"),
        ("numeric", ">=", 80.0, "万元"),
        ("numeric", ">=", 80.0, "万元"),
        ("numeric", ">=", 10.0, "户"),
        ("numeric", ">=", 95.0, "%"),
    ]


# ------------------------------------------------------------------ fast paths: same answers as the plain ones


def _random_texts(alphabet: str, count: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(count)]


def test_fold_symbols_is_translate():
    from reviewer.extract.targets import _SYMBOLS, _fold_symbols

    table = str.maketrans(_SYMBOLS)
    texts = [*_SYMBOLS, "".join(_SYMBOLS), "≧95%", "2021—2023年", "＝595元/个", "合格", ""]
    texts += _random_texts("".join(_SYMBOLS) + "≥≤~-=0123456789%元年月合格 ", 3000, seed=4)
    for text in texts:
        assert _fold_symbols(text) == text.translate(table), text


def test_date_pattern_guards_skip_only_texts_the_patterns_cannot_match():
    """_parse_date tries the year-first patterns only on a text starting with 19/20, _yearless
    its patterns only on a text with 月/年/季度 or starting with 每/次, _date_core the completion
    verb only after a text ending in a verb's last character: the skipped texts never match."""
    from reviewer.extract import targets as T

    year_first = (T._DATE_YMD_RE, T._YEAR_RE, T._QUARTER_RE, T._HALF_RE, T._MONTH_SPAN_RE, T._YEAR_SPAN_RE)
    yearless = (T._DATE_MD_RE, T._YEARLESS_END_RE, T._YEARLESS_QUARTER_RE, T._YEARLESS_HALF_RE, T._RECURRING_RE)
    alphabet = "0123456789120120年月日号底末初上中下旬份度第季半每个次周-~至到/.一二三四前内完成付到位验收用施x"
    texts = _random_texts(alphabet, 20000, seed=7)
    texts += ["2021年底", "2021年第二季度", "12月底", "年底", "第四季度", "下半年", "每月20日", "次月10日",
              "每季度末", "2023年底前完成", "6月30日前拨付到位", "投入使用", "30座", "≥95%"]
    matched = {"year": 0, "yearless": 0, "done": 0}
    for text in texts:
        if not text.startswith(("19", "20")):
            assert not any(p.fullmatch(text) for p in year_first), text
            assert not any(T._DATE_YMD_RE.fullmatch(text.partition(sep)[0]) for sep in "-~至到"), text
        else:
            matched["year"] += any(p.fullmatch(text) for p in year_first)
        if "月" not in text and "年" not in text and "季度" not in text and text[:1] not in ("每", "次"):
            assert not any(p.fullmatch(text) for p in yearless), text
        else:
            matched["yearless"] += any(p.fullmatch(text) for p in yearless)
        if text[-1:] not in T._DONE_TAIL_LAST:
            assert T._DONE_TAIL_RE.search(text) is None, text
        else:
            matched["done"] += T._DONE_TAIL_RE.search(text) is not None
    assert all(matched.values()), matched  # the texts do reach every pattern


@pytest.mark.parametrize("raw, kind, when", [
    ("2021年第二季度", "period", D(2021, 6, 30)), ("2023年底前完成", "date", D(2023, 12, 31)),
    ("12月底前", "date", D(2021, 12, 31)), ("第四季度", "period", D(2021, 12, 31)),
    ("每月20日前", "date", None), ("6月30日前拨付到位", "date", D(2021, 6, 30)), ("2021—2022年", "period", D(2022, 12, 31)),
])
def test_dates_after_the_guards(raw, kind, when):
    t = parse_target(raw)
    assert t.kind == kind
    assert resolve_date(t, 2021) == when


def _validated_numeric(raw, comparator, comparator_raw, value, value_max, unit, placeholder):
    """What _parse_target built before _numeric_target: a validated Target, then the unit assigned."""
    from reviewer.models import Target

    t = Target(raw=raw, kind="numeric", comparator=comparator, comparator_raw=comparator_raw, value=value,
               value_max=value_max, placeholder=placeholder)
    if unit is not None:
        t.unit, t.unit_source = unit, "value"
    return t


def test_numeric_target_equals_the_validated_model(samples_dir):
    from typing import get_args

    from reviewer.extract import targets
    from reviewer.models import Comparator

    # the comparators it is given come from these tables: each one a value the field accepts
    assert {*targets._CMP_PREFIXES.values(), *targets._CMP_SUFFIXES.values()} <= {None, *get_args(Comparator)}

    calls = []
    real = targets._numeric_target

    def recording(*args):
        calls.append(args)
        return real(*args)

    texts = [c for f in all_files(samples_dir) for cells in lines(f) for c in cells]
    texts += ["≥95%", "=595元/个", "90%-95%", "pH6.5-8.5", "3眼", "(≥**株)>=17600株", "约100人", "一千二百五十元",
              "不少于三万", "≤1e999元", "0%", ""]
    targets._numeric_target = recording
    try:
        for text in texts:
            targets._parse_target(text, "个", "≥", None)
            targets._parse_target(text, None, None, None)
    finally:
        targets._numeric_target = real
    assert len(calls) > 500
    assert any(c[5] is None for c in calls) and any(c[4] is not None for c in calls)
    for args in calls:
        fast, validated = real(*args), _validated_numeric(*args)
        assert fast == validated, args
        assert fast.model_fields_set == validated.model_fields_set, args
        assert [(k, type(v)) for k, v in fast.__dict__.items()] == [
            (k, type(v)) for k, v in validated.__dict__.items()], args
        assert fast.model_dump_json() == validated.model_dump_json(), args
