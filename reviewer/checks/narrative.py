"""narrative_mismatch: numbers in the narrative that contradict the indicators or each other."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass

from reviewer.checks.common import fmt_number, narrative_fields_once
from reviewer.checks.entities import (
    IndicatorIndex,
    Quantity,
    distinctive,
    extract_quantities,
    indicator_unit,
    match_indicator,
    same_quantity_kind,
    sentence_bounds,
    values_agree,
)
from reviewer.checks.registry import Rule, memoised, register
from reviewer.extract.numbers import find_numbers, parse_amount, parse_chinese_numeral
from reviewer.extract.units import unit_family
from reviewer.models import Finding, Indicator, Table

_HARD_FAMILIES = {"count", "money", "unit_cost", "area", "length", "weight"}
_BASIS_FIELDS = ("立项依据",)


def table_quantities(table: Table, ctx_cache: dict | None = None) -> list[Quantity]:
    """Quantities of every narrative field of a table (cached per run)."""
    key = ("narrative-quantities", id(table))
    if ctx_cache is not None and key in ctx_cache:
        return ctx_cache[key]
    out: list[Quantity] = []
    seen: set[tuple[str, str]] = set()
    fields = narrative_fields_once(ctx_cache, table)
    for name, text in fields:
        qs = extract_quantities(text, field=name)
        if (name, text) in seen:  # memoised objects: keep every quantity of the list a distinct object
            qs = [copy.copy(q) for q in qs]
        seen.add((name, text))
        out.extend(qs)
    if ctx_cache is not None:
        ctx_cache[key] = out
    return out


def conflicts(table: Table, quantities: list[Quantity], budget_year: int | None = None,
              ctx_cache: dict | None = None) -> dict[int, tuple[Indicator, list[Quantity], list[Quantity]]]:
    """Indicator index → (indicator, quantities that contradict it, quantities that agree).

    With `ctx_cache` (the run's memo) each quantity is matched once per table and year.
    """
    out: dict[int, tuple[Indicator, list[Quantity], list[Quantity]]] = {}
    index: dict[int, int] | None = None  # id(indicator) → its index, at the first match
    texts: dict[str, str] | None = None  # field → text, at the first contradiction
    matches = ctx_cache.setdefault(("matches", id(table), budget_year), {}) if ctx_cache is not None else {}
    candidates = None
    for q in quantities:
        if id(q) in matches:
            m = matches[id(q)][1]
        else:
            if candidates is None:
                candidates = _indicator_index(table, ctx_cache)
            m = match_indicator(q, candidates, budget_year=budget_year)
            matches[id(q)] = (q, m)  # q kept alive: its id stays its own
        if m is None:
            continue
        if index is None:
            index = _indicator_positions(table, ctx_cache)
        k = index[id(m.indicator)]
        entry = out.setdefault(k, (m.indicator, [], []))
        if m.agrees:
            entry[2].append(q)
        elif q.approx and _near(q, m.indicator, 0.05):
            continue
        else:
            if texts is None:
                texts = dict(narrative_fields_once(ctx_cache, table))
            if _sentence_states(texts.get(q.field or "", ""), q, quantities, m.indicator):
                continue  # "服务费每人每年120元，其中…支付70元、…支付50元" with an indicator of 50元: a part
            entry[1].append(q)
    return {k: v for k, v in out.items() if v[1]}


def _indicator_index(table: Table, ctx_cache: dict | None) -> IndicatorIndex:
    """The table's indicators grouped for matching, once per run."""
    if ctx_cache is None:
        return IndicatorIndex(table.indicators)
    key = ("indicator-index", id(table))
    index = ctx_cache.get(key)
    if index is None:
        index = ctx_cache[key] = IndicatorIndex(table.indicators)
    return index


def _indicator_positions(table: Table, ctx_cache: dict | None) -> dict[int, int]:
    """id(indicator) → its index in the table, once per run."""
    if ctx_cache is None:
        return {id(ind): k for k, ind in enumerate(table.indicators)}
    return memoised(ctx_cache, ("indicator-positions", id(table)),
                    lambda: {id(ind): k for k, ind in enumerate(table.indicators)})


def _sentence_states(text: str, q: Quantity, quantities: list[Quantity], ind: Indicator) -> bool:
    """Another figure of the same sentence holds the indicator's value: the sentence gives a total
    and its parts, or two alternatives, and the indicator took one of them."""
    if not text:
        return False
    s, e = sentence_bounds(text, q.start)
    unit = indicator_unit(ind)
    money = {"money", "unit_cost"}

    def comparable(o: Quantity) -> bool:  # parts of a unit cost are written as plain money ("其中…50元")
        return same_quantity_kind(o.unit, unit) or (o.family in money and unit_family(unit or "") in money)

    return any(o is not q and o.field == q.field and s <= o.start < e and comparable(o) and values_agree(o, ind)
               for o in quantities)


def _near(q: Quantity, ind: Indicator, rel: float) -> bool:
    v = ind.target.value
    return v is not None and abs(q.value - v) <= max(abs(v), abs(q.value)) * rel


@register
class NarrativeContradictsIndicator(Rule):
    """A number in the narrative contradicts the indicator about the same thing.

    What it checks: every quantity written in the narrative fields (项目概况, 立项依据,
    项目设立的必要性, 项目实施计划, 项目总目标, 年度绩效目标 …) is paired with the indicator it
    speaks of — by the name of the thing counted ("加高密集架60组" → 密集架) and the unit family
    (组 is a count, % a rate, 元/人/天 a unit cost). When both agree clearly and the numbers
    differ, the table says two different things. Values that agree somewhere (a sum such as
    "柜机两台挂机一台" = 3台, an indicator range) are not reported, nor are changes ("比上年增加
    …"), past facts ("截至2020年底…", "累计…") and figures dated in another year.
    Why: shared/spec/domain.md, "Defects seen in real published tables": narrative numbers
    that contradict indicators; 财预〔2015〕88号 reviews targets for 相关性 (every target has
    matching, quantified indicators) — a target stated twice with two values cannot be
    evaluated against either.
    Bad: 项目概况 "业务档案需要加高密集架60组" with 数量指标 密集架 "=52组"; 年度绩效目标
    "职工满意度要大于85%" with 职工满意度 "≥90%".
    Good: 项目概况 "采购600个U-KEY" with 购买U-KEY数量 "=600个".
    """

    code = "IQ203"
    name = "narrative-contradicts-indicator"
    category = "narrative_mismatch"
    severity = "error"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        qs = table_quantities(table, self.ctx.cache)
        for ind, bad, good in conflicts(table, qs, self.ctx.budget_year or table.year, self.ctx.cache).values():
            yield self._finding(ind, bad, good)

    def _finding(self, ind: Indicator, bad: list[Quantity], good: list[Quantity]) -> Finding:
        first = bad[0]
        seen: set[tuple[str | None, str]] = set()
        cites = []
        for q in bad:
            if (q.field, q.quote) not in seen:
                seen.add((q.field, q.quote))
                cites.append(q.cite())
        evidence = "; ".join(cites[:3]) + f"; 指标值: {ind.target.raw}"
        support = [q for q in good if q.field != first.field or q.quote != first.quote]
        if support:
            evidence += f"; {support[0].cite()}"
        level = ind.level2 or ind.level1 or ""
        fields = "、".join(dict.fromkeys(q.field or "叙述" for q in bad))
        message = (f"{fields}写“{first.quote}”，{level}指标“{ind.level3}”为{ind.target.raw}，两处不一致"
                   + (f"（{support[0].field}写“{support[0].quote}”，与指标一致）" if support else "")
                   + "。")
        fam = unit_family(first.unit) if first.unit else ""
        severity = "error" if fam in _HARD_FAMILIES and not first.approx else "warning"
        fix = (f"核实{ind.level3}的实际计划数，统一{fields}与指标值（二者现为“{first.raw}”与"
               f"“{ind.target.raw}”），并在指标值说明中写明取值依据。")
        return self.finding(message, evidence=evidence, indicator=ind, fix=fix, severity=severity)


@register
class NarrativeContradictsItself(Rule):
    """Two statements of the narrative give different numbers for the same thing.

    What it checks: quantities of the same entity and unit in two narrative fields of one
    table ("驻村人员生活补助标准…每天100元" in 项目概况, "驻村人员每日补助为每天140元" in
    立项依据). Only exact entity matches count, and a pair already reported against an
    indicator (IQ203) is not repeated. Figures within one field are parallel items more often
    than restatements ("春季…疫苗款42.8万元；秋季…32.8万元") and are not compared, nor are the
    payments of an implementation plan. A figure from 立项依据 (which cites earlier
    documents) or an approximate figure lowers the finding to info.
    Why: shared/spec/domain.md lists narrative numbers that contradict each other among the
    defects of real tables; 财预〔2015〕88号 asks that targets be 明确 (explicit) — a reader
    cannot tell which of two figures the project plans.
    Bad: 项目概况 "聘用工作人员9名" with 立项依据 "聘用的13名工作人员".
    Good: 项目概况 "派驻一名工作人员" with 项目设立的必要性 "选派一名工作人员".
    """

    code = "IQ201"
    name = "narrative-self-contradiction"
    category = "narrative_mismatch"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        year = self.ctx.budget_year or table.year
        qs = [q for q in table_quantities(table, self.ctx.cache)
              if q.entity and not q.delta and not q.history and not q.distributive and q.year in (None, year)]
        covered = {id(q) for _, bad, good in conflicts(table, qs, year, self.ctx.cache).values() for q in bad + good}
        # (quantity, its entity's distinctive part) of the figures not already compared with an indicator
        free = [(q, distinctive(q.entity)) for q in qs if id(q) not in covered]
        reported: set[str] = set()
        for i, (a, da) in enumerate(free):
            if len(da) < 2:
                continue  # no entity to compare
            for b, db in free[i + 1:]:
                if a.field == b.field:
                    continue  # one field listing parallel items ("春季…疫苗款42.8万元；秋季…32.8万元")
                if not _same_distinctive(da, db) or not same_quantity_kind(a.unit, b.unit):
                    continue
                if a.family == "money" and (_is_plan(a.field) or _is_plan(b.field)):
                    continue  # a plan's payments are parts of the money, not restatements of it
                if a.unit != b.unit and unit_family(a.unit or "") not in ("money", "unit_cost", "count"):
                    continue
                if _same_value(a, b) or a.group_total is not None or b.group_total is not None:
                    continue
                if da in reported:
                    continue
                reported.add(da)
                yield self._finding(a, b)

    def _finding(self, a: Quantity, b: Quantity) -> Finding:
        info = a.approx or b.approx or a.field in _BASIS_FIELDS or b.field in _BASIS_FIELDS
        where = a.field if a.field == b.field else f"{a.field}与{b.field}"
        message = f"{where}对{b.entity}分别写“{a.quote}”和“{b.quote}”，数字不一致。"
        return self.finding(
            message,
            evidence=f"{a.cite()}; {b.cite()}",
            location=" / ".join(dict.fromkeys(f for f in (a.field, b.field) if f)),
            fix=f"核实{b.entity}的准确数字，统一全文表述；如一处为往年或文件数字，请注明。",
            severity="info" if info else None,
        )


def _is_plan(field: str | None) -> bool:
    return bool(field) and "计划" in field


def _same_distinctive(da: str, db: str) -> bool:
    """Two entities' distinctive parts name the same thing: equal, or the shorter (4+ characters) inside the longer."""
    if len(da) < 2 or len(db) < 2:
        return False
    if da == db:
        return True
    short, long_ = sorted((da, db), key=len)
    return len(short) >= 4 and short in long_


def _same_value(a: Quantity, b: Quantity) -> bool:
    va, vb = a.money_yuan, b.money_yuan
    if va is None or vb is None:
        va, vb = a.value, b.value
    return abs(va - vb) <= max(abs(va), abs(vb)) * 0.005 + 1e-9


# ---------------------------------------------------------------- one period, two totals

_SPAN_JOINS = "-－—–~～至到"
_SPAN = re.compile(r"(20\d{2})\s*年?\s*[" + re.escape(_SPAN_JOINS) + r"]\s*(20\d{2})\s*年")
_YEARS_TOTAL = re.compile(
    r"(?<![零〇一二两三四五六七八九十\d])([两二三四五六七八九十]|\d{1,2})\s*(?:个)?\s*年(?:度)?\s*(?:合计|共计|总计|累计|共需|总共|共)")
_CLAUSE = re.compile(r"[^。；;！？!?\n]+")
_PER_YEAR = re.compile(r"每年|年均|平均|每年度|/年|每一年")


def _may_state_a_period(text: str) -> bool:
    """_SPAN or _YEARS_TOTAL matches `text` (each needs one of a few characters: checked first)."""
    if ("共" in text or "计" in text) and _YEARS_TOTAL.search(text):
        return True
    return any(c in text for c in _SPAN_JOINS) and _SPAN.search(text) is not None


@dataclass(frozen=True)
class _PeriodTotal:
    field: str
    years: int  # how many years the amount covers
    span: tuple[int, int] | None  # (first, last) year when written as a span
    wan: float
    quote: str  # the clause


def _period_totals(field: str, text: str) -> list[_PeriodTotal]:
    """Amounts stated for a whole multi-year period ("2021年-2023年…为80万元", "三年合计120万元"):
    one money amount in the clause after the period, not a per-year figure."""
    out = []
    for clause in _CLAUSE.finditer(text):
        s = clause.group()
        span = _SPAN.search(s)
        total = _YEARS_TOTAL.search(s)
        if span is not None:
            first, last = int(span.group(1)), int(span.group(2))
            if not 1 <= last - first <= 9:
                continue
            years, rest, span_years = last - first + 1, s[span.end():], (first, last)
        elif total is not None:
            n = total.group(1)
            years, rest, span_years = int(n if n.isdigit() else parse_chinese_numeral(n)), s[total.end():], None
        else:
            continue
        if _PER_YEAR.search(rest) or years < 2:
            continue
        money = [n for n in find_numbers(rest) if not n.is_date and n.family == "money"]
        if len(money) != 1 or (amount := parse_amount(money[0].raw)) is None:
            continue
        out.append(_PeriodTotal(field, years, span_years, amount.wan, s.strip()))
    return out


@register
class PeriodTotalsDisagree(Rule):
    """The narrative gives two different totals for the same multi-year period.

    What it checks: money amounts stated for a whole period of several years — a span
    ("预计2021年-2023年…为80万元") or a count of years ("三年合计总金额为120万元") — one amount
    to a clause and not a per-year figure (每年, 年均). Two such amounts for the same number of
    years (and the same span, when both are spans) that differ beyond the rounding tolerance
    are reported once per table.
    Why: shared/spec/domain.md lists narrative numbers that contradict each other among the
    defects of real tables; a reviewer checking the 中期 budget cannot tell which total the
    department plans, and the annual amount is usually derived from it.
    Bad: "预计2021年-2023年网络维护费及业务软件升级费为80万元。三年合计总金额为120万元。"
    Good: "预计2021年-2023年网络维护费及业务软件升级费每年40万元，三年合计120万元。"
    """

    code = "IQ204"
    name = "period-totals-disagree"
    category = "narrative_mismatch"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        totals = [t for field, text in narrative_fields_once(self.ctx.cache, table)
                  if _may_state_a_period(text) for t in _period_totals(field, text)]
        if len(totals) < 2:
            return
        tol = self.ctx.config.tolerances.amount_abs_wan
        for i, a in enumerate(totals):
            for b in totals[i + 1:]:
                if a.years != b.years or (a.span and b.span and a.span != b.span):
                    continue
                if abs(a.wan - b.wan) <= max(tol, 0.005 * max(a.wan, b.wan)):
                    continue
                where = a.field if a.field == b.field else f"{a.field}与{b.field}"
                yield self.finding(
                    f"{where}对同一期间（{a.years}年）的资金总额分别写“{a.quote}”和“{b.quote}”，"
                    f"金额不一致（{fmt_number(a.wan)}万元与{fmt_number(b.wan)}万元）。",
                    evidence=f"{a.field}: {a.quote}; {b.field}: {b.quote}",
                    location=" / ".join(dict.fromkeys((a.field, b.field))),
                    fix="核实该期间的资金总额，统一全文表述；分年度金额与合计应能相互核对。",
                )
                return
