"""Reviews → review.xlsx: sheet 表格 (one row per table) and sheet 问题 (one row per finding).

The 问题 sheet ends with the reviewer's own columns 处理意见 (a list: 采纳/修改/不采纳)
and 备注, and a hidden key column that `reviewer.decisions` reads them back by.

The workbook is written directly as SpreadsheetML (ECMA-376), not through a
spreadsheet library: per cell that costs a string concatenation instead of a
cell object, a style binding and an XML element (ten times faster on a bulk
run). Each sheet's rows stream into a temporary file as they come; `close()`
zips the parts: each sheet's head (dimension, frozen header, column widths),
its rows, and its tail (autofilter, the 处理意见 list validation), plus the
fixed workbook, relationship and style parts. Text is stored as inline strings
(`t="inlineStr"`), so a cell such as "=100%" is text and never a formula;
characters XML cannot hold are dropped.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path

from reviewer.decisions import (
    COL_CATEGORY, COL_COMMENT, COL_DECISION, COL_EVIDENCE, COL_FILE, COL_KEY, COL_LOCATION,
    COL_MESSAGE, COL_NOTE, COL_RULE, COL_SEVERITY, COL_TABLE, DECISION_CHOICES, ISSUES_SHEET,
    Decision, finding_key,
)
from reviewer.models import Review
from reviewer.report import (
    CATEGORY_LABELS, KIND_LABELS, SEVERITIES, SEVERITY_LABELS, SUGGESTED_RULE, AtomicOutput,
    ReviewItems, comments_by_finding, severity_counts, sorted_findings, suggested_comments,
    table_amount, table_unit, where, write_all,
)

TABLES_SHEET = "表格"
FAILED_VERDICT = "读取失败"
# (header, width, wrap)
TABLE_COLUMNS = [
    (COL_FILE, 28, False), ("单位", 24, True), ("表格名称", 36, True), ("类型", 9, False),
    ("本年度金额（万元）", 14, False), ("审核结论", 11, False),
    *((SEVERITY_LABELS[s], 7, False) for s in SEVERITIES), ("说明", 40, True),
]
ISSUE_COLUMNS = [
    (COL_FILE, 24, False), (COL_TABLE, 30, True), (COL_RULE, 9, False), (COL_CATEGORY, 13, False),
    (COL_SEVERITY, 9, False), (COL_LOCATION, 30, True), ("出处", 14, False),
    (COL_EVIDENCE, 40, True), (COL_MESSAGE, 50, True), (COL_COMMENT, 60, True),
    (COL_DECISION, 11, False), (COL_NOTE, 24, True), (COL_KEY, 10, False),
]
SEVERITY_COLUMN = 4  # 严重程度: its font colour follows the severity
MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell
DEFLATE_LEVEL = 3  # measured: levels 1-3 cost the same (~0.04 ms a table), 3 is 15% smaller; 6 costs 2.5x

# ---------------------------------------------------------------- SpreadsheetML

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Cell formats (cellXfs indices of _STYLES): every written cell is top-aligned.
STYLE_HEADER, STYLE_TOP, STYLE_WRAP = 1, 2, 3
STYLE_SEVERITY = {"error": 4, "warning": 5, "info": 6}  # dark red bold, amber, blue
_STYLES = (
    _XML_HEAD + f'<styleSheet xmlns="{_MAIN_NS}">'
    '<fonts count="5">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFC00000"/><name val="Calibri"/><family val="2"/></font>'
    '<font><sz val="11"/><color rgb="FFB36B00"/><name val="Calibri"/><family val="2"/></font>'
    '<font><sz val="11"/><color rgb="FF1F5F8B"/><name val="Calibri"/><family val="2"/></font>'
    '</fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDE4EE"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1">'
    '<alignment vertical="top"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    + "".join(f'<xf numFmtId="0" fontId="{font}" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
              '<alignment vertical="top"/></xf>' for font in (2, 3, 4))
    + '</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/>'
    '</styleSheet>'
)
_CONTENT_TYPES = (
    _XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/worksheets/sheet2.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    '</Types>'
)
_ROOT_RELS = (
    _XML_HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL_NS}/extended-properties" Target="docProps/app.xml"/>'
    '</Relationships>'
)
_WORKBOOK_RELS = (
    _XML_HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL_NS}/worksheet" Target="worksheets/sheet2.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL_NS}/styles" Target="styles.xml"/>'
    '</Relationships>'
)
_APP = (
    _XML_HEAD + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    '<Application>indicator-reviewer</Application></Properties>'
)

# Characters XML 1.0 cannot hold (C0 controls but tab/newline/CR, lone surrogates, U+FFFE/FFFF).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NEEDS_WORK = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "&#13;",
            **dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0xD800, 0xE000),
                             0xFFFE, 0xFFFF])}


def _escape_markup(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_text(value: str) -> str:
    """`value` for an XML text node: illegal characters dropped, cut to MAX_CELL, &<> and CR escaped."""
    if len(value) > MAX_CELL:
        value = _ILLEGAL.sub("", value)[:MAX_CELL]
    if value.isprintable():  # no CR nor illegal character: str.replace is cheaper than a regex search
        return _escape_markup(value)
    if _NEEDS_WORK.search(value):
        value = value.translate(_ESCAPES)
    return value


def _letter(i: int) -> str:
    """1 → A, 27 → AA."""
    out = ""
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


class _RowStyle:
    """A row's cell formats as the markup around each cell's row number and value: the
    cell reference, style and type are the same on every row, so they are joined once."""

    __slots__ = ("cells",)

    def __init__(self, letters: list[str], styles: list[int]):
        # per column: (start, rest of an empty cell, of a text cell's start, of a number cell's start)
        self.cells = [(f'<c r="{letter}', f'" s="{style}"/>', f'" s="{style}" t="inlineStr"><is><t',
                       f'" s="{style}"><v>') for letter, style in zip(letters, styles)]


class _Sheet:
    """One worksheet: its rows stream to a temporary file; `part()` writes the whole part into a zip."""

    def __init__(self, name: str, columns: list[tuple[str, int, bool]], folder: Path, index: int):
        self.name, self.columns, self.index = name, columns, index
        self.letters = [_letter(i) for i in range(1, len(columns) + 1)]
        self.styles = [STYLE_WRAP if wrap else STYLE_TOP for _, _, wrap in columns]
        self.row_style = self.style(self.styles)
        self.rows = 0
        self.body = tempfile.TemporaryFile("w+", encoding="utf-8", dir=folder, newline="")
        self.hidden: set[int] = set()  # 0-based indices of hidden columns
        self.append([name for name, _, _ in columns], self.style([STYLE_HEADER] * len(columns)))

    def style(self, styles: list[int]) -> _RowStyle:
        """The row style of these cell formats (one per column), for `append`."""
        return _RowStyle(self.letters, styles)

    def append(self, values: list, row_style: _RowStyle) -> None:
        """One row; None leaves a cell out, "" writes a styled empty cell, str is text, int/float a number."""
        self.rows += 1
        n = str(self.rows)
        out = ['<row r="', n, '">']
        add = out.append
        for (start, empty, text_start, number_start), value in zip(row_style.cells, values):
            if value is None:
                continue
            if value.__class__ is str:
                if not value:
                    add(f"{start}{n}{empty}")
                    continue
                if len(value) > MAX_CELL or not value.isprintable():
                    text = xml_text(value)
                elif "&" in value or "<" in value or ">" in value:  # xml_text's common case
                    text = _escape_markup(value)
                else:
                    text = value
                if len(value.strip()) != len(value):  # leading or trailing whitespace
                    add(f'{start}{n}{text_start} xml:space="preserve">{text}</t></is></c>')
                else:
                    add(f"{start}{n}{text_start}>{text}</t></is></c>")
            elif isinstance(value, (int, float)) and math.isfinite(value):
                add(f"{start}{n}{number_start}{value!r}</v></c>")
            else:  # NaN, infinity or another type: written as text
                add(f"{start}{n}{text_start}>{xml_text(str(value))}</t></is></c>")
        add("</row>")
        self.body.write("".join(out))

    @property
    def ref(self) -> str:
        """The used range, header included."""
        return f"A1:{self.letters[-1]}{self.rows}"

    def _head(self) -> str:
        hidden = ' hidden="1"'
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{width}" customWidth="1"{hidden if i - 1 in self.hidden else ""}/>'
            for i, (_, width, _) in enumerate(self.columns, 1))
        selected = ' tabSelected="1"' if self.index == 1 else ""
        return (
            _XML_HEAD + f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            f'<dimension ref="{self.ref}"/>'
            f'<sheetViews><sheetView{selected} workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            f'<cols>{cols}</cols><sheetData>'
        )

    def part(self, zf: zipfile.ZipFile, tail: str = "") -> None:
        """Write the sheet into `zf` as xl/worksheets/sheet{index}.xml and drop its temporary file."""
        body = self.body
        body.flush()
        size = body.buffer.tell() if hasattr(body, "buffer") else 0
        body.seek(0)
        with zf.open(f"xl/worksheets/sheet{self.index}.xml", "w", force_zip64=size > 1 << 30) as out:
            out.write(self._head().encode("utf-8"))
            shutil.copyfileobj(body.buffer, out, 1 << 20)
            out.write((f'</sheetData><autoFilter ref="{self.ref}"/>{tail}'
                       '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
                       '</worksheet>').encode("utf-8"))
        self.close()

    def close(self) -> None:
        self.body.close()


def _workbook(sheets: list[_Sheet]) -> str:
    names = "".join(f'<sheet name="{xml_text(s.name)}" sheetId="{s.index}" r:id="rId{s.index}"/>' for s in sheets)
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{s.index - 1}" hidden="1">'
        f"'{xml_text(s.name)}'!$A$1:${s.letters[-1]}${s.rows}</definedName>" for s in sheets)
    return (
        _XML_HEAD + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets>{names}</sheets><definedNames>{filters}</definedNames>'
        '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def _core(now: datetime) -> str:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        _XML_HEAD + '<cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<dc:creator>indicator-reviewer</dc:creator>'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        '</cp:coreProperties>'
    )


# ---------------------------------------------------------------- writer


class XlsxWriter:
    """Streams reviews into a two-sheet workbook; `close()` saves it atomically."""

    def __init__(self, path: str | Path, decisions: Mapping[str, Decision] | None = None):
        self.out = AtomicOutput(path, ".xlsx")
        self.decisions = decisions or {}
        self.carried = 0  # decisions filled in from an earlier workbook
        folder = self.out.tmp.parent
        try:
            self.tables = _Sheet(TABLES_SHEET, TABLE_COLUMNS, folder, 1)
            self.issues = _Sheet(ISSUES_SHEET, ISSUE_COLUMNS, folder, 2)
        except BaseException:
            self.out.discard()
            raise
        self.issues.hidden.add(len(ISSUE_COLUMNS) - 1)  # the key column
        self._issue_styles = {s: self.issues.style([STYLE_SEVERITY[s] if i == SEVERITY_COLUMN else style
                                                    for i, style in enumerate(self.issues.styles)])
                              for s in SEVERITIES}
        self.n_tables = self.n_issues = self.n_failed = 0

    def add(self, file: str, review: Review) -> None:
        for tr in review.tables:
            counts = severity_counts(tr.findings)
            amount = table_amount(tr)
            self.tables.append([file, table_unit(tr), tr.title, KIND_LABELS.get(tr.kind, tr.kind),
                                round(amount, 4) if amount is not None else None, tr.verdict,
                                *(counts[s] for s in SEVERITIES), ""], self.tables.row_style)
            self.n_tables += 1
            by_finding = comments_by_finding(tr) if tr.comments else {}
            for f in sorted_findings(tr):
                comments = by_finding.get(f.id)
                comment = "\n".join(c.text for c in comments) if comments else ""
                self._issue(file, tr.title, f.rule, f.category, f.severity, f.location, where(f),
                            f.evidence, f.message, comment)
            if tr.comments:
                for c in suggested_comments(tr):
                    self._issue(file, tr.title, SUGGESTED_RULE, c.category or "", "info", "", "", "", "",
                                c.text)

    def _issue(self, file, table, rule, category, severity, location, at, evidence, message, comment):
        key = finding_key(file, table, rule, location, evidence or comment)
        d = self.decisions.get(key)
        if d is not None:
            self.carried += 1
        self.issues.append([
            file, table, rule, CATEGORY_LABELS.get(category, category), SEVERITY_LABELS[severity],
            location, at, evidence, message, comment, d.decision if d else None, d.note if d else None, key,
        ], self._issue_styles[severity])
        self.n_issues += 1

    def add_error(self, file: str, message: str) -> None:
        self.tables.append([file, "", "", "", None, FAILED_VERDICT, None, None, None, message],
                           self.tables.row_style)
        self.n_failed += 1

    def close(self) -> Path | None:
        decision_col = self.issues.letters[len(ISSUE_COLUMNS) - 3]
        choices = xml_text('"' + ",".join(DECISION_CHOICES) + '"')
        validation = (f'<dataValidations count="1"><dataValidation type="list" allowBlank="1" '
                      f'showErrorMessage="0" sqref="{decision_col}2:{decision_col}{max(self.n_issues + 1, 2) + 1000}">'
                      f'<formula1>{choices}</formula1></dataValidation></dataValidations>')
        sheets = [self.tables, self.issues]
        try:
            with zipfile.ZipFile(self.out.tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=DEFLATE_LEVEL) as zf:
                zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
                zf.writestr("_rels/.rels", _ROOT_RELS)
                zf.writestr("docProps/app.xml", _APP)
                zf.writestr("docProps/core.xml", _core(datetime.now(timezone.utc)))
                zf.writestr("xl/workbook.xml", _workbook(sheets))
                zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
                zf.writestr("xl/styles.xml", _STYLES)
                self.tables.part(zf)
                self.issues.part(zf, validation)
        except BaseException:
            for s in sheets:
                s.close()
            self.out.discard()
            raise
        return self.out.commit()


def write_xlsx(items: ReviewItems, path: str | Path, *, decisions: Mapping[str, Decision] | None = None,
               errors=()) -> Path | None:
    """Write one review, or several (file, review) pairs, to a workbook at `path`."""
    return write_all(XlsxWriter(path, decisions), items, errors)
