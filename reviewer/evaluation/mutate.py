"""Mutation cases: inject one known defect into a clean table's text, with exact ground truth.

A base is one table as text (tab-separated rows, one row a line), the form a
reviewer pastes. Each operator finds the places in the base where its defect can
be injected, a seeded random generator picks one, and the operator rewrites the
text there. The mutated text then goes through the whole pipeline (reader →
extraction → checks); only the findings that the unmutated base did not already
have count, so a base's own defects never count for or against a mutation.

The base's extracted Document is used only to locate rows and fields (line
numbers, names, values); every change is made on the text itself and checked
against it, so a place the text does not show plainly is skipped, never guessed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reviewer.evaluation.cases import Expected
from reviewer.evaluation.matching import norm
from reviewer.models import Document, Indicator, Table

VAGUE_PHRASES = ("明显提升", "有所提高", "显著改善", "进一步提高", "效果明显", "稳步提升")
ABSTRACT_GOALS = ("促进经济社会发展", "维护社会和谐稳定", "提升群众获得感", "推动行业高质量发展")
REQUIRED_LEVEL2 = re.compile(r"数量|质量|时效|成本|满意")
PLAN_FIELDS = re.compile(r"实施计划|实施进度|进度安排|计划")
GOAL_FIELDS = re.compile(r"年度.*目标|总体目标|项目总目标")
NARRATIVE_PASTE_FIELDS = ("项目配套制度措施", "保证项目实施的制度、措施", "项目概况", "项目设立的必要性", "年度绩效目标")
_SENTENCE = re.compile(r"[^。；;！？!?\n]{15,90}[。；;]?")
_TAG = re.compile(r"<[^<>]{1,200}>")


@dataclass
class Base:
    """One clean table as text, with its extraction (to locate things)."""

    name: str
    text: str
    document: Document

    @property
    def table(self) -> Table:
        return next(t for t in self.document.tables if t.kind in ("project", "department"))

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


@dataclass
class Mutation:
    id: str
    base: str
    operator: str
    description: str
    text: str
    expected: list[Expected] = field(default_factory=list)


@dataclass
class _Site:
    """One place an operator can inject its defect: the new text and the ground truth."""

    description: str
    lines: list[str]
    expected: list[Expected]


Operator = Callable[[Base, Sequence[Base]], list[_Site]]

# ---------------------------------------------------------------- text helpers


def _cells(line: str) -> list[str]:
    return line.split("\t")


def _cell_index(cells: list[str], text: str | None, start: int = 0) -> int | None:
    if not text:
        return None
    want = norm(_TAG.sub("", text))
    for i in range(start, len(cells)):
        if norm(_TAG.sub("", cells[i])) == want:
            return i
    return None


def _line(base: Base, number: int | None) -> str | None:
    lines = base.lines
    if number is None or not 1 <= number <= len(lines):
        return None
    return lines[number - 1]


def _with_line(base: Base, number: int, new: str | None) -> list[str]:
    """The base's lines with line `number` replaced (or removed when new is None)."""
    lines = list(base.lines)
    if new is None:
        del lines[number - 1]
    else:
        lines[number - 1] = new
    return lines


def _fmt(value: float, like: str = "") -> str:
    """A number written like the original: same decimals as `like` when it has some."""
    decimals = len(like.split(".", 1)[1]) if "." in like else 0
    if decimals:
        return f"{value:.{decimals}f}"
    return str(int(round(value))) if abs(value - round(value)) < 1e-9 else f"{value:g}"


def _number_text(raw: str, value: float) -> str | None:
    """The digits of `value` as they are written in `raw` ("≥17600株" → "17600")."""
    for m in re.finditer(r"\d+(?:\.\d+)?", raw.replace(",", "")):
        if abs(float(m.group()) - value) < 1e-9:
            return m.group()
    return None


def _measured(table: Table) -> list[Indicator]:
    return [i for i in table.indicators if i.level3 and i.target.kind == "numeric" and i.target.value is not None]


def _replace_cell(base: Base, ind: Indicator, old: str, new: str) -> list[str] | None:
    """Replace the cell holding `old` on the indicator's line (after its name); None if not plainly there."""
    line = _line(base, ind.location.line)
    if line is None:
        return None
    cells = _cells(line)
    name_at = _cell_index(cells, ind.level3)
    if name_at is not None:
        at = _cell_index(cells, old, name_at + 1)
        if at is None:
            return None
        cells[at] = new
        return _with_line(base, ind.location.line, "\t".join(cells))
    # prose (indicators written in a paragraph): the value right after the name
    if ind.level3 in line and old in line[line.index(ind.level3):]:
        head, tail = line[: line.index(ind.level3)], line[line.index(ind.level3):]
        return _with_line(base, ind.location.line, head + tail.replace(old, new, 1))
    return None


# ---------------------------------------------------------------- operators


_GENERIC_BIGRAMS = {"数量", "完成", "情况", "指标", "项目", "工作", "人员", "成本", "标准", "合格", "目标"}


def _about(name: str, context: str) -> bool:
    """The text just before a number names the indicator (shares a telling two-character run)."""
    grams = {name[i: i + 2] for i in range(len(name) - 1)} - _GENERIC_BIGRAMS
    return any(g in context for g in grams if not re.search(r"[\d\W]", g))


def _changed(value: float, num: str, unit: str) -> str:
    """Another plausible value: a rate 10 points off, a count half as much again."""
    if unit == "%":
        new = value - 10 if value > 20 else value * 2 if value < 1 else value + 10
    elif "." in num:
        new = value * 1.5
    else:
        new = round(value * 1.5)
    text = _fmt(new, num)
    return text if text != num else _fmt(value + 1, num)


def narrative_number(base: Base, others: Sequence[Base]) -> list[_Site]:
    """Change a number in the narrative that states an indicator's value (采购600个 → 采购900个)."""
    t = base.table
    sites = []
    for ind in _measured(t):
        unit = (ind.target.unit or "").split("/")[0]
        num = _number_text(ind.target.raw, ind.target.value)
        if not unit or num is None or (unit == "%" and ind.target.value >= 100):
            continue  # "100%" is written of everything: no telling which indicator a narrative 100% states
        pattern = re.compile(rf"(?<![\d.]){re.escape(num)}(?=\s*{re.escape(unit)})")
        for fname, fieldv in t.narrative.items():
            line = _line(base, fieldv.location.line)
            if line is None:
                continue
            for m in pattern.finditer(line):
                if not _about(ind.level3, line[max(0, m.start() - 14): m.start()]):
                    continue
                text = _changed(ind.target.value, num, unit)
                sites.append(_Site(
                    f"{fname}: {num}{unit} → {text}{unit}（指标「{ind.level3}」仍为 {ind.target.raw}）",
                    _with_line(base, fieldv.location.line, line[: m.start()] + text + line[m.end():]),
                    [Expected(table=t.title, category="narrative_mismatch", indicator=ind.level3,
                              keywords=[f"{text}{unit}"], note="mutation: narrative number changed")],
                ))
    return sites


def _output_or_effect(ind: Indicator) -> bool:
    return bool(re.search(r"产出|效益|效果", f"{ind.level1 or ''}{ind.level2 or ''}"))


def vague_target(base: Base, others: Sequence[Base]) -> list[_Site]:
    """Replace a measured output or effect target with a vague phrase (=600个 → 明显提升)."""
    t = base.table
    sites = []
    for n, ind in enumerate(i for i in _measured(t) if _output_or_effect(i) and "成本" not in (i.level2 or "")):
        phrase = VAGUE_PHRASES[n % len(VAGUE_PHRASES)]
        lines = _replace_cell(base, ind, ind.target.raw, phrase)
        if lines is not None:
            sites.append(_Site(
                f"「{ind.level3}」{ind.target.raw} → {phrase}", lines,
                [Expected(table=t.title, category="unmeasurable_target", indicator=ind.level3,
                          note="mutation: target replaced with a vague phrase")],
            ))
    return sites


def abstract_percent(base: Base, others: Sequence[Base]) -> list[_Site]:
    """Turn an effect indicator into an abstract goal with a percentage (维护社会和谐稳定 ≥95%)."""
    t = base.table
    sites = []
    effects = [i for i in t.indicators if i.level3 and re.search(r"效益|效果|影响", f"{i.level1}{i.level2}")
               and "满意" not in f"{i.level2}{i.level3}"]
    for n, ind in enumerate(effects):
        goal = ABSTRACT_GOALS[n % len(ABSTRACT_GOALS)]
        if goal in base.text:
            continue
        line = _line(base, ind.location.line)
        if line is None:
            continue
        cells = _cells(line)
        name_at = _cell_index(cells, ind.level3)
        value_at = _cell_index(cells, ind.target.raw, (name_at or 0) + 1) if name_at is not None else None
        if name_at is None or value_at is None:
            continue
        cells[name_at], cells[value_at] = goal, "≥95%"
        sites.append(_Site(
            f"「{ind.level3}」{ind.target.raw} → 「{goal}」≥95%",
            _with_line(base, ind.location.line, "\t".join(cells)),
            [Expected(table=t.title, category="unmeasurable_target", indicator=goal,
                      note="mutation: an abstract goal with a percentage")],
        ))
    return sites


def delete_level3(base: Base, others: Sequence[Base]) -> list[_Site]:
    """Delete every 三级 under a required 二级, keeping the 二级 row (数量 with nothing under it)."""
    t = base.table
    groups: dict[tuple, list[Indicator]] = {}
    for ind in t.indicators:
        if ind.level3 and ind.level2 and REQUIRED_LEVEL2.search(ind.level2):
            groups.setdefault((ind.level1, ind.level2), []).append(ind)
    sites = []
    for (level1, level2), members in groups.items():
        numbers = [m.location.line for m in members]
        if None in numbers or len(set(numbers)) != len(numbers):
            continue
        first = _line(base, numbers[0])
        cells = _cells(first)
        label_at = _cell_index(cells, level2)
        name_at = _cell_index(cells, members[0].level3)
        if label_at is None or name_at is None or name_at <= label_at:
            continue
        # every other member line must hold only its own indicator (no labels of another group)
        if any(_cell_index(_cells(_line(base, n)), m.level3) is None for n, m in zip(numbers[1:], members[1:])):
            continue
        lines = list(base.lines)
        lines[numbers[0] - 1] = "\t".join(cells[:name_at] + [""] * (len(cells) - name_at))
        for n in sorted(numbers[1:], reverse=True):
            del lines[n - 1]
        short = re.sub(r"指标$", "", level2)
        sites.append(_Site(
            f"二级「{level2}」下的 {len(members)} 个三级指标全部删除", lines,
            [Expected(table=t.title, category="missing_indicator", keywords=[short],
                      note="mutation: every 三级 under a required 二级 deleted")],
        ))
    return sites


def _budget_amounts(t: Table) -> list[float]:
    out = [f.amount.wan for f in t.header.values() if f.amount and f.amount.wan > 0]
    return out


def break_cost(base: Base, others: Sequence[Base]) -> list[_Site]:
    """Change a unit cost so that quantity × unit cost no longer gives the budget (595元/个 → 714元/个)."""
    t = base.table
    budgets = _budget_amounts(t)
    measured = _measured(t)
    sites = []
    for cost in measured:
        unit = cost.target.unit or ""
        m = re.fullmatch(r"(万元|元)/(.+)", unit)
        if not m:
            continue
        per = m.group(2)
        for qty in measured:
            if qty is cost or (qty.target.unit or "") != per:
                continue
            total = qty.target.value * cost.target.value / (1 if m.group(1) == "万元" else 10000)
            if not any(abs(total - b) <= 0.02 * b for b in budgets):
                continue
            num = _number_text(cost.target.raw, cost.target.value)
            if num is None:
                continue
            new = _fmt(cost.target.value * 1.2, num)
            lines = _replace_cell(base, cost, cost.target.raw, cost.target.raw.replace(num, new, 1))
            if lines is None:
                continue
            sites.append(_Site(
                f"「{cost.level3}」{cost.target.raw} → {new}{unit}（数量「{qty.level3}」{qty.target.raw}）", lines,
                [Expected(table=t.title, category="cost_inconsistency", indicator=cost.level3, keywords=[new],
                          note="mutation: quantity × unit cost broken")],
            ))
    return sites


def stale_plan_date(base: Base, others: Sequence[Base]) -> list[_Site]:
    """Move a date of the implementation plan (or the year's goal) a year back (2021年6月 → 2020年6月)."""
    t = base.table
    year = t.year or base.document.budget_year
    if not year:
        return []
    sites = []
    fields = [(k, v) for k, v in t.narrative.items() if PLAN_FIELDS.search(k)]
    fields += [(k, v) for k, v in {**t.narrative, **t.header}.items() if GOAL_FIELDS.search(k)]
    for fname, fieldv in fields:
        line = _line(base, fieldv.location.line)
        m = re.search(rf"(?<!\d){year}年(?=\s*\d{{1,2}}\s*月)", line or "")
        if line is None or m is None:
            continue
        sites.append(_Site(
            f"{fname}: {m.group()} → {year - 1}年",
            _with_line(base, fieldv.location.line, line[: m.start()] + f"{year - 1}年" + line[m.end():]),
            [Expected(table=t.title, category="stale_date", keywords=[f"{year - 1}年"],
                      note="mutation: a plan date moved a year back")],
        ))
        if PLAN_FIELDS.search(fname):
            break  # the plan is the natural place; the goal only when there is no dated plan
    return sites


def _distinct_terms(title: str, text: str) -> list[str]:
    """Runs of the other project's title (3+ characters) that this table never uses."""
    words = [w for w in re.split(r"[-—、，,（）()“”\s]+|项目|专项|经费|资金|费用?", title) if len(w) >= 3]
    return [w for w in words if norm(w) not in norm(text)]


def foreign_sentence(base: Base, others: Sequence[Base]) -> list[_Site]:
    """Paste a sentence of another project's narrative into this table's narrative."""
    t = base.table
    targets = [(k, t.narrative[k]) for k in NARRATIVE_PASTE_FIELDS if k in t.narrative]
    if not targets:
        return []
    sites = []
    for other in others:
        if other.name == base.name:
            continue
        ot = other.table
        terms = _distinct_terms(ot.title, base.text)
        for fieldv in ot.narrative.values():
            body = _TAG.sub("", fieldv.text)
            for m in _SENTENCE.finditer(body):
                sentence = m.group().strip()
                hit = [w for w in terms if w in sentence]
                if not hit or norm(sentence) in norm(base.text):
                    continue
                fname, target = targets[len(sites) % len(targets)]
                line = _line(base, target.location.line)
                if line is None or norm(target.text[:10]) not in norm(line):
                    continue
                stop = "" if sentence.endswith(("。", "；", ";")) else "。"
                sites.append(_Site(
                    f"{fname} 末尾粘贴了「{ot.title}」的一句话：{sentence[:30]}…",
                    _with_line(base, target.location.line, line.rstrip() + sentence + stop),
                    [Expected(table=t.title, category="copy_paste",
                              note=f"mutation: a sentence of {ot.title} pasted ({hit[0]})")],
                ))
    return sites


def rate_under_quantity(base: Base, others: Sequence[Base]) -> list[_Site]:
    """Move a rate (a 率 in %) from its 二级 into 数量."""
    t = base.table
    quantity = [i for i in t.indicators if i.level3 and "数量" in (i.level2 or "")]
    if not quantity or quantity[-1].location.line is None:
        return []
    q_line = _line(base, quantity[-1].location.line)
    q_name_at = _cell_index(_cells(q_line), quantity[-1].level3)
    if q_name_at is None:
        return []
    sites = []
    for ind in t.indicators:
        if not ind.level3 or "数量" in (ind.level2 or "") or not re.search(r"产出", ind.level1 or ""):
            continue
        if not (ind.target.unit == "%" and ind.level3.endswith("率")):
            continue
        line = _line(base, ind.location.line)
        if line is None:
            continue
        cells = _cells(line)
        name_at = _cell_index(cells, ind.level3)
        if name_at is None or any(c.strip() for c in cells[:name_at]):
            continue  # its row carries group labels: moving it would move them too
        moved = "\t".join([""] * q_name_at + cells[name_at:])
        lines = list(base.lines)
        del lines[ind.location.line - 1]
        at = quantity[-1].location.line  # insert after the last 数量 row (indices shift when it came later)
        lines.insert(at if ind.location.line > at else at - 1, moved)
        sites.append(_Site(
            f"「{ind.level3}」{ind.target.raw} 从「{ind.level2}」移到「{quantity[-1].level2}」", lines,
            [Expected(table=t.title, category="misclassified", indicator=ind.level3,
                      note="mutation: a rate filed under 数量")],
        ))
    return sites


def halve_amount(base: Base, others: Sequence[Base]) -> list[_Site]:
    """Cut a header amount in half where the table states the same amount elsewhere."""
    t = base.table
    sites = []
    amounts = {k: f for k, f in t.header.items() if f.amount and f.amount.wan > 0}
    for name, f in amounts.items():
        if not re.search(r"本年|年度|资金总额|项目金额|预算", name) or "上年" in name:
            continue
        same_elsewhere = any(
            k != name and g.amount.wan == f.amount.wan for k, g in amounts.items()
        ) or any(re.search(rf"(?<![\d.]){f.amount.value:g}\s*万元", v.text) for v in t.narrative.values())
        line = _line(base, f.location.line)
        if not same_elsewhere or line is None:
            continue
        cells = _cells(line)
        at = _cell_index(cells, f.text)
        num = _number_text(f.amount.raw, f.amount.value)
        if at is None or num is None:
            continue
        half = _fmt(f.amount.value / 2, num)
        cells[at] = cells[at].replace(num, half, 1)
        sites.append(_Site(
            f"{name}: {f.text} → {cells[at]}", _with_line(base, f.location.line, "\t".join(cells)),
            [Expected(table=t.title, category="amount_inconsistency", keywords=[half],
                      note="mutation: a header amount cut in half")],
        ))
    return sites


def split_tables(name: str, text: str, document: Document, kinds: Sequence[str] = ("project",)) -> list[Base]:
    """The tables of a document of the given kinds, each as its own base (its lines, title first).

    A table runs from its title line to the line before the next table's."""
    from reviewer.pipeline import extract

    lines = text.split("\n")
    starts = [t.location.line for t in document.tables]
    if len(document.tables) == 1 or None in starts:
        return [Base(name, text, document)] if document.tables[0].kind in kinds else []
    out = []
    for i, t in enumerate(document.tables):
        if t.kind not in kinds:
            continue
        end = starts[i + 1] - 1 if i + 1 < len(starts) else len(lines)
        part = "\n".join(lines[starts[i] - 1: end])
        sub = extract(part.encode("utf-8"), f"{name}#{i + 1}.txt")
        if any(s.kind in kinds for s in sub.tables):
            out.append(Base(f"{name}#{i + 1}", part, sub))
    return out


OPERATORS: dict[str, Operator] = {
    "narrative_number": narrative_number,
    "vague_target": vague_target,
    "abstract_percent": abstract_percent,
    "delete_level3": delete_level3,
    "break_cost": break_cost,
    "stale_plan_date": stale_plan_date,
    "foreign_sentence": foreign_sentence,
    "rate_under_quantity": rate_under_quantity,
    "halve_amount": halve_amount,
}


def sites(base: Base, operator: str, others: Sequence[Base] = ()) -> list[_Site]:
    """Every place `operator` can inject its defect in `base` (in text order)."""
    try:
        return OPERATORS[operator](base, others)
    except KeyError:
        raise ValueError(f"unknown mutation operator {operator!r}") from None


def generate(
    bases: Sequence[Base], operators: Sequence[str] | None = None, *, seed: int = 0, per_operator: int = 1
) -> list[Mutation]:
    """Up to `per_operator` mutations per (base, operator), picked by a generator seeded from
    (seed, base, operator): the same inputs always give the same mutations."""
    out = []
    for base in bases:
        for op in operators or OPERATORS:
            found = sites(base, op, bases)
            if not found:
                continue
            rng = random.Random(f"{seed}:{base.name}:{op}")
            picks = sorted(rng.sample(range(len(found)), min(per_operator, len(found))))
            for n, k in enumerate(picks, 1):
                site = found[k]
                suffix = f"-{n}" if per_operator > 1 else ""
                out.append(Mutation(
                    id=f"{base.name}:{op}{suffix}", base=base.name, operator=op,
                    description=site.description, text="\n".join(site.lines), expected=site.expected,
                ))
    return out
