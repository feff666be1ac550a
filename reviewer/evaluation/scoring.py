"""Scores: per-case outcomes → precision, recall and F1 per category and per rule, mutation
recall, negatives, and comment scores on the rubric's criteria."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from reviewer.evaluation.cases import Expected
from reviewer.evaluation.matching import Violation
from reviewer.models import CATEGORIES, Finding


@dataclass
class Outcome:
    """One expected finding and what it was matched to."""

    spec: Expected
    finding: Finding | None
    table_found: bool = True

    @property
    def matched(self) -> bool:
        return self.finding is not None


@dataclass
class CommentScore:
    table: str
    text: str
    scores: dict[str, float]  # criterion id → 0 / 0.5 / 1
    weighted: float
    reference_overlap: float | None = None
    judge: dict[str, float] | None = None
    judge_error: str | None = None


@dataclass
class CaseResult:
    name: str
    kind: str  # "annotated" | "mutation"
    origin: str = "real"
    full: bool = True
    operator: str | None = None
    description: str = ""
    outcomes: list[Outcome] = field(default_factory=list)
    false_positives: list[tuple[str, Finding]] = field(default_factory=list)  # (table, finding)
    violations: list[tuple[str, Violation]] = field(default_factory=list)
    negatives: int = 0
    negative_specs: list = field(default_factory=list)
    produced: int = 0  # findings in the scored tables (the delta, for a mutation)
    matched_produced: int = 0
    comments: dict[str, list[CommentScore]] = field(default_factory=dict)  # drafter → scores
    missing_tables: list[str] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return sum(o.matched for o in self.outcomes)


def _prf(tp_full: int, fp: int, tp: int, expected: int) -> dict:
    """Precision over fully annotated cases (tp_full, fp); recall over every case (tp, expected)."""
    precision = None if tp_full + fp == 0 else tp_full / (tp_full + fp)
    recall = None if expected == 0 else tp / expected
    f1 = None
    if precision is not None and recall is not None:
        f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1}


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def aggregate(results: list[CaseResult], rule_codes: list[str]) -> dict:
    """Everything the reports and the baseline need, as plain data."""
    annotated = [r for r in results if r.kind == "annotated"]
    mutations = [r for r in results if r.kind == "mutation"]

    # ---- annotated cases, per category
    cat = {c: {"expected": 0, "matched": 0, "matched_full": 0, "fp": 0} for c in CATEGORIES}
    for r in annotated:
        for o in r.outcomes:
            cat[o.spec.category]["expected"] += 1
            if o.matched:
                cat[o.spec.category]["matched"] += 1
                if r.full:
                    cat[o.spec.category]["matched_full"] += 1
        for _, f in r.false_positives:
            cat[f.category]["fp"] += 1
    categories = {}
    for c, v in cat.items():
        if v["expected"] or v["fp"]:
            categories[c] = {**v, **_prf(v["matched_full"], v["fp"], v["matched"], v["expected"])}
    tp = sum(v["matched"] for v in cat.values())
    tp_full = sum(v["matched_full"] for v in cat.values())
    fp = sum(v["fp"] for v in cat.values())
    expected = sum(v["expected"] for v in cat.values())
    micro = _prf(tp_full, fp, tp, expected)
    macro = {k: _mean(v[k] for v in categories.values()) for k in ("precision", "recall", "f1")}

    # ---- per rule (annotated and mutation matches both count toward "matched")
    rules = {code: {"matched": 0, "matched_annotated": 0, "matched_full": 0, "matched_mutation": 0, "fp": 0,
                    "attributed": 0, "attributed_matched": 0} for code in rule_codes}

    def rule_row(code: str) -> dict:
        return rules.setdefault(code, {"matched": 0, "matched_annotated": 0, "matched_full": 0,
                                       "matched_mutation": 0, "fp": 0, "attributed": 0,
                                       "attributed_matched": 0})

    for r in results:
        for o in r.outcomes:
            if o.matched:
                row = rule_row(o.finding.rule)
                row["matched"] += 1
                row["matched_mutation" if r.kind == "mutation" else "matched_annotated"] += 1
                if r.kind == "annotated" and r.full:
                    row["matched_full"] += 1
            owner = o.spec.rule or (o.finding.rule if o.matched else None)
            if owner and r.kind == "annotated":
                row = rule_row(owner)
                row["attributed"] += 1
                row["attributed_matched"] += int(o.matched and o.finding.rule == owner)
        if r.kind == "annotated":
            for _, f in r.false_positives:
                rule_row(f.rule)["fp"] += 1
    for code, row in rules.items():
        scores = _prf(row["matched_full"], row["fp"], row["attributed_matched"], row["attributed"])
        row.update(scores)
    rules = dict(sorted(rules.items(), key=lambda kv: (len(kv[0]), kv[0])))

    # ---- mutations
    mut_cat: dict[str, dict] = defaultdict(lambda: {"injected": 0, "detected": 0})
    mut_op: dict[str, dict] = defaultdict(lambda: {"injected": 0, "detected": 0})
    delta_fp = delta_tp = 0
    for r in mutations:
        for o in r.outcomes:
            mut_cat[o.spec.category]["injected"] += 1
            mut_cat[o.spec.category]["detected"] += int(o.matched)
            mut_op[r.operator or "?"]["injected"] += 1
            mut_op[r.operator or "?"]["detected"] += int(o.matched)
        delta_tp += r.matched
        delta_fp += len(r.false_positives)
    for table in (mut_cat, mut_op):
        for v in table.values():
            v["recall"] = v["detected"] / v["injected"] if v["injected"] else None
    injected = sum(v["injected"] for v in mut_cat.values())
    detected = sum(v["detected"] for v in mut_cat.values())
    mutation = {
        "cases": len(mutations),
        "injected": injected,
        "detected": detected,
        "recall": detected / injected if injected else None,
        "macro_recall": _mean(v["recall"] for v in mut_cat.values()),
        "delta_false_positives": delta_fp,
        "precision": None if delta_tp + delta_fp == 0 else delta_tp / (delta_tp + delta_fp),
        "categories": dict(sorted(mut_cat.items())),
        "operators": dict(sorted(mut_op.items())),
    }

    # ---- negatives
    total_neg = sum(r.negatives for r in annotated)
    violated = [(r.name, t, v) for r in annotated for t, v in r.violations]
    negatives = {
        "total": total_neg,
        "violated": len(violated),
        "ok": 1.0 if not total_neg else (total_neg - len(violated)) / total_neg,
        "list": [
            {"case": c, "table": t, "negative": v.negative.describe(), "note": v.negative.note,
             "finding": f"{v.finding.rule} {v.finding.message}"}
            for c, t, v in violated
        ],
    }

    # ---- comments, per drafter
    comments: dict[str, dict] = {}
    drafters = sorted({d for r in annotated for d in r.comments})
    for d in drafters:
        scored = [s for r in annotated for s in r.comments.get(d, [])]
        criteria = sorted({k for s in scored for k in s.scores})
        judged = [s for s in scored if s.judge]
        judge_criteria = sorted({k for s in judged for k in s.judge})
        comments[d] = {
            "count": len(scored),
            "score": _mean(s.weighted for s in scored),
            "criteria": {k: _mean(s.scores.get(k) for s in scored) for k in criteria},
            "reference_overlap": _mean(s.reference_overlap for s in scored),
            "references": sum(s.reference_overlap is not None for s in scored),
        }
        if judged or any(s.judge_error for s in scored):
            comments[d]["judge"] = {
                "judged": len(judged),
                "errors": sum(bool(s.judge_error) for s in scored),
                "score": _mean(_mean(s.judge.values()) for s in judged),
                "criteria": {k: _mean(s.judge.get(k) for s in judged) for k in judge_criteria},
            }

    severity_pairs = [(o.spec.severity, o.finding.severity) for r in annotated for o in r.outcomes
                      if o.matched and o.spec.severity]
    return {
        "findings": {
            "cases": len(annotated),
            "expected": expected,
            "matched": tp,
            "false_positives": fp,
            "micro": micro,
            "macro": macro,
            "categories": categories,
            "severity_agreement": None if not severity_pairs else
            sum(a == b for a, b in severity_pairs) / len(severity_pairs),
        },
        "rules": rules,
        "mutations": mutation,
        "negatives": negatives,
        "comments": comments,
    }


def char_overlap(candidate: str, reference: str) -> float:
    """F1 of character bigrams (a rough closeness of a drafted comment to a reference one)."""

    def grams(s: str) -> dict[str, int]:
        s = "".join(s.split())
        out: dict[str, int] = defaultdict(int)
        for i in range(len(s) - 1):
            out[s[i: i + 2]] += 1
        return out

    a, b = grams(candidate), grams(reference)
    common = sum(min(n, b.get(g, 0)) for g, n in a.items())
    if not common:
        return 0.0
    p, r = common / sum(a.values()), common / sum(b.values())
    return 2 * p * r / (p + r)
