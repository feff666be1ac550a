"""stale_date: years and dates that fall outside the budget year where they should fall inside it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from reviewer.checks.common import narrative_fields_once
from reviewer.checks.entities import CLAUSE_BREAKS, sentence_bounds
from reviewer.checks.registry import Rule, register
from reviewer.extract.numbers import NumberSpan, find_numbers
from reviewer.models import Finding, Table

# Fields that plan the budget year's work (department tables: everything but the duties).
PLAN_FIELDS = ("项目实施计划", "实施计划", "年度绩效目标", "年度目标", "项目总目标", "年度主要任务",
               "年度履职目标")
_NOT_PLAN_FIELDS = ("项目概况", "立项依据", "项目设立的必要性", "部门职责", "备注", "项目配套制度措施")

# Words that make a past year a plan step ("2020年9月付…3万元") …
PLAN_VERBS = ("支付", "付", "完成", "采购", "实施", "签订", "验收", "启动", "开工", "竣工", "建成", "招标",
              "发放", "拨付", "实现", "开展", "具备", "投入使用", "交付", "上线", "部署", "落实", "前")
# … and words that make it history or a citation ("成立于1999年", "2020年…中：", "比2020年").
HISTORY_MARKERS = re.compile(
    r"依据|根据|文件|通知|意见|办法|条例|成立|设立于|始建|上年|去年|以前|以来|截至|截止|期末|同期|累计|"
    r"已经|已|历年|决算|执行数|实际支出|实际完成|完成了|结转|结余|比|较|相比|从|自|起|中[：:]|"
    r"年度?[^，。；]{0,25}中[：:]"
)
_BEFORE_DATE_HISTORY = re.compile(r"(比|较|与|同|截至|截止|从|自|于|至|在|上|按|按照|参照|依照|沿用|对)\s*$")
_ERA_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*(是|为)[^。；;]{0,40}?(之年|关键|决胜|攻坚年|收官|开局|起步)")
_BUDGET_SUBJECT = re.compile(
    r"((?:19|20)\d{2})\s*年(?!\s*(?:相比|同期|期末|年末|年底|末|决算|无此|以前|以来|起|至今))"
    r"[^，。；,;比较]{0,20}?预算"
)


def _past_dates(text: str, budget_year: int) -> list[NumberSpan]:
    return [s for s in find_numbers(text) if s.kind == "date" and s.year is not None
            and s.year < budget_year and not s.quoted]


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    i = start
    while i > 0 and text[i - 1] not in CLAUSE_BREAKS - {"、", "（", "）", "(", ")"}:
        i -= 1
    j = end
    while j < len(text) and text[j] not in CLAUSE_BREAKS - {"、", "（", "）", "(", ")"}:
        j += 1
    return i, j


class _DateRule(Rule):
    category = "stale_date"
    kinds = ("project", "department")


def _is_plan_field(table: Table, name: str) -> bool:
    if name.startswith(PLAN_FIELDS):
        return True
    if table.kind == "department":
        return not name.startswith(_NOT_PLAN_FIELDS)
    return False


@register
class PlanDatedBeforeBudgetYear(_DateRule):
    """A plan or target is dated in a year before the budget year.

    What it checks: the implementation plan (项目实施计划) and the target fields (年度绩效目标,
    项目总目标, a department's 年度主要任务 …) should schedule work in the budget year. A date
    of an earlier year followed by a plan verb (支付/付/完成/采购/实施/验收/具备 …) in the same
    clause — "2020年9月付…3万元", "争取到2020年底前具备验收条件" in a 2021 table — was left
    from an earlier year's table. Years inside citations (济财[2019]5号, 《…》), history
    ("成立于1999年", "截至2020年底", "比2020年") and descriptions of last year's spending are
    not reported.
    Why: shared/spec/domain.md: "Years from an earlier budget left in a later table; a whole
    table copied from last year"; 财预〔2015〕88号 可行性 (achievable within the period).
    Bad: 项目实施计划 "1、2020年9月付河南剑光律师事务所业务委托费用3万元" in a 2021 table.
    Good: 项目实施计划 "2021年6月底支付50%，2021年10月底支付80%".
    """

    code = "IQ801"
    name = "plan-dated-before-budget-year"
    severity = "error"

    def check(self, table: Table) -> Iterable[Finding]:
        year = self.ctx.budget_year or table.year
        if not year:
            return
        for name, text in narrative_fields_once(self.ctx.cache, table):
            if not _is_plan_field(table, name):
                continue
            stale = []
            for d in _past_dates(text, year):
                s, e = _clause(text, d.start, d.end)
                before, after = text[s:d.start], text[d.end:e]
                if _BEFORE_DATE_HISTORY.search(before.rstrip()) or HISTORY_MARKERS.search(before + after[:12]):
                    continue
                if not any(v in after for v in PLAN_VERBS):
                    continue
                if any(o.year and o.year >= year for o in find_numbers(text[d.end:e]) if o.kind == "date"):
                    continue  # a range into the budget year ("2019年至2021年")
                stale.append((d, text[s:e].strip()))
            if not stale:
                continue
            quotes = "; ".join(f"{name}: {q}" for _, q in stale[:4])
            years = "、".join(dict.fromkeys(f"{d.year}年" for d, _ in stale))
            plan = name.startswith(("项目实施计划", "实施计划"))
            yield self.finding(
                f"{name}安排在{years}，早于预算年度{year}年，疑为沿用往年内容。",
                evidence=quotes,
                location=name,
                fix=f"按{year}年的实际进度重写{name}中的时间节点。",
                severity=None if plan else "warning",
            )


_DATE_IN_HEADER = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})?")


@register
class ProjectPeriodOutsideYear(_DateRule):
    """The project's start or end date does not fit the budget year.

    What it checks: 开始时间/结束时间 in the header. A project that ends before the budget
    year starts, or ends before it starts, cannot be funded by this year's budget; one that
    starts after the budget year is worth a look. Multi-year projects that began earlier
    and run into the budget year are fine.
    Why: shared/spec/domain.md: years from an earlier budget left in a later table;
    财预〔2015〕88号 完整性.
    Bad: 开始时间 "2020-01-01", 结束时间 "2020-12-31" in a 2021 budget.
    Good: 开始时间 "2021-01-01", 结束时间 "2021-12-31".
    """

    code = "IQ802"
    name = "project-period-outside-year"
    severity = "error"
    kinds = ("project",)

    def check(self, table: Table) -> Iterable[Finding]:
        year = self.ctx.budget_year or table.year
        start_f, end_f = table.header.get("开始时间"), table.header.get("结束时间")
        start = _year_month(start_f.text) if start_f else None
        end = _year_month(end_f.text) if end_f else None
        evidence = "; ".join(f"{f.name}: {f.text}" for f in (start_f, end_f) if f)
        if start and end and end < start:
            yield self.finding("结束时间早于开始时间。", evidence=evidence, location="开始时间/结束时间",
                               at=end_f.location, fix="核对并更正项目起止时间。")
            return
        if not year:
            return
        if end and end[0] < year:
            yield self.finding(
                f"项目结束时间{end_f.text}早于预算年度{year}年，疑为沿用往年表格。",
                evidence=evidence, location="结束时间", at=end_f.location,
                fix=f"按{year}年度的实施期填写开始时间和结束时间。",
            )
        elif start and start[0] > year:
            yield self.finding(
                f"项目开始时间{start_f.text}晚于预算年度{year}年。",
                evidence=evidence, location="开始时间", at=start_f.location, severity="warning",
                fix=f"核对项目开始时间是否应在{year}年内。",
            )


def _year_month(text: str) -> tuple[int, int] | None:
    m = _DATE_IN_HEADER.search(text or "")
    if not m:
        return None
    return int(m.group(1)), int(m.group(2) or 1)


@register
class DeadlineBeforeBudgetYear(_DateRule):
    """A 时效 target is a date before the budget year.

    What it checks: indicators whose target is a date (including Excel serials such as
    "44,561" read back as dates) must fall within, not before, the budget year.
    Why: shared/spec/domain.md: Excel date serials leaked into a 时效 value, years from an
    earlier budget left in a later table; a deadline already past cannot be evaluated
    (财预〔2020〕10号).
    Bad: 完成时间 "2020年12月31日" in a 2021 table.
    Good: 完成时间 "2021年12月31日前".
    """

    code = "IQ804"
    name = "deadline-before-budget-year"
    severity = "error"

    def check(self, table: Table) -> Iterable[Finding]:
        year = self.ctx.budget_year or table.year
        if not year:
            return
        for ind in table.indicators:
            d = ind.target.date_end or ind.target.date
            if d is None or d.year >= year:
                continue
            yield self.finding(
                f"时效指标“{ind.level3}”的目标日期{d.isoformat()}早于预算年度{year}年。",
                evidence=f"三级指标: {ind.level3}; 指标值: {ind.target.raw}",
                indicator=ind,
                fix=f"改为{year}年内的完成时限，如“≤{year}年12月31日”。",
            )


@register
class PastYearAsCurrent(_DateRule):
    """The narrative speaks of an earlier year as the current one ("2018年是…关键之年").

    What it checks: sentences that present a year before the budget year as the present
    ("X年是…之年/关键/决胜/收官") in the narrative of a project or department table.
    Why: shared/spec/domain.md: "Years from an earlier budget left in a later table; a whole
    table copied from last year".
    Bad: 项目设立的必要性 "2018年是全市深入推进脱贫攻坚工作的关键之年" in a 2021 table.
    Good: "2021年是“十四五”开局之年" in a 2021 table.
    """

    code = "IQ805"
    name = "past-year-as-current"
    severity = "info"

    def check(self, table: Table) -> Iterable[Finding]:
        year = self.ctx.budget_year or table.year
        if not year:
            return
        for name, text in narrative_fields_once(self.ctx.cache, table):
            for m in _ERA_YEAR.finditer(text):
                if int(m.group(1)) >= year:
                    continue
                quote = text[m.start():_clause(text, m.start(), m.end())[1]].strip()
                yield self.finding(
                    f"{name}写“{quote}”，以{m.group(1)}年为当前年份，与预算年度{year}年不符。",
                    evidence=f"{name}: {quote}",
                    location=name,
                    fix=f"按{year}年的形势重写该段，删去往年表述。",
                )
                break


@register
class BudgetNarrativePastYear(_DateRule):
    """The budget narrative states this year's budget under an earlier year.

    What it checks: in the 部门预算说明 of a budget document, a sentence that gives a budget
    figure under a year before the budget year ("2020年机关运行经费支出预算0.0万元" in a 2021
    document). Comparisons ("比2020年减少", "与2020年相比", a sentence that also names the budget
    year), last year's facts ("2020年期末", "2020年无此项开支") and execution ("2020年预算执行")
    are not reported.
    Why: shared/spec/domain.md: "Years from an earlier budget left in a later table".
    Bad: "济源市住房公积金管理中心2020年机关运行经费支出预算0.0万元" in the 2021 说明.
    Good: "2021年机关运行经费支出预算0.0万元，比2020年减少0.0万元".
    """

    code = "IQ803"
    name = "budget-narrative-past-year"
    severity = "warning"
    kinds = ("budget",)

    def check(self, table: Table) -> Iterable[Finding]:
        year = self.ctx.budget_year or table.year
        if not year or table.columns:
            return
        for name, text in narrative_fields_once(self.ctx.cache, table):
            for m in _BUDGET_SUBJECT.finditer(text):
                y = int(m.group(1))
                if y >= year or _BEFORE_DATE_HISTORY.search(text[max(0, m.start() - 3):m.start()].rstrip()):
                    continue
                if re.match(r"\s*(执行|完成|调整|决算|批复)", text[m.end():m.end() + 4]):
                    continue  # last year's execution, not this year's budget
                s0, e0 = sentence_bounds(text, m.start())
                if re.search(rf"{year}\s*年", text[s0:e0]):
                    continue  # a comparison with the budget year in the same sentence
                s, e = _clause(text, m.start(), m.end())
                quote = text[m.start():e].strip()
                yield self.finding(
                    f"{name}写“{quote}”，{year}年预算说明中出现{y}年的预算口径，疑为沿用上年文字。",
                    evidence=f"{name}: {quote}",
                    location=name,
                    fix=f"将该句的年份改为{year}年，并核对对应金额与增减比较。",
                )
