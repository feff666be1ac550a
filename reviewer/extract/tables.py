"""Rows of one segment → a typed Table (project, department or budget)."""

from __future__ import annotations

import re
from collections import Counter

from reviewer.extract.fields import read_fields
from reviewer.extract.indicators import IndicatorReader, is_indicator_header
from reviewer.extract.segment import YEAR_LINE, row_text, years_in
from reviewer.models import GridRow, Table, TextField

_UNIT_PREFIX = re.compile(
    r"^(.+?(?:中心|局|委员会|委|办公室|办|院|校|所|站|社|会|部|厅|政府|队|馆|处|室|团|镇|街道|乡))"
    r"(\d{4}\s*年度?)?(部门)?(支出项目|项目支出|整体|部门整体|单位整体|.{0,20}项目绩效|绩效目标)"
)
_NUMERIC = re.compile(r"^-?[\d,]+(\.\d+)?%?$")
_SECTION = re.compile(r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])")


def table_text(rows: list[GridRow]) -> str:
    return "\n".join("\t".join(c.text for c in r.cells) for r in rows if any(c.text for c in r.cells))


def _title_lines(rows: list[GridRow]) -> list[str]:
    out = []
    for r in rows:
        texts = [c.text for c in r.cells if c.text]
        if not texts:
            continue
        if len(texts) != 1 or len(texts[0]) > 80:
            break
        out.append(texts[0].strip("*＊ "))
    return out


def _year_of(lines: list[str], fields: dict[str, TextField], text: str = "") -> int | None:
    for line in lines:
        m = YEAR_LINE.match(line)
        if m:
            return int(m.group(1))
    for line in lines:
        ys = years_in(line)
        if ys:
            return ys[-1]
    for key in ("开始时间", "结束时间", "项目期限", "年度绩效目标"):
        f = fields.get(key)
        if f:
            m = re.search(r"(20\d{2})", f.text)
            if m:
                return int(m.group(1))
    return most_common(years_in(text)) if text else None


def build_indicator_table(rows: list[GridRow], kind: str, framework: str | None = None) -> Table:
    titles = _title_lines(rows)
    h = next((i for i, r in enumerate(rows) if is_indicator_header(r)), None)
    head_rows = rows[len(titles): h if h is not None else len(rows)]
    header: dict[str, TextField] = {}
    narrative: dict[str, TextField] = {}
    for section, key, tf in read_fields(head_rows):
        target = header if section == "header" else narrative
        if key in target:
            key = tf.name if tf.name not in target else f"{tf.name}#{len(target)}"
        target[key] = tf
    indicators, slots, fw = [], [], None
    if h is not None:
        indicators, slots, fw = IndicatorReader(framework, kind=kind).read(rows[h], rows[h + 1:])
    else:
        from reviewer.extract.prose import read_prose_indicators

        indicators, slots, fw = read_prose_indicators(rows, framework)
    title_line = " ".join(t for t in titles if not YEAR_LINE.match(t))
    name = header.get("项目名称") if kind == "project" else header.get("单位名称")
    title = (name.text if name else "") or title_line or (kind == "project" and "未命名项目") or "部门整体绩效目标"
    m = _UNIT_PREFIX.match(title_line.replace(" ", ""))
    unit = header.get("单位名称") or header.get("实施单位")
    unit_name = m.group(1) if m else (unit.text if unit else None)
    return Table(
        title=title, kind=kind, framework=fw, year=_year_of(titles, header, table_text(rows)), unit_name=unit_name,
        header=header, narrative=narrative, indicators=indicators, slots=slots,
        text=table_text(rows), location=rows[0].location if rows else None,
    )


def build_budget_table(rows: list[GridRow], title: str) -> Table:
    body = [r for r in rows[1:] if any(c.text for c in r.cells)]
    unit_name = None
    grid: list[GridRow] = []
    for r in body:
        single = [c.text for c in r.cells if c.text]
        if len(single) == 1 and re.match(r"^单位\s*[:：]", single[0]):
            value = re.sub(r"^单位\s*[:：]\s*", "", single[0])
            if "元" not in value:
                unit_name = value
            continue
        if len(single) == 1 and single[0] == title:
            continue  # repeated title of a continued page
        grid.append(r)
    header_rows = _header_rows(grid)
    columns = _flatten(header_rows)
    data = [r for r in grid[len(header_rows):] if not _same_cells(r, header_rows)]
    year = next(iter(years_in(title)), None)
    name = re.sub(r"^\d{4}\s*年度?", "", title).strip()
    return Table(title=name or title, kind="budget", year=year, unit_name=unit_name, columns=columns,
                 rows=data, text=table_text(rows), location=rows[0].location if rows else None)


def _header_rows(grid: list[GridRow]) -> list[GridRow]:
    """Header rows: those before the first row holding two numbers, or the "** ** 1 2 3" marker row."""
    out = []
    for r in grid:
        texts = [c.text for c in r.cells if c.text]
        numbers = sum(1 for t in texts if _NUMERIC.match(t))
        if any(t == "**" for t in texts):
            out.append(r)
            break
        if numbers >= 1 or (len(r.cells) == 1 and len(out) > 0):
            break
        out.append(r)
        if len(out) >= 4:
            break
    return out


def _same_cells(r: GridRow, header_rows: list[GridRow]) -> bool:
    return any(r.texts == h.texts for h in header_rows)


def _flatten(header_rows: list[GridRow]) -> list[str]:
    """Join stacked header cells into one name per column ("基本支出/小计")."""
    rows = [r for r in header_rows if not any(c.text == "**" for c in r.cells)]
    width = max((len(r.cells) for r in header_rows), default=0)
    names: list[list[str]] = [[] for _ in range(width)]
    for depth, r in enumerate(rows):
        last = ""
        for i in range(width):
            t = r.cells[i].text if i < len(r.cells) else ""
            below = any(i < len(x.cells) and x.cells[i].text for x in rows[depth + 1:])
            if t:
                last = t
                names[i].append(t)
            elif last and below and depth < len(rows) - 1:
                names[i].append(last)  # a group label spanning this column
    return ["/".join(dict.fromkeys(n)) for n in names]


def build_narrative(rows: list[GridRow], title: str = "部门预算说明") -> Table | None:
    """The budget narrative before the first table: sections keyed by their heading."""
    lines = [row_text(r) for r in rows]
    text = "\n".join(line for line in lines if line)
    if len(text) < 200 or "预算" not in text:
        return None
    sections: dict[str, TextField] = {}
    current, buf, loc = "前言", [], rows[0].location if rows else None
    for r, line in zip(rows, lines, strict=True):
        if not line:
            continue
        if _SECTION.match(line) and len(line) <= 40 and "是指" not in line and not line.endswith("。"):
            if buf:
                sections.setdefault(current, TextField(name=current, text="".join(buf), location=loc))
            current, buf, loc = line, [], r.location
        else:
            buf.append(line)
    if buf:
        sections.setdefault(current, TextField(name=current, text="".join(buf), location=loc))
    head = next((line for line in lines if line), "")
    year = next(iter(years_in(head)), None)
    return Table(title=title, kind="budget", year=year, narrative=sections, text=text,
                 location=rows[0].location if rows else None)


def most_common(values: list) -> object | None:
    values = [v for v in values if v]
    return Counter(values).most_common(1)[0][0] if values else None
