"""Group-B rules on held-out inputs: tables and budget documents none of the rules were written from.

tests/heldout_b/ holds project tables (several provinces, sectors and templates, with full
narratives: 项目概况, 立项依据, 实施计划, 年度绩效目标) and budget-document fragments (预算说明
with 增减/占比 sentences, 三公经费, summary tables with 合计 rows), written the way real ones are
(TSV or text pasted from web pages and PDFs). Each has a `*.case.yaml` in the eval case format
(reviewer/evaluation/cases.py) with the group-B findings a careful reviewer expects, written
before the tool was run on it. About half are clean, including figures that are tricky but right
(rounded percentages, 万元 against 元, last year's figures cited as history, old years in legal
citations, "柜机两台、挂机一台" = 3台, per-person cost × headcount × months).

- defective inputs: every expected group-B finding is reported (recall);
- every input: no group-B warning or error that the annotations do not account for (precision),
  and no finding on a figure the annotations call right (negatives);
- clean inputs: no group-B finding above info.

`python tests/test_heldout_b.py` prints precision and recall per category.
"""

from __future__ import annotations

import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from heldout_scoring import Score, load_cases, score_case
from heldout_scoring import show as _show

from reviewer.evaluation.cases import Case

HELDOUT = Path(__file__).resolve().parent / "heldout_b"
GROUP_B = ("narrative_mismatch", "cost_inconsistency", "amount_inconsistency", "arithmetic_error",
           "stale_date", "copy_paste")


def cases() -> list[Case]:
    return load_cases(HELDOUT)


@cache
def score(name: str) -> Score:
    return score_case(next(c for c in cases() if c.name == name), GROUP_B)


def _names() -> list[str]:
    return [c.name for c in cases()]


# ---------------------------------------------------------------- the corpus itself


def test_corpus_is_broad_and_balanced():
    all_cases = cases()
    assert len(all_cases) >= 12
    clean = sum(1 for c in all_cases if not c.expected)
    assert 0.35 <= clean / len(all_cases) <= 0.65
    counts = Counter(e.category for c in all_cases for e in c.expected)
    assert all(counts[c] >= 2 for c in GROUP_B), counts
    budget_docs = [c for c in all_cases if c.input_path.suffix == ".txt"]
    assert len(budget_docs) >= 2


@pytest.mark.parametrize("name", _names())
def test_every_file_reads_into_tables(name):
    s = score(name)
    assert s.titles, "no table read"
    assert not s.unresolved, f"annotations name no table: {s.unresolved}; tables: {s.titles}"


# ---------------------------------------------------------------- recall and precision


@pytest.mark.parametrize("name", [c.name for c in cases() if c.expected])
def test_expected_group_b_findings_are_reported(name):
    s = score(name)
    assert not s.missed, "missed: " + "; ".join(f"{e.describe()} ({e.note})" for e in s.missed)


@pytest.mark.parametrize("name", _names())
def test_no_unannotated_group_b_warnings(name):
    s = score(name)
    loud = [f for _, f in s.extra if f.severity != "info"]
    assert not loud, "false alarms: " + "; ".join(_show(f) for f in loud)


@pytest.mark.parametrize("name", _names())
def test_right_figures_stay_quiet(name):
    s = score(name)
    assert not s.violated, "; ".join(s.violated)


@pytest.mark.parametrize("name", [c.name for c in cases() if not c.expected])
def test_clean_inputs_have_no_group_b_finding_above_info(name):
    s = score(name)
    loud = [f for _, f in s.found if f.severity != "info"]
    assert not loud, "; ".join(_show(f) for f in loud)


# ---------------------------------------------------------------- report


def report() -> str:
    """Precision and recall per group-B category over the held-out corpus."""
    tp: Counter = Counter()
    total: Counter = Counter()
    good: Counter = Counter()
    produced: Counter = Counter()
    loud_extra: Counter = Counter()
    lines = []
    for name in _names():
        s = score(name)
        for e in [*(m[0] for m in s.matched), *s.missed]:
            total[e.category] += 1
        for e, _ in s.matched:
            tp[e.category] += 1
        extra_ids = {id(f) for _, f in s.extra}
        for _, f in s.found:
            produced[f.category] += 1
            if id(f) not in extra_ids:
                good[f.category] += 1
        for _, f in s.extra:
            if f.severity != "info":
                loud_extra[f.category] += 1
        lines.append(f"{name}: {len(s.matched)}/{len(s.matched) + len(s.missed)} found, "
                     f"{len(s.extra)} unannotated ({sum(f.severity != 'info' for _, f in s.extra)} above info)")
        lines += [f"    MISSED {e.describe()} — {e.note}" for e in s.missed]
        lines += [f"    EXTRA  {_show(f)}" for _, f in s.extra]
        lines += [f"    NEGATIVE {v}" for v in s.violated]
    lines.append("")
    lines.append(f"{'category':22} {'recall':>10} {'precision':>10} {'prec.(≥warn)':>13}")
    for cat in (*GROUP_B, "all"):
        def pick(c: Counter) -> int:
            return sum(c.values()) if cat == "all" else c[cat]

        lines.append(f"{cat:22} {pick(tp)}/{pick(total):<8} {pick(good)}/{pick(produced):<8} "
                     f"{pick(produced) - pick(loud_extra)}/{pick(produced)}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(report() + "\n")
