"""Document → findings: every enabled rule over every table, then a verdict per table."""

from __future__ import annotations

import importlib
import pkgutil

from reviewer.checks.registry import Context, enabled_rules, iter_findings
from reviewer.config import Config
from reviewer.models import SEVERITY_RANK, Document, Review, TableReview

_LOADED = False


def load_rules() -> None:
    """Import every rule module of this package once (each registers its rules)."""
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    skip = {"registry", "entities", "common"}
    for mod in pkgutil.iter_modules(__path__):
        if mod.name not in skip and not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")


def verdict(findings) -> str:
    """通过 with no warning or error; 修改后通过 with warnings; 退回修改 with an error."""
    worst = max((SEVERITY_RANK[f.severity] for f in findings), default=0)
    return {2: "退回修改", 1: "修改后通过"}.get(worst, "通过")


def run_checks(doc: Document, config: Config | None = None) -> Review:
    config = config or Config()
    year = config.budget_year or doc.budget_year
    ctx = Context(config=config, document=doc, budget_year=year)
    rules = [cls(ctx) for cls in enabled_rules(config)]
    per_table: list[list] = [[] for _ in doc.tables]
    seen: set[tuple] = set()
    for i, f in iter_findings(rules, doc):
        if f.rule in config.severity:
            f.severity = config.severity[f.rule]
        key = (i, f.rule, f.indicator, f.location, f.evidence)
        if key not in seen:
            seen.add(key)
            per_table[i].append(f)
    review = Review(source=doc.source, budget_year=year)
    n = 0
    for table, findings in zip(doc.tables, per_table, strict=True):
        findings.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.rule))
        for f in findings:
            n += 1
            f.id = f"F{n}"
        review.tables.append(
            TableReview(title=table.title, kind=table.kind, verdict=verdict(findings),
                        findings=findings, table=table)
        )
    return review
