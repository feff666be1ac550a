"""Findings → comments: the offline template drafter, or a model when one is configured.

`draft_comments` is the one entry point. Tables with findings get comments;
tables without findings get none. Findings and verdicts are never changed here,
so the exit code never depends on the model: any model failure falls back to
the template comments of `offline.draft_table`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from reviewer.config import Config
from reviewer.models import Review, TableReview, Usage

log = logging.getLogger("reviewer.drafting")

__all__ = ["draft_comments", "model_configured"]


def model_configured(config: Config) -> bool:
    from reviewer.drafting.settings import model_name

    return model_name(config) is not None


def draft_comments(
    review: Review,
    config: Config,
    *,
    offline: bool | None = None,
    cache_dir: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Review:
    """A copy of `review` with comments drafted for every table that has findings.

    offline=True, or no model configured (config.llm.model / REVIEWER_MODEL),
    uses the template drafter; otherwise one model request per table, cached in
    `cache_dir` (else REVIEWER_CACHE_DIR, the config, or the user cache folder).
    `progress` is called with 1 each time a table's comments are done (from
    worker threads on the model path). The model path also sets `usage`
    (requests, cache hits, tokens, cost, fallbacks, dropped comments).
    """
    from reviewer.drafting.settings import resolve

    tables = [t.model_copy(update={"comments": []}) for t in review.tables]
    todo = [i for i, t in enumerate(tables) if t.findings]
    settings = None if offline else resolve(config, cache_dir)
    if settings is None or not todo:
        _draft_offline(tables, todo, progress)
        usage = None if settings is None else Usage()
        return review.model_copy(update={"tables": tables, "usage": usage})

    try:
        from reviewer.drafting.llm import draft_tables

        outcomes, usage = draft_tables([tables[i] for i in todo], settings, progress=progress)
    except Exception as e:  # never let the model path decide the run: draft offline instead
        log.warning("模型起草失败，全部改用模板意见：%s", settings.scrub(f"{type(e).__name__}: {e}"))
        done = _draft_offline(tables, todo, None)
        return review.model_copy(update={"tables": done, "usage": Usage(fallbacks=len(todo))})

    for i, outcome in zip(todo, outcomes, strict=True):
        tables[i] = tables[i].model_copy(update={"comments": outcome.comments})
    return review.model_copy(update={"tables": tables, "usage": usage})


def _draft_offline(
    tables: list[TableReview], todo: list[int], progress: Callable[[int], None] | None
) -> list[TableReview]:
    from reviewer.drafting.offline import draft_table
    from reviewer.drafting.rubric import load_rubric

    rubric = load_rubric()
    for i in todo:
        tables[i].comments = draft_table(tables[i], rubric)  # `tables` are this call's own copies
        if progress:
            progress(1)
    return tables
