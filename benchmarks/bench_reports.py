"""Report-side benchmark: offline drafting and review.xlsx, in CPU milliseconds per table.

    python benchmarks/bench_reports.py                          # 2,000 synthetic tables
    python benchmarks/bench_reports.py --tables 500 --repeat 5
    python benchmarks/bench_reports.py --reviews golden_drafts.json   # stored bulk records (workbook only)
    python benchmarks/bench_reports.py --baseline-xlsx old_xlsx.py    # also an older writer, interleaved

Synthetic tables (benchmarks/synth.py) are extracted and checked once, untimed; then
`draft_comments(offline=True)` is timed on the checked reviews, and the workbook writer
on the drafted reviews after the bulk journal's JSON round trip (as `reviewer bulk`
feeds it). `--reviews` takes a JSON object of bulk records ({name: dump_review text})
instead; those hold only the table snapshot the reports need, so drafting is not timed
on them. `--baseline-xlsx FILE` loads another version of reviewer/report/xlsx.py
and times its XlsxWriter in turn with the current one (runs interleaved, best of
`--repeat`), since timings on a shared machine wander.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import generate  # noqa: E402

from reviewer.config import Config  # noqa: E402
from reviewer.models import Review  # noqa: E402


def synthetic_reviews(tables: int, seed: int) -> list[tuple[str, Review]]:
    """Checked (not yet drafted) reviews of `tables` synthetic tables, 20 tables a file."""
    from reviewer.pipeline import check, extract

    config = Config()
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as folder:
        generate(folder, tables, max(1, tables // 20), seed)
        out = []
        for path in sorted(Path(folder).rglob("*.tsv")):
            name = str(path.relative_to(folder))
            out.append((name, check(extract(path.read_bytes(), name, config), config)))
    return out


def stored_reviews(path: Path, tables: int) -> list[tuple[str, Review]]:
    """Bulk records from a JSON object {name: review JSON}, repeated until `tables` tables."""
    from reviewer.bulk import load_review

    records = json.loads(path.read_text(encoding="utf-8"))
    reviews = [(name, load_review(json.loads(text))) for name, text in records.items()]
    if not any(r.tables for _, r in reviews):
        return reviews
    out, count = [], 0
    for i, (name, review) in enumerate(itertools.cycle(reviews)):
        if count >= tables:
            break
        out.append((f"{i // len(reviews)}/{name}", review))
        count += len(review.tables)
    return out


def load_writer(path: Path):
    spec = importlib.util.spec_from_file_location("baseline_xlsx", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.XlsxWriter


def forget_drafting_memos() -> None:
    """Empty the bounded memos of the offline drafter (not the loaded rubric and suggestion library)."""
    from reviewer.drafting import grounding, offline

    for module in (grounding, offline):
        for name, obj in vars(module).items():
            if hasattr(obj, "cache_clear") and not name.startswith("load_"):
                obj.cache_clear()
    if hasattr(offline, "_ranks"):
        offline._ranks = (None, {})


def cpu(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--reviews", type=Path, help="JSON object of bulk records {name: review JSON}")
    ap.add_argument("--baseline-xlsx", type=Path, help="another version of reviewer/report/xlsx.py to compare")
    args = ap.parse_args()

    from reviewer.bulk import dump_review, load_review
    from reviewer.drafting import draft_comments
    from reviewer.report.xlsx import XlsxWriter

    config = Config()
    t = time.perf_counter()
    if args.reviews:
        drafted = stored_reviews(args.reviews, args.tables)
        checked = None
    else:
        checked = synthetic_reviews(args.tables, args.seed)
        drafted = [(name, load_review(json.loads(dump_review(draft_comments(r, config, offline=True)))))
                   for name, r in checked]
    n_tables = sum(len(r.tables) for _, r in drafted)
    n_issues = sum(len(t.findings) for _, r in drafted for t in r.tables)
    print(f"{n_tables} tables, {n_issues} findings in {len(drafted)} files, prepared in "
          f"{time.perf_counter() - t:.1f} s")
    gc.collect()
    gc.freeze()  # the prepared reviews stay alive: keep the collector off them, as a bulk run would

    def per_table(seconds: float) -> str:
        return f"{seconds / n_tables * 1000:.3f} ms/table"

    if checked is not None:
        def draft() -> None:
            forget_drafting_memos()  # each repeat starts cold, as a bulk worker meeting new tables
            for _, r in checked:
                draft_comments(r, config, offline=True)

        best = min(cpu(draft) for _ in range(args.repeat))
        print(f"offline drafting   {per_table(best)}")

    writers = {"xlsx (current)": XlsxWriter}
    if args.baseline_xlsx:
        writers[f"xlsx ({args.baseline_xlsx.name})"] = load_writer(args.baseline_xlsx)
    best_times = dict.fromkeys(writers, float("inf"))
    sizes = {}
    with tempfile.TemporaryDirectory(prefix="bench-xlsx-") as folder:
        for _ in range(args.repeat):
            for label, cls in writers.items():
                path = Path(folder) / "review.xlsx"

                def write(cls=cls, path=path):
                    writer = cls(path)
                    for name, review in drafted:
                        writer.add(name, review)
                    writer.close()

                best_times[label] = min(best_times[label], cpu(write))
                sizes[label] = path.stat().st_size
    for label in writers:
        print(f"{label:18} {per_table(best_times[label])}  ({sizes[label] / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
