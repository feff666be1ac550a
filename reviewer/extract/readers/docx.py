"""Word document (.docx) → Grid: paragraphs and tables in body order.

A paragraph is a one-cell row (an empty paragraph an empty row, runs of them
collapsed). A table gives one row per <w:tr>; a horizontally merged cell
(gridSpan) is written once followed by empty cells, a vertically merged
continuation cell (vMerge) is empty. A table of one or two columns whose cells
hold further tables is a layout frame: its cells' contents are read in order as
body text, so the real tables inside come out as tables. In a wider table a
nested table is flattened into its cell's text, one line per row.
"""

from __future__ import annotations

import io

from reviewer.errors import InputError
from reviewer.models import Cell, Grid, GridRow, Location


def read_docx(data: bytes, name: str) -> Grid:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises many kinds on a damaged file
        raise InputError(f"{name}：无法作为 Word 文档打开（cannot open as a Word document: {type(e).__name__}）") from None
    reader = _BodyReader(name)
    reader.read_blocks(document.element.body)
    return Grid(source=name, rows=reader.finish(), format="docx")


class _BodyReader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: list[GridRow] = []
        self.table_count = 0

    def read_blocks(self, parent) -> None:
        """Paragraphs and tables under a body, a cell or a content control, in order."""
        from docx.oxml.ns import qn

        for child in parent.iterchildren():
            if child.tag == qn("w:p"):
                self._paragraph(child)
            elif child.tag == qn("w:tbl"):
                self._table(child)
            elif child.tag in (qn("w:sdt"), qn("w:customXml")):
                content = child.find(qn("w:sdtContent")) if child.tag == qn("w:sdt") else child
                if content is not None:
                    self.read_blocks(content)

    def finish(self) -> list[GridRow]:
        while self.rows and not self.rows[-1].cells:
            self.rows.pop()
        while self.rows and not self.rows[0].cells:
            self.rows.pop(0)
        return self.rows

    def _empty_row(self) -> None:
        if self.rows and self.rows[-1].cells:
            self.rows.append(GridRow(cells=[], location=Location(source=self.name)))

    def _paragraph(self, p) -> None:
        text = _paragraph_text(p).strip()
        if not text:
            self._empty_row()
            return
        # Tabs lay out columns in a paragraph the way they do in pasted text.
        location = Location(source=self.name)
        cells = [
            Cell(text=part.strip(), location=Location(source=self.name, col=c) if "\t" in text else location)
            for c, part in enumerate(text.split("\t"), start=1)
        ]
        self.rows.append(GridRow(cells=cells, location=location))

    def _table(self, tbl) -> None:
        from docx.oxml.ns import qn

        widest = max((len(tr.tc_lst) for tr in tbl.tr_lst), default=0)
        if widest <= 2 and tbl.find(".//" + qn("w:tbl")) is not None:
            for tc in tbl.iter(qn("w:tc")):
                if _owner_table(tc) is tbl:
                    self.read_blocks(tc)
            return
        self._empty_row()
        self.table_count += 1
        index = self.table_count
        for r, tr in enumerate(tbl.tr_lst, start=1):
            texts = [""] * tr.grid_before  # cells the row skips at its start
            for tc in tr.tc_lst:
                texts.append("" if tc.vMerge == "continue" else _cell_text(tc))
                texts.extend([""] * (max(tc.grid_span, 1) - 1))
            cells = [
                Cell(text=text, location=Location(source=self.name, table=index, row=r, col=c))
                for c, text in enumerate(texts, start=1)
            ]
            self.rows.append(GridRow(cells=cells, location=Location(source=self.name, table=index, row=r)))
        self._empty_row()


def _owner_table(tc):
    from docx.oxml.ns import qn

    node = tc.getparent()
    while node is not None and node.tag != qn("w:tbl"):
        node = node.getparent()
    return node


def _paragraph_text(p) -> str:
    """Visible text of a paragraph: runs, hyperlinks, insertions; tabs and breaks kept."""
    from docx.oxml.ns import qn

    text_tags = {qn("w:t"): None, qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n",
                 qn("w:noBreakHyphen"): "-"}
    # Deleted revisions, text boxes (separate stories) and the duplicate
    # fallback copy of a drawing are not the paragraph's own text.
    skip = {qn("w:del"), qn("w:txbxContent"), qn("w:pPr"), qn("w:rPr"), qn("w:instrText"),
            "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
    parts: list[str] = []

    def walk(element) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in skip:
                continue
            if tag in text_tags:
                parts.append(child.text or "" if text_tags[tag] is None else text_tags[tag])
            else:
                walk(child)

    walk(p)
    return "".join(parts)


def _cell_text(tc) -> str:
    """A cell's paragraphs joined by newlines; a nested table gives one line per row."""
    from docx.oxml.ns import qn

    lines: list[str] = []
    for child in tc.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(_paragraph_text(child))
        elif child.tag == qn("w:tbl"):
            for tr in child.tr_lst:
                texts = (_cell_text(inner) for inner in tr.tc_lst)
                lines.append(" ".join(t.replace("\n", " ") for t in texts if t))
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                lines.extend(_paragraph_text(p) for p in content.iter(qn("w:p")))
    return "\n".join(line.strip() for line in lines if line.strip())
