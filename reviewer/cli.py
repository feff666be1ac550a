"""The `reviewer` command: parse, review, rules, explain, eval, bulk, serve.

Exit codes: 0 no finding at the fail level · 1 a finding at the fail level (or a failed file in
bulk, or an eval gate) · 2 bad input, bad usage or a harness failure. Errors are one line on
stderr, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from reviewer.errors import ReviewerError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Review performance-target tables (绩效目标表): extract, check, draft 审核意见, evaluate.",
)


class ParseFormat(str, Enum):
    json = "json"
    text = "text"


class ReviewFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"reviewer: {message}", err=True)
    raise typer.Exit(code)


def _config(config_file: Path | None, **overrides):
    from reviewer.config import load_config

    llm = {k: overrides.pop(k) for k in ("model", "base_url", "cache_dir") if k in overrides}
    overrides["llm"] = {k: v for k, v in llm.items() if v is not None} or None
    return load_config(config_file, overrides)


ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="reviewer.toml or pyproject.toml to read.")]
YearOpt = Annotated[Optional[int], typer.Option("--year", help="Budget year (default: inferred from the document).")]


@app.command()
def parse(
    path: Annotated[str, typer.Argument(help="File to read, or - for stdin.")],
    format: Annotated[ParseFormat, typer.Option("--format", "-f")] = ParseFormat.json,
    config_file: ConfigOpt = None,
) -> None:
    """Print what was read: tables, header and narrative fields, the indicator tree."""
    from reviewer.pipeline import extract, read_input

    try:
        config = _config(config_file)
        data, name = read_input(path)
        doc = extract(data, name, config)
    except ReviewerError as e:
        _fail(str(e))
    if format == ParseFormat.json:
        typer.echo(json.dumps(_parse_json(doc), ensure_ascii=False, indent=2))
    else:
        from reviewer.report.parsed import render_parsed

        render_parsed(doc)


def _parse_json(doc) -> dict:
    out = doc.model_dump(mode="json", exclude_none=True)
    for t in out["tables"]:
        t["header"] = {k: v["text"] for k, v in t["header"].items()}
        t["narrative"] = {k: v["text"] for k, v in t["narrative"].items()}
        t.pop("text", None)
        if t["kind"] != "budget":
            t.pop("rows", None)
            t.pop("columns", None)
        else:
            t["rows"] = [[c["text"] for c in r["cells"]] for r in t.get("rows", [])]
    return out


@app.command()
def review(
    path: Annotated[str, typer.Argument(help="File to review, or - for stdin.")],
    format: Annotated[ReviewFormat, typer.Option("--format", "-f")] = ReviewFormat.text,
    config_file: ConfigOpt = None,
    year: YearOpt = None,
    select: Annotated[Optional[str], typer.Option(help="Comma-separated rule codes or prefixes to run.")] = None,
    ignore: Annotated[Optional[str], typer.Option(help="Comma-separated rule codes or prefixes to skip.")] = None,
    fail_on: Annotated[Optional[FailOn], typer.Option("--fail-on")] = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when findings reach the fail level.")] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Never call a model; draft comments from templates.")] = False,
    model: Annotated[Optional[str], typer.Option("--model", help="Model name (else REVIEWER_MODEL / config).")] = None,
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="OpenAI-compatible endpoint.")] = None,
    cache_dir: Annotated[Optional[str], typer.Option("--cache-dir", help="Model reply cache folder.")] = None,
) -> None:
    """Check the tables and draft review comments; exit 1 when a finding reaches the fail level."""
    from reviewer.models import SEVERITY_RANK
    from reviewer.pipeline import review_path

    try:
        config = _config(
            config_file, budget_year=year, fail_on=fail_on.value if fail_on else None,
            select=_split(select), ignore=_split(ignore), model=model, base_url=base_url, cache_dir=cache_dir,
        )
        result = review_path(path, config, offline=offline or None, cache_dir=cache_dir)
    except ReviewerError as e:
        _fail(str(e))
    if format == ReviewFormat.json:
        typer.echo(json.dumps(result.contract(), ensure_ascii=False, indent=2))
    elif format == ReviewFormat.markdown:
        from reviewer.report.markdown import render_markdown

        typer.echo(render_markdown(result))
    else:
        from rich.console import Console

        from reviewer.report.text import render_text

        render_text(result, Console())
    level = SEVERITY_RANK[config.fail_on]
    failing = any(SEVERITY_RANK[f.severity] >= level for t in result.tables for f in t.findings)
    raise typer.Exit(1 if failing and not exit_zero else 0)


def _split(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@app.command()
def rules() -> None:
    """List every rule: code, category, default severity, summary."""
    from rich.console import Console
    from rich.table import Table

    from reviewer.checks.registry import all_rules

    table = Table("code", "name", "category", "severity", "summary", show_lines=False)
    for code, rule in all_rules().items():
        table.add_row(code, rule.name, rule.category, rule.severity, rule.summary())
    Console().print(table)


@app.command()
def explain(code: Annotated[str, typer.Argument(help="Rule code, e.g. IQ203.")]) -> None:
    """Print one rule's documentation."""
    from reviewer.checks.registry import all_rules

    rule = all_rules().get(code.upper())
    if rule is None:
        _fail(f"unknown rule {code!r}; `reviewer rules` lists them")
    typer.echo(f"{rule.code} ({rule.name}) · {rule.category} · default severity {rule.severity}\n")
    typer.echo(rule.doc())


class LLMMode(str, Enum):
    off = "off"
    replay = "replay"
    live = "live"


class EvalFormat(str, Enum):
    text = "text"
    json = "json"
    junit = "junit"
    markdown = "markdown"


@app.command("eval")
def eval_(
    cases: Annotated[Optional[Path], typer.Option("--cases", help="Folder of annotated cases.")] = None,
    llm: Annotated[LLMMode, typer.Option("--llm")] = LLMMode.off,
    format: Annotated[EvalFormat, typer.Option("--format", "-f")] = EvalFormat.text,
    baseline: Annotated[Optional[Path], typer.Option("--baseline", help="Baseline scores to compare against.")] = None,
    bless: Annotated[bool, typer.Option("--bless", help="Write the current scores as the new baseline.")] = False,
    config_file: ConfigOpt = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report here too.")] = None,
) -> None:
    """Score findings and drafted comments against annotated cases; exit 1 on a regression."""
    try:
        from reviewer.evaluation.harness import run_eval_command
    except ImportError as e:  # pragma: no cover - packaging error
        _fail(f"eval harness unavailable: {e}")
    try:
        code = run_eval_command(cases=cases, llm=llm.value, format=format.value, baseline=baseline,
                                bless=bless, config=_config(config_file), output=output)
    except ReviewerError as e:
        _fail(str(e))
    except Exception as e:  # the harness itself failed
        _fail(f"eval harness failed: {type(e).__name__}: {e}")
    raise typer.Exit(code)


@app.command()
def bulk(
    paths: Annotated[list[str], typer.Argument(help="Files, folders (recursive) or globs.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for review.xlsx, 审核意见.docx, report.html, review.json.")],
    decisions: Annotated[Optional[Path], typer.Option("--decisions", help="A reviewed review.xlsx whose decisions carry over.")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", help="Worker processes (default: CPU count).")] = None,
    offline: Annotated[bool, typer.Option("--offline")] = False,
    model: Annotated[Optional[str], typer.Option("--model")] = None,
    base_url: Annotated[Optional[str], typer.Option("--base-url")] = None,
    cache_dir: Annotated[Optional[str], typer.Option("--cache-dir")] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress")] = False,
    fresh: Annotated[bool, typer.Option("--fresh", help="Ignore the journal of an earlier run in --out; start over.")] = False,
    config_file: ConfigOpt = None,
    year: YearOpt = None,
) -> None:
    """Review many files; write a reviewer's workbook, a Word file of comments, an HTML and a JSON report.

    Exit 1 when a file could not be read (it is listed in the reports; the run goes on)."""
    from rich.console import Console

    from reviewer.bulk import run_bulk
    from reviewer.report.text import render_bulk_summary

    console = Console(stderr=True)
    try:
        config = _config(config_file, budget_year=year, model=model, base_url=base_url, cache_dir=cache_dir)
        result = run_bulk(paths, out, config, offline=offline or None, jobs=jobs, decisions=decisions,
                          progress=not no_progress and sys.stderr.isatty(), cache_dir=cache_dir,
                          fresh=fresh, console=console)
    except ReviewerError as e:
        _fail(str(e))
    except KeyboardInterrupt:
        console.print(f"已中断。已审核的文件记在 {out / 'journal.jsonl'}，再次运行同一命令即从中断处继续。")
        raise typer.Exit(130) from None
    render_bulk_summary(result, Console())
    raise typer.Exit(result.exit_code)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind (default: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    config_file: ConfigOpt = None,
) -> None:
    """Serve the paste-and-review web page."""
    from reviewer.web.app import serve as run_server

    try:
        config = _config(config_file)
    except ReviewerError as e:
        _fail(str(e))
    run_server(host, port, config)


def main() -> None:
    """Console entry point: any unexpected error becomes one line and exit 2, never a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001 - the last line of defence
        if os.environ.get("REVIEWER_DEBUG"):
            raise
        from reviewer.drafting.secrets import scrub

        typer.echo(f"reviewer: internal error: {type(e).__name__}: {scrub(str(e))} "
                   "(set REVIEWER_DEBUG=1 for details)", err=True)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
