"""Text pasted one cell per line: the rows are rebuilt and read like the tab-separated original.

Inputs are made from real tables inside the test: every non-empty cell of the tab-separated
original on a line of its own, which is what copying such a table out of a PDF viewer or a web
page gives.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewer.cli import app
from reviewer.errors import InputError
from reviewer.extract import load_document
from reviewer.extract.linewise import one_cell_per_line, rebuild_rows
from reviewer.extract.normalize import normalize_grid
from reviewer.extract.readers import read_grid
from reviewer.extract.segment import find_segments

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "eval" / "cases" / "real"
SAMPLE = ROOT / "eval" / "cases" / "jiyuan_housing_fund_2021.txt"


def one_per_line(text: str) -> str:
    return "\n".join(c.strip() for line in text.splitlines() for c in line.split("\t") if c.strip()) + "\n"


def indicators(doc) -> list[tuple]:
    return [(i.level1, i.level2, i.level3, i.target.raw) for t in doc.tables for i in t.indicators]


def fields(doc) -> list[tuple]:
    return sorted((k, f.text) for t in doc.tables for k, f in {**t.header, **t.narrative}.items())


def _sample_tables() -> dict[str, str]:
    """Each project / department table of the reference sample as its own tab-separated text."""
    text = SAMPLE.read_text(encoding="utf-8")
    lines = text.splitlines()
    grid = normalize_grid(read_grid(text.encode("utf-8"), SAMPLE.name))
    return {f"jiyuan@{s.start + 1}": "\n".join(lines[s.start: s.end])
            for s in find_segments(grid.rows) if s.kind in ("project", "department")}


def _cases() -> dict[str, str]:
    cases = {p.stem: p.read_text(encoding="utf-8") for p in sorted(REAL.glob("*.tsv"))}
    cases.update(_sample_tables())
    # only tab-separated tables whose reading has a tree say anything about rebuilding one
    return {name: text for name, text in cases.items()
            if "\t" in text and indicators(load_document(text.encode(), name + ".txt"))}


CASES = _cases()


def test_the_cases_cover_real_tables_and_the_sample() -> None:
    assert sum(not n.startswith("jiyuan") for n in CASES) >= 4
    assert sum(n.startswith("jiyuan") for n in CASES) >= 8


def test_most_tables_read_the_same_as_the_tab_separated_original() -> None:
    """Recovery measured on 12 tables (4 real tables with a tree + 8 of the reference sample)."""
    same_tables = same_rows = total_rows = 0
    for name, text in CASES.items():
        original = load_document(text.encode(), name + ".txt")
        pasted = load_document(one_per_line(text).encode(), name + ".lines.txt")
        a, b = indicators(original), indicators(pasted)
        same_tables += a == b and fields(original) == fields(pasted)
        total_rows += len(a)
        same_rows += sum(1 for x in a if x in b)
    assert same_tables / len(CASES) >= 0.6, (same_tables, len(CASES))  # 8 of 12 today
    assert same_rows / total_rows >= 0.9, (same_rows, total_rows)  # 220 of 234 today


@pytest.mark.parametrize("stem", ["05_huangshi_dangxiao_2022", "13_yueyang_gaobiaozhunnongtian_2022",
                                  "21_wuhai_gongxiaoshe_zaishengziyuan_2021"])
def test_real_table_recovered_exactly(stem: str) -> None:
    text = (REAL / f"{stem}.tsv").read_text(encoding="utf-8")
    original = load_document(text.encode(), stem + ".tsv")
    pasted = load_document(one_per_line(text).encode(), stem + ".txt")
    assert indicators(pasted) == indicators(original)
    assert fields(pasted) == fields(original)
    assert [t.kind for t in pasted.tables] == [t.kind for t in original.tables]


def test_split_target_column_and_extra_columns_are_placed_by_content() -> None:
    # 05: 指标值 split into "2021年实际实现值 | 预期2022年实现值"; a lone value goes to the expected one
    text = (REAL / "05_huangshi_dangxiao_2022.tsv").read_text(encoding="utf-8")
    rows = rebuild_rows(read_grid(one_per_line(text).encode(), "05.txt")).rows
    body = next(r.texts for r in rows if "主体班培训人次" in r.texts)
    assert body == ["", "", "数量指标", "主体班培训人次", "", "280人次", ""]
    # 21: 指标性质 | 指标方向 | 目标值 | 计量单位 | 分值 | 备注, with the unit left empty on some rows
    text = (REAL / "21_wuhai_gongxiaoshe_zaishengziyuan_2021.tsv").read_text(encoding="utf-8")
    rows = rebuild_rows(read_grid(one_per_line(text).encode(), "21.txt")).rows
    first = next(r.texts for r in rows if "出差人数" in r.texts)
    assert first[first.index("出差人数"):] == ["出差人数", "正向", "=", "8", "", "4", ""]
    second = next(r.texts for r in rows if "出差人次" in r.texts)
    assert second[second.index("出差人次"):] == ["出差人次", "正向", "=", "24", "人/次", "4", ""]


def test_traditional_text_with_pinyin_glosses_is_detected() -> None:
    text = (REAL / "19_yueyanglou_jiagerenzheng_zhengti_2023.tsv").read_text(encoding="utf-8")
    grid = read_grid(one_per_line(text).encode(), "19.txt")
    assert one_cell_per_line(grid)
    doc = load_document(one_per_line(text).encode(), "19.txt")
    got = indicators(doc)
    assert ("产出指标", "数量指标", "业务工作支出安排金额", "28.8万元") in got
    assert ("效益指标", "社会效益指标", "保证单位正常运转", "应保尽保") in got


def test_detection_rejects_other_text() -> None:
    tsv = (REAL / "13_yueyang_gaobiaozhunnongtian_2022.tsv").read_text(encoding="utf-8")
    assert not one_cell_per_line(read_grid(tsv.encode(), "13.tsv"))  # tab-separated
    assert one_cell_per_line(read_grid(one_per_line(tsv).encode(), "13.txt"))
    prose = "关于2023年工作的说明\n今年共完成培训280人次。\n一级指标和二级指标见附件。\n"
    assert not one_cell_per_line(read_grid(prose.encode(), "p.txt"))
    spaced = "一级指标 二级指标 三级指标 指标值\n产出指标 数量指标 保障人数 ≥1200人\n"
    assert not one_cell_per_line(read_grid(spaced.encode(), "s.txt"))


def test_not_a_table_still_gives_the_clear_error() -> None:
    text = "今天天气很好\n我们去公园散步\n一级\n二级\n"
    with pytest.raises(InputError, match="未找到绩效目标表或预算表"):
        load_document(text.encode(), "note.txt")
    # the level headers alone, with nothing under them, are no table either
    with pytest.raises(InputError, match="未找到绩效目标表或预算表"):
        load_document("一级指标\n二级指标\n三级指标\n指标值\n".encode(), "empty.txt")


def test_the_example_of_the_brief_reads() -> None:
    text = "\n".join([
        "项目名称", "城乡居民最低生活保障资金", "主管部门", "某县民政局", "实施单位", "某县社会救助中心",
        "年度绩效目标", "保障城乡低保对象基本生活，按时足额发放低保金。",
        "一级指标", "二级指标", "三级指标", "指标值",
        "产出指标", "数量指标", "保障人数", "≥1200人", "质量指标", "资金发放准确率", "100%",
        "时效指标", "资金发放时间", "≤2021年12月底",
        "效益指标", "社会效益指标", "困难群众基本生活保障率", "95%以上",
        "满意度指标", "服务对象满意度指标", "低保对象满意度", "≥90%",
    ]) + "\n"
    doc = load_document(text.encode(), "paste.txt")
    (table,) = doc.tables
    assert table.header["项目名称"].text == "城乡居民最低生活保障资金"
    assert table.header["主管部门"].text == "某县民政局"
    assert indicators(doc) == [
        ("产出指标", "数量指标", "保障人数", "≥1200人"),
        ("产出指标", "质量指标", "资金发放准确率", "100%"),
        ("产出指标", "时效指标", "资金发放时间", "≤2021年12月底"),
        ("效益指标", "社会效益指标", "困难群众基本生活保障率", "95%以上"),
        ("满意度指标", "服务对象满意度指标", "低保对象满意度", "≥90%"),
    ]


def _findings(path: Path) -> list[tuple]:
    result = CliRunner().invoke(app, ["review", str(path), "--offline", "--exit-zero", "-f", "json"])
    assert result.exit_code == 0, result.output
    review = json.loads(result.output)
    return sorted((f["rule"], f["location"], f["message"]) for t in review["tables"] for f in t["findings"])


@pytest.mark.parametrize("stem", ["13_yueyang_gaobiaozhunnongtian_2022", "21_wuhai_gongxiaoshe_zaishengziyuan_2021"])
def test_review_of_the_paste_reports_the_same_findings(stem: str, tmp_path: Path) -> None:
    original = REAL / f"{stem}.tsv"
    pasted = tmp_path / f"{stem}.txt"
    pasted.write_text(one_per_line(original.read_text(encoding="utf-8")), encoding="utf-8")
    expected = _findings(original)
    assert expected  # these tables have findings worth comparing
    assert _findings(pasted) == expected
