"""Reports: text, markdown, xlsx, docx, html and the bulk JSON, opened and read back.

Hand-built reviews pin exact contents (escaping, formulas, grouping); the real
sample, run through extract → checks → offline drafts, checks the reports hold
every table and finding of a real review.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from reviewer.decisions import export_cases, finding_key, read_decisions
from reviewer.models import Amount, Comment, Finding, Location, Review, Table, TableReview, TextField, Usage
from reviewer.report import table_amount
from reviewer.report.docx import comment_group, write_docx
from reviewer.report.html import write_html
from reviewer.report.jsonfile import write_json
from reviewer.report.markdown import render_markdown
from reviewer.report.text import render_text
from reviewer.report.xlsx import write_xlsx

SAMPLE = Path(__file__).resolve().parents[1] / "eval" / "cases" / "jiyuan_housing_fund_2021.txt"
EVIL = "档案室整修<script>alert('x')</script>|管道"


def amount_field(name: str, wan: float) -> TextField:
    return TextField(name=name, text=f"{wan:.2f}", amount=Amount(raw=f"{wan:.2f}", value=wan, wan=wan))


def hand_review() -> Review:
    table = Table(title=EVIL, kind="project", unit_name="济源市住房公积金管理中心",
                  header={"项目总金额": amount_field("项目总金额", 0.0),
                          "项目上年度金额": amount_field("项目上年度金额", 12.0),
                          "项目本年度金额": amount_field("项目本年度金额", 35.7)})
    findings = [
        Finding(id="F1", rule="IQ203", category="narrative_mismatch", severity="error", indicator="密集架",
                location="产出目标 > 数量 > 密集架", evidence="项目概况: 加高密集架60组; 指标值: =52组",
                message="项目概况写密集架60组，数量指标写52组，两处不一致。", at=Location(line=412)),
        Finding(id="F2", rule="IQ304", category="unmeasurable_target", severity="warning",
                location="效果目标 > 满意度 > 使用人员满意度", evidence="=满意\x01",
                message="满意度应写为比率。"),
        Finding(id="F3", rule="IQ501", category="stale_date", severity="info", location="项目实施计划",
                evidence="2019年1-12月", message="实施计划的年份早于预算年度。"),
        Finding(id="F4", rule="IQ301", category="unmeasurable_target", severity="warning",
                location="效果目标 > 社会效益 > 设备购置使用率", evidence="≥98%", message="使用率没有定义口径。"),
    ]
    comments = [
        Comment(finding_ids=["F2"], text="满意度指标建议改为“使用人员满意度≥90%”。"),
        Comment(finding_ids=["F1"], text="密集架数量前后不一致（60组与52组），建议核实后统一。", source="llm"),
        Comment(finding_ids=["F4"], text="设备购置使用率建议写明计算口径。"),
        Comment(text="建议补充时效指标。", suggested=True, category="missing_indicator", source="llm"),
    ]
    return Review(
        source="docs/济源.txt", budget_year=2021,
        tables=[TableReview(title=EVIL, kind="project", verdict="退回修改", findings=findings,
                            comments=comments, table=table),
                TableReview(title="济源市住房公积金管理中心", kind="department", verdict="通过")],
        usage=Usage(requests=2, cached=1, input_tokens=900, output_tokens=300, cost=0.0123),
    )


@pytest.fixture(scope="module")
def sample_review() -> Review:
    from reviewer.pipeline import review_path

    return review_path(SAMPLE, offline=True)


# ---------------------------------------------------------------- helpers shared by reports


def test_amount_is_this_years_amount_not_total_or_last_year():
    assert table_amount(hand_review().tables[0]) == 35.7
    assert table_amount(hand_review().tables[1]) is None


@pytest.mark.parametrize("location, category, group", [
    ("产出目标 > 数量 > 密集架", "narrative_mismatch", "产出指标"),
    ("产出指标 > 成本指标 > 成本控制率", "unmeasurable_target", "产出指标"),
    ("效果目标 > 满意度 > 使用人员满意度", "unmeasurable_target", "满意度指标"),
    ("满意度指标 > 服务对象满意度指标 > 学员满意度", "format", "满意度指标"),
    ("效益指标 > 社会效益指标 > 受益人数", "format", "效益指标"),
    ("影响力目标 > 长效管理 > 机制健全性", "unmeasurable_target", "效益指标"),
    ("效益", "missing_indicator", "效益指标"),
    ("项目实施计划", "stale_date", "其他问题"),
    ("", "cost_inconsistency", "产出指标"),
])
def test_comment_group(location, category, group):
    f = Finding(rule="IQ1", category=category, severity="warning", location=location, message="m")
    assert comment_group(f) == group


# ---------------------------------------------------------------- text and markdown


def test_text_report_lists_tables_findings_comments_and_summary():
    console = Console(record=True, width=200, color_system=None)
    render_text(hand_review(), console)
    out = console.export_text()
    assert EVIL in out  # shown as text, not swallowed as rich markup
    assert "退回修改" in out and "通过" in out
    for code in ("IQ203", "IQ304", "IQ501", "IQ301"):
        assert code in out
    assert "文字与指标不符" in out and "第412行" in out
    assert "证据：项目概况: 加高密集架60组; 指标值: =52组" in out
    assert "密集架数量前后不一致" in out and "[模型建议·模型]" in out
    assert "共 2 张表，问题 4 个（错误 1、警告 2、提示 1）；通过 1、修改后通过 0、退回修改 1。" in out
    assert "请求 2 次" in out and "0.0123" in out


def test_text_report_colours_severity_and_verdict():
    console = Console(record=True, width=200, force_terminal=True, color_system="standard")
    render_text(hand_review(), console)
    ansi = console.export_text(styles=True)
    assert "\x1b[1;31m错误" in ansi  # bold red error
    assert "\x1b[1;31m退回修改" in ansi


def test_markdown_report():
    md = render_markdown(hand_review())
    assert md.startswith("# 审核结果：docs/济源.txt")
    assert "## 档案室整修&lt;script>alert('x')&lt;/script>|管道" in md and "<script>" not in md
    assert "- 审核结论：**退回修改**" in md
    rows = [line for line in md.splitlines() if line.startswith("| F")]
    assert len(rows) == 4
    assert all(line.count(" | ") == 6 for line in rows)  # a pipe in the text does not add a column
    assert "### 审核意见" in md and "（模型建议）" in md
    assert "未发现问题。" in md  # the department table


# ---------------------------------------------------------------- xlsx


def read_sheet(path, name):
    from openpyxl import load_workbook

    ws = load_workbook(path)[name]
    rows = list(ws.values)
    return ws, rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


def test_xlsx_tables_and_issues_sheets(tmp_path):
    path = write_xlsx([("docs/济源.txt", hand_review())], tmp_path / "r.xlsx",
                      errors=[("bad.pdf", "bad.pdf: no table found")])
    from openpyxl import load_workbook

    wb = load_workbook(path)
    assert wb.sheetnames == ["表格", "问题"]
    ws, header, tables = read_sheet(path, "表格")
    assert header[:6] == ("文件", "单位", "表格名称", "类型", "本年度金额（万元）", "审核结论")
    assert [t["审核结论"] for t in tables] == ["退回修改", "通过", "读取失败"]
    assert tables[0]["本年度金额（万元）"] == 35.7 and tables[0]["单位"] == "济源市住房公积金管理中心"
    assert (tables[0]["错误"], tables[0]["警告"], tables[0]["提示"]) == (1, 2, 1)
    assert tables[2]["说明"] == "bad.pdf: no table found"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:J4"

    ws, header, issues = read_sheet(path, "问题")
    assert header[-3:] == ("处理意见", "备注", "键")
    assert len(issues) == 5  # four findings and the model's own suggestion
    first = issues[0]
    assert (first["规则"], first["严重程度"], first["类别"]) == ("IQ203", "错误", "文字与指标不符")
    assert first["出处"] == "第412行" and first["表格"] == EVIL
    assert first["审核意见"] == "密集架数量前后不一致（60组与52组），建议核实后统一。"
    evidence = next(r["证据"] for r in issues if r["规则"] == "IQ304")
    assert evidence == "=满意"  # kept as text (not a formula), control character dropped
    assert issues[-1]["规则"] == "模型建议" and issues[-1]["审核意见"] == "建议补充时效指标。"
    assert first["键"] == finding_key("docs/济源.txt", EVIL, "IQ203", "产出目标 > 数量 > 密集架",
                                       "项目概况: 加高密集架60组; 指标值: =52组")
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:M6"
    assert ws.column_dimensions["M"].hidden
    assert ws.column_dimensions["I"].width == 50
    assert ws["I2"].alignment.wrap_text
    dv = ws.data_validations.dataValidation
    assert len(dv) == 1 and dv[0].formula1 == '"采纳,修改,不采纳"' and "K2" in dv[0].sqref


def awkward_review() -> Review:
    """Text a spreadsheet writer can get wrong: formulas, control characters, CR, edge spaces, huge cells."""
    findings = [
        Finding(id="F1", rule="IQ110", category="format", severity="error", indicator="合格率",
                location="产出目标 > 质量 > 合格率", evidence="指标值: =100%", message="=SUM(A1:A9)",
                at=Location(sheet="项目1", cell="D7")),
        Finding(id="F2", rule="IQ304", category="unmeasurable_target", severity="warning",
                location="  效果目标 > 满意度  ", evidence="满\x01意\x1f度\ufffe", message="第一行\r\n第二行"),
        Finding(id="F3", rule="IQ501", category="stale_date", severity="info", location="项目实施计划",
                evidence="x" * 40_000, message="a & b < c > d ]]> e"),
    ]
    table = Table(title="公式=1+1", kind="project", unit_name="某局",
                  header={"项目本年度金额": amount_field("项目本年度金额", 12.3456789)})
    return Review(source="awkward.xlsx", tables=[
        TableReview(title="公式=1+1", kind="project", verdict="退回修改", findings=findings,
                    comments=[Comment(finding_ids=["F1"], text="建议改为“=100%”。")], table=table)])


def test_xlsx_layout_styles_and_cell_types(tmp_path):
    """The workbook as a spreadsheet program sees it: layout, styles, list validation, cell types."""
    from openpyxl import load_workbook

    from reviewer.report.xlsx import ISSUE_COLUMNS, MAX_CELL, TABLE_COLUMNS

    from reviewer.decisions import Decision

    key = finding_key("awkward.xlsx", "公式=1+1", "IQ110", "产出目标 > 质量 > 合格率", "指标值: =100%")
    path = write_xlsx([("awkward.xlsx", awkward_review()), ("docs/济源.txt", hand_review())],
                      tmp_path / "r.xlsx", errors=[("bad.pdf", "bad.pdf: no table found")],
                      decisions={key: Decision(key=key, decision="修改", note="=已核实")})
    wb = load_workbook(path)  # normal mode: styles, dimensions and validations are read too
    assert wb.sheetnames == ["表格", "问题"]
    tables, issues = wb["表格"], wb["问题"]
    for ws, columns, rows in ((tables, TABLE_COLUMNS, 5), (issues, ISSUE_COLUMNS, 9)):
        last = chr(64 + len(columns))
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{last}{rows}" and ws.max_row == rows
        assert [c.value for c in ws[1]] == [name for name, _, _ in columns]
        for i, (_, width, wrap) in enumerate(columns, 1):
            letter = chr(64 + i)
            assert ws.column_dimensions[letter].width == width
            assert ws.column_dimensions[letter].hidden == (ws is issues and i == len(columns))
            header = ws[f"{letter}1"]
            assert header.font.b and header.fill.fill_type == "solid" and header.fill.fgColor.rgb.endswith("DDE4EE")
            body = ws[f"{letter}2"]
            assert body.alignment.vertical == "top" and bool(body.alignment.wrap_text) == wrap
            assert not body.font.b or (ws is issues and i == 5)  # bold only for errors' severity

    # severity colours on the 严重程度 column
    colours = {ws_row[4].value: (ws_row[4].font.color.rgb[-6:], bool(ws_row[4].font.b))
               for ws_row in issues.iter_rows(min_row=2)}
    assert colours == {"错误": ("C00000", True), "警告": ("B36B00", False), "提示": ("1F5F8B", False)}

    (dv,) = issues.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"采纳,修改,不采纳"' and dv.allow_blank
    assert str(dv.sqref) == "K2:K1009"  # every finding row and a thousand more
    assert not tables.data_validations.dataValidation

    by_rule = {row[2].value: row for row in issues.iter_rows(min_row=2) if row[0].value == "awkward.xlsx"}
    f1, f2, f3 = by_rule["IQ110"], by_rule["IQ304"], by_rule["IQ501"]
    assert f1[7].value == "指标值: =100%" and f1[8].value == "=SUM(A1:A9)" and f1[8].data_type == "s"
    assert f1[6].value == "工作表 项目1 · D7" and f1[9].value == "建议改为“=100%”。"
    assert (f1[10].value, f1[11].value, f1[12].value) == ("修改", "=已核实", key)  # carried over
    assert f2[10].value is None and f2[11].value is None  # no decision: the cells are left out
    assert f2[7].value == "满意度"  # control characters and U+FFFE dropped
    assert f2[8].value == "第一行\r\n第二行" and f2[5].value == "  效果目标 > 满意度  "
    assert f3[8].value == "a & b < c > d ]]> e" and f3[7].value == "x" * MAX_CELL
    assert tables["C2"].value == "公式=1+1" and tables["C2"].data_type == "s"

    amount, counts = tables["E2"], [tables.cell(2, c).value for c in (7, 8, 9)]
    assert amount.data_type == "n" and amount.value == 12.3457  # rounded to four places
    assert counts == [1, 1, 1] and all(type(c) is int for c in counts)
    assert tables["E5"].value is None and tables["F5"].value == "读取失败"  # the failed file
    assert tables["J2"].value is None  # an empty 说明 is an empty cell


def test_xlsx_is_a_well_formed_package(tmp_path):
    import zipfile

    from lxml import etree

    path = write_xlsx([("awkward.xlsx", awkward_review()), ("docs/济源.txt", hand_review())], tmp_path / "r.xlsx")
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                "xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"} <= set(names)
        for name in names:
            etree.fromstring(zf.read(name))  # raises on any XML that is not well formed
        types = zf.read("[Content_Types].xml").decode()
        assert all(f'PartName="/{n}"' in types for n in names if n.endswith(".xml") and "[" not in n)
    assert not list(tmp_path.glob(".r.xlsx.*"))  # no temporary file left behind


def test_xlsx_failure_leaves_no_file(tmp_path, monkeypatch):
    from reviewer.report import xlsx

    writer = xlsx.XlsxWriter(tmp_path / "r.xlsx")
    writer.add("docs/济源.txt", hand_review())
    monkeypatch.setattr(xlsx, "_workbook", lambda sheets: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        writer.close()
    assert list(tmp_path.iterdir()) == []


def test_xlsx_to_a_buffer():
    buf = io.BytesIO()
    assert write_xlsx(hand_review(), buf) is None
    from openpyxl import load_workbook

    assert load_workbook(buf)["表格"]["C2"].value == EVIL


def test_decisions_round_trip_and_export(tmp_path):
    from openpyxl import load_workbook

    first = write_xlsx(hand_review(), tmp_path / "first.xlsx")
    wb = load_workbook(first)
    ws = wb["问题"]
    ws["K2"], ws["L2"] = "采纳", "已与单位确认"
    ws["K3"] = "不采纳"
    ws["L5"] = "只写了备注"
    wb.save(first)
    decisions = read_decisions(first)
    assert sorted(d.decision for d in decisions.values()) == ["", "不采纳", "采纳"]
    assert decisions[ws["M2"].value].note == "已与单位确认"

    second = tmp_path / "second.xlsx"
    from reviewer.report.xlsx import XlsxWriter

    writer = XlsxWriter(second, decisions)
    writer.add("docs/济源.txt", hand_review())
    writer.close()
    assert writer.carried == 3
    _, _, issues = read_sheet(second, "问题")
    assert issues[0]["处理意见"] == "采纳" and issues[0]["备注"] == "已与单位确认"
    assert issues[1]["处理意见"] == "不采纳"

    cases = json.loads(export_cases(decisions, tmp_path / "cases").read_text(encoding="utf-8"))
    assert len(cases) == 3
    by_rule = {c["rule"]: c for c in cases}
    assert by_rule["IQ203"]["accepted"] is True and by_rule["IQ203"]["file"] == "docs/济源.txt"
    assert (by_rule["IQ203"]["category"], by_rule["IQ203"]["severity"]) == ("narrative_mismatch", "error")
    assert by_rule["IQ304"]["accepted"] is False
    assert [c["accepted"] for c in cases if c["note"] == "只写了备注"] == [None]


def test_decisions_from_a_wrong_workbook_is_an_input_error(tmp_path):
    from openpyxl import Workbook

    from reviewer.errors import InputError

    p = tmp_path / "other.xlsx"
    Workbook().save(p)
    with pytest.raises(InputError, match="问题"):
        read_decisions(p)
    (tmp_path / "not.xlsx").write_text("hello")
    with pytest.raises(InputError, match="not a readable"):
        read_decisions(tmp_path / "not.xlsx")


# ---------------------------------------------------------------- docx


def paragraphs(path):
    from docx import Document

    return [(p.style.name, p.text) for p in Document(str(path)).paragraphs]


def test_docx_groups_comments_in_the_usual_order(tmp_path):
    paras = paragraphs(write_docx(hand_review(), tmp_path / "o.docx", errors=[("bad.pdf", "无法读取")]))
    texts = [t for _, t in paras]
    assert paras[0] == ("Title", "审核意见")
    assert texts[1].startswith("共审核 2 个文件、2 张表") and "1 个文件未能读取" in texts[1]
    headings = [t for s, t in paras if s == "Heading 2"]
    assert headings == [f"1. {EVIL}", "2. 济源市住房公积金管理中心", "未能审核的文件"]
    start = texts.index(f"1. {EVIL}")
    block = texts[start: texts.index("2. 济源市住房公积金管理中心")]
    assert block[1].startswith("文件：docs/济源.txt；类型：项目；单位：济源市住房公积金管理中心；本年度金额：35.7 万元")
    assert [t for t in block if re.match("^[一二三四]、", t)] == ["一、产出指标", "二、效益指标", "三、满意度指标",
                                                              "四、其他问题"]
    after = lambda head: block[block.index(head) + 1]  # noqa: E731
    assert after("一、产出指标") == "1. 密集架数量前后不一致（60组与52组），建议核实后统一。"
    assert after("二、效益指标") == "1. 设备购置使用率建议写明计算口径。"
    assert after("三、满意度指标") == "1. 满意度指标建议改为“使用人员满意度≥90%”。"
    # the model's suggestion, then the finding no comment covers, speaking by its message
    assert block[block.index("四、其他问题") + 1:] == ["1. 建议补充时效指标。", "2. 实施计划的年份早于预算年度。",
                                                 "审核结论：退回修改"]
    assert "未发现需要修改的问题。" in texts and texts[-1] == "bad.pdf：无法读取"


def test_docx_of_the_sample_has_every_table(tmp_path, sample_review):
    paras = paragraphs(write_docx(sample_review, tmp_path / "s.docx"))
    headings = [t for s, t in paras if s == "Heading 2"]
    assert len(headings) == len(sample_review.tables)
    verdicts = [t.removeprefix("审核结论：") for _, t in paras if t.startswith("审核结论：")]
    assert verdicts == [t.verdict for t in sample_review.tables]
    n_items = sum(1 for _, t in paras if re.match(r"^\d+\. ", t)) - len(headings)
    assert n_items >= sum(1 for t in sample_review.tables if t.findings)


# ---------------------------------------------------------------- html


def test_html_is_self_contained_and_escapes_input(tmp_path):
    html = write_html(hand_review(), tmp_path / "r.html", errors=[("<b>bad</b>.pdf", "x<y")]).read_text("utf-8")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bad&lt;/b&gt;.pdf" in html and "x&lt;y" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing fetched from elsewhere
    assert "<link" not in html and "<style>" in html
    assert html.count("<svg") == 2 and "<rect" in html
    anchors = set(re.findall(r'id="(t\d+)"', html))
    links = set(re.findall(r'href="#(t\d+)"', html))
    assert anchors == links == {"t1", "t2"}


def test_html_totals_and_charts(tmp_path, sample_review):
    html = write_html([("a.txt", sample_review), ("b.txt", hand_review())], tmp_path / "r.html").read_text("utf-8")
    n_tables = len(sample_review.tables) + 2
    assert f"<b>{n_tables}</b>表格" in html
    n_findings = sum(len(t.findings) for t in sample_review.tables) + 4
    assert f"<b>{n_findings}</b>问题" in html
    assert len(re.findall(r'<section id="t\d+"', html)) == n_tables
    chart = html[html.index("问题类别分布</figcaption>"):html.index("各单位问题数</figcaption>")]
    assert "文字与指标不符" in chart and "目标不可衡量" in chart
    assert "济源市住房公积金管理中心" in html[html.index("各单位问题数</figcaption>"):html.index('id="index"')]


# ---------------------------------------------------------------- json


def test_bulk_json_has_files_tables_errors(tmp_path, sample_review):
    path = write_json([("a.txt", sample_review), ("b.txt", hand_review())], tmp_path / "r.json",
                      errors=[("c.pdf", "boom")])
    data = json.loads(path.read_text("utf-8"))
    assert [f["file"] for f in data["files"]] == ["a.txt", "b.txt", "c.pdf"]
    assert data["errors"] == [{"file": "c.pdf", "error": "boom"}]
    assert len(data["tables"]) == len(sample_review.tables) + 2
    first = data["tables"][0]
    assert first["file"] == "a.txt"
    assert {k for k in first} == {"file", "title", "kind", "verdict", "findings", "comments"}
    assert data["tables"][-2]["findings"][0]["evidence"] == "项目概况: 加高密集架60组; 指标值: =52组"


def test_bulk_json_tables_and_usage_are_the_contract(tmp_path, sample_review):
    reviews = [("a.txt", sample_review), ("b.txt", hand_review())]  # b: a suggested comment, usage
    data = json.loads(write_json(reviews, tmp_path / "r.json").read_text("utf-8"))
    expected = [{"file": file, **t} for file, r in reviews for t in r.contract()["tables"]]
    assert data["tables"] == expected
    assert data["files"][1]["usage"] == hand_review().contract()["usage"]
    assert "usage" not in data["files"][0]
    # the contract's shape, field by field (shared/spec/findings.md)
    finding_keys = ["id", "rule", "category", "severity", "indicator", "location", "evidence", "message"]
    assert all(list(f) == finding_keys for t in data["tables"] for f in t["findings"])
    comments = [c for t in data["tables"] for c in t["comments"]]
    assert any(c.get("suggested") for c in comments)
    for c in comments:
        if c.get("suggested"):
            assert c["category"] and set(c) <= {"finding_ids", "text", "source", "category", "suggested"}
        else:
            assert list(c) == ["finding_ids", "text", "source"]


def test_bulk_summary_lists_counts_failures_and_reports(tmp_path):
    from reviewer.bulk import BulkResult
    from reviewer.report.text import render_bulk_summary

    result = BulkResult(out_dir=tmp_path, files=3, resumed=1, tables=5,
                        findings={"error": 1, "warning": 2, "info": 0},
                        verdicts={"退回修改": 1, "通过": 4}, errors=[("bad.txt", "bad.txt: no table")],
                        reports={"xlsx": tmp_path / "review.xlsx"}, seconds=1.25)
    console = Console(record=True, width=200, color_system=None)
    render_bulk_summary(result, console)
    out = console.export_text()
    assert "审核 3 个文件（续跑沿用 1 个）、5 张表，问题 3 个（错误 1、警告 2、提示 0）；通过 4、修改后通过 0、退回修改 1" in out
    assert "bad.txt: no table" in out and "bad.txt：bad.txt" not in out and "review.xlsx" in out


# The escaping of xlsx, docx and html as first written (one regex search per value); the
# writers now test with cheaper str methods and must produce exactly the same text.
_XLSX_NEEDS_WORK = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DOCX_NEEDS_CLEANING = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DOCX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
AWKWARD_TEXTS = [
    "", "满意度", "产出指标 > 数量指标 > 密集架", "a & b < c > d", "\"引号\" 'x'", "行一\r\n行二", "\t缩进",
    "末尾空格 ", "\u3000全角空格", "满\x01意\x1f度\ufffe", "\uffff", "\x0b\x0c", "&amp;", "\xa0不换行空格", "x" * 33_000 + "<",
]


@pytest.mark.parametrize("text", AWKWARD_TEXTS)
def test_escaping_matches_the_regex_definitions(text):
    from html import escape as html_escape
    from xml.sax.saxutils import escape as xml_escape

    from reviewer.report.docx import _run
    from reviewer.report.html import _e
    from reviewer.report.xlsx import _ESCAPES, _ILLEGAL, MAX_CELL, _RowStyle, _Sheet, xml_text

    cut = _ILLEGAL.sub("", text)[:MAX_CELL] if len(text) > MAX_CELL else text
    expected_xlsx = cut.translate(_ESCAPES) if _XLSX_NEEDS_WORK.search(cut) else cut
    assert xml_text(text) == expected_xlsx
    sheet = _Sheet.__new__(_Sheet)  # a sheet without its temporary file: rows go to a StringIO
    sheet.rows, sheet.body = 0, io.StringIO()
    sheet.append([text], _RowStyle(["A"], [2]))
    if text:
        preserve = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
        assert sheet.body.getvalue() == (f'<row r="1"><c r="A1" s="2" t="inlineStr"><is><t{preserve}>'
                                         f"{expected_xlsx}</t></is></c></row>")
    expected_docx = xml_escape(_DOCX_ILLEGAL.sub("", text)) if _DOCX_NEEDS_CLEANING.search(text) else text
    assert _run(text) == f'<w:r><w:t xml:space="preserve">{expected_docx}</w:t></w:r>'
    assert _e(text) == html_escape(text, quote=True)


def test_docx_cleans_every_run_of_a_table_with_awkward_text(tmp_path):
    import zipfile

    path = write_docx(awkward_review(), tmp_path / "a.docx")
    body = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    assert "a &amp; b &lt; c &gt; d ]]&gt; e" in body and "满意度" in body
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe]", body)
