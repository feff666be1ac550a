"""End to end in a real headless Chromium: paste, review, decide, download."""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "eval" / "cases" / "jiyuan_housing_fund_2021.txt"
REAL = sorted((Path(__file__).resolve().parents[1] / "eval" / "cases" / "real").glob("*.tsv"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium "
                       "(apt-get install -y chromium); CI installs it"),
]
sync_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """The app under uvicorn on a free loopback port, in a thread; offline drafting."""
    import os

    import uvicorn

    from reviewer.config import Config
    from reviewer.web.app import create_app

    saved = {k: os.environ.pop(k, None) for k in ("REVIEWER_MODEL", "OPENAI_API_KEY", "OPENAI_BASE_URL")}
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(Config()), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    for k, v in saved.items():
        if v is not None:
            os.environ[k] = v


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # a refused review (4xx) is logged by the browser too; that one is expected
    expected = ("status of 400", "status of 413", "status of 422")
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not any(e in m.text for e in expected) else None)
    page.goto(server + "/")
    yield page
    context.close()
    assert not errors, errors


def review(page, text: str) -> None:
    page.fill("#paste", text)
    page.click("#submit")
    page.wait_for_selector("#results:not([hidden]) article.table-review", timeout=60_000)


def test_paste_review_dismiss_edit_and_download(page, tmp_path):
    from openpyxl import load_workbook

    expect = sync_api.expect
    review(page, SAMPLE.read_text(encoding="utf-8"))

    # the 密集架 finding, with both numbers, and its row highlighted in the tree
    finding = page.locator("li.finding", has_text="密集架").filter(has_text="60").first
    expect(finding).to_be_visible()
    expect(finding).to_contain_text("52")
    fid = finding.locator(".fid").inner_text()
    table = page.locator("article.table-review", has=finding)
    row = table.locator("tr.indicator-row.flagged", has_text="密集架")
    expect(row).to_have_count(1)
    expect(row.locator("td.target")).to_have_text("=52组")

    # clicking the id on the row brings the finding into view
    chip = re.compile(f"^{fid}$")
    row.locator("button.chip", has_text=chip).click()
    expect(finding).to_be_in_viewport()

    # dismiss the comment on that finding
    comment = table.locator("li.comment").filter(has=page.locator("button.chip", has_text=chip)).first
    dismissed_text = comment.locator(".comment-text").inner_text()
    comment.get_by_role("button", name="忽略").click()
    comment = table.locator("li.comment.status-dismissed").filter(has_text=dismissed_text)
    expect(comment).to_have_count(1)
    expect(comment).to_contain_text("已忽略")

    # edit another comment of the same table
    other = table.locator("li.comment:not(.status-dismissed)").first
    other_text = other.locator(".comment-text").inner_text()
    other.get_by_role("button", name="编辑").click()
    new_text = "【审核人修改】请核实并统一各处数量。"
    editor = table.locator("textarea.comment-editor")
    editor.fill(new_text)
    table.get_by_role("button", name="保存修改").click()
    expect(table.locator("li.comment.status-edited .comment-text")).to_have_text(new_text)

    # the workbook holds both decisions
    with page.expect_download() as info:
        page.locator(".downloads button[data-format=xlsx]").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "review.xlsx"
    download.save_as(path)
    sheet = load_workbook(path, read_only=True)["问题"]
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows))
    comment_col, decision_col = header.index("审核意见"), header.index("处理意见")
    title = table.locator("h2").inner_text()
    rows = [r for r in rows if r[header.index("表格")] == title and r[comment_col]]
    assert any(new_text in r[comment_col] and r[decision_col] == "修改" for r in rows)
    assert any(dismissed_text in r[comment_col] and r[decision_col] == "不采纳" for r in rows)

    # and the Markdown leaves the dismissed comment out
    with page.expect_download() as info:
        page.locator(".downloads button[data-format=md]").click()
    markdown = Path(info.value.path()).read_text(encoding="utf-8")
    section = markdown.split("## " + title + "\n", 1)[1].split("\n## ", 1)[0]
    assert new_text in section and dismissed_text not in section and other_text not in section


def test_table_text_is_shown_as_text_never_run(page):
    text = REAL[0].read_text(encoding="utf-8")
    assert "项目名称\t主体班\t" in text and "\t主体班培训人次\t" in text
    marker = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>"
    text = text.replace("项目名称\t主体班\t", f"项目名称\t主体班{marker}\t")
    text = text.replace("\t主体班培训人次\t", f"\t主体班培训人次{marker}\t")
    review(page, text)
    table = page.locator("article.table-review").first
    sync_api.expect(table.locator("h2")).to_contain_text(marker)
    sync_api.expect(table.locator("td.l3", has_text="主体班培训人次")).to_contain_text(marker)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#tables img, #tables script").count() == 0


def test_bad_input_shows_the_one_line_message(page):
    review_button = page.locator("#submit")
    review_button.click()
    error = page.locator("#error")
    sync_api.expect(error).to_be_visible()
    sync_api.expect(error).to_contain_text("请粘贴")
    page.fill("#paste", "这不是一张表。")
    review_button.click()
    sync_api.expect(error).not_to_contain_text("请粘贴")
    sync_api.expect(error).to_be_visible()
    assert page.locator("#results").is_hidden()


def test_copy_button_puts_the_comment_on_the_clipboard(browser, server):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(server + "/")
        review(page, REAL[0].read_text(encoding="utf-8"))
        comment = page.locator("li.comment").first
        text = comment.locator(".comment-text").inner_text()
        comment.get_by_role("button", name="复制").click()
        sync_api.expect(comment.get_by_role("button", name="已复制")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == text
    finally:
        context.close()
