"""Small helpers shared by the rule modules: text cleanup, lexicons, level names, evidence.

Shared by both groups of rules; append only, keep each helper small and documented.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib.resources import files

from reviewer.checks.registry import memoised
from reviewer.extract.taxonomy import load_taxonomy
from reviewer.models import Indicator, Table
from reviewer.yamlio import load_yaml

# ---------------------------------------------------------------- memos

# Bounds of the memo caches (functools.lru_cache) of pure text functions: rules ask the same
# question of the same text many times within a document. Field texts and values are long,
# names, units and phrases short; the bounds keep a long bulk run's memory flat.
TEXT_MEMO = 4096
NAME_MEMO = 8192
LONG_TEXT = 1000  # compact leaves longer texts (a whole table's) out of its memo

# ---------------------------------------------------------------- text

_TAGS = re.compile(r"<[^<>]{0,200}>")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


@lru_cache(maxsize=TEXT_MEMO)
def plain_text(text: str | None) -> str:
    """Text without HTML tags or runs of spaces (extractors usually did this already)."""
    if not text:
        return ""
    return _SPACES.sub(" ", _TAGS.sub(" ", text)).strip()


def compact(text: str | None) -> str:
    """Text without any whitespace: for comparing names printed with stray spaces."""
    if not text:
        return ""
    return _compact(text) if len(text) <= LONG_TEXT else _compact.__wrapped__(text)


@lru_cache(maxsize=TEXT_MEMO)
def _compact(text: str) -> str:
    # = every whitespace removed from plain_text(text): tags become spaces, and str.split()
    # splits on exactly the characters \s matches
    return "".join((_TAGS.sub(" ", text) if "<" in text else text).split())


def quote(text: str | None, limit: int = 60) -> str:
    """A short exact quote for evidence: the text itself, cut with … past `limit`."""
    t = plain_text(text)
    return t if len(t) <= limit else t[: limit - 1] + "…"


# ---------------------------------------------------------------- lexicons


@cache
def lexicon(name: str) -> dict:
    """reviewer/data/<name>.yaml as a dict (cached)."""
    data = files("reviewer.data").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return load_yaml(data) or {}


def words(name: str, key: str) -> tuple[str, ...]:
    """One word list of a lexicon file, longest first (so longer matches win)."""
    return _words(name, key)


@cache
def _words(name: str, key: str) -> tuple[str, ...]:
    return tuple(sorted(lexicon(name).get(key, []) or [], key=len, reverse=True))


@cache
def _word_index(name: str, key: str) -> tuple[frozenset[str], tuple[int, ...]]:
    """A lexicon list as a set, and its word lengths from the longest (empty words left out)."""
    ws = frozenset(w for w in words(name, key) if w)
    return ws, tuple(sorted({len(w) for w in ws}, reverse=True))


def in_words(text: str, name: str, key: str) -> bool:
    """`text in words(name, key)`, by a set."""
    return text in _word_index(name, key)[0]


def longest_suffix(text: str, name: str, key: str) -> str | None:
    """The longest word of a lexicon list that `text` ends with and is longer than, or None
    (= the first w of words(name, key) with text.endswith(w) and len(text) > len(w))."""
    ws, lengths = _word_index(name, key)
    n = len(text)
    for size in lengths:  # one word at most of each length ends the text
        if size < n and text[n - size:] in ws:
            return text[n - size:]
    return None


def first_match(text: str, name: str, key: str) -> str | None:
    """The longest word of a lexicon list found in `text`, or None."""
    return _first_match(text, name, key) if len(text) <= LONG_TEXT else _first_match.__wrapped__(text, name, key)


@lru_cache(maxsize=NAME_MEMO)
def _first_match(text: str, name: str, key: str) -> str | None:
    for w in words(name, key):
        if w in text:
            return w
    return None


# ---------------------------------------------------------------- levels and evidence


def framework_of(table: Table, forced: str | None = None) -> str | None:
    """The framework to check a table against: the config's, else the table's, else detected."""
    tax = load_taxonomy()
    if forced and forced in tax.frameworks:
        return forced
    if table.framework in tax.frameworks:
        return table.framework
    l1 = [i.level1 for i in table.indicators if i.level1] + [s.level1 for s in table.slots if s.level1]
    l2 = [i.level2 for i in table.indicators if i.level2] + [s.level2 for s in table.slots if s.level2]
    if not l1 and not l2:
        return None
    return tax.detect_framework(l1, l2)


def levels(ind: Indicator | None = None, *, level1: str | None = None, level2: str | None = None,
           framework: str | None = None) -> tuple[str, str]:
    """Canonical (一级, 二级) of an indicator or slot; 一级 inferred from the 二级 when unknown."""
    if ind is not None:
        level1, level2 = ind.level1, ind.level2
    return _levels(level1, level2, framework)


def indicator_levels(cache: dict, table: Table, framework: str | None) -> list[tuple[str, str]]:
    """`levels(ind, framework=framework)` of each indicator of the table, in table order; once per
    run (`cache`: the run's memo, Context.cache), since many rules place every indicator. The list
    is shared: read it, do not change it."""
    return memoised(cache, ("indicator-levels", id(table), framework),
                    lambda: [_levels(i.level1, i.level2, framework) for i in table.indicators])


@lru_cache(maxsize=4096)
def _levels(level1: str | None, level2: str | None, framework: str | None) -> tuple[str, str]:
    tax = load_taxonomy()
    l1, l2 = tax.canonical(level1) if level1 else "", tax.canonical(level2) if level2 else ""
    if framework in tax.frameworks:
        fw = tax.frameworks[framework]
        if l1 not in fw.levels and fw.parent_of(l1) and not (l2 and fw.parent_of(l2)):
            l1, l2 = fw.parent_of(l1) or l1, l1  # a 二级 printed in the 一级 column ("成本")
        if l2 and l1 not in fw.levels:
            l1 = fw.parent_of(l2) or l1
    return l1, l2


@lru_cache(maxsize=NAME_MEMO)
def affinity(level3: str | None, level2: str | None) -> int:
    """The taxonomy's affinity of a 三级 name for a 二级 (cached: rules ask it of every row)."""
    return load_taxonomy().affinity(level3, level2)


@lru_cache(maxsize=NAME_MEMO)
def level2_of(level3: str | None) -> str | None:
    """The 二级 a 三级 name most looks like, from the taxonomy (cached)."""
    return load_taxonomy().level2_of(level3)


def indicator_evidence(ind: Indicator, *, with_unit: bool = True) -> str:
    """'三级指标: 空调; 指标值: 3台' (+ '; 计量单位: 台' when a unit column was printed)."""
    parts = []
    if ind.level3:
        parts.append(f"三级指标: {ind.level3}")
    parts.append(f"指标值: {ind.target.raw}")
    if with_unit and ind.unit_column:
        parts.append(f"计量单位: {ind.unit_column}")
    return "; ".join(parts)


def indicator_label(ind: Indicator) -> str:
    """The name to use in a message: the 三级 name, else the value itself."""
    return ind.level3 or quote(ind.target.raw, 20) or "（未命名指标）"


# ---------------------------------------------------------------- amounts and fields (group B)

ANNUAL_AMOUNT_KEYS = ("项目本年度金额", "本年度金额", "年度预算资金总额", "年度资金总额")
TOTAL_AMOUNT_KEYS = ("项目总金额", "项目资金总额", "中期预算资金总额")


def header_amount(table: Table, *keys: str) -> float | None:
    """The first of `keys` in the header that holds a money amount, in 万元."""
    for key in keys:
        f = table.header.get(key)
        if f is not None and f.amount is not None:
            return f.amount.wan
    return None


def annual_budget(table: Table) -> tuple[str, float] | None:
    """(field name, 万元) of the amount budgeted for the year: 本年度金额, else 总金额, else 财政拨款."""
    for keys in (ANNUAL_AMOUNT_KEYS, TOTAL_AMOUNT_KEYS, ("财政拨款",)):
        for key in keys:
            f = table.header.get(key)
            if f is not None and f.amount is not None and f.amount.wan > 0:
                return key, f.amount.wan
    return None


def budget_amounts(table: Table) -> dict[str, float]:
    """Every positive header amount that can stand for this project's money, by field name."""
    out: dict[str, float] = {}
    for key in (*ANNUAL_AMOUNT_KEYS, *TOTAL_AMOUNT_KEYS, "财政拨款"):
        f = table.header.get(key)
        if f is not None and f.amount is not None and f.amount.wan > 0:
            out[key] = f.amount.wan
    return out


def narrative_fields(table: Table, skip: tuple[str, ...] = ("备注",)) -> list[tuple[str, str]]:
    """(field name as printed, plain text) of the narrative fields, in table order."""
    out = []
    for key, f in table.narrative.items():
        if key in skip or not f.text:
            continue
        out.append((f.name or key, plain_text(f.text)))
    return out


def narrative_fields_once(cache: dict | None, table: Table) -> list[tuple[str, str]]:
    """`narrative_fields(table)`, once per run (`cache`: the run's memo, Context.cache; None
    computes them afresh): a dozen rules read them. The list is shared: read it, do not change it."""
    if cache is None:
        return narrative_fields(table)
    return memoised(cache, ("narrative-fields", id(table)), lambda: narrative_fields(table))


def fmt_number(value: float, digits: int = 2) -> str:
    """A number for a message: no trailing zeros ("35.7", "110.16", "9")."""
    s = f"{value:.{digits}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


def money_tolerance(amount_wan: float, relative: float, absolute: float) -> float:
    """Allowed gap in 万元 when comparing a computed amount with a printed one."""
    return max(abs(amount_wan) * relative, absolute)
