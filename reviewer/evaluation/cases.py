"""Annotated eval cases: one YAML file per case, next to (or pointing at) its input file.

A case names its input, says whether every true defect of the scored tables is
annotated (`annotated: full`, so unmatched findings count against precision) or
only some (`partial`), and lists what a careful reviewer expects:

- `expected`: findings the tool should report (table, category, indicator or key
  words, severity, optionally the rule meant and a reference comment);
- `negatives`: figures that are right and must not be flagged.

A case may `inherit` the annotations of another case (the sample converted to
another file format keeps the sample's ground truth for the tables it holds).
See eval/README.md for the format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from reviewer.errors import ReviewerError
from reviewer.models import Category, Severity
from reviewer.yamlio import load_yaml

CASE_SUFFIX = ".case.yaml"
MUTATIONS_FILE = "mutations.yaml"


class CaseError(ReviewerError):
    """A case file or the cases folder cannot be used as written."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Expected(_Strict):
    """A finding the tool should report."""

    table: str  # the table's title (exact, or a part of it that names one table)
    category: Category
    indicator: str | None = None  # the 三级 name the finding is about
    keywords: list[str] = Field(default_factory=list)  # all must appear in the finding's text
    severity: Severity | None = None  # the severity a reviewer would give it
    rule: str | None = None  # the rule meant to catch it, when one is
    note: str = ""
    reference: str | None = None  # a reference 审核意见 for this finding

    @model_validator(mode="after")
    def _strip(self) -> Expected:
        self.keywords = [k.strip() for k in self.keywords if k and k.strip()]
        return self

    def describe(self) -> str:
        what = self.indicator or "、".join(self.keywords) or "（任意）"
        return f"{self.category} · {what}"


class Negative(_Strict):
    """A figure that is right: no finding (of `category`, if given) may point at it."""

    table: str
    category: Category | None = None
    indicator: str | None = None
    keywords: list[str] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _needs_target(self) -> Negative:
        self.keywords = [k.strip() for k in self.keywords if k and k.strip()]
        if not (self.category or self.indicator or self.keywords):
            raise ValueError("a negative needs a category, an indicator or key words")
        return self

    def describe(self) -> str:
        what = self.indicator or "、".join(self.keywords) or "（整表）"
        return f"{self.category or '任意类别'} · {what}"


class CaseFile(_Strict):
    input: str  # path relative to the case file
    origin: Literal["real", "converted", "constructed"] = "real"
    annotated: Literal["full", "partial"] = "full"
    description: str = ""
    source: str = ""  # where the input came from
    inherit: str | None = None  # another case file whose annotations apply here
    tables: list[str] | None = None  # score only these tables (default: all)
    expected: list[Expected] = Field(default_factory=list)
    negatives: list[Negative] = Field(default_factory=list)


class Case(BaseModel):
    """A loaded case: its input bytes' path and its (inherited) annotations."""

    name: str  # the case file's path relative to the cases folder, without the suffix
    path: Path
    input_path: Path
    origin: str
    annotated: str
    description: str = ""
    tables: list[str] | None = None
    expected: list[Expected]
    negatives: list[Negative]

    @property
    def full(self) -> bool:
        return self.annotated == "full"


def find_cases_dir(explicit: Path | None = None) -> Path:
    """--cases, else eval/cases under the current folder or a parent, else next to the package."""
    if explicit is not None:
        if not explicit.is_dir():
            raise CaseError(f"cases folder not found: {explicit}")
        return explicit
    for folder in [Path.cwd(), *Path.cwd().parents]:
        candidate = folder / "eval" / "cases"
        if candidate.is_dir():
            return candidate
    # an editable install: the repo sits above the package
    candidate = Path(__file__).resolve().parents[2] / "eval" / "cases"
    if candidate.is_dir():
        return candidate
    raise CaseError("no eval/cases folder here or above; run from the repository or pass --cases DIR")


def _read_yaml(path: Path) -> dict:
    import yaml

    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise CaseError(f"cannot read {path}: {e}") from None
    if not isinstance(data, dict):
        raise CaseError(f"{path}: expected a mapping at the top")
    return data


def read_case_file(path: Path) -> CaseFile:
    try:
        return CaseFile.model_validate(_read_yaml(path))
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise CaseError(f"{path}: {where}: {first['msg']}") from None


def load_case(path: Path, root: Path, _seen: tuple[Path, ...] = ()) -> Case:
    path = path.resolve()
    if path in _seen:
        raise CaseError(f"{path}: inherits from itself")
    raw = read_case_file(path)
    input_path = (path.parent / raw.input).resolve()
    if not input_path.is_file():
        raise CaseError(f"{path}: input file not found: {raw.input}")
    expected, negatives = list(raw.expected), list(raw.negatives)
    if raw.inherit:
        parent = load_case((path.parent / raw.inherit), root, (*_seen, path))
        keep = raw.tables
        expected += [e for e in parent.expected if keep is None or _listed(e.table, keep)]
        negatives += [n for n in parent.negatives if keep is None or _listed(n.table, keep)]
    try:
        name = str(path.relative_to(root.resolve()))
    except ValueError:
        name = path.name
    return Case(
        name=name.removesuffix(CASE_SUFFIX),
        path=path,
        input_path=input_path,
        origin=raw.origin,
        annotated=raw.annotated,
        description=raw.description,
        tables=raw.tables,
        expected=expected,
        negatives=negatives,
    )


def _listed(title: str, tables: list[str]) -> bool:
    return any(title == t or title in t or t in title for t in tables)


def load_cases(folder: Path) -> list[Case]:
    """Every *.case.yaml under `folder` (recursively), in path order."""
    paths = sorted(folder.rglob(f"*{CASE_SUFFIX}"))
    if not paths and not (folder / MUTATIONS_FILE).is_file():
        raise CaseError(f"no *{CASE_SUFFIX} files and no {MUTATIONS_FILE} in {folder}")
    return [load_case(p, folder) for p in paths]
