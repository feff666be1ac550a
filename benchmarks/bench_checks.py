"""Checks benchmark and golden snapshot: time `run_checks` per table, and prove speed-ups change nothing.

    python benchmarks/bench_checks.py                          # time: synthetic corpus, sample, real inputs
    python benchmarks/bench_checks.py --corpus /tmp/syn7 --profile
    python benchmarks/bench_checks.py --write-golden /tmp/golden_checks.json [--corpus /tmp/syn7]
    python benchmarks/bench_checks.py --verify /tmp/golden_checks.json

The golden file holds every input's extracted Document next to its findings (every field,
including fix and position), so --verify re-runs only the checks on the stored Documents: a
difference is the checks' doing, never the extractor's. Inputs: eval/cases in every format (the
reference sample and the six real tables among them) and its seeded mutations, tests/heldout,
tests/heldout_b, tests/layouts, and a synthetic corpus (benchmarks/synth.py; --corpus-only for
that alone). The small inputs are also checked with a second config (another budget year, other
tolerances), in the same process, so a memo that leaks between documents or configs shows up
as a difference. After a rule changes on purpose, --write-golden NEW --from-golden OLD checks
OLD's documents again.

Timings hold every document in memory at once, so the garbage collector is told to leave the
loaded documents alone (gc.freeze), as a bulk worker holding one document would; CPU time is
printed next to wall time because wall time on a shared machine wanders.

Measured (2 cores shared with other jobs, load 4; run_checks alone, memos emptied first). The
CPU times wander ±15% between runs, so they are the best of interleaved runs of the two trees;
instruction counts (valgrind --tool=callgrind, collection switched on around the run_checks loop
over the first 20 synthetic files, 400 tables) do not wander:

    checks of commit 159b5b4 (first round)     8.99 M instructions/table   CPU 1.61 ms/table
    second round                               7.40 M instructions/table   CPU 1.49 ms/table

Per rule (M instructions/table, rules run one after another over 10 files; 9.17 → 7.56 in all):
IQ201 2.12 → 1.58 (it runs first of the narrative rules, so it pays for the quantity extraction,
0.50 of it in reviewer.extract.numbers.find_numbers, and for matching quantities to indicators),
IQ901 0.92 → 0.73, IQ1201 0.34 → 0.24, IQ904 0.34 → 0.25, IQ101 0.27 → 0.22, IQ1202 0.19 → 0.05,
IQ504 0.15 → 0.04, IQ304 0.15 → 0.11, IQ1103 0.12 → 0.06; the other 54 rules 4.57 → 4.28.

Third round (instructions of run_checks over 19 files of /tmp/syn7, 380 tables, the collector
frozen and set as in a bulk worker; reference: the same tree with the checks of commit 8e3a5ba):
6.47 → 6.06 M instructions/table (−6.4%; this harness counts fewer than the one above). Most of
it (5.7%) came from imports written inside functions that run per table or per indicator
(`from reviewer.extract.units import unit_family` in is_cost_indicator, misfiled's unit family,
framework_of's taxonomy …): each costs a look-up in sys.modules and the module's spec, 2,000-odd
instructions; they are module imports now. The rest: the narrative fields read once per table by
the dozen rules that read them, findings built without validation (Rule.finding), and numbers'
unit look-up by first character instead of a regex alternation of 225 spellings (which also
saves compiling that regex: 18 M instructions once per process).

Fourth round (instructions of extract + run_checks over 20 files of /tmp/syn7, 400 tables, base
the tree before it): 6.561 → 6.521 G (−0.62%, about 0.5% of a whole bulk run). units.fold used
str.translate with a dict, which looks up every character of the text and, for each one not in
the table, raises and clears a KeyError inside: 38 µs for a 260-character narrative. It now
finds the characters to fold with one character class and replaces only those (6 µs).

Fifth round (callgrind, run_checks over 15 files of /tmp/syn2k, 300 tables, Documents unpickled,
PYTHONHASHSEED=0; base: the same tree with the checks of commit afb9ff7): 4.234 → 4.182 G in all,
−173 k instructions a table (about 2.7% of the checks, 1% of a whole bulk run). _document_common
(the strings IQ901 and IQ903 treat as shared by all projects) searched every project's text for all
~90 four-character heads of the names' pieces and extended every hit, own name included; a piece's
count of texts decides only when it reaches half the other projects, so a head is now searched for
only when its occurrences in all the texts together could get there (9 heads of 92 on average):
−139 k a table. IQ1106 caches its item names (−36 k). Measured and dropped: finding the runs of
name characters with a character-class regex per document (compiling a class of ~75 CJK
characters costs more than the search it saves); a "[…][…]{3,}" form of it (a leading set lets re
skip in C) only helps once compiled.
Round 4b (the long tail): every indicator's canonical (一级, 二级) is computed once per table and
framework (common.indicator_levels) for IQ101-IQ105, IQ1001-IQ1006 and IQ304/305/307, which each
placed every indicator again, and IQ101/IQ102/IQ104 share their printed slots' levels: −87 k
instructions a table (1.8% of the checks).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import generate  # noqa: E402

from reviewer.config import Config  # noqa: E402
from reviewer.models import Document, Review  # noqa: E402

SAMPLE = ROOT / "eval" / "cases" / "jiyuan_housing_fund_2021.txt"  # the repo's copy of the reference input
INPUT_SUFFIXES = {".txt", ".tsv", ".csv", ".md", ".html", ".htm", ".xlsx", ".docx"}
OTHER_CONFIG = {"budget_year": 2020, "min_level3": 5,
                "tolerances": {"cost_relative": 0.1, "amount_abs_wan": 0.5, "percent_abs": 1.0}}


# ---------------------------------------------------------------- inputs


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith("README")
                  and ".source." not in p.name)


def small_inputs() -> list[tuple[str, Document]]:
    """(name, document) of every hand-made and real input, and the eval mutations."""
    from reviewer.errors import InputError
    from reviewer.evaluation.harness import prepare
    from reviewer.pipeline import extract

    prepared = prepare(ROOT / "eval" / "cases")
    out = [(f"eval:{name}", doc) for name, doc in prepared.documents.items()]
    out += [(f"mutation:{k}", d) for k, d in prepared.mutation_documents.items() if d is not None]
    paths = [*_files(ROOT / "tests" / "heldout"), *_files(ROOT / "tests" / "heldout_b"),
             *_files(ROOT / "tests" / "layouts")]
    for p in paths:
        try:
            out.append((str(p.relative_to(p.parents[1])), extract(p.read_bytes(), p.name)))
        except InputError as e:
            print(f"skipped {p}: {e}", file=sys.stderr)
    return out


def synthetic_inputs(folder: Path | None, tables: int, files: int, seed: int) -> list[tuple[str, Document]]:
    from reviewer.pipeline import extract

    if folder is None or not folder.exists():
        folder = folder or Path(tempfile.mkdtemp(prefix="bench-checks-"))
        generate(folder, tables, files, seed)
    return [(f"synth:{p.relative_to(folder)}", extract(p.read_bytes(), p.name)) for p in _files(folder)]


# ---------------------------------------------------------------- snapshot


def snapshot(review: Review) -> list[dict]:
    """Every finding of every table, field for field (the contract plus fix and position)."""
    out = []
    for t in review.tables:
        out.append({
            "title": t.title, "kind": t.kind, "verdict": t.verdict,
            "findings": [{**f.contract(), "fix": f.fix,
                          "at": f.at.model_dump(exclude_none=True) if f.at else None} for f in t.findings],
        })
    return out


def run_all(entries: list[dict]) -> list[dict]:
    """Check every stored document under each config the entry names; the default config first."""
    from reviewer.checks import run_checks

    results: list[dict] = [{} for _ in entries]
    for label, cfg in (("default", Config()), ("other", Config.model_validate(OTHER_CONFIG))):
        for entry, res in zip(entries, results, strict=True):
            if label in entry["reviews"]:
                res[label] = snapshot(run_checks(entry["doc"], cfg))
    return results


def write_golden(path: Path, args) -> None:
    if args.from_golden:  # the same documents, checked again (a rule changed on purpose)
        entries = _read_golden(Path(args.from_golden))
    else:
        entries = [] if args.corpus_only else [{"name": n, "doc": d, "reviews": {"default": None, "other": None}}
                                               for n, d in small_inputs()]
        folder = Path(args.corpus) if args.corpus else None
        entries += [{"name": n, "doc": d, "reviews": {"default": None}}
                    for n, d in synthetic_inputs(folder, args.tables, args.files, args.seed)]
        # Round-trip every document through JSON first: --verify checks what the file holds.
        for e in entries:
            e["doc"] = Document.model_validate_json(e["doc"].model_dump_json())
    for e, res in zip(entries, run_all(entries), strict=True):
        e["reviews"] = res
    data = [{"name": e["name"], "document": e["doc"].model_dump(mode="json"), "reviews": e["reviews"]}
            for e in entries]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    n_find = sum(len(t["findings"]) for e in entries for r in e["reviews"].values() for t in r)
    print(f"golden: {len(entries)} inputs, {n_find} findings → {path}")


def _read_golden(path: Path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [{"name": d["name"], "doc": Document.model_validate(d["document"]), "reviews": d["reviews"]}
            for d in data]


def verify(path: Path) -> int:
    entries = _read_golden(path)
    t = time.perf_counter()
    results = run_all(entries)
    elapsed = time.perf_counter() - t
    bad = 0
    for e, got in zip(entries, results, strict=True):
        for label, want in e["reviews"].items():
            if got[label] != want:
                bad += 1
                if bad <= 5:
                    _show_diff(e["name"], label, want, got[label])
    n_tables = sum(len(e["doc"].tables) for e in entries)
    print(f"verify: {len(entries)} inputs, {n_tables} tables, {elapsed:.1f} s of checks; "
          f"{'IDENTICAL' if not bad else f'{bad} reviews DIFFER'}")
    return 1 if bad else 0


def _show_diff(name: str, label: str, want: list[dict], got: list[dict]) -> None:
    print(f"--- {name} [{label}]")
    for i, (w, g) in enumerate(zip(want, got)):
        if w == g:
            continue
        ws = [json.dumps(f, ensure_ascii=False, sort_keys=True) for f in w["findings"]]
        gs = [json.dumps(f, ensure_ascii=False, sort_keys=True) for f in g["findings"]]
        print(f"  table {i} {w['title']!r}: verdict {w['verdict']} → {g['verdict']}")
        for s in ws:
            if s not in gs:
                print(f"    - {s[:300]}")
        for s in gs:
            if s not in ws:
                print(f"    + {s[:300]}")
        if sorted(ws) == sorted(gs):
            print("    (same findings, other order)")
    if len(want) != len(got):
        print(f"  {len(want)} tables → {len(got)}")


# ---------------------------------------------------------------- timing


def warm_up(doc: Document) -> None:
    """Load the rules, lexicons, taxonomy and pypinyin outside the timing, and freeze what is
    loaded: a bulk worker holds one document at a time, while here every document is in memory
    and the garbage collector would walk them all again and again."""
    from reviewer.checks import run_checks

    run_checks(doc)
    gc.collect()
    gc.freeze()


def clear_memos() -> None:
    """Empty the rules' bounded memos (lru_cache), so a timing starts as a fresh worker would."""
    import importlib
    import pkgutil

    import reviewer.checks as package

    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            info_of = getattr(value, "cache_info", None)
            if info_of is not None and info_of().maxsize is not None:
                value.cache_clear()


def time_checks(label: str, docs: list[Document], repeat: int = 1) -> float:
    """Best of `repeat` runs, each from empty memos."""
    from reviewer.checks import run_checks

    n_tables = sum(len(d.tables) for d in docs)
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        clear_memos()
        t, c = time.perf_counter(), time.process_time()
        for d in docs:
            run_checks(d)
        best, best_cpu = min(best, time.perf_counter() - t), min(best_cpu, time.process_time() - c)
    print(f"{label:<28} {n_tables:>6} tables  {best:7.2f} s  {1000 * best / n_tables:7.3f} ms/table  "
          f"{n_tables / best:8.0f} tables/s  (CPU {1000 * best_cpu / n_tables:.3f} ms/table)")
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", type=int, default=2000)
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--corpus", help="a synthetic corpus folder (made here when missing)")
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs")
    ap.add_argument("--profile", action="store_true", help="cProfile the synthetic run; print the top 40")
    ap.add_argument("--write-golden", metavar="FILE")
    ap.add_argument("--from-golden", metavar="FILE", help="with --write-golden: reuse this file's documents")
    ap.add_argument("--corpus-only", action="store_true", help="with --write-golden: the synthetic corpus alone")
    ap.add_argument("--verify", metavar="FILE", help="re-check the golden file's documents and diff")
    args = ap.parse_args()

    if args.write_golden:
        write_golden(Path(args.write_golden), args)
        return
    if args.verify:
        raise SystemExit(verify(Path(args.verify)))

    folder = Path(args.corpus) if args.corpus else None
    synth_docs = [d for _, d in synthetic_inputs(folder, args.tables, args.files, args.seed)]
    small = [d for _, d in small_inputs()]
    from reviewer.pipeline import extract

    sample = extract(SAMPLE.read_bytes(), SAMPLE.name)
    warm_up(sample)
    if args.profile:
        import cProfile
        import pstats

        from reviewer.checks import run_checks

        clear_memos()
        prof = cProfile.Profile()
        prof.enable()
        for d in synth_docs:
            run_checks(d)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        return
    time_checks("synthetic corpus", synth_docs, args.repeat)
    time_checks("reference sample", [sample], args.repeat)
    time_checks("real + held-out + mutations", small, args.repeat)


if __name__ == "__main__":
    main()
