"""Build real input files at test time (xlsx, docx, html, pdf) with known content.

Each helper writes the file under the given folder and returns its path. The
contents mimic a 项目支出绩效目标表 with merged cells, so reader tests can
assert exact cells and locations.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

TITLE = "项目支出绩效目标表"
INDICATORS = [
    # 一级, 二级, 三级, 指标值
    ("产出指标", "数量指标", "培训人次", "280人次"),
    ("", "", "开设课程数量", "220门"),
    ("", "质量指标", "培训完成率", "100%"),
    ("效益指标", "社会效益指标", "干部能力提升", "明显提升"),
]


def make_xlsx(folder: Path) -> Path:
    """Two visible sheets and a hidden one; merges across rows and columns.

    Sheet 绩效目标表:
      row 1  A1:D1 merged title
      row 2  header 一级指标 | 二级指标 | 三级指标 | 指标值
      row 3-5 A3:A5 merged 产出指标, B3:B4 merged 数量指标
      row 6  效益指标 ...
      row 7  empty (separates tables)
      row 8  项目金额 | 118 (format 0.00) | 完成时间 | 2021-12-31 (a date)
      row 9  资金到位率 | 0.95 (format 0%) | 人均成本 | 35.7
      row 10 数量 | 5.0 | 备注 | (empty)
      cell A40 carries formatting only (must not create trailing rows)
    Sheet 部门整体: data starting at column B.
    Sheet 下拉选项: hidden.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    ws["A1"] = TITLE
    ws.merge_cells("A1:D1")
    for col, text in enumerate(["一级指标", "二级指标", "三级指标", "指标值"], start=1):
        ws.cell(row=2, column=col, value=text)
    ws["A3"] = "产出指标"
    ws.merge_cells("A3:A5")
    ws["B3"] = "数量指标"
    ws.merge_cells("B3:B4")
    ws["C3"], ws["D3"] = "培训人次", "280人次"
    ws["C4"], ws["D4"] = "开设课程数量", "220门"
    ws["B5"], ws["C5"], ws["D5"] = "质量指标", "培训完成率", "100%"
    ws["A6"], ws["B6"], ws["C6"], ws["D6"] = "效益指标", "社会效益指标", "干部能力提升", "明显提升"
    ws["A8"], ws["B8"], ws["C8"], ws["D8"] = "项目金额", 118, "完成时间", datetime(2021, 12, 31)
    ws["B8"].number_format = "0.00"
    ws["D8"].number_format = "yyyy-mm-dd"
    ws["A9"], ws["B9"], ws["C9"], ws["D9"] = "资金到位率", 0.95, "人均成本", 35.7
    ws["B9"].number_format = "0%"
    ws["A10"], ws["B10"], ws["C10"] = "数量", 5.0, "备注"
    ws["A40"].font = Font(bold=True)  # styled but empty

    dept = wb.create_sheet("部门整体")
    dept["B2"], dept["C2"] = "部门名称", "济源市住房公积金管理中心"
    dept["B3"], dept["C3"], dept["D3"] = "年度预算", 503.7, "万元"
    dept.merge_cells("C2:D2")

    hidden = wb.create_sheet("下拉选项")
    hidden["A1"] = "正向指标"
    hidden.sheet_state = "hidden"

    path = folder / "targets.xlsx"
    wb.save(path)
    return path


def make_docx(folder: Path) -> Path:
    """Heading, paragraph, a table with vertical and horizontal merges, a layout frame.

    Table 1 (4 x 4):
      row 1  一级指标 | 二级指标 | 三级指标 | 指标值
      row 2  产出指标 (merged down rows 2-3) | 数量指标 | 培训人次 | 280人次
      row 3  (covered)                      | 质量指标 | 培训完成率 | 100%
      row 4  备注 (merged across B-D, two paragraphs)
    Then a paragraph, an empty paragraph, and a 1x1 frame table whose cell
    holds a paragraph and a 2 x 2 inner table.
    """
    import docx

    document = docx.Document()
    document.add_heading(TITLE, level=1)
    document.add_paragraph("项目名称\t干部教育培训")
    table = document.add_table(rows=4, cols=4)
    texts = [
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "培训人次", "280人次"],
        ["", "质量指标", "培训完成率", "100%"],
        ["指标说明", "", "", ""],
    ]
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            if text:
                table.cell(r, c).text = text
    table.cell(1, 0).merge(table.cell(2, 0))
    merged = table.cell(3, 1).merge(table.cell(3, 3))
    merged.text = "按年度考核"
    merged.add_paragraph("数据来源于培训台账")
    document.add_paragraph("以上指标由财政部门审核。")
    document.add_paragraph("")
    frame = document.add_table(rows=1, cols=1)
    cell = frame.cell(0, 0)
    cell.paragraphs[0].text = "附表"
    inner = cell.add_table(rows=2, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "项目金额", "164万元"
    inner.cell(1, 0).text, inner.cell(1, 1).text = "实施单位", "中共黄石市委党校"
    path = folder / "targets.docx"
    document.save(path)
    return path


HTML_PAGE = """<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>页面标题不应出现</title>
<style>td {{ color: red; }}</style>
<script>var hidden = "脚本内容";</script>
</head>
<body>
<h1>{title}</h1>
<p>单位：朱镕基纪念馆&nbsp;&amp;&nbsp;财政局</p>
<table border="1">
  <tr><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>指标值</th></tr>
  <tr><td rowspan="2">产出指标</td><td>数量指标</td><td>培训人次</td><td>&ge;280人次</td></tr>
  <tr><td>质量指标</td><td>培训<br>完成率</td><td>100%</td></tr>
  <tr><td colspan="3">满意度指标</td><td>&ge;95%</td></tr>
</table>
<p>备注：<!-- 注释 -->以上为批复数。</p>
</body></html>
"""


def make_html_gbk(folder: Path) -> Path:
    """A GB2312-declared page saved in GBK, with rowspan, colspan, <br>, entities, script."""
    path = folder / "page.html"
    path.write_bytes(HTML_PAGE.format(title=TITLE).encode("gbk"))
    return path


def make_pdf(folder: Path, *, text_layer: bool = True) -> Path:
    """Page 1: a title, a ruled 3 x 3 table (one cell merged down), a note.
    Page 2: a single line of text. With text_layer=False: only drawn lines.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = folder / ("targets.pdf" if text_layer else "scanned.pdf")
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 12)
    xs, ys = [72, 172, 272, 372], [760, 740, 720, 700]
    for y in (ys[0], ys[1], ys[3]):
        c.line(xs[0], y, xs[-1], y)
    c.line(xs[1], ys[2], xs[-1], ys[2])  # no line under 产出指标: merged down
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    if text_layer:
        c.drawString(72, 790, TITLE)
        for x, y, text in [
            (75, 745, "一级指标"), (175, 745, "二级指标"), (275, 745, "指标值"),
            (75, 725, "产出指标"), (175, 725, "数量指标"), (275, 725, "≥95%"),
            (175, 705, "质量指标"), (275, 705, "100%"),
        ]:
            c.drawString(x, y, text)
        c.drawString(72, 660, "备注：以上为批复数。")
    c.showPage()
    c.setFont("STSong-Light", 12)
    if text_layer:
        c.drawString(72, 790, "第二页 说明")
    else:
        c.rect(72, 700, 200, 50)
    c.showPage()
    c.save()
    return path
