"""Excel workbook (.xlsx/.xlsm) → Grid, every visible sheet in order.

Cell values are shown as the sheet shows them where feasible: dates as
2021-12-31, numbers with the decimals of their number format, percentages as
"95%". A merged range keeps its value at the top-left cell; the covered cells
are empty. Empty rows and columns around the data are dropped (so is a
row's trailing run of empty cells); interior empty rows are kept (they
separate tables). One empty row separates sheets; hidden sheets are skipped.
"""

from __future__ import annotations

import io
import re
import warnings
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from reviewer.errors import InputError
from reviewer.models import Cell, Grid, GridRow, Location


def read_xlsx(data: bytes, name: str) -> Grid:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "extension not supported" and the like: noise to a user
            workbook = load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except Exception as e:  # openpyxl raises many kinds on a damaged file
        raise InputError(f"{name}：无法作为 Excel 工作簿打开（cannot open as an Excel workbook: {_short(e)}）") from None

    formulas = _formula_workbook(data)
    rows: list[GridRow] = []
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue  # hidden sheets hold drop-down lists and lookups, not the table
        values = _sheet_values(sheet)
        if formulas is not None and sheet.title in formulas.sheetnames:
            values.update(_typed_formulas(formulas[sheet.title], values))
        if not values:
            continue
        if rows:
            rows.append(GridRow(cells=[], location=Location(source=name, sheet=sheet.title)))
        first_row, last_row = min(r for r, _ in values), max(r for r, _ in values)
        first_col = min(c for _, c in values)
        by_row: dict[int, dict[int, str]] = {}
        for (r, c), text in values.items():
            by_row.setdefault(r, {})[c] = text
        for r in range(first_row, last_row + 1):
            found = by_row.get(r, {})
            cells = []
            if found:
                for c in range(first_col, max(found) + 1):
                    ref = f"{get_column_letter(c)}{r}"
                    cells.append(
                        Cell(
                            text=found.get(c, ""),
                            location=Location(source=name, sheet=sheet.title, row=r, col=c, cell=ref),
                        )
                    )
            rows.append(GridRow(cells=cells, location=Location(source=name, sheet=sheet.title, row=r)))
    return Grid(source=name, rows=rows, format="xlsx")


_LITERAL_FORMULA = re.compile(r"^=\s*[-+]?[\d.,]+\s*%?$")


def _formula_workbook(data: bytes):
    """The workbook with formulas kept, when it has any (a target typed as "=100%" is a formula)."""
    from openpyxl import load_workbook

    if not _zip_has_formula(data):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), read_only=False, data_only=False)
    except Exception:  # the values were read; formulas are a refinement
        return None


def _zip_has_formula(data: bytes) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return any(b"<f" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    except (zipfile.BadZipFile, KeyError, OSError):
        return False


def _typed_formulas(sheet, values: dict[tuple[int, int], str]) -> dict[tuple[int, int], str]:
    """Cells whose formula is what the user typed as a value: "=100%" (Excel stores 1) and
    formulas with no saved result (files written by programs), shown as written."""
    cells = sheet._cells.values() if hasattr(sheet, "_cells") else (c for row in sheet.iter_rows() for c in row)
    out = {}
    for cell in cells:
        v = cell.value
        if isinstance(v, str) and v.startswith("="):
            key = (cell.row, cell.column)
            if _LITERAL_FORMULA.match(v) or key not in values:
                out[key] = v.strip()
    return out


def _sheet_values(sheet) -> dict[tuple[int, int], str]:
    """(row, col) → displayed text for every non-empty cell.

    Walks the cells the file defines rather than the whole used rectangle: a
    sheet formatted down to row 1048576 would otherwise take minutes.
    """
    cells = sheet._cells.values() if hasattr(sheet, "_cells") else (c for row in sheet.iter_rows() for c in row)
    out: dict[tuple[int, int], str] = {}
    for cell in cells:
        if cell.value is None:
            continue
        text = display_text(cell.value, cell.number_format or "General").strip()
        if text:
            out[(cell.row, cell.column)] = text
    return out


def display_text(value: object, number_format: str = "General") -> str:
    """A cell value as text the way the sheet displays it (as far as is feasible)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M" if value.second == 0 else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M" if value.second == 0 else "%H:%M:%S")
    if isinstance(value, int) and number_format.lower() in ("general", "0", "@"):
        return str(value)  # exact, even for 18-digit codes stored as numbers
    if isinstance(value, int | float):
        return format_number(float(value), number_format)
    return str(value)


_TOKEN = re.compile(
    r'"(?P<quoted>[^"]*)"?'  # "literal text"
    r"|\\(?P<escaped>.)"  # \x
    r"|(?P<general>general)"
    r"|\[[^\]]*\]"  # [Red], [$-804], [>=100]: not shown
    r"|[_*]."  # padding and fill: not shown
    r"|(?P<char>.)",
    re.IGNORECASE | re.DOTALL,
)
_DIGITS = "0#?"


def format_number(value: float, number_format: str) -> str:
    """Apply an Excel number format's decimals, %, thousands separator, scaling and literals.

    Scientific and fraction formats fall back to the plain number.
    """
    sections = _split_sections(number_format)
    section = sections[0]
    negative = value < 0
    if negative and len(sections) > 1:
        section, negative = sections[1], False  # that section writes its own sign
    elif value == 0 and len(sections) > 2:
        section = sections[2]
    value = abs(value)

    tokens: list[tuple[str, str]] = []  # ("lit", text) | ("pat", char) | ("gen", "")
    for m in _TOKEN.finditer(section):
        if m.group("quoted") is not None:
            tokens.append(("lit", m.group("quoted")))
        elif m.group("escaped") is not None:
            tokens.append(("lit", m.group("escaped")))
        elif m.group("general") is not None:
            tokens.append(("gen", ""))
        elif m.group("char") is not None:
            ch = m.group("char")
            tokens.append(("pat", ch) if ch in _DIGITS + ".,%eE/@" else ("lit", ch))

    digit_positions = [i for i, (kind, ch) in enumerate(tokens) if kind == "pat" and ch in _DIGITS]
    pattern = "".join(ch for kind, ch in tokens if kind == "pat")
    general_at = next((i for i, (kind, _) in enumerate(tokens) if kind == "gen"), None)
    if "e" in pattern.lower() or "/" in pattern or (not digit_positions and general_at is None):
        if not digit_positions and any(kind == "lit" for kind, _ in tokens) and "e" not in pattern.lower():
            return "".join(ch for kind, ch in tokens if kind == "lit")  # e.g. "-" shown for zero
        return ("-" if negative else "") + _general(value)
    if not digit_positions:
        number, first, last = _general(value), general_at, general_at
    else:
        first, last = digit_positions[0], digit_positions[-1]
        numeric = "".join(ch for _, ch in tokens[first : last + 1])
        scale = 0
        while last + 1 < len(tokens) and tokens[last + 1] == ("pat", ","):
            scale += 1  # "0.0," shows thousands
            last += 1
        if "%" in pattern:
            value *= 100
        value /= 1000**scale
        number = _fixed(value, numeric)

    def affix(part: list[tuple[str, str]]) -> str:
        return "".join(ch for kind, ch in part if kind == "lit" or (kind == "pat" and ch == "%"))

    text = affix(tokens[:first]) + number + affix(tokens[last + 1 :])
    return "-" + text if negative and value != 0 else text


def _fixed(value: float, numeric: str) -> str:
    """Round half up to the placeholders after "."; "#" decimals drop trailing zeros."""
    whole_part, _, frac_part = numeric.partition(".")
    decimals = sum(ch in _DIGITS for ch in frac_part)
    required = frac_part.count("0")
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{rounded:{',' if ',' in whole_part else ''}f}"
    if decimals > required and "." in text:
        whole, frac = text.split(".")
        frac = frac.rstrip("0").ljust(required, "0")
        text = f"{whole}.{frac}" if frac else whole
    if whole_part and set(whole_part) <= {"#", ","} and text.startswith("0."):
        text = text[1:]  # "#.00" shows .5 for 0.5
    return text


def _split_sections(number_format: str) -> list[str]:
    sections, current, quoted = [], "", False
    for ch in number_format:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            sections.append(current)
            current = ""
        else:
            current += ch
    sections.append(current)
    return sections


def _general(value: float) -> str:
    """Excel's General format: no spurious ".0", no float noise, no exponent."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.15g}"
    if "e" in text:
        text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
