"""The pydantic spine: what every stage reads and writes.

input → extract (Grid → Document) → checks (Finding) → drafting (Comment) → report (Review)
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal, get_args

from pydantic import BaseModel, Field, GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema

from reviewer.fastattr import plain_attribute_reads

TableKind = Literal["project", "department", "budget"]
Severity = Literal["error", "warning", "info"]
Comparator = Literal["=", ">=", "<=", ">", "<"]
Verdict = Literal["通过", "修改后通过", "退回修改"]

Category = Literal[
    "missing_indicator",
    "unmeasurable_target",
    "narrative_mismatch",
    "cost_inconsistency",
    "amount_inconsistency",
    "arithmetic_error",
    "stale_date",
    "copy_paste",
    "misclassified",
    "text_inconsistency",
    "incomplete_text",
    "format",
]
CATEGORIES: tuple[str, ...] = get_args(Category)  # the contract's fixed set, in its order
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


class Location(BaseModel):
    """Where an item came from, precise enough for a finding to point at it."""

    source: str | None = None  # file name, or "<stdin>"
    line: int | None = None  # 1-based line in a text input
    row: int | None = None  # 1-based row in a sheet / table grid
    col: int | None = None  # 1-based column
    sheet: str | None = None  # xlsx sheet name
    table: int | None = None  # index of the table inside a docx/html file
    page: int | None = None  # PDF page
    cell: str | None = None  # "B7" for spreadsheets

    def describe(self) -> str:
        """Where to look, as a reviewer says it: "工作表 项目1 · B7", "第3页", "第79行"."""
        parts = []
        if self.sheet:
            parts.append(f"工作表 {self.sheet}")
        if self.page is not None:
            parts.append(f"第{self.page}页")
        if self.cell:
            parts.append(self.cell)
        elif self.row is not None:
            parts.append(f"表{self.table}第{self.row}行" if self.table is not None else f"第{self.row}行")
        if self.line is not None:
            parts.append(f"第{self.line}行")
        return " · ".join(parts)


# ---------------------------------------------------------------- extraction


class Cell:
    """One cell of a reader's grid: its text and where it came from.

    A slotted class rather than a pydantic model: readers make one per cell, millions in a bulk
    run, and a model costs several times as much to build and to free. Pydantic models that hold
    cells (GridRow, Table.rows) validate and serialise them as {"text", "location"}.
    """

    __slots__ = ("text", "location")

    def __init__(self, text: str, location: Location | None = None) -> None:
        self.text = text
        self.location = location if location is not None else Location()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cell):
            return NotImplemented
        return self.text == other.text and self.location == other.location

    __hash__ = None  # mutable, like the models

    def __repr__(self) -> str:
        return f"Cell(text={self.text!r}, location={self.location!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: type, handler: GetCoreSchemaHandler) -> CoreSchema:
        fields = core_schema.typed_dict_schema({
            "text": core_schema.typed_dict_field(core_schema.str_schema()),
            "location": core_schema.typed_dict_field(handler.generate_schema(Location), required=False),
        })
        from_dict = core_schema.no_info_after_validator_function(lambda d: Cell(**d), fields)
        return core_schema.json_or_python_schema(
            json_schema=from_dict,
            python_schema=core_schema.union_schema([core_schema.is_instance_schema(Cell), from_dict]),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda c: {"text": c.text, "location": c.location}, return_schema=fields),
        )


class GridRow(BaseModel):
    """One row of cells as a reader saw it (merged cells written once)."""

    cells: list[Cell]
    location: Location = Field(default_factory=Location)

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


class Grid(BaseModel):
    """A reader's output: rows of cells, plus free text lines between tables.

    Text inputs give one GridRow per line (a line without tabs is a one-cell
    row). Structured inputs (xlsx, docx, html) give their tables' rows, with a
    blank row between tables, and paragraphs as one-cell rows.
    """

    source: str
    rows: list[GridRow]
    format: str = "text"


class Amount(BaseModel):
    """A money amount with its unit, normalised to 万元 in `wan`."""

    raw: str
    value: float
    unit: str = "万元"
    wan: float


class Target(BaseModel):
    """A parsed target value (指标值). `raw` is always the text as given."""

    raw: str
    kind: Literal["numeric", "qualitative", "date", "period", "text", "empty"] = "text"
    comparator: Comparator | None = None
    comparator_raw: str | None = None
    value: float | None = None
    value_max: float | None = None  # upper bound of a range "90-95%"
    unit: str | None = None
    unit_source: Literal["value", "column"] | None = None
    qualitative: str | None = None  # 合格, 及时, 健全 …
    date: _dt.date | None = None  # module-qualified: the field name shadows the type
    date_end: _dt.date | None = None
    excel_serial: bool = False  # "44,561" leaked from a date cell
    placeholder: bool = False  # "**", "XX" left from a template


class Indicator(BaseModel):
    level1: str | None = None
    level2: str | None = None
    level3: str | None = None
    target: Target
    nature: str | None = None  # 指标性质 / 指标值类型 (定量/定性, 正向/反向)
    direction: str | None = None  # 指标方向
    unit_column: str | None = None  # 计量单位
    weight: float | None = None  # 权重 / 分值
    basis: str | None = None  # 取值依据 / 指标标准或依据
    note: str | None = None  # 指标值说明 / 备注 / 指标解释
    extra: dict[str, str] = Field(default_factory=dict)
    location: Location = Field(default_factory=Location)

    @property
    def path(self) -> str:
        return " > ".join(p for p in (self.level1, self.level2, self.level3) if p)


class Slot(BaseModel):
    """A (一级, 二级) pair the table declares, whether or not it has 三级 under it."""

    level1: str | None = None
    level2: str | None = None
    location: Location = Field(default_factory=Location)


class TextField(BaseModel):
    """A header or narrative field as written, with its amount if it holds one."""

    name: str
    text: str
    amount: Amount | None = None
    location: Location = Field(default_factory=Location)


class Table(BaseModel):
    title: str
    kind: TableKind
    framework: str | None = None  # older | central2021 | henan | department | None
    year: int | None = None
    unit_name: str | None = None  # 单位 / 部门 that owns the table
    header: dict[str, TextField] = Field(default_factory=dict)
    narrative: dict[str, TextField] = Field(default_factory=dict)
    indicators: list[Indicator] = Field(default_factory=list)
    slots: list[Slot] = Field(default_factory=list)
    rows: list[GridRow] = Field(default_factory=list)  # budget tables: the grid itself
    columns: list[str] = Field(default_factory=list)  # budget tables: flattened header
    text: str = ""  # the table's own text as read (for prompts and copy checks)
    location: Location = Field(default_factory=Location)


class Document(BaseModel):
    source: str
    format: str = "text"
    budget_year: int | None = None
    department: str | None = None
    tables: list[Table] = Field(default_factory=list)


# ---------------------------------------------------------------- review


class Finding(BaseModel):
    """One defect, exactly as the findings contract names its fields."""

    id: str = ""
    rule: str
    category: Category
    severity: Severity
    indicator: str | None = None
    location: str = ""
    evidence: str = ""
    message: str
    # Not part of the contract JSON: used by drafting and reports.
    fix: str | None = Field(default=None, exclude=True)
    at: Location | None = Field(default=None, exclude=True)

    def contract(self) -> dict:
        return self.model_dump(include=CONTRACT_FINDING_FIELDS)


CONTRACT_FINDING_FIELDS = {
    "id", "rule", "category", "severity", "indicator", "location", "evidence", "message"
}


class Comment(BaseModel):
    finding_ids: list[str] = Field(default_factory=list)
    text: str
    source: Literal["llm", "template"] = "template"
    # Set only on model-suggested comments that no rule produced.
    category: Category | None = None
    suggested: bool = False


class TableReview(BaseModel):
    title: str
    kind: TableKind
    verdict: Verdict = "通过"
    findings: list[Finding] = Field(default_factory=list)
    comments: list[Comment] = Field(default_factory=list)
    table: Table | None = Field(default=None, exclude=True)

    def contract(self) -> dict:
        """The table as the findings contract writes it: one dump (a finding leaves out its
        excluded fields by itself); a model-suggested comment keeps its category."""
        table = self.model_dump(include=_CONTRACT_TABLE)
        if any(c.suggested for c in self.comments):
            table["comments"] = [c.model_dump(exclude_none=True) if c.suggested
                                 else c.model_dump(include=_CONTRACT_COMMENT) for c in self.comments]
        return table


_CONTRACT_COMMENT = {"finding_ids", "text", "source"}
_CONTRACT_TABLE = {"title": True, "kind": True, "verdict": True, "findings": True,
                   "comments": {"__all__": _CONTRACT_COMMENT}}


class Usage(BaseModel):
    requests: int = 0
    cached: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None
    fallbacks: int = 0
    dropped: int = 0  # model comments dropped: unknown finding id or indicator
    ungrounded: int = 0  # model comments dropped: a number not in the table


class Review(BaseModel):
    source: str
    budget_year: int | None = None
    tables: list[TableReview] = Field(default_factory=list)
    usage: Usage | None = None

    def contract(self) -> dict:
        """The JSON the findings contract promises (`--format json`)."""
        out: dict = {"source": self.source, "budget_year": self.budget_year,
                     "tables": [t.contract() for t in self.tables]}
        if self.usage is not None:
            out["usage"] = self.usage.model_dump()
        return out


# These models hold only declared fields: reading them needs none of pydantic's
# __getattr__ hook, which would keep CPython from speeding up every field read.
plain_attribute_reads(Location, GridRow, Grid, Amount, Target, Indicator, Slot, TextField, Table,
                      Document, Finding, Comment, TableReview, Usage, Review)
