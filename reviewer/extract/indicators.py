"""The indicator tree: header columns, merged-cell repair, 一级 > 二级 > 三级 = 指标值.

Tables copied out of PDFs and web pages write a merged cell once, and not always on the first
row of its block: a PDF prints the label in the vertical middle, so rows above the label belong
to it too, and a PDF drops empty leading cells, shifting a row left. Each row is therefore read
in one of two ways:

- positional, when the row keeps its leading empty cells or is as wide as the header;
- by content, otherwise: leading cells that are 一级/二级 names of the table's framework are
  peeled off, then come 三级, 指标值 and the extra columns in order.

Rows with no 二级 of their own then go to the nearer labelled block whose 二级 their 三级 name
fits best (taxonomy keywords), and a 一级 follows from its 二级 where the framework knows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reviewer.extract.taxonomy import Taxonomy, clean_name, load_taxonomy
from reviewer.models import Cell, GridRow, Indicator, Location, Slot, Target

_ROLE_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("level1", re.compile(r"一级指标")),
    ("level2", re.compile(r"二级指标")),
    ("level3", re.compile(r"三级指标")),
    ("nature", re.compile(r"指标性质|指标值类型|指标类型")),
    ("direction", re.compile(r"指标方向|比较符|运算符")),
    ("unit_column", re.compile(r"计量单位|度量单位|^单位$")),
    ("weight", re.compile(r"分值|权重")),
    ("basis", re.compile(r"取值依据|指标标准|依据|确定方式")),
    ("target", re.compile(r"目标值|指标值(?!说明|类型)|年度指标|实现值|绩效标准")),
    ("note", re.compile(r"说明|备注|解释|评.*分标准|扣分")),
]
_SUBHEADER_TARGET = re.compile(r"预期|目标|本年|年度|计划")
_STOP = re.compile(r"^(注[:：]|说明[:：]|备注[:：]|填表说明|财政.*(盖章)|.*[(（]盖章[)）])")


def is_indicator_header(row: GridRow) -> bool:
    texts = [clean_name(t) for t in row.texts]
    has = lambda key: any(key in t for t in texts)  # noqa: E731
    return has("三级指标") and (has("一级指标") or has("二级指标"))


@dataclass
class Columns:
    roles: dict[str, int] = field(default_factory=dict)  # role → column index
    extra: dict[int, str] = field(default_factory=dict)  # other named columns
    width: int = 0

    def core_width(self) -> int:
        return max(self.roles.get(r, -1) for r in ("level1", "level2", "level3", "target")) + 1


def read_columns(header: GridRow, sub: GridRow | None) -> tuple[Columns, bool]:
    """Column roles from the header row (and a sub-header row under a split 指标值 column).

    Returns the columns and whether `sub` was consumed as a sub-header.
    """
    cols = Columns(width=len(header.cells))
    for i, cell in enumerate(header.cells):
        name = clean_name(cell.text)
        if not name or len(name) > 12:  # a block label such as "绩效指标(权重分值90分,…)"
            continue
        for role, pat in _ROLE_PATTERNS:
            if pat.search(name) and role not in cols.roles:
                cols.roles[role] = i
                break
        else:
            cols.extra[i] = name
    used_sub = False
    if sub is not None and not any(clean_name(t) for t in sub.texts[: cols.roles.get("level3", 0) + 1]):
        picks = [i for i, c in enumerate(sub.cells) if c.text and _SUBHEADER_TARGET.search(c.text)]
        if picks:
            cols.roles["target"] = picks[-1]
            cols.width = max(cols.width, len(sub.cells))
            used_sub = True
    if "target" not in cols.roles and "level3" in cols.roles:
        cols.roles["target"] = cols.roles["level3"] + 1
    return cols, used_sub


@dataclass
class _Row:
    l1: str | None
    l2: str | None
    l3: str | None
    values: dict[str, str]
    location: Location


class IndicatorReader:
    def __init__(self, framework: str | None = None, taxonomy: Taxonomy | None = None, kind: str = "project"):
        self.tax = taxonomy or load_taxonomy()
        self.framework = framework
        self.kind = kind

    def detect(self, rows: list[GridRow], cols: Columns) -> str:
        if self.framework:
            return self.framework
        names = [c.text for r in rows for c in r.cells[: cols.roles.get("level3", 2)] if 0 < len(c.text) <= 14]
        return self.tax.detect_framework(names, names, department=self.kind == "department")

    def read(self, header: GridRow, body: list[GridRow]) -> tuple[list[Indicator], list[Slot], str]:
        sub = body[0] if body else None
        cols, used_sub = read_columns(header, sub)
        if used_sub:
            body = body[1:]
        body = [r for r in body if any(c.text for c in r.cells)]
        for i, r in enumerate(body):
            first = next(c.text for c in r.cells if c.text)
            if _STOP.match(first):
                body = body[:i]
                break
        framework = self.detect(body, cols)
        raw = [self._split(r, cols, framework) for r in body]
        self._resolve_level2(raw)
        self._resolve_level1(raw, framework)
        return self._build(raw, cols), self._slots(raw), framework

    # -- one row

    def _split(self, row: GridRow, cols: Columns, framework: str) -> _Row:
        cells = row.cells
        used = max((i + 1 for i, c in enumerate(cells) if c.text), default=0)
        positional = (cells and not cells[0].text) or used >= cols.core_width()
        if positional:
            get = lambda role: _text(cells, cols.roles.get(role))  # noqa: E731
            l1, l2, l3 = get("level1"), get("level2"), get("level3")
            values = {role: get(role) for role in cols.roles if role not in ("level1", "level2", "level3")}
            for i, name in cols.extra.items():
                values[f"extra:{name}"] = _text(cells, i)
            # A label cell left of the tree (e.g. "绩效指标") is not a level.
            if l1 and not l2 and not l3 and not any(values.values()) and not self._is_level(l1, framework):
                l1 = None
            # a 二级 name printed in the 一级 column (a shifted merged label)
            if l1 and not self.tax.is_level1(l1, framework) and self.tax.is_level2(l1, framework):
                l1, l2 = None, l2 or l1
        else:
            l1, l2, l3, values = self._by_content([c for c in cells if c.text], cols, framework)
        return _Row(l1 or None, l2 or None, l3 or None, values, row.location)

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
        l3 = rest.pop(0).text if rest else None
        values: dict[str, str] = {}
        after_l3 = sorted(
            [(i, role) for role, i in cols.roles.items() if role not in ("level1", "level2", "level3")]
            + [(i, f"extra:{name}") for i, name in cols.extra.items()]
        )
        after_l3 = [(i, r) for i, r in after_l3 if i > cols.roles.get("level3", -1)]
        for (_, role), cell in zip(after_l3, rest):
            values[role] = cell.text
        return l1, l2, l3, values

    # -- merged-label repair

    def _resolve_level2(self, rows: list[_Row]) -> None:
        labelled = [i for i, r in enumerate(rows) if r.l2]
        # a 二级 printed on a row of its own with no 三级 is an empty block: it claims no row above
        claims_above = {i for i in labelled if rows[i].l3}
        explicit_l1 = [i for i, r in enumerate(rows) if r.l1]
        for i, r in enumerate(rows):
            if r.l2 or not r.l3:
                continue
            prev = max((j for j in labelled if j < i), default=None)
            nxt = min((j for j in labelled if j > i), default=None)
            if nxt is not None and nxt not in claims_above:
                nxt = None
            # a block does not reach across a new 一级 label
            if nxt is not None and any(i < k <= nxt and rows[k].l1 and k != nxt for k in explicit_l1):
                nxt = None
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
        for r in rows:
            if r.l1:
                carried = r.l1
                continue
            parent = fw.parent_of(self.tax.canonical(r.l2)) if r.l2 else None
            if parent:
                # keep the table's own spelling of that 一级 when it printed one
                printed = next((x.l1 for x in rows if x.l1 and self.tax.canonical(x.l1) == parent), None)
                r.l1 = printed or parent
                carried = r.l1
            else:
                r.l1 = carried

    # -- output

    def _build(self, rows: list[_Row], cols: Columns) -> list[Indicator]:
        from reviewer.extract.targets import parse_target

        out = []
        for r in rows:
            v = r.values
            raw = v.get("target", "") or ""
            if not r.l3 and not raw:
                continue
            unit_col = v.get("unit_column") or None
            direction = v.get("direction") or None
            target: Target = parse_target(raw, unit_column=unit_col, comparator_column=direction, indicator=r.l3)
            extra = {k[6:]: t for k, t in v.items() if k.startswith("extra:") and t}
            out.append(
                Indicator(
                    level1=r.l1, level2=r.l2, level3=r.l3, target=target,
                    nature=v.get("nature") or None, direction=direction, unit_column=unit_col,
                    weight=_float(v.get("weight")), basis=v.get("basis") or None,
                    note=v.get("note") or None, extra=extra, location=r.location,
                )
            )
        return out

    def _slots(self, rows: list[_Row]) -> list[Slot]:
        seen: dict[tuple, Slot] = {}
        for r in rows:
            key = (r.l1, r.l2)
            if r.l2 and key not in seen:
                seen[key] = Slot(level1=r.l1, level2=r.l2, location=r.location)
        return list(seen.values())


def _text(cells: list[Cell], i: int | None) -> str:
    return cells[i].text if i is not None and i < len(cells) else ""


def _float(s: str | None) -> float | None:
    try:
        return float(s) if s else None
    except ValueError:
        return None
