"""Cell text cleanup shared by every reader's output.

- HTML left inside cells by web-based budget systems ("<p>…</p>", "<ol><li>") becomes plain text.
- Pages from mirrors that render traditional characters with pinyin glosses ("產(chǎn)出")
  are turned back into simplified text without the glosses, so names match the taxonomy.
- Full-width spaces and non-breaking spaces become plain spaces; runs are folded.
- In text and PDF inputs, page furniture between the parts of a table printed over several
  pages ("— 12 —", "第 3 页 共 8 页") becomes an empty row: a break, not content.
- Markdown emphasis and heading marks ("**项目名称**：", "# 标题") are dropped.
"""

from __future__ import annotations

import html
import re
from functools import cache, lru_cache

from reviewer.models import Grid

_TAG = re.compile(r"<\s*(/?)\s*(p|div|br|li|ol|ul|span|strong|b|i|em|font|tr|td|th|table|tbody)\b[^>]*>", re.I)
_BLOCK_TAGS = {"p", "div", "br", "li", "ol", "ul", "tr", "table"}
# "(" first, the character before it checked by a lookbehind over both: the same matches as
# (?<=[\u4e00-\u9fff])\(…\), but the search can skip to each "(" instead of trying every position.
_PINYIN = re.compile(r"\((?<=[\u4e00-\u9fff]\()(?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]{1,7})\)")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_PAGE_MARK = re.compile(
    r"^(?:[-—–－―]\s*\d{1,4}\s*[-—–－―]"  # - 12 -, — 3 —
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"  # 第 3 页 / 第3页 共8页
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|(?:page\s*)?\d{1,4}\s*/\s*\d{1,4})$",
    re.I,
)
# a label in bold; not "(≥**株)>=17600株", where ** is a template placeholder
_MD_EMPHASIS = re.compile(r"(\*\*|__)([^*_\d≥≤<>=%]{1,30}?)\1")
_MD_HEADING = re.compile(r"^#{1,6}\s+")


def strip_html(text: str) -> str:
    if "<" not in text and "&" not in text:
        return text

    def repl(m: re.Match) -> str:
        closing, tag = m.group(1), m.group(2).lower()
        if tag in _BLOCK_TAGS and (closing or tag in {"br", "li"}):
            return " "
        return ""

    return html.unescape(_TAG.sub(repl, text))


# A row of cells (joined with NUL) that clean_cell would leave as it is does not match these:
# markup, CR, tabs and wide spaces, double spaces, whitespace at either end of a cell.
_DIRTY = re.compile(r"[<&\r\t\u00a0\u3000]|  |^\s|\s$|\s\x00|\x00\s")
_DIRTY_PAGED = re.compile(_DIRTY.pattern + r"|\*\*|__|#")  # and markdown marks in text or PDF input


def needs_cleaning(joined: str, paged: bool) -> bool:
    """Whether (_DIRTY_PAGED if paged else _DIRTY) matches a row's cells joined with NUL.

    Cheap tests answer first: most rows hold no markup and no whitespace but single spaces
    inside their cells, and every other whitespace character is unprintable.
    """
    if joined[:1].isspace() or joined[-1:].isspace() or "<" in joined or "&" in joined or "  " in joined \
            or " \x00" in joined or "\x00 " in joined:
        return True
    if paged and ("**" in joined or "__" in joined or "#" in joined):
        return True
    if joined.replace("\x00", "").isprintable():
        return False
    return (_DIRTY_PAGED if paged else _DIRTY).search(joined) is not None


@lru_cache(maxsize=1 << 16)
def clean_cell(text: str) -> str:
    text = strip_html(text)
    text = _SPACES.sub(" ", text.replace("\r", ""))
    return text.strip()


@cache
def converter():
    """The traditional → simplified converter (loaded once: its dictionaries take ~10 ms)."""
    import opencc

    return opencc.OpenCC("t2s")


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def looks_traditional(sample: str) -> bool:
    """True when converting to simplified changes a noticeable share of the CJK text."""
    cjk = "".join(_CJK_RUN.findall(sample))
    if len(cjk) < 20:
        return False
    converted = converter().convert(cjk)
    if converted == cjk:  # simplified text, the usual case: nothing to count
        return False
    changed = sum(a != b for a, b in zip(cjk, converted))
    return changed / len(cjk) > 0.05


def normalize_grid(grid: Grid) -> Grid:
    """Clean every cell in place; convert traditional text with pinyin glosses when present."""
    clean_rows(grid)
    return grid


def clean_rows(grid: Grid) -> list[list[str]]:
    """normalize_grid, returning each row's cell texts once cleaned (parallel to grid.rows).

    The later stages read every row's texts several times; they take these lists instead of
    gathering them from the cells again. Nothing changes a cell's text or a row's cells after
    this cleaning, so the lists stay true; they are shared, never to be changed.
    """
    rows = grid.rows
    sample = "".join([c.text for r in rows[:400] for c in r.cells])[:20000]
    glossed = bool(_PINYIN.search(sample))
    traditional = looks_traditional(sample)
    paged = grid.format in ("text", "pdf")
    convert = converter().convert if traditional else None
    plain = not (glossed or traditional)
    page_mark = _PAGE_MARK.match
    no_cells: list[str] = []
    all_texts: list[list[str]] = []
    add = all_texts.append
    for row in rows:
        cells = row.cells
        if not cells:
            add(no_cells)
            continue
        if plain:
            texts = [c.text for c in cells]
            if not needs_cleaning("\x00".join(texts), paged):
                # nothing here that clean_cell or the markdown rules would change: skip the cells;
                # is_page_mark(row), from the texts: one non-empty cell of 1-20 characters
                if paged and len(texts) - texts.count("") == 1:
                    text = "".join(texts)
                    if len(text) <= 20 and page_mark(text) is not None:
                        row.cells = []
                        texts = no_cells
                add(texts)
                continue
        texts = []
        for cell in cells:
            t = original = cell.text
            if t:
                if glossed:
                    t = _PINYIN.sub("", t)
                if convert is not None:
                    t = convert(t)
                if paged and ("**" in t or "__" in t or t[0] == "#"):
                    t = _MD_HEADING.sub("", _MD_EMPHASIS.sub(r"\2", t))
                t = clean_cell(t)
                if t != original:  # assigning a pydantic field costs more than comparing
                    cell.text = t
            texts.append(t)
        if paged and is_page_mark(row):
            row.cells = []
            texts = no_cells
        add(texts)
    return all_texts


def is_page_mark(row) -> bool:
    """A page number or "第 3 页 共 8 页" line printed between the parts of a table."""
    text = ""
    for c in row.cells:
        if c.text:
            if text:
                return False  # two cells: content
            text = c.text
    return 0 < len(text) <= 20 and _PAGE_MARK.match(text) is not None
