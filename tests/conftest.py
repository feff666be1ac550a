"""Shared pytest fixtures (keep generic; each test module owns its specifics)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SAMPLES = Path(os.environ.get("REVIEWER_SAMPLES", "/work/shared/samples"))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The shared sample inputs: the reference document and real/*.tsv."""
    if not (SAMPLES / "jiyuan_housing_fund_2021.txt").is_file():
        pytest.skip(f"sample inputs not found in {SAMPLES} (set REVIEWER_SAMPLES)")
    return SAMPLES
