"""Write the reference sample in the other input formats, for the eval's format cases.

    python eval/make_formats.py        # rewrites eval/cases/formats/jiyuan_2021.{docx,html,xlsx,csv}

Made from the sample's text (eval/cases/jiyuan_housing_fund_2021.txt), the way an
office would have the same tables in another file: lines without tabs become
paragraphs, runs of tab-separated lines become tables (cells as printed, merged
cells written once). The Word and HTML files hold the whole document; the
workbook (one sheet per table) and the CSV hold the performance-target tables.
In the workbook, plain numbers are numeric cells ("5.00" keeps two decimals).
HTML fragments that the PDF text carries inside cells (<p>, <ol>) stay HTML in
the web page and become plain text elsewhere. The outputs are committed; their
case files inherit the sample's annotations.
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "cases" / "jiyuan_housing_fund_2021.txt"
OUT = HERE / "cases" / "formats"
STEM = "jiyuan_2021"

_TAG = re.compile(r"<[^<>]{1,200}>")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_TITLE = re.compile(r"绩效目标表")


def plain(cell: str) -> str:
    """Cell text without the HTML the PDF text carries ("</p> <p>" becomes a line break)."""
    text = re.sub(r"</p>\s*<p>|<li>", "\n", cell)
    return html.unescape(_TAG.sub("", text)).strip()


def blocks(lines: list[str]) -> list[tuple[str, list]]:
    """("p", text) for a line without tabs, ("table", rows) for a run of tab-separated lines."""
    out: list[tuple[str, list]] = []
    for line in lines:
        if "\t" in line:
            if out and out[-1][0] == "table":
                out[-1][1].append(line.split("\t"))
            else:
                out.append(("table", [line.split("\t")]))
        elif line.strip():
            out.append(("p", line.strip()))
        else:
            out.append(("blank", []))
    return out


def performance_tables(lines: list[str]) -> list[tuple[str, list[list[str]]]]:
    """(title, rows) for the 整体 and project tables: each starts at a title line naming 绩效目标表."""
    starts = [i for i, line in enumerate(lines) if "\t" not in line and _TITLE.search(line)
              and not line.lstrip().startswith("-")]
    starts = [i for i in starts if i > 0 and "目录" not in lines[i]]
    out = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        rows = [line.split("\t") if "\t" in line else [line.strip()] for line in lines[start:end] if line.strip()]
        title = re.sub(r"\*", "", lines[start]).strip()
        out.append((title, rows))
    return out


def write_docx(lines: list[str], path: Path) -> None:
    import docx

    document = docx.Document()
    for kind, body in blocks(lines):
        if kind == "p":
            document.add_paragraph(plain(body.replace("**", "")))
        elif kind == "table":
            width = max(len(r) for r in body)
            table = document.add_table(rows=len(body), cols=width)
            table.style = "Table Grid"
            for r, row in enumerate(body):
                for c, cell in enumerate(row):
                    if cell:
                        table.cell(r, c).text = plain(cell)
    document.save(path)


def write_html(lines: list[str], path: Path) -> None:
    parts = ['<!DOCTYPE html>', '<html lang="zh-CN"><head><meta charset="utf-8">',
             "<title>济源市住房公积金管理中心2021年部门预算</title></head><body>"]
    for kind, body in blocks(lines):
        if kind == "p":
            parts.append(f"<p>{html.escape(body.replace('**', ''))}</p>")
        elif kind == "table":
            parts.append('<table border="1">')
            for row in body:
                # cells keep the HTML the text carries (<p>, <ol>): a web page has it too
                cells = "".join(f"<td>{cell if _TAG.search(cell) else html.escape(cell)}</td>" for cell in row)
                parts.append(f"<tr>{cells}</tr>")
            parts.append("</table>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")


def write_xlsx(tables: list[tuple[str, list[list[str]]]], path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for n, (title, rows) in enumerate(tables, 1):
        ws = wb.create_sheet(title="整体绩效目标表" if "整体" in title else f"项目{n - 1}")
        for r, row in enumerate(rows, 1):
            for c, cell in enumerate(row, 1):
                text = plain(cell)
                if not text:
                    continue
                target = ws.cell(row=r, column=c)
                if _NUMBER.fullmatch(text) and not text.startswith("0") or text in ("0", "0.00"):
                    target.value = float(text)
                    decimals = len(text.split(".", 1)[1]) if "." in text else 0
                    target.number_format = "0." + "0" * decimals if decimals else "0"
                else:
                    target.value = text
                    target.data_type = "s"  # "=52组" is text typed with a leading =, not a formula
    wb.save(path)


def write_csv(tables: list[tuple[str, list[list[str]]]], path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for n, (_, rows) in enumerate(tables):
        if n:
            writer.writerow([])
        for row in rows:
            writer.writerow([plain(c) for c in row])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))  # Excel's "CSV UTF-8": with a BOM


def main() -> None:
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    OUT.mkdir(parents=True, exist_ok=True)
    tables = performance_tables(lines)
    write_docx(lines, OUT / f"{STEM}.docx")
    write_html(lines, OUT / f"{STEM}.html")
    write_xlsx(tables, OUT / f"{STEM}.xlsx")
    write_csv(tables, OUT / f"{STEM}.csv")
    print(f"wrote {len(tables)} performance tables and the whole document to {OUT}")


if __name__ == "__main__":
    main()
