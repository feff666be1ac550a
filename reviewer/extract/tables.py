"""Rows of one segment → a typed Table (project, department or budget).

A segment is usually one table. A flat export (one row per indicator with a 项目名称 column, as
budget systems export many projects to Excel) gives one table per project; a paste of the tree
alone, with no header row, gets its header from where the first 一级 / 二级 names sit.
"""

from __future__ import annotations

import re
from collections import Counter

from reviewer.extract.fast import cell_texts
from reviewer.extract.fields import cell_label, clean_label, read_fields
from reviewer.extract.indicators import Columns, IndicatorReader, is_header_texts, read_columns
from reviewer.extract.segment import YEAR_LINE, row_text, years_in
from reviewer.extract.taxonomy import load_taxonomy
from reviewer.models import Cell, GridRow, Table, TextField

_UNIT_PREFIX = re.compile(
    r"^(.+?(?:中心|局|委员会|委|办公室|办|院|校|所|站|社|会|部|厅|政府|队|馆|处|室|团|镇|街道|乡))"
    r"(\d{4}\s*年度?)?(部门)?(支出项目|项目支出|整体|部门整体|单位整体|.{0,20}项目绩效|绩效目标)"
)
_NUMERIC = re.compile(r"^-?[\d,]+(\.\d+)?%?$")
_SECTION = re.compile(r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])")


def table_text(rows: list[GridRow], row_texts: list[list[str]] | None = None) -> str:
    """The rows as tab-separated lines, blank rows left out; `row_texts`: their cell texts."""
    lines = []
    for texts in row_texts if row_texts is not None else ([c.text for c in r.cells] for r in rows):
        line = "\t".join(texts)
        if len(line) >= len(texts) > 0:  # longer than its tabs: some cell has text
            lines.append(line)
    return "\n".join(lines)


def _title_lines(row_texts: list[list[str]]) -> list[str]:
    out = []
    for all_texts in row_texts:
        texts = [t for t in all_texts if t]
        if not texts:
            continue
        if len(texts) != 1 or len(texts[0]) > 80 or cell_label(texts[0]):
            break
        out.append(texts[0].strip("*＊ "))
    return out


def _second_key(fields: dict[str, TextField], key: str, new: TextField) -> tuple[str, TextField]:
    """The key for a field whose canonical key is taken; may swap the two fields.

    Two such fields on one row are the columns of a side-by-side layout (the 财预〔2015〕88号 form
    prints 中期资金总额 | 年度资金总额 and their 其中 rows in two columns): the later column is the
    year's and takes the canonical key, the earlier is stored as 中期…. Otherwise the newcomer keeps
    its printed name.
    """
    old = fields[key]
    if _same_line(old, new) and any("中期" in f.name for f in fields.values()):
        fields[key] = new
        key, new = f"中期{key}", old
    else:
        key = new.name
    return (f"{key}#{len(fields)}" if key in fields else key), new


def _same_line(a: TextField, b: TextField) -> bool:
    la, lb = a.location, b.location
    return (la.line, la.row, la.sheet, la.table) == (lb.line, lb.row, lb.sheet, lb.table) and (
        la.line is not None or la.row is not None)


def with_indicator_header(rows: list[GridRow]) -> tuple[list[GridRow], int | None]:
    """The rows and the index of their indicator header row.

    A paste of the tree alone (no header row) gets one: the first row that starts with a 一级 name
    followed by one of its 二级 names shows where the columns are.
    """
    rows, _, h = _with_header(rows, cell_texts(rows))
    return rows, h


def _with_header(rows: list[GridRow], row_texts: list[list[str]]) -> tuple[list[GridRow], list[list[str]], int | None]:
    """with_indicator_header, with the rows' texts in and out (a made-up header row has its own)."""
    h = next((i for i, texts in enumerate(row_texts) if is_header_texts(texts)), None)
    if h is not None:
        return rows, row_texts, h
    tax = load_taxonomy()
    for i, r in enumerate(rows[:200]):
        cells = [(k, c.text) for k, c in enumerate(r.cells) if c.text]
        if len(cells) < 4:
            continue
        (k1, first), (k2, second) = cells[0], cells[1]
        parents = {fw.parent_of(tax.canonical(second)) for fw in tax.frameworks.values()}
        if k2 == k1 + 1 and tax.canonical(first) in parents:
            names = ["一级指标", "二级指标", "三级指标", "指标值"]
            header = GridRow(cells=[Cell(text="", location=r.location) for _ in range(k1)]
                             + [Cell(text=n, location=r.location) for n in names], location=r.location)
            return [*rows[:i], header, *rows[i:]], [*row_texts[:i], [""] * k1 + names, *row_texts[i:]], i
    return rows, row_texts, None


def _single_text(row_texts: list[str]) -> str | None:
    """The text of a row's only filled cell (stars and spaces stripped), else None."""
    texts = [t for t in row_texts if t]
    return texts[0].strip("*＊ ") if len(texts) == 1 else None


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


def build_indicator_tables(
    rows: list[GridRow], kind: str, framework: str | None = None, layout: str = "text",
    row_texts: list[list[str]] | None = None,
) -> list[Table]:
    """A project or department table, or several when the tree is a flat export listing many
    projects (a 项目名称 column beside the indicator columns): one table per project.

    `row_texts`: each row's cell texts (normalize.clean_rows), gathered here when not given.
    """
    if row_texts is None:
        row_texts = cell_texts(rows)
    titles, original, original_texts = _title_lines(row_texts), rows, row_texts
    rows, row_texts, h = _with_header(rows, row_texts)
    if h is not None:
        body = rows[h + 1:]
        sub = next((r for r, texts in zip(body, row_texts[h + 1:]) if any(texts)), None)
        cols, used_sub = read_columns(rows[h], sub)
        if "project" in cols.roles:
            groups = _project_groups(body, cols)
            if groups:
                return [_flat_table(rows, h, name, group, cols, kind, framework, layout, titles)
                        for name, group in groups]
        columns = (sub, cols, used_sub)
    else:
        columns = None
    return [_indicator_table(rows, h, titles, kind, framework, layout, text=table_text(original, original_texts),
                             columns=columns, row_texts=row_texts)]


def _project_groups(body: list[GridRow], cols) -> list[tuple[str, list[GridRow]]]:
    """Rows of a flat export grouped by the project they name (a merged name covers the rows below)."""
    at = cols.roles["project"]
    groups: list[tuple[str, list[GridRow]]] = []
    for r in body:
        name = r.cells[at].text if at < len(r.cells) and (at > 0 or _positional(r, cols)) else ""
        if name and (not groups or groups[-1][0] != name):
            groups.append((name, []))
        if groups:
            groups[-1][1].append(r)
    return groups


def _positional(row: GridRow, cols) -> bool:
    return len(row.cells) >= cols.core_width()


def _flat_table(rows, h, name, group, cols, kind, framework, layout, titles) -> Table:
    from reviewer.extract.numbers import parse_amount

    indicators, slots, fw = IndicatorReader(framework, kind=kind).read(rows[h], group, layout)
    first = group[0]
    header = {"项目名称": TextField(name="项目名称", text=name, location=first.cells[cols.roles["project"]].location)}
    for role, key in (("unit", "单位名称"), ("amount", "项目本年度金额")):
        at = cols.roles.get(role)
        cell = first.cells[at] if at is not None and at < len(first.cells) else None
        if cell is None or not cell.text:
            continue
        label = rows[h].cells[at].text
        amount = None
        if role == "amount":
            amount = parse_amount(cell.text, default_unit="元" if re.search(r"[(（]元[)）]", label) else "万元")
        header[key] = TextField(name=clean_label(label), text=cell.text, amount=amount, location=cell.location)
    unit = header.get("单位名称")
    return Table(
        title=name, kind="project", framework=fw, year=_year_of(titles, header, table_text(rows[:h + 1] + group)),
        unit_name=unit.text if unit else None, header=header, indicators=indicators, slots=slots,
        text=table_text([rows[h], *group]), location=first.location,
    )


def build_indicator_table(rows: list[GridRow], kind: str, framework: str | None = None, layout: str = "text") -> Table:
    """A project or department table: title lines, header and narrative fields, the indicator tree.

    `layout` is the grid's format: text copied from a PDF or a web page is read with more
    tolerance (wrapped cells, labels printed mid-block) than a workbook or a document.
    """
    row_texts = cell_texts(rows)
    with_header, with_header_texts, h = _with_header(rows, row_texts)
    return _indicator_table(with_header, h, _title_lines(row_texts), kind, framework, layout,
                            text=table_text(rows, row_texts), row_texts=with_header_texts)


def _indicator_table(
    rows: list[GridRow], h: int | None, titles: list[str], kind: str, framework: str | None, layout: str, text: str,
    columns: tuple[GridRow | None, Columns, bool] | None = None, row_texts: list[list[str]] | None = None,
) -> Table:
    """`columns`: (sub-header candidate, columns, sub used) when the caller has read them already;
    `row_texts`: the rows' cell texts."""
    if row_texts is None:
        row_texts = cell_texts(rows)
    head = slice(len(titles), h if h is not None else len(rows))
    header: dict[str, TextField] = {}
    narrative: dict[str, TextField] = {}
    for section, key, tf in read_fields(rows[head], layout, row_texts[head]):
        target = header if section == "header" else narrative
        if key in target:
            key, tf = _second_key(target, key, tf)
        target[key] = tf
    indicators, slots, fw = [], [], None
    if h is not None:
        repeated = set(titles)  # the title printed again on the next page of a long table
        body, body_texts = [], []
        for r, texts in zip(rows[h + 1:], row_texts[h + 1:]):
            if repeated and _single_text(texts) in repeated:
                r, texts = GridRow(cells=[], location=r.location), []
            body.append(r)
            body_texts.append(texts)
        indicators, slots, fw = IndicatorReader(framework, kind=kind).read(rows[h], body, layout, columns, body_texts)
    else:
        from reviewer.extract.prose import read_prose_indicators

        indicators, slots, fw = read_prose_indicators(rows, framework)
    title_line = " ".join(t for t in titles if not YEAR_LINE.match(t))
    name = header.get("项目名称") if kind == "project" else header.get("单位名称")
    title = (name.text if name else "") or title_line or (kind == "project" and "未命名项目") or "部门整体绩效目标"
    m = _UNIT_PREFIX.match(re.sub(r"^关于", "", title_line.replace(" ", "")))
    unit = header.get("单位名称") or header.get("实施单位")
    unit_name = m.group(1) if m else (unit.text if unit else None)
    return Table(
        title=title, kind=kind, framework=fw, year=_year_of(titles, header, text), unit_name=unit_name,
        header=header, narrative=narrative, indicators=indicators, slots=slots,
        text=text, location=rows[0].location if rows else None,
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
    heads = [line for line in lines if line][:4]
    year = next((y for line in heads for y in years_in(line)), None)
    return Table(title=title, kind="budget", year=year, narrative=sections, text=text,
                 location=rows[0].location if rows else None)


def most_common(values: list) -> object | None:
    values = [v for v in values if v]
    return Counter(values).most_common(1)[0][0] if values else None
