"""A disk cache for model replies: a langchain BaseCache, one JSON file per reply.

Keyed by a namespace (prompt name and version), the model's configuration
(langchain's llm_string: model, parameters, tool schema) and the prompt (which
holds the table's content). Keys are SHA-256 hashes, and values are the reply
messages only, so no file holds the API key. Writes are atomic (temp file +
rename), so concurrent runs never see half a file. A hit is marked in the
message's response_metadata so the caller can tell it cost no request.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.caches import BaseCache
from langchain_core.messages import message_to_dict, messages_from_dict
from langchain_core.outputs import ChatGeneration, Generation

log = logging.getLogger("reviewer.drafting")

CACHE_HIT = "reviewer_cache_hit"
FORMAT = 1


class DiskCache(BaseCache):
    def __init__(
        self,
        folder: str | os.PathLike,
        namespace: str,
        accept: Callable[[Sequence[Generation]], bool] | None = None,
    ):
        self.folder = Path(folder)
        self.namespace = namespace
        self.accept = accept  # store only replies this returns True for
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    def key(self, prompt: str, llm_string: str) -> str:
        h = hashlib.sha256()
        for part in (f"v{FORMAT}", self.namespace, llm_string, prompt):
            h.update(part.encode("utf-8"))
            h.update(b"\0")
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def lookup(self, prompt: str, llm_string: str) -> list[Generation] | None:
        path = self._path(self.key(prompt, llm_string))
        generations = _read(path)
        with self._lock:
            if generations is None:
                self.misses += 1
            else:
                self.hits += 1
        return generations

    def update(self, prompt: str, llm_string: str, return_val: Sequence[Generation]) -> None:
        if self.accept is not None and not self.accept(return_val):
            return
        items = []
        for g in return_val:
            if not isinstance(g, ChatGeneration):
                return  # chat models only
            items.append({"message": message_to_dict(g.message), "info": g.generation_info})
        path = self._path(self.key(prompt, llm_string))
        payload = json.dumps({"format": FORMAT, "generations": items}, ensure_ascii=False)
        try:
            _write_atomic(path, payload)
        except OSError as e:  # a full or read-only disk must not turn a good reply into a failure
            log.warning("无法写入模型缓存 %s：%s", self.folder, e.strerror or e)

    def clear(self, **kwargs: Any) -> None:
        for path in self.folder.glob("*/*.json"):
            path.unlink(missing_ok=True)


def _write_atomic(path: Path, payload: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read(path: Path) -> list[Generation] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return None
        out: list[Generation] = []
        for item in data["generations"]:
            (message,) = messages_from_dict([item["message"]])
            message.response_metadata = {**message.response_metadata, CACHE_HIT: True}
            out.append(ChatGeneration(message=message, generation_info=item.get("info")))
        return out
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or unreadable: a miss
