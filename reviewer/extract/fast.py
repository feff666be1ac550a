"""Pydantic models built without validation, and other help for the hot paths of extraction.

A reader makes models for every row of every table (and a Location for most cells); validating
each costs more than everything else the reader does. Where the values are already of the
right types (strings and ints the reader made itself), `construct` builds the model
directly: the same object validation would give (same `__dict__`, same fields set), for
about half to two thirds of the cost. pydantic's own `model_construct` is slower than
validation for small models, so it is no help here. Callers pass every field of the
model; tests/test_extract_fast.py holds the results equal to validated models (and
fails when a model gains a field that a caller does not fill).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from pydantic import BaseModel

from reviewer.models import Cell, GridRow, Location

M = TypeVar("M", bound=BaseModel)

_set = object.__setattr__
_new = object.__new__
# BaseModel keeps these in slots: their descriptors set them faster than object.__setattr__
_set_fields = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def construct(cls: type[M], values: dict, fields_set: set[str]) -> M:
    """`cls` holding `values` (every field, already valid); `fields_set` = the fields given.

    Only for models without private attributes or extra fields, such as those in
    reviewer.models.
    """
    obj = _new(cls)
    _set(obj, "__dict__", values)
    _set_fields(obj, fields_set)
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


def copy(model: M) -> M:
    """A shallow copy of a model whose field values are immutable (str, numbers, dates)."""
    return construct(type(model), model.__dict__.copy(), set(model.__pydantic_fields_set__))


def text_location(source: str, line: int, col: int | None = None) -> Location:
    """Location(source=…, line=…[, col=…]) for a cell or a line of a text input."""
    obj = _new(Location)
    _set(obj, "__dict__", {"source": source, "line": line, "row": None, "col": col, "sheet": None,
                           "table": None, "page": None, "cell": None})
    _set_fields(obj, {"source", "line"} if col is None else {"source", "line", "col"})
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


# The fields-sets of the rows and their locations that text_row makes: one set object each, not
# one per model. pydantic only ever adds to a fields-set, on assignment, and the grid stage only
# assigns fields already in these (normalize_grid sets GridRow.cells); nothing reads them but
# model_dump(exclude_unset=True), which this package does not use.
_ROW_FIELDS = {"cells", "location"}
_ROW_LOCATION_FIELDS = {"source", "line"}
_CELL_LOCATION_FIELDS = frozenset(("source", "line", "col"))


class TextCell(Cell):
    """A cell of a text row. It keeps the row's Location and its column, and makes its own
    Location when first asked: few cells are (those that become fields and indicators).

    The Location is kept in a slot of its own that text_row sets to None: a test for None costs
    far less than the AttributeError an unset slot would raise on first reading."""

    __slots__ = ("row_location", "col", "own_location")

    @property
    def location(self) -> Location:
        location = self.own_location
        if location is None:
            values = self.row_location.__dict__.copy()
            values["col"] = self.col
            location = self.own_location = construct(Location, values, set(_CELL_LOCATION_FIELDS))
        return location

    @location.setter
    def location(self, value: Location) -> None:
        self.own_location = value


def text_row(source: str, line: int, texts: list[str]) -> GridRow:
    """GridRow(cells=[Cell(text=t, location=Location(source=…, line=…, col=k)) for k, t in
    enumerate(texts, 1)], location=Location(source=…, line=…)), its cells TextCells.

    The hottest loop of reading a text input: one pass per cell of every line.
    """
    row_location = construct(Location, {"source": source, "line": line, "row": None, "col": None, "sheet": None,
                                        "table": None, "page": None, "cell": None}, _ROW_LOCATION_FIELDS)
    new, cell_cls = _new, TextCell
    cells = []
    append = cells.append
    col = 0
    for text in texts:
        col += 1
        c = new(cell_cls)
        c.text = text
        c.row_location = row_location
        c.col = col
        c.own_location = None
        append(c)
    return construct(GridRow, {"cells": cells, "location": row_location}, _ROW_FIELDS)


def cell_texts(rows: list[GridRow]) -> list[list[str]]:
    """Each row's cell texts, as normalize.clean_rows hands them to the later stages (for callers
    that were given rows only)."""
    return [[c.text for c in r.cells] for r in rows]


def ascii_brackets(text: str) -> str:
    """Full-width brackets as ASCII ones (str.translate would pay a failed dict look-up, an
    exception raised and cleared, for every other character)."""
    return text.replace("（", "(").replace("）", ")")


def grid_row(cells: list[Cell], location: Location) -> GridRow:
    """GridRow(cells=…, location=…)."""
    return construct(GridRow, {"cells": cells, "location": location}, {"cells", "location"})


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run a block without the cyclic garbage collector.

    Extraction allocates tens of thousands of small acyclic objects per file (cells,
    locations, fields); each batch of 700 starts a collection, and every tenth of those
    walks older objects as well, which costs more than building the objects. Reference
    counting frees them as usual; the collector resumes afterwards (unless it was already
    off when the block began, e.g. in a nested call).
    """
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
