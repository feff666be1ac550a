"""Text pasted with one cell per line: rebuild the rows of the table.

Copying a table out of some PDF viewers and web pages gives every cell on its own line, with no
tabs and no sign of where a row ends:

    项目名称 / 某项目 / 主管部门 / 某局 / … / 一级指标 / 二级指标 / 三级指标 / 指标值 /
    产出指标 / 数量指标 / 保障人数 / ≥1200人 / 质量指标 / 资金发放准确率 / 100% / …

The rows are rebuilt from what the project knows about each line:
- above the tree, a known field label (fields.classify_label) and the value line under it make a
  "label | value" row; other lines stay one-cell rows (titles, year lines, section names);
- the tree's header is the run of column names (一级指标, 二级指标, 三级指标, 指标值, 计量单位 …),
  optionally after a band label ("绩效指标") and before sub-headers of a split 指标值 column; it fixes
  how many columns a row has;
- in the tree, a line that is a 一级 / 二级 name of the taxonomy opens a block (a merged cell is
  printed once for all its rows); the lines between two such names are cut into rows, each a 三级
  name followed by values in column order. Empty cells are gone, so where a row ends and which
  column a value belongs to are chosen together, by dynamic programming over how well each line
  fits each column (a 指标值 parses as a target, 定量 / 正向 fill 指标性质, a bare number fits 分值 …).

The rebuilt rows are positional (one cell per header column) and go down the ordinary
Grid → Document path; the caller keeps whichever reading finds more of the tree.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reviewer.extract.fields import SECTION_WORD, classify_label
from reviewer.extract.indicators import COMPARATOR_ONLY, STOP_LINE, read_columns
from reviewer.extract.normalize import normalize_grid
from reviewer.extract.segment import title_kind
from reviewer.extract.targets import QUALITATIVE_WORDS, parse_target
from reviewer.extract.taxonomy import clean_name, load_taxonomy
from reviewer.models import Cell, Document, Grid, GridRow, Location

# cheap detection on raw (possibly traditional) text: a level header alone on its line
_LEVEL_HEADER = re.compile(r"^[\s*＊★]*([一二三])[级級]指[标標][\s:：]*$")
_PINYIN_GLOSS = re.compile(r"\([a-zü\u00e0-\u01dc]{1,7}\)")  # "一級(jí)指標(biāo)"
_TABLE_OPENERS = ("项目名称", "单位名称")
_HEADER_ROLE = re.compile(
    r"一级指标|二级指标|三级指标|^指标名称$|指标性质|指标值类型|指标类型|指标方向|比较符|运算符|计量单位|度量单位"
    r"|^单位$|分值|权重|取值依据|指标标准|依据|确定方式|目标值|指标值|年度指标|实现值|绩效标准|说明|备注|解释"
    r"|评.*分标准|扣分|^符号$"
)
_SUBHEADER = re.compile(r"(实际|预期|目标|本年|年度|计划|中期).{0,8}值|\d{4}\s*年.{0,6}值")
_TARGET_NAME = re.compile(r"指标值(?!说明|类型)|目标值|年度指标|实现值|绩效标准")
_SECTION = re.compile(r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、\S{2,})")
_NATURE = frozenset("定量 定性 正向 反向 中性 定量指标 定性指标 正向指标 反向指标 共性 个性 核心 非核心".split())
_NUMBER = re.compile(r"^\d+(?:\.\d+)?\s*分?$")
_STRONG_START = re.compile(r"^(?:[≥≤=＝><＞＜≧≦]|大于|小于|不低于|不高于|不少于|不超过|达到|约|\d)")
_QUALITATIVE = re.compile(
    "(?:" + "|".join(sorted(QUALITATIVE_WORDS, key=len, reverse=True)) + r")(?:[、，,/及和与]?(?:"
    + "|".join(sorted(QUALITATIVE_WORDS, key=len, reverse=True)) + "))*"
)

_ROW_COST = 1.0  # every extra row must pay for itself
_NO_TARGET = -2.0  # a row whose 指标值 column stays empty


def one_cell_per_line(grid: Grid) -> bool:
    """Plain text without tabs whose table is written one cell per line.

    True when the level headers (一级指标 / 二级指标 / 三级指标) stand on consecutive lines, or when at
    least three known field labels are each followed by a value line and one of them opens a table
    (项目名称 / 单位名称).
    """
    if grid.format != "text":
        return False
    rows = grid.rows
    for r in rows:  # a tab-separated paste has a row of several cells near its top: quick reject
        if len(r.cells) > 1:
            return False
    texts = [r.cells[0].text.strip() for r in rows if r.cells and r.cells[0].text.strip()]
    previous_level = None
    pairs, opens = 0, False
    for k, t in enumerate(texts):
        m = _LEVEL_HEADER.match(_PINYIN_GLOSS.sub("", t) if "(" in t else t) if len(t) <= 24 else None
        if m:
            if previous_level is not None and previous_level == k - 1:
                return True
            previous_level = k
            continue
        label = classify_label(t) if len(t) <= 24 else None
        if label and k + 1 < len(texts) and not classify_label(texts[k + 1]):
            pairs += 1
            opens = opens or label[1] in _TABLE_OPENERS
    return pairs >= 3 and opens


def rebuild_rows(grid: Grid) -> Grid:
    """The same lines regrouped into table rows (see the module docstring)."""
    lines = [Cell(text=r.cells[0].text, location=r.cells[0].location)
             for r in grid.rows if r.cells and r.cells[0].text.strip()]
    # clean a copy (traditional → simplified, stray marks) so that labels can be recognised
    cleaned = normalize_grid(Grid(source=grid.source, format=grid.format,
                                  rows=[GridRow(cells=[c], location=c.location) for c in lines]))
    cells = [r.cells[0] for r in cleaned.rows if r.cells and r.cells[0].text.strip()]
    rows: list[GridRow] = []
    i = 0
    while i < len(cells):
        header = _tree_header(cells, i)
        if header is not None:
            i = _read_tree(cells, i, header, rows)
            continue
        text = cells[i].text
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        if (nxt is not None and _is_field_label(text) and not _is_field_label(nxt.text)
                and _tree_header(cells, i + 1) is None and not title_kind(nxt.text.strip("*＊ "))
                and not STOP_LINE.match(nxt.text) and not SECTION_WORD.search(nxt.text)):
            rows.append(_row([cells[i], nxt]))
            i += 2
            continue
        rows.append(_row([cells[i]]))
        i += 1
    return Grid(source=grid.source, rows=rows, format=grid.format)


def _row(cells: list[Cell]) -> GridRow:
    first = next((c for c in cells if c.text), cells[0])
    return GridRow(cells=cells, location=Location(source=first.location.source, line=first.location.line))


@lru_cache(maxsize=4096)
def _is_field_label(text: str) -> bool:
    return len(text) <= 24 and classify_label(text) is not None


@lru_cache(maxsize=4096)
def _header_name(text: str) -> bool:
    t = clean_name(text)
    return 0 < len(t) <= 16 and bool(_HEADER_ROLE.search(t))


# ------------------------------------------------------------------ the tree header


class _Header:
    def __init__(self, band: Cell | None, names: list[Cell], sub: list[Cell], end: int) -> None:
        self.band, self.names, self.sub, self.end = band, names, sub, end


def _tree_header(cells: list[Cell], i: int) -> _Header | None:
    """The header starting at line i (its band label, column names, sub-headers), else None."""
    t = clean_name(cells[i].text)
    band = None
    start = i
    if not _header_name(cells[i].text):
        # a band label over the tree ("绩效指标", "绩效指标(权重分值90分…)") right before the names
        if not ("指标" in t and len(t) <= 80 and i + 1 < len(cells) and _header_name(cells[i + 1].text)):
            return None
        band, start = cells[i], i + 1
    names: list[Cell] = []
    k = start
    while k < len(cells) and _header_name(cells[k].text):
        if names and _SUBHEADER.search(cells[k].text) and any(_TARGET_NAME.search(clean_name(c.text)) for c in names):
            break  # "预期2022年实现值" under a 指标值 already named: a sub-header
        names.append(cells[k])
        k += 1
    joined = [clean_name(c.text) for c in names]
    if not (any("三级指标" in n or n == "指标名称" for n in joined)
            and any("一级指标" in n or "二级指标" in n for n in joined)):
        return None
    sub: list[Cell] = []
    while k < len(cells) and _SUBHEADER.search(cells[k].text) and len(cells[k].text) <= 16:
        sub.append(cells[k])
        k += 1
    return _Header(band, names, sub, k)


# ------------------------------------------------------------------ the tree body


def _read_tree(cells: list[Cell], i: int, h: _Header, out: list[GridRow]) -> int:
    """Append the header row(s) and the body rows of the tree starting at line i; the next line."""
    lead = 1 if h.band is not None else 0
    names = [c.text for c in h.names]
    target_at = next((k for k, n in enumerate(names) if _TARGET_NAME.search(clean_name(n))), None)
    # a split 指标值 column: one header cell over the sub-headers
    header_cells = ([h.band] if h.band is not None else []) + list(h.names)
    sub_row = None
    if h.sub and target_at is not None:
        at = lead + target_at
        header_cells = header_cells[: at + 1] + [Cell(text="", location=h.names[target_at].location)
                                                for _ in h.sub[1:]] + header_cells[at + 1:]
        sub_row = [Cell(text="")] * at + list(h.sub) + [Cell(text="")] * (len(header_cells) - at - len(h.sub))
    header = _row(header_cells)
    out.append(header)
    if sub_row is not None:
        out.append(_row(sub_row))
    cols, _ = read_columns(header, _row(sub_row) if sub_row else None)
    width = len(header_cells)
    l1_at, l2_at, l3_at = (cols.roles.get(r) for r in ("level1", "level2", "level3"))
    if l3_at is None:
        return h.end
    by_index = {i: role for role, i in cols.roles.items()}
    value_cols = [(k, by_index.get(k, "extra" if k in cols.extra else "blank")) for k in range(l3_at + 1, width)]

    tax = load_taxonomy()
    k = h.end
    body_end = k
    while body_end < len(cells) and not _ends_tree(cells, body_end):
        body_end += 1
    body = cells[k:body_end]
    framework = tax.detect_framework([c.text for c in body if _level_name(c.text)],
                                     [c.text for c in body if _level_name(c.text)])
    pending: dict[int, Cell] = {}
    run: list[Cell] = []

    def flush() -> None:
        nonlocal pending, run
        rows = _cut_rows(run, value_cols) if run else []
        if not rows and pending:
            rows = [[]]
        for n, row in enumerate(rows):
            line = [Cell(text="") for _ in range(width)]
            if n == 0:
                for col, cell in pending.items():
                    line[col] = cell
            if row:
                line[l3_at] = row[0]
                for col, cell in row[1:]:
                    line[col] = cell
            out.append(_row(line))
        pending, run = {}, []

    for j, cell in enumerate(body):
        level = _level_of(body, j, framework, tax, has_l1=not run and l1_at is not None and l1_at in pending)
        if level is None:
            run.append(cell)
            continue
        col = l1_at if level == 1 and l1_at is not None else l2_at if l2_at is not None else l1_at
        if col is None:
            run.append(cell)
            continue
        if run or col in pending or (level == 1 and l2_at in pending):
            flush()
        pending[col] = cell
    flush()
    return body_end


def _ends_tree(cells: list[Cell], k: int) -> bool:
    text = cells[k].text.strip()
    if STOP_LINE.match(text) or _SECTION.match(text):
        return True
    if title_kind(text.strip("*＊ ")):
        return True
    label = classify_label(text) if len(text) <= 24 else None
    if label and label[1] in _TABLE_OPENERS:
        return True
    return _tree_header(cells, k) is not None


@lru_cache(maxsize=4096)
def _level_name(text: str) -> bool:
    tax = load_taxonomy()
    return len(text) <= 16 and tax.canonical(text) in tax.known_names()


def _is_label(body: list[Cell], j: int) -> bool:
    """A 一级 / 二级 name printed as a label: not a 三级 that happens to share the name, which a
    value line ("社会成本指标" / "定量", "成本" / "≤3000元/公里") follows."""
    if not _level_name(body[j].text):
        return False
    nxt = body[j + 1].text if j + 1 < len(body) else None
    return nxt is None or _level_name(nxt) or _fit_name(nxt) > 0


def _level_of(body: list[Cell], j: int, framework: str, tax, has_l1: bool) -> int | None:
    """1 or 2 for a 一级 / 二级 label (the table's framework first, then the others), else None."""
    if not _is_label(body, j):
        return None
    text = body[j].text
    one = tax.is_level1(text, framework) or any(tax.is_level1(text, f) for f in tax.frameworks)
    two = tax.is_level2(text, framework) or any(tax.is_level2(text, f) for f in tax.frameworks)
    if one and two:
        if has_l1:
            return 2
        # a 一级 heads its 二级 labels; a name over 三级 rows is a 二级 (成本: 一级 in one framework only)
        followed = j + 1 < len(body) and _is_label(body, j + 1)
        if tax.is_level1(text, framework) and not tax.is_level2(text, framework) and followed:
            return 1
        return 1 if followed else 2
    return 1 if one else 2


# ------------------------------------------------------------------ cutting a run into rows


def _cut_rows(run: list[Cell], value_cols: list[tuple[int, str]]) -> list[list]:
    """Rows [三级 cell, (column, cell), …] covering the run, the best-scoring cut."""
    n, m = len(run), len(value_cols)
    best: list[float] = [float("-inf")] * (n + 1)
    choice: list[tuple[int, list] | None] = [None] * (n + 1)
    best[n] = 0.0
    for start in range(n - 1, -1, -1):
        name_score = _fit_name(run[start].text)
        for end in range(start + 1, min(n, start + 1 + m) + 1):
            score, placed = _align([c for c in run[start + 1: end]], value_cols)
            total = name_score + score - _ROW_COST + best[end]
            if total > best[start]:
                best[start] = total
                choice[start] = (end, [run[start], *placed])
    rows, k = [], 0
    while k < n:
        end, row = choice[k]
        rows.append(row)
        k = end
    return rows


def _align(values: list[Cell], value_cols: list[tuple[int, str]]) -> tuple[float, list[tuple[int, Cell]]]:
    """Place the values in the columns in order (columns may stay empty): best score, placement."""
    n, m = len(values), len(value_cols)
    if n > m:
        return float("-inf"), []
    # dp[a][b]: best score placing values[a:] into columns[b:]
    dp = [[float("-inf")] * (m + 1) for _ in range(n + 1)]
    for b in range(m + 1):
        dp[n][b] = 0.0
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            if m - b < n - a:
                continue
            take = _fit(values[a].text, value_cols[b][1]) + dp[a + 1][b + 1]
            dp[a][b] = max(take, dp[a][b + 1])
    placed, a, b = [], 0, 0
    while a < n:
        if _fit(values[a].text, value_cols[b][1]) + dp[a + 1][b + 1] < dp[a][b]:
            b += 1  # the best placement leaves this column empty (ties go to the earlier column)
            continue
        placed.append((value_cols[b][0], values[a]))
        a, b = a + 1, b + 1
    score = dp[0][0]
    roles = dict(value_cols)
    if not any(roles[col] == "target" for col, _ in placed):
        score += _NO_TARGET
    return score, placed


@lru_cache(maxsize=1 << 14)
def _target_strength(text: str) -> int:
    """2: reads as a 指标值 (a number, a date, a known qualitative word); 1: could be one; 0: prose."""
    t = text.strip()
    if _STRONG_START.match(t) or _QUALITATIVE.fullmatch(t):
        return 2
    kind = parse_target(t).kind
    if kind in ("numeric", "date", "period"):
        return 2
    return 1 if len(t) <= 12 else 0


@lru_cache(maxsize=1 << 14)
def _is_unit(text: str) -> bool:
    t = text.strip()
    if not t or len(t) > 8 or re.search(r"\d", t):
        return False
    parsed = parse_target("1" + t)
    return parsed.kind == "numeric" and parsed.unit is not None


@lru_cache(maxsize=1 << 14)
def _fit(text: str, role: str) -> float:
    """How well a line fits a column of the given role."""
    t = text.strip()
    strength = _target_strength(t)
    if role == "target":
        return (-1.0, 1.0, 4.0)[strength]
    if role == "nature":
        return 5.0 if t in _NATURE else -6.0
    if role == "direction":
        return 5.0 if COMPARATOR_ONLY.match(t) or t in _NATURE else -6.0
    if role == "unit_column":
        return 3.0 if _is_unit(t) else 0.0 if _NUMBER.match(t) or strength == 2 and len(t) <= 10 else -4.0
    if role == "weight":
        return 3.0 if _NUMBER.match(t) and float(re.sub(r"\s*分$", "", t)) <= 100 else -4.0
    if role == "blank":  # an unnamed sub-column of 指标值 (e.g. last year's actual value)
        return 1.0 if strength == 2 else -3.0
    # basis, note, extra columns: free text
    if t in _NATURE or COMPARATOR_ONLY.match(t):
        return -3.0
    return 2.0 if len(t) > 8 and strength < 2 else -2.0 if strength == 2 else 0.0


@lru_cache(maxsize=1 << 14)
def _fit_name(text: str) -> float:
    """How well a line reads as a 三级 indicator name."""
    t = text.strip()
    if t in _NATURE or COMPARATOR_ONLY.match(t) or _NUMBER.match(t) or _is_unit(t):
        return -5.0
    if _target_strength(t) == 2:
        return -4.0
    bonus = 1.0 if load_taxonomy().level2_of(t) else 0.0
    return (2.0 if len(t) <= 40 else -1.0) + bonus


def tree_score(doc: Document) -> tuple[int, int]:
    """(well-formed indicators, header fields) of a reading: an indicator counts when its 三级 reads
    as a name and its 指标值 as a target, so a reading that took every line for a row scores low."""
    rows = sum(1 for t in doc.tables for i in t.indicators
               if i.level3 and _fit_name(i.level3) > 0 and _target_strength(i.target.raw) == 2)
    return rows, sum(len(t.header) + len(t.narrative) for t in doc.tables)
