"""Input readers: bytes of any supported format → Grid (rows of located cells).

`read_grid` picks the reader from the file suffix, or from the bytes when the
suffix is missing or unknown (stdin is "<stdin>"). Every failure a user can
cause (empty, binary, corrupt or unsupported input) is an InputError with one
clear line naming the file.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import PurePath

from reviewer.errors import InputError
from reviewer.models import Grid

__all__ = ["read_grid", "sniff_format", "preload", "SUFFIXES", "SUPPORTED"]

# Suffix → format. Text-like suffixes decide between text, csv and html; the
# container formats are always confirmed (or corrected) by the bytes.
SUFFIXES: dict[str, str] = {
    ".txt": "text", ".text": "text", ".tsv": "text", ".tab": "text", ".md": "text", ".markdown": "text",
    ".csv": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xltx": "xlsx", ".xltm": "xlsx",
    ".docx": "docx", ".docm": "docx", ".dotx": "docx", ".dotm": "docx",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".pdf": "pdf",
}
SUPPORTED = ("text", "csv", "xlsx", "docx", "html", "pdf")
_OLD_OFFICE = {".xls": "xlsx", ".et": "xlsx", ".xlt": "xlsx", ".doc": "docx", ".wps": "docx", ".dot": "docx",
               ".wpt": "docx"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_STARTS = ("<html", "<!doctype", "<table", "<head", "<body", "<meta")


def read_grid(data: bytes, name: str) -> Grid:
    """Read any supported input into a Grid; InputError on anything unreadable."""
    if not data or not data.strip():
        raise InputError(f"{name}：文件为空（{name} is empty）")
    kind = sniff_format(data, name)
    grid = _reader(kind)(data, name)
    if not any(cell.text for row in grid.rows for cell in row.cells):
        raise InputError(f"{name}：文件中没有文字（{name} holds no text）")
    return grid


def sniff_format(data: bytes, name: str) -> str:
    """One of SUPPORTED, from the bytes first for containers, then the suffix."""
    suffix = PurePath(name).suffix.lower() if name and not name.startswith("<") else ""
    if data.startswith(_OLE_MAGIC):
        if SUFFIXES.get(suffix) in ("xlsx", "docx"):
            # Office wraps a password-protected .xlsx/.docx in the old container.
            raise InputError(f"{name}：文件设有密码，请在 Office 中取消密码后重试（{name} is password-protected）")
        raise _old_office(name, suffix)
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_format(data, name)
    if SUFFIXES.get(suffix) in ("xlsx", "docx", "pdf"):
        raise InputError(f"{name}：不是有效的 {suffix} 文件，可能已损坏或扩展名有误（{name} is not a valid {suffix} file）")
    head = _text_head(data)
    looks_html = head.startswith(_HTML_STARTS) or (head.startswith("<?xml") and "<html" in head[:1000])
    if suffix in _OLD_OFFICE:
        if looks_html:
            return "html"  # web sites often serve an HTML table as .xls/.doc
        raise _old_office(name, suffix)
    if suffix in SUFFIXES and SUFFIXES[suffix] in ("text", "csv", "html"):
        return "html" if SUFFIXES[suffix] == "text" and looks_html and suffix != ".md" else SUFFIXES[suffix]
    if looks_html:
        return "html"
    return "csv" if not suffix and _looks_csv(head) else "text"


def _looks_csv(head: str) -> bool:
    """Unnamed input (stdin) that is comma-separated rather than tab-separated text."""
    lines = [line for line in head.split("\n")[:40] if line.strip()]
    if len(lines) < 3 or any("\t" in line for line in lines):
        return False
    with_commas = [line for line in lines if line.count(",") >= 2]
    return len(with_commas) >= 0.6 * len(lines)


def preload(names: list[str]) -> None:
    """Import the readers that files of these names will need (a bulk run does it once, before
    its worker processes fork, instead of in every worker)."""
    for kind in {SUFFIXES.get(PurePath(n).suffix.lower(), "text") for n in names}:
        _reader(kind)


def _reader(kind: str) -> Callable[[bytes, str], Grid]:
    if kind == "csv":
        from reviewer.extract.readers.csv import read_csv as reader
    elif kind == "xlsx":
        from reviewer.extract.readers.xlsx import read_xlsx as reader
    elif kind == "docx":
        from reviewer.extract.readers.docx import read_docx as reader
    elif kind == "html":
        from reviewer.extract.readers.html import read_html as reader
    elif kind == "pdf":
        from reviewer.extract.readers.pdf import read_pdf as reader
    else:
        from reviewer.extract.readers.text import read_text as reader
    return reader


def _zip_format(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            mimetype = archive.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, ValueError):
        raise InputError(f"{name}：文件已损坏，无法作为 .xlsx/.docx 打开（{name} is a damaged ZIP archive）") from None
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("word/") for n in names):
        return "docx"
    if "opendocument.spreadsheet" in mimetype:
        raise InputError(f"{name}：OpenDocument 表格，请另存为 .xlsx 后重试（save it as .xlsx and try again）")
    if "opendocument.text" in mimetype:
        raise InputError(f"{name}：OpenDocument 文档，请另存为 .docx 后重试（save it as .docx and try again）")
    raise InputError(f"{name}：压缩包不是 Excel 或 Word 文件，请解压后上传其中的表格（not an Excel or Word file）")


def _old_office(name: str, suffix: str) -> InputError:
    target = _OLD_OFFICE.get(suffix, "xlsx or .docx")
    label = suffix or "this file"
    return InputError(
        f"{name}：不支持旧版 Office 格式（{label}），请另存为 .{target} 后重试（save it as .{target} and try again）"
    )


def _text_head(data: bytes) -> str:
    """The first characters of a text input, lower-cased, BOM and whitespace removed."""
    head = data[:2048]
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(codec, "ignore").lstrip().lower()
    return head.decode("latin-1").lstrip().lower()
