"""The model path in the eval: live runs record replies, replay runs read them back offline.

Recordings are the drafting cache folder (reviewer/drafting/cache.py) at
eval/recordings, plus settings.json: the model settings they were made with.
The cache key holds the model, its parameters (base URL and timeout included),
the prompt and rubric versions and the table's content, so a replay must use
exactly the recorded settings; it also points every HTTP proxy variable at a
closed loopback port, so a reply that is not recorded can never reach a
network. A table that was not a cache hit (a request was made, or the drafter
fell back to templates) is a missing recording, and the run fails (exit 2).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
from pathlib import Path

from reviewer.config import Config
from reviewer.errors import ReviewerError
from reviewer.models import Review

MANIFEST = "settings.json"
CLOSED_PORT_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens there
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


class MissingRecording(ReviewerError):
    """Replay found a table (or a judgement) with no recorded reply."""


@contextlib.contextmanager
def no_network():
    """Every request through an HTTP proxy that refuses connections (restored afterwards)."""
    saved = {k: os.environ.get(k) for k in (*_PROXY_VARS, "NO_PROXY", "no_proxy")}
    try:
        for k in _PROXY_VARS:
            os.environ[k] = CLOSED_PORT_PROXY
        os.environ["NO_PROXY"] = os.environ["no_proxy"] = ""
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise MissingRecording(
            f"no recordings in {folder}: record them with `reviewer eval --llm live` (see eval/README.md)"
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise MissingRecording(f"cannot read {path}: {e}") from None


class ModelDrafter:
    """Drafts (and judges) each case's comments through the model path, live or from recordings."""

    def __init__(self, mode: str, folder: Path, config: Config):
        from reviewer.drafting.settings import resolve

        self.mode = mode
        self.folder = folder
        self.missing: list[str] = []
        self.failed: list[str] = []
        if mode == "replay":
            self.manifest = read_manifest(folder)
            llm = config.llm.model_copy(update={
                k: self.manifest[k] for k in ("model", "base_url", "timeout", "max_retries", "temperature",
                                              "structured_method") if k in self.manifest
            })
            self.config = config.model_copy(update={"llm": llm})
            self.cache_dir = folder
            self.judging = bool(self.manifest.get("judge"))
        else:
            self.config = config
            folder.parent.mkdir(parents=True, exist_ok=True)
            self.cache_dir = Path(tempfile.mkdtemp(prefix=".recording-", dir=folder.parent))
            self.judging = True
        self.settings = resolve(self.config, str(self.cache_dir))
        if self.settings is None:
            if mode == "live":
                shutil.rmtree(self.cache_dir, ignore_errors=True)
            raise MissingRecording(
                "--llm live needs a model: set llm.model in the config or REVIEWER_MODEL "
                "(and OPENAI_BASE_URL, OPENAI_API_KEY)" if mode == "live" else
                f"{folder / MANIFEST} names no model"
            )

    def _guard(self):
        return no_network() if self.mode == "replay" else contextlib.nullcontext()

    def draft(self, review: Review, case: str) -> Review:
        """The review with model-drafted comments, one table at a time (so a miss names its table)."""
        from reviewer.drafting import draft_comments

        tables = []
        with self._guard():
            for tr in review.tables:
                if not tr.findings:
                    tables.append(tr.model_copy(update={"comments": []}))
                    continue
                one = review.model_copy(update={"tables": [tr]})
                out = draft_comments(one, self.config, offline=False, cache_dir=str(self.cache_dir))
                usage = out.usage
                # a request means no recorded reply was found (replay) or the model was called (live);
                # a fallback without a request is the drafter's own choice (a table too large to send)
                requested = usage is None or usage.requests > 0
                if self.mode == "replay" and requested:
                    self.missing.append(f"{case}/{tr.title}")
                elif self.mode == "live" and requested and (usage is None or usage.fallbacks > 0):
                    self.failed.append(f"{case}/{tr.title}")
                tables.append(out.tables[0])
        return review.model_copy(update={"tables": tables})

    def judge(self, review: Review, scores: list, case: str) -> None:
        """Fill each CommentScore's judge scores (or judge_error) for the model's comments."""
        if not self.judging:
            return
        from reviewer.drafting.cache import DiskCache
        from reviewer.drafting.rubric import load_rubric
        from reviewer.evaluation.judge import JUDGE_VERSION, JudgeError, judge_table

        rubric = load_rubric()
        cache = DiskCache(self.cache_dir, namespace=f"judge@{JUDGE_VERSION}|rubric@{rubric.version}")
        position = 0
        with self._guard():
            for tr in review.tables:
                own = scores[position: position + len(tr.comments)]
                position += len(tr.comments)
                if not tr.comments:
                    continue
                try:
                    judged, hit = judge_table(tr, tr.comments, self.settings, cache, rubric)
                except JudgeError as e:
                    for s in own:
                        s.judge_error = str(e)
                    continue
                except Exception as e:  # no reply at all (connection refused in replay, server error live)
                    if self.mode == "replay":
                        self.missing.append(f"{case}/{tr.title} (judge)")
                    for s in own:
                        s.judge_error = f"{type(e).__name__}"
                    continue
                if self.mode == "replay" and not hit:
                    self.missing.append(f"{case}/{tr.title} (judge)")
                for s, j in zip(own, judged, strict=True):
                    s.judge = j

    def abort(self) -> None:
        """A live run that did not finish leaves the old recordings as they were."""
        if self.mode == "live":
            shutil.rmtree(self.cache_dir, ignore_errors=True)

    def finish(self) -> None:
        """Replay: fail on any missing recording. Live: the new recordings replace the old ones."""
        if self.mode == "replay":
            if self.missing:
                shown = ", ".join(self.missing[:5]) + (f" (+{len(self.missing) - 5} more)" if len(self.missing) > 5 else "")
                raise MissingRecording(f"missing recording: {shown}; re-record with `reviewer eval --llm live`")
            return
        if self.failed:
            shutil.rmtree(self.cache_dir, ignore_errors=True)
            raise MissingRecording(f"live run: the model failed for {', '.join(self.failed[:5])}; nothing recorded")
        from reviewer.drafting.llm import load_prompt
        from reviewer.drafting.rubric import load_rubric

        s = self.settings
        manifest = {
            "model": s.model, "base_url": s.base_url, "timeout": s.timeout, "max_retries": s.max_retries,
            "temperature": s.temperature, "structured_method": s.structured_method,
            "prompt": load_prompt().key, "rubric": load_rubric().version, "judge": True,
            "recorded": dt.date.today().isoformat(), "source": os.environ.get("REVIEWER_RECORDING_SOURCE", "live"),
        }
        (self.cache_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                               encoding="utf-8")
        old = self.folder.with_name(self.folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.folder.exists():
            self.folder.rename(old)
        self.cache_dir.rename(self.folder)
        shutil.rmtree(old, ignore_errors=True)
