"""The model path: one request per table, structured output, one retry layer, a disk cache.

Each table that has findings becomes one chat request: a fixed system prompt
(prompts/draft_comments.yaml, with the rubric and worked examples) and a user
message holding the table as a delimited JSON data block — its structured rows
and its findings with their ids, never the whole document. The data block is
held to at most twice the size of the table's own text by trimming narrative
fields first (see `build_request`).

langchain is imported only inside the functions that call a model, so the
offline CLI never pays for it. Token counting uses the usage the server
reports; nothing here needs tiktoken (which would go online).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from string import Template
from typing import Any

from pydantic import BaseModel, Field

from reviewer.drafting.settings import ModelSettings
from reviewer.drafting.validate import Outcome, ReviewComments, parse_reply, validate_reply
from reviewer.errors import ConfigError
from reviewer.models import CATEGORIES, Finding, Table, TableReview, Usage
from reviewer.yamlio import load_yaml

log = logging.getLogger("reviewer.drafting")

PROMPT_NAME = "draft_comments"
MAX_SUGGESTIONS = 3
SIZE_FACTOR = 2  # the data block holds at most this many times len(Table.text)


# ---------------------------------------------------------------- the prompt file


class Example(BaseModel):
    note: str = ""
    input: dict
    output: dict


class Prompt(BaseModel):
    name: str
    version: str
    system: str
    user: str
    examples: list[Example] = Field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"


@lru_cache(maxsize=4)
def load_prompt(name: str = PROMPT_NAME) -> Prompt:
    """A prompt template from prompts/<name>.yaml (shipped as reviewer.prompts)."""
    import yaml

    try:
        text = files("reviewer.prompts").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
        return Prompt.model_validate(load_yaml(text))
    except (OSError, yaml.YAMLError, ValueError) as e:
        raise ConfigError(f"cannot read prompt {name}.yaml: {e}") from None


# ---------------------------------------------------------------- the table as data


@dataclass(frozen=True)
class Caps:
    """Length caps (characters) applied when the data block is too big; None = no cap."""

    narrative: int | None = None  # each narrative field (and long header fields)
    extras: int | None = None  # each extra indicator column (basis, note, …)
    evidence: int | None = None  # each finding's evidence
    message: int | None = None  # each finding's message
    rows: int | None = None  # rows of a budget table


# Tried in order until the data block fits; within a stage the narrative cap is
# the largest that fits. Early stages must keep MIN_NARRATIVE characters of each
# narrative field, so long extra columns go before the narrative does.
STAGES: tuple[Caps, ...] = (
    Caps(),
    Caps(extras=150),
    Caps(extras=60),
    Caps(extras=0),
    Caps(extras=0, evidence=120),
    Caps(extras=0, evidence=60, rows=60),
    Caps(extras=0, evidence=30, message=60, rows=30),
    Caps(extras=0, evidence=0, message=40, rows=20),
)
MIN_NARRATIVE = 200
FREE_NARRATIVE_FROM = 3  # from this stage on, any narrative cap (even 0) is accepted

_TAG = re.compile(r"<[^<>]{1,200}>")
_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[。；;！？!?])")
_DIGIT = re.compile(r"\d")


def clean_text(text: str) -> str:
    """Cell text without HTML tags and runs of whitespace."""
    return _SPACE.sub(" ", _TAG.sub(" ", text or "")).strip()


def trim_text(text: str, cap: int | None) -> str:
    """Shorten a narrative to `cap` characters, keeping its first sentence and its
    sentences with numbers (what checks and comments quote), in their order."""
    text = clean_text(text)
    if cap is None or len(text) <= cap:
        return text
    if cap <= 0:
        return ""
    sentences = [s for s in _SENTENCE_END.split(text) if s]
    ranked = sorted(
        range(len(sentences)),
        key=lambda i: (i != 0, not _DIGIT.search(sentences[i]), i),
    )
    chosen: set[int] = set()
    used = 0
    for i in ranked:
        if used + len(sentences[i]) + 1 <= cap - 1:
            chosen.add(i)
            used += len(sentences[i]) + 1
    if not chosen:
        return text[: cap - 1] + "…"
    parts: list[str] = []
    for i, s in enumerate(sentences):
        if i in chosen:
            parts.append(s)
        elif not parts or parts[-1] != "…":
            parts.append("…")
    return "".join(parts)[:cap]


def _cap(text: str, cap: int | None) -> str:
    text = clean_text(text)
    if cap is None or len(text) <= cap:
        return text
    return text[: max(cap - 1, 0)] + "…" if cap > 0 else ""


def _indicator_line(ind, caps: Caps) -> str:
    parts = [ind.level3 or "（未填三级指标）", ind.target.raw]
    short = (
        ("单位", ind.unit_column),
        ("性质", ind.nature),
        ("方向", ind.direction),
        ("权重", None if ind.weight is None else f"{ind.weight:g}"),
    )
    parts += [f"{k}:{v}" for k, v in short if v]
    if caps.extras != 0:
        long = [("依据", ind.basis), ("说明", ind.note), *ind.extra.items()]
        parts += [f"{k}:{_cap(v, caps.extras)}" for k, v in long if v and v.strip()]
    return "｜".join(parts)


def indicator_tree(table: Table, caps: Caps = Caps()) -> dict[str, dict[str, list[str]]]:
    """{一级: {二级: ["三级｜指标值｜其他栏目", …]}}; an empty list is a 二级 with no 三级."""
    tree: dict[str, dict[str, list[str]]] = {}

    def branch(level1: str | None, level2: str | None) -> list[str]:
        return tree.setdefault(level1 or "（未填一级指标）", {}).setdefault(level2 or "（未填二级指标）", [])

    for slot in table.slots:
        branch(slot.level1, slot.level2)
    for ind in table.indicators:
        branch(ind.level1, ind.level2).append(_indicator_line(ind, caps))
    return tree


def finding_line(f: Finding, caps: Caps = Caps()) -> str:
    """One finding as a line: F3｜narrative_mismatch｜error｜产出目标 > 数量 > 密集架｜证据：…｜说明：…"""
    where = f.location or ""
    if f.indicator and f.indicator not in where:
        where = f"{where}（指标：{f.indicator}）" if where else f"指标：{f.indicator}"
    parts = [f.id, f.category, f.severity, where]
    evidence = _cap(f.evidence, caps.evidence)
    message = _cap(f.message, caps.message)
    parts += [f"证据：{evidence}"] if evidence else []
    parts += [f"说明：{message}"] if message else []
    return "｜".join(p for p in parts if p)


def table_data(tr: TableReview, caps: Caps = Caps(), memo: dict | None = None) -> dict:
    """The table and its findings as the JSON object sent to the model.

    `memo` keeps the parts that do not depend on the narrative cap between calls
    for one table (build_request tries many narrative caps)."""
    memo = {} if memo is None else memo
    t = tr.table
    data: dict[str, Any] = {"title": tr.title, "kind": tr.kind}
    if t is not None:
        if t.year:
            data["year"] = t.year
        if t.unit_name:
            data["unit"] = t.unit_name
        header_cap = None if caps.narrative is None else max(caps.narrative, 40)
        header = {k: _cap(v.text, header_cap) for k, v in t.header.items() if v.text.strip()}
        if header:
            data["header"] = header
        narrative: dict[str, str] = {}
        seen: dict[str, str] = {}
        for name, field in t.narrative.items():
            full = clean_text(field.text)
            if not full:
                continue
            if full in seen:  # one field copied into another: say so instead of sending it twice
                narrative[name] = f"（与“{seen[full]}”全文相同）"
                continue
            seen[full] = name
            narrative[name] = trim_text(full, caps.narrative)
        narrative = {k: v for k, v in narrative.items() if v}
        if narrative:
            data["narrative"] = narrative
        if t.indicators or t.slots:
            key = ("indicators", caps.extras)
            if key not in memo:
                memo[key] = indicator_tree(t, caps)
            data["indicators"] = memo[key]
        if t.rows:
            if t.columns:
                data["columns"] = t.columns
            rows = ["\t".join(clean_text(x) for x in r.texts) for r in t.rows]
            if caps.rows is not None and len(rows) > caps.rows:
                rows = rows[: caps.rows] + ["……（其余各行从略）"]
            data["rows"] = rows
    key = ("findings", caps.evidence, caps.message)
    if key not in memo:
        memo[key] = [finding_line(f, caps) for f in tr.findings]
    data["findings"] = memo[key]
    return data


def to_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------- requests


@dataclass(frozen=True)
class Request:
    system: str
    user: str
    caps: Caps
    limit: int | None  # the bound on len(user), or None for a table without text


class PromptTooLarge(Exception):
    pass


def system_prompt(tr: TableReview, prompt: Prompt, rubric) -> str:
    criteria = "\n".join(f"- {c.name}：{c.description}" for c in rubric.criteria)
    present = list(dict.fromkeys(f.category for f in tr.findings))
    bases = "\n".join(f"- {c}（{rubric.category(c).label}）：{rubric.category(c).why}" for c in present)
    examples = []
    for n, ex in enumerate(prompt.examples, 1):
        tag = "table-data-example"
        examples.append(
            f"示例{n}：{ex.note}\n输入：<{tag}>{to_json(ex.input)}</{tag}>\n输出：{to_json(ex.output)}"
        )
    return Template(prompt.system).safe_substitute(
        criteria=criteria,
        bases=bases or "（无）",
        categories="、".join(CATEGORIES),
        max_chars=str(rubric.length.max_chars),
        max_suggestions=str(MAX_SUGGESTIONS),
        examples="\n\n".join(examples) or "（无）",
    ).strip()


def user_prompt(data_json: str, prompt: Prompt) -> str:
    # The delimiter carries a hash of the data, so no table text can close it early.
    tag = "table-data-" + hashlib.sha256(data_json.encode("utf-8")).hexdigest()[:12]
    return Template(prompt.user).safe_substitute(tag=tag, data=data_json).strip()


def build_request(tr: TableReview, prompt: Prompt | None = None, rubric=None) -> Request:
    """The messages for one table, with the user message at most SIZE_FACTOR × len(table text)."""
    from dataclasses import replace

    from reviewer.drafting.rubric import load_rubric

    prompt = prompt or load_prompt()
    rubric = rubric or load_rubric()
    system = system_prompt(tr, prompt, rubric)
    own_text = tr.table.text if tr.table is not None else ""
    limit = SIZE_FACTOR * len(own_text) if own_text.strip() else None

    memo: dict = {}

    def render(caps: Caps) -> str | None:
        user = user_prompt(to_json(table_data(tr, caps, memo)), prompt)
        return user if limit is None or len(user) <= limit else None

    longest = max((len(clean_text(f.text)) for f in _text_fields(tr)), default=0)
    for n, stage in enumerate(STAGES):
        user = render(stage)
        if user is not None:
            return Request(system, user, stage, limit)
        floor = 0 if n >= FREE_NARRATIVE_FROM else min(MIN_NARRATIVE, longest)
        best = _largest_fitting(lambda cap: render(replace(stage, narrative=cap)) is not None, floor, longest)
        if best is not None and (user := render(caps := replace(stage, narrative=best))) is not None:
            return Request(system, user, caps, limit)
    raise PromptTooLarge(f"table data exceeds {limit} characters even when trimmed")


def _text_fields(tr: TableReview) -> list:
    return list(tr.table.narrative.values()) + list(tr.table.header.values()) if tr.table else []


def _largest_fitting(fits: Callable[[int], bool], low: int, high: int) -> int | None:
    """The largest cap in [low, high] for which fits(cap) holds (fits is monotone), or None."""
    if high < low or not fits(low):
        return None
    while low < high:
        mid = (low + high + 1) // 2
        if fits(mid):
            low = mid
        else:
            high = mid - 1
    return low


# ---------------------------------------------------------------- the model


def transient_errors() -> tuple[type[BaseException], ...]:
    """What the retry layer retries: timeouts and connection errors, 429 and 5xx — never 400
    or another 4xx. (openai raises InternalServerError for every status >= 500.)"""
    import openai

    return (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)


@lru_cache(maxsize=1)
def reply_schema() -> dict:
    """ReviewComments as the JSON schema langchain would derive from the class (refs
    inlined, titles dropped; title = the tool's name, docstring = its description)."""
    from langchain_core.utils.function_calling import convert_to_openai_function

    fn = convert_to_openai_function(ReviewComments)
    return {"title": fn["name"], "description": fn["description"], **fn["parameters"]}


def reply_in_message(message: Any) -> ReviewComments | None:
    """The structured reply inside a raw AIMessage (tool call or JSON content)."""
    calls = getattr(message, "tool_calls", None) or []
    if calls:
        return parse_reply(calls[0].get("args"))
    parsed = (getattr(message, "additional_kwargs", None) or {}).get("parsed")
    if parsed is not None:
        return parse_reply(parsed if not isinstance(parsed, BaseModel) else parsed.model_dump())
    content = getattr(message, "content", None)
    return parse_reply(content) if isinstance(content, str) and content.strip() else None


def _accept(generations: Sequence[Any]) -> bool:
    return bool(generations) and reply_in_message(getattr(generations[0], "message", None)) is not None


def build_runnable(settings: ModelSettings, cache):
    """ChatOpenAI → structured output (include_raw) → one retry layer."""
    from langchain_openai import ChatOpenAI

    chat = ChatOpenAI(
        model=settings.model,
        base_url=settings.base_url,
        api_key=settings.api_key or "not-set",  # local servers need none
        temperature=settings.temperature,
        timeout=settings.timeout,
        max_retries=0,  # the retry layer is with_retry below, and only there
        cache=cache,
    )
    # The schema as a dict, built once: handing langchain the pydantic class makes it
    # regenerate the JSON schema on every call. validate.parse_reply checks the reply.
    structured = chat.with_structured_output(
        reply_schema(), method=settings.structured_method, include_raw=True
    )
    return structured.with_retry(
        retry_if_exception_type=transient_errors(),
        stop_after_attempt=settings.max_retries + 1,
        wait_exponential_jitter=True,
        exponential_jitter_params=_backoff_params(settings.retry_backoff),
    )


def _backoff_params(first_wait: float) -> dict:
    """tenacity's wait_exponential_jitter: first_wait, doubling, at most 8 × first_wait."""
    import inspect

    import tenacity

    # tenacity 9 renamed `initial` to `multiplier` (and warns on the old name)
    name = "multiplier" if "multiplier" in inspect.signature(tenacity.wait_exponential_jitter).parameters else "initial"
    return {name: first_wait, "max": first_wait * 8, "jitter": first_wait / 2}


@dataclass
class TableResult:
    outcome: Outcome
    input_tokens: int = 0
    output_tokens: int = 0


class _Breaker:
    """Stops calling an endpoint that cannot be reached: after LIMIT connection failures in a
    row, the remaining tables are drafted offline at once instead of each waiting for retries."""

    LIMIT = 3

    def __init__(self):
        self._lock = threading.Lock()
        self._failures = 0
        self.open = False

    def failed(self, error: Exception) -> bool:
        """Count a failure; True when this one opened the breaker."""
        name = type(error).__name__
        if not ("Connect" in name or "Timeout" in name):  # APIConnectionError, ConnectTimeout …
            return False
        with self._lock:
            self._failures += 1
            if self._failures >= self.LIMIT and not self.open:
                self.open = True
                return True
        return False

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0


def draft_tables(
    tables: list[TableReview],
    settings: ModelSettings,
    *,
    rubric=None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Outcome], Usage]:
    """Comments for each table (all with findings) through the model, with fallbacks.

    Each table is one unit of work in a batch of at most `settings.concurrency`
    at a time: build its request, call the model (retries inside), validate the
    reply. Building and validating run in the workers too, so their CPU time
    overlaps the waiting for other replies.
    """
    from langchain_core.messages import HumanMessage, SystemMessage
    from langchain_core.runnables import RunnableLambda

    from reviewer.drafting.cache import CACHE_HIT, DiskCache
    from reviewer.drafting.offline import draft_table
    from reviewer.drafting.rubric import load_rubric

    rubric = rubric or load_rubric()
    prompt = load_prompt()
    cache = DiskCache(settings.cache_dir, namespace=f"{prompt.key}|rubric@{rubric.version}", accept=_accept)
    model = build_runnable(settings, cache)

    breaker = _Breaker()

    def fall_back(tr: TableReview, why: str, quiet: bool = False) -> TableResult:
        why = settings.scrub(why)
        (log.debug if quiet else log.warning)("表「%s」改用模板意见：%s", tr.title, why)
        return TableResult(Outcome(draft_table(tr, rubric), fallback=True, reasons=[why]))

    def draft_one(i: int) -> TableResult:
        tr = tables[i]
        try:
            try:
                req = build_request(tr, prompt, rubric)
            except PromptTooLarge as e:
                return fall_back(tr, str(e), quiet=True)
            if breaker.open:
                return fall_back(tr, "endpoint unreachable", quiet=True)
            try:
                result = model.invoke([SystemMessage(content=req.system), HumanMessage(content=req.user)])
            except Exception as e:  # after the retries: any failure of the call
                if breaker.failed(e):
                    log.warning("模型服务连续 %d 次无法连接，其余表格改用模板意见。", _Breaker.LIMIT)
                return fall_back(tr, f"{type(e).__name__}: {e}", quiet=breaker.open)
            breaker.succeeded()
            raw = result.get("raw")
            tokens = getattr(raw, "usage_metadata", None) or {}
            cached = bool((getattr(raw, "response_metadata", None) or {}).get(CACHE_HIT))
            spent = (0, 0) if cached else (int(tokens.get("input_tokens") or 0), int(tokens.get("output_tokens") or 0))
            parsed = result.get("parsed")
            reply = parse_reply(parsed) if parsed is not None else None
            if reply is None:
                error = result.get("parsing_error")
                out = fall_back(tr, f"reply does not fit the schema ({type(error).__name__ if error else 'no tool call'})")
            else:
                out = TableResult(validate_reply(reply, tr, rubric=rubric, max_suggestions=MAX_SUGGESTIONS))
                for reason in out.outcome.reasons:
                    log.info("表「%s」模型意见已剔除：%s", tr.title, settings.scrub(reason))
            out.input_tokens, out.output_tokens = spent
            return out
        finally:
            if progress:
                progress(1)

    results = RunnableLambda(draft_one).batch(
        list(range(len(tables))), config={"max_concurrency": settings.concurrency}, return_exceptions=True
    )
    usage = Usage()
    outcomes: list[Outcome] = []
    for tr, result in zip(tables, results, strict=True):
        if isinstance(result, BaseException):  # a bug, not the model: still never lose a finding
            result = fall_back(tr, f"{type(result).__name__}: {result}")
        o = result.outcome
        usage.fallbacks += o.fallback
        usage.dropped += o.dropped
        usage.ungrounded += o.ungrounded
        usage.input_tokens += result.input_tokens
        usage.output_tokens += result.output_tokens
        outcomes.append(o)
    usage.requests = cache.misses  # every attempt that reached the endpoint
    usage.cached = cache.hits
    usage.cost = settings.cost(usage.input_tokens, usage.output_tokens)
    return outcomes, usage
