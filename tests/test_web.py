"""The web page and its JSON API, through FastAPI's TestClient and the real pipeline."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from reviewer.config import Config
from reviewer.models import CONTRACT_FINDING_FIELDS

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from reviewer.web.app import content_disposition, create_app, is_loopback, serve, upload_name  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "eval" / "cases" / "jiyuan_housing_fund_2021.txt"
REAL = sorted((Path(__file__).resolve().parents[1] / "eval" / "cases" / "real").glob("*.tsv"))
SENTINEL_KEY = "sk-web-test-SENTINEL-0123456789abcdef"


@pytest.fixture(autouse=True)
def no_model(monkeypatch, tmp_path):
    """No model unless a test configures one; never the user's cache."""
    for name in ("REVIEWER_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(tmp_path / "llm-cache"))


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(Config(), max_upload_mb=2))


@pytest.fixture(scope="module")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample_result(client, sample_text) -> dict:
    response = client.post("/api/review", data={"text": sample_text, "offline": "true"})
    assert response.status_code == 200, response.text
    return response.json()


def miji_finding(result: dict) -> tuple[int, dict]:
    for t, table in enumerate(result["tables"]):
        for f in table["findings"]:
            if f["indicator"] == "密集架" and f["category"] == "narrative_mismatch":
                return t, f
    raise AssertionError("no narrative_mismatch finding on 密集架")


def indicator_nodes(view: dict):
    for l1 in view["tree"]:
        for l2 in l1["children"]:
            for node in l2["indicators"]:
                yield l1, l2, node


# ---------------------------------------------------------------- the page


def test_page_is_chinese_self_contained_and_locked_down(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="zh-CN">' in html
    for text in ("绩效目标表审核", "粘贴表格", "开始审核", "Excel", "Word", "Markdown"):
        assert text in html
    # no CDN: every script and stylesheet is served by the app itself
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(urlpart.startswith("http://testserver/static/") for urlpart in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200
    assert "<script>" not in html  # no inline script: the CSP forbids it
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    # labels for the page come from the report package, as escaped JSON in an attribute
    labels = re.search(r'data-labels="([^"]+)"', html).group(1)
    import html as html_lib

    assert json.loads(html_lib.unescape(labels))["category"]["narrative_mismatch"]


def test_script_never_writes_html():
    script = (ROOT / "reviewer" / "web" / "static" / "app.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink


def test_page_offers_offline_switch_only_with_a_model(monkeypatch):
    assert 'id="offline"' not in TestClient(create_app(Config())).get("/").text
    page = TestClient(create_app(Config.model_validate({"llm": {"model": "qwen-plus"}}))).get("/").text
    assert 'id="offline"' in page and "qwen-plus" in page


# ---------------------------------------------------------------- review API


def test_review_sample_returns_the_contract_and_the_tree(client, sample_text, sample_result):
    from reviewer.pipeline import review_bytes

    result = sample_result
    assert result["review_id"]
    # exactly what the CLI's --format json prints, plus review_id and a view per table
    expected = review_bytes(sample_text.encode("utf-8"), "粘贴的文本", Config(), offline=True).contract()
    stripped = {k: v for k, v in result.items() if k != "review_id"}
    stripped["tables"] = [{k: v for k, v in t.items() if k != "view"} for t in result["tables"]]
    assert stripped == json.loads(json.dumps(expected, ensure_ascii=False))
    for table in result["tables"]:
        for f in table["findings"]:
            assert set(f) == CONTRACT_FINDING_FIELDS
        for c in table["comments"]:
            assert {"finding_ids", "text", "source"} <= set(c)
            if not c.get("suggested"):
                assert set(c) == {"finding_ids", "text", "source"}

    t, finding = miji_finding(result)
    assert "60" in finding["evidence"] and "52" in finding["evidence"]
    view = result["tables"][t]["view"]
    flagged = [node for _, _, node in indicator_nodes(view) if finding["id"] in node["finding_ids"]]
    assert [node["name"] for node in flagged] == ["密集架"]
    assert flagged[0]["target"] == "=52组"
    # the 项目概况 it contradicts is flagged too (named in the evidence)
    fields = {f["name"]: f for f in view["fields"]}
    assert any(finding["id"] in f["finding_ids"] for name, f in fields.items() if "概况" in name)
    # every finding id a node carries exists in the table
    for table in result["tables"]:
        ids = {f["id"] for f in table["findings"]}
        for _, _, node in indicator_nodes(table["view"]):
            assert set(node["finding_ids"]) <= ids


def test_tree_keeps_declared_slots_and_table_order(sample_result):
    t, _ = miji_finding(sample_result)
    view = sample_result["tables"][t]["view"]
    names = [l1["name"] for l1 in view["tree"]]
    assert names.index("产出目标") < names.index("效果目标")
    output = next(l1 for l1 in view["tree"] if l1["name"] == "产出目标")
    assert [l2["name"] for l2 in output["children"]][:3] == ["数量", "质量", "时效"]
    quantity = [n["name"] for n in output["children"][0]["indicators"]]
    assert quantity[:3] == ["空调", "除湿机", "密集架"]
    effect = next(l1 for l1 in view["tree"] if l1["name"] == "效果目标")
    empty = [l2["name"] for l2 in effect["children"] if not l2["indicators"]]
    assert "经济效益" in empty  # declared with no 三级 under it, still shown


def test_upload_gives_the_same_review_as_paste(client, sample_text, sample_result):
    response = client.post(
        "/api/review",
        files={"file": ("C:\\fakepath\\jiyuan.txt", sample_text.encode("utf-8"), "text/plain")},
        data={"offline": "true"},
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["source"] == "jiyuan.txt"
    assert [t["title"] for t in result["tables"]] == [t["title"] for t in sample_result["tables"]]
    assert [f["message"] for t in result["tables"] for f in t["findings"]] == [
        f["message"] for t in sample_result["tables"] for f in t["findings"]
    ]


@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
def test_real_tables_review(client, path):
    response = client.post("/api/review", files={"file": (path.name, path.read_bytes())},
                           data={"offline": "true"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["tables"]
    # the tree shows every indicator extraction found, each table's own findings only
    from reviewer.pipeline import review_bytes

    direct = review_bytes(path.read_bytes(), path.name, Config(), offline=True)
    for view_table, tr in zip(result["tables"], direct.tables, strict=True):
        nodes = [node for _, _, node in indicator_nodes(view_table["view"])]
        assert Counter((n["name"], n["target"]) for n in nodes) == Counter(
            (i.level3, i.target.raw) for i in tr.table.indicators)
        ids = {f["id"] for f in view_table["findings"]}
        assert all(set(n["finding_ids"]) <= ids for n in nodes)
        assert [f["name"] for f in view_table["view"]["fields"]] == [
            f.name for f in (*tr.table.header.values(), *tr.table.narrative.values())]


def test_xlsx_upload(client, tmp_path):
    from openpyxl import Workbook

    rows = [line.split("\t") for line in REAL[0].read_text(encoding="utf-8").splitlines()]
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post("/api/review", files={"file": ("表.xlsx", buffer.getvalue())},
                           data={"offline": "true"})
    assert response.status_code == 200, response.text
    assert response.json()["source"] == "表.xlsx"
    assert any(list(indicator_nodes(t["view"])) for t in response.json()["tables"])


# ---------------------------------------------------------------- bad input


def one_line_detail(response) -> str:
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail.strip() and "\n" not in detail
    assert "Traceback" not in detail
    return detail


def test_nothing_sent(client):
    response = client.post("/api/review", data={"text": "   "})
    assert response.status_code == 400
    assert "请粘贴" in one_line_detail(response)


def test_text_and_file_together(client):
    response = client.post("/api/review", data={"text": "项目名称\tx"}, files={"file": ("a.txt", b"x")})
    assert response.status_code == 400
    assert "二选一" in one_line_detail(response)


def test_empty_upload(client):
    response = client.post("/api/review", files={"file": ("空表.xlsx", b"")})
    assert response.status_code == 400
    assert "空表.xlsx" in one_line_detail(response)


def test_binary_upload(client):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    response = client.post("/api/review", files={"file": ("table.txt", png)})
    assert response.status_code == 422
    one_line_detail(response)


def test_old_excel_upload(client):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    response = client.post("/api/review", files={"file": ("旧表.xls", ole)})
    assert response.status_code == 422
    assert "xlsx" in one_line_detail(response)


def test_text_without_a_table(client):
    response = client.post("/api/review", data={"text": "今天天气很好，我们去公园散步。\n没有任何表格。"})
    assert response.status_code == 422
    one_line_detail(response)


def test_too_large_upload_is_413_before_reading(client):
    response = client.post("/api/review", files={"file": ("big.txt", b"x" * (3 * 1024 * 1024))})
    assert response.status_code == 413
    assert "2 MB" in one_line_detail(response)


def test_too_large_chunked_upload_is_413(client):
    boundary = "reviewerboundary"

    def body():
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n"
               "Content-Type: text/plain\r\n\r\n").encode()
        for _ in range(40):
            yield b"y" * 100_000
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post("/api/review", content=body(),
                           headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413
    assert "上限" in one_line_detail(response)


def test_paste_above_the_form_field_limit(client):
    response = client.post("/api/review", data={"text": "项" * 400_000})  # 1.2 MB in UTF-8
    assert response.status_code == 413
    assert "上传" in one_line_detail(response)


# ---------------------------------------------------------------- export with edits


def pick_edits(result: dict) -> tuple[int, dict, dict]:
    """The 密集架 comment to dismiss and another comment of the same table to edit."""
    t, finding = miji_finding(result)
    comments = result["tables"][t]["comments"]
    dismiss = next(i for i, c in enumerate(comments) if finding["id"] in c["finding_ids"])
    edit = next(i for i, c in enumerate(comments) if i != dismiss)
    return t, {"index": dismiss, "text": comments[dismiss]["text"]}, {"index": edit, "text": comments[edit]["text"]}


def export(client, result, fmt, edits):
    return client.post("/api/export", json={"review_id": result["review_id"], "format": fmt, "edits": edits})


@pytest.fixture(scope="module")
def edits(sample_result):
    t, dismissed, edited = pick_edits(sample_result)
    new_text = "【审核人修改】请补充说明密集架数量口径，并与项目概况保持一致。"
    payload = [
        {"table": t, "comment": dismissed["index"], "action": "dismiss"},
        {"table": t, "comment": edited["index"], "action": "edit", "text": new_text},
    ]
    return payload, dismissed["text"], edited["text"], new_text


def test_export_markdown_holds_the_edits(client, sample_result, edits):
    payload, dismissed_text, original_text, new_text = edits
    response = export(client, sample_result, "md", payload)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/markdown")
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    title = sample_result["tables"][payload[0]["table"]]["title"]
    section = markdown_section(response.text, title)
    assert new_text in section
    assert dismissed_text not in section
    assert original_text not in section
    # without edits the drafted texts are all there
    plain = markdown_section(export(client, sample_result, "md", []).text, title)
    assert dismissed_text in plain and original_text in plain and new_text not in plain


def markdown_section(markdown: str, title: str) -> str:
    """The part of the Markdown report under the `## title` heading."""
    sections = [part for part in re.split(r"^## ", markdown, flags=re.M) if part.startswith(title + "\n")]
    assert len(sections) == 1
    return sections[0]


def test_export_xlsx_records_the_decisions(client, sample_result, edits, tmp_path):
    """The workbook keeps every finding and states the reviewer's decision on it."""
    from openpyxl import load_workbook

    from reviewer.decisions import read_decisions

    payload, dismissed_text, original_text, new_text = edits
    response = export(client, sample_result, "xlsx", payload)
    assert response.status_code == 200, response.text
    path = tmp_path / "review.xlsx"
    path.write_bytes(response.content)
    sheet = load_workbook(path, read_only=True)["问题"]
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows))
    col = {name: header.index(name) for name in ("表格", "审核意见", "处理意见", "备注")}
    title = sample_result["tables"][payload[0]["table"]]["title"]
    rows = [row for row in rows if row[col["表格"]] == title]
    edited = [row for row in rows if row[col["审核意见"]] and new_text in row[col["审核意见"]]]
    assert edited and all(row[col["处理意见"]] == "修改" for row in edited)
    assert original_text in edited[0][col["备注"]]
    dismissed = [row for row in rows if row[col["审核意见"]] and dismissed_text in row[col["审核意见"]]]
    assert dismissed and all(row[col["处理意见"]] == "不采纳" for row in dismissed)
    untouched = [row for row in rows if row not in edited and row not in dismissed]
    assert untouched and all(row[col["处理意见"]] is None for row in untouched)
    # `reviewer bulk --decisions` reads the same decisions back
    decisions = {d.decision for d in read_decisions(path).values()}
    assert decisions == {"修改", "不采纳"}


def test_export_docx_holds_the_edits(client, sample_result, edits):
    from docx import Document

    payload, dismissed_text, _, new_text = edits
    response = export(client, sample_result, "docx", payload)
    assert response.status_code == 200, response.text
    doc = Document(io.BytesIO(response.content))
    texts = [p.text for p in doc.paragraphs]
    texts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    assert any(new_text in t for t in texts)
    assert not any(dismissed_text in t for t in texts)


def test_dismissing_withdraws_the_finding_and_updates_the_verdict(sample_text):
    from reviewer.pipeline import review_bytes
    from reviewer.web.edits import documents_review
    from reviewer.web.schemas import CommentEdit

    review = review_bytes(sample_text.encode("utf-8"), "sample.txt", Config(), offline=True)
    t = next(i for i, tr in enumerate(review.tables)
             if tr.verdict == "退回修改" and any(f.severity == "error" for f in tr.findings))
    table = review.tables[t]
    errors = {f.id for f in table.findings if f.severity == "error"}
    dismiss = [i for i, c in enumerate(table.comments) if set(c.finding_ids) & errors]
    edited = documents_review(review, [CommentEdit(table=t, comment=i, action="dismiss") for i in dismiss])
    after = edited.tables[t]
    assert not any(f.severity == "error" for f in after.findings if f.id in errors)
    assert after.verdict != "退回修改"
    assert len(after.comments) == len(table.comments) - len(dismiss)
    # the stored review is untouched, so a second export starts from the original
    assert review.tables[t].verdict == "退回修改"
    assert len(review.tables[t].comments) == len(table.comments)
    assert after.table is table.table


def test_export_errors(client, sample_result):
    response = client.post("/api/export", json={"review_id": "nope", "format": "md", "edits": []})
    assert response.status_code == 404
    assert "重新审核" in one_line_detail(response)
    response = export(client, sample_result, "md", [{"table": 99, "comment": 0, "action": "dismiss"}])
    assert response.status_code == 422
    one_line_detail(response)
    t, _ = miji_finding(sample_result)
    response = export(client, sample_result, "md", [{"table": t, "comment": 0, "action": "edit", "text": "  "}])
    assert response.status_code == 422
    assert "不能为空" in one_line_detail(response)
    response = export(client, sample_result, "pdf", [])
    assert response.status_code == 422


# ---------------------------------------------------------------- secrets, schema, serving


def test_no_key_reaches_the_page_or_a_response(monkeypatch, httpserver, sample_text):
    """A model endpoint that echoes the key in its error (as OpenAI's 401 does)."""
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", httpserver.url_for("/v1"))
    httpserver.expect_request(re.compile("/v1/.*")).respond_with_json(
        {"error": {"message": f"Incorrect API key provided: {SENTINEL_KEY}", "type": "invalid_request_error",
                   "code": "invalid_api_key"}},
        status=401,
    )
    config = Config.model_validate({"llm": {"model": "test-model", "max_retries": 0, "timeout": 5}})
    client = TestClient(create_app(config))
    bodies = [client.get("/").text, client.get("/api/info").text, client.get("/openapi.json").text]
    table = REAL[0].read_bytes()
    response = client.post("/api/review", files={"file": (REAL[0].name, table)})
    bodies.append(response.text)
    assert response.status_code in (200, 500), response.text
    if response.status_code == 200:
        result = response.json()
        assert result["tables"]
        bodies.append(export(client, result, "md", []).text)
    assert httpserver.log, "the model endpoint was never called"
    for body in bodies:
        assert SENTINEL_KEY not in body
    assert "test-model" in bodies[0]


def test_openapi_schema_documents_the_api(client):
    schema = client.get("/openapi.json").json()
    assert {"/api/review", "/api/export", "/api/info"} <= set(schema["paths"])
    review = schema["paths"]["/api/review"]["post"]
    form = review["requestBody"]["content"]["multipart/form-data"]["schema"]
    props = schema["components"]["schemas"][form["$ref"].split("/")[-1]]["properties"]
    assert {"file", "text", "offline"} <= set(props)
    finding = schema["components"]["schemas"]["ContractFinding"]["properties"]
    assert set(finding) == CONTRACT_FINDING_FIELDS
    assert "413" in review["responses"] and "422" in review["responses"]


def test_serve_binds_loopback_by_default(monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    serve()
    assert calls == [{"host": "127.0.0.1", "port": 8000}]
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_upload_names_and_download_names():
    assert upload_name("C:\\fakepath\\预算表.xlsx") == "预算表.xlsx"
    assert upload_name("../../etc/passwd") == "passwd"
    header = content_disposition("审核意见-预算表.xlsx")
    assert header.startswith("attachment;")
    assert "filename*=UTF-8''%E5%AE%A1" in header
    assert all(ord(ch) < 128 for ch in header)


# ---------------------------------------------------------------- linking findings to the tree


def built_table_review(findings):
    from reviewer.models import Indicator, Location, Slot, Table, TableReview, Target, TextField

    def at(line):
        return Location(source="t.txt", line=line)

    def indicator(l1, l2, l3, value, line):
        return Indicator(level1=l1, level2=l2, level3=l3, target=Target(raw=value), location=at(line))

    indicators = [
        indicator("产出指标", "数量指标", "培训人次", "280人次", 11),
        indicator("产出指标", "数量指标", "课程数量", "220", 12),
        indicator("产出指标", "质量指标", "培训完成率", "100%", 13),
        indicator("满意度指标", "服务对象满意度", "学员满意度", "≥95%", 16),
    ]
    slots = [Slot(level1="产出指标", level2="数量指标", location=at(11)),
             Slot(level1="产出指标", level2="质量指标", location=at(13)),
             Slot(level1="产出指标", level2="时效指标", location=at(14)),
             Slot(level1="满意度指标", level2="服务对象满意度", location=at(16))]
    table = Table(title="主体班", kind="project", indicators=list(reversed(indicators)), slots=slots,
                  header={"项目名称": TextField(name="项目名称", text="主体班", location=at(2))},
                  narrative={"年度绩效目标": TextField(name="年度绩效目标(文字)", text="培训300人次", location=at(5))})
    return TableReview(title="主体班", kind="project", findings=findings, table=table)


def finding(fid, **kw):
    from reviewer.models import Finding

    return Finding(id=fid, rule="IQ999", category="format", severity="warning", message="m", **kw)


def linked(view) -> dict[str, list[str]]:
    out = {}
    for l1 in view.tree:
        for fid in l1.finding_ids:
            out.setdefault(fid, []).append(l1.name)
        for l2 in l1.children:
            for fid in l2.finding_ids:
                out.setdefault(fid, []).append(f"{l1.name} > {l2.name}")
            for node in l2.indicators:
                for fid in node.finding_ids:
                    out.setdefault(fid, []).append(node.name)
    for field in view.fields:
        for fid in field.finding_ids:
            out.setdefault(fid, []).append(field.name)
    return out


def test_tree_follows_table_order_and_keeps_empty_slots():
    from reviewer.web.views import table_view

    view = table_view(built_table_review([]))
    assert [l1.name for l1 in view.tree] == ["产出指标", "满意度指标"]
    output = view.tree[0]
    assert [l2.name for l2 in output.children] == ["数量指标", "质量指标", "时效指标"]
    assert [n.name for n in output.children[0].indicators] == ["培训人次", "课程数量"]
    assert output.children[2].indicators == []
    assert output.children[0].indicators[0].position == "第11行"
    assert [f.group for f in view.fields] == ["header", "narrative"]


def test_findings_point_at_the_right_nodes():
    from reviewer.models import Location
    from reviewer.web.views import table_view

    findings = [
        # position: the indicator on the slot's row wins over the slot
        finding("F1", at=Location(source="t.txt", line=11), indicator="培训人次"),
        # path to an empty 二级
        finding("F2", location="产出指标 > 时效指标"),
        # path to a 三级, written with full-width separators
        finding("F3", location="满意度指标＞服务对象满意度＞学员满意度"),
        # evidence quoting a narrative field and an indicator
        finding("F4", evidence="年度绩效目标(文字): 培训300人次; 培训人次: 280人次",
                location="产出指标 > 数量指标 > 培训人次"),
        # a group finding quoting several indicators
        finding("F5", location="定性指标", evidence="培训完成率: 100%; 学员满意度: ≥95%"),
        # nothing but a name
        finding("F6", indicator="课程数量"),
        # about something the table lacks: no node
        finding("F7", location="效益", evidence="一级指标: 效益（未设置）"),
    ]
    links = linked(table_view(built_table_review(findings)))
    assert links["F1"] == ["培训人次"]
    assert links["F2"] == ["产出指标 > 时效指标"]
    assert links["F3"] == ["学员满意度"]
    assert sorted(links["F4"]) == sorted(["培训人次", "年度绩效目标(文字)"])
    assert sorted(links["F5"]) == sorted(["培训完成率", "学员满意度"])
    assert links["F6"] == ["课程数量"]
    assert "F7" not in links
