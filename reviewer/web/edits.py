"""The reviewer's decisions on drafted comments, applied to a Review before export.

- accept: the comment stays as drafted;
- edit: the comment's text is replaced by the reviewer's;
- dismiss: the reviewer will not raise it. A finding whose every comment was
  dismissed is *withdrawn*, and the table's verdict is worked out again from the
  findings still raised.

The documents sent out (Word, Markdown) leave dismissed comments and withdrawn
findings out: `documents_review`. The workbook (xlsx) is the reviewer's working
sheet: it keeps every finding and records the decision in its 处理意见 column
(采纳 / 修改 / 不采纳), the same column `reviewer bulk --decisions` reads back:
`workbook_review`.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.errors import InputError
from reviewer.models import Review, TableReview
from reviewer.web.schemas import CommentEdit

ACCEPTED, EDITED, DISMISSED = "采纳", "修改", "不采纳"


@dataclass
class _Table:
    status: list[str | None]  # per comment: None (untouched), ACCEPTED, EDITED or DISMISSED
    originals: list[str]  # per comment: the drafted text

    def withdrawn(self, tr: TableReview) -> set[str]:
        kept: set[str] = set()
        dropped: set[str] = set()
        for comment, status in zip(tr.comments, self.status, strict=True):
            (dropped if status == DISMISSED else kept).update(comment.finding_ids)
        return dropped - kept


def _resolve(review: Review, edits: list[CommentEdit]) -> tuple[Review, list[_Table]]:
    """A copy of `review` with edited texts and updated verdicts, and each comment's status."""
    from reviewer.checks import verdict

    edited = review.model_copy(deep=False)
    edited.tables = []
    states = []
    for tr in review.tables:
        copy = tr.model_copy()  # shallow: the Table object is shared read-only
        copy.comments = [c.model_copy() for c in tr.comments]
        edited.tables.append(copy)
        states.append(_Table([None] * len(tr.comments), [c.text for c in tr.comments]))

    for edit in edits:
        if edit.table >= len(edited.tables):
            raise InputError(f"第 {edit.table + 1} 张表不存在，无法应用修改。")
        tr, state = edited.tables[edit.table], states[edit.table]
        if edit.comment >= len(tr.comments):
            raise InputError(f"第 {edit.table + 1} 张表没有第 {edit.comment + 1} 条意见。")
        if edit.action == "edit":
            text = (edit.text or "").strip()
            if not text:
                raise InputError("修改后的意见不能为空；如不需要这条意见，请选择“忽略”。")
            tr.comments[edit.comment].text = text
            changed = text != state.originals[edit.comment]
            state.status[edit.comment] = EDITED if changed else ACCEPTED
        elif edit.action == "dismiss":
            state.status[edit.comment] = DISMISSED
        else:
            state.status[edit.comment] = ACCEPTED

    for tr, state in zip(edited.tables, states, strict=True):
        withdrawn = state.withdrawn(tr)
        if withdrawn:
            tr.verdict = verdict([f for f in tr.findings if f.id not in withdrawn])
    return edited, states


def documents_review(review: Review, edits: list[CommentEdit]) -> Review:
    """What the unit receives: edited texts, no dismissed comment, no withdrawn finding."""
    edited, states = _resolve(review, edits)
    for tr, state in zip(edited.tables, states, strict=True):
        withdrawn = state.withdrawn(tr)
        tr.findings = [f for f in tr.findings if f.id not in withdrawn]
        tr.comments = [c for c, s in zip(tr.comments, state.status, strict=True) if s != DISMISSED]
    return edited


def workbook_review(review: Review, edits: list[CommentEdit]) -> tuple[Review, dict]:
    """Every finding kept, plus the decisions for XlsxWriter keyed as it keys its rows."""
    from reviewer.decisions import Decision, finding_key
    from reviewer.report import SUGGESTED_RULE, comments_by_finding, suggested_comments

    edited, states = _resolve(review, edits)
    decisions: dict[str, Decision] = {}

    def record(key: str, decision: str, originals: list[str]) -> None:
        note = ("原稿：" + "\n".join(originals)) if decision == EDITED else ""
        decisions[key] = Decision(key=key, decision=decision, note=note)

    for tr, state in zip(edited.tables, states, strict=True):
        status_of = {id(c): (s, o) for c, s, o in zip(tr.comments, state.status, state.originals, strict=True)}
        by_finding = comments_by_finding(tr)
        for f in tr.findings:
            comments = by_finding.get(f.id, [])
            marks = [status_of[id(c)] for c in comments]
            statuses = {s for s, _ in marks}
            if not statuses - {None}:
                continue
            if statuses == {DISMISSED}:
                decision = DISMISSED
            elif EDITED in statuses:
                decision = EDITED
            elif ACCEPTED in statuses:
                decision = ACCEPTED
            else:  # some dismissed, the rest untouched: still raised, not decided
                continue
            # the writer keys a finding row by its evidence, or its comment text when it has none
            comment_text = "\n".join(c.text for c in comments)
            key = finding_key(edited.source, tr.title, f.rule, f.location, f.evidence or comment_text)
            record(key, decision, [o for s, o in marks if s == EDITED])
        for c in suggested_comments(tr):
            status, original = status_of[id(c)]
            if status is not None:
                record(finding_key(edited.source, tr.title, SUGGESTED_RULE, "", c.text), status, [original])
    return edited, decisions
