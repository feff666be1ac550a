"""The rubric (rubrics/rubric.yaml) as a model, and the deterministic scoring of a comment.

The prompts, the offline drafter and the eval harness all read the rubric
through `load_rubric()`; `score_comment()` applies the criteria that code can
judge (0 / 0.5 / 1 each).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from reviewer.errors import ConfigError
from reviewer.fastattr import plain_attribute_reads
from reviewer.models import CATEGORIES, SEVERITY_RANK, Category, Comment, Finding, TableReview, Verdict
from reviewer.yamlio import load_yaml


class Criterion(BaseModel):
    id: str
    name: str
    description: str
    weight: float = Field(gt=0)
    deterministic: bool


class VerdictRule(BaseModel):
    name: Verdict
    worst_severity: Literal["error", "warning", "info"]
    definition: str
    advice: str


class CategoryGuide(BaseModel):
    label: str  # short Chinese name of the category
    basis: str  # the full basis, for prompts and docs
    basis_status: Literal["official", "good_practice"]
    cite: str  # short citation
    why: str  # one sentence a comment can use as is
    fix: str  # generic fix when neither the rule nor the drafter has a concrete one


class LengthLimits(BaseModel):
    min_chars: int = 20
    max_chars: int = 300
    max_chars_per_extra_finding: int = 150
    summary_max_chars: int = 400

    def limit_for(self, n_findings: int) -> int:
        return self.max_chars + max(0, n_findings - 1) * self.max_chars_per_extra_finding


class Style(BaseModel):
    prefer: list[str] = Field(default_factory=list)
    avoid: list[str] = Field(default_factory=list)
    placeholder: str = "（按{source}填写）"
    value_sources: list[str] = Field(default_factory=list)


class OrderGroup(BaseModel):
    name: str
    level1: list[str] = Field(default_factory=list)
    level2: list[str] = Field(default_factory=list)
    rank: int

    def matches(self, level1: str, level2: str) -> bool:
        return any(w in level1 for w in self.level1) or any(w in level2 for w in self.level2)


class Rubric(BaseModel):
    version: str
    criteria: list[Criterion]
    length: LengthLimits = Field(default_factory=LengthLimits)
    style: Style = Field(default_factory=Style)
    verdicts: list[VerdictRule]
    comment_order: list[OrderGroup]
    categories: dict[Category, CategoryGuide]

    @model_validator(mode="after")
    def _complete(self) -> Rubric:
        missing = set(CATEGORIES) - set(self.categories)
        if missing:
            raise ValueError(f"categories missing: {', '.join(sorted(missing))}")
        names = {v.name for v in self.verdicts}
        if names != {"通过", "修改后通过", "退回修改"}:
            raise ValueError("verdicts must be exactly 通过, 修改后通过, 退回修改")
        if len({v.worst_severity for v in self.verdicts}) != len(self.verdicts):
            raise ValueError("each verdict needs its own worst_severity")
        if not self.comment_order:
            raise ValueError("comment_order is empty")
        return self

    # ------------------------------------------------------------ lookups

    def category(self, category: str) -> CategoryGuide:
        return self.categories[category]  # type: ignore[index]

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def verdict_rule(self, name: str) -> VerdictRule:
        for v in self.verdicts:
            if v.name == name:
                return v
        raise KeyError(name)

    def verdict_for(self, findings: list[Finding]) -> Verdict:
        """The verdict the worst severity calls for (same mapping as checks.verdict)."""
        worst = max((SEVERITY_RANK[f.severity] for f in findings), default=0)
        for v in self.verdicts:
            if SEVERITY_RANK[v.worst_severity] == worst:
                return v.name
        return "通过"

    def order_rank(self, location: str) -> int:
        """Rank of a finding location ("产出目标 > 数量 > 密集架" or a field name) in comment order."""
        parts = [p.strip() for p in location.split(">")] if ">" in location else [location.strip()]
        level1 = parts[0] if len(parts) > 1 or _looks_like_level1(parts[0]) else ""
        level2 = parts[1] if len(parts) > 1 else ""
        for group in self.comment_order:
            if group.matches(level1, level2):
                return group.rank
        return max(g.rank for g in self.comment_order)

    def weighted_score(self, scores: dict[str, float]) -> float:
        """Weighted mean of the scored criteria (criteria absent from `scores` are skipped)."""
        pairs = [(self.criterion(k).weight, v) for k, v in scores.items()]
        total = sum(w for w, _ in pairs)
        return sum(w * v for w, v in pairs) / total if total else 0.0


def _looks_like_level1(text: str) -> bool:
    """A bare location such as "效益" or "满意度指标" names a 一级; a field name does not."""
    return bool(re.fullmatch(r"(产出|成本|效益|效果|影响力|满意度|投入与目标管理)(指标|目标)?", text))


@lru_cache(maxsize=8)
def load_rubric(path: str | Path | None = None) -> Rubric:
    """The shipped rubric (reviewer.rubrics/rubric.yaml), or one at `path`; cached."""
    import yaml

    try:
        if path is None:
            text = files("reviewer.rubrics").joinpath("rubric.yaml").read_text(encoding="utf-8")
            where = "rubric.yaml"
        else:
            text = Path(path).read_text(encoding="utf-8")
            where = str(path)
        data = load_yaml(text)
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"cannot read rubric {path or 'rubric.yaml'}: {e}") from None
    try:
        return Rubric.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise ConfigError(f"invalid rubric {where}: {loc}: {first['msg']}") from None


# ---------------------------------------------------------------- scoring

_FIX_CUES = ("建议", "应当", "应", "请", "改为", "补充", "调整", "删除", "更正", "统一", "补全", "核实")
_CONCRETE = re.compile(
    r"(?:[≥≤=<>]|不低于|不高于|不少于|不超过|以内)\s*(?:\d|（按|\(按)"  # comparator + value or placeholder
    r"|(?:等于|改为|改成|调整为|更正为|填写为|填为|控制在)[^。；，“]{0,12}\d"  # the value to write
    r"|(?:改为|改成|调整为|调整至|调整到|统一为|统一采用|更正为|写为|写成|写明|用|采用|加上|补充|设置|替换为|移至|移到|列入)"
    r"[^。；]{0,40}[“\"「]"  # a quoted replacement
    r"|(?:统一|改|写|调整|更正|规范)[^。；“]{0,10}为[“\"]"  # "统一计量单位为“家”"
    r"|按[^。；，]{0,12}\d"  # "按项目本年度金额25万元重新编排"
    r"|(?:移至|移到|调整至|调整到|列入|归入)[^。；，]{0,12}指标"  # the 二级 to move an indicator to
    r"|删除|删去|补全|补上|补齐|重写|改写|重新撰写|重新填写"  # an action on the named field
)


@lru_cache(maxsize=1024)  # a rule's fix recurs across its findings; the pattern is costly
def is_concrete_fix(text: str) -> bool:
    """Does the text propose a replacement one can apply as is (not just "请核实")?"""
    return bool(_CONCRETE.search(text))


_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def score_comment(comment: Comment, review: TableReview, rubric: Rubric | None = None) -> dict[str, float]:
    """Score a comment on the rubric's deterministic criteria: {criterion id: 0 | 0.5 | 1}."""
    from reviewer.drafting.grounding import numbers_in, ungrounded_numbers

    rubric = rubric or load_rubric()
    text = comment.text
    by_id = {f.id: f for f in review.findings}
    linked = [by_id[i] for i in comment.finding_ids if i in by_id]
    scorers = {
        "names_subject": lambda: _score_subject(text, linked, review),
        "quotes_evidence": lambda: _score_evidence(text, linked, numbers_in),
        "grounded_numbers": lambda: _score_grounded(text, review, numbers_in, ungrounded_numbers),
        "actionable_fix": lambda: _score_fix(text),
        "within_length": lambda: _score_length(text, max(1, len(linked)), rubric.length),
        "chinese": lambda: _score_chinese(text),
    }
    return {c.id: scorers[c.id]() for c in rubric.criteria if c.deterministic and c.id in scorers}


def _subject_names(f: Finding) -> list[str]:
    if f.indicator:
        return [f.indicator]
    if f.location:
        return [p.strip() for p in f.location.split(">") if p.strip()][-1:]
    return []


def _score_subject(text: str, linked: list[Finding], review: TableReview) -> float:
    if not linked:  # a suggested comment: it should name something the table has
        names: list[str] = []
        if review.table is not None:
            t = review.table
            names = [i.level3 for i in t.indicators if i.level3] + list(t.header) + list(t.narrative)
        return 1.0 if any(n and n in text for n in names) else 0.0
    plain = _plain_quotes(text)
    hits = [any(_plain_quotes(n) in plain for n in _subject_names(f)) for f in linked if _subject_names(f)]
    if not hits:
        return 1.0
    return 1.0 if all(hits) else 0.5 if any(hits) else 0.0


def _score_evidence(text: str, linked: list[Finding], numbers_in) -> float:
    if not linked:
        return 1.0 if numbers_in(text) or "“" in text else 0.5
    wanted = {n for f in linked for n in numbers_in(f.evidence)}
    if wanted:
        have = set(numbers_in(text))
        share = len(wanted & have) / len(wanted)
        return 1.0 if share == 1 else 0.5 if share > 0 else 0.0
    # Evidence without numbers: the comment should quote some of its text.
    fragments = [p.split(":", 1)[-1].split("：", 1)[-1].strip() for f in linked for p in re.split(r"[;；]", f.evidence)]
    fragments = [_plain_quotes(s) for s in fragments if len(s) >= 2]
    if not fragments:
        return 1.0
    plain = _plain_quotes(text)
    return 1.0 if any(s[:10] in plain for s in fragments) else 0.5


def _plain_quotes(text: str) -> str:
    """Quotation marks of any kind as one, so a quote re-quoted with ‘’ still matches."""
    return re.sub(r"[“”‘’\"'「」『』]", '"', text)


def _score_grounded(text: str, review: TableReview, numbers_in, ungrounded_numbers) -> float:
    bad = ungrounded_numbers(text, review.table, review.findings)
    if not bad:
        return 1.0
    total = len(numbers_in(text))
    return 0.5 if len(bad) == 1 and total >= 3 else 0.0


def _score_fix(text: str) -> float:
    cue = next((text.find(c) for c in _FIX_CUES if c in text), -1)
    if cue < 0:
        return 0.0
    return 1.0 if is_concrete_fix(text[cue:]) else 0.5


def _score_length(text: str, n_findings: int, limits: LengthLimits) -> float:
    n = len(text.strip())
    top = limits.limit_for(n_findings)
    if limits.min_chars <= n <= top:
        return 1.0
    if n < limits.min_chars:
        return 0.0
    return 0.5 if n <= top * 1.5 else 0.0


def _score_chinese(text: str) -> float:
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    if cjk + latin == 0:
        return 0.0
    share = cjk / (cjk + latin)
    return 1.0 if share >= 0.6 else 0.5 if share >= 0.3 else 0.0


# Field reads without pydantic's __getattr__ hook (see reviewer.fastattr).
plain_attribute_reads(Criterion, VerdictRule, CategoryGuide, LengthLimits, Style, OrderGroup, Rubric)
