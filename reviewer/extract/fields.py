"""Header and narrative fields: which printed labels mean what, and reading label–value rows.

Templates name the same field many ways (项目设立的必要性 / 项目设立必要性, 年度目标 / 年度绩效目标 /
年度绩效目标(文字)). Fields are stored under one canonical key so that rules see stable names;
TextField.name keeps the label as printed.
"""

from __future__ import annotations

import re

from reviewer.models import Cell, GridRow, TextField

# canonical key → printed variants (after clean_label)
HEADER_FIELDS: dict[str, tuple[str, ...]] = {
    "项目名称": ("项目名称",),
    "项目编码": ("项目编码", "项目代码"),
    "单位编码": ("单位编码", "单位代码"),
    "单位名称": ("单位名称", "部门(单位)名称", "部门名称", "预算单位", "申报单位"),
    "资金用途": ("资金用途",),
    "项目负责人": ("项目负责人", "项目负责人及电话", "负责人"),
    "联系人": ("联系人",),
    "联系电话": ("联系电话",),
    "开始时间": ("开始时间", "项目开始时间"),
    "结束时间": ("结束时间", "项目结束时间"),
    "项目总金额": ("项目总金额", "项目金额", "中期预算资金总额", "项目资金总额", "总金额"),
    "项目本年度金额": ("项目本年度金额", "本年度金额", "年度资金总额", "年度预算资金总额", "资金总额",
                  "年初安排金额", "部门预算总额", "本年预算数"),
    "上年度项目总金额": ("上年度项目总金额",),
    "项目上年度金额": ("项目上年度金额", "上年度金额"),
    "财政拨款": ("财政拨款", "财政拨款数", "当年市级财政资金", "财政性资金", "财政资金"),
    "其他资金": ("其他资金",),
    "主管部门": ("主管部门", "项目主管部门", "主管部门及代码"),
    "实施单位": ("实施单位",),
    "项目属性": ("项目属性", "项目类型"),
    "项目类别": ("项目类别",),
    "归口科室": ("归口科室",),
    "项目期限": ("项目期限", "项目期", "实施期限"),
    "基本支出": ("基本支出",),
    "项目支出": ("项目支出",),
}
NARRATIVE_FIELDS: dict[str, tuple[str, ...]] = {
    "项目概况": ("项目概况", "项目简介", "项目基本情况"),
    "立项依据": ("立项依据", "项目立项依据"),
    "项目设立的必要性": ("项目设立的必要性", "项目设立必要性", "必要性"),
    "项目配套制度措施": ("项目配套制度措施", "保证项目实施的制度、措施", "保障措施"),
    "项目实施计划": ("项目实施计划", "实施计划", "实施进度计划"),
    "项目总目标": ("项目总目标", "总体目标", "中期目标", "总目标", "项目总体目标", "长期目标"),
    "年度绩效目标": ("年度绩效目标", "年度目标", "年度绩效目标(文字)", "年度总体绩效目标",
                 "年度履职目标", "年度总体目标", "本年度目标"),
    "部门职责": ("部门(单位)职责", "部门职责", "单位职责", "主要职能"),
    "年度主要任务": ("年度主要任务",),
    "备注": ("备注",),
}
_LABELS: dict[str, tuple[str, str]] = {}
for _key, _names in HEADER_FIELDS.items():
    for _n in _names:
        _LABELS[_n] = ("header", _key)
for _key, _names in NARRATIVE_FIELDS.items():
    for _n in _names:
        _LABELS[_n] = ("narrative", _key)

_LABEL_NOISE = re.compile(r"[\s*＊★:：]|[(（](万元|元|文字)[)）]$|^其中[:：]?")
_BRACKETS = str.maketrans({"（": "(", "）": ")"})


def clean_label(text: str) -> str:
    t = text.translate(_BRACKETS)
    t = re.sub(r"^其中[:：]?\s*", "", t.strip())
    t = re.sub(r"[\s*＊★]", "", t)
    t = re.sub(r"[:：]$", "", t)
    t = re.sub(r"\((万元|元)\)$", "", t)
    return t


def classify_label(text: str) -> tuple[str, str] | None:
    """("header"|"narrative", canonical key) for a known label, else None."""
    t = clean_label(text)
    if not t or len(t) > 20:
        return None
    if t in _LABELS:
        return _LABELS[t]
    t2 = re.sub(r"\(.*?\)$", "", t)
    return _LABELS.get(t2)


def read_fields(rows: list[GridRow]) -> list[tuple[str, str, TextField]]:
    """(section, key, field) for every label–value pair in the rows above the indicator tree.

    Handles "label value label value" rows, a label whose value is on the next row under the
    same column (header rows of small sub-tables such as 总体目标 | 年度目标), and rows with an
    unknown short label followed by a long value.
    """
    out: list[tuple[str, str, TextField]] = []
    pending: dict[int, tuple[str, str, Cell]] = {}  # column → label waiting for a value below
    for row in rows:
        cells = row.cells
        nonempty = [(i, c) for i, c in enumerate(cells) if c.text]
        if not nonempty:
            continue
        used: set[int] = set()
        new_pending: dict[int, tuple[str, str, Cell]] = {}
        j = 0
        while j < len(nonempty):
            i, cell = nonempty[j]
            label = classify_label(cell.text)
            if label is None and j + 1 < len(nonempty) and len(nonempty) == 2 and j == 0 and _looks_label(cell.text):
                label = ("narrative" if len(nonempty[1][1].text) > 20 else "header", clean_label(cell.text))
            if label is not None:
                nxt = nonempty[j + 1] if j + 1 < len(nonempty) else None
                if nxt is not None and classify_label(nxt[1].text) is None:
                    out.append(_field(label, cell, nxt[1]))
                    used.update({i, nxt[0]})
                    j += 2
                    continue
                new_pending[i] = (*label, cell)
                used.add(i)
            j += 1
        # values sitting under labels of the previous row
        for i, cell in nonempty:
            if i in used:
                continue
            if i in pending:
                out.append(_field(pending[i][:2], pending[i][2], cell))
                used.add(i)
        # labels wait for values below only on the header row of a small sub-table (≥2 labels)
        if len(new_pending) >= 2:
            pending = new_pending
        elif new_pending or any(i not in used for i, _ in nonempty):
            pending = {}
    return out


def _looks_label(text: str) -> bool:
    t = clean_label(text)
    return 1 < len(t) <= 12 and not re.search(r"\d", t)


def _field(label: tuple[str, str], label_cell: Cell, value_cell: Cell) -> tuple[str, str, TextField]:
    from reviewer.extract.numbers import parse_amount

    section, key = label
    amount = None
    if section == "header" and re.search(r"金额|资金|预算|拨款|支出", key):
        amount = parse_amount(value_cell.text, default_unit="万元")
    tf = TextField(name=clean_label(label_cell.text), text=value_cell.text, amount=amount,
                   location=value_cell.location)
    return section, key, tf
