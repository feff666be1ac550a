"""Speed paths of extraction: models built without validation, caches, the paused collector.

Every fast path must give exactly what the validated, uncached path gives.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest

from reviewer.extract import load_document
from reviewer.extract.fast import construct, copy, grid_row, paused_gc, text_cells, text_location
from reviewer.extract.numbers import _amount_cached, _scan, _scan_cached, find_numbers, parse_amount
from reviewer.extract.readers.text import parse_text
from reviewer.extract.targets import _parse_target, parse_target
from reviewer.models import Amount, Cell, Document, Grid, GridRow, Location, Target

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from synth import generate  # noqa: E402


def test_constructed_models_equal_validated_ones():
    loc = text_location("a.txt", 3, 2)
    assert loc == Location(source="a.txt", line=3, col=2)
    assert loc.model_fields_set == {"source", "line", "col"}
    assert text_location("a.txt", 3) == Location(source="a.txt", line=3)
    assert text_location("a.txt", 3).model_fields_set == {"source", "line"}
    cells = text_cells("a.txt", 3, ["", "≥95%"])
    assert cells == [Cell(text="", location=Location(source="a.txt", line=3, col=1)),
                     Cell(text="≥95%", location=loc)]
    assert [c.model_fields_set for c in cells] == [{"text", "location"}] * 2
    assert cells[1].location.model_fields_set == {"source", "line", "col"}
    c = cells[1]
    row = grid_row(cells, text_location("a.txt", 3))
    assert row == GridRow(cells=cells, location=Location(source="a.txt", line=3))
    assert row.model_dump() == GridRow.model_validate(row.model_dump()).model_dump()
    # assignment still works and is recorded like on a validated model
    c.text = "=100%"
    assert c.text == "=100%" and c.model_dump()["text"] == "=100%"
    t = construct(Target, {**Target(raw="x").model_dump(), "kind": "empty"}, {"raw", "kind"})
    assert t == Target(raw="x", kind="empty")


def test_copy_is_independent():
    a = Target(raw="≥95%", kind="numeric", comparator=">=", value=95.0, unit="%")
    b = copy(a)
    assert b == a and b is not a
    b.unit, b.placeholder = "个", True
    assert a.unit == "%" and not a.placeholder
    assert "placeholder" in b.model_fields_set and "placeholder" not in a.model_fields_set


def test_parse_target_cache_returns_fresh_equal_copies():
    first = parse_target("≥95%")
    first.value = 1.0  # a caller changing its copy …
    again = parse_target("≥95%")
    assert again.value == 95.0  # … does not change what the next caller gets
    assert again == _parse_target("≥95%", None, None, None)
    assert parse_target("≥95%") is not parse_target("≥95%")


def test_parse_target_indicator_name_only_matters_for_serials():
    # the name is part of the answer for a five-digit number …
    assert parse_target("44561", indicator="完成时间").kind == "date"
    assert parse_target("44561", indicator="缴存人数").kind == "numeric"
    # … and for anything else the answer is the same whatever the name
    assert parse_target("≥95%", indicator="完成时间") == parse_target("≥95%", indicator="满意度")


def test_amount_and_numbers_caches_match_uncached():
    for text in ("164万元", "854万", "5950元", "49.50", "3万元以内", "595元/个", "五万元", "共计"):
        uncached = _amount_cached.__wrapped__(text, "万元")
        got = parse_amount(text)
        assert got == uncached
        if got is not None:
            got.wan = -1.0  # a caller changing its copy does not change the cache
            assert parse_amount(text) == uncached
        assert list(_scan_cached(text, True)) == _scan(text, bare_magnitude_money=True)
    assert parse_amount("1.2亿元") == Amount(raw="1.2亿元", value=1.2, unit="亿元", wan=12000.0)
    text = "归集住房公积金6亿元，覆盖率达到90%，每月20日前发放"
    spans = find_numbers(text)
    spans.clear()  # the caller's list is its own
    assert find_numbers(text) == _scan(text) != []


def test_paused_gc_restores_the_collector():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():  # nested
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError):
        with paused_gc():
            raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # off before: left off
    finally:
        gc.enable()


def _revalidated(doc: Document) -> Document:
    return Document.model_validate(doc.model_dump())


def test_documents_survive_full_validation(samples_dir, tmp_path):
    """Everything built without validation is what validation would accept and give back."""
    paths = [samples_dir / "jiyuan_housing_fund_2021.txt", *sorted((samples_dir / "real").glob("*.tsv"))]
    generate(tmp_path, tables=6, files=2, seed=7)
    paths += sorted(tmp_path.rglob("*.tsv"))
    for path in paths:
        doc = load_document(path.read_bytes(), path.name)
        assert doc.tables
        assert _revalidated(doc) == doc, path.name
        for table in doc.tables:  # every field present, as validation would leave it
            for model in [*table.indicators, *table.slots, *table.header.values(), *table.narrative.values()]:
                assert set(model.__dict__) == set(type(model).model_fields), (path.name, type(model).__name__)


def test_text_reader_grid_survives_full_validation():
    grid = parse_text("项目名称\t某项目\t\t\n\n| a | b |\n|---|---|\n| 1 | 2 |\n列一  列二  列三\n", "x.txt")
    assert Grid.model_validate(grid.model_dump()) == grid
    assert [r.texts for r in grid.rows] == [["项目名称", "某项目", "", ""], [], ["a", "b"], ["1", "2"],
                                             ["列一  列二  列三"]]


def test_clean_rows_are_recognised_exactly():
    """normalize_grid skips a row only when clean_cell (and the markdown rules) would keep every cell."""
    import random

    from reviewer.extract.normalize import _DIRTY, _DIRTY_PAGED, _MD_EMPHASIS, _MD_HEADING, clean_cell

    alphabet = list("ab中文 \t\r\n\u00a0\u3000\u2003\x1f<&#*_>;1")
    rng = random.Random(5)
    for _ in range(20000):
        cells = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 5))) for _ in range(rng.randint(1, 4))]
        for paged, dirty in ((False, _DIRTY), (True, _DIRTY_PAGED)):
            if dirty.search("\x00".join(cells)):
                continue
            for t in cells:
                u = _MD_HEADING.sub("", _MD_EMPHASIS.sub(r"\2", t)) if paged else t
                assert clean_cell(u) == t, (cells, paged)
