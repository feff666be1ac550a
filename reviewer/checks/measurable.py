"""unmeasurable_target: targets that cannot be measured or verified at the end of the year."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from reviewer.checks.common import (
    NAME_MEMO,
    TEXT_MEMO,
    annual_budget,
    first_match,
    framework_of,
    indicator_evidence,
    indicator_label,
    indicator_levels,
    levels,
    plain_text,
    words,
)
from reviewer.checks.incomplete import cut_reason
from reviewer.checks.registry import Rule, register
from reviewer.extract.units import unit_family, wan_factor
from reviewer.models import Finding, Indicator, Table

LEX = "indicator_lexicon"
COST_LEVELS = {"成本", "经济成本", "社会成本", "生态环境成本"}
_PUNCT = re.compile(r"[\s。，,；;、.!！?？:：“”\"'（）()]+")
_PERCENT_NUMBER = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|百分比)")
_CLAUSE = re.compile(r"[，,；;。、]")
_HAS_DIGIT = re.compile(r"[0-9０-９]")
_STANDARD = re.compile(r"《|标准|规范|规程|GB|[一二三四五ⅠⅡⅢⅣⅤ][级类等]")
_NEGATED = re.compile(r"^\s*(?:无|不|未|零|杜绝|没有)|(?:无|不|未|杜绝)(?:明显|重大|较大|不良|负面)?"
                      r"(?:影响|污染|事故|破坏|投诉|损害|发生|产生|出现|造成)")
_GRADING = re.compile(r"优|良|中|差|档|等级|分级|得分|扣分|满分|分值|评分|[0-9]+\s*分")
_DEADLINE = re.compile(r"\d+\s*(?:年|月|日|天|个?工作日|小时|周)|月底|年底|季度|前完成")


@lru_cache(maxsize=TEXT_MEMO)
def bare(text: str | None) -> str:
    """A value without spaces and punctuation, for whole-value comparisons."""
    return _PUNCT.sub("", plain_text(text))


def is_cost(ind: Indicator, framework: str | None) -> bool:
    """Filed under a 成本 level, or named as a cost (成本/费用)."""
    return _is_cost_at(ind, *levels(ind, framework=framework))


def _is_cost_at(ind: Indicator, l1: str, l2: str) -> bool:
    """`is_cost` of an indicator placed at (l1, l2) = levels(ind, framework=…)."""
    return l1 in COST_LEVELS or l2 in COST_LEVELS or any(w in (ind.level3 or "") for w in ("成本", "费用"))


def _placed(ctx, table: Table) -> Iterator[tuple[Indicator, tuple[str, str]]]:
    """(indicator, (一级, 二级)) of every indicator, placed in the table's framework."""
    fw = framework_of(table, ctx.config.framework)
    return zip(table.indicators, indicator_levels(ctx.cache, table, fw), strict=True)


def is_percent(ind: Indicator) -> bool:
    return ind.target.value is not None and (ind.target.unit or "") in {"%", "％", "百分比"}


def criteria_text(ind: Indicator) -> str:
    return plain_text(" ".join(x for x in (ind.note, ind.basis) if x))


def vague_term(ind: Indicator) -> str | None:
    """The vague wording of a target with no number, or None."""
    t = ind.target
    if t.value is not None or t.date is not None or t.kind in {"date", "period", "empty"}:
        return None
    return _vague_text(t.raw)


@lru_cache(maxsize=NAME_MEMO)
def _vague_text(raw: str) -> str | None:
    raw = plain_text(raw)
    term = first_match(raw, LEX, "vague_terms")
    if term:
        return term
    value = bare(raw)
    if value in words(LEX, "vague_values"):
        return value
    if len(value) <= 12:
        for w in ("提高", "提升", "改善", "增强", "加强", "促进"):
            if value.endswith(w):
                return w
    # a degree adverb and a short verb phrase, e.g. 有效控制, 明显增强, 逐步完善, 得到保障
    if len(value) <= 8 and not _HAS_DIGIT.search(value):
        for w in words(LEX, "vague_adverbs"):
            if value.startswith(w) and 2 <= len(value) - len(w) <= 4:
                return value
    return None


@lru_cache(maxsize=NAME_MEMO)
def timely_word(value: str) -> str | None:
    """The timeliness word of a short value with no number (及时, 按时足额, 按计划完成), or None."""
    if value in words(LEX, "timely_values"):
        return value
    if len(value) > 8 or _HAS_DIGIT.search(value):
        return None
    return next((w for w in words(LEX, "timely_words") if w in value), None)


def timely_without_deadline(ind: Indicator) -> bool:
    if ind.target.value is not None or ind.target.date is not None:
        return False
    if not timely_word(bare(ind.target.raw)):
        return False
    return not _DEADLINE.search(criteria_text(ind))


def satisfaction_without_rate(ind: Indicator) -> bool:
    t = ind.target
    if t.value is not None or t.kind == "empty":
        return False
    return "满意" in plain_text(t.raw) or ("满意" in (ind.level3 or "") and t.kind == "qualitative")


def percent_subject(ind: Indicator) -> str:
    """What a percentage is a percentage of: the 三级 name and the words before the number."""
    return _percent_subject(ind.target.raw, ind.level3)


@lru_cache(maxsize=NAME_MEMO)
def _percent_subject(raw: str, level3: str | None) -> str:
    raw = plain_text(raw)
    matches = list(_PERCENT_NUMBER.finditer(raw))
    before = raw[: matches[-1].start()] if matches else ""
    clause = _CLAUSE.split(before)[-1] if before else ""
    return f"{level3 or ''} {clause}".strip()


def _budget_wan(table: Table) -> float | None:
    order = ("本年度金额", "年度预算资金总额", "年度资金总额", "资金总额", "项目金额", "预算资金")
    for key in order:
        for name, f in table.header.items():
            if key in name and "上年" not in name and f.amount is not None and f.amount.wan > 0:
                return f.amount.wan
    found = annual_budget(table)  # the header under its canonical names (项目总金额 …)
    return found[1] if found else None


_TOTAL_NAME = re.compile(r"总成本|总费用|总额|总金额|预算总|全部")


def _is_money(ind: Indicator) -> bool:
    return bool(ind.target.unit) and unit_family(ind.target.unit) in {"money", "unit_cost"}


def _money_wan(ind: Indicator) -> float | None:
    t = ind.target
    factor = wan_factor(t.unit) if t.unit else None
    return t.value * factor if t.value is not None and factor is not None else None


@register
class VagueTarget(Rule):
    """A target written as a vague direction or feeling instead of a level that can be checked.

    What it checks: targets with no number whose wording only says "better" — 效果明显, 显著提升,
    有所提高, 进一步提高, 明显改善, 有效促进, 应保尽保, 符合相关规定, 达成预期指标, and whole values such
    as 有效, 良好, 较好, 优良 — unless 指标值说明/取值依据 grades them. The word list is data
    (reviewer/data/indicator_lexicon.yaml: vague_terms, vague_values).
    Why: shared/spec/domain.md — local rules require targets 指向明确、具体细化 and, where a number is
    impossible, graded qualitative levels, "never vague verbs"; 财预〔2020〕10号 scores a target
    against the actual result, which a vague wording does not allow.
    Bad: 提高村民人均收入有效性 — 有效; 保证单位正常运转 — 应保尽保.
    Good: 村民人均可支配收入增长率 ≥ 5%; 在职人员经费保障率 = 100%.
    """

    code = "IQ301"
    name = "vague-target"
    category = "unmeasurable_target"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        for ind in table.indicators:
            term = vague_term(ind)
            if not term or satisfaction_without_rate(ind) or timely_without_deadline(ind):
                continue
            if _GRADING.search(criteria_text(ind)):
                continue  # graded levels are given in 指标值说明/取值依据
            name = indicator_label(ind)
            yield self.finding(
                f"“{name}”的指标值“{plain_text(ind.target.raw)}”表述模糊，无法据以考核。",
                evidence=indicator_evidence(ind), indicator=ind,
                fix=f"将“{term}”改为可量化的目标，写明比较符、数值和单位（如“≥ N%”），"
                    "或给出分级分档的评价标准。",
            )


@register
class SatisfactionWithoutRate(Rule):
    """A satisfaction indicator whose target is the word 满意 instead of a rate.

    What it checks: an indicator about satisfaction (满意度) whose target has no number: "满意",
    "较满意", "满意度高".
    Why: shared/spec/domain.md lists "满意 (instead of a rate)" among the vague values seen in real
    tables; satisfaction is scored from a survey as a percentage (财预〔2020〕10号 weights it 10
    points), so the target must be a rate.
    Bad: 贫困村村民满意度 — 满意.
    Good: 贫困村村民满意度 ≥ 90%（问卷调查）.
    """

    code = "IQ302"
    name = "satisfaction-without-rate"
    category = "unmeasurable_target"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        for ind in table.indicators:
            if not satisfaction_without_rate(ind):
                continue
            name = indicator_label(ind)
            yield self.finding(
                f"“{name}”的指标值写为“{plain_text(ind.target.raw)}”，没有满意率，无法考核。",
                evidence=indicator_evidence(ind), indicator=ind,
                fix=f"改为满意率，如“{ind.level3 or '服务对象满意度'} ≥ 90%”，并说明调查方式。",
            )


@register
class TimelyWithoutDeadline(Rule):
    """A timeliness target that says 及时 without a deadline.

    What it checks: targets whose whole value is 及时, 按时, 按期, 如期 … with no date, period or
    number of days in the value or its 指标值说明/取值依据.
    Why: shared/spec/domain.md lists "及时 (without a deadline)" among the vague values seen in real
    tables; a 时效 indicator is verified against a date, so the date must be stated.
    Bad: 计划完成及时性 — 及时.
    Good: 项目完成时间 ≤ 2021年12月31日; 故障响应时间 ≤ 2小时.
    """

    code = "IQ303"
    name = "timely-without-deadline"
    category = "unmeasurable_target"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        year = self.ctx.budget_year or table.year
        for ind in table.indicators:
            if not timely_without_deadline(ind):
                continue
            name = indicator_label(ind)
            deadline = f"{year}年12月31日" if year else "某年某月某日"
            yield self.finding(
                f"“{name}”只写“{plain_text(ind.target.raw)}”，没有完成时限，无法考核是否及时。",
                evidence=indicator_evidence(ind), indicator=ind,
                fix=f"写明时限，如“完成时间 ≤ {deadline}”或“处理时间 ≤ N 个工作日”。",
            )


@register
class PercentOfNothing(Rule):
    """A percentage attached to something that is not a rate.

    What it checks: a target in % whose 三级 name (and the words before the number) names no rate,
    share or change — no 率/比例/占比/覆盖/完成/增长 … — so the percentage has no base. Cost
    indicators are left to IQ305, counts in % to IQ403.
    Why: shared/spec/domain.md — "效益 rows that are abstract goals with a percentage: 维护社会稳定
    ≥95%, 促进村集体经济发展 ≥95%, 项目实施后的经济效益达到100%" are a defect seen in real tables;
    a percentage of nothing cannot be computed at evaluation time.
    Bad: 经济效益指标 — 项目实施后的经济效益达到100%.
    Good: 带动村集体经济增收 ≥ 5万元; 村集体经济收入增长率 ≥ 10%.
    """

    code = "IQ304"
    name = "percent-of-nothing"
    category = "unmeasurable_target"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        for ind, (l1, l2) in _placed(self.ctx, table):
            if not is_percent(ind) or _is_cost_at(ind, l1, l2):
                continue
            subject = percent_subject(ind)
            if not subject or first_match(subject, LEX, "rate_words"):
                continue
            if first_match(ind.level3 or "", LEX, "count_words"):
                continue  # a count in % is IQ403
            name = indicator_label(ind)
            yield self.finding(
                f"“{name}”的指标值“{plain_text(ind.target.raw)}”给出百分比，但指标不是比率，百分之几无从计算。",
                evidence=indicator_evidence(ind), indicator=ind,
                fix="改为可计量的具体指标（如带动增收金额、受益人数），或写明比率的分子分母"
                    "（如“××增长率 ≥ N%”）。",
            )


# 社会成本 / 生态环境成本 (2021 framework) are rates by nature: 碳排放降低率 ≥5% sets a standard.
_NON_ECONOMIC_COST = re.compile(r"社会成本|生态")


@register
class CostSaysNothing(Rule):
    """A cost indicator that sets no cost standard.

    What it checks: cost indicators (under 成本, or named 成本/费用) whose target is a percentage
    (成本控制率 ≤100%, 100%; not 社会成本 or 生态环境成本 rates such as 碳排放降低率 ≥5%), zero (often a rounded cell), a restatement of the budget
    (控制在预算成本内, 不超预算, 符合政策规定),
    or a single cost equal to the whole budget when it is the only cost indicator (a total equal
    to the budget next to other cost rows is reported at info).
    Why: shared/spec/domain.md — "cost indicators that say nothing: 成本控制率 100%, 控制在预算成本内,
    不超预算, or a single cost equal to the whole budget"; 财预〔2021〕101号 asks for unit costs or
    分项成本控制数 where unit cost cannot be split.
    Bad: 成本控制率 ≤100%; 项目总成本 = 50万元 in a 50万元 project with no other cost row.
    Good: U-KEY单价 ≤ 595元/个; 系统维护费 ≤ 9万元.
    """

    code = "IQ305"
    name = "cost-says-nothing"
    category = "unmeasurable_target"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        costs = [i for i, (l1, l2) in _placed(self.ctx, table) if _is_cost_at(i, l1, l2)]
        fix = "改为单位成本或分项成本控制数，如“××单价 ≤ N 元/个”“××费用 ≤ N 万元”。"
        for ind in costs:
            name = indicator_label(ind)
            raw = plain_text(ind.target.raw)
            if is_percent(ind) and not _NON_ECONOMIC_COST.search(ind.level2 or ""):
                msg = f"成本指标“{name}”以百分比表示，只是重申不超预算，没有给出成本标准。"
            elif ind.target.value == 0 and ind.target.kind == "numeric" and _is_money(ind):
                msg = f"成本指标“{name}”的指标值为0，没有给出成本标准（可能是取整后显示为0）。"
            elif ind.target.value is None and first_match(raw, LEX, "cost_noise_terms"):
                msg = f"成本指标“{name}”写为“{raw}”，没有给出具体的成本标准。"
            else:
                continue
            yield self.finding(msg, evidence=indicator_evidence(ind), indicator=ind, fix=fix)
        budget = _budget_wan(table)
        priced = [(i, _money_wan(i)) for i in costs if _money_wan(i) is not None]
        if budget and len(costs) == 1 and len(priced) == 1:
            ind, wan = priced[0]
            tol = max(self.ctx.config.tolerances.amount_abs_wan, budget * 0.005)
            if abs(wan - budget) <= tol and (ind.target.unit or "") in {"元", "万元", "亿元", "千元"}:
                yield self.finding(
                    f"唯一的成本指标“{indicator_label(ind)}”等于项目全部预算，没有反映成本构成。",
                    evidence=f"{indicator_evidence(ind)}; 项目预算: {budget:g}万元", indicator=ind,
                    fix="按主要支出内容拆分为分项成本控制数或单位成本（如“××单价 ≤ N 元/个”）。",
                )
        if budget and len(costs) > 1:
            tol = max(self.ctx.config.tolerances.amount_abs_wan, budget * 0.005)
            for ind, wan in priced:
                if _TOTAL_NAME.search(ind.level3 or "") and abs(wan - budget) <= tol:
                    yield self.finding(
                        f"成本指标“{indicator_label(ind)}”就是项目全部预算，不构成成本控制标准。",
                        evidence=f"{indicator_evidence(ind)}; 项目预算: {budget:g}万元", indicator=ind,
                        severity="info",
                        fix="删去该总额指标，保留分项成本或单位成本指标。",
                    )


@register
class UngradedQualitative(Rule):
    """Qualitative targets (健全, 合理, 合规 …) with no graded criteria.

    What it checks: indicators whose target is a single qualitative word such as 健全, 合理,
    合规, 完备, 可控, 规范, 科学, 相关, 真实, 公开 and whose 指标值说明/取值依据 does not grade it
    (优/良/中/差, 档次, 评分). One finding per table lists them all, to keep the report short.
    Why: shared/spec/domain.md — "quantify where possible, otherwise use graded qualitative levels
    (定性的分级分档形式, e.g. 优/良/中/差 with criteria)"; a yes/no word cannot be scored at
    evaluation time without stated criteria.
    Bad: 财务管理制度健全性 — 健全 (no criteria).
    Good: 财务管理制度健全性 — 优（制度齐全并严格执行）/良/中/差, with criteria in 指标值说明.
    """

    code = "IQ306"
    name = "ungraded-qualitative"
    category = "unmeasurable_target"
    severity = "info"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        rows = []
        graded_words = set(words(LEX, "ungraded_values"))
        for ind in table.indicators:
            t = ind.target
            if t.value is not None or t.kind in {"date", "period", "empty"}:
                continue
            value = bare(t.raw)
            if value not in graded_words:
                continue
            if _GRADING.search(criteria_text(ind)):
                continue
            rows.append(ind)
        if not rows:
            return
        shown = "; ".join(f"{indicator_label(i)}: {plain_text(i.target.raw)}" for i in rows[:8])
        more = f" 等{len(rows)}项" if len(rows) > 8 else ""
        yield self.finding(
            f"{len(rows)}个指标只写“{'”“'.join(dict.fromkeys(bare(i.target.raw) for i in rows[:4]))}”等定性词，"
            "没有分级分档的评价标准。",
            evidence=shown + more, location="定性指标",
            fix="在指标值说明中写明分级标准（如优/良/中/差各自的判定条件），或改为可量化的指标。",
        )


@register
class WorkDescriptionTarget(Rule):
    """A target written as a description of work, with nothing to measure.

    What it checks: a target value that is a phrase or sentence (not a single qualitative word)
    with no number, date or level — "强化事前、事中、事后审核，确保资金安全", "推进…一网通办，提高营商环境",
    "符合条件的参训人员". A value citing a standard or grade (《…》, …标准, Ⅲ类, 一级) is measurable.
    Values cut off mid-word (IQ1201) and vague wording (IQ301) are left to those rules.
    Why: shared/spec/domain.md — "annual targets written as finished results or as work lists"
    are a defect seen in real tables; 财预〔2015〕88号 asks for indicators that are 细化、量化, and a
    list of measures cannot be scored at evaluation time.
    Bad: 资金风险管控 — 强化事前、事中、事后审核，确保资金安全。
    Good: 资金风险管控 — 逾期贷款率 ≤ 0.15%; 专项审计问题整改率 = 100%.
    """

    code = "IQ307"
    name = "work-description-target"
    category = "unmeasurable_target"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        for ind, (l1, l2) in _placed(self.ctx, table):
            t = ind.target
            raw = plain_text(t.raw)
            if t.kind not in {"text", "qualitative"} or t.value is not None or t.date is not None:
                continue
            if _HAS_DIGIT.search(raw) or _STANDARD.search(raw) or _NEGATED.search(raw):
                continue  # a number, a standard, or a yes/no statement (无安全事故, 不发生…)
            if len(bare(raw)) < 8 or vague_term(ind) or satisfaction_without_rate(ind):
                continue
            if timely_without_deadline(ind) or (_is_cost_at(ind, l1, l2)
                                                and first_match(raw, LEX, "cost_noise_terms")):
                continue  # IQ303, IQ305
            if cut_reason(raw, sentence_field=True):
                continue
            yield self.finding(
                f"“{indicator_label(ind)}”的指标值是一段文字描述，没有可衡量的目标值。",
                evidence=indicator_evidence(ind), indicator=ind,
                fix="改为能考核的结果指标，写明比较符、数值和单位（如“××完成率 ≥ 95%”“××次数 ≥ N 次”）。",
            )
