"""HTML page or fragment → Grid: text blocks as one-cell rows, tables cell by cell.

Each data table is expanded honouring rowspan/colspan: the value appears once
(top-left), covered positions are empty cells. A table that holds other tables
is page layout: its cells are read as ordinary blocks so the inner tables come
out as tables. <br> and block elements inside a cell become newlines.
"""

from __future__ import annotations

import re

from reviewer.extract.readers.encoding import decode
from reviewer.models import Cell, Grid, GridRow, Location

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# GB2312 and GBK pages routinely use characters beyond their official
# repertoire; GB18030 decodes them all.
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
                    "cp936": "gb18030", "euc-cn": "gb18030"}
_DROP = ("script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg", "select")
_BLOCKS = frozenset(
    "address article aside blockquote caption center dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary ul".split()
)
_SPACES = re.compile(r"[ \t\n\r\f\xa0]+")
_MAX_SPAN = 1000


def read_html(data: bytes, name: str) -> Grid:
    return parse_html(decode_html(data, name), name)


def decode_html(data: bytes, name: str) -> str:
    """Decode with the page's declared charset (BOM first), else detect."""
    head = data[:4096]
    if not head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
        if match:
            declared = match.group(1).decode("ascii").lower()
            codec = _CHARSET_ALIASES.get(declared, declared)
            try:
                return data.decode(codec).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong or unknown declaration: detect instead
    return decode(data, name)


def parse_html(markup: str, name: str) -> Grid:
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(markup, "lxml")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    walker = _Walker(name)
    walker.walk(soup.body or soup)
    return Grid(source=name, rows=walker.finish(), format="html")


class _Walker:
    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: list[GridRow] = []
        self.line: list[str] = []
        self.tables = 0

    def walk(self, node) -> None:
        from bs4 import NavigableString, Tag

        for child in node.children:
            if isinstance(child, NavigableString):
                self.line.append(str(child))
            elif isinstance(child, Tag):
                if child.name == "br":
                    self.flush()
                elif child.name == "table":
                    self.flush()
                    self.table(child)
                elif child.name in _BLOCKS:
                    self.flush()
                    self.walk(child)
                    self.flush()
                else:
                    self.walk(child)

    def flush(self) -> None:
        text = _SPACES.sub(" ", "".join(self.line)).strip()
        self.line = []
        if text:
            location = Location(source=self.name)
            self.rows.append(GridRow(cells=[Cell(text=text, location=location)], location=location))

    def finish(self) -> list[GridRow]:
        self.flush()
        while self.rows and not self.rows[-1].cells:
            self.rows.pop()
        return self.rows

    def separate(self) -> None:
        if self.rows and self.rows[-1].cells:
            self.rows.append(GridRow(cells=[], location=Location(source=self.name)))

    def table(self, table) -> None:
        rows = _own_rows(table)
        if any(cell.find("table") for tr in rows for cell in _own_cells(tr)):
            for tr in rows:  # a layout table: read its cells as blocks
                for cell in _own_cells(tr):
                    self.walk(cell)
                    self.flush()
            return
        if not rows:
            return
        self.separate()
        self.tables += 1
        index = self.tables
        caption = table.find("caption")
        if caption is not None and _cell_text(caption):
            location = Location(source=self.name, table=index)
            self.rows.append(GridRow(cells=[Cell(text=_cell_text(caption), location=location)], location=location))
        for r, texts in enumerate(expand_table(rows), start=1):
            if not texts:
                continue  # an empty <tr> is spacing, not a table boundary
            cells = [
                Cell(text=text, location=Location(source=self.name, table=index, row=r, col=c))
                for c, text in enumerate(texts, start=1)
            ]
            self.rows.append(GridRow(cells=cells, location=Location(source=self.name, table=index, row=r)))
        self.separate()


def _own_rows(table) -> list:
    """<tr> elements of this table (under thead/tbody/tfoot too), not of nested tables."""
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]


def _own_cells(tr) -> list:
    return tr.find_all(["td", "th"], recursive=False)


def expand_table(rows: list) -> list[list[str]]:
    """Rows of cell texts with rowspan/colspan expanded: value once, covered cells ""."""
    grid: list[list[str | None]] = []
    for r, tr in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        col = 0
        for cell in _own_cells(tr):
            row = grid[r]
            while col < len(row) and row[col] is not None:
                col += 1  # skip positions taken by a rowspan from above
            colspan = _span(cell.get("colspan"))
            rowspan = _span(cell.get("rowspan"), zero=len(rows) - r)
            rowspan = min(rowspan, len(rows) - r)
            text = _cell_text(cell)
            for dr in range(rowspan):
                while len(grid) <= r + dr:
                    grid.append([])
                target = grid[r + dr]
                while len(target) < col + colspan:
                    target.append(None)
                for dc in range(colspan):
                    target[col + dc] = text if dr == 0 and dc == 0 else ""
            col += colspan
    return [["" if t is None else t for t in row] for row in grid]


def _span(value, zero: int = 1) -> int:
    try:
        n = int(str(value).strip().rstrip(";")) if value is not None else 1
    except ValueError:
        return 1
    if n == 0:
        return max(zero, 1)  # rowspan="0" reaches the end of the table
    return min(max(n, 1), _MAX_SPAN)


def _cell_text(cell) -> str:
    """Text of a cell: <br> and block elements give newlines; other whitespace collapses."""
    from bs4 import NavigableString, Tag

    lines: list[str] = []
    current: list[str] = []

    def end_line() -> None:
        text = _SPACES.sub(" ", "".join(current)).strip()
        current.clear()
        if text:
            lines.append(text)

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                current.append(str(child))
            elif isinstance(child, Tag):
                if child.name == "br":
                    end_line()
                elif child.name in _BLOCKS or child.name in ("table", "tr"):
                    end_line()
                    walk(child)
                    end_line()
                elif child.name in ("td", "th"):
                    walk(child)
                    current.append(" ")
                else:
                    walk(child)

    walk(cell)
    end_line()
    return "\n".join(lines)
