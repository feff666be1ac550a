"""Many inputs → one review: folders, globs, every readable format; parallel and resumable.

Stage 1 (read, extract, check; template drafts too when no model is used) runs
in worker processes, a few files per task. Stage 2 (model drafts) runs in
threads of this process through `draft_comments`, which caches every reply.
Each finished file is appended as one line to `out_dir/journal.jsonl`, keyed by
its path and content hash; a run that is killed and started again skips what
the journal holds, and a torn last line is cut off. The four reports are
written while the run goes on, one file at a time in input order (files of an
earlier run read back from the journal), each to a temporary file renamed into
place at the end.
"""

from __future__ import annotations

import gc
import glob
import hashlib
import itertools
import json
import os
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import pydantic_core

from reviewer.config import Config
from reviewer.errors import InputError
from reviewer.models import Review, Usage

try:
    import fcntl
except ImportError:  # Windows: runs into one folder are not guarded against each other
    fcntl = None

JOURNAL_NAME = "journal.jsonl"
LOCK_NAME = ".bulk.lock"
JOURNAL_VERSION = 1
REPORT_NAMES = {"xlsx": "review.xlsx", "docx": "审核意见.docx", "html": "report.html", "json": "review.json"}
FSYNC_INTERVAL = 0.05  # seconds: journal lines are fsync'd in groups at most this far apart
# What a journal keeps of each table besides the contract: enough for the reports (the
# header fields that hold an amount give the year's amount; reading back the others cost
# the main process more than writing all four reports).
TABLE_SNAPSHOT = {"title", "kind", "framework", "year", "unit_name"}


@dataclass(frozen=True)
class InputFile:
    path: Path  # where to read it
    name: str  # how reports name it: the path as the user wrote it
    sha256: str = ""
    key: str = ""


@dataclass
class BulkResult:
    out_dir: Path
    files: int = 0  # inputs found
    reviewed: int = 0  # reviewed without error (this run or an earlier one)
    resumed: int = 0  # taken from the journal of an earlier, interrupted run
    tables: int = 0
    findings: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "info": 0})
    verdicts: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file, message)
    reports: dict[str, Path] = field(default_factory=dict)  # "xlsx" | "docx" | "html" | "json" → path
    carried_decisions: int = 0  # 处理意见/备注 filled in from --decisions
    usage: Usage | None = None
    seconds: float = 0.0
    inputs: list[InputFile] = field(default_factory=list, repr=False)

    @property
    def exit_code(self) -> int:
        """1 when a file could not be reviewed, else 0."""
        return 1 if self.errors else 0

    def fails_on(self, severity: str) -> bool:
        """Whether a finding is at least as severe as `severity` ("error" | "warning")."""
        if severity == "warning":
            return bool(self.findings["error"] or self.findings["warning"])
        return bool(self.findings["error"])


# ---------------------------------------------------------------- inputs


def _supported(path: str) -> bool:
    """A format the readers take, or an old Office format they refuse with a clear message
    (so a folder's .xls/.doc files are listed as failed, never silently left out)."""
    from reviewer.extract.readers import _OLD_OFFICE, SUFFIXES

    name = os.path.basename(path)
    suffix = os.path.splitext(name)[1].lower()
    return (suffix in SUFFIXES or suffix in _OLD_OFFICE) and not name.startswith(("~$", "."))


def _walk(folder: str, skip: Path | None) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        if JOURNAL_NAME in files and root != folder:
            dirs[:] = []
            continue  # the output folder of an earlier bulk run: its reports are not inputs
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and not (skip and Path(root, d).resolve() == skip))
        for f in sorted(files):
            if _supported(f):
                yield os.path.join(root, f)


def collect_inputs(paths: Iterable[str], exclude: Path | None = None) -> list[InputFile]:
    """Files to review: explicit files as given, folders recursively, globs expanded.

    Folders and globs yield only supported formats; hidden files, Office lock files
    (~$…) and the folder `exclude` (the output folder) are skipped.
    """
    skip = exclude.resolve() if exclude is not None else None
    found: list[str] = []
    for p in paths:
        p = str(p)
        if os.path.isdir(p):
            found.extend(_walk(p, skip))
        elif os.path.isfile(p):
            found.append(p)
        elif glob.has_magic(p):
            matches = sorted(glob.glob(p, recursive=True))
            if not matches:
                raise InputError(f"{p}: no file matches this pattern")
            for m in matches:
                if os.path.isdir(m):
                    found.extend(_walk(m, skip))
                elif _supported(m):
                    found.append(m)
        else:
            raise InputError(f"{p}: no such file or folder")
    out: list[InputFile] = []
    seen: set[Path] = set()
    for f in found:
        real = Path(f).resolve()
        if real in seen or (skip and real.is_relative_to(skip)):
            continue
        seen.add(real)
        out.append(InputFile(path=Path(f), name=os.path.normpath(f)))
    if not out:
        raise InputError(f"no reviewable file in {', '.join(map(str, paths)) or 'the given paths'}")
    return out


def _hashed(item: InputFile) -> InputFile:
    h = hashlib.sha256()
    with open(item.path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return _keyed(item, h.hexdigest())


def _keyed(item: InputFile, sha256: str) -> InputFile:
    """The file with its journal key: its name and its content hash."""
    key = hashlib.sha256(f"{item.name}\0{sha256}".encode()).hexdigest()[:32]
    return InputFile(item.path, item.name, sha256, key)


# ---------------------------------------------------------------- journal records


def dump_review(review: Review) -> bytes:
    """A review as UTF-8 JSON that `load_review` restores, with what reports need beyond the contract."""
    d = review.model_dump(mode="json")
    for td, tr in zip(d["tables"], review.tables, strict=True):
        if tr.table is not None:
            td["table"] = snapshot = tr.table.model_dump(mode="json", include=TABLE_SNAPSHOT)
            snapshot["header"] = {key: {"name": f.name, "text": f.text, "amount": f.amount.model_dump()}
                                  for key, f in tr.table.header.items() if f.amount is not None}
        for fd, f in zip(td["findings"], tr.findings, strict=True):
            if f.at is not None:
                fd["at"] = f.at.model_dump(mode="json", exclude_none=True)
            if f.fix:
                fd["fix"] = f.fix
    return pydantic_core.to_json(d)


def load_review(data: dict) -> Review:
    return Review.model_validate(data)


@dataclass
class _Outcome:
    item: InputFile
    error: str | None = None
    retry: bool = False  # an unexpected failure: try the file again on the next run
    review_json: bytes | None = None  # UTF-8 JSON, ready for the journal
    review: Review | None = None  # checked, still to be drafted by the model
    tables: int = 0
    findings: int = 0
    seconds: float = 0.0

    def line(self) -> bytes:
        head = {"key": self.item.key, "file": self.item.name, "sha256": self.item.sha256,
                "error": self.error, "retry": self.retry, "tables": self.tables,
                "findings": self.findings, "seconds": round(self.seconds, 4)}
        text = json.dumps(head, ensure_ascii=False).encode("utf-8")
        if self.review_json is not None:
            text = text[:-1] + b', "review": ' + self.review_json + b"}"
        return text + b"\n"


def _unexpected(e: BaseException) -> str:
    frames = traceback.extract_tb(e.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"unexpected error: {type(e).__name__}: {e}{where}"


class Journal:
    """An append-only JSONL file of per-file outcomes, the first line naming the run's settings."""

    def __init__(self, path: Path, fingerprint: str):
        self.path = path
        self.fingerprint = fingerprint
        self.index: dict[str, tuple[int, bool]] = {}  # key → (offset of its last line, retry)
        self.fd: int | None = None
        self._reader = None
        self._last_sync = 0.0

    def open(self) -> dict[str, tuple[int, bool]]:
        """Read what an earlier run left (cutting a torn last line), then open for appending."""
        header = json.dumps({"journal": JOURNAL_VERSION, "fingerprint": self.fingerprint}) + "\n"
        if self.path.exists():
            with open(self.path, "rb") as f:
                first = f.readline()
                if not first.endswith(b"\n") or _header_fingerprint(first) != self.fingerprint:
                    f.close()
                    # other settings or another version: keep the old journal aside, start over
                    os.replace(self.path, self.path.with_name(self.path.name + ".previous"))
                else:
                    good = f.tell()
                    while line := f.readline():
                        if not line.endswith(b"\n"):
                            break  # torn by a kill: cut it off below
                        offset, good = good, good + len(line)
                        try:
                            head = json.loads(line)
                            self.index[head["key"]] = (offset, bool(head.get("retry")))
                        except (ValueError, KeyError, TypeError):
                            continue
            if self.path.exists():
                os.truncate(self.path, good)
        new = not self.path.exists()
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        if new:
            self._write(header.encode())
            os.fsync(self.fd)
        return dict(self.index)

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def append(self, outcome: _Outcome) -> None:
        offset = os.lseek(self.fd, 0, os.SEEK_END)
        self._write(outcome.line())
        self.index[outcome.item.key] = (offset, outcome.retry)
        now = time.monotonic()
        if now - self._last_sync >= FSYNC_INTERVAL:
            os.fsync(self.fd)
            self._last_sync = now

    def close(self) -> None:
        self.close_reader()
        if self.fd is not None:
            os.fsync(self.fd)
            os.close(self.fd)
            self.fd = None

    def record(self, key: str) -> dict | None:
        """The last record of `key` (None for a key never journaled)."""
        entry = self.index.get(key)
        if entry is None:
            return None
        if self._reader is None:
            self._reader = open(self.path, "rb")
        self._reader.seek(entry[0])
        return json.loads(self._reader.readline())

    def close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None


@contextmanager
def folder_lock(out_dir: Path) -> Iterator[None]:
    """Hold out_dir for one bulk run at a time (an advisory lock; none on Windows).

    A POSIX record lock belongs to this process alone: worker processes forked
    from it do not hold it, so a run killed with its workers still alive does
    not lock the next run out.
    """
    fd = os.open(out_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise InputError(f"{out_dir}: another bulk run is writing to this folder") from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _header_fingerprint(line: bytes) -> str | None:
    try:
        head = json.loads(line)
        return head.get("fingerprint") if head.get("journal") == JOURNAL_VERSION else None
    except (ValueError, AttributeError):
        return None


def fingerprint(config: Config, model: bool) -> str:
    """What decides a file's result besides its bytes: settings, rules, version, drafter.

    Settings that change no result (eval thresholds, fail_on, model timeouts,
    concurrency, prices, cache folder) are left out, so changing them resumes.
    """
    from importlib.metadata import PackageNotFoundError, version

    from reviewer.checks.registry import enabled_rules
    from reviewer.drafting.settings import model_name

    try:
        v = version("indicator-reviewer")
    except PackageNotFoundError:
        v = "dev"
    settings = config.model_dump(mode="json", exclude={"eval_thresholds", "fail_on", "llm"})
    if model:
        llm = config.llm
        settings["llm"] = {"model": model_name(config), "base_url": llm.base_url,
                           "method": llm.structured_method, "temperature": llm.temperature}
    parts = {"settings": settings, "rules": [r.code for r in enabled_rules(config)], "version": v}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:24]


# ---------------------------------------------------------------- stage 1: worker processes

_WORKER: dict = {}
# The collector's first-generation threshold during a run (the default is 700). Reviewing a
# file allocates much and leaves no reference cycles, yet with the default the collector
# took 7-8% of a worker's time and 8% of the main process's (timed with gc.callbacks);
# cycles that a reader's library makes (openpyxl, pdfminer) are still freed, every 50,000 objects.
YOUNG_COLLECTION = 50_000


def _init_worker(config: Config, draft_offline: bool, names: Iterable[str] = ()) -> None:
    """Import and load, once, what reviewing files of these names needs (before workers fork)."""
    _WORKER.update(config=config, draft=draft_offline)
    import reviewer.pipeline  # noqa: F401
    from reviewer.checks import load_rules
    from reviewer.extract.readers import preload

    preload(list(names))
    load_rules()
    _load_data(draft_offline)


def _load_data(draft_offline: bool) -> None:
    """Read the data files the pipeline otherwise reads on its first file."""
    import reviewer.drafting.settings  # noqa: F401
    from reviewer.checks.common import lexicon
    from reviewer.extract.normalize import converter
    from reviewer.extract.taxonomy import load_taxonomy

    load_taxonomy()
    lexicon("indicator_lexicon")
    converter()  # every document is tested for traditional characters
    if draft_offline:
        from reviewer.drafting.offline import load_suggestions
        from reviewer.drafting.rubric import load_rubric

        load_rubric()
        load_suggestions()


def _init_pool_worker(config: Config, draft_offline: bool, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the main process to handle
    _die_with_parent(parent)
    _init_worker(config, draft_offline)
    gc.set_threshold(YOUNG_COLLECTION, *gc.get_threshold()[1:])


def _die_with_parent(parent: int) -> None:
    """On Linux, end this worker when the run that started it is killed (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took hold
        os._exit(1)


def _review_one(item: InputFile) -> _Outcome:
    from reviewer.pipeline import check, extract

    config: Config = _WORKER["config"]
    start = time.perf_counter()
    out = _Outcome(item)
    try:
        try:
            data = item.path.read_bytes()
        except OSError as e:
            raise InputError(f"{item.name}: cannot read ({e.strerror or e})") from None
        review = check(extract(data, item.name, config), config)
        out.tables = len(review.tables)
        out.findings = sum(len(t.findings) for t in review.tables)
        if _WORKER["draft"]:
            from reviewer.drafting import draft_comments

            out.review_json = dump_review(draft_comments(review, config, offline=True))
        else:
            out.review = review
    except InputError as e:
        out.error = str(e)
    except Exception as e:  # any bug on one file must not stop the run
        out.error, out.retry = _unexpected(e), True
    out.seconds = time.perf_counter() - start
    return out


def _review_chunk(items: list[InputFile]) -> list[_Outcome]:
    return [_review_one(item) for item in items]


def _stage1(todo: list[InputFile], config: Config, draft_offline: bool, jobs: int) -> Iterator[_Outcome]:
    """Outcomes of stage 1 in completion order.

    The worker processes start here, before any progress display thread exists;
    only a few chunks per worker are in flight, so results never pile up.
    """
    names = [item.name for item in todo]
    if jobs <= 1 or len(todo) <= 1:
        _init_worker(config, draft_offline, names)
        return map(_review_one, todo)
    # Import everything here, once: forked workers inherit it. Frozen while they fork, the
    # imported objects stay out of the workers' garbage collections (and their pages shared).
    _init_worker(config, draft_offline, names)
    size = max(1, min(4, len(todo) // (jobs * 16)))
    chunks = iter([todo[i: i + size] for i in range(0, len(todo), size)])
    gc.freeze()
    try:
        pool = ProcessPoolExecutor(jobs, initializer=_init_pool_worker,
                                   initargs=(config, draft_offline, os.getpid()))
        pending = {pool.submit(_review_chunk, c): c for c in itertools.islice(chunks, jobs * 3)}
    finally:
        gc.unfreeze()  # the first submit forked every worker
    return _collect(pool, pending, chunks)


def _collect(pool: ProcessPoolExecutor, pending: dict[Future, list[InputFile]],
             chunks: Iterator[list[InputFile]]) -> Iterator[_Outcome]:
    try:
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                chunk = pending.pop(fut)
                try:
                    outcomes = fut.result()
                except Exception as e:  # a worker died (killed, out of memory …)
                    outcomes = [_Outcome(item, error=_unexpected(e), retry=True) for item in chunk]
                yield from outcomes
                nxt = next(chunks, None)
                if nxt is not None:
                    pending[pool.submit(_review_chunk, nxt)] = nxt
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# ---------------------------------------------------------------- stage 2: model drafts


def _drafted(stage1: Iterator[_Outcome], config: Config, cache_dir: str | None,
             threads: int) -> Iterator[_Outcome]:
    """Draft the checked reviews with the model, a few files at once, as stage 1 delivers them.

    The model's concurrency is shared out between the files drafted at once, so the
    run never sends more requests at a time than `llm.concurrency`.
    """
    from reviewer.drafting import draft_comments

    per_file = max(1, config.llm.concurrency // threads)
    cfg = config.model_copy(update={"llm": config.llm.model_copy(update={"concurrency": per_file})})

    def draft(outcome: _Outcome) -> _Outcome:
        start = time.perf_counter()
        try:
            review = draft_comments(outcome.review, cfg, offline=False, cache_dir=cache_dir)
            outcome.review_json = dump_review(review)
        except Exception as e:
            outcome.error, outcome.retry = _unexpected(e), True
        outcome.review = None
        outcome.seconds += time.perf_counter() - start
        return outcome

    pool = ThreadPoolExecutor(threads, thread_name_prefix="draft")
    pending: set[Future] = set()
    try:
        for outcome in stage1:
            if outcome.review is None:
                yield outcome
            else:
                pending.add(pool.submit(draft, outcome))
            done = {f for f in pending if f.done()}
            if len(pending) >= threads * 2:  # back-pressure: hold few undrafted reviews
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                pending.discard(f)
                yield f.result()
        for f in _as_done(pending):
            yield f.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # on Ctrl-C, do not wait for queued drafts
        if hasattr(stage1, "close"):
            stage1.close()


def _as_done(pending: set[Future]) -> Iterator[Future]:
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        yield from done


# ---------------------------------------------------------------- progress


class _Progress:
    def __init__(self, enabled: bool, total: int, completed: int, console=None):
        self.enabled = enabled
        self.tables = self.findings = self.failed = 0
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn, MofNCompleteColumn, Progress, ProgressColumn, SpinnerColumn, TextColumn,
            TimeElapsedColumn, TimeRemainingColumn,
        )
        from rich.text import Text

        class RateColumn(ProgressColumn):
            def render(self, task) -> Text:
                speed = task.finished_speed or task.speed
                return Text(f"{speed:.1f} 个/秒" if speed else "— 个/秒", style="progress.data.speed")

        self.bar = Progress(
            SpinnerColumn(), TextColumn("[bold]审核"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[tables]} 张表 · {task.fields[findings]} 个问题 · 失败 {task.fields[failed]}"),
            RateColumn(), TimeElapsedColumn(), TextColumn("剩余"), TimeRemainingColumn(),
            console=console or Console(stderr=True), transient=False,
        )
        self.task = self.bar.add_task("files", total=total, completed=completed, tables=0, findings=0,
                                      failed=0)

    def __enter__(self):
        if self.enabled:
            self.bar.start()
        return self

    def advance(self, outcome: _Outcome) -> None:
        self.tables += outcome.tables
        self.findings += outcome.findings
        self.failed += outcome.error is not None
        if self.enabled:
            self.bar.update(self.task, advance=1, tables=self.tables, findings=self.findings,
                            failed=self.failed)

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self.bar.stop()


@contextmanager
def _status(enabled: bool, console, message: str) -> Iterator[None]:
    if not enabled:
        yield
        return
    from rich.console import Console

    with (console or Console(stderr=True)).status(message):
        yield


# ---------------------------------------------------------------- the run


def run_bulk(
    paths: list[str],
    out_dir: Path,
    config: Config,
    *,
    offline: bool | None = None,
    jobs: int | None = None,
    decisions: Path | None = None,
    progress: bool = True,
    cache_dir: str | None = None,
    fresh: bool = False,
    console=None,
) -> BulkResult:
    """Review every input under `paths` into `out_dir` (journal.jsonl and the four reports).

    A rerun with the same settings resumes from the journal; `fresh=True` starts over.
    A file that cannot be reviewed is listed with its error in every report.
    """
    from reviewer.decisions import read_decisions
    from reviewer.drafting import model_configured

    started = time.perf_counter()
    out_dir = Path(out_dir)
    inputs = collect_inputs(paths, exclude=out_dir)
    decided = read_decisions(decisions) if decisions else {}
    out_dir.mkdir(parents=True, exist_ok=True)
    model = not offline and model_configured(config)
    with folder_lock(out_dir):
        journal_path = out_dir / JOURNAL_NAME
        if fresh:
            journal_path.unlink(missing_ok=True)
        journal = Journal(journal_path, fingerprint(config, model))
        earlier = journal.open()
        try:
            result = _run(inputs, earlier, journal, config, model, jobs, cache_dir, decided, progress, console)
        finally:
            journal.close()
    result.seconds = time.perf_counter() - started
    return result


def _run(inputs: list[InputFile], earlier: dict, journal: Journal, config: Config, model: bool,
         jobs: int | None, cache_dir: str | None, decided: dict, progress: bool, console) -> BulkResult:
    """Review what the journal lacks, appending each outcome to it as it comes, and feed
    the reports every file in input order as soon as it and all before it are done."""
    items, unreadable = [], []
    for item in inputs:
        try:
            items.append(_hashed(item))
        except OSError as e:
            item = _keyed(item, "unreadable")
            items.append(item)
            unreadable.append(_Outcome(item, error=f"{item.name}: cannot read ({e.strerror or e})", retry=True))
    failed_now = {o.item.key for o in unreadable}
    todo = [i for i in items if i.key not in failed_now and (i.key not in earlier or earlier[i.key][1])]
    resumed = len(items) - len(todo) - len(unreadable)
    result = BulkResult(out_dir=journal.path.parent, files=len(items), resumed=resumed, inputs=items)
    jobs = max(1, jobs or os.cpu_count() or 1)
    outcomes = _stage1(todo, config, not model, jobs)  # forks the workers before any thread starts
    if model:
        outcomes = _drafted(outcomes, config, cache_dir, threads=max(1, min(config.llm.concurrency, 4)))
    awaited = {o.item.key for o in unreadable} | {i.key for i in todo}
    reports = None
    try:
        reports = _Reports(journal, items, awaited, decided, result)
        with _Progress(progress, len(items), resumed, console) as bar, _rare_collections():
            for outcome in itertools.chain(unreadable, outcomes):
                journal.append(outcome)
                reports.offer(outcome)
                bar.advance(outcome)
        with _status(progress, console, "正在写出报告……"):
            reports.close()
    except BaseException:
        if reports is not None:
            reports.discard()
        raise
    finally:
        if hasattr(outcomes, "close"):
            outcomes.close()  # stop the workers now, also on Ctrl-C
    return result


@contextmanager
def _rare_collections() -> Iterator[None]:
    """The main process collects every YOUNG_COLLECTION objects while the run goes on."""
    before = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


class _Reports:
    """The four report writers, fed each file in input order while the run goes on.

    A file reviewed in this run is fed from its outcome (held only until every file
    before it is fed: workers take files in input order, so few wait); a file an
    earlier run finished is read back from the journal when its turn comes.
    """

    def __init__(self, journal: Journal, items: list[InputFile], awaited: set[str], decided: dict,
                 result: BulkResult):
        from reviewer.report.docx import DocxWriter
        from reviewer.report.html import HtmlWriter
        from reviewer.report.jsonfile import JsonWriter
        from reviewer.report.xlsx import XlsxWriter

        out_dir = journal.path.parent
        for name in REPORT_NAMES.values():  # what a run killed while writing its reports left behind
            for stale in out_dir.glob(f".{glob.escape(name)}.*"):
                stale.unlink(missing_ok=True)
        self.writers = {"xlsx": XlsxWriter(out_dir / REPORT_NAMES["xlsx"], decided),
                        "docx": DocxWriter(out_dir / REPORT_NAMES["docx"]),
                        "html": HtmlWriter(out_dir / REPORT_NAMES["html"]),
                        "json": JsonWriter(out_dir / REPORT_NAMES["json"])}
        self.journal, self.items, self.awaited, self.result = journal, items, awaited, result
        self.arrived: dict[str, _Outcome] = {}
        self.next = 0
        self.verdicts: Counter[str] = Counter()

    def offer(self, outcome: _Outcome) -> None:
        self.arrived[outcome.item.key] = outcome
        self._drain()

    def _drain(self) -> None:
        while self.next < len(self.items):
            item = self.items[self.next]
            outcome = self.arrived.pop(item.key, None)
            if outcome is not None:
                self._feed(item.name, outcome.error, outcome.review_json)
            elif item.key in self.awaited:
                return  # still being reviewed
            else:
                record = self.journal.record(item.key)
                if record is None:  # cannot happen unless the journal was edited during the run
                    record = {"error": "not reviewed: missing from the journal"}
                review = record.get("review")
                self._feed(item.name, record.get("error"), review)
            self.next += 1

    def _feed(self, name: str, error: str | None, review: bytes | dict | None) -> None:
        result = self.result
        if error or review is None:
            message = error or "no result"
            for w in self.writers.values():
                w.add_error(name, message)
            result.errors.append((name, message))
            return
        review = Review.model_validate_json(review) if isinstance(review, bytes) else load_review(review)
        for w in self.writers.values():
            w.add(name, review)
        result.reviewed += 1
        result.tables += len(review.tables)
        for t in review.tables:
            self.verdicts[t.verdict] += 1
            for f in t.findings:
                result.findings[f.severity] += 1
        if review.usage is not None:
            result.usage = _add_usage(result.usage, review.usage)

    def close(self) -> None:
        self.awaited = set()  # whatever did not come back is read from the journal (or listed missing)
        self._drain()
        self.journal.close_reader()
        self.result.verdicts = dict(self.verdicts)
        # Closing compresses and copies (zlib and file I/O release the GIL): all four at once.
        with ThreadPoolExecutor(len(self.writers), thread_name_prefix="report") as pool:
            closed = {name: pool.submit(w.close) for name, w in self.writers.items()}
        self.result.reports = {name: f.result() for name, f in closed.items()}
        self.result.carried_decisions = self.writers["xlsx"].carried

    def discard(self) -> None:
        self.journal.close_reader()
        for w in self.writers.values():
            w.out.discard()


def _add_usage(total: Usage | None, u: Usage) -> Usage:
    if total is None:
        return u.model_copy()
    data = total.model_dump()
    for k, v in u.model_dump().items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            data[k] = (data.get(k) or 0) + v
    return Usage.model_validate(data)

