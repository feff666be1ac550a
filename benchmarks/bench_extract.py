"""Extraction speed: synthetic tables (benchmarks/synth.py) and the reference sample → Document.

    python benchmarks/bench_extract.py                      # 2,000 tables in 100 files
    python benchmarks/bench_extract.py --tables 400 --checks --profile

Prints tables per second and milliseconds per table for extraction alone (read the
bytes, normalise, split and build the tables), measured on a first pass over fresh
files after a warm-up on other files, as in a long `reviewer bulk` run where the
caches of one worker serve many files; with --checks, the cost of
reviewer.checks.run_checks per table on the same documents; with --profile, the
functions that take the most time. CPU time (process_time) is reported: wall time
on a shared machine varies with other load.

Measured on the 2-core build machine, before → after the speed work (timings there
vary by ±30% with other load; instruction counts from valgrind are steady):

- synthetic files, extraction: 0.61× the instructions per table (11.8 M → 7.3 M);
  2.0–2.9× the tables per second in three interleaved runs of this script;
- reading alone (bytes → Grid): 0.55× the instructions (4.5 M → 2.4 M per table);
- the reference sample (15 tables, warm): 1.6–1.7× faster;
- find_numbers on a long narrative: 2.5–3× faster uncached; checks that read the same
  narrative again get it from a cache.

What changed: parse_target / parse_amount / find_numbers remember their answers
(callers get copies of the pydantic results); cells, locations, indicators, slots and
text fields are built without re-validating values that are already of the right
type (reviewer/extract/fast.py); the cyclic collector is paused while a file is read
and resumes once only the Document is left; the numbers scanner tests one character
before trying its fourteen branches; clean rows skip per-cell cleaning; regexes used
per cell are compiled once.

Extraction results are unchanged by the speed work (every Document of the sample,
the real and held-out tables, the eval cases and synthetic files compared equal);
tests/test_extract_fast.py holds the fast paths to their validated equivalents.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "eval" / "cases" / "jiyuan_housing_fund_2021.txt"


def _files(folder: Path) -> list[tuple[bytes, str]]:
    return [(p.read_bytes(), str(p)) for p in sorted(folder.rglob("*.tsv"))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", type=int, default=2000)
    ap.add_argument("--files", type=int, default=None, help="default: one file per 20 tables")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--checks", action="store_true", help="also time run_checks on the documents")
    ap.add_argument("--profile", action="store_true", help="print the 30 costliest functions of extraction")
    args = ap.parse_args()

    from reviewer.config import Config
    from reviewer.extract import load_document

    config = Config()
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        warm, main_set = Path(tmp, "warm"), Path(tmp, "main")
        generate(warm, 100, 5, seed=args.seed + 1000)
        generate(main_set, args.tables, args.files or max(1, args.tables // 20), seed=args.seed)
        for data, name in _files(warm):  # imports, taxonomy, regexes, caches
            load_document(data, name, config)
        inputs = _files(main_set)

        docs = []
        start = time.process_time()
        for data, name in inputs:
            docs.append(load_document(data, name, config))
        spent = time.process_time() - start
        tables = sum(len(d.tables) for d in docs)
        print(f"extraction   {tables} tables in {len(inputs)} files: {spent:.2f} s CPU, "
              f"{tables / spent:.0f} tables/s, {spent / tables * 1000:.3f} ms/table")

        if SAMPLE.is_file():
            data = SAMPLE.read_bytes()
            sample_tables = len(load_document(data, SAMPLE.name, config).tables)
            best = min(_timed(lambda: load_document(data, SAMPLE.name, config)) for _ in range(10))
            print(f"sample       {sample_tables} tables: {best * 1000:.1f} ms per document, "
                  f"{best / sample_tables * 1000:.3f} ms/table (best of 10)")

        if args.checks:
            from reviewer.checks import load_rules, run_checks

            load_rules()
            run_checks(docs[0], config)
            start = time.process_time()
            for doc in docs:
                run_checks(doc, config)
            spent = time.process_time() - start
            print(f"run_checks   {spent:.2f} s CPU, {spent / tables * 1000:.3f} ms/table")

        if args.profile:
            import cProfile
            import pstats

            generate(Path(tmp, "profile"), min(args.tables, 400), 20, seed=args.seed + 2000)
            profiled = _files(Path(tmp, "profile"))
            profiler = cProfile.Profile()
            profiler.enable()
            for data, name in profiled:
                load_document(data, name, config)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def _timed(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


if __name__ == "__main__":
    main()
