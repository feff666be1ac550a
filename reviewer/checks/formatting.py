"""format: comparator, unit and notation problems in target values."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from reviewer.checks.common import (
    NAME_MEMO,
    TEXT_MEMO,
    first_match,
    indicator_evidence,
    indicator_label,
    plain_text,
    words,
)
from reviewer.checks.incomplete import cut_reason
from reviewer.checks.measurable import is_cost, is_percent, percent_subject
from reviewer.checks.registry import Rule, register
from reviewer.extract.numbers import find_numbers
from reviewer.extract.targets import parse_target
from reviewer.extract.units import normalize_unit, unit_family
from reviewer.models import Finding, Indicator, Table

LEX = "indicator_lexicon"
GROUP_ABOVE = 3  # more rows than this with the same defect → one finding for the table
_COMPARATOR_CHARS = re.compile(r"^\s*(=|＝|≥|≧|>=|≤|≦|<=|>|<|大于|小于|不低于|不高于|不少于|不超过)\s*$")
_PLACEHOLDER = re.compile(r"\*\*|＊＊|[Xx×]{2,}|某某")
_SERIAL = re.compile(r"^\s*[34]\d,?\d{3}\s*$")
_TIME_NAME = ("时间", "日期", "时限", "时点", "期限", "截止")
_GENERIC_NAME = re.compile(r"成本|单价|价格|费用|购置|采购|购买|数量|平均|单位|指标|的|费"
                           r"|人数|人次|个数|次数|台数|套数|件数|户数|批次")
_PERSON_UNITS = {"人", "名", "位", "人次", "户", "户次"}


@lru_cache(maxsize=NAME_MEMO)
def _item_name(name: str) -> str:
    """The item a quantity or price row is about: the name without 成本/单价/数量/人次 …"""
    return _GENERIC_NAME.sub("", re.sub(r"\s+", "", name))


_PLACEHOLDER_GROUP = re.compile(r"[(（][^()（）]*(?:\*\*|＊＊|[Xx×]{2,})[^()（）]*[)）]")


def _unit_only_in_placeholder(ind: Indicator) -> bool:
    """"(≥**%)>=85": the unit was lent by the template text, the value itself has none."""
    t = ind.target
    if not t.placeholder or t.unit_source != "value" or ind.unit_column:
        return False
    rest = _PLACEHOLDER_GROUP.sub("", plain_text(t.raw))
    if rest == plain_text(t.raw):
        return False
    again = parse_target(rest)
    return again.value is not None and not again.unit


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_UNIT_TAIL = re.compile(r"^[·•・/／*×][\u4e00-\u9fff]{1,2}$")
_COMPARATOR_WORDS = re.compile(r"=|＝|≥|≧|>=|≤|≦|<=|>|<|大于|小于|不低于|不高于|不少于|不超过")
_RATE_HEADS = ("率", "比例", "比率", "占比", "比重", "百分比", "度", "指数", "幅度", "覆盖面")


def _numeric(ind: Indicator) -> bool:
    """A number with at most a comparator and a unit: "≥95%", "220", "5元/生·天"."""
    t = ind.target
    if t.value is None or t.excel_serial:
        return False
    if t.kind == "numeric":
        return True
    if t.kind != "text" or not t.unit:
        return False
    return _numeric_text(t.raw, t.unit)


@lru_cache(maxsize=NAME_MEMO)
def _numeric_text(raw: str, unit: str) -> bool:
    # the parser stops at compound units ("元/生·天" → "元/生"): what is left must be the unit's tail
    rest = re.sub(r"\s+", "", plain_text(raw))
    m = _NUMBER.search(rest)
    if not m or not rest[m.end():].startswith(unit) or _COMPARATOR_WORDS.sub("", rest[: m.start()]):
        return False
    return bool(_UNIT_TAIL.match(rest[m.end() + len(unit):]))



@lru_cache(maxsize=NAME_MEMO)
def names_a_count(name: str | None) -> bool:
    """The name's head noun is a count (补贴发放户数, 培训人数), not a rate (发放人数比例)."""
    n = re.sub(r"[\s（）()%％]+$", "", name or "")

    def last_end(ws) -> int:
        return max((n.rfind(w) + len(w) for w in ws if w in n), default=-1)

    count = last_end(words(LEX, "count_words"))
    return count >= 0 and count > last_end(_RATE_HEADS)


def _direction_comparator(ind: Indicator) -> bool:
    """A comparator printed in a separate 指标方向 column ("=", "≥")."""
    return any(_COMPARATOR_CHARS.match(x or "") for x in (ind.direction, ind.nature))


@lru_cache(maxsize=NAME_MEMO)
def _norm(unit: str | None) -> str:
    return normalize_unit(unit or "")


@lru_cache(maxsize=NAME_MEMO)
def _family(unit: str | None) -> str:
    return unit_family(unit) if unit else ""


def _is_serial(ind: Indicator) -> bool:
    t = ind.target
    if t.excel_serial:
        return True
    return _serial_text(t.raw, ind.unit_column, ind.level3)


@lru_cache(maxsize=NAME_MEMO)
def _serial_text(raw: str, unit_column: str | None, level3: str | None) -> bool:
    raw = plain_text(raw)
    if not _SERIAL.match(raw):
        return False
    same_as_unit = (unit_column or "").strip() == raw.strip()
    return same_as_unit or any(w in (level3 or "") for w in _TIME_NAME)


class _GroupedRule(Rule):
    """Report each row, or one finding for the table when many rows share the defect."""

    def grouped(self, rows: list[Indicator], one, many) -> Iterable[Finding]:
        if len(rows) > GROUP_ABOVE:
            shown = "; ".join(f"{indicator_label(i)}: {plain_text(i.target.raw)}" for i in rows[:8])
            more = f" 等{len(rows)}项" if len(rows) > 8 else ""
            msg, fix = many(rows)
            yield self.finding(msg, evidence=shown + more, location="指标值", fix=fix)
            return
        for ind in rows:
            msg, fix = one(ind)
            yield self.finding(msg, evidence=indicator_evidence(ind), indicator=ind, fix=fix)


@register
class MissingComparator(_GroupedRule):
    """A numeric target with no comparator (=, ≥, ≤).

    What it checks: a numeric target ("1个", "3台", "7.3平方米", "220") with no comparator in the
    value or in a separate 指标方向 column. With more than three such rows in a table, one finding
    lists them.
    Why: shared/spec/domain.md — "values without comparator or unit" are a defect seen in real
    tables; 财预〔2020〕10号 scores a "≥" target as actual/target and a "≤" target as target/actual,
    so the direction must be stated.
    Bad: 委托律师事务所个数 — 1个.
    Good: 委托律师事务所个数 = 1个; 空调 ≥ 3台.
    """

    code = "IQ401"
    name = "missing-comparator"
    category = "format"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        rows = [i for i in table.indicators
                if _numeric(i) and i.target.comparator is None and not _direction_comparator(i)
                and i.target.value != 0  # "0起" cannot be read two ways
                and i.target.value_max is None]  # a range "90%-95%" states both bounds

        def one(ind: Indicator):
            raw = plain_text(ind.target.raw)
            value = raw.lstrip("约")
            approx = "“约”不是比较符，" if "约" in raw or "左右" in raw else ""
            upper = is_cost(ind, table.framework) or unit_family(ind.target.unit or "") in ("duration", "unit_cost")
            bound = f"“≤{value}”（上限）" if upper else f"“≥{value}”（下限）"
            return (f"“{indicator_label(ind)}”的指标值“{raw}”{approx}没有比较符，不能判断是下限、上限还是定值。",
                    f"加上比较符，如“={value}”（定值）或{bound}。")

        def many(rows: list[Indicator]):
            return (f"{len(rows)}个数值型指标值没有比较符（=、≥、≤），不能判断是下限、上限还是定值。",
                    "逐项加上比较符：数量、完成率等用“≥”，成本、时限等用“≤”，确需定值的用“=”。")

        yield from self.grouped(rows, one, many)


@register
class MissingUnit(_GroupedRule):
    """A numeric target with no unit, or a unit cut short ("≤28.40/株").

    What it checks: a numeric target whose value carries no unit and whose 计量单位 column is empty
    ("220", "= 8", "100"), whose unit lacks its money part ("/株"), or whose unit appears only in
    a template placeholder ("(≥**%)>=85"). Excel date serials are left to IQ409.
    Why: shared/spec/domain.md — "values without comparator or unit ('220', '= 8')" are a defect
    seen in real tables; a number without a unit cannot be checked against the result.
    Bad: 开设课程数量 — 220; 黄金蜜(葡萄)补助成本 — ≤28.40/株.
    Good: 开设课程数量 ≥ 220门; 补助成本 ≤ 28.40元/株.
    """

    code = "IQ402"
    name = "missing-unit"
    category = "format"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        rows = []
        for ind in table.indicators:
            if not _numeric(ind) or _is_serial(ind):
                continue
            unit = _norm(ind.target.unit)
            if not unit or unit.startswith("/") or _unit_only_in_placeholder(ind):
                rows.append(ind)

        def one(ind: Indicator):
            raw = plain_text(ind.target.raw)
            unit = _norm(ind.target.unit)
            if _unit_only_in_placeholder(ind):
                value = _PLACEHOLDER_GROUP.sub("", raw).strip()
                return (f"“{indicator_label(ind)}”的指标值“{value}”没有计量单位，单位只出现在模板占位中。",
                        f"写明单位，如“{value}{unit}”。")
            if unit.startswith("/"):
                return (f"“{indicator_label(ind)}”的指标值“{raw}”单位不完整，缺少金额单位。",
                        f"写全单位，如“{raw.replace(unit, '元' + unit)}”。")
            return (f"“{indicator_label(ind)}”的指标值“{raw}”没有计量单位。",
                    f"在指标值后或计量单位列写明单位，如“{raw}个”“{raw}%”。")

        def many(rows: list[Indicator]):
            return (f"{len(rows)}个数值型指标值没有计量单位。", "逐项在指标值后或计量单位列写明单位（个、人次、%、万元等）。")

        yield from self.grouped(rows, one, many)


@register
class UnitContradictsIndicator(Rule):
    """A unit that contradicts the indicator or the 计量单位 column.

    What it checks: a value whose own unit differs from the printed 计量单位 column ("28.8万元"
    with unit column "%", "230人" with unit "个"), and a count (人数, 个数, 次数 …) given in %.
    Why: shared/spec/domain.md — "units that contradict the indicator (a count in %, 230人 with
    unit 个)" are a defect seen in real tables.
    Bad: 业务工作支出安排金额 — 28.8万元, 计量单位 %; 培训人数 — 95%.
    Good: 业务工作支出安排金额 — 28.8, 计量单位 万元; 培训人数 ≥ 280人.
    """

    code = "IQ403"
    name = "unit-contradicts-indicator"
    category = "format"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        for ind in table.indicators:
            t = ind.target
            if t.value is None or _is_serial(ind):
                continue
            column = _norm(ind.unit_column)
            value_unit = _norm(t.unit) if t.unit_source == "value" else ""
            name = indicator_label(ind)
            if column and value_unit and column != value_unit and not column.startswith("/"):
                yield self.finding(
                    f"“{name}”的指标值单位为“{value_unit}”，计量单位列却写“{ind.unit_column}”，两者矛盾。",
                    evidence=indicator_evidence(ind), indicator=ind,
                    fix=f"统一单位：指标值只写数值，计量单位列写“{value_unit}”，或按计量单位列改写数值。",
                )
                continue
            level3 = ind.level3 or ""
            if _norm(t.unit) == "%" and names_a_count(level3):
                yield self.finding(
                    f"“{name}”是数量指标，指标值却以百分比表示。",
                    evidence=indicator_evidence(ind), indicator=ind,
                    fix=f"改为实际数量，如“{name} ≥ N 人/个”，或将指标改为比率（如“××完成率”）。",
                )


@register
class OneItemTwoUnits(Rule):
    """One item counted in one unit and priced per another ("=2台" and "=3650元/只").

    What it checks: a unit cost "N元/U" whose item also has a quantity indicator counted in a
    different unit V (names matched after removing 成本/单价/数量 …).
    Why: shared/spec/domain.md lists "units 只 and 台 for one item" among the comparator, unit and
    notation problems (findings contract, category format); quantity × unit cost can only be
    checked when both use the same unit.
    Bad: 超薄全频会议音箱 = 2台; 超薄全频会议音箱 = 3650元/只.
    Good: 超薄全频会议音箱 = 2台; 超薄全频会议音箱单价 ≤ 3650元/台.
    """

    code = "IQ404"
    name = "one-item-two-units"
    category = "format"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        counts = [i for i in table.indicators
                  if i.target.value is not None and _family(i.target.unit) == "count" and i.level3]
        for cost in table.indicators:
            unit = _norm(cost.target.unit)
            if cost.target.value is None or _family(unit) != "unit_cost" or not cost.level3:
                continue
            per = unit.split("/")[-1]
            if _family(per) != "count":
                continue
            item = _item_name(cost.level3)
            if len(item) < 2:
                continue
            for qty in counts:
                other = _item_name(qty.level3 or "")
                if len(other) < 2 or not (item in other or other in item):
                    continue
                qty_unit = _norm(qty.target.unit)
                if qty_unit != per and not {qty_unit, per} <= _PERSON_UNITS:
                    yield self.finding(
                        f"“{item}”数量按“{qty_unit}”计，单价却按“{per}”计，同一物品用了两种单位。",
                        evidence=f"{indicator_evidence(qty)}; {indicator_evidence(cost)}",
                        indicator=cost,
                        fix=f"统一计量单位，如单价改为“{plain_text(cost.target.raw).replace(per, qty_unit)}”。",
                    )
                break


@lru_cache(maxsize=NAME_MEMO)
def _bounded_good(name: str) -> bool:
    return first_match(name, LEX, "bounded_good_rates") is not None


_SHARE_NAME = re.compile(r"(率|比例|占比|比重)$")


@lru_cache(maxsize=NAME_MEMO)
def _share_of_whole(name: str) -> bool:
    """A rate or share (…处理率, …运行率, …占比) that cannot pass 100%: not a growth or return rate."""
    n = re.sub(r"[\s（）()%％]+$", "", name)
    return bool(_SHARE_NAME.search(n)) and not first_match(n, LEX, "unbounded_rates")


@lru_cache(maxsize=NAME_MEMO)
def _lower_better(name: str) -> bool:
    return first_match(name, LEX, "lower_better_rates") is not None


@register
class RateOverHundred(Rule):
    """A rate that must or may exceed 100% ("≥100%", ">100%", "105%").

    What it checks: rates bounded by 100% (完成率, 合格率, 满意度, 覆盖率, 到位率 …) with a target of
    "≥100%" (it cannot be exceeded, so "=100%" is meant), ">100%", or any value above 100%; the
    notation "≥100百分比" is pointed out too.
    Why: shared/spec/domain.md — "rates of ≥100% or over 100%, '≥100百分比'" are a defect seen in
    real tables.
    Bad: 项目(工程)完成及时率 ≥ 100%.
    Good: 项目(工程)完成及时率 = 100% (or ≥ 95%).
    """

    code = "IQ405"
    name = "rate-over-hundred"
    category = "format"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        for ind in table.indicators:
            t = ind.target
            name = ind.level3 or ""
            if t.value is None or _norm(t.unit) != "%" or _lower_better(name):
                continue
            listed = _bounded_good(name)
            if not listed and not _share_of_whole(name):
                continue
            top = max(t.value, t.value_max or 0)
            if top > 100 and (listed or t.comparator not in {"<=", "<"}):
                problem = "超过100%"
            elif top == 100 and t.comparator in {">=", ">"}:
                problem = "要求达到或超过100%，而该比率最高只能是100%"
            else:
                continue
            raw = plain_text(t.raw)
            notation = "，且“百分比”应写作“%”" if "百分比" in raw else ""
            yield self.finding(
                f"“{indicator_label(ind)}”的指标值“{raw}”{problem}{notation}。",
                evidence=indicator_evidence(ind), indicator=ind,
                fix="改为“=100%”，或按历史水平设下限（如“≥95%”）。",
            )


_COST_CEILING = re.compile(r"成本|费用|单价|造价|价格|维修费|维护费|运维费|服务费|租用费|租赁费")
_BENEFIT_PAID = re.compile(r"补助|补贴|奖励|奖补|工资|报酬|收入|投入|投资|标准")


@register
class ComparatorAgainstDirection(Rule):
    """A comparator that points the wrong way for the rate ("执行率 ≤100%", "故障率 ≥3%").

    What it checks: an upper bound (≤, <) on a rate where more is better (执行率, 完成率, 合格率,
    满意度 …), a lower bound (≥, >) on a rate where less is better (逾期率, 故障率, 投诉率 …), and a
    lower bound on a cost (成本, 单价, 费用 in money) — a cost is controlled by a ceiling. Amounts
    paid out to people (补助, 补贴, 奖励) and investment standards may be floors and are left alone.
    Why: shared/spec/domain.md — 财预〔2020〕10号 scores a "≥" target as actual/target and a "≤"
    target as target/actual; a bound in the wrong direction sets no requirement at all (any
    execution rate satisfies "≤100%").
    Bad: 政府采购执行率 ≤ 100%; 贷款逾期率 ≥ 0.15%; 单处维修养护成本 ≥ 1.2万元/处.
    Good: 政府采购执行率 ≥ 95%; 贷款逾期率 ≤ 0.15%; 单处维修养护成本 ≤ 1.2万元/处.
    """

    code = "IQ406"
    name = "comparator-against-direction"
    category = "format"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        for ind in table.indicators:
            t = ind.target
            name = ind.level3 or ""
            if t.value is None or t.comparator is None:
                continue
            raw = plain_text(t.raw)
            if (t.comparator in {">=", ">"} and _family(t.unit) in {"money", "unit_cost"}
                    and _COST_CEILING.search(name) and not _BENEFIT_PAID.search(name) and t.value > 0):
                yield self.finding(
                    f"“{indicator_label(ind)}”是成本，应设上限，指标值“{raw}”却设为下限。",
                    evidence=indicator_evidence(ind), indicator=ind,
                    fix=f"改为上限，如“≤{raw.lstrip('≥>=＞≧ ')}”。",
                )
                continue
            if _norm(t.unit) != "%":
                continue
            if _bounded_good(name) and not _lower_better(name) and t.comparator in {"<=", "<"}:
                msg = f"“{indicator_label(ind)}”越高越好，指标值“{raw}”却只设了上限，没有提出要求。"
                fix = f"改为下限，如“≥{t.value:g}%”或按历史水平“≥95%”。"
            elif _lower_better(name) and t.comparator in {">=", ">"}:
                msg = f"“{indicator_label(ind)}”越低越好，指标值“{raw}”却设为下限。"
                fix = f"改为上限，如“≤{t.value:g}%”。"
            else:
                continue
            yield self.finding(msg, evidence=indicator_evidence(ind), indicator=ind, fix=fix)


@register
class EqualsWhereMinimumMeant(Rule):
    """"=" on an outcome where more is better (新增, 增收, 回收, 归集 …).

    What it checks: a count or money target written with "=" whose name is an outcome that should
    be at least a level (新增缴存单位, 增收, 回收额, 归集额, 受益人数 …).
    Why: shared/spec/domain.md — 财预〔2020〕10号 scores "≥" targets as actual/target; "=" on an
    outcome makes any excess a miss. Reported at info: "=" is also used loosely for planned counts.
    Bad: 归集额 = 6亿元.
    Good: 归集额 ≥ 6亿元.
    """

    code = "IQ407"
    name = "equals-where-minimum-meant"
    category = "format"
    severity = "info"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        for ind in table.indicators:
            t = ind.target
            if not _numeric(ind) or t.comparator != "=" or _family(t.unit) not in {"count", "money"}:
                continue
            word = first_match(ind.level3 or "", LEX, "minimum_meant_words")
            if not word:
                continue
            raw = plain_text(t.raw)
            yield self.finding(
                f"“{indicator_label(ind)}”是越多越好的{word}类指标，指标值“{raw}”用“=”，超额完成也不算达标。",
                evidence=indicator_evidence(ind), indicator=ind,
                fix=f"改为下限“≥{raw.lstrip('=＝ ')}”。",
            )


@register
class TemplatePlaceholder(_GroupedRule):
    """Template placeholders left in a target or name ("**", "XX").

    What it checks: "**", "XX", "××" or "某某" left from a template in a target value or 三级 name,
    e.g. "(≥**株)>=17600株". With no real value next to it the finding is an error.
    Why: shared/spec/domain.md — "template placeholders left in: '(≥**株)', 'XX', '**'" are a
    defect seen in real tables.
    Bad: 黄金蜜(葡萄)种植数量 — (≥**株)>=17600株.
    Good: 黄金蜜(葡萄)种植数量 ≥ 17600株.
    """

    code = "IQ408"
    name = "template-placeholder"
    category = "format"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        rows = [i for i in table.indicators
                if i.target.placeholder or _PLACEHOLDER.search(i.target.raw) or _PLACEHOLDER.search(i.level3 or "")]
        empty = [i for i in rows if i.target.value is None and i.target.date is None]
        for ind in empty:  # nothing but the placeholder: always its own finding
            yield self.finding(
                f"“{indicator_label(ind)}”只有模板占位符（**、XX），没有填写目标值。",
                evidence=indicator_evidence(ind), indicator=ind, severity="error",
                fix="用实际目标值替换占位符，写明比较符、数值和单位。",
            )

        def one(ind: Indicator):
            where = "指标名称" if _PLACEHOLDER.search(ind.level3 or "") else "指标值"
            return (f"“{indicator_label(ind)}”的{where}中留有模板占位符（**、XX）。",
                    "删去占位符，只保留实际的比较符、数值和单位。")

        def many(rows: list[Indicator]):
            return (f"{len(rows)}个指标中留有模板占位符（如“(≥**株)”），表格未按实际内容清理。",
                    "逐项删去占位符，只保留实际的比较符、数值和单位。")

        yield from self.grouped([i for i in rows if i not in empty], one, many)


@register
class ExcelDateSerial(Rule):
    """An Excel date serial ("44,561") printed instead of a date.

    What it checks: a 5-digit number with or without a thousands separator in a time indicator
    (名称含 时间/日期/时限), or repeated in its 计量单位 column — a date cell exported as its serial
    number (44561 = 2021-12-31).
    Why: shared/spec/domain.md — "Excel date serials ('44,561') leaked into a 时效 value" are a
    defect seen in real tables; a reader cannot see the deadline.
    Bad: 项目财政资金到位时间 = 44,561.
    Good: 项目财政资金到位时间 ≤ 2021年12月31日.
    """

    code = "IQ409"
    name = "excel-date-serial"
    category = "format"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        from datetime import date, timedelta

        for ind in table.indicators:
            if not _is_serial(ind):
                continue
            raw = plain_text(ind.target.raw)
            day = ind.target.date
            if day is None:
                day = date(1899, 12, 30) + timedelta(days=int(raw.replace(",", "")))
            shown = f"{day.year}年{day.month}月{day.day}日"
            yield self.finding(
                f"“{indicator_label(ind)}”的指标值“{raw}”是Excel日期序列号（对应{shown}），不是可读的日期。",
                evidence=indicator_evidence(ind), indicator=ind,
                fix=f"改为日期，如“≤ {shown}”。",
            )


_SYMBOL = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}
_CLAUSE_BREAK = re.compile(r"[，,；;。]")
_VERBAL_COMPARATOR = re.compile(r"(?:达到|实现|保持在?|控制在)\s*\d")
_TIME_UNIT = re.compile(r"^(?:日|天|周|月|年|季度?|小时|分钟|个?工作日)(?:/|$)")
_PER_BASE = re.compile(r"平均|单位成本|单位费用|单位造价")
# the name itself says what the cost is per: 人均, 亩均, 每平方米, 单台, 单个中心 …
_BASE_NAMED = re.compile(r"[人户亩生台套床校次件处]均|每|单[台个套件处条次座辆名人户亩]")
_COST_WORD = re.compile(r"成本|费用|价格|单价|标准|经费")


@lru_cache(maxsize=NAME_MEMO)
def _prose(raw: str, name: str) -> bool:
    """A value written as a sentence: several clauses, the indicator's name said again, or a verb
    standing for the comparator ("…满意率达到90%") — not a short qualified figure ("较上年提高2个百分点")."""
    if _CLAUSE_BREAK.search(raw.rstrip("。.")) or _VERBAL_COMPARATOR.search(raw):
        return True
    core = re.sub(r"(指标|情况)$", "", re.sub(r"\s+", "", name))
    return len(core) >= 3 and any(core[i:i + 3] in raw for i in range(len(core) - 2))


def _is_time(ind: Indicator) -> bool:
    """A deadline or duration: a time unit, or a name about time (完成时间, 办结时限 …)."""
    unit = _norm(ind.target.unit)
    return (_family(unit) in {"duration", "date"} or bool(_TIME_UNIT.match(unit))
            or any(w in (ind.level3 or "") for w in (*_TIME_NAME, "时效", "周期")))


@register
class SentenceTarget(Rule):
    """A target written as a sentence around a single number ("…满意率达到90%").

    What it checks: a target value that is prose with exactly one quantity in it — several
    clauses, the indicator's name said again, or a verb (达到, 保持在, 控制在) standing for the
    comparator — where the quantity itself is a proper target; the number should stand alone
    with its comparator. Deadlines ("每月10日前") and short qualified figures ("较上年提高2个百分点")
    are not sentences.
    Reported at info. Percentages of nothing (IQ304) and cost wording (IQ305) are left to
    those rules.
    Why: shared/spec/domain.md — a target is "comparator, value, unit" so that 财预〔2020〕10号
    scoring can compare it with the result; prose hides the comparator and invites vague words.
    Bad: 社会公众满意度 — 社会公众满意度较好，社会公众满意率达到90%。
    Good: 社会公众满意度 ≥ 90%.
    """

    code = "IQ410"
    name = "sentence-target"
    category = "format"
    severity = "info"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        for ind in table.indicators:
            t = ind.target
            if t.kind != "text" or t.value is None or is_cost(ind, table.framework):
                continue
            if _is_time(ind) or _numeric(ind):
                continue  # deadlines are phrases by nature ("每月10日前", "每季度结束后15日内")
            raw = plain_text(t.raw)
            if cut_reason(raw, sentence_field=True):
                continue  # cut off: IQ1201
            quantities = [n for n in find_numbers(raw) if n.kind == "quantity"]
            if len(quantities) != 1 or not _prose(raw, ind.level3 or ""):
                continue
            if is_percent(ind) and not first_match(percent_subject(ind), LEX, "rate_words"):
                continue  # a percentage of nothing: IQ304
            compact = f"{_SYMBOL.get(t.comparator or '', '')}{t.value:g}{t.unit or ''}"
            yield self.finding(
                f"“{indicator_label(ind)}”的指标值写成了句子，应直接写为“{compact}”。",
                evidence=indicator_evidence(ind), indicator=ind,
                fix=f"指标值只写“{compact}”，说明性文字移到指标值说明。",
            )


@register
class AverageCostWithoutBase(Rule):
    """An average or unit cost given as a plain amount, without what it is per.

    What it checks: a cost named as an average or unit cost (平均成本, 单位成本 …) whose unit is
    plain money (万元, 元) rather than money per something (万元/套, 元/人). A name that says
    what the cost is per (人均培训成本, 亩均补贴标准, 每平方米保洁成本, 单台维护成本) already gives
    the base and is not reported. Reported at info.
    Why: shared/spec/domain.md — 财预〔2021〕101号 asks for unit costs; a unit cost without its base
    cannot be multiplied back to the budget or compared with a standard.
    Bad: 信息网络维护平均成本 = 8万元.
    Good: 信息网络维护平均成本 ≤ 8万元/套.
    """

    code = "IQ411"
    name = "average-cost-without-base"
    category = "format"
    severity = "info"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        for ind in table.indicators:
            name = ind.level3 or ""
            t = ind.target
            if t.value is None or not _PER_BASE.search(name) or not _COST_WORD.search(name):
                continue
            if _BASE_NAMED.search(name):
                continue
            if _family(t.unit) != "money":
                continue
            raw = plain_text(t.raw)
            yield self.finding(
                f"“{indicator_label(ind)}”是平均（单位）成本，指标值“{raw}”却没有写明每什么。",
                evidence=indicator_evidence(ind), indicator=ind,
                fix=f"写明计量基数，如“{raw}/套”或“{raw}/人”。",
            )


_TWICE = re.compile(r"(?<![\d.])((?:\d+(?:\.\d+)?)(?:万元|亿元|万|元|%|％)|\d+\.\d{1,2})\1(?![\d.])")


_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=TEXT_MEMO)
def _twice(text: str) -> re.Match | None:
    if not _DIGIT.search(text):
        return None  # no figure to double (cleaning the text adds none)
    return _TWICE.search(re.sub(r"\s+", "", plain_text(text)))


@register
class ValueWrittenTwice(Rule):
    """The same amount written twice in one cell ("854万854万").

    What it checks: a header field or target value in which an amount with its unit (or a
    decimal figure) is immediately repeated — a paste slip that makes the cell unreadable.
    Reported at info.
    Why: the findings contract's format category covers notation problems; a doubled figure in
    资金情况 cannot be read as an amount (shared/spec/domain.md, "component sums that differ from
    printed totals" start from such cells).
    Bad: 其中:财政拨款 — 854万854万(高标准农田建设400万元…).
    Good: 其中:财政拨款 — 854万元.
    """

    code = "IQ412"
    name = "value-written-twice"
    category = "format"
    severity = "info"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        cells = [(name, f.text, None) for name, f in table.header.items()]
        cells += [("指标值", i.target.raw, i) for i in table.indicators]
        for field, text, ind in cells:
            m = _twice(text)
            if not m:
                continue
            doubled = m.group(0)
            yield self.finding(
                f"{field}中“{doubled}”把同一数值写了两遍。",
                evidence=indicator_evidence(ind) if ind is not None else f"{field}: {plain_text(text)[:60]}",
                indicator=ind, location=None if ind is not None else field,
                fix=f"删去重复部分，只写“{m.group(1)}”。",
            )
