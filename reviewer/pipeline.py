"""One input, end to end: bytes → Document → findings → comments → Review.

The CLI, bulk runs and the web page all go through these functions.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reviewer.config import Config
from reviewer.errors import InputError
from reviewer.models import Document, Review


def read_input(path: str | Path) -> tuple[bytes, str]:
    """Bytes and a display name for a path, or stdin for "-"."""
    if str(path) == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a folder; use `reviewer bulk` for folders")
    try:
        return p.read_bytes(), str(p)
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except OSError as e:
        raise InputError(f"{p}: cannot read ({e.strerror or e})") from None


def extract(data: bytes, name: str, config: Config | None = None) -> Document:
    from reviewer.extract import load_document

    return load_document(data, name, config=config)


def check(doc: Document, config: Config | None = None) -> Review:
    from reviewer.checks import run_checks

    return run_checks(doc, config or Config())


def review_document(
    doc: Document, config: Config | None = None, *, offline: bool | None = None,
    cache_dir: str | None = None,
) -> Review:
    from reviewer.drafting import draft_comments

    config = config or Config()
    return draft_comments(check(doc, config), config, offline=offline, cache_dir=cache_dir)


def review_bytes(
    data: bytes, name: str, config: Config | None = None, *, offline: bool | None = None,
    cache_dir: str | None = None,
) -> Review:
    return review_document(extract(data, name, config), config, offline=offline, cache_dir=cache_dir)


def review_path(
    path: str | Path, config: Config | None = None, *, offline: bool | None = None,
    cache_dir: str | None = None,
) -> Review:
    data, name = read_input(path)
    return review_bytes(data, name, config, offline=offline, cache_dir=cache_dir)
