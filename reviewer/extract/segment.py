"""A document's rows → its tables, each with its kind.

Starts of tables are found from titles (…项目绩效目标表, …整体绩效目标表, 2021年…情况表) and from
first fields (项目名称, 部门(单位)名称 written in a cell of its own; "单位名称：某局" under a title, or
项目单位 / 填报单位, name the owner, not a new table). A table printed over several pages repeats
its title (and header): when the rows after a repeated title carry on the tree, or the budget
table, the pages are merged back into one table. Text before the first table of a budget
document is its narrative (预算说明), kept as a `budget` table of sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from reviewer.extract.fast import cell_texts
from reviewer.extract.fields import cell_label, classify_label, clean_label
from reviewer.extract.indicators import is_header_texts, is_indicator_header
from reviewer.extract.taxonomy import load_taxonomy
from reviewer.models import GridRow

PROJECT_TITLE = re.compile(r"(项目|专项|资金).*绩效(目标|指标).*表|绩效目标(申报|批复|设定|审核)表|绩效目标表$")
DEPARTMENT_TITLE = re.compile(r"整体(支出)?绩效(目标|指标).*表|部门(\(|（)?单位(\)|）)?整体")
BUDGET_TITLE = re.compile(
    r"^(\d{4}\s*年\s*(度)?)?[^，。；]{0,40}(情况表|汇总表|预算表|总表|支出表|收入表|收支表|"
    r"明细表|分类表)$"
)
YEAR_LINE = re.compile(r"^[(（]?\s*(\d{4})\s*年度?\s*[)）]?$")
_YEAR = re.compile(r"(20\d{2}|19\d{2})\s*年")


@dataclass
class Segment:
    kind: str  # project | department | budget | narrative
    start: int  # first row index (title included)
    end: int  # exclusive
    title: str = ""


def row_text(row: GridRow) -> str:
    return " ".join(c.text for c in row.cells if c.text)


def _single(row: GridRow) -> str | None:
    texts = [c.text for c in row.cells if c.text]
    return texts[0].strip("*＊ ") if len(texts) == 1 else None


# printed labels that open a department-wide table (项目单位, 填报单位 … name a unit, not a table)
_DEPARTMENT_LABELS = {"单位名称", "部门名称", "部门(单位)名称", "单位(部门)名称"}


def _first_label(row: GridRow) -> str | None:
    return _label_of(next((c.text for c in row.cells if c.text), None))


def _label_of(first: str | None) -> str | None:
    """_first_label, given the row's first non-empty text."""
    label = cell_label(first) if first else None
    if label and label[1] == "单位名称":
        inline = classify_label(first) is None  # "单位名称：某局" in one cell: a line under the title
        printed = clean_label(re.split(r"[:：]", first.strip())[0])
        return "单位名称" if printed in _DEPARTMENT_LABELS and not inline else "单位"
    return label[1] if label else None


def find_segments(rows: list[GridRow], row_texts: list[list[str]] | None = None) -> list[Segment]:
    """The tables of a document's rows; `row_texts`: each row's cell texts (normalize.clean_rows)."""
    if row_texts is None:
        row_texts = cell_texts(rows)
    starts: list[Segment] = []
    i, n = 0, len(rows)
    while i < n:
        texts = [t for t in row_texts[i] if t]
        single = texts[0].strip("*＊ ") if len(texts) == 1 else None  # _single(rows[i])
        if single and len(single) <= 80:
            kind = title_kind(single)
            if kind:
                last = starts[-1] if starts else None
                if (kind in ("project", "department") and last and last.kind in ("project", "department")
                        and all(_single(rows[k]) is not None or not row_text(rows[k]) for k in range(last.start, i))):
                    last.title = f"{last.title} {single}".strip()  # a second title line
                    if kind == "department":
                        last.kind = kind
                    i += 1
                    continue
                # a table continued on the next page repeats its title: merge
                if kind == "budget" and starts and starts[-1].kind == "budget" and starts[-1].title == single:
                    i += 1
                    continue
                if last and last.kind == kind and last.title.startswith(single) and _continues_tree(rows, i + 1, last):
                    i += 1
                    continue
                starts.append(Segment(kind, i, n, single))
                i += 1
                continue
        label = cell_label(texts[0]) if texts else None  # _first_label(rows[i])
        if label is not None:
            label = _label_of(texts[0]) if label[1] == "单位名称" else label[1]
        if label in ("项目名称", "单位名称"):
            kind = "project" if label == "项目名称" else "department"
            recent = starts[-1] if starts else None
            owned = recent and recent.kind in ("project", "department") and i - recent.start <= 4 and not _has_label_since(
                rows, recent.start, i
            )
            in_header = (recent and recent.kind == "project" and label == "单位名称"
                         and not any(is_header_texts(row_texts[k]) for k in range(recent.start, i)))
            if in_header:
                pass  # the unit of the project above, a field of its header
            elif owned:
                if recent.kind != kind and label == "单位名称":
                    recent.kind = kind
            else:
                starts.append(Segment(kind, i, n, ""))
        i += 1
    for a, b in zip(starts, starts[1:]):
        a.end = b.start
    segments = []
    first = starts[0].start if starts else n
    if first > 0:
        segments.append(Segment("narrative", 0, first, ""))
    segments.extend(starts)
    return segments


def _has_label_since(rows: list[GridRow], start: int, end: int) -> bool:
    return any(_first_label(rows[k]) in ("项目名称", "单位名称") for k in range(start, end))


def _continues_tree(rows: list[GridRow], i: int, last: Segment) -> bool:
    """True when the rows after a repeated title carry on the indicator tree of `last`."""
    # the few rows after the title first: they rule out most titles (each table of a file repeating
    # its department's title) without a look at every row of the table above
    for k in range(i, min(i + 6, len(rows))):
        texts = [c.text for c in rows[k].cells if c.text]
        if len(texts) <= 1:
            continue  # blank lines, a year line, a page header
        if not (is_indicator_header(rows[k]) or _tree_row(rows[k])):
            return False
        return any(is_indicator_header(rows[k]) for k in range(last.start, i))
    return False


def _tree_row(row: GridRow) -> bool:
    """A row of an indicator tree: it leaves its first cells empty (merged labels above) or opens
    with a 一级 / 二级 name."""
    if row.cells and not row.cells[0].text:
        return True
    tax = load_taxonomy()
    known = tax.known_names()
    return any(tax.canonical(c.text) in known for c in row.cells[:2] if c.text)


_NOT_TITLE = re.compile(r"^([-•·]|[一二三四五六七八九十]+、|\d+[、.]|附件|附表|目录)")


@lru_cache(maxsize=4096)  # titles recur in every file of a batch
def title_kind(text: str) -> str | None:
    """The kind of table a title line names ("project", "department" or "budget"), or None."""
    t = text.replace(" ", "")
    if _NOT_TITLE.match(t):
        return None
    if DEPARTMENT_TITLE.search(t):
        return "department"
    if PROJECT_TITLE.search(t):
        return "project"
    if BUDGET_TITLE.search(t) and "绩效" not in t:
        return "budget"
    return None


def years_in(text: str) -> list[int]:
    return [int(y) for y in _YEAR.findall(text)]
