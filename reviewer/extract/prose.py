"""Indicators published as prose paragraphs instead of a grid.

Some notices print the tree as sentences: "一、产出指标 / 数量指标:…种植数量(≥**株)>=17600株;
种植作物成活率(≥**%)>=85;时效指标:完成及时率(≥**%)>=100%。" Each "…指标:" opens a 二级; items are
split on ；;。 and a trailing comparator/number/unit is the target.
"""

from __future__ import annotations

import re

from reviewer.extract.taxonomy import load_taxonomy
from reviewer.models import GridRow, Indicator, Slot

_L1_LINE = re.compile(r"^[一二三四五六七八九十]+[、.]\s*(产出|效益|满意度|成本)(指标|目标)?\s*$")
_L2 = re.compile(
    r"(数量|质量|时效|成本|经济效益|社会效益|生态效益|可持续影响|服务对象满意度|经济成本|社会成本|生态环境成本)"
    r"(指标|目标)[:：,，]?"
)
_VALUE = re.compile(
    r"(?P<value>(?:[≥≤><=＝]=?|不低于|不高于|不少于|达到)\s*[\d.,]+\s*[^\s,，;；。]*|[\d.,]+\s*(?:%|万元|元|株|户|人|个|亩))\s*$"
)
_PLACEHOLDER = re.compile(r"[(（][^()（）]*\*\*[^()（）]*[)）]")


def read_prose_indicators(rows: list[GridRow], framework: str | None = None):
    tax = load_taxonomy()
    indicators: list[Indicator] = []
    slots: dict[tuple, Slot] = {}
    level1: str | None = None
    for row in rows:
        text = " ".join(c.text for c in row.cells if c.text)
        m = _L1_LINE.match(text.strip())
        if m:
            level1 = m.group(1)
            continue
        if level1 is None:
            continue
        parts = _L2.split(text)
        # parts: [before, l2, suffix, body, l2, suffix, body, ...]
        for k in range(1, len(parts) - 2, 3):
            level2 = parts[k]
            body = parts[k + 2]
            slots.setdefault((level1, level2), Slot(level1=level1, level2=level2, location=row.location))
            for item in re.split(r"[;；。]", body):
                item = item.strip(" ,，★")
                if not item:
                    continue
                indicators.append(_item(item, level1, level2, row))
    if not indicators:
        return [], [], framework
    fw = framework or tax.detect_framework([i.level1 for i in indicators], [i.level2 for i in indicators])
    return indicators, list(slots.values()), fw


def _item(item: str, level1: str, level2: str, row: GridRow) -> Indicator:
    from reviewer.extract.targets import parse_target

    m = _VALUE.search(item)
    if m:
        raw = item[m.start("value"):].strip()
        name = item[: m.start("value")]
        placeholder = _PLACEHOLDER.search(name)
        name = _PLACEHOLDER.sub("", name).strip(" ,，★")
        name = re.split(r"[,，]", name)[-1].strip() or name
        target = parse_target((placeholder.group(0) if placeholder else "") + raw, indicator=name)
    else:
        name, target = item, parse_target(item, indicator=item)
    return Indicator(level1=level1, level2=level2, level3=name, target=target, location=row.location)
