"""Header and narrative fields: which printed labels mean what, and reading label–value rows.

Templates name the same field many ways (项目设立的必要性 / 项目设立必要性, 年度目标 / 年度绩效目标 /
年度绩效目标(文字), 项目单位 / 单位名称). Fields are stored under one canonical key so that rules see
stable names; TextField.name keeps the label as printed.

Layouts read:
- "label | value | label | value" rows, labels spaced or starred ("项 目 名 称：", "*项目概况");
- "label：value" inside one cell, several per cell ("主管部门：某局　实施单位：某中心");
- group labels on the left ("项目资金（万元） | 年度资金总额 | 560", "预算情况 | 1、资金来源：(1)财政性资金 | 503.7");
- labels over their values (the 总体目标 | 年度目标 header row of a small sub-table);
- a label over a small list (年度主要任务 | 任务名称 | 主要内容 | 预算金额, then one row per task),
  joined into one field.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reviewer.extract.fast import ascii_brackets, cell_texts, construct
from reviewer.extract.numbers import parse_amount
from reviewer.models import Cell, GridRow, Location, TextField

# canonical key → printed variants (after clean_label)
HEADER_FIELDS: dict[str, tuple[str, ...]] = {
    "项目名称": ("项目名称",),
    "项目编码": ("项目编码", "项目代码"),
    "单位编码": ("单位编码", "单位代码"),
    "单位名称": ("单位名称", "部门(单位)名称", "部门名称", "单位(部门)名称", "预算单位", "申报单位", "项目单位",
             "填报单位", "预算部门", "项目申报单位"),
    "资金用途": ("资金用途",),
    "项目负责人": ("项目负责人", "项目负责人及电话", "负责人"),
    "联系人": ("联系人",),
    "联系电话": ("联系电话",),
    "开始时间": ("开始时间", "项目开始时间"),
    "结束时间": ("结束时间", "项目结束时间"),
    "项目总金额": ("项目总金额", "项目金额", "中期预算资金总额", "项目资金总额", "总金额", "项目总预算", "总预算",
              "中期资金总额", "项目总投资"),
    "项目本年度金额": ("项目本年度金额", "本年度金额", "年度资金总额", "年度预算资金总额", "资金总额",
                  "年初安排金额", "部门预算总额", "本年预算数", "当年预算", "当年预算数", "本年预算",
                  "年度预算", "年度预算数", "本年度预算", "年度资金"),
    "上年度项目总金额": ("上年度项目总金额",),
    "项目上年度金额": ("项目上年度金额", "上年度金额"),
    "财政拨款": ("财政拨款", "财政拨款数", "当年市级财政资金", "财政性资金", "财政资金"),
    "其他资金": ("其他资金",),
    "主管部门": ("主管部门", "项目主管部门", "主管部门及代码", "主管单位"),
    "实施单位": ("实施单位", "项目实施单位", "执行单位", "项目执行单位"),
    "项目属性": ("项目属性", "项目类型"),
    "项目类别": ("项目类别",),
    "归口科室": ("归口科室",),
    "项目期限": ("项目期限", "项目期", "实施期限", "项目起止时间", "起止时间", "实施周期", "项目周期"),
    "基本支出": ("基本支出",),
    "项目支出": ("项目支出",),
}
NARRATIVE_FIELDS: dict[str, tuple[str, ...]] = {
    "项目概况": ("项目概况", "项目简介", "项目基本情况", "项目主要内容", "项目内容"),
    "立项依据": ("立项依据", "项目立项依据", "政策依据"),
    "项目设立的必要性": ("项目设立的必要性", "项目设立必要性", "必要性"),
    "项目配套制度措施": ("项目配套制度措施", "保证项目实施的制度、措施", "保障措施"),
    "项目实施计划": ("项目实施计划", "实施计划", "实施进度计划"),
    "项目总目标": ("项目总目标", "总体目标", "中期目标", "总目标", "项目总体目标", "长期目标", "中期绩效目标",
              "长期绩效目标", "总体绩效目标"),
    "年度绩效目标": ("年度绩效目标", "年度目标", "年度绩效目标(文字)", "年度总体绩效目标",
                 "年度履职目标", "年度总体目标", "本年度目标", "当年绩效目标"),
    "部门职责": ("部门(单位)职责", "部门职责", "单位职责", "主要职能", "部门职能", "部门职能职责",
             "部门职能职责概述", "职能职责", "主要职责", "部门(单位)职能"),
    "年度主要任务": ("年度主要任务", "年度重点工作任务", "年度工作任务", "年度重点任务"),
    "备注": ("备注",),
}
_LABELS: dict[str, tuple[str, str]] = {}
for _key, _names in HEADER_FIELDS.items():
    for _n in _names:
        _LABELS[_n] = ("header", _key)
for _key, _names in NARRATIVE_FIELDS.items():
    for _n in _names:
        _LABELS[_n] = ("narrative", _key)

# A label's last character survives clean_label (which only deletes characters and turns full-width
# brackets into ASCII ones): a text holding none of those characters is no label. Most values
# (names, codes, dates, figures) are ruled out by this one search.
_LAST_CHARS = {n[-1] for n in _LABELS}
_LAST_CHARS |= {full for full, ascii_ in (("（", "("), ("）", ")")) if ascii_ in _LAST_CHARS}
_MAY_BE_LABEL = re.compile("[" + "".join(re.escape(c) for c in sorted(_LAST_CHARS)) + "]")
_ENUMERATOR = re.compile(r"^(\d{1,2}[、.．]|[(（]\d{1,2}[)）]|[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十]{1,3}[)）])\s*")
_MONEY_LABEL = re.compile(r"金额|资金|预算|拨款|支出|基金|收入|经费|投资|补助|配套|自筹")
_UNIT_IN_LABEL = re.compile(r"[(（]\s*(万元|元)\s*[)）]")
_TABLE_UNIT = re.compile(r"(?:金额)?单位\s*[:：]\s*(万元|元)")
_DATE = r"\d{4}\s*(?:[-./年]\s*\d{1,2}\s*(?:[-./月]\s*\d{1,2}\s*日?)?\s*月?)?"
_DATE_RANGE = re.compile(rf"^({_DATE})\s*(?:至|到|—|－|-|~|～|–)+\s*({_DATE})$")
# "项目名称：XXX" written in one cell: a known label, a colon, the value
_INLINE_LABEL = re.compile(
    r"(?:^|(?<=[\s；;]))(?P<label>" + "|".join(sorted((re.escape(n) for n in _LABELS), key=len, reverse=True))
    + r")(?:\s*[(（](?:万元|元)[)）])?\s*[:：]\s*"
)
# a page header or footer printed into the text of a table ("咸安区2023年部门预算公开")
PAGE_HEADER = re.compile(r"\d{4}\s*年度?.{0,12}(预算|决算)(公开|说明|报告)?$|(绩效目标|情况|汇总|预算)表$")
# a section label on a row of its own ("绩效指标", "基本信息"), not a field
SECTION_WORD = re.compile(r"^(.{0,8}(指标|目标|信息|情况))$")
_SUBTABLE_HEAD = re.compile(r"名称|内容|金额|任务|事项|措施|数额|时间|序号")
_QIZHONG = re.compile(r"^其中[:：]?\s*")
_LABEL_NOISE = re.compile(r"[\s*＊★]")
_END_COLON = re.compile(r"[:：]$")
_COLON = re.compile(r"[:：]")
_MONEY_SUFFIX = re.compile(r"\((万元|元)\)$")
_END_NOTE = re.compile(r"\(.*?\)$")
_CLAUSE_PUNCT = re.compile(r"[，。；,;]")
_DIGIT = re.compile(r"\d")
_FIGURE = re.compile(r"[\d,.]+\s*(万元|元|%)?")


@lru_cache(maxsize=1 << 16)  # the same labels recur in every table
def clean_label(text: str) -> str:
    t = ascii_brackets(text)
    t = _QIZHONG.sub("", t.strip())
    t = _LABEL_NOISE.sub("", t)
    t = _END_COLON.sub("", t)
    return _MONEY_SUFFIX.sub("", t)


@lru_cache(maxsize=1 << 16)  # the same labels recur in every table
def classify_label(text: str) -> tuple[str, str] | None:
    """("header"|"narrative", canonical key) for a known label, else None.

    Enumerated and grouped labels are read by their last part: "1、资金来源：(1)财政性资金" is 财政性资金.
    """
    if not _MAY_BE_LABEL.search(text):
        return None
    t = clean_label(text)
    if not t or len(t) > 24:
        return None
    found = _lookup(t)
    if found is None and (_ENUMERATOR.match(t) or ":" in t or "：" in t):
        last = _COLON.split(t)[-1]
        while _ENUMERATOR.match(last):
            last = _ENUMERATOR.sub("", last, count=1)
        last = re.sub(r"^其中", "", last)
        if last and last != t:
            found = _lookup(last)
    return found


@lru_cache(maxsize=1 << 16)  # the same labels recur in every table
def cell_label(text: str) -> tuple[str, str] | None:
    """classify_label of a label cell, or of the label opening a "label：value" cell."""
    found = classify_label(text)
    if found is None and ("：" in text or ":" in text):
        m = _INLINE_LABEL.match(text.strip())
        if m:
            found = _LABELS[m.group("label")]
    return found


def _lookup(t: str) -> tuple[str, str] | None:
    if t in _LABELS:
        return _LABELS[t]
    t2 = _END_NOTE.sub("", t)
    return _LABELS.get(t2)


def read_fields(
    rows: list[GridRow], layout: str = "text", row_texts: list[list[str]] | None = None
) -> list[tuple[str, str, TextField]]:
    """(section, key, field) for every label–value pair in the rows above the indicator tree.

    In text (`layout` "text"), a line that only continues the long value above it — a cell that
    wrapped when the table was copied out of a PDF — is joined back to that value. `row_texts`:
    each row's cell texts, when the caller has them.
    """
    if row_texts is None:
        row_texts = cell_texts(rows)
    reader = _FieldReader(_table_unit(row_texts))
    previous: GridRow | None = None
    text_layout = layout == "text"
    for row, texts in zip(rows, row_texts, strict=True):
        filled = len(texts) - texts.count("")
        if not filled:
            continue
        # only a row with one filled cell can continue the value above
        if text_layout and filled == 1 and previous is not None and reader.continues(previous, row):
            continue
        reader.row(row, texts)
        previous = row
    reader.flush_list()
    return reader.out


def _table_unit(row_texts: list[list[str]]) -> str:
    for texts in row_texts[:6]:
        for text in texts:
            m = _TABLE_UNIT.search(text)
            if m:
                return m.group(1)
    return "万元"


class _FieldReader:
    def __init__(self, unit: str) -> None:
        self.out: list[tuple[str, str, TextField]] = []
        self.unit = unit
        self.group_unit: str | None = None  # "(元)" on a group label at the left
        self.pending: dict[int, tuple[str, str, Cell]] = {}  # column → label waiting for a value below
        self.list_label: tuple[tuple[str, str], Cell] | None = None  # a label over a small list
        self.list_columns: list[int] = []
        self.list_heads: list[str] = []
        self.list_items: list[str] = []
        self.list_location: Location | None = None
        self.above: tuple[tuple[str, str], Cell] | None = None  # a label alone on its row, value below
        self.last_value: Cell | None = None  # the cell the last field was read from

    def row(self, row: GridRow, texts: list[str] | None = None) -> None:
        """Read one row; `texts` are its cells' texts when the caller has them already."""
        cells = _split_inline(row.cells, texts)
        nonempty = [(i, c) for i, c in enumerate(cells) if c.text]
        if not nonempty:
            return
        if self.list_label is not None:
            first_i, first = nonempty[0]
            if not any(classify_label(c.text) for _, c in nonempty) and (
                first_i > 0 or len(nonempty) == len(self.list_columns)
            ):
                self._list_item(nonempty)
                return
            self.flush_list()
        above, self.above = self.above, None
        if len(nonempty) == 1:
            label = classify_label(nonempty[0][1].text)
            text = nonempty[0][1].text
            if label is not None:
                self.above = (label, nonempty[0][1])  # "项目概况" over a full-width value
                self.pending = {}
                return
            if above is not None and len(text) > 4 and not SECTION_WORD.search(text) and not PAGE_HEADER.search(text):
                self._add(above[0], above[1], nonempty[0][1])
                return
        first_i, first = nonempty[0]
        if first_i == 0:
            m = _UNIT_IN_LABEL.search(first.text)
            self.group_unit = m.group(1) if m else None
        if len(nonempty) >= 3 and self._starts_list(nonempty):
            return
        used: set[int] = set()
        new_pending: dict[int, tuple[str, str, Cell]] = {}
        alternating: bool | None = None  # worked out when a row's cell first needs it (rarely)
        j = 0
        while j < len(nonempty):
            i, cell = nonempty[j]
            label = classify_label(cell.text)
            nxt = nonempty[j + 1] if j + 1 < len(nonempty) else None
            if label is None and nxt is not None and classify_label(nxt[1].text) is None:
                if alternating is None and j % 2 == 0:
                    alternating = len(nonempty) >= 4 and not len(nonempty) % 2 and _alternating(nonempty)
                if ((len(nonempty) == 2 and j == 0 and _looks_label(cell.text))
                        or (alternating and j % 2 == 0)
                        or (_END_COLON.search(cell.text.strip()) and _looks_label(cell.text))):
                    label = ("narrative" if len(nxt[1].text) > 20 else "header", clean_label(cell.text))
            if label is not None:
                if nxt is not None and classify_label(nxt[1].text) is None:
                    self._add(label, cell, nxt[1])
                    used.add(i)
                    used.add(nxt[0])
                    j += 2
                    continue
                new_pending[i] = (*label, cell)
                used.add(i)
            j += 1
        # values sitting under labels of the previous row
        for i, cell in nonempty:
            if i in used:
                continue
            if i in self.pending:
                self._add(self.pending[i][:2], self.pending[i][2], cell)
                used.add(i)
        # labels wait for values below only on the header row of a small sub-table (≥2 labels)
        if len(new_pending) >= 2:
            self.pending = new_pending
        elif new_pending or len(used) < len(nonempty):  # `used` holds columns of `nonempty` only
            self.pending = {}

    def continues(self, previous: GridRow, row: GridRow) -> bool:
        """Append `row` to the last value when it is the wrapped rest of that value."""
        texts = [(i, c) for i, c in enumerate(row.cells) if c.text]
        if len(texts) != 1 or not self.out or self.list_label is not None:
            return False
        col, cell = texts[0]
        last = self.out[-1][2]
        filled = [k for k, c in enumerate(previous.cells) if c.text]
        if not filled or previous.cells[filled[-1]] is not self.last_value:
            return False  # the last field did not end the line above
        if not (len(row.cells) == 1 or col == filled[-1]):
            return False  # positioned under another column
        if cell_label(cell.text) or SECTION_WORD.search(cell.text) or PAGE_HEADER.search(cell.text):
            return False
        ended = last.text.rstrip()[-1:] in "。；;！？!?"
        prose = len(cell.text) >= 20 and _CLAUSE_PUNCT.search(cell.text)
        if len(last.text) < 20 or (ended and not prose):
            return False  # a short value, or one that ended its sentence, did not wrap
        # a wrapped line continues the sentence; a cell's next paragraph starts a new line
        last.text += ("\n" if ended else "") + cell.text
        return True

    # -- a label over a small list (年度主要任务 | 任务名称 | 主要内容 | 预算金额)

    def _starts_list(self, nonempty: list[tuple[int, Cell]]) -> bool:
        if len(nonempty) < 3:
            return False
        (_, label_cell), heads = nonempty[0], nonempty[1:]
        if not any(_SUBTABLE_HEAD.search(c.text) for _, c in heads):  # the cheaper test first
            return False
        if not all(len(clean_label(c.text)) <= 10 and not _DIGIT.search(c.text) and classify_label(c.text) is None
                   for _, c in heads):
            return False
        label = classify_label(label_cell.text) or (
            ("narrative", clean_label(label_cell.text)) if _looks_label(label_cell.text) else None
        )
        if label is None:
            return False
        self.list_label = (label, label_cell)
        self.list_columns = [i for i, _ in heads]
        self.list_heads = [c.text for _, c in heads]
        self.list_items, self.list_location = [], None
        return True

    def _list_item(self, nonempty: list[tuple[int, Cell]]) -> None:
        """"持续推进缴存扩面：一是…（预算金额1,200.00）": the item's name, its text, its figures by heading."""
        if self.list_location is None:
            self.list_location = nonempty[0][1].location
        heads = dict(zip(self.list_columns, self.list_heads, strict=True))
        if nonempty[0][0] not in heads:  # written without leading cells: by position
            heads = dict(zip([i for i, _ in nonempty], self.list_heads, strict=False))
        words, figures = [], []
        for i, c in nonempty:
            head = clean_label(heads.get(i, ""))
            if _FIGURE.fullmatch(c.text) and head:
                figures.append(f"{head}{c.text}")
            else:
                words.append(c.text.rstrip("。；;"))
        item = words[0] + ("：" + "，".join(words[1:]) if len(words) > 1 else "") if words else ""
        if figures:
            item += f"（{'，'.join(figures)}）"
        self.list_items.append(item)

    def flush_list(self) -> None:
        if self.list_label is None:
            return
        label, cell = self.list_label
        self.list_label = None
        if self.list_items:
            value = Cell(text="；".join(self.list_items) + "。", location=self.list_location or cell.location)
            self._add(label, cell, value)

    # -- output

    def _add(self, label: tuple[str, str], label_cell: Cell, value_cell: Cell) -> None:
        section, key = label
        amount = None
        if section == "header" and _MONEY_LABEL.search(key + label_cell.text):
            m = _UNIT_IN_LABEL.search(label_cell.text)
            unit = m.group(1) if m else self.group_unit or self.unit
            amount = parse_amount(value_cell.text, default_unit=unit)
        tf = construct(TextField, {"name": clean_label(label_cell.text), "text": value_cell.text, "amount": amount,
                                   "location": value_cell.location}, {"name", "text", "amount", "location"})
        self.out.append((section, key, tf))
        self.last_value = value_cell
        if key == "项目期限":
            m = _DATE_RANGE.match(value_cell.text.strip())
            if m:
                for k, text in (("开始时间", m.group(1)), ("结束时间", m.group(2))):
                    self.out.append(("header", k, TextField(name=tf.name, text=text.strip(),
                                                            location=value_cell.location)))


def _split_inline(cells: list[Cell], texts: list[str] | None = None) -> list[Cell]:
    """Cells with "label：value" text split into a label cell and a value cell (`texts`: theirs)."""
    joined = "\x00".join(texts if texts is not None else [c.text for c in cells])
    if "：" not in joined and ":" not in joined:
        return cells
    out: list[Cell] = []
    for c in cells:
        parts = _inline_parts(c.text) if c.text else None
        if not parts:
            out.append(c)
            continue
        out.extend(Cell(text=t, location=c.location) for t in parts)
    return out


@lru_cache(maxsize=1 << 14)
def _inline_parts(text: str) -> tuple[str, ...] | None:
    """("label", "value", "label", "value" …) for a cell that opens with "label：", else None."""
    matches = list(_INLINE_LABEL.finditer(text))
    if not matches or matches[0].start() != 0 or matches[0].end() >= len(text.rstrip()):
        return None
    parts: list[str] = []
    for k, m in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        parts += [m.group("label"), text[m.end(): end].strip(" ；;，,")]
    return tuple(parts)


def _alternating(nonempty: list[tuple[int, Cell]]) -> bool:
    """"label | value | label | value": every other cell reads as a label, the others as values."""
    if len(nonempty) < 4 or len(nonempty) % 2:
        return False
    labels = [c.text for k, (_, c) in enumerate(nonempty) if k % 2 == 0]
    return all(classify_label(t) or _looks_label(t) for t in labels) and any(classify_label(t) for t in labels)


def _looks_label(text: str) -> bool:
    t = clean_label(text)
    return 1 < len(t) <= 12 and not _DIGIT.search(t)
