"""Shared pytest fixtures (keep generic; each test module owns its specifics)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The repo keeps its own copies of the shared samples (the reference document and the six real
# tables) under eval/cases, laid out as in shared/samples: tests never reach outside the repo.
SAMPLES = Path(os.environ.get("REVIEWER_SAMPLES", Path(__file__).resolve().parents[1] / "eval" / "cases"))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The sample inputs: the reference document and real/*.tsv."""
    if not (SAMPLES / "jiyuan_housing_fund_2021.txt").is_file():
        pytest.skip(f"sample inputs not found in {SAMPLES} (set REVIEWER_SAMPLES)")
    return SAMPLES
