"""copy_paste: text that belongs to another project, or one field copied into another."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable
from difflib import SequenceMatcher
from functools import lru_cache

from reviewer.checks.common import NAME_MEMO, TEXT_MEMO, compact, narrative_fields_once, quote
from reviewer.checks.registry import Context, Rule, register
from reviewer.models import Document, Finding, Table

_PUNCT = re.compile(r"[\s，,。；;：:、！!？?“”\"'‘’（）()《》〈〉【】\[\]<>·—\-…]+")
_NAME_SPLIT = re.compile(r"[-—－_、，,（）()\s/]+|(?<=.)及(?=.)|(?<=.)和(?=.)|(?<=.)与(?=.)")
_QUOTED = re.compile(r"《[^《》]{0,120}》|“[^“”]{0,120}”|〈[^〈〉]{0,120}〉")
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
_HEAD = 30  # characters: the shortest sentence IQ903 looks for in other projects
_CITATION = re.compile(r"[《〈“\"]|〔|【|\[|第[一二三四五六七八九十\d]+条|号")
# Field pairs that may legitimately say the same thing in a one-year project.
_SAME_OK = {frozenset({"项目总目标", "年度绩效目标"})}
_CROSS_SKIP = ("立项依据", "备注")


@lru_cache(maxsize=TEXT_MEMO)
def normalized(text: str) -> str:
    """Text for comparison: markup, spaces and punctuation removed."""
    return _PUNCT.sub("", compact(text))


def ratio(a: str, b: str) -> float:
    """difflib similarity of two normalised texts (0–1), with a cheap upper bound first."""
    if not a or not b:
        return 0.0
    if min(len(a), len(b)) / max(len(a), len(b)) < 0.6:
        return 0.0
    m = SequenceMatcher(None, a, b, autojunk=False)
    if m.real_quick_ratio() < 0.85 or m.quick_ratio() < 0.85:
        return m.quick_ratio() if m.quick_ratio() < 0.85 else 0.0
    return m.ratio()


_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def _copied(a: str, b: str) -> bool:
    """Identical, or nearly so with the same figures (a template filled with other numbers is not a copy)."""
    if a == b:
        return True
    return _figures(a) == _figures(b) and _may_be_near(a, b) and ratio(a, b) >= 0.9


@lru_cache(maxsize=TEXT_MEMO)
def _figures(text: str) -> tuple[str, ...]:
    return tuple(_DIGITS.findall(text))


@lru_cache(maxsize=512)
def _chars(text: str) -> Counter:
    return Counter(text)


def _may_be_near(a: str, b: str) -> bool:
    """False when `ratio(a, b)` cannot reach 0.9: difflib's ratio is at most its quick ratios (by length,
    and by shared characters), so both must reach 0.9 first (checked with a margin for rounding)."""
    if not a or not b or 2.0 * min(len(a), len(b)) / (len(a) + len(b)) < 0.89:
        return False
    ca, cb = _chars(a), _chars(b)
    if len(ca) > len(cb):
        ca, cb = cb, ca
    shared = sum(min(n, cb[c]) for c, n in ca.items() if c in cb)  # = (ca & cb).total()
    return 2.0 * shared / (len(a) + len(b)) >= 0.89


class _CopyRule(Rule):
    category = "copy_paste"
    kinds = ("project", "department")


@register
class FieldsCopiedIntoEachOther(_CopyRule):
    """Two narrative fields of one table hold the same text (项目设立的必要性 = 项目概况).

    What it checks: every pair of narrative fields (项目概况, 立项依据, 项目设立的必要性,
    项目配套制度措施, 项目实施计划, 项目总目标, 年度绩效目标 …) is compared after removing
    markup, spaces and punctuation; identical or near-identical texts (similarity ≥ 0.9)
    mean one field was pasted into the other and says nothing of its own. 项目总目标 and
    年度绩效目标 of a one-year project may coincide: that pair is only info.
    Why: shared/spec/domain.md: "one field copied into another (必要性 = 概况)"; 财预〔2015〕88号
    可行性 (the necessity must be argued, not restated).
    Bad: 项目设立的必要性 with exactly the text of 项目概况.
    Good: 项目概况 describing the work and 项目设立的必要性 arguing why it is needed.
    """

    code = "IQ902"
    name = "fields-copied-into-each-other"
    severity = "warning"

    def check(self, table: Table) -> Iterable[Finding]:
        fields = [(k, f.name or k, normalized(f.text), f.text) for k, f in table.narrative.items()
                  if k != "备注" and len(normalized(f.text)) >= 10]
        for i, (ka, na, a, raw_a) in enumerate(fields):
            for kb, nb, b, _ in fields[i + 1:]:
                if a != b and not _may_be_near(a, b):
                    continue  # ratio(a, b) < 0.9
                r = 1.0 if a == b else ratio(a, b)
                if r < 0.9:
                    continue
                ok_pair = frozenset({ka, kb}) in _SAME_OK
                same = "相同" if r == 1.0 else "几乎相同"
                yield self.finding(
                    f"{nb}与{na}内容{same}，{nb}未单独填写。",
                    evidence=f"{na} = {nb}: {quote(raw_a, 50)}" + ("" if r == 1.0 else f"（相似度{r:.0%}）"),
                    location=f"{na} / {nb}",
                    at=table.narrative[kb].location,
                    fix=f"按{nb}的填报要求重新撰写，不要照抄{na}。",
                    severity="info" if ok_pair else None,
                )


def _document_common(doc: Document) -> list[str]:
    """Strings most projects share (the unit's name, 专项 prefixes …): not distinctive of any project.

    A piece of a title is common when at least half of the titles hold it, or when most of the
    other projects' texts do — "most" leaves out a copy in one other table, the very thing
    IQ901 looks for.
    """
    projects = [t for t in doc.tables if t.kind == "project"]
    names = [compact(t.title) for t in projects]
    # Hashing, not pairwise search: the pieces (4–16 characters) of each name, and the pieces of
    # names each text holds. Pieces are prefix-closed (a piece's first 4+ characters are a piece),
    # so a text holds every piece found by extending a 4-character match one character at a time.
    pieces = [_pieces(n) for n in names]
    holders = Counter(c for ps in pieces for c in ps)  # piece → how many names hold it
    texts = [compact(t.text) for t in projects]
    joined = "\n".join(texts)  # compact texts hold no whitespace: no piece spans two of them
    # in_others decides only for a piece found in enough texts (below), and a piece lies in no more
    # texts than its head occurs in them all, and is held by no more names than its head: heads
    # too rare to make any of their pieces common are not looked for.
    heads = {c for c, held in holders.items()
             if len(c) == 4 and (found := joined.count(c)) >= 2 and 2 * found > len(names) - held}
    in_others: dict[str, int] = {}  # piece → how many texts of projects whose name lacks it hold it
    for ps, text in zip(pieces, texts, strict=True):
        for c in _pieces_in(text, holders, heads):
            if c not in ps:
                in_others[c] = in_others.get(c, 0) + 1
    common = []
    for c, held in holders.items():
        if held >= 2 and 2 * held >= len(names):
            common.append(c)
            continue
        hits = in_others.get(c, 0)
        if hits >= 2 and 2 * hits > len(projects) - held:
            common.append(c)
    if doc.department:
        common.append(doc.department)
    common.sort(key=lambda c: (-len(c), c))
    return common


@lru_cache(maxsize=1024)
def _pieces(name: str) -> frozenset[str]:
    """Every piece of 4 to 16 characters of a name."""
    return frozenset(name[i:i + size] for size in range(4, min(len(name), 16) + 1)
                     for i in range(len(name) - size + 1))


def _pieces_in(text: str, pieces: Collection[str], heads: set[str]) -> set[str]:
    """The pieces (a prefix-closed set of strings of 4–16 characters) that begin with one of
    `heads` (4-character pieces) and occur in `text`: each head found is extended one character
    at a time."""
    out: set[str] = set()
    n = len(text)
    for head in occurring(text, heads, 4):
        out.add(head)
        p = text.find(head)
        while p >= 0:
            size = 5
            while size <= 16 and p + size <= n:
                c = text[p:p + size]
                if c not in pieces:
                    break
                out.add(c)
                size += 1
            p = text.find(head, p + 1)
    return out


def document_common(ctx: Context, doc: Document) -> list[str]:
    """`_document_common`, once per run (IQ901 and IQ903 both need it)."""
    return ctx.memo(("document-common", id(doc)), lambda: _document_common(doc))


def distinctive_terms(name: str, common: list[str]) -> list[str]:
    """Pieces of a project name that identify it ("大会议室", "档案室整修", "设备采购")."""
    s = compact(name)
    for c in common:
        s = s.replace(c, "|")
    terms = []
    for piece in _NAME_SPLIT.split(s.replace("|", "-")):
        piece = re.sub(r"^(济源市|本|该)", "", piece)
        if len(piece) >= 3:
            terms.append(piece)
    return terms


def occurring(text: str, needles: Collection[str], size: int) -> Collection[str]:
    """The strings of `needles` (each `size` characters long) that occur in `text`.

    A substring search per needle while they are few; else every `size`-character window of
    the text is hashed once, so the cost stays linear in the text however many needles the
    document brings. Measured (CPython 3.11, Chinese text): a search costs about 100 ns plus
    0.6 ns a character, a window 165–290 ns (a new string each): searching wins up to about
    70 needles in a 50-character field and 200 in a 600-character table.
    """
    if len(needles) * (len(text) + 150) < 250 * len(text):
        return [h for h in needles if h in text]
    return {text[p:p + size] for p in range(len(text) - size + 1)}.intersection(needles)


def _found(term: str, text: str) -> int:
    """Characters of `term` found in `text`: whole, or a prefix of ≥3 ("档案室整修" ~ "档案室整个")."""
    if term in text:
        return len(term)
    for k in range(len(term) - 1, 2, -1):
        if term[:k] in text:
            return k
    return 0


@register
class OtherProjectsText(_CopyRule):
    """A field names another project's items: text copied from that project's table.

    What it checks: the distinctive words of every other project's name in the document
    (after removing what all projects share, such as the unit's name) are looked for in this
    project's narrative fields. When a field carries two or more of another project's terms
    (six characters or more in all, outside cited titles 《…》 and quotations) that this
    project's own name and indicators do not use, the text was written for the other project.
    Why: shared/spec/domain.md: "one project's text inside another's"; a target written for
    another project cannot be evaluated against this one (财预〔2015〕88号 相关性).
    Bad: 网络维护费 project's 项目配套制度措施 "为了完成…大会议室、档案室整个及设备采购的项目".
    Good: the U-Key project's 项目配套制度措施 "为了完成…综合服务平台U-Key购买资金的项目".
    """

    code = "IQ901"
    name = "other-projects-text"
    severity = "error"
    scope = "document"

    def check_document(self, document: Document) -> Iterable[tuple[Table, Finding]]:
        projects = [t for t in document.tables if t.kind == "project" and t.title]
        if len(projects) < 2:
            return
        common = document_common(self.ctx, document)
        terms = {id(t): distinctive_terms(t.title, common) for t in projects}
        # A term is found in a text (whole or by a prefix of ≥3) only when its first three
        # characters are: index the projects by those, and look at the projects a text can hit.
        by_head: dict[str, set[int]] = {}
        for k, b in enumerate(projects):
            for term in terms[id(b)]:
                by_head.setdefault(term[:3], set()).add(k)
        for a in projects:
            own = None  # this project's name and indicators, once a text reaches another project
            for name, text in narrative_fields_once(self.ctx.cache, a):
                t = compact(_QUOTED.sub("", text))  # cited titles name other things legitimately
                reachable: set[int] = set()
                for head in occurring(t, by_head.keys(), 3):
                    reachable |= by_head[head]
                for b in (projects[k] for k in sorted(reachable)):
                    if b is a:
                        continue
                    if own is None:
                        own = compact(a.title) + "|" + "|".join(compact(i.level3) for i in a.indicators if i.level3)
                    hits = []
                    for term in terms[id(b)]:
                        n = _found(term, t)
                        if n and _found(term, own) < n:
                            hits.append((term, n))
                    matched = sum(n for _, n in hits)
                    if len(hits) < 2 or matched < 6:
                        continue
                    yield a, self._finding(a, b, name, text, hits)
                    break

    def _finding(self, a: Table, b: Table, name: str, text: str, hits: list[tuple[str, int]]) -> Finding:
        first = min((text.find(term[:n]) for term, n in hits if text.find(term[:n]) >= 0), default=0)
        sentence = next((m.group(0) for m in _SENTENCE.finditer(text) if m.start() <= first < m.end()), text)
        words = "、".join(term[:n] for term, n in hits)
        return self.finding(
            f"{name}提到“{words}”，这些是“{b.title}”项目的内容，疑从该项目复制。",
            evidence=f"{name}: {quote(sentence.strip(), 70)}; 另一项目名称: {b.title}",
            location=name,
            at=a.narrative[next(k for k, f in a.narrative.items() if (f.name or k) == name)].location,
            fix=f"按本项目（{a.title}）的实际内容重写{name}。",
        )


# Shorter than this (characters without punctuation) a shared field is boilerplate worth no look
# ("保障中心各项业务顺利开展", "按相关规定执行"); a payment schedule or a real measure is longer.
MIN_SHARED_FIELD = 24


@register
class SameTextAcrossProjects(_CopyRule):
    """A field is (nearly) the same in several projects, or long sentences are shared.

    What it checks: the same narrative field of different projects (项目实施计划,
    项目配套制度措施 …; 立项依据 may rightly cite the same documents and is left out) compared
    after removing punctuation — identical, or similarity ≥ 0.9 with the same figures (a
    template filled in with each project's own numbers is not reported) — and sentences of 30
    characters or more that appear word for word in several projects. One finding per group of
    projects sharing a text, on the first of them, naming the others; fields shorter than
    MIN_SHARED_FIELD characters are boilerplate and not reported. Worth a look: boilerplate often
    hides a plan or a measure that does not fit the project.
    Why: shared/spec/domain.md: "a whole table copied from last year; one project's text
    inside another's".
    Bad: three projects with the 项目实施计划 "2021年6月底支付50%，2021年10月底支付80%，…".
    Good: each project's plan naming its own steps and amounts.
    """

    code = "IQ903"
    name = "same-text-across-projects"
    severity = "info"
    scope = "document"

    def check_document(self, document: Document) -> Iterable[tuple[Table, Finding]]:
        projects = [t for t in document.tables if t.kind == "project"]
        if len(projects) < 2:
            return
        common = document_common(self.ctx, document)
        terms = {id(t): distinctive_terms(t.title, common) for t in projects}
        norm = {id(t): {k: normalized(f.text) for k, f in t.narrative.items()
                        if k not in _CROSS_SKIP and len(normalized(f.text)) >= MIN_SHARED_FIELD} for t in projects}
        covered: set[tuple[int, str]] = set()  # (table, field) already reported as a whole copy
        shared: dict[tuple[int, ...], list[str]] = {}  # the same projects sharing several fields: one finding
        keys = dict.fromkeys(k for t in projects for k in norm[id(t)])
        for key in keys:
            for group in _groups([t for t in projects if key in norm[id(t)]], lambda t, k=key: norm[id(t)][k]):
                covered.update((id(t), key) for t in group)
                if any(_names_project(norm[id(group[0])][key], terms[id(t)]) for t in group):
                    continue  # the text names one project: IQ901 reports it where it does not belong
                shared.setdefault(tuple(id(t) for t in group), []).append(key)
        by_id = {id(t): t for t in projects}
        for ids, fields in shared.items():
            first, others = by_id[ids[0]], [by_id[i] for i in ids[1:]]
            names = "、".join(first.narrative[k].name or k for k in fields)
            f = first.narrative[fields[0]]
            yield first, self.finding(
                f"{names}在{len(ids)}个项目中相同或几乎相同（本项目及{_titles(others)}），请核实是否符合各项目实际。",
                evidence="; ".join(f"{first.narrative[k].name or k}: {quote(first.narrative[k].text, 60)}"
                                   for k in fields[:2]),
                location=names,
                at=f.location,
                fix=f"结合各项目的实际内容、金额和进度分别重写{names}。",
            )
        yield from self._shared_sentences(projects, covered)

    def _shared_sentences(self, projects: list[Table],
                          covered: set[tuple[int, str]]) -> Iterable[tuple[Table, Finding]]:
        order = {id(t): k for k, t in enumerate(projects)}
        by_id = {id(t): t for t in projects}
        whole = {id(t): "|".join(normalized(f.text) for k, f in t.narrative.items() if k not in _CROSS_SKIP)
                 for t in projects}
        sentences: dict[str, tuple[str, str]] = {}  # normalised → (field, raw) where first seen
        for t in projects:
            for key, f in t.narrative.items():
                if key in _CROSS_SKIP or (id(t), key) in covered:
                    continue
                for m in _SENTENCE.finditer(f.text or ""):
                    raw = m.group(0).strip()
                    if len(raw) < _HEAD:
                        continue  # normalising only removes characters
                    n = normalized(raw)
                    if len(n) >= _HEAD and not _CITATION.search(raw):
                        sentences.setdefault(n, (f.name or key, raw))
        # projects sharing the same sentences form one group: one finding per group. A sentence
        # (30+ characters) is in a text only if its first 30 characters are: hash those.
        heads = {n[:_HEAD] for n in sentences}
        has_head: dict[str, set[int]] = {}
        for i, text in whole.items():
            for piece in occurring(text, heads, _HEAD):
                has_head.setdefault(piece, set()).add(i)
        groups: dict[tuple[int, ...], list[tuple[str, str]]] = {}
        for n, (field, raw) in sentences.items():
            holders = tuple(sorted((i for i in has_head.get(n[:_HEAD], ()) if n in whole[i]),
                                   key=order.__getitem__))
            if len(holders) >= 2:
                groups.setdefault(holders, []).append((field, raw))
        for holders, shared in groups.items():
            if len(shared) < 2 and sum(len(normalized(raw)) for _, raw in shared) < 60:
                continue
            first, others = by_id[holders[0]], [by_id[i] for i in holders[1:]]
            field, raw = shared[0]
            yield first, self.finding(
                f"本项目与{_titles(others)}有{len(shared)}句相同的表述，请核实是否符合各项目实际。",
                evidence=f"{field}: {quote(raw, 60)}",
                location=field,
                fix=f"结合各项目实际改写{field}中雷同的表述。",
            )


def _groups(tables: list[Table], text_of) -> list[list[Table]]:
    """Tables whose texts are copies of each other, in groups of two or more (document order).

    A table joins the first group whose first text it copies. Copies have the same figures
    (`_copied`), so only the groups whose first text has the table's figures are tried.
    """
    groups: list[list[Table]] = []
    by_figures: dict[tuple[str, ...], list[list[Table]]] = {}
    for t in tables:
        text = text_of(t)
        same = by_figures.setdefault(_figures(text), [])
        home = next((g for g in same if _copied(text_of(g[0]), text)), None)
        if home is None:
            groups.append([t])
            same.append(groups[-1])
        else:
            home.append(t)
    return [g for g in groups if len(g) >= 2]


def _titles(tables: list[Table], limit: int = 3) -> str:
    names = "、".join(f"“{t.title}”" for t in tables[:limit])
    return names + (f"等{len(tables)}个项目" if len(tables) > limit else "")


def _names_project(text: str, terms: list[str]) -> bool:
    """The text carries two or more distinctive terms of a project's name."""
    hits = [term for term in terms if _found(term, text)]
    return len(hits) >= 2 and sum(_found(t, text) for t in hits) >= 6


# ---------------------------------------------------------------- a project named in the text that is not this one

_NAME_CHARS = r"[^，。；;：:！？!?《》\n]"
_NAMED_PROJECT = re.compile(
    rf"(?:为了?(?:完成|实施|做好|保障|确保|保证|推进|推动|落实|加快))(?P<a>{_NAME_CHARS}{{4,60}}?)的?项目"
    rf"|(?:^|[。；;\n]\s*(?:\d{{1,2}}[、.．]|[一二三四五六七八九十]+是)?)(?P<b>{_NAME_CHARS}{{4,60}}?)项目"
    r"(?=的实施|需要|主要|实施|是|将|开工|建设|完成)"
    rf"|(?P<c>[\u4e00-\u9fff]{{2,20}}?(?:管理中心|中心|局|委员会|办公室|人民政府)-?{_NAME_CHARS}{{4,50}}?)项目"
)
# A project name has no verbs or prepositions ("中心领导小组针对项目" is not one).
_NOT_A_NAME = re.compile(r"[对在把被从向让给由]|针对|进行|负责|组织|领导|开展|完成|实施|确保|通过|根据|按照|以及")
_UNIT_PREFIX = re.compile(r"^.{2,30}?(管理中心|中心|局|委员会|办公室|人民政府|政府|院|校|站|所|馆|社|厅)(的)?(?=.{4,})")
_NAME_NOISE = re.compile(r"(?:19|20)\d{2}\s*年度?|[“”\"'‘’、，,\-—_（）()\s]|专项|资金|经费|费用|项目|工程|建设|工作")
_PRONOUN = re.compile(r"此|该|本|这个|上述")
_TITLES = re.compile(r"《[^《》]{0,120}》|〈[^〈〉]{0,120}〉")


def _strip_common(s: str, unit: str) -> str:
    """Remove the pieces a name shares with the unit's name (住房公积金, 管理中心 …)."""
    for piece in _unit_pieces(unit):
        if piece in s:
            s = s.replace(piece, "")
    return s


@lru_cache(maxsize=256)
def _unit_pieces(unit: str) -> tuple[str, ...]:
    """The pieces of a unit's name, longest first (at most 12 characters, at least 3), then left to right."""
    return tuple(unit[i:i + size] for size in range(min(len(unit), 12), 2, -1) for i in range(len(unit) - size + 1))


def named_projects(text: str) -> list[tuple[str, str]]:
    """(name as written, sentence) of projects the text names ("为了完成…的项目", "…项目的实施")."""
    return list(_named_projects(text))


@lru_cache(maxsize=TEXT_MEMO)
def _named_projects(text: str) -> tuple[tuple[str, str], ...]:
    if "项目" not in text:
        return ()  # every pattern ends in 项目
    out = []
    plain = _TITLES.sub(lambda m: "□" * len(m.group(0)), text)  # cited titles are not project names
    for m in _NAMED_PROJECT.finditer(plain):
        group = next(g for g in ("a", "b", "c") if m.group(g))
        name = text[m.start(group):m.end(group)].strip()
        head = _UNIT_PREFIX.sub("", name)
        if "□" in m.group(group) or _PRONOUN.search(name) or _NOT_A_NAME.search(head):
            continue
        if re.search(r"\d{1,2}月|季度", name):
            continue
        sentence = next((s.group(0) for s in _SENTENCE.finditer(text) if s.start() <= m.start(group) < s.end()), name)
        out.append((name, sentence.strip()))
    return tuple(out)


@lru_cache(maxsize=NAME_MEMO)
def _core(name: str, unit: str) -> str:
    s = _UNIT_PREFIX.sub("", compact(name))
    s = _strip_common(s, unit) if unit else s
    return _NAME_NOISE.sub("", s).lower()


@register
class NamesAnotherProject(_CopyRule):
    """The narrative names a project that is not this one ("为了完成…大会议室、档案室…的项目").

    What it checks: project names written in the narrative — "为了完成X的项目", "为保障X项目顺利
    实施", "X项目的实施", "X项目需要…" — are compared with this table's 项目名称 after removing what every name of
    the unit shares (the unit's name, years, 专项/资金/经费/项目). A name of eight characters or
    more whose own part shares less than half its characters with this project's name was
    written for another project: a sentence pasted from another table. Cited titles (《…》)
    and phrases with verbs or prepositions ("中心领导小组针对项目") are not names. Names of other projects in the same
    document are reported by IQ901 with that project's name; this rule covers a table
    reviewed on its own.
    Why: shared/spec/domain.md: "one project's text inside another's"; 财预〔2015〕88号 相关性.
    Bad: 网络维护费 project: "为了完成济源市住房公积金管理中心大会议室、档案室整个及设备采购的项目".
    Good: U-Key project: "为了完成…电子政务专项-综合服务平台U-Key购买资金的项目".
    """

    code = "IQ904"
    name = "names-another-project"
    severity = "warning"
    kinds = ("project",)

    def check(self, table: Table) -> Iterable[Finding]:
        unit = compact(table.unit_name or self.ctx.document.department or "")
        own = _core(table.title, unit)
        if len(own) < 2:
            return
        for key, f in table.narrative.items():
            for name, sentence in named_projects(f.text or ""):
                core = _core(name, unit)
                if len(core) < 3 or len(compact(name)) < 8 or _overlap(core, own) >= 0.5:
                    continue
                other_cores = (_core(t.title, unit) for t in self.ctx.document.tables
                               if t.kind == "project" and t is not table)
                if any(oc and _overlap(core, oc) >= 0.5 for oc in other_cores):
                    continue  # another project of this document: IQ901 names it
                yield self.finding(
                    f"{f.name or key}写到“{name}”，与本项目名称“{table.title}”不符，疑为从其他项目复制的内容。",
                    evidence=f"{f.name or key}: {quote(sentence, 70)}; 项目名称: {table.title}",
                    location=f.name or key,
                    at=f.location,
                    fix=f"删除或改写该句，使{f.name or key}只写本项目的内容。",
                )
                break


def _overlap(a: str, b: str) -> float:
    """Share of the distinct characters of `a` found in `b`."""
    ca = set(a)
    return len(ca & set(b)) / len(ca) if ca else 0.0
