"""Extraction speed: synthetic tables (benchmarks/synth.py) and the reference sample → Document.

    python benchmarks/bench_extract.py                      # 2,000 tables in 100 files
    python benchmarks/bench_extract.py --tables 400 --checks --profile
    python benchmarks/bench_extract.py --verify-golden /work/notes/golden_head.json --corpus /tmp/syn7

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

Second round (issue #6), measured on a fixed corpus (benchmarks/bench_checks.py's /tmp/syn7, seed
7: 400 tables in 20 files after a warm-up on 10 others; instructions from valgrind callgrind,
the difference between a run with and without the 400 tables):

- extraction: 7.11 M → 6.29 M instructions per table (0.88×); CPU 2.12–2.35 → 2.02–2.06 ms
  per table in three interleaved runs (1,800 tables each) on a shared 2-core machine;
- by stage, before → after (M instructions per table): reading the text into a Grid and freeing
  it 2.23 → 2.10; normalising 0.76 → 0.60; finding the segments 0.72 → 0.65; header fields
  0.81 → 0.70; the indicator tree 1.63 → 1.26.

What changed: a row is split into a _Row in one pass over its texts, with the columns' roles
worked out once per table (indicators._Plan); the clean-row test of normalize_grid answers from
`in` tests and str.isprintable before it falls back to the regex (needs_cleaning); a page mark
is tested only on rows with a single short cell; is_indicator_header joins the texts once; the
nearest 二级 labels are found by bisection; _title_kind is memoised (bounded); the field reader
skips the list and alternating-row tests on rows too short for them. The target of ≤ 1.0 ms per
table is NOT reached: a third of what is left is making and freeing the Grid's pydantic Cells and
Locations (four slot writes through method-wrappers per model; nothing cheaper sets them), and
most of the rest is attribute access on pydantic models, which cannot be specialised because
BaseModel defines __getattr__. Getting there needs a text path that works on plain strings and
builds Cells only for the cells a Document keeps.

Fourth round (issue #6), instructions from valgrind callgrind on 400 tables of /tmp/syn2k (20 files
after a warm-up file, less a run that only warms up): extraction 4.58 M → 4.22 M per table (0.92×).
By change: the pinyin-gloss pattern of normalize starts with its "(" (the same matches, but the
search skips to each "(" instead of trying the lookbehind at every character of the sample)
−80 k; clean_label turns full-width brackets to ASCII with str.replace instead of str.translate
(a translate table pays a failed dict lookup, an exception raised and cleared, for every character
it does not map: about 700 instructions each, on every long value read as a possible label)
−110 k; a text cell keeps its lazily made Location in a slot that starts as None, instead of
learning it is unset from an AttributeError −145 k; the text reader builds its Grid without
re-validating the rows −5 k. Measured and left: Table built without validation (−0.5%, and an
empty row list would then pass silently); a whole-grid clean test before the per-row one (every
synthetic file holds some HTML); a cheaper way to the sample's CJK characters for the
traditional-script test (findall, sub and translate cost the same).

    python benchmarks/bench_extract.py --verify-golden /work/notes/golden_head.json --corpus /tmp/syn7

re-extracts every input of a golden file written by bench_checks.py --write-golden (the same
inputs, through bench_checks.small_inputs / synthetic_inputs) and compares the Documents after the
same JSON round trip, printing the first differences: IDENTICAL for 252 inputs, 2,227 tables.

Fifth round (issue #6), same measure: extraction 4.24 M → 4.10 M instructions per table (−3.3%;
a whole bulk run of /tmp/syn2k −0.7%, its workers −1.0%). Each row's cell texts are gathered
once, by the cleaning pass (normalize.clean_rows returns them, one list per row of the grid),
and handed down to find_segments, the title, header-row and table-text readers, read_fields and
the indicator reader (its body lines, framework detection and row split), which used to gather
them from the cells again, four to six times per row. The lists cannot go stale: after the cleaning pass
nothing assigns a cell's text or a row's cells (a wrapped line is appended to the TextField read
from the cell, not to the cell); rows made later (a header for a bare tree, a repeated title
blanked out) are given their texts as they are made. The functions that tests and other modules
call keep working without the texts: they gather them when not given.
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
    ap.add_argument("--verify-golden", metavar="FILE",
                    help="re-extract the inputs of a bench_checks.py golden file and diff the Documents")
    ap.add_argument("--corpus", help="with --verify-golden: the synthetic corpus the golden file was written from")
    args = ap.parse_args()
    if args.verify_golden:
        raise SystemExit(verify_golden(Path(args.verify_golden), Path(args.corpus) if args.corpus else None))

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


def verify_golden(path: Path, corpus: Path | None) -> int:
    """Extract every input of a golden file (benchmarks/bench_checks.py --write-golden) again, the
    way that script did, and compare the Documents after the same JSON round trip; 1 on a difference."""
    import json

    from bench_checks import small_inputs, synthetic_inputs

    from reviewer.models import Document

    stored = json.loads(path.read_text(encoding="utf-8"))
    want = {e["name"]: e["document"] for e in stored}
    has_synth = any(name.startswith("synth:") for name in want)
    if has_synth and (corpus is None or not corpus.is_dir()):
        print(f"{path} holds a synthetic corpus: pass its folder with --corpus", file=sys.stderr)
        return 2
    start = time.process_time()
    got = small_inputs() if any(not n.startswith("synth:") for n in want) else []
    if has_synth:
        got += synthetic_inputs(corpus, 0, 0, 0)
    spent = time.process_time() - start
    differ, shown = 0, 0
    for name, doc in got:
        if name not in want:
            differ += 1
            print(f"+ {name}: not in the golden file")
            continue
        now = Document.model_validate_json(doc.model_dump_json()).model_dump(mode="json")
        before = want.pop(name)
        if now != before:
            differ += 1
            if shown < 5:
                shown += 1
                print(f"--- {name}")
                for line in _first_differences(before, now):
                    print(f"    {line}")
    for name in want:
        differ += 1
        print(f"- {name}: in the golden file, not extracted now")
    tables = sum(len(d.tables) for _, d in got)
    print(f"verify-golden: {len(got)} inputs, {tables} tables extracted in {spent:.1f} s CPU; "
          f"{'IDENTICAL' if not differ else f'{differ} DIFFER'}")
    return 1 if differ else 0


def _first_differences(want, got, limit: int = 8) -> list[str]:
    """Paths where two JSON values differ, with both values (the first `limit`)."""
    out: list[str] = []

    def walk(a, b, where: str) -> None:
        if len(out) >= limit or a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for k in list(dict.fromkeys([*a, *b])):
                walk(a.get(k, "<absent>"), b.get(k, "<absent>"), f"{where}.{k}")
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{where}[{i}]")
        else:
            shorten = lambda v: (s if len(s := json.dumps(v, ensure_ascii=False)) <= 160 else s[:160] + "…")  # noqa: E731
            out.append(f"{where or '.'}: golden {shorten(a)} ≠ now {shorten(b)}")

    import json

    walk(want, got, "")
    return out


def _timed(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


if __name__ == "__main__":
    main()
