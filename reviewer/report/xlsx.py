"""Reviews → review.xlsx: sheet 表格 (one row per table) and sheet 问题 (one row per finding).

The 问题 sheet ends with the reviewer's own columns 处理意见 (a list: 采纳/修改/不采纳)
and 备注, and a hidden key column that `reviewer.decisions` reads them back by.
Written in openpyxl's write-only mode, so rows stream to disk as they come.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
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
MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


class XlsxWriter:
    """Streams reviews into a two-sheet workbook; `close()` saves it atomically."""

    def __init__(self, path: str | Path, decisions: Mapping[str, Decision] | None = None):
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.worksheet.datavalidation import DataValidation

        self._illegal = ILLEGAL_CHARACTERS_RE
        self.out = AtomicOutput(path, ".xlsx")
        self.decisions = decisions or {}
        self.carried = 0  # decisions filled in from an earlier workbook
        self.wb = Workbook(write_only=True)
        self.tables = self.wb.create_sheet(TABLES_SHEET)
        self.issues = self.wb.create_sheet(ISSUES_SHEET)
        self._wrap = Alignment(wrap_text=True, vertical="top")
        self._top = Alignment(vertical="top")
        self._severity_fonts = {"error": Font(color="C00000", bold=True), "warning": Font(color="B36B00"),
                                "info": Font(color="1F5F8B")}
        self._wraps: dict[int, list[bool]] = {}
        self._styles: dict[tuple, object] = {}
        header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EE")
        # write-only sheets take their layout before the first row
        self.issues.column_dimensions[_letter(len(ISSUE_COLUMNS))].hidden = True
        for ws, columns in ((self.tables, TABLE_COLUMNS), (self.issues, ISSUE_COLUMNS)):
            ws.freeze_panes = "A2"
            for i, (_, width, _) in enumerate(columns, 1):
                ws.column_dimensions[_letter(i)].width = width
            self._wraps[id(ws)] = [w for _, _, w in columns]
            ws.append([self._cell(ws, name, font=header_font, fill=header_fill) for name, _, _ in columns])
        self.choice = DataValidation(type="list", formula1='"' + ",".join(DECISION_CHOICES) + '"',
                                     allow_blank=True, showErrorMessage=False)
        self.issues.data_validations.append(self.choice)
        self.n_tables = self.n_issues = self.n_failed = 0

    def _cell(self, ws, value, *, wrap: bool = False, font=None, fill=None):
        from openpyxl.cell import WriteOnlyCell

        if isinstance(value, str):
            value = self._illegal.sub("", value)[:MAX_CELL]
        cell = WriteOnlyCell(ws, value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # a target such as "=100%" is text, not a formula
        key = (wrap, id(font), id(fill))
        style = self._styles.get(key)
        if style is None:  # build each combination of styles once; copying it is cheap
            cell.alignment = self._wrap if wrap else self._top
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            self._styles[key] = style = cell._style
        cell._style = copy(style)
        return cell

    def _row(self, ws, values: list, fonts: dict[int, object] | None = None) -> None:
        wraps = self._wraps[id(ws)]
        ws.append([None if v is None else self._cell(ws, v, wrap=wraps[i], font=(fonts or {}).get(i))
                   for i, v in enumerate(values)])

    def add(self, file: str, review: Review) -> None:
        for tr in review.tables:
            counts = severity_counts(tr.findings)
            amount = table_amount(tr)
            self._row(self.tables, [file, table_unit(tr), tr.title, KIND_LABELS.get(tr.kind, tr.kind),
                                    round(amount, 4) if amount is not None else None, tr.verdict,
                                    *(counts[s] for s in SEVERITIES), ""])
            self.n_tables += 1
            by_finding = comments_by_finding(tr)
            for f in sorted_findings(tr):
                comment = "\n".join(c.text for c in by_finding.get(f.id, []))
                self._issue(file, tr.title, f.rule, f.category, f.severity, f.location, where(f),
                            f.evidence, f.message, comment)
            for c in suggested_comments(tr):
                self._issue(file, tr.title, SUGGESTED_RULE, c.category or "", "info", "", "", "", "",
                            c.text)

    def _issue(self, file, table, rule, category, severity, location, at, evidence, message, comment):
        key = finding_key(file, table, rule, location, evidence or comment)
        d = self.decisions.get(key)
        if d is not None:
            self.carried += 1
        self._row(self.issues, [
            file, table, rule, CATEGORY_LABELS.get(category, category), SEVERITY_LABELS[severity],
            location, at, evidence, message, comment, d.decision if d else None, d.note if d else None, key,
        ], fonts={4: self._severity_fonts[severity]})
        self.n_issues += 1

    def add_error(self, file: str, message: str) -> None:
        self._row(self.tables, [file, "", "", "", None, FAILED_VERDICT, None, None, None, message])
        self.n_failed += 1

    def close(self) -> Path | None:
        n_cols = len(ISSUE_COLUMNS)
        decision_col = _letter(n_cols - 2)
        self.choice.add(f"{decision_col}2:{decision_col}{max(self.n_issues + 1, 2) + 1000}")
        self.issues.auto_filter.ref = f"A1:{_letter(n_cols)}{self.n_issues + 1}"
        self.tables.auto_filter.ref = f"A1:{_letter(len(TABLE_COLUMNS))}{self.n_tables + self.n_failed + 1}"
        try:
            self.wb.save(self.out.tmp)
        except BaseException:
            self.out.discard()
            raise
        return self.out.commit()


def write_xlsx(items: ReviewItems, path: str | Path, *, decisions: Mapping[str, Decision] | None = None,
               errors=()) -> Path | None:
    """Write one review, or several (file, review) pairs, to a workbook at `path`."""
    return write_all(XlsxWriter(path, decisions), items, errors)
