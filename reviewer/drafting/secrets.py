"""Keep API keys out of every message, log, cache file and report."""

from __future__ import annotations

import os
import re

_KEY_PATTERNS = re.compile(r"(sk-[A-Za-z0-9_\-]{6,}|Bearer\s+[A-Za-z0-9_\-.]{6,})")


def scrub(text: str) -> str:
    """Replace the configured key and anything shaped like one with ***."""
    key = os.environ.get("OPENAI_API_KEY")
    if key and len(key) >= 4:
        text = text.replace(key, "***")
    return _KEY_PATTERNS.sub("***", text)
