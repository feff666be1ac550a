"""Checks on every model reply before any of it reaches a report.

- A reply that does not parse or does not fit the schema: the whole table is
  drafted offline.
- A comment naming an unknown finding id or an unknown indicator/field: dropped.
- A comment with a number neither in the table nor derived from it: dropped
  (counted as ungrounded).
- Every finding left without a comment gets the template comment, so nothing
  found by the checks is ever lost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from reviewer.models import Category, Comment, TableReview


class DraftComment(BaseModel):
    finding_ids: list[str] = Field(
        default_factory=list,
        description="本条意见覆盖的问题编号（findings 中的 id）；补充意见为空列表",
    )
    indicator: str | None = Field(
        default=None, description="所针对的三级指标名称或字段名称，与表中原文一致；针对整张表时为空"
    )
    text: str = Field(description="意见正文")
    category: Category | None = Field(default=None, description="仅补充意见填写：问题类别")


class ReviewComments(BaseModel):
    """提交本表的审核意见。"""

    comments: list[DraftComment] = Field(description="审核意见列表")


@dataclass
class Outcome:
    """What validation kept, and what it had to replace."""

    comments: list[Comment]
    fallback: bool = False  # the whole table was drafted offline
    dropped: int = 0  # comments dropped: unknown finding id or indicator, or empty
    ungrounded: int = 0  # comments dropped: a number not in the table
    reasons: list[str] = field(default_factory=list)


def parse_reply(payload: Any) -> ReviewComments | None:
    """A reply (dict, JSON text or parsed model) as ReviewComments, or None if it does not fit."""
    if isinstance(payload, ReviewComments):
        return payload
    try:
        if isinstance(payload, str | bytes):
            payload = json.loads(payload)
        return ReviewComments.model_validate(payload)
    except (ValueError, TypeError, ValidationError):
        return None


def _norm(name: str) -> str:
    return re.sub(r"[\s\u3000“”\"'「」《》]", "", name).replace("＞", ">")


def known_subjects(tr: TableReview) -> set[str]:
    """Names a comment may point at: indicators at every level, slots, fields, finding subjects."""
    names: set[str] = set()
    t = tr.table
    if t is not None:
        for ind in t.indicators:
            names.update(x for x in (ind.level1, ind.level2, ind.level3) if x)
            names.add(ind.path)
        for slot in t.slots:
            names.update(x for x in (slot.level1, slot.level2) if x)
        names.update(t.header)
        names.update(t.narrative)
        names.update(t.columns)
        names.add(t.title)
    names.add(tr.title)
    for f in tr.findings:
        if f.indicator:
            names.add(f.indicator)
        if f.location:
            names.add(f.location)
            names.update(p.strip() for p in f.location.split(">"))
    return {_norm(n) for n in names if n and n.strip()}


def _subject_known(indicator: str | None, known: set[str]) -> bool:
    if indicator is None or not indicator.strip():
        return True
    name = _norm(indicator)
    if name in known:
        return True
    # "产出 > 数量 > 密集架" written with other spacing, or a path ending in a known name
    return ">" in name and name.split(">")[-1] in known


def validate_reply(
    reply: ReviewComments | None,
    tr: TableReview,
    *,
    rubric=None,
    max_suggestions: int = 3,
) -> Outcome:
    """Turn a model reply into the table's comments, keeping every finding covered."""
    from reviewer.drafting.offline import draft_table
    from reviewer.drafting.rubric import load_rubric

    rubric = rubric or load_rubric()
    if reply is None:
        return Outcome(draft_table(tr, rubric), fallback=True, reasons=["reply does not fit the schema"])

    order = {f.id: i for i, f in enumerate(tr.findings) if f.id}
    known = known_subjects(tr)
    grounding = _Grounding(tr)
    out = Outcome(comments=[])
    on_findings: list[Comment] = []
    suggestions: list[Comment] = []
    for draft in reply.comments:
        text = draft.text.strip()
        ids = list(dict.fromkeys(i.strip() for i in draft.finding_ids if i.strip()))
        if not text:
            out.dropped += 1
            out.reasons.append("empty comment")
            continue
        unknown = [i for i in ids if i not in order]
        if unknown:
            out.dropped += 1
            out.reasons.append(f"unknown finding id {', '.join(unknown)}")
            continue
        if not _subject_known(draft.indicator, known):
            out.dropped += 1
            out.reasons.append(f"unknown indicator {draft.indicator!r}")
            continue
        if not ids and (draft.category is None or len(suggestions) >= max_suggestions):
            out.dropped += 1
            out.reasons.append("suggestion without category" if draft.category is None else "too many suggestions")
            continue
        bad = grounding.ungrounded(text)
        if bad:
            out.ungrounded += 1
            out.reasons.append(f"numbers not in the table: {', '.join(bad)}")
            continue
        if ids:
            on_findings.append(Comment(finding_ids=ids, text=text, source="llm"))
        else:
            suggestions.append(Comment(text=text, source="llm", category=draft.category, suggested=True))

    covered = {i for c in on_findings for i in c.finding_ids}
    uncovered = [f for f in tr.findings if f.id not in covered]
    templates = draft_table(tr.model_copy(update={"findings": uncovered, "comments": []}), rubric) if uncovered else []

    # the offline drafter's order: the rubric's groups (产出, 效益, 满意度, other), then finding order
    def position(c: Comment) -> tuple[int, int]:
        first = min((order[i] for i in c.finding_ids if i in order), default=len(tr.findings))
        location = tr.findings[first].location if first < len(tr.findings) else ""
        return rubric.order_rank(location or ""), first

    out.comments = sorted(on_findings + templates, key=position) + suggestions
    return out


class _Grounding:
    """grounding.ungrounded_numbers with a fast path: a comment whose numbers all appear
    in the table or the findings as written needs none of the (costly) derivations."""

    def __init__(self, tr: TableReview):
        from reviewer.drafting.grounding import numbers_in

        self.tr = tr
        self.numbers_in = numbers_in
        texts = [tr.table.text] if tr.table is not None else []
        texts += [x for f in tr.findings for x in (f.evidence, f.message, f.fix or "") if x]
        # a subset of allowed_numbers(table, findings): numbers as written in the table and findings
        self.direct = set(numbers_in("\n".join(texts)))

    def ungrounded(self, text: str) -> list[str]:
        from reviewer.drafting.grounding import ungrounded_numbers

        if all(n in self.direct for n in self.numbers_in(text)):
            return []
        return ungrounded_numbers(text, self.tr.table, self.tr.findings)
