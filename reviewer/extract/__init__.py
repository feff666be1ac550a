"""Input → Document: read the bytes into a grid, clean the cells, split into typed tables."""

from __future__ import annotations

from reviewer.config import Config
from reviewer.errors import InputError
from reviewer.extract.indicators import is_indicator_header
from reviewer.extract.normalize import normalize_grid
from reviewer.extract.segment import find_segments, years_in
from reviewer.extract.tables import (
    build_budget_table,
    build_indicator_table,
    build_narrative,
    most_common,
)
from reviewer.models import Document, Grid, Table


def load_document(data: bytes, name: str, config: Config | None = None) -> Document:
    """Read any supported input into a Document; InputError when it holds no recognisable table."""
    from reviewer.extract.readers import read_grid

    grid = read_grid(data, name)
    return document_from_grid(grid, config)


def document_from_grid(grid: Grid, config: Config | None = None) -> Document:
    framework = config.framework if config else None
    grid = normalize_grid(grid)
    rows = grid.rows
    tables: list[Table] = []
    segments = find_segments(rows)
    for seg in segments:
        part = rows[seg.start: seg.end]
        if not any(c.text for r in part for c in r.cells):
            continue
        if seg.kind == "narrative":
            if _has_indicator_tree(part):
                tables.append(build_indicator_table(part, "project", framework))
            else:
                t = build_narrative(part)
                if t:
                    tables.append(t)
        elif seg.kind == "budget":
            t = build_budget_table(part, seg.title)
            if t.rows or t.columns:
                tables.append(t)
        else:
            t = build_indicator_table(part, seg.kind, framework)
            if t.indicators or t.header or t.narrative:
                tables.append(t)
    if not any(t.kind != "budget" or t.rows for t in tables) and not segments[1:]:
        # a paste with no title we know: one table if it has a tree (grid or prose)
        t = build_indicator_table(rows, "project", framework)
        tables = [t] if t.indicators else []
    if not tables:
        raise InputError(f"{grid.source}: no performance-target or budget table found")
    for t in tables:
        if t.location is not None and t.location.source is None:
            t.location.source = grid.source
    year = most_common([t.year for t in tables if t.kind != "budget"]) or most_common(
        [t.year for t in tables]
    ) or most_common(years_in(" ".join(t.title for t in tables)))
    department = most_common([t.unit_name for t in tables])
    return Document(source=grid.source, format=grid.format, budget_year=year, department=department,
                    tables=tables)


def _has_indicator_tree(rows) -> bool:
    return any(is_indicator_header(r) for r in rows)
