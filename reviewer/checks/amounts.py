"""amount_inconsistency: header amounts against each other, the narrative and the budget totals."""

from __future__ import annotations

import re
from collections.abc import Iterable

from reviewer.checks.common import (
    TOTAL_AMOUNT_KEYS,
    annual_budget,
    budget_amounts,
    fmt_number,
    narrative_fields,
    narrative_fields_once,
)
from reviewer.checks.entities import Quantity, extract_quantities, money_in_yuan, sentence_bounds
from reviewer.checks.registry import Rule, register
from reviewer.models import Document, Finding, Table, TextField

_FUNDING_WORDS = ("所需资金", "需资金", "资金需求", "需要资金", "预算数", "预算资金", "预算金额", "项目资金",
                  "项目预算", "年度预算", "预算总金额", "预算总额", "总投资", "项目投资", "安排资金", "资金总额",
                  "项目总金额", "经费预算", "申请资金", "申请经费", "所需经费", "资金预算")
_FUNDING = re.compile("|".join(map(re.escape, _FUNDING_WORDS)))  # any of them, wherever it stands
_TOTAL_WORDS = ("总投资", "总金额", "总额", "总计", "合计", "总预算")
_NOT_THIS_YEAR = re.compile(r"上年|去年|往年|以前|历年|上一年|[两二三四五六七八九十多]年|年均|累计|每年|共计.{0,4}年")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_SKIP_FIELDS = ("项目实施计划", "实施计划", "立项依据")


class _AmountRule(Rule):
    category = "amount_inconsistency"
    kinds = ("project",)

    def _tol(self, amount: float) -> float:
        return max(self.ctx.config.tolerances.amount_abs_wan, abs(amount) * 1e-4)


@register
class AnnualAboveTotal(_AmountRule):
    """The year's amount is larger than the project's total amount (项目总金额 0.00 with 本年度 5.00).

    What it checks: in the header, 项目本年度金额 must not exceed 项目总金额 — the total
    covers every year of the project, so it is at least this year's money. A total of 0.00
    next to a positive annual amount is the usual form of the error.
    Why: shared/spec/findings.md (amount_inconsistency: the amounts in the header disagree);
    财预〔2015〕88号 完整性 — the amounts of a target table must be filled in and consistent.
    Bad: 项目总金额 "0.00", 项目本年度金额 "5.00".
    Good: 项目总金额 "49.50", 项目本年度金额 "49.50".
    """

    code = "IQ601"
    name = "annual-above-total"
    severity = "error"

    def check(self, table: Table) -> Iterable[Finding]:
        total_f, annual_f = table.header.get("项目总金额"), table.header.get("项目本年度金额")
        yield from self._compare(total_f, annual_f, "项目总金额", "项目本年度金额")

    def _compare(self, total_f: TextField | None, annual_f: TextField | None, total_name: str,
                 annual_name: str) -> Iterable[Finding]:
        if not total_f or not annual_f or total_f.amount is None or annual_f.amount is None:
            return
        total, annual = total_f.amount.wan, annual_f.amount.wan
        if annual <= total + self._tol(annual):
            return
        if total == 0:
            message = f"{total_name}填为{total_f.text}，而{annual_name}为{annual_f.text}万元，总金额漏填或填错。"
        else:
            message = f"{annual_name}{annual_f.text}万元大于{total_name}{total_f.text}万元，金额关系不合理。"
        yield self.finding(
            message,
            evidence=f"{total_name}: {total_f.text}; {annual_name}: {annual_f.text}",
            location=total_name,
            at=total_f.location,
            fix=f"按项目全周期资金填写{total_name}（一年期项目应等于{annual_name}{annual_f.text}万元）。",
        )


@register
class PreviousAnnualAboveTotal(AnnualAboveTotal):
    """Last year's amount is larger than last year's total amount (上年度项目总金额 0.00 with 上年度金额 5.00).

    What it checks: 项目上年度金额 must not exceed 上年度项目总金额, for the same reason as
    this year's pair (IQ601).
    Why: shared/spec/findings.md (amount_inconsistency); 财预〔2015〕88号 完整性.
    Bad: 上年度项目总金额 "0.00", 项目上年度金额 "121.80".
    Good: 上年度项目总金额 "60.00", 项目上年度金额 "50.00".
    """

    code = "IQ602"
    name = "previous-annual-above-total"
    severity = "warning"

    def check(self, table: Table) -> Iterable[Finding]:
        total_f, annual_f = table.header.get("上年度项目总金额"), table.header.get("项目上年度金额")
        yield from self._compare(total_f, annual_f, "上年度项目总金额", "项目上年度金额")


def _clause_start(text: str, pos: int) -> int:
    i = pos
    while i > 0 and text[i - 1] not in "，,；;。！？!?\n：:":
        i -= 1
    return i


def funding_statements(table: Table, budget_year: int | None, ctx_cache: dict | None = None) -> list[Quantity]:
    """Money the narrative states as this project's whole funding ("此项目所需资金约35.9万元")."""
    out = []
    fields = narrative_fields_once(ctx_cache, table)
    for name, text in fields:
        if name.startswith(_SKIP_FIELDS):
            continue
        for q in extract_quantities(text, field=name):
            if q.family != "money" or q.delta:
                continue
            # a funding word in q.context + q.entity + "|" + the clause before the figure
            if not (_FUNDING.search(q.context + q.entity)
                    or _FUNDING.search(text, _clause_start(text, q.start), q.start)):
                continue
            s, e = sentence_bounds(text, q.start)
            sentence = text[s:e]
            clause = text[max(s, q.start - 40):q.end]
            if _NOT_THIS_YEAR.search(clause):
                continue
            years = {int(y) for y in _YEAR.findall(sentence)}
            if budget_year and years - {budget_year}:
                continue
            if re.search(r"其中|分别", text[max(s, q.start - 12):q.start]):
                continue  # a part of another amount
            out.append(q)
    return out


@register
class NarrativeAmountDiffers(_AmountRule):
    """The narrative states the project's funding differently from the header amount.

    What it checks: sentences of the narrative that state the money the project needs or is
    budgeted ("所需资金为49.5万元", "预算数为5万元", "年度预算总金额3万元") are compared with
    项目本年度金额 (or 项目总金额 / 财政拨款). Statements about other years, several years
    (三年合计, 每年) or parts (其中) are left out; a cap ("不超过60万元") only has to hold.
    Why: shared/spec/findings.md (amount_inconsistency); 财预〔2015〕88号 适当性 — the money
    and the targets must describe the same project.
    Bad: 项目概况 "此项目所需资金约35.9万元" with 项目本年度金额 "35.70".
    Good: 年度绩效目标 "…工作经费预算数为5万元" with 项目本年度金额 "5.00".
    """

    code = "IQ603"
    name = "narrative-amount-differs"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        amounts = budget_amounts(table)
        main = annual_budget(table)
        if not amounts or main is None:
            return
        field, amount = main
        totals = {k: v for k, v in amounts.items() if k in TOTAL_AMOUNT_KEYS}
        seen: set[float] = set()
        for q in funding_statements(table, self.ctx.budget_year, self.ctx.cache):
            wan = (money_in_yuan(q.value, q.unit) or 0.0) / 10_000
            against = amounts
            if any(w in q.context + q.entity for w in _TOTAL_WORDS):
                if not totals:
                    continue  # "项目总投资5000万元" with no total amount printed: nothing to compare with
                against = totals
            if q.comparator in ("<=", "<") and amount <= wan + self._tol(wan):
                continue
            if q.comparator in (">=", ">") and amount >= wan - self._tol(wan):
                continue
            if any(abs(wan - v) <= self._tol(v) for v in against.values()) or wan in seen:
                continue
            seen.add(wan)
            yield self.finding(
                f"{q.field}写“{q.quote}”，与{field}{table.header[field].text}万元不一致。",
                evidence=f"{q.cite()}; {field}: {table.header[field].text}",
                location=q.field or "",
                at=table.header[field].location,
                fix=f"核实项目资金，统一{q.field}与{field}的金额。",
            )


# ---------------------------------------------------------------- document: projects vs department totals

_TOTAL_LABEL = re.compile(r"^(合计|总计|共计|支出合计|本年支出合计)$")
_NUM = re.compile(r"^-?\d[\d,]*(\.\d+)?$")


def _num(text: str) -> float | None:
    t = text.strip()
    return float(t.replace(",", "")) if _NUM.match(t) else None


def project_spending_total(doc: Document) -> tuple[Table, str, float] | None:
    """(source table, evidence, 万元) of the department's 项目支出 total, from wherever it is printed."""
    for t in doc.tables:
        if t.kind != "budget" or not t.columns or "支出" not in t.title:
            continue
        col = next((k for k, c in enumerate(t.columns) if re.fullmatch(r"项目支出(/(小计|合计))?", c)), None)
        if col is None:
            continue
        for r in t.rows:
            texts = [c.text.strip() for c in r.cells]
            if any(_TOTAL_LABEL.match(x.replace(" ", "")) for x in texts) and col < len(texts):
                v = _num(texts[col])
                if v is not None:
                    return t, f"{t.title} 合计行 {t.columns[col]}: {texts[col]}", v
    for t in doc.tables:
        if t.kind == "budget" and not t.columns:
            for name, text in narrative_fields(t):
                for q in extract_quantities(text, field=name):
                    if q.family == "money" and q.entity == "项目支出" and not q.delta:
                        return t, q.cite(), (money_in_yuan(q.value, q.unit) or 0.0) / 10_000
    for t in doc.tables:
        if t.kind == "department":
            f = t.header.get("项目支出")
            if f is not None and f.amount is not None:
                return t, f"{f.name}: {f.text}", f.amount.wan
            m = re.search(r"项目支出\s*(?:[(（]万元[)）])?\s*\t+\s*(\d[\d,]*(?:\.\d+)?)", t.text)
            if m:
                return t, f"项目支出: {m.group(1)}", float(m.group(1).replace(",", ""))
    return None


@register
class ProjectsDifferFromDepartmentTotal(_AmountRule):
    """The projects' annual amounts do not add up to the department's 项目支出 total.

    What it checks: in a budget document that prints both the project target tables and the
    department's 项目支出 total (支出总体情况表 合计 row, the 预算说明, or the 整体绩效目标表),
    the sum of every project's 项目本年度金额 is compared with that total. More money in the
    projects than in the total is a warning; less is worth a look (info), since a document may
    not print every project's table.
    Why: shared/spec/findings.md (amount_inconsistency: amounts that disagree with budget
    totals); 财预〔2015〕88号 完整性.
    Bad: projects adding up to 320.0万元 against 项目支出 303.2万元.
    Good: 5 + 118 + 50 + 5 + 35.7 + 40 + 49.5 = 303.2万元 = 项目支出 303.2万元.
    """

    code = "IQ604"
    name = "projects-differ-from-department-total"
    severity = "warning"
    scope = "document"
    kinds = ("project", "budget", "department")

    def check_document(self, document: Document) -> Iterable[tuple[Table, Finding]]:
        projects = [t for t in document.tables if t.kind == "project"]
        if not projects:
            return
        amounts = []
        for t in projects:
            f = t.header.get("项目本年度金额")
            if f is None or f.amount is None:
                return  # cannot add up what is not printed
            amounts.append(f.amount.wan)
        found = project_spending_total(document)
        if found is None:
            return
        source, evidence, total = found
        s = sum(amounts)
        tol = max(self.ctx.config.tolerances.amount_abs_wan, total * 1e-3)
        if abs(s - total) <= tol:
            return
        parts = " + ".join(fmt_number(a) for a in amounts)
        more = s > total
        message = (f"{len(projects)}个项目的本年度金额合计{fmt_number(s)}万元，"
                   f"{'超过' if more else '少于'}部门项目支出{fmt_number(total)}万元"
                   + ("。" if more else "，请核实是否有项目未编制绩效目标表。"))
        yield source, self.finding(
            message,
            evidence=f"项目本年度金额: {parts} = {fmt_number(s)}; {evidence}",
            location="项目支出",
            fix="核对各项目本年度金额与部门预算项目支出，使二者一致。",
            severity=None if more else "info",
        )


# ---------------------------------------------------------------- funding sources and inline breakdowns

_BREAKDOWN = re.compile(r"[（(]([^（）()]*\d[^（）()]*)[)）]")
_SOURCE_KEYS = ("财政拨款", "其他资金")


def _parts_in(text: str) -> list[float]:
    """Money amounts (万元) listed inside the first bracket of a header cell: "854万(…400万元,…295万元)"."""
    m = _BREAKDOWN.search(text or "")
    if not m:
        return []
    qs = extract_quantities(m.group(1))
    return [(money_in_yuan(q.value, q.unit) or 0.0) / 10_000 for q in qs if q.family == "money" and not q.delta]


@register
class FundingSourcesDisagree(_AmountRule):
    """The header's funding sources or its inline breakdown do not add up to the amount.

    What it checks: (1) an amount cell that lists its parts in brackets ("854万(高标准农田建设
    400万元,示范建设295万元,畅通工程159万元)") must equal their sum; (2) the funding sources
    (财政拨款, 其他资金) must add up to the year's amount when both are printed, and 财政拨款
    alone cannot exceed it.
    Why: shared/spec/findings.md (amount_inconsistency: the amounts in the header disagree);
    财预〔2015〕88号 完整性.
    Bad: 年度资金总额 "427万(高标准农田建设400万元,示范建设295万元,畅通工程159万元)"; 资金总额 1.5
    with 财政拨款 3 and 其他资金 0.
    Good: 年度资金总额 "854万(…400万元,…295万元,…159万元)"; 资金总额 3 = 财政拨款 3 + 其他资金 0.
    """

    code = "IQ605"
    name = "funding-sources-disagree"
    severity = "warning"

    def check(self, table: Table) -> Iterable[Finding]:
        for key, f in table.header.items():
            if f.amount is None or f.amount.wan <= 0:
                continue
            parts = _parts_in(f.text)
            if len(parts) >= 2 and abs(sum(parts) - f.amount.wan) > self._tol(f.amount.wan) * len(parts):
                yield self.finding(
                    f"{f.name}{fmt_number(f.amount.wan)}万元与括号内分项合计{fmt_number(sum(parts))}万元不一致。",
                    evidence=f"{f.name}: {f.text}",
                    location=f.name, at=f.location,
                    fix=f"核对{f.name}及其分项金额，使总额等于分项之和。",
                )
        annual_f = table.header.get("项目本年度金额")
        sources = {k: table.header[k] for k in _SOURCE_KEYS if k in table.header and table.header[k].amount}
        if annual_f is None or annual_f.amount is None or "财政拨款" not in sources:
            return
        annual = annual_f.amount.wan
        total = sum(f.amount.wan for f in sources.values())
        complete = len(sources) == len(_SOURCE_KEYS)
        if (complete and abs(total - annual) > self._tol(annual)) or total > annual + self._tol(annual):
            listed = "; ".join(f"{f.name}: {f.text}" for f in sources.values())
            yield self.finding(
                f"资金来源合计{fmt_number(total)}万元与{annual_f.name}{annual_f.text}不一致。",
                evidence=f"{annual_f.name}: {annual_f.text}; {listed}",
                location=annual_f.name, at=annual_f.location,
                fix="核对年度资金总额与各资金来源，使资金来源之和等于年度资金总额。",
            )
