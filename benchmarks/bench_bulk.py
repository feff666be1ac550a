"""End-to-end bulk benchmark: synthetic tables → `reviewer bulk --offline` → the four reports.

    python benchmarks/bench_bulk.py                 # 10,000 tables in 500 files
    python benchmarks/bench_bulk.py --runs 5        # median and range of five runs
    python benchmarks/bench_bulk.py --runs 5 --against HEAD~3   # paired with a revision: ratios
    python benchmarks/bench_bulk.py --tables 2000 --files 100 --jobs 2

Prints tables/s, wall time, CPU time and peak memory: the sum of the resident
sets of the run and its worker processes (sampled from /proc every 50 ms), and
the largest single process (getrusage). On a machine whose speed wanders, compare
two versions with --against: runs alternate, and the ratio of each pair is taken.

Measured on the 2-core build machine, 10,000 tables: 63-66 s wall before the bulk speed
work; 17.4-25.3 s after its first round (eleven runs, median 21.2 s). After the second
round, sixteen runs over three hours took 15.5-24.4 s (median 19.5 s; 31-47 s of CPU for the
same work, so the spread is the machine's) and 262 MB peak resident; `--runs 6 --against`
the first round's last commit (e098e3b): wall x0.918, CPU x0.914, and callgrind counts 5.1%
fewer instructions (2,000 tables). What changed, first round: the reports are written while
the workers run instead of after them; the workbook is written as streamed SpreadsheetML
instead of through openpyxl (about 10x cheaper per row); the models skip pydantic's
__getattr__ hook (reviewer/fastattr.py, 15-20% off extraction and checks); YAML data is read
with libyaml and loaded once before the workers fork; checks, extraction and offline drafting
each lost 12-50% of their instructions with identical results. Second round: the garbage
collector runs every 50,000 allocations instead of 700 during a run; journal records travel
as UTF-8 bytes and keep only the header fields that hold an amount; the text reader shares
its models' fields-sets; the readers an input needs are imported before the workers fork.
Third round (callgrind, 2,000 tables: 36.70 G -> 32.71 G instructions, -10.9%; main process -6.9%,
workers -11.8%): Cell is a slotted class and a text cell makes its Location on first read; the
checks import at module level instead of per call and read a table's narrative fields once; the
indicator and field readers pass over the rows fewer times; unit folding, offline drafting's
normalisation and the report writers do less per item. Each tree's bytecode is compiled before
timing: this machine sets PYTHONDONTWRITEBYTECODE=1, so a run used to compile the package from
source in its single-core start-up. Seventeen runs over an hour: 15.4-21.5 s (median 18.2 s),
256 MB peak; the previous round's code, alternated with it, took 17.4-25.7 s.
Measured and dropped in that round: a whole-grid cleanliness test in normalize_grid (the
synthetic and most real grids hold some markup, so it only added a pass); grouping tables by
a rule's kinds in iter_findings (0.04%); a regex alternation or hashed windows for the copy
rules' piece search (2-3x slower than str.find); pyahocorasick (1.5x on _pieces_in alone, not
worth a dependency); passing each row's texts from _body_lines to _split (no gain). Reasoned
out: streaming the xlsx sheets into the zip during the run only moves deflate from the tail
(0.6 s, where the other core is partly idle) into the phase where both cores are busy.
Fourth round (callgrind, 2,000 tables: 32.78 G -> 30.75 G instructions, -6.2%; main process -5.7%,
workers -6.3%): each row's cell texts are gathered once while the grid is cleaned and handed to
every later stage of extraction; str.translate with a dict (which raises and clears a KeyError
inside for every character it does not map) gave way to str.replace or a character class in
label cleaning and target parsing; numeric targets are built without validation; patterns are
tried only where a cheap character test says they can match (pinyin glosses, dates, markers);
the rules share each indicator's canonical levels and the copy rules search only the name heads
that could turn common; the report writers decide escaping with str.isprintable and substring
tests; the cost rules sort a table's unit costs and counts once. Nineteen runs over an hour and a
half, alternated with the third round's code (afb9ff7): 12.7-19.5 s (medians 16.8, 14.1 and
14.6 s in three sets; the third round's code 18.0, 14.7 and 15.7 s), wall x0.96, x0.94 and x0.98
paired, 252 MB peak. Measured and dropped in that round: pydantic's cache_strings off
or "keys" for the journal records (+7%), leaving default fields out of the records (-6% of their
validation, 0.17% of the run), pickled Reviews instead of JSON (unpickling costs 33% more than
validating), NumberSpan built without its dataclass __init__ (same cost: it has slots), zlib
level 1 for the reports (same instructions, larger files), gc.freeze in the main process (0.14%).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import generate  # noqa: E402


_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def tree_rss_kb(root: int) -> int:
    """Resident memory of `root` and all its descendants, from /proc.

    Walks the tree through /proc/PID/task/TID/children (a few files, ~0.1 ms a sample; the
    sampler shares the two cores with the run) and falls back to reading every process's
    status where the kernel lacks that file.
    """
    if not os.path.exists(f"/proc/{root}/task/{root}/children"):
        return _tree_rss_kb_scan(root)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * _PAGE_KB
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    todo.extend(map(int, f.read().split()))
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile
    return total


def _tree_rss_kb_scan(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


REPO = Path(__file__).resolve().parents[1]
REPORTS = ("review.xlsx", "审核意见.docx", "report.html", "review.json")


def run_once(tree: Path, inputs: Path, out: Path, jobs: int | None) -> dict:
    """One `reviewer bulk --offline` run of the package in `tree`: wall, CPU, peak memory, tables."""
    code = f"import sys; sys.path.insert(0, {str(tree)!r}); from reviewer.cli import main; main()"
    cmd = [sys.executable, "-c", code, "bulk", str(inputs), "--out", str(out), "--offline", "--no-progress"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # run outside the repository ("" on sys.path must not pick a tree); the run's summary is not shown
    proc = subprocess.Popen(cmd, cwd=out.parent, stdout=subprocess.DEVNULL)
    peak_tree = 0
    while proc.poll() is None:
        peak_tree = max(peak_tree, tree_rss_kb(proc.pid))
        time.sleep(0.05)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    data = json.loads((out / "review.json").read_text(encoding="utf-8"))
    return {"exit": proc.returncode, "wall": wall,
            "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
            "peak_mb": peak_tree / 1024, "largest_mb": after.ru_maxrss / 1024,
            "tables": len(data["tables"]), "files": len(data["files"]), "failed": len(data["errors"]),
            "sizes": {name: (out / name).stat().st_size / 1e6 for name in REPORTS}}


@contextmanager
def _worktree(rev: str) -> Iterator[Path]:
    """A detached checkout of `rev` of this repository, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="bench-rev-"))
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(path), rev], check=True)
    try:
        yield path
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(path)], check=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", type=int, default=10_000)
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--runs", type=int, default=1, help="runs of each tree (median and range reported)")
    ap.add_argument("--against", metavar="REV",
                    help="also run the package as of this git revision, alternating with this tree, "
                         "and report the ratios (the way to compare on a machine whose speed wanders)")
    ap.add_argument("--keep", action="store_true", help="keep the generated inputs and reports")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
    inputs = work / "in"
    t = time.perf_counter()
    truth = generate(inputs, args.tables, args.files, args.seed)
    print(f"generated {args.tables} tables in {args.files} files ({len(truth)} seeded defects) "
          f"in {time.perf_counter() - t:.1f} s → {work}")

    with ExitStack() as stack:
        trees = {"this tree": REPO}
        if args.against:
            trees[args.against] = stack.enter_context(_worktree(args.against))
        for tree in trees.values():
            # bytecode as an installed package has it (pip compiles at install): without it, a
            # machine with PYTHONDONTWRITEBYTECODE set compiles every module on every run
            compileall.compile_dir(tree / "reviewer", quiet=1)
        results: dict[str, list[dict]] = {name: [] for name in trees}
        for k in range(args.runs):
            for name, tree in trees.items():
                out = work / f"out-{len(results[name])}-{name.replace(' ', '_').replace('/', '_')}"
                r = run_once(tree, inputs, out, args.jobs)
                results[name].append(r)
                print(f"run {k + 1} {name:12} {r['wall']:6.1f} s wall  {r['cpu']:6.1f} s CPU  "
                      f"{r['tables'] / r['wall']:5.0f} tables/s  peak {r['peak_mb']:.0f} MB  exit {r['exit']}")
                if r["tables"] != args.tables:
                    sys.exit(f"{name}: expected {args.tables} tables, got {r['tables']}")
                if not args.keep:
                    shutil.rmtree(out)

    for name, runs in results.items():
        walls, cpus = [r["wall"] for r in runs], [r["cpu"] for r in runs]
        last = runs[-1]
        print(f"\n{name}: {len(runs)} run(s) of {last['tables']} tables ({last['files']} files, {last['failed']} failed)")
        print(f"wall time      median {statistics.median(walls):.1f} s (range {min(walls):.1f}-{max(walls):.1f} s)")
        print(f"tables/s       median {last['tables'] / statistics.median(walls):.0f}")
        print(f"CPU time       median {statistics.median(cpus):.1f} s (all processes; range {min(cpus):.1f}-{max(cpus):.1f} s)")
        print(f"peak RSS       {max(r['peak_mb'] for r in runs):.0f} MB (run + workers), "
              f"largest process {max(r['largest_mb'] for r in runs):.0f} MB")
        for report, size in last["sizes"].items():
            print(f"  {report:14} {size:.1f} MB")
    if args.against:
        mine, theirs = results["this tree"], results[args.against]
        wall_ratio = statistics.median([a["wall"] / b["wall"] for a, b in zip(mine, theirs)])
        cpu_ratio = statistics.median([a["cpu"] / b["cpu"] for a, b in zip(mine, theirs)])
        print(f"\nthis tree / {args.against}: wall x{wall_ratio:.3f}, CPU x{cpu_ratio:.3f} "
              f"(median of {len(mine)} paired runs)")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
