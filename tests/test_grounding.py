"""Grounding: which numbers a comment may contain (reviewer.drafting.grounding)."""

from __future__ import annotations

from reviewer.drafting.grounding import allowed_numbers, canonical, numbers_in, ungrounded_numbers
from reviewer.models import Finding, Indicator, Table, Target, TextField


def ukey_table() -> Table:
    """The U-KEY project of the reference sample, as extraction would give it."""
    return Table(
        title="电子政务专项-综合服务平台U-key购买资金",
        kind="project",
        year=2021,
        header={
            "项目总金额": TextField(name="项目总金额", text="35.70"),
            "项目本年度金额": TextField(name="项目本年度金额", text="35.70"),
        },
        narrative={
            "项目概况": TextField(name="项目概况", text="此项目所需资金约35.9万元。"),
            "项目实施计划": TextField(
                name="项目实施计划",
                text="1、2021年第一季度中心完成U-KEY采购； 2、2021年第二季度中心根据合同约定，支付合同金额的95%；",
            ),
        },
        indicators=[
            Indicator(level1="产出目标", level2="数量", level3="购买U-KEY数量",
                      target=Target(raw="=600个", kind="numeric", comparator="=", value=600, unit="个")),
            Indicator(level1="产出目标", level2="成本", level3="U-KEY成本",
                      target=Target(raw="=595元/个", kind="numeric", comparator="=", value=595, unit="元/个")),
            Indicator(level1="效果目标", level2="社会效益", level3="U-KEY发放率",
                      target=Target(raw="≥95%", kind="numeric", comparator=">=", value=95, unit="%")),
        ],
        text="项目名称\t电子政务专项-综合服务平台U-key购买资金\n联系电话\t0391-6612969\n",
    )


def test_numbers_are_normalised():
    assert numbers_in("35.70万元，0.00，5.00") == ["35.7", "0", "5"]
    assert numbers_in("指标值“44,561”") == ["44561"]
    assert numbers_in("≥１２０％、1.03万元/人") == ["120", "1.03"]
    assert numbers_in("90-95%") == ["90", "95"]
    assert canonical("100.0") == "100" and canonical(35.70) == "35.7"


def test_list_markers_and_codes_are_not_numbers():
    text = "一是1、加高密集架60组；(2)新增8000人；①完成；2. 成本2.5万元；依据财预〔2021〕101号和IQ203（F3）"
    assert numbers_in(text) == ["60", "8000", "2.5"]
    # Chinese numerals are words, not data.
    assert numbers_in("一是三级指标不少于两个") == []
    # A decimal is not a list marker.
    assert numbers_in("单价1.03万元") == ["1.03"]


def test_table_numbers_are_allowed():
    allowed = allowed_numbers(ukey_table(), [])
    for n in ("600", "595", "35.7", "35.9", "95", "2021", "6612969"):
        assert n in allowed, n
    # 万元 ↔ 元
    assert "357000" in allowed


def test_derivations_from_finding_evidence():
    f = Finding(rule="IQ301", category="cost_inconsistency", severity="warning", indicator="U-KEY成本",
                evidence="购买U-KEY数量: =600个; U-KEY成本: =595元/个; 项目概况: 约35.9万元",
                message="600个×595元/个与项目概况所写35.9万元不符。")
    allowed = allowed_numbers(None, [f])
    assert "357000" in allowed  # 600 × 595 元
    assert "35.7" in allowed  # … in 万元
    assert "5" in allowed  # 600 - 595
    mismatch = Finding(rule="IQ203", category="narrative_mismatch", severity="error", indicator="密集架",
                       evidence="项目概况: 加高密集架60组; 指标值: =52组", message="60组与52组不一致。")
    assert "8" in allowed_numbers(None, [mismatch])  # 60 - 52
    plan = Finding(rule="IQ310", category="amount_inconsistency", severity="warning",
                   evidence="项目实施计划: 9万元、8万元、3万元、14万元、6万元; 项目本年度金额: 50.00",
                   message="实施计划各项合计与本年度金额不符。")
    allowed = allowed_numbers(None, [plan])
    assert "40" in allowed  # total of the plan part
    assert "10" in allowed  # that total against the budget
    assert "45" not in allowed and "61.7" not in allowed
    change = Finding(rule="IQ320", category="arithmetic_error", severity="warning",
                     evidence="2021年收入总计: 503.7万元; 2020年: 597.4万元", message="降幅应重新计算。")
    allowed = allowed_numbers(None, [change])
    assert "93.7" in allowed  # difference
    assert "15.68" in allowed  # (597.4 - 503.7) / 597.4 × 100, rounded to 2 places


def test_ungrounded_numbers_are_reported():
    table = ukey_table()
    f = Finding(rule="IQ301", category="cost_inconsistency", severity="warning", indicator="U-KEY成本",
                evidence="购买U-KEY数量: =600个; U-KEY成本: =595元/个", message="数量与单价之积应与预算一致。")
    good = "“U-KEY成本”指标：600个×595元/个=35.7万元，即357000元，与本年度金额35.70万元一致。"
    assert ungrounded_numbers(good, table, [f]) == []
    bad = "建议将单价改为580元/个，数量改为620个，预算调整为35.96万元。"
    assert ungrounded_numbers(bad, table, [f]) == ["580", "620", "35.96"]
    assert ungrounded_numbers("建议补充“≥（按历史标准填写）%”。", table, [f]) == []


def test_without_table_only_findings_ground():
    f = Finding(rule="IQ203", category="narrative_mismatch", severity="error", indicator="密集架",
                evidence="项目概况: 加高密集架60组; 指标值: =52组", message="两处不一致。")
    assert ungrounded_numbers("密集架60组与52组不一致，另有空调3台。", None, [f]) == ["3"]


# ---------------------------------------------------------------- the fast paths give the plain answers


def reference_numbers_in(text: str) -> list[str]:
    """numbers_in as first written: every pattern applied, NFKC always, Decimal for every token."""
    import re
    import unicodedata
    from decimal import Decimal

    from reviewer.drafting import grounding as g

    text = g._CIRCLED.sub(" ", text or "")
    text = unicodedata.normalize("NFKC", text)
    for pattern in (g._DOC_CODE, g._RULE_CODE, *g._LIST_MARKERS):
        text = pattern.sub(" ", text)
    out = []
    for m in re.finditer(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", text):
        s = format(Decimal(m.group().replace(",", "")).normalize(), "f")
        out.append("0" if s in ("-0", "") else s)
    return out


TRICKY = [
    "", "无数字", "IQ203（F3）与F12、FIQ1234", "依据财预〔2021〕101号、[2020]7号、【2019】第3号和(2018)12号",
    "1、加高60组 2、新增8000人 (3)完成 ⑴ ⒈ 4. 成本2.5万元", "１２０％、０.５０万元、1，000元",
    "007个、0、0.0、1.50、44,561、1,234.500", "٣ 个、x²、½、㉑、㋀", "单价1.03万元/人。2.", "A1、B2.5、 3.",
    "\u3000第2期\t\n", "〔", "F", "(", ".",
    # one pattern at a time, so that each pattern's own pre-check is what decides
    "按F3处理5万元", "财预〔2021〕101号", "见[2020]7号", "【2019】第3号", "（2018）12号", "1、完成", "(3)完成", "4. 成本",
]


def test_numbers_in_matches_the_plain_algorithm():
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "eval" / "cases" / "jiyuan_housing_fund_2021.txt"
    lines = sample.read_text(encoding="utf-8").splitlines()
    texts = TRICKY + lines + ["；".join(lines[i:i + 40]) for i in range(0, len(lines), 40)]  # long ones too
    for text in texts:
        assert numbers_in(text) == reference_numbers_in(text), text
    assert sum(bool(numbers_in(t)) for t in lines) > 100  # the sample is full of numbers


def test_numbers_in_returns_a_fresh_list_each_time():
    first = numbers_in("加高密集架60组，52组")
    first.append("999")
    assert numbers_in("加高密集架60组，52组") == ["60", "52"]


def test_canonical_tokens_and_values():
    for token in ("0", "00", "007", "60", "1,000", "1.50", "0.0", "100.0", "٣", "12345678901234567890"):
        assert canonical(token) == reference_numbers_in(token)[0], token
    assert canonical("1,000") == "1000" and canonical("007") == "7" and canonical("٣") == "3"
    assert canonical(35.70) == "35.7" and canonical(0.0) == "0" and canonical(-0.0) == "0" and canonical(3) == "3"
