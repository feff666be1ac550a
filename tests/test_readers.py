"""Readers: every input format → Grid, with cells, order and locations checked."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from fixtures_gen import TITLE, make_docx, make_html_gbk, make_pdf, make_xlsx
from reviewer.errors import InputError
from reviewer.extract.readers import read_grid, sniff_format
from reviewer.extract.readers.csv import sniff_delimiter
from reviewer.extract.readers.encoding import decode
from reviewer.extract.readers.text import parse_text
from reviewer.extract.readers.xlsx import display_text, format_number


def texts(grid) -> list[list[str]]:
    return [row.texts for row in grid.rows]


def nonempty(grid) -> list[list[str]]:
    return [row.texts for row in grid.rows if row.cells]


# ------------------------------------------------------------------ samples


def test_reference_sample_reads_line_by_line(samples_dir: Path) -> None:
    path = samples_dir / "jiyuan_housing_fund_2021.txt"
    grid = read_grid(path.read_bytes(), path.name)
    assert grid.format == "text" and grid.source == path.name
    assert len(grid.rows) == 724
    assert sum(len(r.cells) for r in grid.rows) == 2778
    assert grid.rows[0].cells == [] and grid.rows[1].cells == []  # leading blank lines kept
    assert grid.rows[2].texts == ["2021 年度济源市住房公积金管理中心 部门预算说明"]
    row = grid.rows[380]
    assert row.texts == ["产出目标", "数量", "驻村工作人员数量", "=1人"]
    assert row.location.line == 381
    assert [c.location.col for c in row.cells] == [1, 2, 3, 4]
    assert all(c.location.source == path.name for c in row.cells)
    # Trailing tabs keep their empty cells, so columns stay aligned.
    header = grid.rows[152]
    assert header.texts[:6] == ["科目编码", "", "", "单位代码", "单位（科目名称）", "总计"]
    assert header.texts[-2:] == ["", ""]
    # HTML left in cells is kept as text for a later stage.
    assert grid.rows[620].texts[1].startswith('<ol style="list-style-type: none"> 1、2021年1月')


REAL = {
    # file: (rows, cells, {(line, col): text})
    "05_huangshi_dangxiao_2022.tsv": (23, 126, {(3, 2): "主体班", (8, 5): "指标值", (22, 6): "≥95%", (10, 1): ""}),
    "12_tongxin_xiamaguan_putao_2023.tsv": (11, 11, {(3, 1): "一、 产出指标", (11, 1): "2023年3月27日"}),
    "13_yueyang_gaobiaozhunnongtian_2022.tsv": (24, 89, {(4, 4): "彭兵", (16, 5): "1600元/亩", (12, 1): ""}),
    "15_yangquan_sihaonongcunlu_2021.tsv": (13, 31, {(6, 5): "25", (6, 3): "", (13, 1): "总体目标"}),
    "19_yueyanglou_jiagerenzheng_zhengti_2023.tsv": (12, 71, {(7, 5): "28.8萬元", (8, 5): "100"}),
    "21_wuhai_gongxiaoshe_zaishengziyuan_2021.tsv": (24, 146, {(17, 7): "44,561", (15, 8): "人/次", (9, 3): "3"}),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_tables(samples_dir: Path, name: str) -> None:
    path = samples_dir / "real" / name
    grid = read_grid(path.read_bytes(), name)
    rows, cells, expected = REAL[name]
    assert len(grid.rows) == rows
    assert sum(len(r.cells) for r in grid.rows) == cells
    for (line, col), text in expected.items():
        cell = grid.rows[line - 1].cells[col - 1]
        assert cell.text == text
        assert (cell.location.line, cell.location.col) == (line, col)


# ------------------------------------------------------------------ text


def test_gb18030_text_file(tmp_path: Path) -> None:
    content = "项目名称\t再生资源回收\n\n一级指标\t指标值\n产出指标\t≥95%\n"
    path = tmp_path / "gbk.txt"
    path.write_bytes(content.encode("gb18030"))
    grid = read_grid(path.read_bytes(), path.name)
    assert texts(grid) == [["项目名称", "再生资源回收"], [], ["一级指标", "指标值"], ["产出指标", "≥95%"]]
    assert [r.location.line for r in grid.rows] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "encoded",
    [
        "\ufeff项目金额\t164万元\r\n备注\r\n".encode("utf-8"),
        "\ufeff项目金额\t164万元\r\n备注\r\n".encode("utf-16-le"),
        "\ufeff项目金额\t164万元\r\n备注\r\n".encode("utf-16-be"),
        "项目金额\t164万元\r备注\r".encode("gbk"),
    ],
    ids=["utf8-bom", "utf16le-bom", "utf16be-bom", "gbk-cr"],
)
def test_encodings_and_newlines(encoded: bytes) -> None:
    grid = read_grid(encoded, "x.txt")
    assert texts(grid) == [["项目金额", "164万元"], ["备注"]]


def test_utf16_without_bom() -> None:
    grid = read_grid("Indicator\t指标值\nRate\t95%\n".encode("utf-16-le"), "<stdin>")
    assert texts(grid) == [["Indicator", "指标值"], ["Rate", "95%"]]


def test_decode_strips_nul_and_rejects_binary() -> None:
    assert decode("指标\x00值".encode("utf-8")) == "指标值"
    assert decode(b"") == ""
    with pytest.raises(InputError, match="binary"):
        decode(bytes(range(256)) * 4, "blob.bin")


def test_markdown_table() -> None:
    text = (
        "# 绩效目标\n"
        "| 一级指标 | 二级指标 | 指标值 |\n"
        "|---|:---:|---:|\n"
        "| 产出指标 | 数量指标 | ≥ 280 人次 |\n"
        "|  | 质量指标 | 100% |\n"
        "| 满意度 | a \\| b | |\n"
        "\n"
        "结束\n"
    )
    grid = read_grid(text.encode(), "t.md")
    assert texts(grid) == [
        ["# 绩效目标"],
        ["一级指标", "二级指标", "指标值"],
        ["产出指标", "数量指标", "≥ 280 人次"],
        ["", "质量指标", "100%"],
        ["满意度", "a | b", ""],
        [],
        ["结束"],
    ]
    assert [r.location.line for r in grid.rows] == [1, 2, 4, 5, 6, 7, 8]  # separator line dropped


def test_markdown_without_outer_pipes() -> None:
    grid = parse_text("指标 | 值\n--- | ---\n时效 | 及时\n", "p")
    assert texts(grid) == [["指标", "值"], ["时效", "及时"]]


def test_space_aligned_block_is_split_but_prose_is_not() -> None:
    text = (
        "说明：本表  单位为万元。\n"
        "\n"
        "一级指标    二级指标    三级指标      指标值\n"
        "产出指标    数量指标    培训人次      280人次\n"
        "            质量指标    培训完成率    100%\n"
        "效益指标    社会效益    能力提升      明显\n"
        "\n"
        "全年  完成  任务。\n"
    )
    grid = parse_text(text, "paste")
    assert texts(grid) == [
        ["说明：本表  单位为万元。"],
        [],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "培训人次", "280人次"],
        ["质量指标", "培训完成率", "100%"],
        ["效益指标", "社会效益", "能力提升", "明显"],
        [],
        ["全年  完成  任务。"],  # two gaps, but a lone line is not a table
    ]


def test_tab_lines_keep_cell_text_exactly() -> None:
    grid = parse_text(" 项目名称 \t 再生 资源 \t\n\t\t\n", "p")
    assert texts(grid) == [["项目名称", "再生 资源", ""], []]


# ------------------------------------------------------------------ csv


def test_csv_with_quotes_and_newlines(tmp_path: Path) -> None:
    content = (
        '项目名称,"再生资源回收,市场管理",备注\n'
        '年度目标,"第一行\n第二行","他说""好"""\n'
        ",,\n"
        "金额,3,\n"
    )
    path = tmp_path / "t.csv"
    path.write_bytes(content.encode("gbk"))
    grid = read_grid(path.read_bytes(), path.name)
    assert grid.format == "csv"
    assert texts(grid) == [
        ["项目名称", "再生资源回收,市场管理", "备注"],
        ["年度目标", "第一行\n第二行", '他说"好"'],
        [],
        ["金额", "3", ""],
    ]
    cell = grid.rows[1].cells[2]
    assert (cell.location.row, cell.location.col, cell.location.line) == (2, 3, None)


def test_csv_semicolon_is_sniffed() -> None:
    content = "指标;指标值;单位\n满意度;95,5;%\n完成率;100;%\n".encode("utf-8-sig")
    assert sniff_delimiter(content.decode("utf-8-sig")) == ";"
    grid = read_grid(content, "t.csv")
    assert texts(grid)[1] == ["满意度", "95,5", "%"]


# ------------------------------------------------------------------ xlsx


def test_xlsx_sheets_merges_and_values(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path)
    grid = read_grid(path.read_bytes(), path.name)
    assert grid.format == "xlsx"
    assert texts(grid) == [
        [TITLE],  # A1:D1 merged: value once; trailing covered cells dropped
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "培训人次", "280人次"],
        ["", "", "开设课程数量", "220门"],  # under A3:A5 and B3:B4
        ["", "质量指标", "培训完成率", "100%"],
        ["效益指标", "社会效益指标", "干部能力提升", "明显提升"],
        [],  # interior empty row kept
        ["项目金额", "118.00", "完成时间", "2021-12-31"],
        ["资金到位率", "95%", "人均成本", "35.7"],
        ["数量", "5", "备注"],
        [],  # sheet boundary; the styled empty A40 made no rows
        ["部门名称", "济源市住房公积金管理中心"],  # data from column B: leading empty column dropped
        ["年度预算", "503.7", "万元"],
    ]
    assert all("下拉" not in (c.location.sheet or "") for r in grid.rows for c in r.cells)
    cell = grid.rows[3].cells[2]
    assert (cell.location.sheet, cell.location.cell, cell.location.row, cell.location.col) == (
        "绩效目标表", "C4", 4, 3,
    )
    dept = grid.rows[11].cells[0]
    assert (dept.location.sheet, dept.location.cell) == ("部门整体", "B2")


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (5.0, "General", "5"),
        (35.7, "General", "35.7"),
        (0.1 + 0.2, "General", "0.3"),
        (0.95, "0%", "95%"),
        (0.955, "0.0%", "95.5%"),
        (1234.5, "#,##0.00", "1,234.50"),
        (2.675, "0.00", "2.68"),
        (5.0, "0.0#", "5.0"),
        (5.123, "0.0#", "5.12"),
        (5, '0"万元"', "5万元"),
        (-5, "0.00;(0.00)", "(5.00)"),
        (-7, "¥#,##0.00", "-¥7.00"),
        (0, '0;-0;"-"', "-"),
        (12.5, "[Red]0.0", "12.5"),
        (0.05, "0.00E+00", "0.05"),
    ],
)
def test_number_formats(value: float, fmt: str, shown: str) -> None:
    assert format_number(value, fmt) == shown


def test_display_text_dates() -> None:
    from datetime import date, datetime

    assert display_text(datetime(2021, 12, 31)) == "2021-12-31"
    assert display_text(datetime(2021, 12, 31, 8, 30)) == "2021-12-31 08:30"
    assert display_text(date(2022, 1, 5)) == "2022-01-05"


# ------------------------------------------------------------------ docx


def test_docx_body_order_and_merges(tmp_path: Path) -> None:
    path = make_docx(tmp_path)
    grid = read_grid(path.read_bytes(), path.name)
    assert grid.format == "docx"
    assert texts(grid) == [
        [TITLE],
        ["项目名称", "干部教育培训"],  # a tab in a paragraph separates cells
        [],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "培训人次", "280人次"],
        ["", "质量指标", "培训完成率", "100%"],  # vMerge continuation is empty
        ["指标说明", "按年度考核\n数据来源于培训台账", "", ""],  # gridSpan 3: value once
        [],
        ["以上指标由财政部门审核。"],
        [],  # the empty paragraph (collapsed with the table boundary)
        ["附表"],  # the 1x1 frame is read as body text ...
        [],
        ["项目金额", "164万元"],  # ... and its inner table as a table
        ["实施单位", "中共黄石市委党校"],
    ]
    first = grid.rows[4].cells[3]
    assert (first.location.table, first.location.row, first.location.col) == (1, 2, 4)
    inner = grid.rows[13].cells[1]
    assert (inner.location.table, inner.location.row, inner.location.col) == (2, 2, 2)


def test_docx_nested_table_in_wide_table_is_flattened(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    table.cell(0, 0).text, table.cell(0, 2).text = "资金情况", "万元"
    inner = table.cell(0, 1).add_table(rows=2, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "财政拨款", "132"
    inner.cell(1, 0).text, inner.cell(1, 1).text = "其他资金", "32"
    path = tmp_path / "nested.docx"
    document.save(path)
    grid = read_grid(path.read_bytes(), path.name)
    assert nonempty(grid) == [["资金情况", "财政拨款 132\n其他资金 32", "万元"]]


# ------------------------------------------------------------------ html


def test_html_gbk_rowspan_colspan(tmp_path: Path) -> None:
    path = make_html_gbk(tmp_path)
    grid = read_grid(path.read_bytes(), path.name)
    assert grid.format == "html"
    assert texts(grid) == [
        [TITLE],
        ["单位：朱镕基纪念馆 & 财政局"],  # 镕 is outside GB2312: decoded as GB18030
        [],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "培训人次", "≥280人次"],
        ["", "质量指标", "培训\n完成率", "100%"],
        ["满意度指标", "", "", "≥95%"],
        [],
        ["备注：以上为批复数。"],
    ]
    flat = "\n".join(c.text for r in grid.rows for c in r.cells)
    assert "脚本" not in flat and "color" not in flat and "页面标题" not in flat
    cell = grid.rows[5].cells[2]
    assert (cell.location.table, cell.location.row, cell.location.col) == (1, 3, 3)


def test_html_overlapping_spans_and_sections() -> None:
    page = """<table>
      <thead><tr><th rowspan="2" colspan="2">指标</th><th>值</th></tr><tr><th>2022</th></tr></thead>
      <tbody><tr><td>A</td><td rowspan="0">B</td><td>1</td></tr><tr><td>C</td><td>2</td></tr></tbody>
    </table>"""
    grid = read_grid(page.encode(), "t.html")
    assert nonempty(grid) == [["指标", "", "值"], ["", "", "2022"], ["A", "B", "1"], ["C", "", "2"]]


def test_html_fragment_from_stdin_with_layout_table() -> None:
    fragment = (
        "<table><tr><td>导航</td><td>"
        "<p>正文</p><table><tr><td>项目</td><td rowspan=2>A</td></tr><tr><td>金额</td></tr></table>"
        "</td></tr></table>"
    ).encode("utf-8")
    assert sniff_format(fragment, "<stdin>") == "html"
    grid = read_grid(fragment, "<stdin>")
    assert nonempty(grid) == [["导航"], ["正文"], ["项目", "A"], ["金额", ""]]


# ------------------------------------------------------------------ pdf


def test_pdf_tables_and_lines_in_reading_order(tmp_path: Path) -> None:
    path = make_pdf(tmp_path)
    grid = read_grid(path.read_bytes(), path.name)
    assert grid.format == "pdf"
    assert texts(grid) == [
        [TITLE],
        [],
        ["一级指标", "二级指标", "指标值"],
        ["产出指标", "数量指标", "≥95%"],
        ["", "质量指标", "100%"],  # merged down: covered cell empty
        [],
        ["备注：以上为批复数。"],
        ["第二页 说明"],
    ]
    assert [r.location.page for r in grid.rows] == [1, 1, 1, 1, 1, 1, 1, 2]
    cell = grid.rows[3].cells[2]
    assert (cell.location.page, cell.location.table, cell.location.row, cell.location.col) == (1, 1, 2, 3)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = make_pdf(tmp_path, text_layer=False)
    with pytest.raises(InputError, match=r"scanned\.pdf has no text layer"):
        read_grid(path.read_bytes(), path.name)


def test_pdf_with_user_password(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    path = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(path), encrypt=StandardEncryption("secret", ownerPassword="owner"))
    c.drawString(72, 720, "budget")
    c.showPage()
    c.save()
    with pytest.raises(InputError, match=r"locked\.pdf is password-protected"):
        read_grid(path.read_bytes(), path.name)


# ------------------------------------------------------------------ dispatch


def test_sniffing_without_suffix(tmp_path: Path) -> None:
    assert sniff_format(make_xlsx(tmp_path).read_bytes(), "<stdin>") == "xlsx"
    assert sniff_format(make_docx(tmp_path).read_bytes(), "<stdin>") == "docx"
    assert sniff_format(make_pdf(tmp_path).read_bytes(), "upload") == "pdf"
    assert sniff_format(b"<!DOCTYPE html><p>x</p>", "<stdin>") == "html"
    assert sniff_format("一级指标\t指标值".encode(), "<stdin>") == "text"
    assert sniff_format(b"a,b\n1,2\n", "t.csv") == "csv"
    # A workbook saved under a wrong suffix is still read as a workbook.
    grid = read_grid(make_xlsx(tmp_path).read_bytes(), "targets.txt")
    assert grid.format == "xlsx"


def test_html_saved_as_xls_is_read_as_html() -> None:
    grid = read_grid("<html><body><table><tr><td>指标</td></tr></table></body></html>".encode(), "export.xls")
    assert nonempty(grid) == [["指标"]]


def _corrupt_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>" * 50)
    return buffer.getvalue()[:60]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.txt", r"empty\.txt is empty"),
        (b"  \n\t\n", "blank.txt", r"blank\.txt is empty"),
        (random.Random(7).randbytes(4096), "random.bin", "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xls", r"old\.xls.*save it as \.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.doc", r"save it as \.docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "locked.xlsx", "password-protected"),
        (b"plain words", "legacy.wps", r"save it as \.docx"),
        (_corrupt_zip(), "broken.xlsx", r"broken\.xlsx is a damaged ZIP"),
        (b"PK\x03\x04 not really a zip", "<stdin>", "damaged ZIP"),
        (b"hello", "fake.docx", r"fake\.docx is not a valid \.docx"),
        (b"%PDF-1.4\n garbage without objects", "bad.pdf", r"bad\.pdf"),
    ],
    ids=["empty", "blank", "random", "xls", "doc", "encrypted-xlsx", "wps", "corrupt-zip", "zip-stdin",
         "fake-docx", "bad-pdf"],
)
def test_bad_inputs_raise_input_error(data: bytes, name: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        read_grid(data, name)
    assert "\n" not in str(caught.value)


def test_zip_that_is_not_office() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hi")
    with pytest.raises(InputError, match="not an Excel or Word file"):
        read_grid(buffer.getvalue(), "bundle.zip")


def test_workbook_without_text(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "blank.xlsx"
    Workbook().save(path)
    with pytest.raises(InputError, match=r"blank\.xlsx holds no text"):
        read_grid(path.read_bytes(), path.name)


def test_excel_targets_typed_as_formulas_read_as_typed():
    """"=100%" typed into Excel is stored as a formula whose value is 1; a reviewer typed "=100%"."""
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["一级指标", "二级指标", "三级指标", "指标值"])
    ws.append(["产出指标", "质量指标", "验收合格率", "=100%"])
    ws.append(["", "", "服务人次", "=B1"])  # a real formula with no saved result
    buf = io.BytesIO()
    wb.save(buf)
    rows = [r.texts for r in read_grid(buf.getvalue(), "t.xlsx").rows]
    assert rows[1][3] == "=100%" and rows[2][3] == "=B1"


def test_csv_on_stdin_is_read_as_csv():
    data = "项目名称,社区养老服务\n一级指标,二级指标,三级指标,指标值\n产出指标,数量指标,服务人次,≥1000人次\n".encode()
    grid = read_grid(data, "<stdin>")
    assert grid.format == "csv"
    assert grid.rows[2].texts == ["产出指标", "数量指标", "服务人次", "≥1000人次"]
