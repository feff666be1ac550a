"""cost_inconsistency: quantity × unit cost, cost items and payment plans against the budget."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from reviewer.checks.common import annual_budget, budget_amounts, fmt_number, levels, money_tolerance, narrative_fields
from reviewer.checks.entities import (
    Quantity,
    extract_quantities,
    indicator_unit,
    money_in_yuan,
    sentence_bounds,
    similarity,
)
from reviewer.checks.registry import Rule, register
from reviewer.extract.numbers import find_numbers
from reviewer.extract.units import normalize_unit, unit_family
from reviewer.models import Finding, Indicator, Table

_PEOPLE = {"人", "名", "位"}
_PER_PERSON_WORDS = ("人员", "人均", "每人", "工资", "薪酬", "补助", "补贴", "生活费", "劳务")
_TOTAL_WORDS = ("总成本", "预算总", "总投入", "总金额", "总费用", "总额")
_COST_LEVELS = {"成本", "经济成本", "社会成本", "生态环境成本"}
# Days in a year a per-day cost may be paid for when the table does not say: working days to all days.
_DAYS_RANGE = (250.0, 365.0)
_PERIODS_PER_YEAR = {"月": (12.0, 12.0), "季度": (4.0, 4.0), "年": (1.0, 1.0), "周": (52.0, 52.0),
                     "天": _DAYS_RANGE, "日": _DAYS_RANGE, "工作日": (240.0, 250.0)}


@dataclass
class Product:
    """A unit cost times the quantities it applies to: a computed amount (a range for per-day costs)."""

    cost: Indicator
    factors: list[str]  # human-readable factors: "600个", "12个月"
    low_wan: float
    high_wan: float
    uses: list[Indicator] = field(default_factory=list)  # the quantity indicators multiplied in

    @property
    def exact(self) -> bool:
        return abs(self.high_wan - self.low_wan) < 1e-9

    def describe(self) -> str:
        amount = (f"{fmt_number(self.low_wan)}万元" if self.exact
                  else f"{fmt_number(self.low_wan)}～{fmt_number(self.high_wan)}万元")
        return f"{self.cost.target.raw.lstrip('=＝')} × {' × '.join(self.factors)} = {amount}"


_SAVING = re.compile(r"降低|节约|节省|减少|下降|压减")


def _is_cost(ind: Indicator) -> bool:
    """A cost indicator: filed under 成本, or named 成本 outside the benefit levels (not "运输成本降低")."""
    l1, l2 = levels(ind)
    if l1 in _COST_LEVELS or l2 in _COST_LEVELS:
        return True
    name = ind.level3 or ""
    return "成本" in name and not _SAVING.search(name) and not any(w in l1 + l2 for w in ("效益", "满意", "影响"))


def _unit_cost_yuan(ind: Indicator) -> float | None:
    unit = indicator_unit(ind)
    if not unit or unit_family(unit) != "unit_cost" or not ind.target.value:
        return None
    return money_in_yuan(ind.target.value, unit if not unit.startswith("/") else "元" + unit)


def _money_wan(ind: Indicator) -> float | None:
    unit = indicator_unit(ind)
    if not unit or unit_family(unit) != "money" or ind.target.value is None:
        return None
    y = money_in_yuan(ind.target.value, unit)
    return None if y is None else y / 10_000


_NOT_QUANTITY = {"percent", "money", "unit_cost", "date", "duration"}


_UNIT_FROM_NAME = (("人次", "人次"), ("人数", "人"), ("户数", "户"), ("个数", "个"), ("次数", "次"), ("台数", "台"))


def count_unit(ind: Indicator) -> str | None:
    """The unit of a quantity indicator; "出差人数 = 8" with no unit written counts 人."""
    return indicator_unit(ind) or _unit_from_name(ind)


def _unit_from_name(ind: Indicator) -> str | None:
    name = ind.level3 or ""
    return next((u for suffix, u in _UNIT_FROM_NAME if name.endswith(suffix)), None)


@dataclass
class _Quantities:
    """A table's unit costs and counts, in table order: what cost_products multiplies."""

    unit_costs: list[tuple[Indicator, float]]  # (indicator, yuan per unit) of every positive unit cost
    counts: list[Indicator]  # indicators that count or measure things (个, 人次, 公里, 亩, 万页 …)


def _sort_quantities(table: Table) -> _Quantities:
    """Sort the indicators into unit costs and counts in one pass (each indicator's unit read once)."""
    unit_costs: list[tuple[Indicator, float]] = []
    counts: list[Indicator] = []
    for ind in table.indicators:
        value = ind.target.value
        unit = indicator_unit(ind)
        family = unit_family(unit) if unit else None
        if family == "unit_cost" and value:
            per_yuan = money_in_yuan(value, unit if not unit.startswith("/") else "元" + unit)
            if per_yuan is not None and per_yuan > 0:
                unit_costs.append((ind, per_yuan))
        if value is not None and value > 0:
            if not unit:  # count_unit: the unit named by the indicator ("出差人数" counts 人)
                unit = _unit_from_name(ind)
                family = unit_family(unit) if unit else None
            if unit and family not in _NOT_QUANTITY:
                counts.append(ind)
    return _Quantities(unit_costs, counts)


def _best_count(cost: Indicator, unit: str, counts: list[Indicator]) -> Indicator | None:
    """The quantity indicator a unit cost applies to: the same item, in a compatible unit."""
    scored = []
    for c in counts:
        cu = count_unit(c) or ""
        same_unit = normalize_unit(cu) == normalize_unit(unit) or (cu in _PEOPLE and unit in _PEOPLE)
        if not same_unit and unit_family(cu) != unit_family(unit):
            continue
        score = similarity(cost.level3 or "", c.level3 or "")
        if not same_unit:
            score -= 0.3  # "=3650元/只" for an item counted in 台: still the item when the names say so
        scored.append((score, c))
    scored.sort(key=lambda x: -x[0])
    exact = [c for c in counts if normalize_unit(count_unit(c) or "") == normalize_unit(unit)]
    if len(exact) == 1 and unit not in _PEOPLE and (not scored or scored[0][1] is exact[0] or scored[0][0] < 0.8):
        return exact[0]  # the only quantity counted in 公里 is what a cost per 公里 applies to
    if not scored or scored[0][0] < 0.8:
        return None
    if len(scored) > 1 and scored[1][0] > scored[0][0] - 0.25:
        return None
    return scored[0][1]


_SAME_PERIOD = {"日": "天", "天": "天", "月": "月", "周": "周", "年": "年", "季度": "季度", "工作日": "工作日"}


def _periods_stated(table: Table, period: str) -> Indicator | None:
    """The one indicator that counts the days (months …) paid for: "全年供餐天数 =200天".

    Deadlines and time limits (时效, "≤7个工作日") are not counts of paid periods.
    """
    want = _SAME_PERIOD.get(period)
    found = []
    for ind in table.indicators:
        unit = indicator_unit(ind)
        value = ind.target.value
        if not unit or value is None or value <= 0 or _SAME_PERIOD.get(normalize_unit(unit)) != want:
            continue
        _, l2 = levels(ind)
        name = ind.level3 or ""
        if "时效" in l2 or ind.target.comparator in ("<=", "<") or not re.search(r"数|时长", name):
            continue
        found.append(ind)
    return found[0] if len(found) == 1 else None


def cost_products(table: Table, quantities: _Quantities | None = None) -> list[Product]:
    """Every unit-cost indicator multiplied out with the quantities it names (`quantities`: the
    table's, when the caller has them)."""
    if quantities is None:
        quantities = _sort_quantities(table)
    counts = quantities.counts
    people = [c for c in counts if (count_unit(c) or "") in _PEOPLE] if quantities.unit_costs else []
    out: list[Product] = []
    for cost, per_yuan in quantities.unit_costs:
        denominators = [normalize_unit(d) for d in (indicator_unit(cost) or "").split("/")[1:] if d]
        low = high = per_yuan
        factors: list[str] = []
        uses: list[Indicator] = []
        ok = bool(denominators)
        has_people = False
        for d in denominators:
            stated = _periods_stated(table, d) if d in _PERIODS_PER_YEAR else None
            if stated is not None:  # "全年供餐天数 =200天": the days the table pays for
                low, high = low * stated.target.value, high * stated.target.value
                factors.append(f"{fmt_number(stated.target.value)}{d}（{stated.level3}）")
            elif d in _PERIODS_PER_YEAR:
                lo, hi = _PERIODS_PER_YEAR[d]
                low, high = low * lo, high * hi
                factors.append(f"{fmt_number(lo, 0)}个{d}" if lo == hi else f"{fmt_number(lo, 0)}～{fmt_number(hi, 0)}{d}")
            elif unit_family(d) not in _NOT_QUANTITY:
                c = _best_count(cost, d, counts)
                if c is None and d in _PEOPLE and len(people) == 1:
                    c = people[0]
                if c is None:
                    ok = False
                    break
                has_people = has_people or d in _PEOPLE
                uses.append(c)
                low, high = low * c.target.value, high * c.target.value
                factors.append(f"{fmt_number(c.target.value)}{count_unit(c)}（{c.level3}）")
            else:
                ok = False
                break
        if not ok:
            continue
        only_time = all(d in _PERIODS_PER_YEAR for d in denominators)
        if only_time and not has_people and any(w in (cost.level3 or "") for w in _PER_PERSON_WORDS):
            # "人员工资平均成本 =1.02万元/月": per person and month; × the one headcount indicator
            if len(people) != 1:
                continue
            n = people[0].target.value
            uses.append(people[0])
            low, high = low * n, high * n
            factors.insert(0, f"{fmt_number(n)}{count_unit(people[0])}（{people[0].level3}）")
        out.append(Product(cost=cost, factors=factors, low_wan=low / 10_000, high_wan=high / 10_000, uses=uses))
    return out


def _budget_priced_by(table: Table, cost: Indicator, amount_wan: float) -> bool:
    """The narrative computes the budget from this unit cost: one sentence names both the unit
    price and the budget ("按每公里7000元测算，需资金240万元")."""
    per_yuan = _unit_cost_yuan(cost)
    if per_yuan is None:
        return False
    for name, text in narrative_fields(table):
        qs = extract_quantities(text, field=name)
        for q in qs:
            y = money_in_yuan(q.value, q.unit if q.family == "money" else (q.unit or "").split("/")[0])
            if y is None or abs(y - per_yuan) > 1e-6 * max(per_yuan, 1):
                continue
            s, e = sentence_bounds(text, q.start)
            if any(o.family == "money" and s <= o.start < e and o is not q
                   and abs((money_in_yuan(o.value, o.unit) or 0) / 10_000 - amount_wan) <= max(0.01, amount_wan * 1e-3)
                   for o in qs):
                return True
    return False


class _CostRule(Rule):
    category = "cost_inconsistency"
    kinds = ("project",)

    def _tolerance(self, amount: float) -> float:
        t = self.ctx.config.tolerances
        return money_tolerance(amount, t.cost_relative, t.amount_abs_wan)

    def _costs(self, table: Table) -> list[Indicator]:
        """The table's cost indicators, in table order (once per run)."""
        return self.ctx.memo(("cost-indicators", id(table)), lambda: [i for i in table.indicators if _is_cost(i)])

    def _quantities(self, table: Table) -> _Quantities:
        """The table's unit costs and counts (once per run)."""
        return self.ctx.memo(("cost-quantities", id(table)), lambda: _sort_quantities(table))

    def _products(self, table: Table) -> list[Product]:
        """`cost_products` of the table (once per run)."""
        return self.ctx.memo(("cost-products", id(table)), lambda: cost_products(table, self._quantities(table)))


@register
class UnitCostTimesQuantity(_CostRule):
    """Quantity × unit cost (× months or days) does not give the amount budgeted.

    What it checks: a unit-cost indicator (元/个, 元/台, 万元/月, 元/人/天, /株) is multiplied by
    the quantity indicator of the same item (by name and unit, or the only quantity counted in
    that unit) and by the months or days of a year (the table's own count of days when it has
    one, "全年供餐天数 =200天"; else 250 working days to 365 days); a monthly cost per person is
    multiplied by the headcount indicator. When the table's only cost is such a product, it must
    match the project's annual amount within the configured tolerance (tolerances.cost_relative).
    A ceiling ("≤300元/批次") below the budget is not reported unless the narrative prices the
    budget with it ("按每公里7000元测算，需资金240万元"); money left over while the table counts
    other outputs too is only worth a look (info).
    Why: shared/spec/domain.md: "unit cost × quantity above the cost ceiling", 财预〔2015〕88号
    适当性 (money and targets must match in size) and 财预〔2021〕101号 (成本指标 states the cost
    control of the outputs).
    Bad: 发放人数 "=9人", 人员工资平均成本 "=1.02万元/月" → 9 × 1.02 × 12 = 110.16万元 against a
    budget of 118.00万元.
    Good: 购买U-KEY数量 "=600个", U-KEY成本 "=595元/个" → 35.70万元, the amount budgeted.
    """

    code = "IQ501"
    name = "unit-cost-times-quantity"
    severity = "warning"

    def check(self, table: Table) -> Iterable[Finding]:
        budget = annual_budget(table)
        if budget is None:
            return
        field, amount = budget
        products = self._products(table)
        money_costs = [i for i in self._costs(table) if _money_wan(i)]
        if len(products) != 1 or money_costs:
            return  # several costs, or a cost in money: only the sum can be checked (IQ503)
        others = [i for i in self._costs(table) if _unit_cost_yuan(i) and i is not products[0].cost]
        if others:
            return
        p = products[0]
        tol = self._tolerance(amount)
        if p.low_wan - tol <= amount <= p.high_wan + tol:
            return
        comparator = p.cost.target.comparator
        bound = ((amount > p.high_wan and comparator in ("<=", "<"))
                 or (amount < p.low_wan and comparator in (">=", ">")))
        if bound and not _budget_priced_by(table, p.cost, amount):
            return  # a ceiling on one item ("≤300元/批次") leaves room for the rest of the budget
        computed = p.low_wan if amount < p.low_wan else p.high_wan
        gap = computed - amount
        # money left over while the table counts other outputs (展演10场, 宣传册2000册): they may be
        # what the rest pays for — worth a look, not a contradiction
        values = {c.target.value for c in p.uses}
        others = [c for c in self._quantities(table).counts if c not in p.uses and c.target.value not in values]
        severity = "info" if gap < 0 and others else None
        message = (f"按成本指标测算，{p.describe()}，与{field}{fmt_number(amount)}万元相差"
                   f"{fmt_number(abs(gap))}万元（{fmt_number(abs(gap) / amount * 100, 1)}%）。")
        yield self.finding(
            message,
            evidence=f"{p.cost.level3}: {p.cost.target.raw}; {'; '.join(p.factors)}; {field}: "
                     f"{table.header[field].text if field in table.header else fmt_number(amount)}",
            indicator=p.cost,
            fix="核实单价、数量与期限，使“数量×单价”与预算金额一致；若预算还包含其他支出，应补充相应成本指标。",
            severity=severity,
        )


@register
class CostItemsExceedBudget(_CostRule):
    """The cost indicators add up to more than the amount budgeted.

    What it checks: the money cost indicators (=22.23万元, =3万元 …) plus every unit cost
    multiplied by its quantity are summed; a total above the project's annual amount (beyond
    the configured tolerance) cannot be paid for. An indicator that states the total itself
    (年度预算总成本 equal to the budget) is compared with the other items instead of added.
    Costs that add up to less than the budget are not reported: cost indicators need not list
    every item.
    Why: shared/spec/domain.md: "component sums that differ from printed totals", "unit cost ×
    quantity above the cost ceiling"; 财预〔2021〕101号: cost indicators set 分项成本控制数.
    Bad: 设备成本 "=30万元" and 安装成本 "=25万元" in a project of 49.50万元.
    Good: 出差总成本 1万元 + 劳务人员总成本 2万元 = 年度预算总成本 3万元 = the 3万元 budgeted.
    """

    code = "IQ503"
    name = "cost-items-exceed-budget"
    severity = "warning"

    def check(self, table: Table) -> Iterable[Finding]:
        budget = annual_budget(table)
        if budget is None:
            return
        field, amount = budget
        items: list[tuple[str, float]] = []
        totals: list[tuple[Indicator, float]] = []
        for ind in self._costs(table):
            wan = _money_wan(ind)
            if wan is None or wan <= 0:
                continue
            if any(w in (ind.level3 or "") for w in _TOTAL_WORDS) and abs(wan - amount) <= self._tolerance(amount):
                totals.append((ind, wan))
                continue
            items.append((f"{ind.level3} {ind.target.raw}", wan))
        for p in self._products(table):
            items.append((f"{p.cost.level3} {p.describe()}", p.low_wan))
        if len(items) < 2:
            return
        total = sum(w for _, w in items)
        if total <= amount + self._tolerance(amount):
            return
        listed = "; ".join(name for name, _ in items[:8]) + ("…" if len(items) > 8 else "")
        yield self.finding(
            f"成本指标合计{fmt_number(total)}万元，超过{field}{fmt_number(amount)}万元。",
            evidence=f"{listed}; {field}: {fmt_number(amount)}万元",
            location="成本指标",
            fix="逐项核实成本指标的单价、数量和金额，使合计不超过预算金额。",
        )


_TOTAL_BEFORE = re.compile(r"(合计|共计|总计|累计|总额|总金额|共)\s*(为|约|约为|达)?\s*$")


_PARTS_AFTER = re.compile(r"\s*[，,：:]?\s*其中")


def plan_amounts(text: str, field: str | None = None) -> tuple[list[Quantity], float] | None:
    """Money amounts of a payment plan and their total.

    A stated 合计 of the items before it is not added again (it is left out even when it is
    wrong: IQ704 reports that), and the parts listed after "X万元，其中：…" are not added to X.
    A "合计" smaller than an item before it totals something else ("按季度支付劳务补助，合计10万元")
    and counts as an item.
    """
    found = plan_items(text, field)
    if found is None:
        return None
    items, _ = found
    return items, sum(q.value * _wan(q) for q in items)


def plan_items(text: str, field: str | None = None) -> tuple[list[Quantity], list[Quantity]] | None:
    """(items, stated totals) of the money amounts of a payment plan; see `plan_amounts`."""
    qs = [q for q in extract_quantities(text, field) if q.family == "money" and not q.delta]
    if not qs:
        return None
    items: list[Quantity] = []
    totals: list[Quantity] = []
    since_total: list[Quantity] = []
    skip_until = -1
    for q in qs:
        if q.start < skip_until:
            continue
        before = text[max(0, q.start - 8):q.start]
        if (_TOTAL_BEFORE.search(before) and len(since_total) >= 2
                and q.value * _wan(q) >= max(x.value * _wan(x) for x in since_total) - 1e-9):
            totals.append(q)
            since_total = []
            continue
        items.append(q)
        since_total.append(q)
        if _PARTS_AFTER.match(text, q.end):
            end = text.find("。", q.end)
            skip_until = len(text) if end < 0 else end
    # "合同总价86.4万元分三次支付：…25.92万元；…34.56万元；…25.92万元": a total before its parts
    k = 0
    while k < len(items) - 2:
        head, rest = items[k], items[k + 1:]
        announced = (re.search(r"总|合计|共计|共", text[max(0, head.start - 10):head.start])
                     or _PARTS_FOLLOW.match(text, head.end))
        run = _leading_run_summing_to(head, rest) if announced else 0
        if run:
            totals.append(head)
            items.pop(k)
            k += run
        else:
            k += 1
    return items, totals


_PARTS_FOLLOW = re.compile(r"\s*[：:，,]?\s*(分|其中|具体|包括|按)")


def _leading_run_summing_to(head: Quantity, rest: list[Quantity]) -> int:
    """How many of the amounts right after `head` add up to it (at least two), else 0."""
    target = head.value * _wan(head)
    total = 0.0
    for n, q in enumerate(rest, start=1):
        total += q.value * _wan(q)
        if n >= 2 and abs(total - target) <= max(0.005, target * 1e-4) * n:
            return n
        if total > target * (1 + 1e-4) + 0.005:
            return 0
    return 0


def _item_year(text: str, q: Quantity) -> int | None:
    """The year written last before an amount in its sentence ("2021年1月支付…9万元" → 2021)."""
    s, _ = sentence_bounds(text, q.start)
    years = [d.year for d in find_numbers(text[s:q.start]) if d.kind == "date" and d.year]
    return years[-1] if years else None


def _wan(q: Quantity) -> float:
    y = money_in_yuan(1.0, q.unit)
    return (y or 0.0) / 10_000


@register
class PlanTotalDiffersFromBudget(_CostRule):
    """The money listed in the implementation plan does not add up to the budget.

    What it checks: the amounts in 项目实施计划 ("支付系统维护费9万元", "合计8万元" …) are summed
    (a stated 合计 of the items before it, or a total announced before its parts — "合同总价86.4万元
    分三次支付：…" — is not counted twice; a wrong 合计 over items that add up is IQ704's) and compared with the project's
    annual amount, or with its total amount (or, for a multi-year plan, the items dated in the
    budget year with the annual amount). Plans written in percentages only are not checked; a plan with a single amount is checked only when that amount is
    stated as a total.
    Why: shared/spec/domain.md: "plan totals that differ from the annual budget (plan sums to
    50万 for a 25万 budget)"; 财预〔2015〕88号 可行性 (the plan must be costed).
    Bad: 实施计划 "…需20万元；…需20万元；…需10万元，合计50万元" with 年度预算资金总额 25.
    Good: 实施计划 9 + 8 + 2 + 3 + 10 + 8 = 40万元 with 项目本年度金额 40.00.
    """

    code = "IQ502"
    name = "plan-total-differs-from-budget"
    severity = "warning"

    def check(self, table: Table) -> Iterable[Finding]:
        plan = table.narrative.get("项目实施计划")
        budgets = budget_amounts(table)
        if plan is None or not budgets:
            return
        found = plan_amounts(plan.text, plan.name or "项目实施计划")
        if found is None:
            return
        items, total = found
        stated = (plan_items(plan.text) or ([], []))[1]
        stated_total = len(items) == 1 and _TOTAL_BEFORE.search(plan.text[max(0, items[0].start - 8):items[0].start])
        if len(items) < 2 and not stated_total:
            return
        field, amount = annual_budget(table) or next(iter(budgets.items()))
        if any(abs(total - v) <= self._tolerance(v) for v in budgets.values()):
            return  # a wrong 合计 under items that add up is IQ704's finding
        if stated and any(abs(q.value * _wan(q) - v) <= self._tolerance(v) for q in stated for v in budgets.values()):
            return  # the plan's own total is the budget; its items not adding up is IQ704's finding
        year = self.ctx.budget_year or table.year
        this_year = sum(q.value * _wan(q) for q in items if _item_year(plan.text, q) in (None, year))
        if year and abs(this_year - amount) <= self._tolerance(amount) and this_year < total:
            return  # a multi-year plan whose budget-year part matches the annual amount
        parts = " + ".join(fmt_number(q.value * _wan(q)) for q in items)
        yield self.finding(
            f"项目实施计划所列资金合计{fmt_number(total)}万元，与{field}{fmt_number(amount)}万元不一致。",
            evidence="; ".join(q.cite() for q in items[:6]) + f"; 合计: {parts} = {fmt_number(total)}万元; "
                     f"{field}: {fmt_number(amount)}万元",
            location=plan.name or "项目实施计划",
            fix=f"按{field}{fmt_number(amount)}万元重新编排实施计划中的支付金额，或核实预算金额。",
        )


def _item_total(cost: Indicator, costs: list[Indicator]) -> Indicator | None:
    """The money cost indicator (of the table's `costs`) that totals the same item as a unit cost
    (出差单位成本 → 出差总成本)."""
    candidates = []
    for ind in costs:
        if ind is cost or _money_wan(ind) is None or "总" not in (ind.level3 or ""):
            continue
        score = similarity(cost.level3 or "", ind.level3 or "")
        if score >= 0.8:
            candidates.append((score, ind))
    candidates.sort(key=lambda x: -x[0])
    if len(candidates) == 1 or (len(candidates) > 1 and candidates[1][0] < candidates[0][0] - 0.25):
        return candidates[0][1]
    return None


@register
class UnitCostDisagreesWithItemTotal(_CostRule):
    """Unit cost × quantity does not give the total cost stated for the same item.

    What it checks: a unit cost (出差单位成本 "万元/人") times the quantity of the same item
    (出差人数) is compared with the money cost indicator that totals that item (出差总成本).
    A unit cost of 0 next to a positive total is reported too: it cannot be right.
    Why: shared/spec/domain.md: "component sums that differ from printed totals"; 财预〔2021〕
    101号 (分项成本控制数 must be consistent).
    Bad: 出差单位成本 "0" 万元/人, 出差人数 "8", 出差总成本 "1" 万元.
    Good: 出差单位成本 0.125 万元/人 × 8人 = 出差总成本 1万元.
    """

    code = "IQ504"
    name = "unit-cost-disagrees-with-item-total"
    severity = "warning"

    def check(self, table: Table) -> Iterable[Finding]:
        counts: list[Indicator] | None = None  # found when a unit cost has an item total
        for cost in table.indicators:
            unit = indicator_unit(cost)
            if not unit or unit_family(unit) != "unit_cost" or cost.target.value is None:
                continue
            dens = [normalize_unit(d) for d in unit.split("/")[1:] if d]
            if len(dens) != 1 or unit_family(dens[0]) in _NOT_QUANTITY:
                continue
            total = _item_total(cost, self._costs(table))
            if total is None:
                continue
            if counts is None:
                counts = self._quantities(table).counts
            quantity = _best_count(cost, dens[0], counts)
            if quantity is None:
                continue
            per = money_in_yuan(cost.target.value, unit if not unit.startswith("/") else "元" + unit) or 0.0
            computed = per * quantity.target.value / 10_000
            stated = _money_wan(total) or 0.0
            if abs(computed - stated) <= self._tolerance(max(stated, computed)):
                continue
            yield self.finding(
                f"{cost.level3}{cost.target.raw}{unit if not cost.target.unit else ''} × {quantity.level3}"
                f"{quantity.target.raw} = {fmt_number(computed)}万元，与{total.level3}{fmt_number(stated)}万元不一致。",
                evidence=f"{cost.level3}: {cost.target.raw}; {quantity.level3}: {quantity.target.raw}; "
                         f"{total.level3}: {total.target.raw}",
                indicator=cost,
                fix=f"按{total.level3}÷{quantity.level3}重新计算单位成本，或核实总成本。",
            )
