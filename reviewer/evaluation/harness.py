"""The harness behind `reviewer eval`: load cases and mutations, run the pipeline, score, gate.

    prepared = prepare(cases_dir, config)        # read + extract every input once
    result = evaluate(prepared, config)          # checks (and comments) → scores
    failures = gate(result, baseline, thresholds)

`prepare` is the slow part (reading and extracting); `evaluate` can run many
times over one preparation (another config, a rule switched off).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.config import Config
from reviewer.evaluation.cases import MUTATIONS_FILE, Case, CaseError, find_cases_dir, load_cases
from reviewer.evaluation.matching import match_one_to_one, resolve_table, violations
from reviewer.evaluation.mutate import Base, Mutation
from reviewer.evaluation.scoring import CaseResult, CommentScore, Outcome, aggregate, char_overlap
from reviewer.models import SEVERITY_RANK, Document, Finding, Review
from reviewer.yamlio import load_yaml

Checker = Callable[[Document, Config], Review]
DRAFTERS = ("offline",)


# ---------------------------------------------------------------- preparation


@dataclass
class MutationSpec:
    seed: int = 0
    per_operator: int = 1
    operators: list[str] | None = None
    bases: list[dict] = field(default_factory=list)  # {input: path, kinds: [project, …]}


@dataclass
class Prepared:
    cases_dir: Path
    cases: list[Case]
    documents: dict[str, Document]  # case name → its document
    bases: list[Base] = field(default_factory=list)
    mutations: list[Mutation] = field(default_factory=list)
    mutation_documents: dict[str, Document | None] = field(default_factory=dict)  # None: the reader refused it


def _extract(path: Path, config: Config) -> Document:
    from reviewer.errors import InputError
    from reviewer.pipeline import extract

    try:
        return extract(path.read_bytes(), path.name, config)
    except InputError as e:
        raise CaseError(f"case input {path}: {e}") from None


def read_mutation_spec(folder: Path) -> MutationSpec | None:
    import yaml

    path = folder / MUTATIONS_FILE
    if not path.is_file():
        return None
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
        spec = MutationSpec(**data)
    except (OSError, yaml.YAMLError, TypeError) as e:
        raise CaseError(f"cannot read {path}: {e}") from None
    from reviewer.evaluation.mutate import OPERATORS

    unknown = [op for op in spec.operators or [] if op not in OPERATORS]
    if unknown:
        raise CaseError(f"{path}: unknown operator {unknown[0]!r} (known: {', '.join(OPERATORS)})")
    return spec


def prepare(cases_dir: Path | None, config: Config | None = None, *, mutations: bool = True) -> Prepared:
    """Load the cases and the mutation spec of a folder, and extract every input once."""
    from reviewer.evaluation.mutate import generate, split_tables
    from reviewer.pipeline import extract

    config = config or Config()
    folder = find_cases_dir(cases_dir)
    cases = load_cases(folder)
    documents = {c.name: _extract(c.input_path, config) for c in cases}
    prepared = Prepared(folder, cases, documents)
    spec = read_mutation_spec(folder) if mutations else None
    if spec is None:
        return prepared
    for entry in spec.bases:
        path = folder / entry["input"]
        if not path.is_file():
            raise CaseError(f"{folder / MUTATIONS_FILE}: base input not found: {entry['input']}")
        text = path.read_text(encoding="utf-8")
        name = entry.get("name") or path.stem
        doc = _extract(path, config)
        prepared.bases += split_tables(name, text, doc, tuple(entry.get("kinds", ["project"])))
    prepared.mutations = generate(prepared.bases, spec.operators, seed=spec.seed, per_operator=spec.per_operator)
    from reviewer.errors import InputError

    for m in prepared.mutations:
        try:
            prepared.mutation_documents[m.id] = extract(m.text.encode("utf-8"), f"{m.id}.txt", config)
        except InputError:
            prepared.mutation_documents[m.id] = None  # the defect broke the table beyond reading
    return prepared


# ---------------------------------------------------------------- checking


def default_checker(doc: Document, config: Config) -> Review:
    from reviewer.pipeline import check

    return check(doc, config)


class PerRuleChecker:
    """Checks each document once with every rule on, and answers any rule selection from that run.

    Every finding names its rule and rules are independent (each sees only the
    document), so the findings of a config are the full run's findings of its
    enabled rules, with its severity overrides. This makes running the eval with
    one rule switched off, for every rule, cost one full check per document
    (tests/test_eval.py checks the equivalence against the pipeline).
    """

    def __init__(self) -> None:
        self._runs: dict[int, tuple[Document, Review]] = {}  # id(doc) → (doc kept alive, full run)

    def __call__(self, doc: Document, config: Config) -> Review:
        from reviewer.models import TableReview

        full = self._full(doc, config)
        review = Review(source=doc.source, budget_year=full.budget_year)
        n = 0
        for tr in full.tables:
            findings = [f.model_copy() for f in tr.findings if config.rule_enabled(f.rule)]
            for f in findings:
                if f.rule in config.severity:
                    f.severity = config.severity[f.rule]
            findings.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.rule))
            for f in findings:
                n += 1
                f.id = f"F{n}"
            review.tables.append(TableReview(title=tr.title, kind=tr.kind, findings=findings, table=tr.table))
        return review

    def _full(self, doc: Document, config: Config) -> Review:
        if id(doc) not in self._runs:
            from reviewer.pipeline import check

            every = config.model_copy(update={"select": [], "ignore": [], "severity": {}})
            self._runs[id(doc)] = (doc, check(doc, every))
        return self._runs[id(doc)][1]


# ---------------------------------------------------------------- evaluation


@dataclass
class EvalResult:
    results: list[CaseResult]
    aggregate: dict
    snapshot: dict
    llm: str = "off"
    notes: list[str] = field(default_factory=list)


def _scored_tables(case: Case, review: Review) -> list[int]:
    titles = [t.title for t in review.tables]
    if case.tables is None:
        return list(range(len(titles)))
    picked = {resolve_table(k, titles) for k in case.tables}
    return sorted(i for i in picked if i is not None)


def score_case(case: Case, review: Review) -> CaseResult:
    """Match one annotated case's findings to its annotations."""
    result = CaseResult(name=case.name, kind="annotated", origin=case.origin, full=case.full,
                        description=case.description, negatives=len(case.negatives),
                        negative_specs=list(case.negatives))
    titles = [t.title for t in review.tables]
    scored = _scored_tables(case, review)
    by_table: dict[int, list] = {i: [] for i in scored}
    for spec in case.expected:
        i = resolve_table(spec.table, titles)
        if i is None or i not in by_table:
            result.outcomes.append(Outcome(spec, None, table_found=False))
            if spec.table not in result.missing_tables:
                result.missing_tables.append(spec.table)
            continue
        by_table[i].append(spec)
    for i in scored:
        produced = review.tables[i].findings
        specs = by_table[i]
        pairs = match_one_to_one(specs, produced)
        result.outcomes += [Outcome(s, produced[j] if j is not None else None) for s, j in zip(specs, pairs)]
        used = {j for j in pairs if j is not None}
        result.produced += len(produced)
        result.matched_produced += len(used)
        if case.full:
            result.false_positives += [(titles[i], f) for j, f in enumerate(produced) if j not in used]
        negs = [n for n in case.negatives if resolve_table(n.table, titles) == i]
        result.violations += [(titles[i], v) for v in violations(negs, produced)]
    for n in case.negatives:
        if resolve_table(n.table, titles) is None and n.table not in result.missing_tables:
            result.missing_tables.append(n.table)
    return result


def _key(f: Finding) -> tuple:
    return (f.rule, f.indicator, f.location, f.evidence)


def score_mutation(m: Mutation, base_review: Review, review: Review | None) -> CaseResult:
    """Only findings the base did not have count: the injected defect must be among them."""
    result = CaseResult(name=m.id, kind="mutation", operator=m.operator, description=m.description)
    if review is None:
        result.outcomes = [Outcome(s, None, table_found=False) for s in m.expected]
        return result
    before = {_key(f) for t in base_review.tables for f in t.findings}
    before_places = {_key(f)[:3] for t in base_review.tables for f in t.findings}
    titles = [t.title for t in review.tables]
    for spec in m.expected:
        i = resolve_table(spec.table, titles)
        if i is None:
            result.outcomes.append(Outcome(spec, None, table_found=False))
            continue
        delta = [f for f in review.tables[i].findings if _key(f) not in before]
        (j,) = match_one_to_one([spec], delta)
        result.outcomes.append(Outcome(spec, delta[j] if j is not None else None))
        result.produced += len(delta)
        result.matched_produced += j is not None
        # a finding that only changed its evidence was there before: not a new false alarm
        result.false_positives += [(titles[i], f) for k, f in enumerate(delta)
                                   if k != j and _key(f)[:3] not in before_places]
    return result


def _score_comments(review: Review, result: CaseResult, drafter: str, case: Case) -> None:
    from reviewer.drafting.rubric import load_rubric, score_comment

    rubric = load_rubric()
    references = {o.finding.id: o.spec.reference for o in result.outcomes if o.matched and o.spec.reference}
    out = []
    for tr in review.tables:
        for c in tr.comments:
            scores = score_comment(c, tr, rubric)
            refs = [references[i] for i in c.finding_ids if i in references]
            overlap = max((char_overlap(c.text, r) for r in refs), default=None)
            out.append(CommentScore(table=tr.title, text=c.text, scores=scores,
                                    weighted=rubric.weighted_score(scores), reference_overlap=overlap))
    result.comments[drafter] = out


def evaluate(
    prepared: Prepared,
    config: Config | None = None,
    *,
    comments: bool = True,
    llm: str = "off",
    recordings: Path | None = None,
    checker: Checker | None = None,
) -> EvalResult:
    """Check every case and mutation with `config`, match, score; draft and score comments."""
    from reviewer.checks.registry import all_rules
    from reviewer.drafting import draft_comments

    config = config or Config()
    checker = checker or default_checker
    results: list[CaseResult] = []
    model = None
    if comments and llm != "off":
        from reviewer.evaluation.recordings import ModelDrafter

        model = ModelDrafter(llm, recordings or prepared.cases_dir.parent / "recordings", config)
    try:
        for case in prepared.cases:
            review = checker(prepared.documents[case.name], config)
            result = score_case(case, review)
            if comments:
                _score_comments(draft_comments(review, config, offline=True), result, "offline", case)
                if model is not None:
                    drafted = model.draft(review, case.name)
                    _score_comments(drafted, result, "llm", case)
                    model.judge(drafted, result.comments["llm"], case.name)
            results.append(result)
        if model is not None:
            model.finish()
    except BaseException:
        if model is not None:
            model.abort()
        raise
    base_reviews = {b.name: checker(b.document, config) for b in prepared.bases}
    for m in prepared.mutations:
        doc = prepared.mutation_documents.get(m.id)
        results.append(score_mutation(m, base_reviews[m.base], checker(doc, config) if doc else None))
    rules = all_rules()
    agg = aggregate(results, [c for c in rules if config.rule_enabled(c)])
    from reviewer.evaluation.baseline import snapshot

    snap = snapshot(agg, {code: r.category for code, r in rules.items()})
    notes = [f"{r.name}: table not found: {', '.join(r.missing_tables)}" for r in results if r.missing_tables]
    return EvalResult(results, agg, snap, llm=llm if comments else "off", notes=notes)


def gate(result: EvalResult, baseline: dict | None, thresholds: dict[str, float]) -> list[str]:
    """Every reason to exit 1: scores under their thresholds, then regressions from the baseline."""
    from reviewer.evaluation.baseline import below_thresholds, regressions

    failures = below_thresholds(result.aggregate, thresholds)
    if baseline is not None:
        failures += regressions(result.snapshot, baseline)
    return failures


# ---------------------------------------------------------------- the command


def default_baseline(cases_dir: Path) -> Path:
    return cases_dir.parent / "baseline.json"


def run_eval_command(
    cases: Path | None,
    llm: str,
    format: str,
    baseline: Path | None,
    bless: bool,
    config: Config,
    output: Path | None,
) -> int:
    """`reviewer eval`: 0 all good · 1 a score under its threshold or below the baseline.

    User errors (a missing folder, a bad case file, a missing recording) raise
    ReviewerError subclasses, which the CLI turns into exit 2."""
    from reviewer.evaluation.baseline import read_baseline, write_baseline
    from reviewer.evaluation.report import render

    if llm not in ("off", "replay", "live"):
        raise CaseError(f"unknown --llm mode {llm!r}")
    prepared = prepare(cases, config)
    result = evaluate(prepared, config, llm=llm)
    baseline_path = baseline or default_baseline(prepared.cases_dir)
    old = None if bless else read_baseline(baseline_path)
    failures = gate(result, old, config.eval_thresholds)
    if bless:
        write_baseline(baseline_path, result.snapshot)
    render(result, format, failures=failures, baseline_path=baseline_path, blessed=bless,
           had_baseline=old is not None or bless, output=output)
    return 1 if failures else 0


def evaluate_rules_off(prepared: Prepared, codes: Sequence[str], config: Config | None = None) -> dict[str, list[str]]:
    """For each rule code, what the gate reports when that rule alone is switched off
    (compared with the run where every rule is on). Used by the tests of the gate."""
    config = config or Config()
    checker = PerRuleChecker()
    full = evaluate(prepared, config, comments=False, checker=checker)
    out = {}
    for code in codes:
        off = config.model_copy(update={"ignore": [*config.ignore, code]})
        out[code] = gate(evaluate(prepared, off, comments=False, checker=checker), full.snapshot, {})
    return out
