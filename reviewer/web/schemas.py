"""Request and response models of the JSON API (they also make /openapi.json).

The response of POST /api/review is the findings contract (`Review.contract()`,
see shared/spec/findings.md) with two additions: a `review_id` for exports, and
per table a `view` (the indicator tree and text fields, each with the ids of the
findings that point at it) for the page.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reviewer.models import Category, Severity, TableKind, Verdict


class ContractFinding(BaseModel):
    id: str
    rule: str
    category: Category
    severity: Severity
    indicator: str | None = None
    location: str = ""
    evidence: str = ""
    message: str


class ContractComment(BaseModel):
    model_config = ConfigDict(extra="allow")

    finding_ids: list[str] = Field(default_factory=list)
    text: str
    source: Literal["llm", "template"]
    category: Category | None = Field(default=None, description="只在模型额外建议的意见上出现")
    suggested: bool | None = Field(default=None, description="模型额外建议、没有对应规则的意见")


class IndicatorNode(BaseModel):
    """One 三级指标 row."""

    name: str | None = None
    target: str = ""
    unit: str | None = None
    position: str = ""
    finding_ids: list[str] = Field(default_factory=list)


class Level2Node(BaseModel):
    name: str | None = None
    finding_ids: list[str] = Field(default_factory=list)
    indicators: list[IndicatorNode] = Field(default_factory=list)


class Level1Node(BaseModel):
    name: str | None = None
    finding_ids: list[str] = Field(default_factory=list)
    children: list[Level2Node] = Field(default_factory=list)


class FieldNode(BaseModel):
    """A header or narrative field (项目名称, 项目概况, 年度绩效目标 …)."""

    name: str
    text: str
    group: Literal["header", "narrative"]
    finding_ids: list[str] = Field(default_factory=list)


class TableView(BaseModel):
    framework: str | None = None
    year: int | None = None
    unit_name: str | None = None
    tree: list[Level1Node] = Field(default_factory=list)
    fields: list[FieldNode] = Field(default_factory=list)


class ContractTable(BaseModel):
    title: str
    kind: TableKind
    verdict: Verdict
    findings: list[ContractFinding]
    comments: list[ContractComment]
    view: TableView = Field(default_factory=TableView, description="页面用：指标树与文字字段")


class ReviewResponse(BaseModel):
    model_config = ConfigDict(extra="allow")

    review_id: str = Field(description="导出时引用本次结果（服务只在内存中保留最近的结果）")
    source: str
    budget_year: int | None = None
    tables: list[ContractTable]
    usage: dict | None = None


class CommentEdit(BaseModel):
    """The reviewer's decision on one drafted comment."""

    table: int = Field(ge=0, description="表在 tables 中的序号（从 0 起）")
    comment: int = Field(ge=0, description="意见在该表 comments 中的序号（从 0 起）")
    action: Literal["accept", "edit", "dismiss"]
    text: str | None = Field(default=None, description="action 为 edit 时的新意见文本")


ExportFormat = Literal["xlsx", "docx", "md"]


class ExportRequest(BaseModel):
    review_id: str
    format: ExportFormat
    edits: list[CommentEdit] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    detail: str
