"""PDF with a text layer → Grid, page by page in reading order.

Ruled tables found by pdfplumber become rows of cells (a merged cell's value
once, the covered positions empty); text outside the tables becomes one-cell
rows, one per line, placed above or below the tables by position.
"""

from __future__ import annotations

import io
import logging

from reviewer.errors import InputError
from reviewer.models import Cell, Grid, GridRow, Location


def read_pdf(data: bytes, name: str) -> Grid:
    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font and cropbox chatter
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages
    except Exception as e:  # pdfminer raises many kinds on a damaged or locked file
        if "password" in f"{type(e).__name__} {e}".lower() or _is_password_error(e):
            raise InputError(f"{name}：PDF 设有密码，请取消密码后重试（{name} is password-protected）") from None
        raise InputError(f"{name}：无法作为 PDF 打开（cannot open as a PDF: {type(e).__name__}）") from None

    rows: list[GridRow] = []
    tables = 0
    chars = 0
    with pdf:
        for number, page in enumerate(pages, start=1):
            try:
                page = page.dedupe_chars()
                chars += len(page.chars)
                items = _page_items(page)
            except Exception as e:
                raise InputError(f"{name}：无法读取第 {number} 页（cannot read page {number}: {type(e).__name__}）") from None
            for _, kind, payload in items:
                if kind == "line":
                    location = Location(source=name, page=number)
                    rows.append(GridRow(cells=[Cell(text=payload, location=location)], location=location))
                    continue
                tables += 1
                _separate(rows, name, number)
                for r, record in enumerate(payload, start=1):
                    cells = [
                        Cell(
                            text=(text or "").strip(),
                            location=Location(source=name, page=number, table=tables, row=r, col=c),
                        )
                        for c, text in enumerate(record, start=1)
                    ]
                    rows.append(
                        GridRow(cells=cells, location=Location(source=name, page=number, table=tables, row=r))
                    )
                _separate(rows, name, number)
    if chars == 0:
        raise InputError(f"{name}：PDF 没有文字层（可能是扫描件），请先做文字识别或直接粘贴表格文字（{name} has no text layer）")
    while rows and not rows[-1].cells:
        rows.pop()
    return Grid(source=name, rows=rows, format="pdf")


def _page_items(page) -> list[tuple[float, str, object]]:
    """(top, "line" | "table", text | rows) for one page, sorted top to bottom."""
    items: list[tuple[float, str, object]] = []
    boxes = []
    for table in page.find_tables():
        records = table.extract()
        if len(records) <= 1 and all(len(r) <= 1 for r in records):
            continue  # a single framed box is a text frame, not a table: read its lines
        boxes.append(table.bbox)
        items.append((table.bbox[1], "table", records))

    def outside_tables(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside_tables) if boxes else page
    for line in text_page.extract_text_lines(return_chars=False):
        text = line["text"].strip()
        if text:
            items.append((line["top"], "line", text))
    items.sort(key=lambda item: item[0])
    return items


def _separate(rows: list[GridRow], name: str, page: int) -> None:
    if rows and rows[-1].cells:
        rows.append(GridRow(cells=[], location=Location(source=name, page=page)))


def _is_password_error(error: Exception) -> bool:
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, PDFPasswordIncorrect):
            return True
        current = current.__cause__ or current.__context__
    return any(isinstance(arg, PDFPasswordIncorrect) for arg in getattr(error, "args", ()))
