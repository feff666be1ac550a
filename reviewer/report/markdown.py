"""Review → Markdown: a heading per table, its verdict, a findings table and the comments."""

from __future__ import annotations

from collections import Counter

from reviewer.models import Review
from reviewer.report import (
    CATEGORY_LABELS, KIND_LABELS, SEVERITIES, SEVERITY_LABELS, VERDICTS, location_text,
    severity_counts, sorted_findings, usage_text,
)


def _cell(text: str | None) -> str:
    """Text safe inside a Markdown table cell: one line, pipes and tags escaped."""
    return _line(text or "").replace("\\", "\\\\").replace("|", "\\|")


def _line(text: str) -> str:
    """One line of table text; "<" escaped so that no tag in a table renders as HTML."""
    return " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;")


def render_markdown(review: Review) -> str:
    out = [f"# 审核结果：{_line(review.source)}", ""]
    if review.budget_year:
        out += [f"预算年度：{review.budget_year}", ""]
    counts = severity_counts(f for t in review.tables for f in t.findings)
    verdicts = Counter(t.verdict for t in review.tables)
    out.append(
        f"共 {len(review.tables)} 张表，问题 {sum(counts.values())} 个（"
        + "、".join(f"{SEVERITY_LABELS[s]} {counts[s]}" for s in SEVERITIES) + "）；"
        + "、".join(f"{v} {verdicts[v]}" for v in VERDICTS) + "。"
    )
    out.append("")
    for tr in review.tables:
        out += [f"## {_line(tr.title) or '（无标题）'}", "",
                f"- 类型：{KIND_LABELS.get(tr.kind, tr.kind)}", f"- 审核结论：**{tr.verdict}**", ""]
        if tr.findings:
            out += ["| 编号 | 严重程度 | 规则 | 类别 | 位置 | 证据 | 问题说明 |",
                    "| --- | --- | --- | --- | --- | --- | --- |"]
            for f in sorted_findings(tr):
                out.append(
                    f"| {f.id} | {SEVERITY_LABELS[f.severity]} | {f.rule} | "
                    f"{CATEGORY_LABELS.get(f.category, f.category)} | {_cell(location_text(f))} | "
                    f"{_cell(f.evidence)} | {_cell(f.message)} |"
                )
            out.append("")
        else:
            out += ["未发现问题。", ""]
        if tr.comments:
            out += ["### 审核意见", ""]
            for n, c in enumerate(tr.comments, 1):
                refs = f"（{', '.join(c.finding_ids)}）" if c.finding_ids else "（模型建议）"
                out.append(f"{n}. {_line(c.text)}{refs}")
            out.append("")
    usage = usage_text(review)
    if usage:
        out += [usage, ""]
    return "\n".join(out)
