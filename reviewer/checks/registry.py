"""The rule engine: a Rule base class, the registry, and selection/severity from config.

A rule is a small class with a stable code (IQ…), one category from the findings
contract, a default severity and a docstring in four parts — What it checks,
Why (citing shared/spec/domain.md), Bad, Good — shown by `reviewer explain`.
Adding a rule touches one module of this package and its test.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from reviewer.config import Config
from reviewer.extract.fast import construct
from reviewer.models import Category, Document, Finding, Indicator, Location, Severity, Table, TableKind

CODE_RE = re.compile(r"^IQ\d{3,4}$")
# The fields Rule.finding passes to Finding (all but `id`): the model's set fields.
_FINDING_ARGUMENTS = frozenset(("rule", "category", "severity", "indicator", "location", "evidence", "message",
                                "fix", "at"))


@dataclass
class Context:
    """What every rule may read besides the table it checks."""

    config: Config
    document: Document
    budget_year: int | None
    cache: dict = field(default_factory=dict)  # per-run memo shared by rules

    def memo(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """`compute()`, once per run for `key` (rules share what they derive from a table)."""
        return memoised(self.cache, key, compute)


def memoised(cache: dict, key: tuple, compute: Callable[[], Any]) -> Any:
    """`compute()`, once for `key` in `cache` (a run's Context.cache, for helpers handed only the dict)."""
    try:
        return cache[key]
    except KeyError:
        value = cache[key] = compute()
        return value


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]  # kebab-case, e.g. "vague-target"
    category: ClassVar[Category]
    severity: ClassVar[Severity] = "warning"
    kinds: ClassVar[tuple[TableKind, ...]] = ("project",)
    scope: ClassVar[str] = "table"  # "table": check(table) · "document": check_document(doc)

    def __init__(self, ctx: Context):
        self.ctx = ctx

    def check(self, table: Table) -> Iterable[Finding]:  # pragma: no cover - overridden
        return ()

    def check_document(self, document: Document) -> Iterable[tuple[Table, Finding]]:  # pragma: no cover
        return ()

    def finding(
        self,
        message: str,
        *,
        evidence: str = "",
        indicator: Indicator | str | None = None,
        location: str | None = None,
        at: Location | None = None,
        fix: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """Build a finding of this rule; an Indicator fills name, path and position."""
        name = indicator
        if isinstance(indicator, Indicator):
            name = indicator.level3
            location = location or indicator.path
            at = at or indicator.location
        # Built without validation (a few findings a table, and validating each cost more than
        # the rest of this method): the same model Finding(rule=…, …, at=…) gives, as long as the
        # arguments have the types this signature names; tests/test_checks_perf.py holds them equal.
        return construct(Finding, {
            "id": "",
            "rule": self.code,
            "category": self.category,
            "severity": severity or self.severity,
            "indicator": name,
            "location": location or "",
            "evidence": evidence,
            "message": message,
            "fix": fix,
            "at": at,
        }, set(_FINDING_ARGUMENTS))

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        return cls.doc().splitlines()[0] if cls.__doc__ else cls.name


RULES: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to the registry (codes and names must be unique)."""
    if not CODE_RE.match(cls.code):
        raise ValueError(f"bad rule code {cls.code!r}")
    if cls.code in RULES:
        raise ValueError(f"duplicate rule code {cls.code}")
    doc = cls.doc()
    for part in ("What it checks", "Why", "Bad", "Good"):
        if part not in doc:
            raise ValueError(f"{cls.code} docstring lacks a '{part}' section")
    RULES[cls.code] = cls
    return cls


def all_rules() -> dict[str, type[Rule]]:
    from reviewer.checks import load_rules

    load_rules()
    return dict(sorted(RULES.items(), key=lambda kv: int(kv[0][2:])))


def enabled_rules(config: Config) -> list[type[Rule]]:
    return [r for code, r in all_rules().items() if config.rule_enabled(code)]


def iter_findings(rules: list[Rule], doc: Document) -> Iterator[tuple[int, Finding]]:
    """Yield (table index, finding) for every rule over every table it applies to."""
    index = {id(t): i for i, t in enumerate(doc.tables)}
    for rule in rules:
        if rule.scope == "document":
            for table, f in rule.check_document(doc):
                yield index[id(table)], f
            continue
        for i, table in enumerate(doc.tables):
            if table.kind in rule.kinds:
                for f in rule.check(table):
                    yield i, f
