"""Settings: [tool.reviewer] in pyproject.toml, or reviewer.toml; CLI flags override.

Search order: an explicit --config file; else reviewer.toml, then pyproject.toml
with a [tool.reviewer] table, in the current folder and its parents.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewer.errors import ConfigError
from reviewer.fastattr import plain_attribute_reads


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt key is an error, not silently ignored


class Tolerances(_Strict):
    cost_relative: float = 0.02  # |computed - budget| / budget above this is a finding
    amount_abs_wan: float = 0.05  # 万元; rounding allowance for printed amounts
    percent_abs: float = 0.05  # percentage points allowed when recomputing a rate


class LLMSettings(_Strict):
    model: str | None = None
    base_url: str | None = None
    structured_method: Literal["function_calling", "json_schema", "json_mode"] = "function_calling"
    timeout: float = Field(60.0, gt=0)
    max_retries: int = 2
    retry_backoff: float = 1.0  # seconds before the first retry; doubles each time
    concurrency: int = Field(4, ge=1)
    temperature: float = 0.0
    cache_dir: str | None = None
    price_input_per_mtok: float | None = None  # for the cost estimate
    price_output_per_mtok: float | None = None


class Config(_Strict):
    select: list[str] = Field(default_factory=list)  # rule codes or prefixes; empty = all
    ignore: list[str] = Field(default_factory=list)
    severity: dict[str, Literal["error", "warning", "info"]] = Field(default_factory=dict)
    budget_year: int | None = None
    framework: Literal["older", "central2021", "henan", "department"] | None = None  # force one
    min_level3: int = Field(3, ge=0)  # fewer 三级 indicators than this in a project table is a finding
    fail_on: Literal["error", "warning"] = "error"
    tolerances: Tolerances = Field(default_factory=Tolerances)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    eval_thresholds: dict[str, float] = Field(default_factory=dict)

    def rule_enabled(self, code: str) -> bool:
        """A pattern selects one rule when it is a full code (IQ + 3 or 4 digits) and that code
        exists, else every code it prefixes ("IQ2" = all IQ2xx, "IQ10" = IQ10x and IQ10xx)."""

        def match(patterns: list[str]) -> bool:
            return any(code == p or (code.startswith(p) and not _is_rule_code(p)) for p in patterns)

        if self.select and not match(self.select):
            return False
        return not match(self.ignore)


def _reviewer_table(raw: dict) -> dict:
    """The settings of a file: its [tool.reviewer] table when it has one, else its top level
    (reviewer.toml may be written either way)."""
    tool = raw.get("tool")
    if isinstance(tool, dict) and "reviewer" in tool:
        return tool["reviewer"]
    return {k: v for k, v in raw.items() if k not in ("tool", "project", "build-system")}


def _is_rule_code(pattern: str) -> bool:
    from reviewer.checks.registry import all_rules

    return pattern in all_rules()


def _find_file(start: Path) -> tuple[Path, dict] | None:
    for folder in [start, *start.parents]:
        rt = folder / "reviewer.toml"
        if rt.is_file():
            return rt, _reviewer_table(_read_toml(rt))
        pp = folder / "pyproject.toml"
        if pp.is_file():
            data = _read_toml(pp).get("tool", {}).get("reviewer")
            if data is not None:
                return pp, data
    return None


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read config {path}: {e}") from None


def load_config(path: str | Path | None = None, overrides: dict | None = None) -> Config:
    """Read the config file (if any) and apply CLI overrides (None values are skipped)."""
    data: dict = {}
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file not found: {p}")
        data = _reviewer_table(_read_toml(p))
    else:
        found = _find_file(Path.cwd())
        if found:
            data = found[1]
    data = _merge(data, overrides or {})
    try:
        config = Config.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ConfigError(f"invalid config value for {where}: {first['msg']}") from None
    _check_rule_patterns(config)
    return config


def _check_rule_patterns(config: Config) -> None:
    """select/ignore/severity must name existing rules (a typo would silently run nothing)."""
    from reviewer.checks.registry import all_rules

    codes = list(all_rules())
    for key, patterns in (("select", config.select), ("ignore", config.ignore), ("severity", config.severity)):
        for p in patterns:
            if not any(c == p or c.startswith(p) for c in codes):
                raise ConfigError(f"{key}: no rule matches {p!r}; `reviewer rules` lists the codes")


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        if v is None:
            continue
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


# Field reads without pydantic's __getattr__ hook (see reviewer.fastattr).
plain_attribute_reads(Tolerances, LLMSettings, Config)
