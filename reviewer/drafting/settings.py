"""Effective model settings: config file and CLI flags, then the environment.

A model is used when one is named (config.llm.model, which carries --model,
else REVIEWER_MODEL). The API key comes from OPENAI_API_KEY only, never from a
config file, and is kept out of reprs, logs and error texts (see `scrub`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.config import Config

APP_NAME = "indicator-reviewer"


@dataclass(frozen=True)
class ModelSettings:
    model: str
    base_url: str | None
    api_key: str | None = field(repr=False)
    structured_method: str
    timeout: float
    max_retries: int
    retry_backoff: float
    concurrency: int
    temperature: float
    cache_dir: Path
    price_input_per_mtok: float | None = None
    price_output_per_mtok: float | None = None

    def cost(self, input_tokens: int, output_tokens: int) -> float | None:
        """Estimated cost, only when both prices are configured."""
        if self.price_input_per_mtok is None or self.price_output_per_mtok is None:
            return None
        return round(
            input_tokens / 1e6 * self.price_input_per_mtok
            + output_tokens / 1e6 * self.price_output_per_mtok,
            6,
        )

    def scrub(self, text: str) -> str:
        return scrub(text, self.api_key)


def model_name(config: Config) -> str | None:
    return config.llm.model or os.environ.get("REVIEWER_MODEL") or None


def cache_dir(config: Config, explicit: str | os.PathLike | None = None) -> Path:
    """--cache-dir, else REVIEWER_CACHE_DIR, else the config file, else the user cache folder."""
    chosen = explicit or os.environ.get("REVIEWER_CACHE_DIR") or config.llm.cache_dir
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    # honours XDG_CACHE_HOME on Linux
    return Path(platformdirs.user_cache_dir(APP_NAME)) / "llm"


def resolve(config: Config, explicit_cache_dir: str | None = None) -> ModelSettings | None:
    """The settings of the model path, or None when no model is configured."""
    model = model_name(config)
    if not model:
        return None
    llm = config.llm
    return ModelSettings(
        model=model,
        base_url=llm.base_url or os.environ.get("OPENAI_BASE_URL") or None,
        api_key=os.environ.get("OPENAI_API_KEY") or None,
        structured_method=llm.structured_method,
        timeout=llm.timeout,
        max_retries=max(0, llm.max_retries),
        retry_backoff=max(0.0, llm.retry_backoff),
        concurrency=max(1, llm.concurrency),
        temperature=llm.temperature,
        cache_dir=cache_dir(config, explicit_cache_dir),
        price_input_per_mtok=llm.price_input_per_mtok,
        price_output_per_mtok=llm.price_output_per_mtok,
    )


def scrub(text: str, secret: str | None) -> str:
    """Remove a secret, its partly masked echoes, and anything shaped like a key."""
    from reviewer.drafting.secrets import scrub as scrub_key_shapes

    if secret:
        text = text.replace(secret, "***")
        # Servers often echo a key partly masked: keep no run of 8+ of its characters.
        if len(secret) >= 16:
            for i in range(len(secret) - 7):
                text = text.replace(secret[i : i + 8], "***")
    return scrub_key_shapes(text)
