"""Review → reports: text (rich), markdown, xlsx, docx, html, and the bulk JSON.

Every file report is a `ReportWriter`: `add(file, review)` once per input file,
`add_error(file, message)` for a file that could not be reviewed, then
`close()`. Writers keep only running totals in memory and stream their body to
disk, so a bulk run of thousands of tables feeds them one file at a time. The
`write_*` helpers wrap a writer for one review or a few.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Protocol

from reviewer.models import SEVERITY_RANK, Comment, Finding, Review, TableReview

CATEGORY_LABELS: dict[str, str] = {
    "missing_indicator": "指标缺失",
    "unmeasurable_target": "目标不可衡量",
    "narrative_mismatch": "文字与指标不符",
    "cost_inconsistency": "成本测算不符",
    "amount_inconsistency": "金额不一致",
    "arithmetic_error": "计算错误",
    "stale_date": "日期不当",
    "copy_paste": "照搬照抄",
    "misclassified": "指标归类不当",
    "text_inconsistency": "表述不一致",
    "incomplete_text": "文字不完整",
    "format": "格式不规范",
}
SEVERITY_LABELS: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
KIND_LABELS: dict[str, str] = {"project": "项目", "department": "部门整体", "budget": "预算"}
VERDICTS: tuple[str, ...] = ("通过", "修改后通过", "退回修改")
SUGGESTED_RULE = "模型建议"  # rule column for a model-suggested comment that no rule produced


class ReportWriter(Protocol):
    def add(self, file: str, review: Review) -> None: ...

    def add_error(self, file: str, message: str) -> None: ...

    def close(self) -> None: ...


ReviewItems = Review | Iterable[Review | tuple[str, Review]]


def iter_items(items: ReviewItems) -> Iterator[tuple[str, Review]]:
    """(file, review) pairs from one Review, Reviews, or (file, review) pairs."""
    if isinstance(items, Review):
        items = [items]
    for item in items:
        if isinstance(item, Review):
            yield item.source, item
        else:
            yield item


def write_all(writer, items: ReviewItems, errors: Iterable[tuple[str, str]] = ()) -> Path | None:
    """Feed reviews and failed files to a writer and close it; returns the written path."""
    for file, review in iter_items(items):
        writer.add(file, review)
    for file, message in errors:
        writer.add_error(file, message)
    return writer.close()


# ---------------------------------------------------------------- table facts


def table_unit(tr: TableReview) -> str:
    """The department or unit that owns a table, as far as extraction found it."""
    return (tr.table.unit_name or "") if tr.table else ""


_AMOUNT_NAMES: tuple[tuple[str, ...], ...] = (
    ("本年度金额",), ("本年度", "金额"), ("本年", "资金"), ("本年", "预算"),
    ("年度资金总额",), ("年度", "资金"), ("年度", "预算"),
    ("项目金额",), ("资金总额",), ("预算金额",), ("预算总额",), ("总金额",), ("金额",),
)


def table_amount(tr: TableReview) -> float | None:
    """This year's amount (本年度金额) in 万元, from the header field that best names it."""
    if tr.table is None:
        return None
    best: tuple[int, float] | None = None  # (rank of its name, amount) of the best field so far
    for name, f in tr.table.header.items():
        if f.amount is not None and "上年" not in name:
            rank = _amount_rank(f.name)
            if rank is not None and (best is None or rank < best[0]):
                best = (rank, f.amount.wan)
    return best[1] if best is not None else None


@lru_cache(maxsize=1024)
def _amount_rank(name: str) -> int | None:
    """The position in _AMOUNT_NAMES of the first entry whose parts all occur in a header
    field's name (None for last year's amount or no entry); tables repeat few names."""
    if "上年" in name:
        return None
    return next((i for i, parts in enumerate(_AMOUNT_NAMES) if all(p in name for p in parts)), None)


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts


def sorted_findings(tr: TableReview) -> list[Finding]:
    return sorted(tr.findings, key=lambda f: -SEVERITY_RANK[f.severity])


def comments_by_finding(tr: TableReview) -> dict[str, list[Comment]]:
    out: dict[str, list[Comment]] = {}
    for c in tr.comments:
        for fid in c.finding_ids:
            out.setdefault(fid, []).append(c)
    return out


def suggested_comments(tr: TableReview) -> list[Comment]:
    """Comments that point at no finding of the table (model suggestions)."""
    ids = {f.id for f in tr.findings}
    return [c for c in tr.comments if c.suggested or ids.isdisjoint(c.finding_ids)]


def where(f: Finding) -> str:
    """The precise position of a finding in its input (line, cell, page), or ""."""
    return f.at.describe() if f.at is not None else ""


def location_text(f: Finding) -> str:
    w = where(f)
    if f.location and w:
        return f"{f.location}（{w}）"
    return f.location or w


def usage_text(review: Review) -> str:
    u = review.usage
    if u is None or not (u.requests or u.cached):
        return ""
    text = (f"模型用量：请求 {u.requests} 次（缓存命中 {u.cached} 次），"
            f"输入 {u.input_tokens} tokens，输出 {u.output_tokens} tokens")
    if u.cost is not None:
        text += f"，估算费用 {u.cost:.4f}"
    if u.fallbacks:
        text += f"，{u.fallbacks} 条改用模板起草"
    return text + "。"


# ---------------------------------------------------------------- files


class AtomicOutput:
    """A temporary file that replaces `target` only on commit.

    `target` is a path (the temporary file sits beside it and is renamed over
    it) or a binary file object such as io.BytesIO (the bytes are copied into it).
    """

    def __init__(self, target: str | os.PathLike | BinaryIO, suffix: str = ""):
        self.stream: BinaryIO | None = None
        if hasattr(target, "write"):
            self.stream, self.path, folder = target, None, None
        else:
            self.path = Path(target)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            folder = self.path.parent
        name = self.path.name if self.path else "report"
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=suffix or ".tmp", dir=folder)
        os.close(fd)
        self.tmp = Path(tmp)

    def commit(self) -> Path | None:
        if self.stream is not None:
            with open(self.tmp, "rb") as f:
                shutil.copyfileobj(f, self.stream)
            self.tmp.unlink()
            return None
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(self.tmp, 0o666 & ~mask)  # mkstemp made it private; give it the usual mode
        os.replace(self.tmp, self.path)
        return self.path

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)


class Spool:
    """Text written now, read back once on close: kept as UTF-8 in an anonymous temporary
    file, so a writer's memory stays flat however many tables pass through it."""

    def __init__(self):
        self.file = tempfile.TemporaryFile("w+b", buffering=1 << 20)

    def write(self, text: str) -> None:
        self.file.write(text.encode("utf-8"))

    def copy_to(self, out: BinaryIO) -> None:
        self.file.flush()
        self.file.seek(0)
        shutil.copyfileobj(self.file, out, 1 << 20)

    def close(self) -> None:
        self.file.close()


def spool() -> Spool:
    return Spool()
