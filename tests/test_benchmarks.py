"""The bulk benchmark runs end to end and measures the memory of the whole process tree."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))
from bench_bulk import _tree_rss_kb_scan, tree_rss_kb  # noqa: E402


def test_tree_memory_counts_children_like_a_full_scan():
    children = [subprocess.Popen([sys.executable, "-c", "import time; x = bytearray(30_000_000); time.sleep(5)"])
                for _ in range(2)]
    try:
        time.sleep(1.0)
        walked, scanned = tree_rss_kb(os.getpid()), _tree_rss_kb_scan(os.getpid())
        assert walked > 2 * 29_000  # both children's 30 MB are counted
        assert abs(walked - scanned) < 0.1 * scanned
    finally:
        for c in children:
            c.kill()
            c.wait()


def test_bulk_benchmark_runs_and_reports(tmp_path):
    done = subprocess.run([sys.executable, str(BENCH / "bench_bulk.py"), "--tables", "40", "--files", "4",
                           "--jobs", "2"], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 run(s) of 40 tables (4 files, 0 failed)" in done.stdout
    assert "tables/s" in done.stdout and "peak RSS" in done.stdout
