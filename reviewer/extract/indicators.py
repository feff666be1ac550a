"""The indicator tree: header columns, merged-cell repair, 一级 > 二级 > 三级 = 指标值.

Tables copied out of PDFs and web pages write a merged cell once, and not always on the first
row of its block: a PDF prints the label in the vertical middle, so rows above the label belong
to it too, and a PDF drops empty leading cells, shifting a row left. Each row is therefore read
in one of two ways:

- positional, when the row keeps its leading empty cells or is as wide as the header;
- by content, otherwise: leading cells that are 一级/二级 names of the table's framework are
  peeled off, then come 三级, 指标值 and the extra columns in order.

Rows with no 二级 of their own belong to the block above them. A label printed in the middle of
its block (a PDF that centres merged cells vertically, or a block cut by a page break) can also
claim the rows above it: those rows go to the nearer labelled block whose 二级 their 三级 name fits
best (taxonomy keywords). A 一级 follows from its 二级 where the framework knows it.

Before that, the body is cleaned the way the document was made: a header row printed again after
a page break is skipped; in text copied from a PDF, a cell that wrapped onto the next line (a 三级
name in two lines, a target on the line below) is joined back; the tree ends at a note, a
signature line or, in structured files, where the table itself ends.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

from reviewer.extract.fast import ascii_brackets, cell_texts, construct
from reviewer.extract.fields import PAGE_HEADER
from reviewer.extract.taxonomy import Taxonomy, clean_name, load_taxonomy
from reviewer.models import Cell, GridRow, Indicator, Location, Slot, Target

_ROLE_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("level1", re.compile(r"一级指标")),
    ("level2", re.compile(r"二级指标")),
    ("level3", re.compile(r"三级指标|^指标名称$")),
    ("project", re.compile(r"^项目名称$")),  # a flat export: one row per indicator, many projects
    ("unit", re.compile(r"^(单位名称|预算单位|部门名称|部门\(单位\)名称)$")),
    ("amount", re.compile(r"^(项目金额|预算金额|项目资金|资金总额|年度预算|预算数|本年预算|项目预算)$")),
    ("nature", re.compile(r"指标性质|指标值类型|指标类型")),
    ("direction", re.compile(r"指标方向|比较符|运算符|^(计算)?符号$")),
    ("unit_column", re.compile(r"计量单位|度量单位|^单位$")),
    ("weight", re.compile(r"分值|权重")),
    ("basis", re.compile(r"取值依据|指标标准|依据|确定方式")),
    ("target", re.compile(r"目标值|指标值(?!说明|类型)|年度指标|实现值|绩效标准")),
    ("note", re.compile(r"说明|备注|解释|评.*分标准|扣分")),
]
_SUBHEADER_TARGET = re.compile(r"预期|目标|本年|年度|计划")
# a section heading ("第四部分 名词解释", "一、…说明") or a paragraph on a line of its own
_PROSE_AFTER_TREE = re.compile(r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、\S{2,}|.{60,})")
# a line that ends the indicator tree: a note, a signature or date line, a stamp
STOP_LINE = re.compile(
    r"^(注\s*\d?\s*[:：.．、]|说明[:：]|备注[:：]|填表说明|财政.*(盖章)|.*[(（]盖章[)）]"
    r"|(填报人|填表人|审核人|单位负责人|财务负责人|经办人|制表人|分管领导|填报日期|编制日期|联系人)\s*[:：]"
    r"|[^\d\s]{2,30}\s+\d{4}\s*年\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?$)"  # "某某局 2023年2月": a signature
)
_INDICATOR_FIELDS = frozenset(Indicator.model_fields)
STRUCTURED = ("xlsx", "docx", "html", "csv", "pdf")  # merged cells are written on their first row
# a cell holding only a comparator (a 指标性质 / 方向 column of its own)
COMPARATOR_ONLY = re.compile(r"^(?:[≥≤=＝><＞＜≧≦]=?|大于等于|小于等于|大于|小于|等于|不低于|不高于|不少于|不超过)$")
_TARGET_LIKE = re.compile(
    r"^(?:[≥≤=＝><＞＜≧≦]|大于|小于|不低于|不高于|不少于|不超过|达到|约)?\s*"
    r"(?:\d|[一二三四五六七八九十]+[个项次人家]|\d{4}\s*年|\d{1,2}\s*月|全年|年底|年内|合格|达标|及时|健全|有效|完善|规范|满意)"
)


def is_indicator_header(row: GridRow) -> bool:
    texts = [c.text for c in row.cells]
    joined = "\x00".join(texts)
    # most rows: no need to clean every cell (the test of is_header_texts, without its call)
    return ("级" in joined or "名称" in joined) and is_header_texts(texts)


def is_header_texts(texts: list[str]) -> bool:
    """is_indicator_header of a row's cell texts."""
    joined = "\x00".join(texts)
    if "级" not in joined and "名称" not in joined:
        return False  # most rows: no need to clean every cell
    texts = [clean_name(t) for t in texts]
    has = lambda key: any(key in t for t in texts)  # noqa: E731
    named = has("三级指标") or (has("指标名称") and not has("项目名称"))
    return named and (has("一级指标") or has("二级指标"))


@dataclass
class Columns:
    roles: dict[str, int] = field(default_factory=dict)  # role → column index
    extra: dict[int, str] = field(default_factory=dict)  # other named columns
    width: int = 0

    def core_width(self) -> int:
        return max(self.roles.get(r, -1) for r in ("level1", "level2", "level3", "target")) + 1

    def band(self) -> bool:
        """A label column ("绩效指标") left of the tree, holding no level of it."""
        first = min((self.roles[r] for r in ("level1", "level2", "level3") if r in self.roles), default=0)
        return first > 0 and not any(i < first for i in self.roles.values())


class _Plan:
    """What splitting a row needs from its Columns, worked out once per table."""

    __slots__ = ("level1", "level2", "level3", "target", "values", "core_width", "band")

    def __init__(self, cols: Columns) -> None:
        roles = cols.roles
        self.level1, self.level2, self.level3 = roles.get("level1"), roles.get("level2"), roles.get("level3")
        self.target = roles.get("target")
        # (key, column) of the values a positional row reads, in the order _Row.values holds them
        self.values = [(role, i) for role, i in roles.items() if role not in ("level1", "level2", "level3")]
        self.values += [(f"extra:{name}", i) for i, name in cols.extra.items()]
        self.core_width = cols.core_width()
        self.band = cols.band()


_REPEATED = ("level2", "level3", "target")


def read_columns(header: GridRow, sub: GridRow | None) -> tuple[Columns, bool]:
    """Column roles from the header row (and a sub-header row under a split 指标值 column).

    A header that prints 二级 / 三级 / 指标值 twice is the mid-term | annual layout of the
    财预〔2015〕88号 form: the later group (年度) is the tree; the earlier one is kept as extra columns.
    Returns the columns and whether `sub` was consumed as a sub-header.
    """
    cols = Columns(width=len(header.cells))
    names = [clean_name(c.text) for c in header.cells]
    roles = [_role_of(n) for n in names]
    repeated = all(roles.count(role) >= 2 for role in _REPEATED)
    for i, (name, role) in enumerate(zip(names, roles)):
        if role is None:
            if name and len(name) <= 12:
                cols.extra[i] = name
            continue
        if role in cols.roles:
            if repeated and role in _REPEATED:
                cols.extra[cols.roles[role]] = f"中期{name}"
                cols.roles[role] = i
            else:
                cols.extra[i] = name
            continue
        cols.roles[role] = i
    used_sub = False
    if sub is not None and not any(clean_name(c.text) for c in sub.cells[: cols.roles.get("level3", 0) + 1]):
        picks = [i for i, c in enumerate(sub.cells) if c.text and _SUBHEADER_TARGET.search(c.text)]
        if picks:
            cols.roles["target"] = picks[-1]
            cols.width = max(cols.width, len(sub.cells))
            used_sub = True
    if "target" not in cols.roles and "level3" in cols.roles:
        cols.roles["target"] = cols.roles["level3"] + 1
    return cols, used_sub


@lru_cache(maxsize=4096)
def _role_of(name: str) -> str | None:
    """The role a header cell names; None for empty cells, block labels and unknown columns."""
    core = re.sub(r"\(.*?\)$", "", ascii_brackets(name)) or name
    if not core or len(core) > 12:  # a block label such as "绩效指标(权重分值90分,…)"
        return None
    for role, pat in _ROLE_PATTERNS:
        if pat.search(core):
            return role
    return None


@dataclass(slots=True)
class _Row:
    l1: str | None
    l2: str | None
    l3: str | None
    values: dict[str, str]
    location: Location
    positional: bool = False
    lone: bool = False  # the line had no tabs at all
    cells: int = 0  # non-empty cells
    target_missing: bool = False  # the row ended before its 指标值 column
    after_break: bool = False  # a blank line, page break or repeated header came before it
    cell_location: Location | None = None  # the 指标值 cell (else the 三级 cell)


class IndicatorReader:
    def __init__(self, framework: str | None = None, taxonomy: Taxonomy | None = None, kind: str = "project"):
        self.tax = taxonomy or load_taxonomy()
        self.framework = framework
        self.kind = kind

    def detect(self, row_texts: list[list[str]], cols: Columns) -> str:
        """The framework of the tree whose rows have these cell texts (unless the reader was given one)."""
        if self.framework:
            return self.framework
        width = cols.roles.get("level3", 2)
        # each name once: the framework is chosen from the set of names
        names = tuple(dict.fromkeys([t for texts in row_texts for t in texts[:width] if 0 < len(t) <= 14]))
        return _detect_framework(self.tax, names, self.kind == "department")

    def read(self, header: GridRow, body: list[GridRow], layout: str = "text",
             columns: tuple[GridRow | None, Columns, bool] | None = None,
             body_texts: list[list[str]] | None = None) -> tuple[list[Indicator], list[Slot], str]:
        """The tree under `header`. `layout` is the grid's format (text, xlsx, docx, html, csv, pdf).

        `columns` is (sub, *read_columns(header, sub)) when the caller has read them already; they
        serve when `sub` is still the first filled row of `body`. `body_texts`: each body row's cell
        texts, when the caller has them.
        """
        if body_texts is None:
            body_texts = cell_texts(body)
        sub = next((r for r, texts in zip(body, body_texts) if any(texts)), None)
        if columns is not None and columns[0] is sub:
            cols, used_sub = columns[1], columns[2]
        else:
            cols, used_sub = read_columns(header, sub)
        lines = self._body_lines(header, body, body_texts, sub if used_sub else None, layout)
        framework = self.detect([texts for _, texts, _ in lines], cols)
        plan = _Plan(cols)
        raw = []
        for line, texts, after_break in lines:
            raw.append(self._split(line, cols, framework, plan, after_break, texts))
        if layout == "text":
            raw = self._join_wrapped(raw, framework)
        centered = layout not in STRUCTURED and bool(raw) and not raw[0].l1
        self._resolve_level2(raw, centered)
        self._resolve_level1(raw, framework)
        return self._build(raw, cols), self._slots(raw), framework

    def _body_lines(self, header: GridRow, body: list[GridRow], body_texts: list[list[str]], sub: GridRow | None,
                    layout: str):
        """(row, its texts, after a break) for the rows of the tree: repeated headers skipped, stops honoured."""
        table = header.location.table
        out: list[tuple[GridRow, list[str], bool]] = []
        skip_sub, after_break, seen_sub = False, False, sub is None
        for k, (r, all_texts) in enumerate(zip(body, body_texts)):
            texts = [t for t in all_texts if t]
            if not texts:
                if layout in STRUCTURED and layout != "pdf" and out:
                    if not self._continues(header, body, k + 1):
                        break  # a blank row ends a table in a workbook or a document
                after_break = bool(out)
                continue
            if not seen_sub and r is sub:
                seen_sub = True
                continue
            if table is not None and layout in ("docx", "html") and r.location.table != table:
                if not self._continues(header, body, k):
                    break  # a paragraph or another table after this one
                table, after_break = r.location.table, True
            if STOP_LINE.match(texts[0]) or (len(texts) == 1 and _PROSE_AFTER_TREE.match(texts[0])):
                break  # a note, a signature, or the document's next section after the tree
            if len(texts) == 1 and layout in ("text", "pdf") and PAGE_HEADER.search(texts[0]):
                after_break = bool(out)  # the running header of the next page
                continue
            if is_header_texts(texts):  # printed again after a page break (empty cells never count)
                skip_sub, after_break = sub is not None, bool(out)
                continue
            if skip_sub:
                skip_sub = False
                if sub is not None and texts == [c.text for c in sub.cells if c.text]:
                    continue
            out.append((r, all_texts, after_break))
            after_break = False
        return out

    def _continues(self, header: GridRow, body: list[GridRow], start: int) -> bool:
        """Whether the next table of a document continues this tree (split at a page break).

        It does when its first row is as wide as the header, is no title, field or header row,
        and starts like a tree row: an empty merged cell or a level name.
        """
        from reviewer.extract.fields import classify_label

        nxt = next((r for r in body[start:] if any(c.text for c in r.cells)), None)
        if nxt is None or len(nxt.cells) != len(header.cells) or is_indicator_header(nxt):
            return False
        texts = [c.text for c in nxt.cells if c.text]
        if len(texts) < 2 or any(classify_label(t) for t in texts):
            return False
        first = nxt.cells[0].text
        return not first or self.tax.canonical(first) in self.tax.known_names()

    # -- one row

    def _split(self, row: GridRow, cols: Columns, framework: str, plan: _Plan | None = None,
               after_break: bool = False, texts: list[str] | None = None) -> _Row:
        """`texts`: the row's cell texts, when the caller has them."""
        plan = plan or _Plan(cols)
        cells = row.cells
        if texts is None:
            texts = [c.text for c in cells]
        n = len(texts)
        if n and not texts[0]:
            positional = True
        else:  # as wide as the tree: the last filled cell reaches the 指标值 column
            used = max((i + 1 for i, t in enumerate(texts) if t), default=0)
            positional = used >= plan.core_width
        if positional and n and texts[0] and plan.band and self._is_level(texts[0], framework):
            # a 一级 name where the "绩效指标" band column should be: a browser wrote the band once
            # (on the header row) and dropped it from the rows under it
            positional = False
        if positional:
            i1, i2, i3, it = plan.level1, plan.level2, plan.level3, plan.target
            l1 = texts[i1] if i1 is not None and i1 < n else ""
            l2 = texts[i2] if i2 is not None and i2 < n else ""
            l3 = texts[i3] if i3 is not None and i3 < n else ""
            if it is not None and it < n and texts[it]:
                cell_location = cells[it].location
            elif i3 is not None and i3 < n and texts[i3]:
                cell_location = cells[i3].location
            else:
                cell_location = None
            values = {role: texts[i] if i < n else "" for role, i in plan.values}
            # A label cell left of the tree (e.g. "绩效指标") is not a level.
            if l1 and not l2 and not l3 and not any(values.values()) and not self._is_level(l1, framework):
                l1 = None
            # a 二级 name printed in the 一级 column (a shifted merged label)
            if l1 and not self.tax.is_level1(l1, framework) and self.tax.is_level2(l1, framework):
                l1, l2 = None, l2 or l1
        else:
            l1, l2, l3, values, located = self._by_content([c for c in cells if c.text], cols, framework)
            cell_location = located[0].location if located else None
        if positional:
            target_missing = plan.target is None or n <= plan.target
        else:
            target_missing = "target" not in values
        # every field by position: the cheapest way to build the row
        return _Row(l1 or None, l2 or None, l3 or None, values, row.location, positional, n == 1,
                    n - texts.count(""), target_missing, after_break, cell_location)

    def _is_level(self, name: str, framework: str) -> bool:
        return self.tax.is_level1(name, framework) or self.tax.is_level2(name, framework)

    def _by_content(self, cells: list[Cell], cols: Columns, framework: str):
        l1 = l2 = None
        rest = list(cells)
        while rest:
            t = rest[0].text
            if l1 is None and l2 is None and self.tax.is_level1(t, framework) and not (
                self.tax.is_level2(t, framework) and len(rest) > 1 and not self.tax.is_level2(rest[1].text, framework)
            ):
                l1 = t
            elif l2 is None and self.tax.is_level2(t, framework):
                l2 = t
            else:
                break
            rest.pop(0)
        if len(rest) == 1 and (l1 or l2) and _TARGET_LIKE.match(rest[0].text):
            # "成本 | ≤3000元/公里": the last level name read was the 三级 (or the wrapped end of one)
            rest.insert(0, cells[len(cells) - 2])
            if l2:
                l2 = None
            else:
                l1 = None
        l3_cell = rest.pop(0) if rest else None
        l3 = l3_cell.text if l3_cell else None
        values: dict[str, str] = {}
        after_l3 = sorted(
            [(i, role) for role, i in cols.roles.items() if role not in ("level1", "level2", "level3")]
            + [(i, f"extra:{name}") for i, name in cols.extra.items()]
        )
        after_l3 = [(i, r) for i, r in after_l3 if i > cols.roles.get("level3", -1)]
        located = [cell for (_, role), cell in zip(after_l3, rest) if role == "target"] + [c for c in [l3_cell] if c]
        for (_, role), cell in zip(after_l3, rest):
            values[role] = cell.text
        return l1, l2, l3, values, located

    # -- cells that wrapped onto the next line (text copied from a PDF)

    def _join_wrapped(self, rows: list[_Row], framework: str) -> list[_Row]:
        """Join continuation lines back into the row they continue.

        A PDF table wraps a long cell inside its column; copied as text, the rest of the cell comes
        on the next line, alone and without the tabs of the other columns. So a line with no level
        name of its own continues the row above when it is
        - a lone target-like value under a row that ended before its 指标值 ("时间" / "2023年10月底前"),
        - a lone fragment under a 三级 name that fills its column ("…养护里" / "程"),
        - a fragment and a target under such a name with no target ("…每公里" / "成本 | ≤3000元/公里").
        A name "fills its column" when it is about as long as the longest 三级 name in the table:
        that is where the PDF broke the line. Names are only joined under a row laid out in columns
        (leading cells kept, or as wide as the header): a browser's copy of a web table, which drops
        the cells under merged labels, never wraps.
        """
        width = max((len(r.l3) for r in rows if r.l3), default=0)
        full = lambda name: bool(name) and len(name) >= max(6, 0.7 * width)  # noqa: E731
        out: list[_Row] = []
        for r in rows:
            p = out[-1] if out else None
            if p is None or r.l1 or r.l2 or not r.l3 or not p.l3 or r.after_break:
                out.append(r)
                continue
            fragment = r.l3
            if r.lone and not self._is_level(fragment, framework) and not any(r.values.values()):
                if p.target_missing and not p.values.get("target") and _TARGET_LIKE.match(fragment):
                    p.values["target"], p.target_missing = fragment, False
                    continue
                if p.positional and full(p.l3) and not re.search(r"\d", fragment) and len(fragment) < len(p.l3):
                    p.l3 += fragment
                    continue
            elif (not r.positional and r.cells == 2 and r.values.get("target") and p.target_missing and p.positional
                  and not any(v for k, v in p.values.items()) and full(p.l3) and len(fragment) < len(p.l3)):
                p.l3 += fragment
                p.values, p.target_missing = r.values, False
                continue
            out.append(r)
        return out

    # -- merged-label repair

    def _resolve_level2(self, rows: list[_Row], centered: bool = False) -> None:
        """Give every 三级 row its 二级.

        A row with none belongs to the block above it. It may belong to the next block instead when
        that block's label could sit below its first rows: a PDF that centres merged labels
        (`centered`: the tree's first row has no 一级) or a page break between the row and the label.
        Then the 三级 name decides (taxonomy affinity). Unless labels are centred, a block does not
        reach past a new 一级.
        """
        labelled = [i for i, r in enumerate(rows) if r.l2]
        # a 二级 printed on a row of its own with no 三级 is an empty block: it claims no row above
        claims_above = {i for i in labelled if rows[i].l3}
        explicit_l1 = [i for i, r in enumerate(rows) if r.l1]
        for i, r in enumerate(rows):
            if r.l2 or not r.l3:
                continue
            k = bisect_left(labelled, i)  # i itself is not labelled: the nearest labelled rows around it
            prev = labelled[k - 1] if k else None
            nxt = labelled[k] if k < len(labelled) else None
            if nxt is not None and (nxt not in claims_above or not (
                centered or any(rows[k].after_break for k in range(i + 1, nxt + 1))
            )):
                nxt = None
            # a block does not reach across a new 一级 label
            if nxt is not None and any(i < k <= nxt and rows[k].l1 and k != nxt for k in explicit_l1):
                nxt = None
            if prev is not None and not centered and any(prev < k <= i for k in explicit_l1):
                prev = None
            if prev is None and nxt is None:
                continue
            if prev is None:
                r.l2 = rows[nxt].l2
                continue
            if nxt is not None:
                a_prev = self.tax.affinity(r.l3, rows[prev].l2)
                a_next = self.tax.affinity(r.l3, rows[nxt].l2)
                if a_next > a_prev:
                    r.l2 = rows[nxt].l2
                    continue
            r.l2 = rows[prev].l2

    def _resolve_level1(self, rows: list[_Row], framework: str) -> None:
        fw = self.tax.frameworks[framework]
        carried: str | None = next((r.l1 for r in rows if r.l1), None)
        printed_as: dict[str, str] = {}  # canonical 一级 → the table's first spelling of it
        for x in rows:
            if x.l1:
                printed_as.setdefault(self.tax.canonical(x.l1), x.l1)
        for r in rows:
            if r.l1:
                carried = r.l1
                continue
            parent = fw.parent_of(self.tax.canonical(r.l2)) if r.l2 else None
            if parent:
                # keep the table's own spelling of that 一级 when it printed one
                printed = printed_as.get(parent)
                r.l1 = printed or parent
                carried = r.l1
            else:
                r.l1 = carried

    # -- output

    def _build(self, rows: list[_Row], cols: Columns) -> list[Indicator]:
        from reviewer.extract.targets import parse_target

        has_extra = bool(cols.extra)  # without extra columns no row holds an "extra:" value
        out = []
        append = out.append
        for r in rows:
            v = r.values
            raw = v.get("target", "") or ""
            if not r.l3 and not raw:
                continue
            unit_col = v.get("unit_column") or None
            direction = v.get("direction") or None
            nature = v.get("nature") or None
            # the 2021 central template writes the comparator (≥ ≤ ＝ 定性) in its 指标性质 column
            comparator = direction or (nature if nature and COMPARATOR_ONLY.match(nature.strip()) else None)
            target: Target = parse_target(raw, unit_column=unit_col, comparator_column=comparator, indicator=r.l3)
            extra = {k[6:]: t for k, t in v.items() if k.startswith("extra:") and t} if has_extra else {}
            weight = v.get("weight")
            # every value is already of its field's type: build without validating again
            append(construct(Indicator, {
                "level1": r.l1, "level2": r.l2, "level3": r.l3, "target": target,
                "nature": nature, "direction": direction, "unit_column": unit_col,
                "weight": _float(weight) if weight else None, "basis": v.get("basis") or None,
                "note": v.get("note") or None, "extra": extra, "location": _merged(r.location, r.cell_location),
            }, set(_INDICATOR_FIELDS)))
        return out

    def _slots(self, rows: list[_Row]) -> list[Slot]:
        seen: dict[tuple, Slot] = {}
        for r in rows:
            key = (r.l1, r.l2)
            if r.l2 and key not in seen:
                seen[key] = construct(Slot, {"level1": r.l1, "level2": r.l2, "location": r.location},
                                      {"level1", "level2", "location"})
        return list(seen.values())


@lru_cache(maxsize=1024)  # the tables of one template print the same 一级 / 二级 names
def _detect_framework(tax: Taxonomy, names: tuple[str, ...], department: bool) -> str:
    listed = list(names)
    return tax.detect_framework(listed, listed, department=department)


def _merged(row: Location, cell: Location | None) -> Location:
    """The cell's location where it has one (readers give cells their row's place and more)."""
    if cell is not None and cell.line == row.line and cell.row == row.row and cell.table == row.table:
        return cell
    return row


def _float(s: str | None) -> float | None:
    try:
        return float(s) if s else None
    except ValueError:
        return None
