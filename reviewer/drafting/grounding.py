"""Is every number in a comment taken from the table, or derived from its numbers?

`numbers_in` reads the numeric tokens of a text (Arabic digits only, normalised:
"35.70" → "35.7", "44,561" → "44561"), skipping list markers ("1、", "(2)",
"①") and document or rule codes ("财预〔2021〕101号", "IQ203"); Chinese numerals
("一是", "三级") are words, not data, and are not read.

`allowed_numbers` is every number of the table and of the findings, plus the
simple derivations a reviewer writes: sums, differences, products and ratios of
pairs from one finding's evidence/message/fix, the totals of an evidence and of
each of its parts,
percentages and 元↔万元↔亿元 conversions.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import combinations

from reviewer.models import Finding, Table

_CIRCLED = re.compile(r"[\u2460-\u2473\u2776-\u277f\u2780-\u2793]")  # ① … ⑳, ❶ …
_DOC_CODE = re.compile(r"[〔\[【(]\s*\d{4}\s*[〕\]】)]\s*(?:第\s*)?\d+\s*号")  # 财预〔2021〕101号
_RULE_CODE = re.compile(r"(?<![A-Za-z0-9])(?:IQ\d{3,4}|F\d+)(?![\d.])")  # rule codes, finding ids
_LIST_MARKERS = (
    re.compile(r"(?<![\d.])\d{1,2}\s*、"),  # 1、
    re.compile(r"\(\s*\d{1,2}\s*\)"),  # (1) — full-width brackets are folded to ASCII first
    re.compile(r"(?:^|(?<=[\s;；。:：,，>]))\d{1,2}\.(?!\d)"),  # 1. at the start of an item
)
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
# What `_clean` blanks out, in order, each with the literals it cannot match without: a text
# that holds none of them is not scanned (same result, most texts skip most patterns).
_STRIPPED = (
    (_DOC_CODE, ("〔", "[", "【", "(")),
    (_RULE_CODE, ("IQ", "F")),
    (_LIST_MARKERS[0], ("、",)),
    (_LIST_MARKERS[1], ("(",)),
    (_LIST_MARKERS[2], (".",)),
)

_SCALES = (10_000.0, 100_000_000.0)  # 元↔万元, 万元↔亿元 and 元↔亿元
_PAIR_LIMIT = 12  # numbers per finding taken into pairwise derivations


# Full-width punctuation of nearly every Chinese text, each with its NFKC form: replacing a character
# by its compatibility decomposition leaves the NFKC of the text unchanged, and once they are
# replaced most texts pass the (cheap) normalisation check and skip the (costly) normalisation.
_WIDE_PUNCTUATION = (("，", ","), ("（", "("), ("）", ")"), ("：", ":"), ("；", ";"))


def _clean(text: str) -> str:
    text = _CIRCLED.sub(" ", text or "")
    for wide, narrow in _WIDE_PUNCTUATION:
        if wide in text:
            text = text.replace(wide, narrow)
    if not unicodedata.is_normalized("NFKC", text):  # the check is far cheaper than normalising
        text = unicodedata.normalize("NFKC", text)
    for pattern, literals in _STRIPPED:
        for x in literals:
            if x in text:
                text = pattern.sub(" ", text)
                break
    return text


def canonical(value: str | float | Decimal) -> str:
    """One spelling per number: no thousands separators, no trailing zeros."""
    if isinstance(value, str):
        return _canonical_token(value)
    return _canonical(value)


def _canonical(value: str | float | Decimal) -> str:
    try:
        d = Decimal(value.replace(",", "")) if isinstance(value, str) else Decimal(repr(float(value)))
    except InvalidOperation:
        return str(value)
    d = d.normalize()
    out = format(d, "f")
    return "0" if out in ("-0", "") else out


@lru_cache(maxsize=4096)
def _canonical_token(token: str) -> str:
    """`canonical` of a number as written: a plain integer without leading zeros is its own spelling."""
    if token.isascii() and token.isdigit() and (token[0] != "0" or token == "0"):
        return token
    return _canonical(token)


def numbers_in(text: str) -> list[str]:
    """Normalised numeric tokens of `text`, in order (duplicates kept)."""
    if len(text or "") > _REMEMBERED_CHARS:
        return _scan(text)
    return list(_remembered_scan(text))


_REMEMBERED_CHARS = 500  # short texts (messages, evidence) recur: their tokens are remembered


def _scan(text: str) -> list[str]:
    return [_canonical_token(token) for token in _NUMBER.findall(_clean(text))]  # no groups: whole matches


@lru_cache(maxsize=4096)
def _remembered_scan(text: str) -> tuple[str, ...]:
    return tuple(_scan(text))


def _values(text: str) -> list[float]:
    out = []
    for token in numbers_in(text):
        try:
            out.append(float(token))
        except ValueError:
            continue
    return out


def _spellings(value: float) -> set[str]:
    """A derived value as a reviewer may print it: exact, or rounded to 2, 1 or 0 places."""
    if value != value or abs(value) == float("inf"):  # NaN / inf
        return set()
    out = {canonical(round(value, 4)), canonical(round(value, 2)), canonical(round(value, 1))}
    if abs(value) >= 10:
        out.add(canonical(round(value)))
    return out


def _with_conversions(value: float) -> set[float]:
    """The value itself, its percentage forms and its unit conversions."""
    out = {value, value * 100, value / 100}
    for s in _SCALES:
        out.update({value * s, value / s})
    return out


def _table_texts(table: Table) -> list[str]:
    texts = [table.title, table.text, table.unit_name or "", str(table.year or "")]
    for field in [*table.header.values(), *table.narrative.values()]:
        texts += [field.name, field.text]
        if field.amount is not None:
            texts += [field.amount.raw, canonical(field.amount.value), canonical(field.amount.wan)]
    for ind in table.indicators:
        t = ind.target
        texts += [ind.level1 or "", ind.level2 or "", ind.level3 or "", t.raw, ind.unit_column or ""]
        texts += [ind.basis or "", ind.note or "", *ind.extra.values()]
        texts += [canonical(v) for v in (t.value, t.value_max, ind.weight) if v is not None]
        if t.date is not None:
            texts.append(t.date.isoformat())
        if t.date_end is not None:
            texts.append(t.date_end.isoformat())
    for row in table.rows:
        texts += row.texts
    texts += table.columns
    return texts


def allowed_numbers(table: Table | None, findings: list[Finding]) -> set[str]:
    """Every number a comment on this table may contain (normalised spellings)."""
    base: set[float] = set()
    derived: set[float] = set()
    if table is not None:
        for text in _table_texts(table):
            base.update(_values(text))
    for f in findings:
        own = _values(" ".join(x for x in (f.evidence, f.message, f.fix or "") if x))
        base.update(own)
        # Totals: of the whole evidence and of each of its parts ("计划: 9万元、8万元…; 金额: 50").
        for chunk in [f.evidence, *re.split(r"[;；]", f.evidence)]:
            values = _values(chunk)
            if len(values) > 1:
                total = sum(values)
                derived.add(total)
                derived.update(abs(total - x) for x in own)  # a total against the amount it should match
        distinct = list(dict.fromkeys(own))[:_PAIR_LIMIT]
        for a, b in combinations(distinct, 2):
            derived.update({a + b, abs(a - b), a * b})
            for x, y in ((a, b), (b, a)):
                if y:
                    derived.update({x / y, (x - y) / y * 100, abs(x - y) / y * 100})
    allowed: set[str] = set()
    for value in base:
        allowed.add(canonical(value))
        for v in _with_conversions(value):
            allowed |= _spellings(v)
    for value in derived:
        for v in _with_conversions(value):
            allowed |= _spellings(v)
    return allowed


def ungrounded_numbers(text: str, table: Table | None, findings: list[Finding]) -> list[str]:
    """The numbers of `text` that are neither in the table nor derived from it (first-seen order)."""
    tokens = list(dict.fromkeys(numbers_in(text)))
    if not tokens:
        return []
    allowed = allowed_numbers(table, findings)
    return [t for t in tokens if t not in allowed]
