"""Cell text cleanup shared by every reader's output.

- HTML left inside cells by web-based budget systems ("<p>…</p>", "<ol><li>") becomes plain text.
- Pages from mirrors that render traditional characters with pinyin glosses ("產(chǎn)出")
  are turned back into simplified text without the glosses, so names match the taxonomy.
- Full-width spaces and non-breaking spaces become plain spaces; runs are folded.
"""

from __future__ import annotations

import html
import re
from functools import cache

from reviewer.models import Grid

_TAG = re.compile(r"<\s*(/?)\s*(p|div|br|li|ol|ul|span|strong|b|i|em|font|tr|td|th|table|tbody)\b[^>]*>", re.I)
_BLOCK_TAGS = {"p", "div", "br", "li", "ol", "ul", "tr", "table"}
_PINYIN = re.compile(r"(?<=[\u4e00-\u9fff])\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7})\)")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def strip_html(text: str) -> str:
    if "<" not in text and "&" not in text:
        return text

    def repl(m: re.Match) -> str:
        closing, tag = m.group(1), m.group(2).lower()
        if tag in _BLOCK_TAGS and (closing or tag in {"br", "li"}):
            return " "
        return ""

    return html.unescape(_TAG.sub(repl, text))


def clean_cell(text: str) -> str:
    text = strip_html(text)
    text = _SPACES.sub(" ", text.replace("\r", ""))
    return text.strip()


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def looks_traditional(sample: str) -> bool:
    """True when converting to simplified changes a noticeable share of the CJK text."""
    cjk = [c for c in sample if "\u4e00" <= c <= "\u9fff"]
    if len(cjk) < 20:
        return False
    converted = _t2s().convert("".join(cjk))
    changed = sum(a != b for a, b in zip(cjk, converted))
    return changed / len(cjk) > 0.05


def normalize_grid(grid: Grid) -> Grid:
    """Clean every cell in place; convert traditional text with pinyin glosses when present."""
    rows = grid.rows
    sample = "".join(c.text for r in rows[:400] for c in r.cells)[:20000]
    glossed = bool(_PINYIN.search(sample))
    traditional = looks_traditional(sample)
    for row in rows:
        for cell in row.cells:
            t = cell.text
            if glossed:
                t = _PINYIN.sub("", t)
            if traditional:
                t = _t2s().convert(t)
            cell.text = clean_cell(t)
    return grid
