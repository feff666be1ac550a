"""Speed paths of extraction: models built without validation, caches, the paused collector.

Every fast path must give exactly what the validated, uncached path gives.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from reviewer.extract import load_document
from reviewer.extract.fast import construct, copy, grid_row, paused_gc, text_location, text_row
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
    row = text_row("a.txt", 3, ["", "≥95%"])
    cells = row.cells
    assert cells == [Cell(text="", location=Location(source="a.txt", line=3, col=1)),
                     Cell(text="≥95%", location=loc)]
    # each cell's Location is its own, made once, from the row's
    assert cells[1].location is cells[1].location and cells[1].location is not row.location
    assert cells[1].location.model_fields_set == {"source", "line", "col"}
    assert row.location.model_fields_set == {"source", "line"} and row.model_fields_set == {"cells", "location"}
    c = cells[1]
    assert row == GridRow(cells=cells, location=Location(source="a.txt", line=3))
    assert row.model_dump() == GridRow.model_validate(row.model_dump()).model_dump()
    assert grid_row(cells, text_location("a.txt", 3)) == row
    assert text_row("a.txt", 4, []) == GridRow(cells=[], location=Location(source="a.txt", line=4))
    # assignment still works and shows in the row's serialisation
    c.text = "=100%"
    assert c.text == "=100%" and row.model_dump()["cells"][1]["text"] == "=100%"
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


def test_shared_row_field_sets_stay_as_they_were(samples_dir):
    """text_row shares one fields-set among its rows and one among their locations: a whole review
    of the reference sample, drafts included, must not add to them."""
    from reviewer.bulk import dump_review
    from reviewer.checks import run_checks
    from reviewer.drafting import draft_comments
    from reviewer.extract import fast

    doc = load_document((samples_dir / "jiyuan_housing_fund_2021.txt").read_bytes(), "jiyuan.txt")
    from reviewer.config import Config

    dump_review(draft_comments(run_checks(doc), Config(), offline=True))
    assert fast._ROW_FIELDS == {"cells", "location"} and fast._ROW_LOCATION_FIELDS == {"source", "line"}
    row = text_row("a.txt", 1, ["x", "y"])
    assert row.location.model_fields_set is fast._ROW_LOCATION_FIELDS
    assert row.cells[0].location.model_fields_set is not fast._ROW_LOCATION_FIELDS  # a copy, with its col


def test_cells_validate_and_serialise_like_the_model_they_replace():
    """Cell is a slotted class; the models that hold cells still take and give {"text", "location"}."""
    loc = Location(source="a.xlsx", sheet="项目1", row=2, col=3, cell="C2")
    cell = Cell(text="≥95%", location=loc)
    row = GridRow(cells=[cell, {"text": "x"}], location=Location(source="a.xlsx", row=2))
    assert row.cells[0] is cell  # a Cell passes through as it is
    assert row.cells[1] == Cell(text="x") and row.cells[1].location == Location()
    dumped = row.model_dump()
    assert dumped["cells"][0] == {"text": "≥95%", "location": loc.model_dump()}
    assert GridRow.model_validate_json(row.model_dump_json()) == row
    assert row.model_dump(mode="json") == json.loads(row.model_dump_json())
    assert Cell(text="a") != Cell(text="b") and Cell(text="a") == Cell(text="a")
    assert "≥95%" in repr(cell)
    with pytest.raises(ValidationError):
        GridRow(cells=[{"location": {}}])  # no text


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


def test_needs_cleaning_answers_as_the_dirty_patterns_do():
    """The cheap tests in front of the row pattern change no answer, for any whitespace or mark."""
    import random

    from reviewer.extract.normalize import _DIRTY, _DIRTY_PAGED, needs_cleaning

    alphabet = list("a中1 \t\r\n\x0b\x0c\x1c\x1f\x85\u00a0\u1680\u2003\u2028\u3000\u200b<&#*_\x00")
    rng = random.Random(11)
    for _ in range(60000):
        joined = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 7)))
        assert needs_cleaning(joined, False) == bool(_DIRTY.search(joined)), repr(joined)
        assert needs_cleaning(joined, True) == bool(_DIRTY_PAGED.search(joined)), repr(joined)


def test_pinyin_glosses_are_found_where_the_lookbehind_first_pattern_finds_them():
    """_PINYIN starts with "(" so that its search can skip ahead; it matches as the plain form does."""
    import random
    import re

    from reviewer.extract.normalize import _PINYIN

    plain = re.compile(r"(?<=[\u4e00-\u9fff])\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7})\)")
    alphabet = list("產出a(ǎ)ü（） 1z")
    rng = random.Random(3)
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert [m.span() for m in _PINYIN.finditer(text)] == [m.span() for m in plain.finditer(text)], text
        assert _PINYIN.sub("", text) == plain.sub("", text)


def test_labels_read_full_width_brackets_as_ascii_ones():
    from reviewer.extract.fields import classify_label, clean_label

    assert clean_label("部门（单位）名称：") == "部门(单位)名称"
    assert clean_label("项目资金（万元）") == "项目资金"
    assert classify_label("部门（单位）职责") == ("narrative", "部门职责")


def test_page_marks_go_whatever_the_path():
    """A page number between two parts of a table becomes a break, in clean and in dirty rows."""
    from reviewer.extract.normalize import normalize_grid

    grid = parse_text("项目名称\t某项目\n\t— 12 —\t\n第 3 页 共 8 页\n  - 4 -  \n12\t34\n2023年\n", "x.txt")
    rows = normalize_grid(grid).rows
    assert [r.texts for r in rows] == [["项目名称", "某项目"], [], [], [], ["12", "34"], ["2023年"]]


def test_space_aligned_text_is_found_with_any_wide_space():
    """Columns aligned with ideographic or non-breaking spaces are split like plain ones."""
    for gap in ("  ", "\u3000\u3000", "\u00a0 ", " \u3000"):
        lines = [gap.join(["一级指标", "二级指标", "三级指标", "指标值"]),
                 gap.join(["产出指标", "数量指标", "培训人数", "≥200人"]),
                 gap.join(["效益指标", "社会效益指标", "就业率", "≥80%"])]
        grid = parse_text("\n".join(lines) + "\n", "x.txt")
        assert [len(r.cells) for r in grid.rows] == [4, 4, 4], repr(gap)
    assert [len(r.cells) for r in parse_text("甲 乙\n丙\u3000丁\n", "x.txt").rows] == [1, 1]


def test_indicator_header_reads_the_same_from_filled_cells():
    from reviewer.extract.indicators import is_header_texts, is_indicator_header

    for texts in (["", "一级指标", "", "二级指标", "三级指标", "指标值"], ["一级\x00指标", "三级指标"],
                  ["指标名称", "二级指标"], ["项目名称", "指标名称", "一级指标"], ["名", "称级"], ["产出指标", "数量"]):
        row = GridRow(cells=[Cell(text=t) for t in texts])
        assert is_header_texts([t for t in texts if t]) == is_indicator_header(row)
    assert is_indicator_header(GridRow(cells=[Cell(text=t) for t in ("一级指标", "二级指标", "三级指标")]))
    assert not is_indicator_header(GridRow(cells=[Cell(text="一级\x00指标"), Cell(text="三级指标")]))


def test_extra_columns_keep_their_order_and_mid_term_names():
    """Values of extra columns (and of the 中期 group of the 88号 form) reach Indicator.extra in column order."""
    text = ("一级指标\t二级指标\t三级指标\t指标值\t二级指标\t三级指标\t指标值\t备用\t责任人\n"
            "产出指标\t数量指标\t中期人数\t≥500人\t数量指标\t培训人数\t≥200人\t甲\t张三\n"
            "\t\t\t\t\t就业率\t≥80%\t\t李四\n")
    doc = load_document(text.encode(), "x.txt")
    first, second = doc.tables[0].indicators
    assert (first.level3, second.level3) == ("培训人数", "就业率")
    assert first.extra == {"中期二级指标": "数量指标", "中期三级指标": "中期人数", "中期指标值": "≥500人",
                           "备用": "甲", "责任人": "张三"}
    assert list(first.extra) == ["中期二级指标", "中期三级指标", "中期指标值", "备用", "责任人"]
    assert second.extra == {"责任人": "李四"}


def test_verify_golden_finds_a_changed_document(tmp_path, capsys):
    """benchmarks/bench_extract.py --verify-golden: silent on the same extraction, loud on a change."""
    import json

    from bench_extract import verify_golden

    corpus = tmp_path / "corpus"
    generate(corpus, tables=4, files=2, seed=3)
    entries = []
    for p in sorted(corpus.rglob("*.tsv")):
        doc = load_document(p.read_bytes(), p.name)
        entries.append({"name": f"synth:{p.relative_to(corpus)}", "document": doc.model_dump(mode="json")})
    golden = tmp_path / "golden.json"
    golden.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    assert verify_golden(golden, corpus) == 0
    assert "IDENTICAL" in capsys.readouterr().out
    entries[1]["document"]["tables"][0]["indicators"][0]["level3"] = "改动"
    golden.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    assert verify_golden(golden, corpus) == 1
    out = capsys.readouterr().out
    assert ".tables[0].indicators[0].level3" in out and "1 DIFFER" in out


@pytest.fixture
def row_text_inputs(tmp_path) -> list[tuple[bytes, str]]:
    """The reference sample, the real tables, synthetic files and a few untidy grids."""
    samples = Path(__file__).resolve().parents[1].parent / "shared" / "samples"
    samples = samples if samples.exists() else Path("/work/shared/samples")
    files = [samples / "jiyuan_housing_fund_2021.txt", *sorted((samples / "real").glob("*.tsv"))]
    inputs = [(p.read_bytes(), p.name) for p in files if p.exists()]
    generate(tmp_path, tables=6, files=2, seed=5)
    inputs += [(p.read_bytes(), p.name) for p in sorted(tmp_path.rglob("*.tsv"))]
    # markup, wide spaces, page marks and markdown; traditional text with pinyin glosses
    inputs.append(("**项目名称**：\t<p>某　项目</p>\n\t— 12 —\t\n第 3 页 共 8 页\n# 一级指标\t二级指标\t三级指标\t指标值\n"
                   "產(chǎn)出指標\t數量指標\t培訓人數\t≥200人\n".encode(), "dirty.txt"))
    inputs.append(("項目名稱\t職業技能培訓補貼項目\n一級指標\t二級指標\t三級指標\t指標值\n"
                   "產出指標\t數量指標\t培訓人數\t≥200人\n效益指標\t社會效益指標\t就業率\t≥80%\n".encode(), "trad.txt"))
    # a tree with no header row: the reader makes one up, with its own texts
    inputs.append(("项目名称\t某项目\n年度目标\t完成培训任务，提高就业率，服务群众满意\n产出指标\t数量指标\t培训人数\t≥200人\n"
                   "\t质量指标\t合格率\t≥95%\n效益指标\t社会效益指标\t就业率\t≥80%\n".encode(), "bare.txt"))
    return inputs


def test_row_texts_are_the_cleaned_cells(row_text_inputs):
    """clean_rows hands back each row's texts as its cells hold them once cleaned, whatever the path."""
    from reviewer.extract.normalize import clean_rows
    from reviewer.extract.readers import read_grid

    for data, name in row_text_inputs:
        grid = read_grid(data, name)
        texts = clean_rows(grid)
        assert texts == [[c.text for c in r.cells] for r in grid.rows], name
    html_grid = Grid(source="x.html", format="html", rows=[
        GridRow(cells=[Cell(text="<b>项目名称</b>"), Cell(text=" 某\u3000项目 ")]), GridRow(cells=[Cell(text="— 2 —")])])
    assert clean_rows(html_grid) == [["项目名称", "某 项目"], ["— 2 —"]]  # page marks are dropped from text only


def test_tables_read_the_same_with_or_without_the_row_texts(row_text_inputs):
    """The stages that take the rows' texts from clean_rows read exactly what they read from the cells."""
    from reviewer.extract.fields import read_fields
    from reviewer.extract.normalize import clean_rows
    from reviewer.extract.readers import read_grid
    from reviewer.extract.segment import find_segments
    from reviewer.extract.tables import build_indicator_tables

    tables = 0
    for data, name in row_text_inputs:
        grid = read_grid(data, name)
        texts = clean_rows(grid)
        rows = grid.rows
        segments = find_segments(rows)
        assert segments == find_segments(rows, texts), name
        for seg in segments:
            if seg.kind not in ("project", "department"):
                continue
            part, part_texts = rows[seg.start: seg.end], texts[seg.start: seg.end]
            given = build_indicator_tables(part, seg.kind, None, grid.format, part_texts)
            gathered = build_indicator_tables(part, seg.kind, None, grid.format)
            assert [t.model_dump() for t in given] == [t.model_dump() for t in gathered], name
            assert read_fields(part, grid.format, part_texts) == read_fields(part, grid.format), name
            tables += len(given)
    assert tables >= 20
