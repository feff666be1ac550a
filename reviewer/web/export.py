"""A reviewed and edited Review as a downloadable file, through reviewer.report's writers."""

from __future__ import annotations

import tempfile
from pathlib import Path

from reviewer.models import Review
from reviewer.web.edits import documents_review, workbook_review
from reviewer.web.schemas import CommentEdit

MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def render_export(review: Review, fmt: str, edits: list[CommentEdit]) -> tuple[bytes, str]:
    """The file's bytes and media type for `fmt` (md | xlsx | docx), with the edits applied."""
    if fmt == "md":
        from reviewer.report.markdown import render_markdown

        return render_markdown(documents_review(review, edits)).encode("utf-8"), MEDIA_TYPES["md"]
    # the file writers write to a path (atomically); give them a private folder
    with tempfile.TemporaryDirectory(prefix="reviewer-export-") as folder:
        path = Path(folder) / f"review.{fmt}"
        if fmt == "xlsx":
            from reviewer.report.xlsx import write_xlsx

            edited, decisions = workbook_review(review, edits)
            write_xlsx(edited, path, decisions=decisions)
        elif fmt == "docx":
            from reviewer.report.docx import write_docx

            write_docx(documents_review(review, edits), path)
        else:
            raise ValueError(f"unknown export format {fmt!r}")
        return path.read_bytes(), MEDIA_TYPES[fmt]
