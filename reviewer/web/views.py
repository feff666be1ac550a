"""A reviewed table as the page shows it: the indicator tree and text fields, each
node carrying the ids of the findings that point at it.

A finding points at a node by position (its `at` location equals the node's),
by path (its `location` names the node: "一级 > 二级 > 三级", "一级 > 二级", "一级",
or a field name), or by the fields and indicators its evidence quotes from
("项目概况: …; 密集架: =52组"). Only when none of these matches is the bare
indicator name used.
"""

from __future__ import annotations

import re

from reviewer.models import Indicator, Location, Review, Slot, TableReview
from reviewer.web.schemas import FieldNode, IndicatorNode, Level1Node, Level2Node, TableView

_POSITION_KEYS = ("sheet", "table", "page", "line", "row", "cell")


def review_payload(review: Review, review_id: str) -> dict:
    """The contract JSON of `review`, plus `review_id` and a `view` per table."""
    payload = review.contract()
    payload["review_id"] = review_id
    for out, table_review in zip(payload["tables"], review.tables, strict=True):
        out["view"] = table_view(table_review).model_dump()
    return payload


def table_view(table_review: TableReview) -> TableView:
    table = table_review.table
    if table is None:
        return TableView()
    tree, indicator_nodes, level2_nodes = _tree(table.indicators, table.slots)
    fields = [
        (f, FieldNode(name=f.name, text=f.text, group=group))
        for group, fields in (("header", table.header), ("narrative", table.narrative))
        for f in fields.values()
    ]
    slot_nodes = [(s, level2_nodes[(s.level1, s.level2)]) for s in table.slots]
    level1_nodes = {l1.name: l1 for l1 in tree}
    for f in table_review.findings:
        targets: list = []
        if _has_position(f.at):
            # A slot shares its row with the first 三级 under it: the indicator wins.
            for group in (indicator_nodes, slot_nodes):
                targets += [n for src, n in group if _same_place(f.at, src.location)]
                if targets:
                    break
            targets += [n for fld, n in fields if _same_place(f.at, fld.location)]
        path = _normalise_path(f.location)
        if path:
            targets += [n for ind, n in indicator_nodes if _normalise_path(ind.path) == path]
            targets += [n for key, n in level2_nodes.items() if _normalise_path(_join(key)) == path]
            targets += [n for name, n in level1_nodes.items() if name and name == path]
            targets += [n for fld, n in fields if fld.name == path]
        named = _names_quoted_in(f.evidence)
        targets += [n for fld, n in fields if fld.name in named]
        targets += [n for ind, n in indicator_nodes if ind.level3 and ind.level3 in named]
        if not targets and f.indicator:
            targets += [n for ind, n in indicator_nodes if ind.level3 == f.indicator]
        for target in targets:
            if f.id not in target.finding_ids:
                target.finding_ids.append(f.id)
    return TableView(
        framework=table.framework, year=table.year, unit_name=table.unit_name,
        tree=tree, fields=[node for _, node in fields],
    )


def _tree(indicators: list[Indicator], slots: list[Slot]) -> tuple[
    list[Level1Node], list[tuple[Indicator, IndicatorNode]], dict[tuple, Level2Node]
]:
    """一级 → 二级 → 三级 in table order; declared slots without 三级 stay as empty 二级."""
    level1: dict[str | None, Level1Node] = {}
    level2: dict[tuple[str | None, str | None], Level2Node] = {}
    pairs: list[tuple[Indicator, IndicatorNode]] = []
    entries: list[Slot | Indicator] = [*slots, *indicators]
    if entries and all(_order_key(e.location) is not None for e in entries):
        entries.sort(key=lambda e: _order_key(e.location))
    for entry in entries:
        l1, l2 = entry.level1, entry.level2
        if l1 not in level1:
            level1[l1] = Level1Node(name=l1)
        if (l1, l2) not in level2:
            level2[(l1, l2)] = Level2Node(name=l2)
            level1[l1].children.append(level2[(l1, l2)])
        if isinstance(entry, Indicator):
            node = IndicatorNode(
                name=entry.level3, target=entry.target.raw, unit=entry.unit_column,
                position=entry.location.describe(),
            )
            level2[(l1, l2)].indicators.append(node)
            pairs.append((entry, node))
    return list(level1.values()), pairs, level2


def _order_key(loc: Location) -> tuple | None:
    pos = loc.line if loc.line is not None else loc.row
    if pos is None:
        return None
    return (loc.sheet or "", loc.table or 0, loc.page or 0, pos)


def _has_position(loc: Location | None) -> bool:
    return loc is not None and any(getattr(loc, k) is not None for k in ("line", "row", "cell"))


def _same_place(a: Location, b: Location) -> bool:
    if not _has_position(b):
        return False
    return all(getattr(a, k) == getattr(b, k) for k in _POSITION_KEYS
               if getattr(a, k) is not None or getattr(b, k) is not None)


def _normalise_path(path: str | None) -> str:
    if not path:
        return ""
    return " > ".join(p.strip() for p in re.split(r"[>＞]", path) if p.strip())


def _join(key: tuple[str | None, str | None]) -> str:
    return " > ".join(p for p in key if p)


def _names_quoted_in(evidence: str) -> set[str]:
    """Field or indicator names an evidence string quotes from: "项目概况: …; 密集架: =52组"."""
    names = set()
    for part in re.split(r"[;；\n]", evidence or ""):
        m = re.match(r"\s*([^:：]{1,40})[:：]", part)
        if m:
            names.add(m.group(1).strip())
    return names
