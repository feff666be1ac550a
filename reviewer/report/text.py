"""Review → the terminal: per table its verdict, findings and drafted comments."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from reviewer.models import Review
from reviewer.report import (
    CATEGORY_LABELS, KIND_LABELS, SEVERITIES, SEVERITY_LABELS, VERDICTS, severity_counts,
    sorted_findings, suggested_comments, usage_text, where,
)

SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}
VERDICT_STYLES = {"通过": "bold green", "修改后通过": "bold yellow", "退回修改": "bold red"}


def render_text(review: Review, console: Console) -> None:
    """Print a review: each table with its findings and comments, then a summary line."""
    for tr in review.tables:
        head = Text()
        head.append(tr.title or "（无标题）", style="bold")
        head.append(f"  [{KIND_LABELS.get(tr.kind, tr.kind)}]  ", style="dim")
        head.append(tr.verdict, style=VERDICT_STYLES.get(tr.verdict, "bold"))
        console.rule(head, align="left")
        if not tr.findings:
            console.print(Text("  未发现问题。", style="green"))
        for f in sorted_findings(tr):
            line = Text("  ")
            line.append(f"{SEVERITY_LABELS[f.severity]} ", style=SEVERITY_STYLES[f.severity])
            line.append(f"{f.id} {f.rule} ", style="bold")
            line.append(f"{CATEGORY_LABELS.get(f.category, f.category)}({f.category})", style="magenta")
            pos = " · ".join(p for p in (f.location, where(f)) if p)
            if pos:
                line.append(f"  {pos}", style="dim")
            console.print(line)
            if f.evidence:
                console.print(Padding(Text(f"证据：{f.evidence}", style="dim"), (0, 0, 0, 6)))
            console.print(Padding(Text(f.message), (0, 0, 0, 6)))
        if tr.comments:
            console.print(Text("  审核意见：", style="bold"))
            suggested = {id(c) for c in suggested_comments(tr)}
            for n, c in enumerate(tr.comments, 1):
                line = Text(f"{n}．{c.text}")  # no space after the number: Chinese wraps anywhere
                tag = "模型建议" if id(c) in suggested else ",".join(c.finding_ids)
                line.append(f"  [{tag}·{'模型' if c.source == 'llm' else '模板'}]", style="dim")
                console.print(Padding(line, (0, 0, 0, 4)))
    console.print(summary_text(review))
    usage = usage_text(review)
    if usage:
        console.print(Text(usage, style="dim"))


def summary_text(review: Review) -> Text:
    counts = severity_counts(f for t in review.tables for f in t.findings)
    verdicts = Counter(t.verdict for t in review.tables)
    out = Text(f"共 {len(review.tables)} 张表，问题 {sum(counts.values())} 个（")
    for i, s in enumerate(SEVERITIES):
        if i:
            out.append("、")
        out.append(f"{SEVERITY_LABELS[s]} {counts[s]}", style=SEVERITY_STYLES[s] if counts[s] else "")
    out.append("）；")
    for i, v in enumerate(VERDICTS):
        if i:
            out.append("、")
        out.append(f"{v} {verdicts[v]}", style=VERDICT_STYLES[v] if verdicts[v] else "")
    out.append("。")
    return out


def render_bulk_summary(result, console: Console) -> None:
    """Print what a bulk run did (a `reviewer.bulk.BulkResult`): counts, failures, report paths."""
    counts = result.findings
    line = Text(f"审核 {result.files} 个文件（续跑沿用 {result.resumed} 个）、{result.tables} 张表，"
                f"问题 {sum(counts.values())} 个（")
    for i, s in enumerate(SEVERITIES):
        if i:
            line.append("、")
        line.append(f"{SEVERITY_LABELS[s]} {counts[s]}", style=SEVERITY_STYLES[s] if counts[s] else "")
    line.append("）；")
    for i, v in enumerate(VERDICTS):
        if i:
            line.append("、")
        line.append(f"{v} {result.verdicts.get(v, 0)}", style=VERDICT_STYLES[v] if result.verdicts.get(v) else "")
    line.append(f"；用时 {result.seconds:.1f} 秒。")
    console.print(line)
    if result.errors:
        console.print(Text(f"{len(result.errors)} 个文件未能审核：", style="bold red"))
        for file, message in result.errors:
            shown = message if message.startswith(str(file)) else f"{file}：{message}"
            console.print(Text(f"  {shown}", style="red"))
    if result.carried_decisions:
        console.print(Text(f"沿用处理意见 {result.carried_decisions} 条。"))
    if result.usage is not None:
        usage = usage_text(Review(source="", usage=result.usage))
        if usage:
            console.print(Text(usage, style="dim"))
    if result.reports:
        console.print(Text("报告：", style="bold"))
    for path in result.reports.values():
        console.print(Text(f"  {path}", style="dim"))
