"""Scoring a held-out case against the findings of one group of categories.

Shared by tests/test_heldout.py (group-A rules) and tests/test_heldout_b.py (group-B rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reviewer.config import Config
from reviewer.evaluation.cases import Case, Expected, load_case
from reviewer.evaluation.matching import match_one_to_one, resolve_table, spec_matches
from reviewer.models import Finding


@dataclass
class Score:
    case: Case
    titles: list[str]
    categories: tuple[str, ...]
    found: list[tuple[str, Finding]] = field(default_factory=list)  # (table title, finding)
    matched: list[tuple[Expected, Finding]] = field(default_factory=list)
    missed: list[Expected] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)  # annotations naming no single table
    extra: list[tuple[str, Finding]] = field(default_factory=list)  # findings no annotation covers
    violated: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not any(e.category in self.categories for e in self.case.expected)


def show(f: Finding) -> str:
    """One line per finding in assertion messages."""
    return f"{f.rule} {f.severity} [{f.indicator or f.location}] {f.message}"


def load_cases(folder: Path) -> list[Case]:
    return [load_case(p, folder) for p in sorted(folder.glob("*.case.yaml"))]


def score_case(case: Case, categories: tuple[str, ...]) -> Score:
    """Run extraction and checks on the case's input; match the findings of `categories`."""
    from reviewer.pipeline import check, extract

    config = Config()
    review = check(extract(case.input_path.read_bytes(), case.input_path.name, config), config)
    titles = [t.title for t in review.tables]
    result = Score(case=case, titles=titles, categories=categories)
    per_table = {i: [f for f in t.findings if f.category in categories] for i, t in enumerate(review.tables)}
    result.found = [(titles[i], f) for i, fs in per_table.items() for f in fs]
    by_table: dict[int, list[Expected]] = {}
    for e in (e for e in case.expected if e.category in categories):
        i = resolve_table(e.table, titles)
        if i is None:
            result.unresolved.append(e.table)
            result.missed.append(e)
        else:
            by_table.setdefault(i, []).append(e)
    for n in case.negatives:
        i = resolve_table(n.table, titles)
        if i is None:
            result.unresolved.append(n.table)
            continue
        for f in per_table[i]:
            if (n.category is None or n.category in categories) and spec_matches(n, f):
                result.violated.append(f"{n.describe()} ← {f.rule} {f.message}")
    for i, findings in per_table.items():
        wanted = by_table.get(i, [])
        for e, j in zip(wanted, match_one_to_one(wanted, findings), strict=True):
            if j is None:
                result.missed.append(e)
            else:
                result.matched.append((e, findings[j]))
        # a finding is accounted for when it matches any annotation of its table (two rules
        # reporting one defect, e.g. no comparator and no unit on "26000", are both right)
        result.extra += [(titles[i], f) for f in findings if not any(spec_matches(e, f) for e in wanted)]
    return result
