"""misclassified: an indicator filed under the wrong 一级 or 二级 category.

Only clear evidence counts: the 三级 name (matched against the taxonomy's keyword library and
the lexicon) and its unit must both point away from where the row is filed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reviewer.checks.common import (
    affinity,
    first_match,
    framework_of,
    indicator_evidence,
    indicator_label,
    indicator_levels,
    level2_of,
)
from reviewer.checks.formatting import names_a_count
from reviewer.checks.registry import Rule, register
from reviewer.extract.units import unit_family
from reviewer.models import Finding, Indicator, Table

LEX = "indicator_lexicon"
BENEFITS = {"经济效益", "社会效益", "生态效益", "环境效益", "可持续影响"}
OUTPUT_LEVEL1 = {"产出", "效益"}
COST_LEVELS = {"成本", "经济成本", "社会成本", "生态环境成本"}
SATISFACTION = {"满意度", "服务对象满意度"}
_RATE_NAME = re.compile(r"(率|比例|比率|占比|比重)$")
_STRONG_QUALITY = ("合格率", "验收", "达标率", "优良率", "完好率", "通过率", "准确率", "正确率")
_BENEFIT_NAMED = re.compile(r"(经济效益|社会效益|生态效益|环境效益)")
_ECONOMIC = ("收入", "产值", "增收", "利润", "税收")
_PAID_OUT = re.compile(r"补贴|补助|奖补|救助|抚恤|资助|助学")


def _unit_family(ind: Indicator) -> str:
    return unit_family(ind.target.unit) if ind.target.unit else ""


def _group(l1: str) -> str:
    """产出/产出目标 → 产出, 效益/效果目标 → 效益 (for the families of the frameworks)."""
    return {"产出目标": "产出", "效果目标": "效益", "影响力目标": "效益"}.get(l1, l1)


class _MisfiledRule(Rule):
    category = "misclassified"
    kinds = ("project", "department")

    def placed(self, table: Table) -> list[tuple[Indicator, str, str]]:
        """(indicator, canonical 一级, canonical 二级) of every named indicator (once per run)."""
        def compute() -> list[tuple[Indicator, str, str]]:
            fw = framework_of(table, self.ctx.config.framework)
            return [(ind, l1, l2) for ind, (l1, l2) in zip(table.indicators, indicator_levels(self.ctx.cache, table, fw),
                                                           strict=True) if ind.level3]

        return self.ctx.memo(("misfiled-placed", id(table)), compute)


@register
class RateUnderQuantity(_MisfiledRule):
    """A rate filed under 数量.

    What it checks: an indicator under 数量 whose name is a rate or share (…率, 比例, 占比) or
    whose target is a percentage, e.g. 逾期率 ≤0.15% under 数量.
    Why: shared/spec/domain.md — "rates filed under 数量" are a defect seen in real tables; 数量
    counts what the project produces, while rates of quality or outcome belong under 质量 or 效益.
    Bad: 产出目标 > 数量 > 逾期率 ≤ 0.15%.
    Good: 效果目标 > 社会效益 > 贷款逾期率 ≤ 0.15%; 数量 > 新增缴存单位 ≥ 150家.
    """

    code = "IQ1001"
    name = "rate-under-quantity"
    severity = "warning"

    def check(self, table: Table) -> Iterable[Finding]:
        for ind, _, l2 in self.placed(table):
            if l2 != "数量" or _unit_family(ind) in {"count", "money", "area", "length", "weight"}:
                continue
            name = ind.level3 or ""
            if not (_RATE_NAME.search(name) or _unit_family(ind) == "percent"):
                continue
            if names_a_count(name):
                continue  # a count written in % (补贴发放户数 ≥98%): the unit is wrong, IQ403
            better = level2_of(name)
            target = better if better and better != "数量" else "质量或效益"
            yield self.finding(
                f"“{indicator_label(ind)}”是比率指标，不应列在数量指标下。",
                evidence=f"二级指标: {ind.level2}; {indicator_evidence(ind)}", indicator=ind,
                fix=f"将“{indicator_label(ind)}”移到{target}指标下；数量指标应写产出的实物量（个、人、次等）。",
            )


@register
class SatisfactionOutsideSatisfaction(_MisfiledRule):
    """A satisfaction indicator filed outside 满意度.

    What it checks: an indicator named as satisfaction (…满意度, 满意率) filed under another 二级
    (社会效益, 质量 …) instead of 满意度 / 服务对象满意度.
    Why: shared/spec/domain.md — "satisfaction filed under 社会效益" is a defect seen in real tables;
    both frameworks in use give satisfaction its own 一级 (满意度 > 服务对象满意度), weighted
    separately in 财预〔2020〕10号.
    Bad: 效果目标 > 社会效益 > 职工满意度 ≥ 90%.
    Good: 效果目标 > 满意度 > 职工满意度 ≥ 90%.
    """

    code = "IQ1002"
    name = "satisfaction-outside-satisfaction"
    severity = "warning"

    def check(self, table: Table) -> Iterable[Finding]:
        for ind, l1, l2 in self.placed(table):
            name = ind.level3 or ""
            if "满意" not in name or not l2 or l2 in SATISFACTION or l1 in SATISFACTION:
                continue
            if _unit_family(ind) == "count":
                continue  # e.g. 满意度调查次数: a count, not a satisfaction level
            yield self.finding(
                f"“{indicator_label(ind)}”是满意度指标，却列在{ind.level2}下。",
                evidence=f"二级指标: {ind.level2}; {indicator_evidence(ind)}", indicator=ind,
                fix=f"将“{indicator_label(ind)}”移到满意度（服务对象满意度）指标下。",
            )


@register
class QualityTimelinessSwapped(_MisfiledRule):
    """A quality indicator under 时效, or a timeliness indicator under 质量.

    What it checks: under 时效, a name with clear quality evidence (合格率, 故障率, 发生率, 达标率 …)
    and no time evidence, whose target is not a date or duration; under 质量, a name whose only
    evidence is timeliness (及时, 时限, 完成时间, 按时 …). Evidence comes from the taxonomy's
    keyword library (reviewer/data/taxonomy.yaml, level3_keywords).
    Why: shared/spec/domain.md — "quality filed under 时效" is a defect seen in real tables; 时效
    measures when the output is delivered, 质量 how good it is.
    Bad: 时效 > 故障重复发生率 ≤ 3%; 质量 > 工作及时性 — 及时.
    Good: 质量 > 故障重复发生率 ≤ 3%; 时效 > 故障响应时间 ≤ 2小时.
    """

    code = "IQ1003"
    name = "quality-timeliness-swapped"
    severity = "warning"

    def check(self, table: Table) -> Iterable[Finding]:
        for ind, _, l2 in self.placed(table):
            name = ind.level3 or ""
            quality, timely = affinity(name, "质量"), affinity(name, "时效")
            if l2 == "时效" and quality >= 2 and timely == 0:
                if ind.target.kind in {"date", "period"} or _unit_family(ind) in {"duration", "date"}:
                    continue
                move = "质量"
            elif l2 == "质量" and timely >= 2 and quality == 0:
                if ind.target.comparator in {">=", ">"} and _unit_family(ind) == "duration":
                    continue  # a minimum length of service (开放时间 ≥56小时) sets no deadline
                move = "时效"
            else:
                continue
            yield self.finding(
                f"“{indicator_label(ind)}”反映的是{move}，却列在{ind.level2}指标下。",
                evidence=f"二级指标: {ind.level2}; {indicator_evidence(ind)}", indicator=ind,
                fix=f"将“{indicator_label(ind)}”移到{move}指标下"
                    + ("，并写明完成时限。" if move == "时效" else "。"),
            )


@register
class InputAsOutput(_MisfiledRule):
    """An input (budget executed, funds in place) given as an output or effect.

    What it checks: indicators about money going in — 预算执行率, 资金到位, 资金支付, 支出安排金额,
    资金使用率 … — filed under 产出 or 效益 (other than a 成本 level). A subsidy paid out to people
    (补贴资金拨付时限 in a subsidy project) is the output itself and is not reported.
    Why: shared/spec/domain.md — local rules: "inputs (money, staff, goods) are not performance
    targets"; budget execution belongs to 投入管理 / 预算执行 where the template has it.
    Bad: 产出指标 > 时效指标 > 项目财政资金到位时间; 数量指标 > 业务工作支出安排金额.
    Good: 产出指标 > 时效指标 > 价格认定办结时间 ≤ 30个工作日.
    """

    code = "IQ1004"
    name = "input-as-output"
    severity = "warning"

    def check(self, table: Table) -> Iterable[Finding]:
        for ind, l1, l2 in self.placed(table):
            if _group(l1) not in OUTPUT_LEVEL1 or l2 in COST_LEVELS or l1 in COST_LEVELS:
                continue
            word = first_match(ind.level3 or "", LEX, "input_words")
            if not word or _PAID_OUT.search(ind.level3 or ""):
                continue  # paying a subsidy out to people is what a subsidy project produces
            yield self.finding(
                f"“{indicator_label(ind)}”反映资金投入（{word}），不是产出或效益，不宜列在{ind.level2 or l1}下。",
                evidence=f"二级指标: {ind.level2 or ''}; {indicator_evidence(ind)}", indicator=ind,
                fix="删去该指标或移到投入管理（预算执行）类指标下，在产出指标中改写项目实际完成的工作量、质量和时限。",
            )


@register
class BenefitFiledAsAnother(_MisfiledRule):
    """A benefit indicator named as one kind of benefit but filed under another.

    What it checks: a 三级 name that itself says which benefit it is (经济效益, 社会效益, 生态效益)
    filed under a different benefit 二级, e.g. 经济效益指标 under 社会效益.
    Why: shared/spec/domain.md — indicators "filed under the wrong 一级 or 二级 category" include
    效益 rows placed under the wrong kind of benefit; both frameworks separate 经济效益, 社会效益 and
    生态效益.
    Bad: 社会效益 > 经济效益指标 — 项目实施后的经济效益达到100%.
    Good: 经济效益 > 逾期贷款回收额 ≥ 15万元.
    """

    code = "IQ1005"
    name = "benefit-filed-as-another"
    severity = "warning"

    def check(self, table: Table) -> Iterable[Finding]:
        for ind, _, l2 in self.placed(table):
            m = _BENEFIT_NAMED.search(ind.level3 or "")
            if not m or l2 not in BENEFITS:
                continue
            named = m.group(1)
            if named == l2 or {named, l2} == {"生态效益", "环境效益"} or l2 in (ind.level3 or ""):
                continue
            yield self.finding(
                f"“{indicator_label(ind)}”属于{named}，却列在{ind.level2}下。",
                evidence=f"二级指标: {ind.level2}; {indicator_evidence(ind)}", indicator=ind,
                fix=f"移到{named}指标下，并改为可计量的具体指标。",
            )


@register
class OutputFiledAsBenefit(_MisfiledRule):
    """An output quality indicator filed under 效益, or an economic effect filed under 产出.

    What it checks: under a benefit 二级, a name whose only evidence is output quality (合格率,
    验收, 达标率, 完好率 …); under 数量/质量/时效, a name about income or output value (收入, 产值,
    增收, 利润, 税收). Reported at info: templates differ on borderline cases.
    Why: shared/spec/domain.md — "效益 confused with 质量" is a defect seen in real tables; 效益 is
    the effect of the outputs on people, the economy or the environment, not the outputs' quality.
    Bad: 社会效益 > 工程验收合格率 = 100%.
    Good: 质量 > 工程验收合格率 = 100%; 社会效益 > 受益人口 ≥ 500人.
    """

    code = "IQ1006"
    name = "output-filed-as-benefit"
    severity = "info"

    def check(self, table: Table) -> Iterable[Finding]:
        for ind, _, l2 in self.placed(table):
            name = ind.level3 or ""
            if l2 in BENEFITS:
                word = next((w for w in _STRONG_QUALITY if w in name), None)
                if not word or affinity(name, l2):
                    continue
                msg = f"“{indicator_label(ind)}”反映产出质量（{word}），不是效益，却列在{ind.level2}下。"
                fix = f"将“{indicator_label(ind)}”移到质量指标下，效益指标改写项目带来的实际效果。"
            elif l2 in {"数量", "质量", "时效"}:
                word = next((w for w in _ECONOMIC if w in name), None)
                if not word or _unit_family(ind) == "count":
                    continue
                msg = f"“{indicator_label(ind)}”反映经济效益（{word}），却列在{ind.level2}下。"
                fix = f"将“{indicator_label(ind)}”移到经济效益指标下。"
            else:
                continue
            yield self.finding(msg, evidence=f"二级指标: {ind.level2}; {indicator_evidence(ind)}",
                               indicator=ind, fix=fix)
