"""Plain text → Grid: tab-separated lines, markdown pipe tables, space-aligned columns.

One GridRow per line. A line with tabs gives one cell per tab-separated field
(empty fields kept, so a row under a merged cell starts with an empty cell); a
line without tabs is a one-cell row; a blank line (or one holding only tabs)
is an empty row.
"""

from __future__ import annotations

import re

from reviewer.extract.fast import construct, paused_gc, text_row
from reviewer.extract.readers.encoding import decode
from reviewer.models import Grid, GridRow

_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_MD_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_SPACE_RUN = re.compile(r"[ \u3000\xa0]{2,}")
# A block of space-aligned lines must hold at least this many consecutive
# lines with two or more gaps before its lines are split into cells.
_MIN_ALIGNED_LINES = 3


def read_text(data: bytes, name: str) -> Grid:
    return parse_text(decode(data, name), name)


def parse_text(text: str, name: str) -> Grid:
    """Split already-decoded text (e.g. pasted into the web page) into a Grid."""
    with paused_gc():
        return _parse_text(text, name)


def _parse_text(text: str, name: str) -> Grid:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline does not start another line
    markdown = _markdown_rows(lines) if "|" in text else {}
    # _SPACE_RUN.search(text), with a quick "no" for text without wide or non-breaking spaces
    spaced = "  " in text or (("\u3000" in text or "\xa0" in text) and _SPACE_RUN.search(text) is not None)
    aligned = _space_aligned_rows(lines, markdown) if spaced else set()
    rows: list[GridRow] = []
    append = rows.append
    strip = str.strip
    # models built without validation (reviewer.extract.fast): the values are the reader's own
    number = 0
    for i, line in enumerate(lines):
        number += 1
        if i in markdown:
            fields = markdown[i]
            if fields is None:
                continue  # the |---|---| line under a markdown header
        elif "\t" in line:
            fields = line.split("\t")
        elif i in aligned:
            fields = _SPACE_RUN.split(line.strip())
        else:
            fields = [line]
        texts = list(map(strip, fields))
        if not any(texts):
            texts = []  # blank, or only tabs: an empty row marks a boundary
        append(text_row(name, number, texts))
    # validation would only check each row is a GridRow and copy the list
    return construct(Grid, {"source": name, "rows": rows, "format": "text"}, {"source", "rows", "format"})


def _markdown_rows(lines: list[str]) -> dict[int, list[str] | None]:
    """Line index → cells for lines of markdown pipe tables (None for separator lines).

    A table is two or more consecutive lines framed by pipes ("| a | b |"), or
    a header line with pipes followed by a |---|---| line (outer pipes optional).
    """
    out: dict[int, list[str] | None] = {}
    i = 0
    while i < len(lines):
        start = i
        if _starts_unframed_table(lines, i):
            i += 2
            while i < len(lines) and "|" in lines[i] and "\t" not in lines[i]:
                i += 1
        else:
            while i < len(lines) and _is_framed_line(lines[i]):
                i += 1
        if i - start >= 2:
            for j in range(start, i):
                s = lines[j].strip()
                out[j] = None if _is_separator(s) else _split_pipes(s)
        i = max(i, start + 1)
    return out


def _is_separator(s: str) -> bool:
    return "|" in s and _MD_SEPARATOR.match(s) is not None


def _is_framed_line(line: str) -> bool:
    s = line.strip()
    return "\t" not in s and s.startswith("|") and s.count("|") >= 2


def _starts_unframed_table(lines: list[str], i: int) -> bool:
    return (
        i + 1 < len(lines)
        and "|" in lines[i]
        and "\t" not in lines[i]
        and _is_separator(lines[i + 1].strip())
    )


def _split_pipes(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [c.strip().replace("\\|", "|") for c in _MD_CELL_SPLIT.split(inner)]


def _gaps(line: str) -> int:
    """Number of runs of 2+ spaces between words (outer whitespace ignored)."""
    if "\t" in line:
        return 0
    return len(_SPACE_RUN.findall(line.strip()))


def _space_aligned_rows(lines: list[str], markdown: dict) -> set[int]:
    """Lines to split on 2+ spaces: contiguous gap-holding lines around a tabular run."""
    out: set[int] = set()
    i = 0
    while i < len(lines):
        if i in markdown or _gaps(lines[i]) == 0:
            i += 1
            continue
        start = i
        while i < len(lines) and i not in markdown and _gaps(lines[i]) > 0:
            i += 1
        block = range(start, i)
        longest = run = 0
        for j in block:
            run = run + 1 if _gaps(lines[j]) >= 2 else 0
            longest = max(longest, run)
        if longest >= _MIN_ALIGNED_LINES:
            out.update(block)
    return out
