"""The committed baseline (eval/baseline.json) and the two gates: thresholds and regressions.

The baseline keeps counts, not only rates, so a regression can be named exactly:
"IQ203 narrative_mismatch: matched 3 → 0". `--bless` is the only way to move it.
"""

from __future__ import annotations

import json
from pathlib import Path

from reviewer.errors import ConfigError
from reviewer.evaluation.cases import CaseError
from reviewer.models import CATEGORIES

FORMAT = 1
SCORE_TOLERANCE = 0.005  # comment scores may move this much without counting as a fall


def snapshot(agg: dict, rule_categories: dict[str, str]) -> dict:
    """The numbers the gate compares, from an aggregate (see scoring.aggregate)."""
    f = agg["findings"]
    return {
        "format": FORMAT,
        "categories": {c: {k: v[k] for k in ("expected", "matched", "fp")} for c, v in f["categories"].items()},
        "rules": {
            code: {"category": rule_categories.get(code, ""), "matched": v["matched"], "fp": v["fp"]}
            for code, v in agg["rules"].items()
        },
        "mutations": {c: {k: v[k] for k in ("injected", "detected")} for c, v in agg["mutations"]["categories"].items()},
        "negatives": {"total": agg["negatives"]["total"], "violated": agg["negatives"]["violated"]},
        "comments": {
            d: {"count": v["count"], "score": _round(v["score"]),
                "criteria": {k: _round(x) for k, x in v["criteria"].items()}}
            for d, v in agg["comments"].items()
        },
        "summary": {
            "precision": _round(f["micro"]["precision"]),
            "recall": _round(f["micro"]["recall"]),
            "f1": _round(f["micro"]["f1"]),
            "mutation_recall": _round(agg["mutations"]["recall"]),
        },
    }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def read_baseline(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise CaseError(f"cannot read baseline {path}: {e}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CaseError(f"baseline {path} has an unknown format; write a new one with --bless")
    return data


def write_baseline(path: Path, snap: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(snap, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def regressions(current: dict, baseline: dict) -> list[str]:
    """What fell (or rose, for false positives and violated negatives) since the baseline."""
    out: list[str] = []
    for c, old in baseline.get("categories", {}).items():
        new = current["categories"].get(c, {"matched": 0, "fp": 0})
        if new["matched"] < old["matched"]:
            out.append(f"{c}: matched {old['matched']} → {new['matched']}")
        if new["fp"] > old["fp"]:
            out.append(f"{c}: false positives {old['fp']} → {new['fp']}")
    for code, old in baseline.get("rules", {}).items():
        new = current["rules"].get(code, {"matched": 0, "fp": 0})
        label = f"{code} {old.get('category') or new.get('category', '')}".strip()
        if new["matched"] < old["matched"]:
            out.append(f"{label}: matched {old['matched']} → {new['matched']}")
    for c, old in baseline.get("mutations", {}).items():
        new = current["mutations"].get(c, {"injected": 0, "detected": 0})
        if new["injected"] == old["injected"]:
            if new["detected"] < old["detected"]:
                out.append(f"mutation {c}: detected {old['detected']} → {new['detected']} of {old['injected']}")
        elif old["injected"] and new["injected"] and \
                new["detected"] / new["injected"] < old["detected"] / old["injected"] - 1e-9:
            out.append(f"mutation {c}: recall {old['detected']}/{old['injected']} → {new['detected']}/{new['injected']}")
    old_neg, new_neg = baseline.get("negatives", {}), current["negatives"]
    if new_neg["violated"] > old_neg.get("violated", 0):
        out.append(f"negatives violated: {old_neg.get('violated', 0)} → {new_neg['violated']}")
    for drafter, old in baseline.get("comments", {}).items():
        new = current["comments"].get(drafter)
        if new is None:
            continue  # e.g. no --llm replay this time: nothing to compare
        if old.get("score") is not None and (new["score"] or 0) < old["score"] - SCORE_TOLERANCE:
            out.append(f"{drafter} comments score: {old['score']:.3f} → {new['score'] or 0:.3f}")
        for k, v in old.get("criteria", {}).items():
            now = new["criteria"].get(k)
            if v is not None and (now or 0) < v - SCORE_TOLERANCE:
                out.append(f"{drafter} comments {k}: {v:.3f} → {now or 0:.3f}")
    return out


# ---------------------------------------------------------------- thresholds

def threshold_values(agg: dict) -> dict[str, float | None]:
    """Every score a threshold may name (keys of [tool.reviewer.eval_thresholds])."""
    f, m = agg["findings"], agg["mutations"]
    values: dict[str, float | None] = {
        "precision": f["micro"]["precision"],
        "recall": f["micro"]["recall"],
        "f1": f["micro"]["f1"],
        "macro_precision": f["macro"]["precision"],
        "macro_recall": f["macro"]["recall"],
        "macro_f1": f["macro"]["f1"],
        "mutation_recall": m["recall"],
        "mutation_macro_recall": m["macro_recall"],
        "mutation_precision": m["precision"],
        "negatives_ok": agg["negatives"]["ok"],
    }
    for c in CATEGORIES:
        v = f["categories"].get(c, {})
        for k in ("precision", "recall", "f1"):
            values[f"{k}.{c}"] = v.get(k)
        values[f"mutation_recall.{c}"] = m["categories"].get(c, {}).get("recall")
    for drafter, v in agg["comments"].items():
        prefix = "comment" if drafter == "offline" else f"{drafter}_comment"
        values[f"{prefix}_score"] = v["score"]
        for k, x in v["criteria"].items():
            values[f"{prefix}.{k}"] = x
        if "judge" in v:
            values[f"{drafter}_judge_score"] = v["judge"]["score"]
    return values


def known_threshold(key: str) -> bool:
    heads = {"precision", "recall", "f1", "macro_precision", "macro_recall", "macro_f1", "mutation_recall",
             "mutation_macro_recall", "mutation_precision", "negatives_ok", "comment_score", "llm_comment_score",
             "llm_judge_score"}
    if key in heads:
        return True
    head, _, tail = key.partition(".")
    return bool(tail) and head in {"precision", "recall", "f1", "mutation_recall", "comment", "llm_comment"}


def below_thresholds(agg: dict, thresholds: dict[str, float]) -> list[str]:
    """Each configured threshold that a score falls under (a score absent this run is skipped)."""
    unknown = [k for k in thresholds if not known_threshold(k)]
    if unknown:
        raise ConfigError(f"unknown eval threshold {unknown[0]!r}; see eval/README.md for the names")
    values = threshold_values(agg)
    out = []
    for key, floor in sorted(thresholds.items()):
        value = values.get(key)
        if value is not None and value < floor - 1e-12:
            out.append(f"{key} {value:.3f} < threshold {floor:.3f}")
    return out
