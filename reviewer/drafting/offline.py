"""The template drafter (the default): findings → 审核意见 without a model.

Each comment names the indicator or field, states the fact with the numbers
quoted from the finding, says why (the rubric's basis for the category) and
gives a concrete fix: the rule's own `Finding.fix` when it has one, otherwise a
fix derived from the category, the indicator and the project type, with
example indicators from reviewer/data/suggestions.yaml. Values the table does
not give are written as placeholders ("≥（按历史标准填写）万元"), never invented.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib.resources import files

from pydantic import BaseModel, ValidationError

from reviewer.drafting.grounding import numbers_in
from reviewer.drafting.rubric import Rubric, is_concrete_fix, load_rubric
from reviewer.errors import ConfigError
from reviewer.fastattr import plain_attribute_reads
from reviewer.models import Comment, Finding, Indicator, Table, TableReview
from reviewer.yamlio import load_yaml

MAX_MERGED = 3  # findings on one indicator merged into one comment, at most
QUOTE_PART_CHARS = 40  # a quoted evidence value is clipped to about this length
QUOTE_TOTAL_CHARS = 110

_ORDINALS = "一二三四五六七八九十"
_SEVERITY_WORDS = {"error": "须修改", "warning": "建议修改", "info": "提示"}
_REVERSE_WORDS = ("成本", "费用", "单价", "时长", "时间", "时限", "逾期", "故障", "投诉", "差错", "事故", "发生率", "损耗")
_UNITS = (
    r"个工作日|工作日|平方公里|平方米|立方米|万元|亿元|元|公里|千米|米|公斤|千克|吨|亩|人次|人|名|位|户|家|个|组|台|套|只|"
    r"件|次|场|期|批|门|项|份|株|座|所|辆|本|册|篇|条|天|日|小时|分钟|个月|月|年|%"
)
_QUANTITY = re.compile(
    rf"(?P<cmp>[≥≤=<>]|不少于|不低于|不高于|不超过)?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>(?:{_UNITS})(?:/[^\s,，。;；、)）]{{1,3}})?)?"
)
_TAGS = re.compile(r"<[^>]{0,80}>")
_DIGIT = re.compile(r"\d")
_LEVEL_SUFFIX = re.compile(r"(指标|目标)$")
_PART_SEPARATOR = re.compile(r"[;；]\s*")
_LABELLED = re.compile(r"^([^:：]{1,16})[:：]\s*(.*)$")
_CLAUSE_END = re.compile(r"(?<=[，,。、；;])")
_VALUE_LABEL = re.compile(r"指标值|目标值")
_AMOUNT = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?\s*(万元|亿元|元)?")
_GRADED_SUFFIXES = ("健全性", "完备性", "规范性", "合规性", "有效性", "可控性", "合理性", "完善性")


# ---------------------------------------------------------------- suggestions


class Suggestion(BaseModel):
    name: str
    comparator: str
    unit: str
    source: str

    def render(self, placeholder: str = "（按{source}填写）") -> str:
        return f"{self.name}{self.comparator}{placeholder.format(source=self.source)}{self.unit}"


class ProjectType(BaseModel):
    id: str
    label: str
    keywords: list[str]


class SuggestionLibrary(BaseModel):
    level2_aliases: dict[str, list[str]]
    level1_defaults: dict[str, str]
    project_types: list[ProjectType]
    suggestions: dict[str, dict[str, list[Suggestion]]]

    def level2_key(self, level1: str | None, level2: str | None) -> str | None:
        """The library key for a (一级, 二级) as a table writes them ("环境效益指标" → 生态效益)."""
        if level2:
            name = _LEVEL_SUFFIX.sub("", level2.strip())
            for key, aliases in self.level2_aliases.items():
                if name in aliases or name == key:
                    return key
            for key, aliases in self.level2_aliases.items():
                if any(a in name for a in aliases):
                    return key
        if level1:
            for word, key in self.level1_defaults.items():
                if word in level1:
                    return key
        return None

    @cached_property
    def _keywords(self) -> tuple[list[int], dict[str, list[tuple[str, list[int]]]]]:
        """Project-type keywords by first character: (keyword, the types listing it, once per listing).

        Also the scores of the empty keywords, which every text holds.
        """
        owners: dict[str, list[int]] = {}
        for i, pt in enumerate(self.project_types):
            for k in pt.keywords:
                owners.setdefault(k, []).append(i)
        base = [0] * len(self.project_types)
        by_first: dict[str, list[tuple[str, list[int]]]] = {}
        for k, types in owners.items():
            if k:
                by_first.setdefault(k[0], []).append((k, types))
            else:
                for i in types:
                    base[i] += 4  # in the title (3) and in the narrative (1)
        return base, by_first

    def project_type(self, title: str, texts: Iterable[str] = ()) -> str | None:
        """The project type whose keywords the title (weighted) and narrative mention most (first on a tie)."""
        base, by_first = self._keywords
        scores = list(base)
        # Only the keywords whose first character occurs in the text are looked for.
        for text, weight in ((title, 3), (" ".join(texts), 1)):
            for first, keywords in by_first.items():
                if first in text:
                    for keyword, types in keywords:
                        if keyword in text:
                            for i in types:
                                scores[i] += weight
        best = max(scores, default=0)
        return self.project_types[scores.index(best)].id if best > 0 else None

    def pick(self, level2: str | None, project_type: str | None, n: int = 2) -> list[Suggestion]:
        table = self.suggestions.get(level2 or "", {})
        items = list(table.get(project_type or "", [])) if project_type else []
        for s in table.get("default", []):
            if len(items) >= n:
                break
            if s.name not in {i.name for i in items}:
                items.append(s)
        return items[:n]


@lru_cache(maxsize=1)
def load_suggestions() -> SuggestionLibrary:
    """reviewer/data/suggestions.yaml, validated and cached."""
    import yaml

    try:
        text = files("reviewer.data").joinpath("suggestions.yaml").read_text(encoding="utf-8")
        return SuggestionLibrary.model_validate(load_yaml(text))
    except (OSError, yaml.YAMLError, ValidationError) as e:
        raise ConfigError(f"cannot read suggestions.yaml: {str(e).splitlines()[0]}") from None


# ---------------------------------------------------------------- drafting


@dataclass
class _Ctx:
    review: TableReview
    rubric: Rubric
    library: SuggestionLibrary
    project_type: str | None

    @property
    def table(self) -> Table | None:
        return self.review.table

    def placeholder(self, source: str) -> str:
        return self.rubric.style.placeholder.format(source=source)


def draft_table(tr: TableReview, rubric: Rubric | None = None) -> list[Comment]:
    """One template comment per finding (findings on one indicator merged), in the rubric's order."""
    rubric = rubric or load_rubric()
    library = load_suggestions()
    ctx = _Ctx(tr, rubric, library, _project_type(tr, library))
    ids = [f.id for f in tr.findings]
    distinct = len(set(ids)) == len(ids)
    position = {id(f): i for i, f in enumerate(tr.findings)}
    drafted = []
    for group in _group(tr.findings):
        text = _compose(group, ctx)
        # A merged comment over the length limit is written as one comment per finding.
        parts = [(group, text)]
        if len(group) > 1 and len(text) > rubric.length.limit_for(len(group)):
            parts = [([f], _compose([f], ctx)) for f in group]
        for members, body in parts:
            rank = _order_rank(rubric, members[0].location or "")
            # Its position among the findings: list.index compares models field by field; with
            # distinct ids only the finding itself is equal to it, so its own position is the answer.
            index = position[id(members[0])] if distinct else tr.findings.index(members[0])
            drafted.append((rank, index, Comment(finding_ids=[f.id for f in members if f.id], text=body)))
    drafted.sort(key=lambda t: (t[0], t[1]))
    return [c for _, _, c in drafted]


_ranks: tuple[Rubric | None, dict[str, int]] = (None, {})
_RANKS_KEPT = 4096


def _order_rank(rubric: Rubric, location: str) -> int:
    """`rubric.order_rank(location)`, remembered for the last rubric used (at most _RANKS_KEPT locations)."""
    global _ranks
    owner, ranks = _ranks
    if owner is not rubric:
        ranks = {}
        _ranks = (rubric, ranks)
    rank = ranks.get(location)
    if rank is None:
        if len(ranks) >= _RANKS_KEPT:
            ranks.clear()
        rank = ranks[location] = rubric.order_rank(location)
    return rank


def table_summary(tr: TableReview, rubric: Rubric | None = None) -> str:
    """A one-paragraph 审核意见 for the table, opening with its verdict (`tr.verdict`, as the checks set it)."""
    rubric = rubric or load_rubric()
    rule = rubric.verdict_rule(tr.verdict)
    findings = tr.findings
    head = f"审核意见：{tr.verdict}。"
    if not findings:
        return head + "该表绩效目标设置完整，指标可衡量，未发现需修改的问题。"
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    if tr.verdict == "通过":
        return head + f"该表未发现须修改的问题，另有{_cn(counts['info'])}条提示，{rule.advice}"
    parts = [f"{_SEVERITY_WORDS[s]}{_cn(n)}处" for s, n in counts.items() if n]
    ranked = sorted(findings, key=lambda f: {"error": 0, "warning": 1, "info": 2}[f.severity])
    labels = list(dict.fromkeys(rubric.category(f.category).label for f in ranked))[:3]
    names = list(dict.fromkeys(f.indicator for f in ranked if f.indicator))[:3]
    text = head + f"该表共有{_cn(len(findings))}处问题（{'、'.join(parts)}），主要涉及{'、'.join(labels)}"
    if names:
        text += "，重点是" + "".join(f"“{n}”" for n in names) + "等指标"
    return text + f"。{rule.advice}"


# ---------------------------------------------------------------- composition


def _project_type(tr: TableReview, library: SuggestionLibrary) -> str | None:
    texts: list[str] = []
    if tr.table is not None:
        texts = [f.text for f in tr.table.narrative.values()]
    return library.project_type(tr.title, texts)


def _group(findings: list[Finding]) -> list[list[Finding]]:
    """Findings on the same indicator (and location) share a comment; the others stand alone."""
    groups: list[list[Finding]] = []
    open_groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        key = (f.indicator or "", f.location or "")
        if f.indicator and key in open_groups and len(open_groups[key]) < MAX_MERGED:
            open_groups[key].append(f)
            continue
        group = [f]
        groups.append(group)
        if f.indicator:
            open_groups[key] = group
    return groups


def _compose(group: list[Finding], ctx: _Ctx) -> str:
    subject = _subject(group[0])
    quoted: set[str] = set()  # evidence pieces already quoted in this comment
    facts = [_fact(f, ctx.rubric.category(f.category).label, quoted) for f in group]
    whys = list(dict.fromkeys(ctx.rubric.category(f.category).why for f in group))
    fixes = list(dict.fromkeys(_sentence(_fix(f, ctx)) for f in group))
    if len(facts) == 1:
        body = facts[0]
    else:
        body = "；".join(f"{_ORDINALS[i]}是{fact}" for i, fact in enumerate(facts))
    return f"{subject}：{body}。" + "".join(whys) + "".join(fixes)


def _segments(location: str) -> list[str]:
    return [p.strip() for p in (location or "").split(">") if p.strip()]


def _subject(f: Finding) -> str:
    segs = _segments(f.location)
    if f.indicator:
        path = [s for s in segs if s != f.indicator]
        noun = "" if f.indicator.endswith("指标") else "指标"
        return f"“{_tidy(f.indicator)}”{noun}" + (f"（{'—'.join(path)}）" if path else "")
    if segs:
        return f"“{'—'.join(segs)}”"
    return "本表"


def _squeeze(text: str) -> str:
    """Table text on one line, without HTML tags."""
    text = text or ""
    if "<" in text:
        text = _TAGS.sub("", text)
    return " ".join(text.split())  # = re.sub(r"\s+", " ", text).strip(): both split on str.isspace


def _tidy(text: str) -> str:
    """Table text for quoting: its own quotation marks become single ones, so it cannot close ours."""
    return _squeeze(text).replace("“", "‘").replace("”", "’")


def _fact(f: Finding, label: str, quoted: set[str]) -> str:
    message = _squeeze(f.message).rstrip("。；;，, ") or label
    quote = _evidence_quote(f, message, quoted)
    return message + (f"（{quote}）" if quote else "")


@lru_cache(maxsize=2048)
def _evidence_parts(evidence: str) -> tuple[tuple[str, str], ...]:
    """"项目概况: 加高密集架60组; 指标值: =52组" → (("项目概况", "加高密集架60组"), ("指标值", "=52组")).

    Remembered for the last 2048 evidences: comments and fixes of one finding split it several times.
    """
    out = []
    for part in _PART_SEPARATOR.split(_tidy(evidence)):
        part = part.strip()
        if not part:
            continue
        m = _LABELLED.match(part)
        if m and not _DIGIT.search(m.group(1)):
            out.append((m.group(1).strip(), m.group(2).strip()))
        else:
            out.append(("", part))
    return tuple(out)


def _clip(value: str, limit: int) -> str:
    """Shorten a quoted value: keep the clauses that hold numbers (up to twice the limit), else its start."""
    if len(value) <= limit:
        return value
    clauses = [c for c in _CLAUSE_END.split(value) if c]
    numeric = [c for c in clauses if _DIGIT.search(c)]
    if not numeric:
        return value[:limit].rstrip("，,。、；; ") + "……"
    out = ""
    for c in numeric:
        if out and len(out) + len(c) > 2 * limit:
            break
        out += c
    out = out.rstrip("，,。、；; ")
    return out if out == value.rstrip("，,。、；; ") else out[: 2 * limit] + "……"


def _evidence_quote(f: Finding, message: str, quoted: set[str]) -> str:
    """The evidence as a short quote, without what the message or an earlier quote already says."""
    evidence = f.evidence
    if not evidence.strip():
        return ""
    wanted = numbers_in(evidence)
    if wanted and set(wanted) <= set(numbers_in(message)):
        return ""
    parts = _evidence_parts(evidence)
    if not wanted and all(v and v in message for _, v in parts):
        return ""
    pieces: list[tuple[str, str]] = []  # (label, quoted values)
    total = 0
    for label, value in parts:
        if label == "三级指标" and value == f.indicator:  # the subject names it already
            continue
        value = _clip(value, QUOTE_PART_CHARS)
        key = f"{label}“{value}”"
        if key in quoted:
            continue
        if pieces and total + len(key) > QUOTE_TOTAL_CHARS and not _DIGIT.search(value):
            continue
        quoted.add(key)
        total += len(key)
        if pieces and label and pieces[-1][0] == label:  # 计划“…”“…” rather than the label each time
            pieces[-1] = (label, f"{pieces[-1][1]}“{value}”")
        else:
            pieces.append((label, f"“{value}”"))
    return "表中" + "，".join(label + values for label, values in pieces) if pieces else ""


def _sentence(text: str) -> str:
    text = text.strip()
    if not text.startswith(("建议", "应", "请")):
        text = "建议" + text
    return text if text.endswith(("。", "！", "？")) else text.rstrip("；;，,") + "。"


# ---------------------------------------------------------------- fixes


def _fix(f: Finding, ctx: _Ctx) -> str:
    """The rule's fix (completed with a derived example when it proposes no replacement), else a derived one."""
    derive = _DERIVED_FIXES.get(f.category)
    if f.fix and f.fix.strip():
        fix = _sentence(_squeeze(f.fix))
        if is_concrete_fix(fix) or derive is None:
            return fix
        extra = derive(f, ctx) if f.category in _SPECIFIC_DERIVATIONS else None
        return fix + _sentence(extra) if extra and is_concrete_fix(extra) else fix
    fix = derive(f, ctx) if derive else None
    return fix or ctx.rubric.category(f.category).fix


def _indicator(f: Finding, table: Table | None) -> Indicator | None:
    if table is None or not f.indicator:
        return None
    same = [i for i in table.indicators if i.level3 == f.indicator]
    for i in same:
        if f.location and i.path == f.location:
            return i
    return same[0] if same else None


def _levels(f: Finding, ind: Indicator | None) -> tuple[str | None, str | None]:
    if ind is not None and (ind.level1 or ind.level2):
        return ind.level1, ind.level2
    segs = _segments(f.location)
    if f.indicator and segs and segs[-1] == f.indicator:
        segs = segs[:-1]
    return (segs[0] if segs else None), (segs[1] if len(segs) > 1 else None)


def _reverse(name: str) -> bool:
    return any(w in name for w in _REVERSE_WORDS)


def _examples(items: list, ctx: _Ctx) -> str:
    return "或".join(f"“{s.render(ctx.rubric.style.placeholder)}”" for s in items)


def _first_quantity(text: str) -> re.Match | None:
    for m in _QUANTITY.finditer(text):
        if m.group("unit") or m.group("cmp"):
            return m
    return None


def _fix_missing(f: Finding, ctx: _Ctx) -> str | None:
    segs = _segments(f.location)
    level1 = segs[0] if segs else None
    level2 = segs[1] if len(segs) > 1 else None
    key = ctx.library.level2_key(level1, level2)
    items = ctx.library.pick(key, ctx.project_type)
    if not items:
        return None
    where = f"在“{'—'.join(segs)}”下" if segs else ""
    return f"建议{where}补充可量化的三级指标，如{_examples(items, ctx)}，并注明取值依据"


def _name_example(name: str, ind: Indicator | None, ctx: _Ctx) -> str | None:
    """A measurable form of the indicator `name` built from the name itself, or None."""
    has_value = ind is not None and ind.target.value is not None
    if name.endswith(("率", "度", "比例")) and not has_value:
        cmp = "≤" if _reverse(name) else "≥"
        return f"{name}{cmp}{ctx.placeholder('历史标准')}%"
    if name.endswith("及时性") and len(name) > 3:
        return f"{name[:-3]}及时率≥{ctx.placeholder('计划标准')}%"
    graded = next((w for w in _GRADED_SUFFIXES if name.endswith(w) and len(name) > len(w)), None)
    if graded and not has_value:
        stem = name[: -len(graded)]
        if graded in ("规范性", "合规性"):
            return f"{stem}违规问题数≤{ctx.placeholder('历史标准')}个"
        if graded in ("有效性", "可控性"):
            return f"{stem}发现问题整改率≥{ctx.placeholder('计划标准')}%"
        if graded == "合理性":
            return f"{stem}调整率≤{ctx.placeholder('历史标准')}%"
        thing = stem if stem.endswith(("制度", "机制", "体系", "办法")) else f"{stem}制度"  # 健全性, 完备性 …
        return f"已建立的{thing}数量≥{ctx.placeholder('计划标准')}项"
    return None


def _fix_unmeasurable(f: Finding, ctx: _Ctx) -> str | None:
    if not f.indicator:  # a finding on several indicators: show the fix on the first one it names
        for label, _ in _evidence_parts(f.evidence):
            if not label:
                continue
            example = _name_example(label, _indicator(f.model_copy(update={"indicator": label}), ctx.table), ctx)
            if example:
                return f"建议参照以下写法：将“{label}”改为“{example}”"
        return None
    ind = _indicator(f, ctx.table)
    name = f.indicator
    example = _name_example(name, ind, ctx)
    if example is None:
        level1, level2 = _levels(f, ind)
        items = ctx.library.pick(ctx.library.level2_key(level1, level2), ctx.project_type)
        if not items:
            return None
        return (f"建议改为有明确计量对象的量化指标，如{_examples(items, ctx)}；"
                "确实无法量化的，采用分级分档的定性表述并列明评判标准")
    if example.endswith("%") and name in example:
        return f"建议将指标值改为“{example[len(name):]}”，并在指标解释中写明{name}的计算口径"
    if name.endswith("及时性"):
        return (f"建议改为“{example}”，或明确时限，如“{name[:-3]}时限≤{ctx.placeholder('行业标准')}个工作日”")
    graded = next(w for w in _GRADED_SUFFIXES if name.endswith(w))
    return (f"建议改为可核验的表述，如“{example}”；或采用分级分档的定性值"
            f"（如{_qualitative_levels(graded)}），并在指标解释中列明各档的评判标准")


def _qualitative_levels(suffix: str) -> str:
    """Graded levels for a qualitative indicator ending in `suffix` ("健全性" → 健全、基本健全、不健全)."""
    word = suffix[:-1]
    return f"{word}、基本{word}、不{word}"


def _fix_narrative(f: Finding, ctx: _Ctx) -> str | None:
    """"项目概况: 加高密集架60组; 指标值: =52组" → change one to the other, whichever is right."""
    parts = []
    for label, value in _evidence_parts(f.evidence):
        q = _first_quantity(value)
        if label and q:
            parts.append((label, q))
    if len(parts) < 2:
        return None
    label_a, qa = parts[0]
    values = [p for p in parts[1:] if _VALUE_LABEL.search(p[0])]
    others = [p for p in parts[1:] if p[1].group("num") != qa.group("num")]
    candidates = values or others
    if not candidates:
        return None
    label_b, qb = candidates[0]
    if qb.group("num") == qa.group("num"):
        return None
    is_value = bool(_VALUE_LABEL.search(label_b))
    cmp = qb.group("cmp") or ("=" if is_value else "")
    unit = qb.group("unit") or qa.group("unit") or ""  # the indicator's own unit first
    more = "等处" if len({p[0] for p in parts}) > 2 else ""
    return (f"建议核实后统一：若以{label_a}为准，将{label_b}改为“{cmp}{qa.group('num')}{unit}”；"
            f"若以{label_b}为准，相应修改{label_a}{more}的表述")


def _fix_amount(f: Finding, ctx: _Ctx) -> str | None:
    """"项目概况: 所需资金约35.9万元; 项目本年度金额: 35.70" → align the text with the budget field."""
    found = []
    for label, value in _evidence_parts(f.evidence):
        m = _AMOUNT.search(value)
        if label and m:
            found.append((label, m.group().replace(" ", ""), m.group(1)))
    if len(found) != 2 or numbers_in(found[0][1]) == numbers_in(found[1][1]):
        return None
    (label_a, num_a, unit_a), (label_b, num_b, unit_b) = found
    if "金额" not in label_b and "金额" in label_a:  # the budget field is the likelier reference
        (label_a, num_a, unit_a), (label_b, num_b, unit_b) = (label_b, num_b, unit_b), (label_a, num_a, unit_a)
    value = num_b if unit_b else f"{num_b}{unit_a or '万元'}"
    where = label_a if "金额" in label_a else f"{label_a}中的金额"
    return (f"建议核实后统一：若以{label_b}为准，将{where}改为{value}；"
            f"若以{label_a}为准，相应更正{label_b}")


def _fix_misclassified(f: Finding, ctx: _Ctx) -> str | None:
    name = f.indicator or ""
    if "满意" in name:
        target = "满意度指标"
    elif any(w in name for w in ("成本", "费用", "单价")):
        target = "成本指标"
    elif any(w in name for w in ("及时", "时限", "完成时间", "时效")):
        target = "时效指标"
    elif any(w in name for w in ("合格", "达标", "验收", "故障", "差错", "准确", "完好")):
        target = "质量指标"
    else:
        return None
    return f"建议将“{name}”调整至“{target}”下"


def _fix_format(f: Finding, ctx: _Ctx) -> str | None:
    ind = _indicator(f, ctx.table)
    name = f.indicator or ""
    about = f"{f.message} {f.evidence}"
    parts = _evidence_parts(f.evidence)
    raw = ind.target.raw if ind is not None else (parts[-1][1] if parts else "")
    if (ind is not None and ind.target.placeholder) or re.search(r"占位|\*\*|XX", about):
        unit = (ind.target.unit or ind.unit_column) if ind is not None else None
        cmp = "≤" if _reverse(name) else "≥"
        return f"建议删除模板占位符，填写实际目标值，如“{name}{cmp}{ctx.placeholder('计划标准')}{unit or '（计量单位）'}”"
    if (ind is not None and ind.target.excel_serial) or re.search(r"序列|日期", about):
        year = f"{ctx.table.year}年" if ctx.table is not None and ctx.table.year else "（按预算年度填写）年"
        return f"建议将“{raw or name}”改为具体完成时限，如“{year}{ctx.placeholder('计划标准')}月底前”"
    q = _QUANTITY.search(raw or "")
    if not q:
        return None
    num, cmp, unit = q.group("num"), q.group("cmp"), q.group("unit")
    if ind is not None:
        unit = unit or ind.target.unit or ind.unit_column
        cmp = cmp or ind.target.comparator_raw
    want = "≤" if _reverse(name) else "≥"
    if unit == "%" and cmp in ("≥", ">", ">=") and float(num) >= 100:
        return f"建议将指标值改为“=100%”，或按历史标准设定不超过100%的目标值“≥{ctx.placeholder('历史标准')}%”"
    if not unit:
        return f"建议补充计量单位并写明比较符，如“{cmp or want}{num}（计量单位）”"
    if not cmp:
        if want == "≤":
            return f"建议写明比较符，将指标值改为“≤{num}{unit}”"
        return f"建议写明比较符：数量固定的写为“={num}{unit}”，属于最低要求的写为“≥{num}{unit}”"
    if cmp == "=" and re.search(r"比较符|下限|上限|最低|最高|不少于|不超过|越多越好|越高越好|超额", f.message):
        return f"建议写明比较符，将指标值改为“{want}{num}{unit}”"
    return None


def _fix_cost(f: Finding, ctx: _Ctx) -> str | None:
    """The rubric's cost fix, with the cost unit of the indicator itself when the table gives one."""
    ind = _indicator(f, ctx.table)
    unit = (ind.target.unit or ind.unit_column) if ind is not None else None
    generic = ctx.rubric.category("cost_inconsistency").fix
    if not unit or not unit.startswith(("元", "万元")) or "元/（计量单位）" not in generic:
        return None
    return generic.replace("元/（计量单位）", unit)


def _fix_stale(f: Finding, ctx: _Ctx) -> str | None:
    if ctx.table is None or not ctx.table.year:
        return None
    return (f"建议将日期更正为“{ctx.table.year}年{ctx.placeholder('计划标准')}月”等预算年度内的时间，"
            "并与项目实施计划保持一致")


def _fix_text_inconsistency(f: Finding, ctx: _Ctx) -> str | None:
    """Two short, similar spellings of one thing ("卫凹村" / "卫洼村") → pick one of them."""
    parts = [(label, v) for label, v in _evidence_parts(f.evidence) if v and not re.search(r"指标", label)]
    variants = list(dict.fromkeys(v.strip("…。 ") for _, v in parts))
    if len(variants) != 2 or max(len(v) for v in variants) > 20:
        return None
    a, b = variants
    if len(set(a) & set(b)) * 2 < max(len(set(a)), len(set(b))):
        return None
    return f"建议核实后统一为“{a}”或“{b}”中的规范写法，全表保持一致"


def _fix_copy(f: Finding, ctx: _Ctx) -> str | None:
    segs = _segments(f.location)
    where = f"“{'—'.join(segs)}”中" if segs else ""
    return f"建议删除{where}与本项目无关的内容，按本项目本年度实际情况重新填写"


def _fix_incomplete(f: Finding, ctx: _Ctx) -> str | None:
    segs = _segments(f.location)
    if not segs and not f.indicator:
        return None
    where = f"“{f.indicator or '—'.join(segs)}”"
    return f"建议补全{where}中断的文字或数值，完整表述后重新填报"


_DERIVED_FIXES = {
    "missing_indicator": _fix_missing,
    "unmeasurable_target": _fix_unmeasurable,
    "narrative_mismatch": _fix_narrative,
    "misclassified": _fix_misclassified,
    "cost_inconsistency": _fix_cost,
    "amount_inconsistency": _fix_amount,
    "format": _fix_format,
    "stale_date": _fix_stale,
    "text_inconsistency": _fix_text_inconsistency,
    "copy_paste": _fix_copy,
    "incomplete_text": _fix_incomplete,
}


# Derivations built from the finding's own data (not generic advice): worth adding to a rule's vague fix.
_SPECIFIC_DERIVATIONS = {
    "missing_indicator", "unmeasurable_target", "narrative_mismatch", "amount_inconsistency", "misclassified",
    "format", "stale_date",
}


def _cn(n: int) -> str:
    """A count in Chinese numerals (counts are words, not table data)."""
    if n < 0 or n >= 100:
        return str(n)
    if n <= 10:
        return "零一二三四五六七八九十"[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else "零一二三四五六七八九"[tens]) + "十" + ("" if ones == 0 else "零一二三四五六七八九"[ones])


# Field reads without pydantic's __getattr__ hook (see reviewer.fastattr).
plain_attribute_reads(Suggestion, ProjectType, SuggestionLibrary)
