"""Input → Document: read the bytes into a grid, clean the cells, split into typed tables."""

from __future__ import annotations

import re

from reviewer.config import Config
from reviewer.errors import InputError
from reviewer.extract.fast import paused_gc
from reviewer.extract.indicators import is_header_texts
from reviewer.extract.linewise import one_cell_per_line, rebuild_rows, tree_score
from reviewer.extract.normalize import clean_rows
from reviewer.extract.segment import find_segments, years_in
from reviewer.extract.tables import (
    build_budget_table,
    build_indicator_tables,
    build_narrative,
    most_common,
)
from reviewer.models import Document, Grid, Table


def load_document(data: bytes, name: str, config: Config | None = None) -> Document:
    """Read any supported input into a Document; InputError when it holds no recognisable table."""
    with paused_gc():
        doc = _read_document(data, name, config)
    # the collector resumes once the grid is gone: it has only the document left to look at
    return doc


def _read_document(data: bytes, name: str, config: Config | None) -> Document:
    from reviewer.extract.readers import read_grid

    grid = read_grid(data, name)
    # Text copied out of some PDF viewers separates cells by single spaces, or puts every cell
    # on a line of its own: read it both ways and keep the reading that finds more of the tree.
    others = [_split_on_spaces(grid)] if _space_separated(grid) else []
    linewise = rebuild_rows(grid) if one_cell_per_line(grid) else None
    if not others and linewise is None:
        return _document_from_grid(grid, config)
    readings = []
    for g in (grid, *others):
        try:
            readings.append(_document_from_grid(g, config))
        except InputError as e:
            error = e
    best = max(readings, key=lambda d: sum(len(t.indicators) + len(t.header) for t in d.tables)) if readings else None
    if linewise is not None:
        # read line by line, any stray line is an "indicator": compare well-formed rows instead
        try:
            rebuilt = _document_from_grid(linewise, config)
            if best is None or tree_score(rebuilt) > tree_score(best):
                best = rebuilt
        except InputError as e:
            error = e
    if best is None:
        raise error
    return best


_SPACED_TREE = re.compile(r"一级指标\s+二级指标|二级指标\s+三级指标|^\s*项目名称\s+\S")
_RUN_OF_SPACES = re.compile(r"[ \u3000\u00a0]+")


def _space_separated(grid: Grid) -> bool:
    """Plain text with no tab anywhere whose header rows are written with spaces between cells."""
    if grid.format != "text" or any(len(r.cells) > 1 for r in grid.rows):
        return False
    return any(_SPACED_TREE.search(r.cells[0].text) for r in grid.rows if r.cells)


def _split_on_spaces(grid: Grid) -> Grid:
    """Each line split at runs of spaces; a known narrative label keeps its text in one cell."""
    from reviewer.extract.fields import classify_label
    from reviewer.models import Cell, GridRow

    rows = []
    for r in grid.rows:
        if not r.cells:
            rows.append(r)
            continue
        cell = r.cells[0]
        tokens = [t for t in _RUN_OF_SPACES.split(cell.text.strip()) if t]
        label = classify_label(tokens[0]) if tokens else None
        if label and label[0] == "narrative" and len(tokens) > 1:
            tokens = [tokens[0], " ".join(tokens[1:])]
        cells = [Cell(text=t, location=cell.location) for t in tokens] or [cell]
        rows.append(GridRow(cells=cells, location=r.location))
    return Grid(source=grid.source, rows=rows, format=grid.format)


def document_from_grid(grid: Grid, config: Config | None = None) -> Document:
    with paused_gc():
        return _document_from_grid(grid, config)


def _document_from_grid(grid: Grid, config: Config | None = None) -> Document:
    framework = config.framework if config else None
    row_texts = clean_rows(grid)  # each row's cell texts, read once for every stage below
    rows = grid.rows
    tables: list[Table] = []
    segments = find_segments(rows, row_texts)
    for seg in segments:
        part, part_texts = rows[seg.start: seg.end], row_texts[seg.start: seg.end]
        if not any(any(texts) for texts in part_texts):
            continue
        if seg.kind == "narrative":
            if any(is_header_texts(texts) for texts in part_texts):  # an indicator tree
                tables.extend(t for t in build_indicator_tables(part, "project", framework, grid.format, part_texts)
                              if t.indicators or t.header or t.narrative)
            else:
                t = build_narrative(part)
                if t:
                    tables.append(t)
        elif seg.kind == "budget":
            t = build_budget_table(part, seg.title)
            if t.rows or t.columns:
                tables.append(t)
        else:
            tables.extend(t for t in build_indicator_tables(part, seg.kind, framework, grid.format, part_texts)
                          if t.indicators or t.header or t.narrative)
    if not any(t.kind != "budget" or t.rows for t in tables) and not segments[1:]:
        # a paste with no title we know: one table if it has a tree (grid, bare rows or prose)
        found = [t for t in build_indicator_tables(rows, "project", framework, grid.format, row_texts)
                 if t.indicators]
        tables = found or tables  # else a budget narrative on its own: still worth checking
    if not tables:
        raise InputError(
            f"{grid.source}：未找到绩效目标表或预算表，请确认内容包含“项目名称”等表头或“一级指标 二级指标 三级指标”"
            "指标表（no performance-target or budget table found）"
        )
    for t in tables:
        if t.location is not None and t.location.source is None:
            t.location.source = grid.source
    year = most_common([t.year for t in tables if t.kind != "budget"]) or most_common(
        [t.year for t in tables]
    ) or most_common(years_in(" ".join(t.title for t in tables)))
    department = _department(tables)
    return Document(source=grid.source, format=grid.format, budget_year=year, department=department,
                    tables=tables)


_ORG = re.compile(r"(中心|局|委员会|委|办公室|办|院|校|所|站|社|会|部|厅|政府|队|馆|处|团|镇|街道|乡|党校)$")


def _department(tables: list[Table]) -> str | None:
    """The department that owns the document: the unit its tables name as owner most often.

    Votes: a department-wide table's 单位名称 3, a project's 主管部门 2, a project's own unit
    (单位名称, or the unit in its title or 实施单位) 1.
    """
    votes: dict[str, int] = {}
    for t in tables:
        named = [(t.header.get("单位名称"), 3 if t.kind == "department" else 1), (t.header.get("主管部门"), 2)]
        for f, weight in named:
            name = re.sub(r"^[(（\[【]\d+[)）\]】]|[(（](部门|单位)[)）]$", "", f.text).strip() if f else ""
            if name and len(name) <= 40 and _ORG.search(name):
                votes[name] = votes.get(name, 0) + weight
        if t.unit_name and not (t.header.get("单位名称") and t.header["单位名称"].text == t.unit_name):
            votes[t.unit_name] = votes.get(t.unit_name, 0) + 1
    return max(votes, key=votes.__getitem__) if votes else None

