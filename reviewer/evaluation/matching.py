"""Matching produced findings to annotations.

An expected finding matches a produced one in the same table when the category
is the same and either the indicator names agree (equal, or one contains the
other) or every key word appears in the finding's indicator + location +
evidence + message. Matching is one-to-one (a maximum bipartite matching, so the
order of the annotations never costs a match). A negative is violated by any
finding of its table (and category, when it names one) that it matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from reviewer.evaluation.cases import Expected, Negative
from reviewer.models import Finding

_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def norm(text: str | None) -> str:
    """NFKC, no whitespace: '≥ 95 %' and '≥95%' compare equal; full-width digits become ASCII."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def finding_text(f: Finding) -> str:
    return norm(" ".join(x for x in (f.indicator, f.location, f.evidence, f.message) if x))


def indicator_agrees(wanted: str | None, found: str | None) -> bool:
    a, b = norm(wanted), norm(found)
    if not a or not b:
        return False
    return a == b or a in b or (len(b) >= 2 and b in a)


def keywords_present(keywords: Sequence[str], f: Finding) -> bool:
    text = finding_text(f)
    return bool(keywords) and all(norm(k) in text for k in keywords)


def spec_matches(spec: Expected | Negative, f: Finding) -> bool:
    """The annotation's predicate (category, then indicator or key words)."""
    if spec.category is not None and f.category != spec.category:
        return False
    if not spec.indicator and not spec.keywords:
        return True
    return indicator_agrees(spec.indicator, f.indicator) or keywords_present(spec.keywords, f)


def _preference(spec: Expected, f: Finding) -> tuple:
    """Lower sorts first: the closest candidates are tried first."""
    return (
        not (norm(spec.indicator) and norm(spec.indicator) == norm(f.indicator)),
        not (spec.rule and spec.rule == f.rule),
        not (spec.severity and spec.severity == f.severity),
    )


def match_one_to_one(expected: Sequence[Expected], produced: Sequence[Finding]) -> list[int | None]:
    """For each expected finding, the index of the produced finding it is matched to, or None."""
    candidates = [
        sorted((j for j, f in enumerate(produced) if spec_matches(e, f)), key=lambda j, e=e: _preference(e, produced[j]))
        for e in expected
    ]
    owner: dict[int, int] = {}  # produced index → expected index

    def augment(i: int, seen: set[int]) -> bool:
        for j in candidates[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(expected)):
        augment(i, set())
    result: list[int | None] = [None] * len(expected)
    for j, i in owner.items():
        result[i] = j
    return result


@dataclass
class Violation:
    negative: Negative
    finding: Finding


def violations(negatives: Sequence[Negative], produced: Sequence[Finding]) -> list[Violation]:
    """Each negative violated, with the first finding that violates it."""
    out = []
    for n in negatives:
        hit = next((f for f in produced if spec_matches(n, f)), None)
        if hit is not None:
            out.append(Violation(n, hit))
    return out


def resolve_table(key: str, titles: Sequence[str]) -> int | None:
    """The index of the table an annotation names: the exact title, else the one title containing it."""
    k = norm(key)
    exact = [i for i, t in enumerate(titles) if norm(t) == k]
    if exact:
        return exact[0]
    part = [i for i, t in enumerate(titles) if k and k in norm(t)]
    return part[0] if len(part) == 1 else None
