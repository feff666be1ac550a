"""missing_indicator: required levels or kinds of indicator with nothing measurable under them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from reviewer.checks.common import (
    first_match,
    framework_of,
    indicator_label,
    indicator_levels,
    level2_of,
    levels,
    plain_text,
)
from reviewer.checks.registry import Rule, register
from reviewer.extract.taxonomy import load_taxonomy
from reviewer.extract.units import unit_family
from reviewer.models import Finding, Indicator, Table

COST_LEVELS = {"成本", "经济成本", "社会成本", "生态环境成本"}
SATISFACTION_LEVELS = {"满意度", "服务对象满意度"}
_EQUIVALENT = [{"满意度", "服务对象满意度"}, {"生态效益", "环境效益"}, {"可持续影响", "长效管理"}]
_COST_NAME_WORDS = ("成本", "费用", "单价", "补助标准", "价格", "经费", "造价", "资金补助")
_COST_NAME = re.compile("|".join(_COST_NAME_WORDS))  # any of them in a name


_EQUIVALENT_OF = {name: frozenset(group) for group in _EQUIVALENT for name in group}


def _same(a: str, b: str) -> bool:
    return a == b or any(a in s and b in s for s in _EQUIVALENT)


def _same_as(name: str) -> frozenset[str]:
    """The names `_same` as `name` (itself included)."""
    return _EQUIVALENT_OF.get(name) or frozenset((name,))


def _filled(ind: Indicator) -> bool:
    return bool((ind.level3 or "").strip() or ind.target.raw.strip())


@lru_cache(maxsize=64)
def _requirements(fw: str) -> tuple[tuple[str, str], ...]:
    """(一级, 二级) the framework requires, cost and satisfaction left to their own rules (IQ104, IQ105)."""
    out = []
    for req in load_taxonomy().frameworks[fw].required:
        l1, _, l2 = req.partition(">")
        if {l1, l2} & (COST_LEVELS | SATISFACTION_LEVELS):
            continue
        out.append((l1, l2))
    return tuple(out)


def _placed_once(ctx, table: Table, fw: str | None) -> list[tuple[str, str, Indicator]]:
    """(一级, 二级, indicator) of the filled indicators, computed once per run (four rules read it)."""
    def compute() -> list[tuple[str, str, Indicator]]:
        return [(l1, l2, i) for i, (l1, l2) in zip(table.indicators, indicator_levels(ctx.cache, table, fw),
                                                   strict=True) if _filled(i)]

    return ctx.memo(("missing-placed", id(table), fw), compute)


def _declared_once(ctx, table: Table, fw: str | None) -> set[tuple[str, str]]:
    """(一级, 二级) of the table's printed slots, computed once per run (three rules read them)."""
    return ctx.memo(("missing-declared", id(table), fw),
                    lambda: {levels(level1=s.level1, level2=s.level2, framework=fw) for s in table.slots})


def is_cost_indicator(ind: Indicator, l1: str, l2: str) -> bool:
    """Filed under a 成本 level, or named as a cost with a money value."""
    name = ind.level3 or ""
    fam = unit_family(ind.target.unit) if ind.target.unit else ""
    if l1 in COST_LEVELS or l2 in COST_LEVELS:
        # filed as a cost: anything but a plain count, date or duration with no cost word counts
        return bool(_COST_NAME.search(name)) or fam not in {"count", "date", "duration"}
    return bool(_COST_NAME.search(name)) and fam in {"money", "unit_cost"}


def is_satisfaction_indicator(ind: Indicator, l1: str, l2: str) -> bool:
    return l1 in SATISFACTION_LEVELS or l2 in SATISFACTION_LEVELS or "满意" in (ind.level3 or "")


class _MissingRule(Rule):
    category = "missing_indicator"
    kinds = ("project", "department")

    def _framework(self, table: Table) -> str | None:
        return framework_of(table, self.ctx.config.framework)

    def _missing_level1(self, table: Table, fw: str) -> list[str]:
        def compute() -> list[str]:
            placed = _placed_once(self.ctx, table, fw)
            placed_level1 = {p[0] for p in placed}
            return sorted({l1 for l1, _ in _requirements(fw) if l1 not in placed_level1})

        return self.ctx.memo(("missing-level1", id(table), fw), compute)


@register
class RequiredLevel2Empty(_MissingRule):
    """A required 二级 indicator has no 三级 indicator under it.

    What it checks: for the table's framework (通用框架, 财预〔2021〕101号, 河南项目模板, 部门整体),
    every required 二级 (产出 > 数量/质量/时效 …) must have at least one 三级 indicator. An empty
    二级 row printed in the table, or a required 二级 left out, is reported. Optional slots of a
    template (河南模板的资产管理、人力资源、环境效益 …) are not required and are not reported.
    Cost and satisfaction have their own rules (IQ104, IQ105).
    Why: shared/spec/domain.md — 财预〔2021〕101号 and the older framework define the output
    indicators 数量、质量、时效 as the core of a project target; 财预〔2015〕88号 reviews targets for
    完整性. "Empty 二级 rows" are a defect seen in real published tables.
    Bad: 产出目标 > 时效 printed with no 三级 indicator.
    Good: 产出目标 > 时效 > 资金支付完成时间 ≤ 2021年12月31日.
    """

    code = "IQ101"
    name = "required-level2-empty"
    severity = "warning"

    def check(self, table: Table) -> Iterable[Finding]:
        fw = self._framework(table)
        if fw is None or not any(_filled(i) for i in table.indicators):
            return
        tax = load_taxonomy()
        placed = _placed_once(self.ctx, table, fw)
        declared = _declared_once(self.ctx, table, fw)
        whole_missing = set(self._missing_level1(table, fw))
        year = self.ctx.budget_year or table.year
        known = tax.frameworks[fw].levels
        placed_pairs = {(p0, p1) for p0, p1, _ in placed}
        under_unknown = {p1 for p0, p1, _ in placed if p0 not in known}
        for l1, l2 in _requirements(fw):
            if l2 == "*" or l1 in whole_missing:
                continue
            same = _same_as(l2)
            if any((l1, name) in placed_pairs for name in same):
                continue
            if not same.isdisjoint(under_unknown):
                continue  # filed under an unknown 一级 but the 二级 is there
            printed = any(d1 == l1 and _same(d2, l2) for d1, d2 in declared)
            elsewhere = [i for p0, p1, i in placed if level2_of(i.level3) == l2 and not _same(p1, l2)]
            note = ""
            if elsewhere:
                note = f"（“{indicator_label(elsewhere[0])}”列在{elsewhere[0].level2 or '其他指标'}下）"
            where = f"{l1} > {l2}"
            if printed:
                msg = f"{l2}指标只列了二级指标，下面没有任何三级指标{note}。"
                evidence = f"二级指标: {l2}（无三级指标）"
            else:
                msg = f"表中没有{l2}指标，{l1}缺少必设的{l2}二级指标{note}。"
                evidence = f"一级指标: {l1}（未设{l2}）"
            yield self.finding(msg, evidence=evidence, location=where, fix=_fix_for(l2, year))


def _fix_for(level2: str, year: int | None) -> str:
    y = f"{year}年" if year else ""
    examples = {
        "数量": "按主要产出设置数量指标，如“完成××数量 ≥ N 个”",
        "质量": "设置质量指标，如“验收合格率 ≥ 95%”",
        "时效": f"设置时效指标，如“项目完成时间 ≤ {y}12月31日”",
        "经济效益": "设置可计量的经济效益指标，如“带动增收 ≥ N 万元”",
        "社会效益": "设置可计量的社会效益指标，如“受益人数 ≥ N 人”",
    }
    return examples.get(level2, f"在{level2}下设置至少一个可衡量的三级指标（比较符 + 数值 + 单位）") + "。"


@register
class RequiredLevel1Missing(_MissingRule):
    """A required 一级 indicator (产出, 效益 …) has no indicator at all.

    What it checks: the table's framework requires each of its main 一级 levels to hold at least
    one 三级 indicator (通用框架: 产出、效益、满意度; 河南模板: 产出目标、效果目标). A table with no
    效益 at all, or whose 效果目标 rows are all empty, is reported once for the whole 一级.
    Why: shared/spec/domain.md — "a whole 一级 missing (no 效益 at all)" is a defect seen in real
    tables; 财预〔2015〕88号 reviews targets for 完整性 and 财预〔2020〕10号 weights 效益 30 points, which
    cannot be scored without an indicator.
    Bad: a project table with 产出指标 and 满意度指标 but no 效益指标.
    Good: 效益指标 > 社会效益 > 受益群众人数 ≥ 500人.
    """

    code = "IQ102"
    name = "required-level1-missing"
    severity = "error"

    def check(self, table: Table) -> Iterable[Finding]:
        fw = self._framework(table)
        if fw is None or not any(_filled(i) for i in table.indicators):
            return
        declared = {d1 for d1, _ in _declared_once(self.ctx, table, fw)}
        for l1 in self._missing_level1(table, fw):
            if l1 in declared:
                msg, evidence = f"一级指标“{l1}”下没有任何三级指标。", f"一级指标: {l1}（各二级指标均为空）"
            else:
                msg, evidence = f"表中缺少一级指标“{l1}”。", f"一级指标: {l1}（未设置）"
            yield self.finding(msg, evidence=evidence, location=l1,
                               fix=f"在{l1}下按项目实际设置可衡量的三级指标，写明比较符、数值和单位。")


@register
class TooFewIndicators(Rule):
    """The table has fewer 三级 indicators than the configured minimum.

    What it checks: a project table must have at least `min_level3` 三级 indicators (default 3;
    set `min_level3` in [tool.reviewer]). A table with none at all is reported as such.
    Why: shared/spec/domain.md — local rules seen in practice require at least 3 三级 indicators,
    and 财预〔2015〕88号 asks that every target have matching, quantified indicators.
    Bad: a project table with only 预算执行率 and 满意度.
    Good: separate 三级 indicators for quantity, quality, timeliness, cost, effect and satisfaction.
    """

    code = "IQ103"
    name = "too-few-indicators"
    category = "missing_indicator"
    severity = "warning"
    kinds = ("project",)

    def check(self, table: Table) -> Iterable[Finding]:
        minimum = self.ctx.config.min_level3
        if minimum <= 0:
            return
        n = sum(1 for i in table.indicators if _filled(i))
        if n >= minimum:
            return
        if n == 0:
            yield self.finding("表中没有任何三级指标，无法据以评价。", evidence="三级指标: 0个",
                               severity="error",
                               fix=f"按产出、效益、满意度分别设置三级指标，合计不少于{minimum}个。")
            return
        names = "、".join(indicator_label(i) for i in table.indicators if _filled(i))
        yield self.finding(f"表中只有{n}个三级指标，少于要求的{minimum}个。",
                           evidence=f"三级指标: {names}",
                           fix=f"补充数量、质量、时效、效益等方面的三级指标，使总数不少于{minimum}个。")


@register
class NoCostIndicator(Rule):
    """The project table sets no cost indicator.

    What it checks: a project table must hold at least one cost indicator: something filed under
    成本 (二级 in the older framework and the Henan template, 一级 in 财预〔2021〕101号), or a 三级
    named as a cost (成本/费用/单价/补助标准) with a money value.
    Why: shared/spec/domain.md — 财预〔2021〕101号 defines a project target as outputs and effects
    "with the matching cost-control requirements" and makes 成本指标 a first-level indicator.
    Bad: 产出 > 数量/质量/时效 filled, 成本 empty or absent.
    Good: 成本 > 经济成本 > 设备购置单价 ≤ 595元/个.
    """

    code = "IQ104"
    name = "no-cost-indicator"
    category = "missing_indicator"
    severity = "warning"
    kinds = ("project",)

    def check(self, table: Table) -> Iterable[Finding]:
        fw = framework_of(table, self.ctx.config.framework)
        placed = _placed_once(self.ctx, table, fw)
        if not placed or any(is_cost_indicator(i, l1, l2) for l1, l2, i in placed):
            return
        # a row under 成本 that is plainly not a cost (a count, a date) does not make one
        printed = any(l1 in COST_LEVELS or l2 in COST_LEVELS for l1, l2 in _declared_once(self.ctx, table, fw))
        filed = [i for l1, l2, i in placed if l1 in COST_LEVELS or l2 in COST_LEVELS]
        if filed:
            evidence = "成本指标: " + "; ".join(f"{indicator_label(i)}: {i.target.raw}" for i in filed) + "（均非成本）"
        else:
            evidence = "成本指标: （无三级指标）" if printed else "成本指标: （未设置）"
        yield self.finding("表中没有成本指标，无法反映项目的成本控制要求。", evidence=evidence,
                           location="成本",
                           fix="设置成本指标，如“单位成本 ≤ N 元/个”或分项成本控制数“××费用 ≤ N 万元”。")


@register
class NoSatisfactionIndicator(Rule):
    """No satisfaction indicator although the framework asks for one or the project serves people.

    What it checks: a table with no indicator under 满意度 (服务对象满意度) and no 三级 indicator
    about satisfaction anywhere, when its framework requires 满意度 or its text names people it
    serves (服务对象、群众、职工、学员、农户、村民 …).
    Why: shared/spec/domain.md — both frameworks in use have a 满意度 一级 (服务对象满意度), and
    财预〔2020〕10号 weights satisfaction 10 points in self-evaluation.
    Bad: a training project for 学员 with no 学员满意度.
    Good: 满意度指标 > 服务对象满意度 > 参训学员满意度 ≥ 90%.
    """

    code = "IQ105"
    name = "no-satisfaction-indicator"
    category = "missing_indicator"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        fw = framework_of(table, self.ctx.config.framework)
        placed = _placed_once(self.ctx, table, fw)
        if not placed or any(is_satisfaction_indicator(i, l1, l2) for l1, l2, i in placed):
            return
        required = fw is not None and any(
            {r.partition(">")[0], r.partition(">")[2]} & SATISFACTION_LEVELS
            for r in load_taxonomy().frameworks[fw].required
        )
        text = " ".join(plain_text(f.text) for f in (*table.header.values(), *table.narrative.values()))
        served = first_match(table.title + text, "indicator_lexicon", "service_objects")
        if not (required or served):
            return
        reason = f"项目服务对象涉及“{served}”" if served else "该指标框架要求设置满意度指标"
        yield self.finding(f"表中没有满意度指标，{reason}，应反映服务对象的满意程度。",
                           evidence="满意度指标: （未设置三级指标）", location="满意度",
                           fix=f"设置服务对象满意度指标，如“{served or '服务对象'}满意度 ≥ 90%”，并写明调查方式。")


@register
class Level3WithoutLevel2(Rule):
    """A 三级 indicator printed with no 二级 of its own 一级 above it.

    What it checks: an indicator row with a 三级 name under a 一级 but with no 二级 at all, or
    whose 二级 (carried down from the rows above) belongs to another 一级 of the framework —
    e.g. a row under 效益指标 with an empty 二级 cell, left under the 成本指标 above it.
    Why: shared/spec/domain.md lists "三级 with no 二级" among the defects seen in real tables;
    without its 二级 an indicator cannot be weighed or compared with the framework.
    Bad: 效益指标 > (empty) > 档案安全事故发生次数 ≤ 0次.
    Good: 效益指标 > 社会效益指标 > 档案安全事故发生次数 = 0次.
    """

    code = "IQ106"
    name = "level3-without-level2"
    category = "missing_indicator"
    severity = "info"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        tax = load_taxonomy()
        fw = tax.frameworks.get(framework_of(table, self.ctx.config.framework) or "")
        for ind in table.indicators:
            l3, l1 = (ind.level3 or "").strip(), (ind.level1 or "").strip()
            if not l3 or not l1:
                continue
            c1, c2 = tax.canonical(ind.level1), tax.canonical(ind.level2)
            if (ind.level2 or "").strip():
                if fw is None or c1 not in fw.levels or c2 in fw.levels[c1]:
                    continue
                if not fw.parent_of(c2):
                    continue  # an unknown 二级 name: not evidence of a missing one
                detail = f"（所列二级“{ind.level2}”不属于{l1}）"
            else:
                detail = ""
            yield self.finding(
                f"“{l3}”在一级指标“{l1}”下没有所属的二级指标{detail}。",
                evidence=f"一级指标: {l1}; 二级指标: {ind.level2 or '（空）'}; 三级指标: {l3}",
                indicator=ind,
                fix=f"在{l1}下为“{l3}”补上相应的二级指标（如社会效益、经济效益、数量、质量）。",
            )
