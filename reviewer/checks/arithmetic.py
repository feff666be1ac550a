"""arithmetic_error: totals, changes, shares and sums that do not follow from their parts."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from reviewer.checks.common import NAME_MEMO, fmt_number, narrative_fields_once
from reviewer.checks.entities import Quantity, extract_quantities, money_in_yuan
from reviewer.checks.registry import Rule, register
from reviewer.models import Finding, GridRow, Table

# ---------------------------------------------------------------- budget tables

_NUM = re.compile(r"^-?\d[\d,]*(\.\d+)?$")
_TOTAL_LABEL = re.compile(r"^(合计|总计|共计|小计)$")
_TOTAL_MEMBER = re.compile(r"^(合计|总计|共计|小计)$")
_CODE_COL = re.compile(r"^(类|款|项|科目编码|单位代码|编码|代码|项目编码|功能分类科目编码)$")
_LABEL_COL = re.compile(r"名称|项目|科目$|单位$")
_LIST_MARK = re.compile(r"^\s*(\d{1,2}\s*[、.．]|[一二三四五六七八九十]{1,3}\s*、)")
_SUB_MARK = re.compile(r"^\s*(其中|[（(]\s*\d{1,2}\s*[)）])")
_TWO_SIDED = re.compile(r"^(收入|支出)(合计|总计)$")


def cell_number(text: str) -> float | None:
    t = (text or "").strip()
    return float(t.replace(",", "")) if _NUM.match(t) else None


def _decimals(raw: str) -> int:
    m = re.search(r"\.(\d+)", raw or "")
    return len(m.group(1)) if m else 0


def _half_unit(raw: str) -> float:
    return 0.5 * 10 ** (-_decimals(raw))


@dataclass
class _Grid:
    table: Table
    cols: list[str]
    rows: list[GridRow]
    numeric: set[int]
    codes: list[int]
    labels: list[int]

    def value(self, row: GridRow, col: int) -> float | None:
        return cell_number(row.cells[col].text) if col < len(row.cells) else None

    def raw(self, row: GridRow, col: int) -> str:
        return row.cells[col].text.strip() if col < len(row.cells) else ""

    def label(self, row: GridRow) -> str:
        for k in self.labels:
            t = self.raw(row, k)
            if t:
                return t
        return next((c.text.strip() for c in row.cells if c.text.strip() and cell_number(c.text) is None), "")


def _grid(table: Table) -> _Grid | None:
    cols = table.columns
    rows = [r for r in table.rows if 1 < len(r.cells) <= len(cols)]
    if not cols or not rows:
        return None
    numeric, codes, labels = set(), [], []
    for k, name in enumerate(cols):
        last = name.split("/")[-1].replace(" ", "")
        values = [r.cells[k].text.strip() for r in rows if k < len(r.cells) and r.cells[k].text.strip()]
        if _CODE_COL.match(last):
            codes.append(k)
            continue
        if values and all(cell_number(v) is not None for v in values) and not _LABEL_COL.search(last):
            numeric.add(k)
        elif values:
            labels.append(k)
    # the first run of code columns is the hierarchy (类/款/项); later ones belong to another scheme
    run = []
    for k in codes:
        if not run or k == run[-1] + 1:
            run.append(k)
        else:
            break
    return _Grid(table, cols, rows, numeric, run, labels)


def _tol(n_terms: int, absolute: float) -> float:
    return max(absolute, 0.05) * max(1.0, n_terms / 2)


class _ArithmeticRule(Rule):
    category = "arithmetic_error"
    severity = "error"


@register
class BudgetTableTotals(_ArithmeticRule):
    """A total row or total column of a budget summary table is not the sum of its parts.

    What it checks: in the budget tables (部门支出总体情况表, 一般公共预算基本支出情况表, “三公”
    经费表 …) every 小计/合计/总计 column must equal the sum of the columns it groups
    (总计 = 基本支出 + 项目支出; 基本支出/小计 = 工资福利支出 + 公用经费 + …), every 合计 row the
    sum of the rows below it at some level of the 科目编码 hierarchy (类 | 款 | 项 columns, or one
    column of nested codes 205 / 20502; else the numbered items, leaving out "其中" rows), every 类
    row the sum of its 款 rows and every 款 row the sum of its 项 rows, and 收入合计 = 支出合计.
    Printed values are rounded, so small gaps (tolerances.amount_abs_wan per pair of terms)
    are allowed.
    Why: shared/spec/domain.md, "component sums that differ from printed totals"; the budget
    tables are the figures the narrative and the project tables must agree with.
    Bad: 合计 503.7 with 基本支出 200.5 and 项目支出 313.2.
    Good: 合计 503.7 = 200.5 + 303.2; 基本支出 200.5 = 168.4 + 24.0 + 8.1.
    """

    code = "IQ701"
    name = "budget-table-totals"
    kinds = ("budget",)

    def check(self, table: Table) -> Iterable[Finding]:
        g = _grid(table)
        if g is None:
            return
        yield from self._columns(g)
        yield from self._rows(g)
        yield from self._balance(g)

    # -- columns: X/小计 = Σ X/…; 总计 = Σ groups
    def _columns(self, g: _Grid) -> Iterable[Finding]:
        parents: dict[str, list[int]] = {}
        for k, name in enumerate(g.cols):
            parent = "/".join(name.split("/")[:-1])
            parents.setdefault(parent, []).append(k)
        absolute = self.ctx.config.tolerances.amount_abs_wan
        for parent, members in parents.items():
            totals = [k for k in members if _TOTAL_MEMBER.match(g.cols[k].split("/")[-1].replace(" ", ""))
                      and k in g.numeric]
            if len(totals) != 1:
                continue
            total = totals[0]
            parts = self._parts(g, parent, total)
            if len(parts) < 2:
                continue
            for row in g.rows:
                t = g.value(row, total)
                values = [self._part_value(g, row, p) for p in parts]
                if t is None or all(v is None for v in values):
                    continue
                s = sum(v or 0.0 for v in values)
                if abs(s - t) > _tol(len(parts), absolute):
                    names = " + ".join(f"{self._part_name(g, p)} {fmt_number(v or 0, 2)}" for p, v in zip(parts, values))
                    yield self.finding(
                        f"{g.table.title}“{g.label(row) or '该行'}”行的{g.cols[total]}为{g.raw(row, total)}，"
                        f"而各分项之和为{fmt_number(s)}，合计不等于分项之和。",
                        evidence=f"{g.cols[total]}: {g.raw(row, total)}; {names} = {fmt_number(s)}",
                        location=f"{g.table.title} / {g.label(row)}",
                        at=row.location,
                        fix="核对该行各列金额，使合计列等于各分项之和。",
                    )
                    break  # one finding per column group

    def _parts(self, g: _Grid, parent: str, total: int) -> list[object]:
        """Columns (int) or sub-groups (str path) that add up to `total`."""
        prefix = parent + "/" if parent else ""
        parts: list[object] = []
        seen_groups: set[str] = set()
        for k, name in enumerate(g.cols):
            if k == total or not name.startswith(prefix):
                continue
            rest = name[len(prefix):].split("/")
            if rest[0].startswith("其中"):
                continue
            if len(rest) == 1:
                if k in g.numeric:
                    parts.append(k)
            elif rest[0] not in seen_groups:
                seen_groups.add(rest[0])
                group = prefix + rest[0]
                if any(n.startswith(group + "/") and j in g.numeric for j, n in enumerate(g.cols)):
                    parts.append(group)
        return parts

    def _part_value(self, g: _Grid, row: GridRow, part: object) -> float | None:
        if isinstance(part, int):
            return g.value(row, part)
        members = [k for k, n in enumerate(g.cols) if n.startswith(part + "/")]
        sub_total = [k for k in members if _TOTAL_MEMBER.match(g.cols[k].split("/")[-1].replace(" ", ""))]
        if sub_total:
            return g.value(row, sub_total[0])
        vals = [g.value(row, k) for k in members if k in g.numeric and "其中" not in g.cols[k]]
        return None if all(v is None for v in vals) else sum(v or 0.0 for v in vals)

    def _part_name(self, g: _Grid, part: object) -> str:
        return g.cols[part] if isinstance(part, int) else str(part).split("/")[-1]

    # -- rows: 合计 = Σ rows at some level; 类 = Σ its 款
    def _rows(self, g: _Grid) -> Iterable[Finding]:
        absolute = self.ctx.config.tolerances.amount_abs_wan
        total_idx = [i for i, r in enumerate(g.rows)
                     if _TOTAL_LABEL.match(g.label(r).replace(" ", "")) and not self._two_sided(g, r)]
        for n, i in enumerate(total_idx):
            end = total_idx[n + 1] if n + 1 < len(total_idx) else len(g.rows)
            block = g.rows[i + 1:end]
            if not block and i > 0:
                start = total_idx[n - 1] + 1 if n > 0 else 0
                block = g.rows[start:i]
            if len(block) < 1:
                continue
            total_row = g.rows[i]
            for col in sorted(g.numeric):
                t = g.value(total_row, col)
                if t is None:
                    continue
                levels = self._levels(g, block)
                sums = []
                for level in levels:
                    vals = [g.value(r, col) for r in level]
                    if all(v is None for v in vals):
                        continue
                    sums.append((sum(v or 0.0 for v in vals), level))
                if not sums or any(abs(s - t) <= _tol(len(lv), absolute) for s, lv in sums):
                    continue
                s, level = max(sums, key=lambda x: len(x[1]))
                items = " + ".join(g.raw(r, col) or "0" for r in level[:12]) + (" …" if len(level) > 12 else "")
                yield self.finding(
                    f"{g.table.title}合计行的{g.cols[col]}为{g.raw(total_row, col)}，而明细行之和为"
                    f"{fmt_number(s)}，合计不等于明细之和。",
                    evidence=f"{g.label(total_row)} {g.cols[col]}: {g.raw(total_row, col)}; 明细: {items} = {fmt_number(s)}",
                    location=f"{g.table.title} / {g.label(total_row)}",
                    at=total_row.location,
                    fix="核对合计行与各明细行金额，使合计等于明细之和。",
                )
                break  # one finding per total row
        yield from self._parent_rows(g)

    def _levels(self, g: _Grid, block: list[GridRow]) -> list[list[GridRow]]:
        if g.codes:
            def depth(r: GridRow) -> int:
                if len(g.codes) == 1:  # one code column: 205 类, 20502 款, 2050201 项
                    return len(re.sub(r"\D", "", g.raw(r, g.codes[0])))
                return sum(1 for k in g.codes if g.raw(r, k))
            by_depth: dict[int, list[GridRow]] = {}
            for r in block:
                by_depth.setdefault(depth(r), []).append(r)
            return [rows for _, rows in sorted(by_depth.items())]
        marked = [r for r in block if _LIST_MARK.match(g.label(r))]
        plain = [r for r in block if not _SUB_MARK.match(g.label(r))]
        return [lv for lv in (marked, plain) if lv]

    def _depth(self, g: _Grid, r: GridRow) -> int:
        """1 for a 类 row, 2 for a 款 row, 3 for a 项 row (0 without a code)."""
        if len(g.codes) >= 2:
            n = 0
            for k in g.codes:
                if not g.raw(r, k):
                    break
                n += 1
            return n
        code = re.sub(r"\D", "", g.raw(r, g.codes[0]))
        return (len(code) - 1) // 2 if len(code) >= 3 else 0

    def _children(self, g: _Grid, i: int) -> list[GridRow]:
        """The rows one level under row `i`: its 款 under a 类, its 项 under a 款 (code columns
        类 | 款 | 项, or one column of nested codes 205 / 20502 / 2050201)."""
        r = g.rows[i]
        if len(g.codes) >= 2:
            def path(row: GridRow) -> list[str]:
                out = []
                for k in g.codes:
                    if not g.raw(row, k):
                        break
                    out.append(g.raw(row, k))
                return out
        else:
            def path(row: GridRow) -> list[str]:
                code = re.sub(r"\D", "", g.raw(row, g.codes[0]))
                if len(code) < 3 or (len(code) - 3) % 2:
                    return []
                return [code[:n] for n in range(3, len(code) + 1, 2)]
        own = path(r)
        if not own or len(own) >= (len(g.codes) if len(g.codes) >= 2 else 3):
            return []
        children: list[GridRow] = []
        for c in g.rows[i + 1:]:
            p = path(c)
            if len(p) <= len(own) or p[:len(own)] != own:
                break
            if len(p) == len(own) + 1:
                children.append(c)
        return children

    def _parent_rows(self, g: _Grid) -> Iterable[Finding]:
        """A 类 row equals the sum of its 款 rows, a 款 row the sum of its 项 rows."""
        if not g.codes:
            return
        absolute = self.ctx.config.tolerances.amount_abs_wan
        for i, r in enumerate(g.rows):
            children = self._children(g, i)
            if not children:
                continue
            parent, part = ("类", "款") if self._depth(g, r) <= 1 else ("款", "项")
            for col in sorted(g.numeric):
                t = g.value(r, col)
                vals = [g.value(c, col) for c in children]
                if t is None or all(v is None for v in vals):
                    continue
                s = sum(v or 0.0 for v in vals)
                if abs(s - t) > _tol(len(children), absolute):
                    yield self.finding(
                        f"{g.table.title}“{g.label(r)}”行的{g.cols[col]}为{g.raw(r, col)}，而其下各{part}之和为"
                        f"{fmt_number(s)}，二者不等。",
                        evidence=f"{g.label(r)} {g.cols[col]}: {g.raw(r, col)}; 各{part}: "
                                 + " + ".join(g.raw(c, col) or "0" for c in children) + f" = {fmt_number(s)}",
                        location=f"{g.table.title} / {g.label(r)}",
                        at=r.location,
                        fix=f"核对该{parent}及其下各{part}的金额，使{parent}级金额等于各{part}之和。",
                    )
                    break

    def _two_sided(self, g: _Grid, r: GridRow) -> bool:
        return sum(1 for c in r.cells if _TWO_SIDED.match(c.text.replace(" ", ""))) >= 2

    def _balance(self, g: _Grid) -> Iterable[Finding]:
        """收入合计 = 支出合计 on a two-sided table."""
        for r in g.rows:
            found: dict[str, tuple[str, str]] = {}
            texts = [c.text.strip() for c in r.cells]
            for k, t in enumerate(texts):
                m = _TWO_SIDED.match(t.replace(" ", ""))
                if m and k + 1 < len(texts) and cell_number(texts[k + 1]) is not None:
                    found[m.group(1)] = (t, texts[k + 1])
            if len(found) == 2:
                (li, vi), (lo, vo) = found["收入"], found["支出"]
                if abs(cell_number(vi) - cell_number(vo)) > _tol(2, self.ctx.config.tolerances.amount_abs_wan):
                    yield self.finding(
                        f"{g.table.title}{li}{vi}与{lo}{vo}不相等，收支不平衡。",
                        evidence=f"{li}: {vi}; {lo}: {vo}",
                        location=g.table.title,
                        at=r.location,
                        fix="核对收入与支出合计，使收支总额一致。",
                    )


# ---------------------------------------------------------------- narrative arithmetic

_UP = ("增加", "增长", "提高", "上升", "上涨", "增")
_DOWN = ("减少", "下降", "降低", "减", "压减", "缩减", "节约")
_SHARE_BEFORE = re.compile(r"占(比|比重)?(为|达)?\s*$")
_TOTAL_WORDS = ("合计", "总计", "总额", "共计", "预算", "总")
_SUM_BEFORE = re.compile(r"(合计|共计|总计|总金额为?|总额为?|总共)\s*(为|约|约为|达)?\s*$")


def _direction(text: str, q: Quantity) -> int:
    return _direction_of(text[max(0, q.start - 8):q.start])


@lru_cache(maxsize=NAME_MEMO)
def _direction_of(before: str) -> int:
    before = re.sub(r"\s+", "", before)
    before = re.sub(r"(了|约|为)$", "", before)
    if before.endswith(_DOWN):
        return -1
    if before.endswith(_UP):
        return 1
    return 0


def _money(q: Quantity) -> bool:
    return q.family == "money"


def _wan(q: Quantity) -> float:
    return (money_in_yuan(q.value, q.unit) or 0.0) / 10_000


def _factor(q: Quantity) -> float:
    return (money_in_yuan(1.0, q.unit) or 0.0) / 10_000


def _pct_interval(fn, x: Quantity, y: Quantity) -> tuple[float, float]:
    """Spread of fn over the rounding of the printed figures (half a unit of their last digit)."""
    dx, dy = _half_unit(x.raw) * _factor(x), _half_unit(y.raw) * _factor(y)
    vals = []
    for sx in (-1, 0, 1):
        for sy in (-1, 0, 1):
            v = fn(_wan(x) + sx * dx, _wan(y) + sy * dy)
            if v is not None and math.isfinite(v):
                vals.append(v)
    return (min(vals), max(vals)) if vals else (math.nan, math.nan)


def _percent_ok(stated: float, expected: float, spread: tuple[float, float], percent_abs: float) -> bool:
    lo, hi = spread
    allowance = min(max(abs(expected - lo), abs(hi - expected)), 1.0)  # rounding, capped at 1 point
    return abs(stated - expected) <= percent_abs + allowance + 0.005


@register
class ChangePercentWrong(_ArithmeticRule):
    """A stated year-on-year change does not match its percentage.

    What it checks: sentences of the form "X万元，比2020年增加/减少Y万元，增长/下降Z%" are
    recomputed: last year = X − Y (or X + Y), so the change is Y ÷ last year. A percentage
    computed on the wrong base (Y ÷ X) or mistyped is reported; rounding of the printed
    figures and tolerances.percent_abs are allowed for.
    Why: shared/spec/findings.md (arithmetic_error: a year-on-year change whose stated
    percentage does not follow from the two amounts); budget narratives are published and
    their figures must reconcile.
    Bad: "公务接待费0.2万元，比2020年增加0.1万元，增长50.00%" (last year 0.1万元, so +100%).
    Good: "支出总计503.7万元，与2020年相比减少93.7万元，降低15.68%" (93.7 ÷ 597.4).
    """

    code = "IQ702"
    name = "change-percent-wrong"
    kinds = ("budget", "project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        pabs = self.ctx.config.tolerances.percent_abs
        for field, text in narrative_fields_once(self.ctx.cache, table):
            qs = extract_quantities(text, field=field)
            for k, y in enumerate(qs):
                if not _money(y) or not y.delta:
                    continue
                sign = _direction(text, y)
                if sign == 0:
                    continue
                p = next((q for q in qs[k + 1:k + 3] if q.unit == "%" and q.delta), None)
                if p is None or re.search(r"[。；;]", text[y.end:p.start]) or len(text[y.end:p.start]) > 20:
                    continue
                x = next((q for q in reversed(qs[:k]) if _money(q) and not q.delta), None)
                if x is None or y.start - x.end > 160 or any(q.delta and _money(q) for q in qs[qs.index(x) + 1:k]):
                    continue
                prior = _wan(x) - sign * _wan(y)
                if prior <= 0:
                    continue
                expected = _wan(y) / prior * 100
                spread = _pct_interval(lambda a, b: b / (a - sign * b) * 100 if a - sign * b > 0 else None, x, y)
                if _percent_ok(p.value, expected, spread, pabs):
                    continue
                wrong_base = abs(_wan(y) / _wan(x) * 100 - p.value) <= pabs + 0.01 if _wan(x) else False
                note = f"（{p.raw.strip()}系以本年数{x.raw.strip()}为基数计算）" if wrong_base else ""
                word = "增长" if sign > 0 else "下降"
                yield self.finding(
                    f"{field}中“{x.quote}”{'增加' if sign > 0 else '减少'}{y.raw.strip()}，上年应为"
                    f"{fmt_number(prior)}万元，{word}幅度应为{expected:.2f}%，文中写{p.raw.strip()}{note}。",
                    evidence=f"{field}: {text[max(0, text.rfind(x.quote, 0, x.end)):p.end]}",
                    location=field,
                    at=table.narrative[_key(table, field)].location if _key(table, field) else None,
                    fix=f"按（本年数−上年数）÷上年数重新计算，改为“{word}{expected:.2f}%”。",
                    severity="error" if abs(p.value - expected) > 1 else "warning",
                )


def _key(table: Table, field: str) -> str | None:
    for k, f in table.narrative.items():
        if (f.name or k) == field:
            return k
    return None


def _share_total(text: str, before: list[Quantity], part: Quantity) -> Quantity | None:
    """The amount a share is taken of: the nearest "X万元，其中：" above the part, else the nearest
    amount named 合计/总计/预算 … Amounts that carry a share of their own ("…2,196.8万元，占93.21%")
    are the part's siblings, not its total."""
    candidates = [q for q in reversed(before) if _money(q) and not q.delta and part.start - q.end < 300
                  and not _SHARE_AFTER.match(text, q.end)]
    enclosing = next((q for q in candidates if re.match(r"\s*[，,：:]?\s*其中", text[q.end:q.end + 6])), None)
    if enclosing is not None:
        return enclosing
    return next((q for q in candidates if any(w in q.context for w in _TOTAL_WORDS)), None)


_SHARE_AFTER = re.compile(r"\s*[，,]?\s*占(比|比重)?(为|达)?\s*\d")


@register
class SharePercentWrong(_ArithmeticRule):
    """A stated share ("占39.81%") does not match the amounts it divides.

    What it checks: "其中：基本支出200.5万元，占39.81%" is recomputed as the part over the
    total it belongs to (the amount followed by 其中, or the nearest earlier amount named
    合计/总计/预算; an amount with a share of its own is a sibling, not the total). Rounding and
    tolerances.percent_abs are allowed for.
    Why: shared/spec/findings.md (arithmetic_error); budget narratives must reconcile with
    their own figures.
    Bad: "支出合计503.7万元，其中：基本支出200.5万元，占45.00%".
    Good: "支出合计503.7万元，其中：基本支出200.5万元，占39.81%；项目支出303.2万元，占60.19%".
    """

    code = "IQ703"
    name = "share-percent-wrong"
    kinds = ("budget", "project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        pabs = self.ctx.config.tolerances.percent_abs
        for field, text in narrative_fields_once(self.ctx.cache, table):
            qs = extract_quantities(text, field=field)
            for k, p in enumerate(qs):
                if p.unit != "%" or not _SHARE_BEFORE.search(text[max(0, p.start - 6):p.start]):
                    continue
                part = next((q for q in reversed(qs[:k]) if _money(q) and not q.delta), None)
                if part is None or p.start - part.end > 6:
                    continue
                idx = qs.index(part)
                total = _share_total(text, qs[:idx], part)
                if total is None or _wan(total) <= 0 or _wan(total) < _wan(part):
                    continue
                expected = _wan(part) / _wan(total) * 100
                spread = _pct_interval(lambda a, b: b / a * 100 if a > 0 else None, total, part)
                if _percent_ok(p.value, expected, spread, pabs):
                    continue
                yield self.finding(
                    f"{field}中{part.quote}占{total.quote}的比例应为{expected:.2f}%，文中写{p.raw.strip()}。",
                    evidence=f"{field}: {total.quote}; {part.quote}{text[part.end:p.end]}",
                    location=field,
                    fix=f"按分项÷合计重新计算，改为“占{expected:.2f}%”。",
                )


@register
class StatedSumWrong(_ArithmeticRule):
    """A stated total does not equal the amounts it sums.

    What it checks: (1) "X万元，其中：A万元、B万元" — the parts of a total cannot exceed it;
    (2) "…A万元；…B万元；…合计/共计/总计X万元" — a total stated after its items must equal
    the sum of the items just before it (any run of at least two consecutive items); a "合计"
    smaller than one of those items totals something else ("按季度支付劳务补助，合计10万元") and
    is left alone.
    Why: shared/spec/domain.md, "component sums that differ from printed totals".
    Bad: "…需20万元；…需20万元；…需10万元，合计60万元".
    Good: "政府采购预算安排111.2万元，其中：政府采购货物预算67.2万元、政府采购服务预算44.0万元";
    "2020年…18万元；…2万元；…10万元；…10万元。预计…80万元。三年合计总金额为120万元".
    """

    code = "IQ704"
    name = "stated-sum-wrong"
    kinds = ("budget", "project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        absolute = self.ctx.config.tolerances.amount_abs_wan
        for field, text in narrative_fields_once(self.ctx.cache, table):
            qs = [q for q in extract_quantities(text, field=field) if _money(q) and not q.delta]
            yield from self._parts_exceed(field, text, qs, absolute)
            yield from self._total_after_items(field, text, qs, absolute)

    def _parts_exceed(self, field: str, text: str, qs: list[Quantity], absolute: float) -> Iterable[Finding]:
        for k, total in enumerate(qs):
            if not re.match(r"\s*[，,：:]?\s*其中", text[total.end:total.end + 6]):
                continue
            end = text.find("。", total.end)
            end = len(text) if end < 0 else end
            parts = []
            for q in qs[k + 1:]:
                if q.start >= end:
                    break
                parts.append(q)
                if re.match(r"\s*[，,：:]?\s*其中", text[q.end:q.end + 6]):
                    break  # nested 其中: the rest are parts of this part
            if len(parts) < 2:
                continue
            s = sum(_wan(q) for q in parts)
            if s > _wan(total) + _tol(len(parts), absolute):
                yield self.finding(
                    f"{field}中“{total.quote}”的分项合计{fmt_number(s)}万元，超过总额{total.raw.strip()}。",
                    evidence=f"{field}: {total.quote}; 其中: " + "、".join(q.quote for q in parts),
                    location=field,
                    fix="核对总额与各分项金额，使分项之和不超过总额。",
                )

    def _total_after_items(self, field: str, text: str, qs: list[Quantity], absolute: float) -> Iterable[Finding]:
        start = 0
        for k, total in enumerate(qs):
            if not _SUM_BEFORE.search(text[max(0, total.start - 8):total.start]):
                continue
            if re.match(r"\s*[，,：:]?\s*其中", text[total.end:total.end + 6]):
                start = k + 1
                continue
            items = [q for q in qs[start:k] if "/" not in (q.unit or "")]
            start = k + 1
            if len(items) < 2:
                continue
            t = _wan(total)
            # runs of items this can be the total of: a sum is at least its largest part
            runs = [items[i:] for i in range(len(items) - 1)
                    if max(_wan(q) for q in items[i:]) <= t + _tol(1, absolute)]
            if not runs:
                continue  # "按季度支付劳务补助，合计10万元": the total of something else
            if any(abs(sum(_wan(q) for q in run) - t) <= _tol(len(run), absolute) for run in runs):
                continue
            s = sum(_wan(q) for q in items)
            yield self.finding(
                f"{field}写“{total.quote}”，但前列各项金额之和为{fmt_number(s)}万元，二者不等。",
                evidence=f"{field}: " + "; ".join(q.quote for q in items[:8]) + f"; {total.quote}",
                location=field,
                fix="核对各项金额与合计数，使合计等于各项之和。",
            )
