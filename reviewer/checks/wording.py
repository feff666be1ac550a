"""text_inconsistency: one entity written in two different ways within a table.

Kept low-noise on purpose: a place name must differ in exactly one character with the same
first character and suffix; a project name must be written in the narrative with the same
prefix but another body, or one character off; Latin tokens must differ only in case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache

from reviewer.checks.common import NAME_MEMO, TEXT_MEMO, indicator_evidence, indicator_label, plain_text, quote
from reviewer.checks.registry import Rule, register
from reviewer.extract.units import COUNT_UNITS, KNOWN_UNIT_SPELLINGS, normalize_unit, unit_family
from reviewer.models import Finding, Table

_CJK = re.compile(r"[\u4e00-\u9fff]")
_PLACE = re.compile(r"(?=([\u4e00-\u9fff]{2})(村|镇|乡|社区|街道|小区))")
_PLACE_SUFFIX = re.compile(r"村|镇|乡|社区|街道|小区")
_CJK2 = re.compile(r"[\u4e00-\u9fff]{2}")
_PLACE_STOP_CHARS = set("各每本该全驻进入在到出邻两个等和与及的为对从向乡农城")
_PLACE_STOP_HEADS = {"贫困", "行政", "自然", "示范", "重点", "中心", "帮扶", "试点", "美丽", "文明", "先进",
                     "特色", "集体", "所在", "当地", "易地", "搬迁", "脱贫", "相关", "沿线", "周边",
                     "老旧", "安置", "住宅", "居民", "商品", "封闭", "开放", "新建", "改造", "城市", "农村"}
_SEP = "-—－–"
_NAME_END = re.compile(r"项目|的|[，。；、,;：:\s（(“]|在|主要|需要|预算|实施|经费预算")
_LATIN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*(?![A-Za-z0-9])")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_CLAUSES = re.compile(r"[，,；;。！!？?]")


_QUOTED = re.compile(r"[“「\"]([^”」\"“「]{2,20})[”」\"]")


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def table_fields(table: Table) -> Iterator[tuple[str, str]]:
    """(field name, plain text) for the title, header, narrative and indicator names."""
    yield "标题", plain_text(table.title)
    for name, f in (*table.header.items(), *table.narrative.items()):
        yield f.name or name, plain_text(f.text)  # the field as printed
    for ind in table.indicators:
        if ind.level3:
            yield "三级指标", plain_text(ind.level3)


def _table_fields_once(ctx, table: Table) -> list[tuple[str, str]]:
    """`table_fields`, once per run (two rules read it)."""
    return ctx.memo(("table-fields", id(table)), lambda: list(table_fields(table)))


def sound_alike(a: str, b: str) -> bool:
    """Two characters sharing a reading, tones ignored (凹/洼 wa, 湾/弯 wan, 峰/锋 feng)."""
    from pypinyin import Style, pinyin

    def readings(ch: str) -> set[str]:
        return set(pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")[0] or [])

    return bool(readings(a) & readings(b))


@lru_cache(maxsize=TEXT_MEMO)
def _place_names(text: str) -> tuple[tuple[str, int], ...]:
    """(name, start) of the place names written in `text` (common words left out)."""
    out = []
    # = _PLACE.finditer(text), from the suffixes found (no two of them overlap) back to the two
    # characters before each
    for m in _PLACE_SUFFIX.finditer(text, 2):
        q = m.start()
        head, suffix = text[q - 2:q], m.group()
        if not _CJK2.fullmatch(head):
            continue
        if set(head) & _PLACE_STOP_CHARS or head in _PLACE_STOP_HEADS:
            continue
        out.append((head + suffix, q - 2))
    return tuple(out)


def _snippet(text: str, start: int, end: int, pad: int = 8) -> str:
    a, b = max(0, start - pad), min(len(text), end + pad)
    return ("…" if a else "") + text[a:b] + ("…" if b < len(text) else "")


@register
class PlaceNameVariants(Rule):
    """A place name written two ways, one character apart (卫凹村 / 卫洼村).

    What it checks: names of villages, towns and communities (…村, …镇, …乡, …社区, …街道, …小区)
    that appear in one table with the same first character and suffix but a different second
    character that is pronounced the same (凹/洼, 湾/弯, 园/苑 — a typing slip in pinyin input);
    names that differ in sound (王庄村, 王楼村) are different places. Common words (本村, 驻村,
    贫困村, 各村, 老旧小区 …) are not names and are skipped.
    Why: shared/spec/domain.md and the findings contract (text_inconsistency: "a village named two
    ways"); a wrong place name in an approved target makes the target unverifiable.
    Bad: 项目配套制度措施 says 卫凹村, 年度绩效目标 says 卫洼村.
    Good: the same spelling everywhere, as in the official village list.
    """

    code = "IQ1101"
    name = "place-name-variants"
    category = "text_inconsistency"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        seen: dict[str, tuple[str, str, str]] = {}  # name → (field, snippet, character before)
        for field, text in _table_fields_once(self.ctx, table):
            for name, start in _place_names(text):
                if name not in seen:
                    end = start + len(name)
                    before = text[start - 1] if start else ""
                    seen[name] = (field, _snippet(text, start, end), before)
        names = sorted(seen)
        reported = set()
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                if len(a) != len(b) or a[0] != b[0] or a[2:] != b[2:] or a[1] == b[1]:
                    continue
                if not sound_alike(a[1], b[1]):
                    continue  # 王庄村 and 王楼村 are two villages; 卫凹村 and 卫洼村 one, misspelt
                if (a, b) in reported:
                    continue
                reported.add((a, b))
                (fa, sa, pa), (fb, sb, pb) = seen[a], seen[b]
                # 马家湾村, not 家湾村: take in the character before both when it is the same
                lead = pa if pa == pb and _CJK.match(pa) and pa not in _PLACE_STOP_CHARS | set("村镇乡区街道") else ""
                na, nb = lead + a, lead + b
                yield self.finding(
                    f"同一地名写法不一致：“{na}”与“{nb}”只差一个字。",
                    evidence=f"{fa}: {sa}; {fb}: {sb}", location=f"{fa} / {fb}",
                    fix=f"核对正确地名，统一写为“{na}”或“{nb}”。",
                )


@register
class ProjectNameVariants(Rule):
    """The project name written differently in the narrative than in 项目名称.

    What it checks: in the narrative fields, the project name's prefix followed by a different
    body ("住房公积金运转费-聘用律师及贷款诉讼费" for 项目名称 "住房公积金运转费-法律咨询费及诉讼费"),
    a quoted name of the title quoted otherwise (“三个一号旅游路” / “三大板块旅游路”: same first
    character and ending), or the project name (or its part after the dash) written one
    character off (整修 / 整个).
    Why: shared/spec/domain.md — text that names another project, or names this one wrongly, is
    a defect seen in real tables; the findings contract lists "one entity written in two different
    ways" as text_inconsistency.
    Bad: 项目名称 法律咨询费及诉讼费, 年度绩效目标 "…聘用律师及贷款诉讼费项目…".
    Good: the narrative uses the name exactly as in 项目名称.
    """

    code = "IQ1102"
    name = "project-name-variants"
    category = "text_inconsistency"
    severity = "warning"
    kinds = ("project",)

    def check(self, table: Table) -> Iterable[Finding]:
        title = self._name(table)
        if len(title) < 6:
            return
        prefix, body = self._split(title)
        quoted = set(_QUOTED.findall(title))
        reported: set[str] = set()
        for key, f in table.narrative.items():
            field, text = f.name or key, plain_text(f.text)
            if prefix and body:
                yield from self._other_body(field, text, title, prefix, body)
            yield from self._one_off(field, text, title, body or title)
            for found in self._quoted_variants(field, text, title, quoted, reported):
                yield found

    def _quoted_variants(self, field: str, text: str, title: str, quoted: set[str],
                         reported: set[str]) -> Iterable[Finding]:
        """A quoted name of the title ("三个一号旅游路") quoted otherwise in the text ("三大板块旅游路")."""
        for m in _QUOTED.finditer(text):
            written = m.group(1)
            if written in quoted or written in reported:
                continue
            for name in quoted:
                tail = _common_suffix(name, written)
                if name[0] == written[0] and 2 <= tail < min(len(name), len(written)):
                    reported.add(written)
                    yield self.finding(
                        f"项目名称写“{name}”，{field}写“{written}”，名称不一致。",
                        evidence=f"项目名称: {title}; {field}: {_snippet(text, m.start(), m.end())}",
                        location=field, fix=f"统一写为项目名称中的“{name}”，或按正式名称修改项目名称。",
                    )
                    break

    @staticmethod
    def _name(table: Table) -> str:
        f = table.header.get("项目名称")
        return re.sub(r"\s+", "", plain_text(f.text if f else table.title))

    @staticmethod
    def _split(name: str) -> tuple[str, str]:
        m = re.search(f"[{_SEP}]", name)
        if not m or m.start() < 2:
            return "", ""
        return name[: m.start()], name[m.end():]

    def _other_body(self, field: str, text: str, title: str, prefix: str, body: str) -> Iterable[Finding]:
        for m in re.finditer(re.escape(prefix) + f"[{_SEP}]", text):
            rest = text[m.end(): m.end() + 40]
            end = _NAME_END.search(rest)
            written = rest[: end.start()] if end else rest
            if len(written) < 2 or written.casefold() == body.casefold():
                continue
            if body.startswith(written) or written.startswith(body):
                continue
            yield self.finding(
                f"{field}中的项目名称写作“{prefix}-{written}”，与项目名称“{title}”不一致。",
                evidence=f"项目名称: {title}; {field}: {_snippet(text, m.start(), m.end() + len(written))}",
                location=field,
                fix=f"将{field}中的名称改为“{title}”，并核对内容是否属于本项目。",
            )
            return

    def _one_off(self, field: str, text: str, title: str, part: str) -> Iterable[Finding]:
        n = len(part)
        if n < 8:
            return
        key = part.casefold()
        low = text.casefold()
        last = len(text) - n
        i = low.find(key[0])
        while 0 <= i <= last:  # the windows low[i:i + n] that start with the first character
            window = low[i: i + n]
            k, i = i, low.find(key[0], i + 1)
            if window == key or window[-1] != key[-1]:
                continue
            diffs = [j for j in range(n) if window[j] != key[j]]
            if len(diffs) == 1 and _CJK.match(text[k + diffs[0]]) and _CJK.match(part[diffs[0]]):
                j = diffs[0]
                yield self.finding(
                    f"{field}中把项目名称里的“{part[max(0, j - 1): j + 1]}”写成了“{text[k + max(0, j - 1): k + j + 1]}”。",
                    evidence=f"项目名称: {title}; {field}: {_snippet(text, k, k + n, 4)}",
                    location=field, severity="info",
                    fix=f"按项目名称统一写为“{part}”。",
                )
                return


@register
class LatinCaseVariants(Rule):
    """A Latin-letter term written with different capitals (U-KEY / U-Key / U-key).

    What it checks: words in Latin letters (U-KEY, LED, APP …) that appear in one table in more than
    one spelling differing only in case.
    Why: the findings contract lists "one entity written in two different ways" as
    text_inconsistency; a uniform spelling matters in an approved document. Reported at info.
    Bad: 项目名称 "U-key购买资金", 实施计划 "U-KEY采购", 配套制度措施 "U-Key".
    Good: one spelling (e.g. U-Key) throughout.
    """

    code = "IQ1103"
    name = "latin-case-variants"
    category = "text_inconsistency"
    severity = "info"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        spellings: dict[str, dict[str, str]] = {}
        for field, text in _table_fields_once(self.ctx, table):
            for token in _latin_tokens(text):
                spellings.setdefault(token.casefold(), {}).setdefault(token, field)
        for forms in spellings.values():
            if len(forms) < 2:
                continue
            shown = " / ".join(forms)
            yield self.finding(
                f"“{shown}”是同一名称的不同写法，全表应统一。",
                evidence="; ".join(f"{field}: {token}" for token, field in forms.items()),
                location="全表",
                fix=f"统一写为“{next(iter(forms))}”（或规范写法）。",
            )


@lru_cache(maxsize=TEXT_MEMO)
def _latin_tokens(text: str) -> tuple[str, ...]:
    """Words in Latin letters (two or more characters) in `text`, in order."""
    if not _LATIN_LETTER.search(text):
        return ()
    return tuple(t for t in _LATIN.findall(text) if len(t) >= 2)


@register
class RepeatedClause(Rule):
    """The same clause written twice in a row ("确保资金安全，确保资金安全").

    What it checks: two consecutive clauses (separated by ，；。) that are identical and at least
    four characters long, in a narrative field or a target value.
    Why: a doubled clause is an editing slip that a published target table should not carry
    (shared/spec/domain.md, "A good review comment" names the field and quotes it). Reported at
    info.
    Bad: 强化事前、事中、事后审核，确保资金安全，确保资金安全。
    Good: 强化事前、事中、事后审核，确保资金安全。
    """

    code = "IQ1104"
    name = "repeated-clause"
    category = "text_inconsistency"
    severity = "info"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        for key, f in table.narrative.items():
            text = plain_text(f.text)
            if _repeated_clause(text) is not None:
                yield from self._scan(f.name or key, text, None)
        for ind in table.indicators:
            text = plain_text(ind.target.raw)
            if _repeated_clause(text) is not None:
                yield from self._scan("指标值", text, ind)

    def _scan(self, field: str, text: str, ind) -> Iterable[Finding]:
        a = _repeated_clause(text)
        if a is not None:
            yield self.finding(
                f"{field}中“{a}”连续重复了两次。",
                evidence=(indicator_evidence(ind) if ind else f"{field}: {quote(text, 80)}"),
                indicator=ind, location=None if ind else field,
                fix=f"删去重复的“{a}”。",
            )


@lru_cache(maxsize=TEXT_MEMO)
def _repeated_clause(text: str) -> str | None:
    """The first clause (4+ characters) written twice in a row, or None."""
    clauses = [c.strip() for c in _CLAUSES.split(text)]
    for a, b in zip(clauses, clauses[1:]):
        if a and a == b and len(a) >= 4:
            return a
    return None


_PEOPLE = {"人", "名", "位", "人员"}


def _same_unit(a: str, b: str) -> bool:
    a, b = normalize_unit(a), normalize_unit(b)
    return a == b or {a, b} <= _PEOPLE


@register
class CountUnitVariants(Rule):
    """The same count written with another unit in the narrative ("150个" vs "≥150家").

    What it checks: a count indicator (name N, value V, unit U) whose name appears in the
    narrative followed closely by the same number V with another count unit.
    Why: the findings contract lists "one entity written in two different ways" as
    text_inconsistency; the unit of a counted item should be the same in text and table.
    Reported at info: the number agrees, only the unit differs.
    Bad: 项目总目标 "新增缴存单位150个"; 指标 新增缴存单位 ≥ 150家.
    Good: both "150家".
    """

    code = "IQ1105"
    name = "count-unit-variants"
    category = "text_inconsistency"
    severity = "info"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        after = _count_after()
        fields = None  # (field, plain text) of the narrative, read at the first count indicator
        for ind in table.indicators:
            t = ind.target
            name = "".join((ind.level3 or "").split())  # = re.sub(r"\s+", "", …)
            if t.value is None or len(name) < 3 or not t.unit or normalize_unit(t.unit) not in COUNT_UNITS:
                continue
            number = f"{t.value:g}"
            if fields is None:
                fields = [(f.name or key, plain_text(f.text)) for key, f in table.narrative.items()]
            for field, text in fields:
                m = _number_after(after, text, name, t.value)
                if not m or _same_unit(m.group(2), t.unit):
                    continue
                yield self.finding(
                    f"“{indicator_label(ind)}”在{field}中写作“{number}{m.group(2)}”，指标中写作“{number}{t.unit}”，单位不统一。",
                    evidence=f"{field}: {_snippet(text, m.start() - len(name), m.end(), 4)}; {indicator_evidence(ind)}",
                    indicator=ind, fix=f"统一计量单位为“{t.unit}”或“{m.group(2)}”。",
                )
                break


@cache
def _count_after() -> re.Pattern:
    """A number and a count unit shortly after a name: "…150个", "…为8000名"."""
    spellings = "|".join(re.escape(u) for u in KNOWN_UNIT_SPELLINGS if unit_family(u) == "count")
    return re.compile(rf"[^，。；;\d]{{0,4}}?(?<![\d.])(\d+(?:\.\d+)?)\s*({spellings})")


def _number_after(after: re.Pattern, text: str, name: str, value: float) -> re.Match | None:
    start = text.find(name)
    while start >= 0:
        m = after.match(text, start + len(name))
        if m and float(m.group(1)) == value:
            return m
        start = text.find(name, start + 1)
    return None


_ITEM_GENERIC = re.compile(r"成本|单价|价格|费用|购置|采购|购买|数量|平均|单位|指标|的|费|总|人数|人次|个数|次数|台数|套数|件数"
                           r"|[人户亩生]均|每")


@lru_cache(maxsize=NAME_MEMO)
def _item(name: str | None) -> str:
    """The item an indicator name counts or prices: the name without spaces and generic words."""
    return _ITEM_GENERIC.sub("", "".join((name or "").split()))  # split() = re's \s


@register
class ItemNamedTwoWays(Rule):
    """An item named one way in its quantity row and another way in its price row.

    What it checks: a unit price row ("一托四无线话筒 = 8550元/套") whose item has no quantity row
    of the same name, while a quantity row names it shorter ("话筒 = 1套") — the same item written
    two ways, and the count may not be of the item priced. A quantity row that names the item
    more specifically ("馆藏档案数字化扫描页数" for "档案数字化扫描单价") pairs without doubt and is
    not reported. Reported at info.
    Why: the findings contract lists "one entity written in two different ways" as
    text_inconsistency; quantity × unit price can only be checked when the rows name the same item.
    Bad: 数量 > 话筒 = 1套; 成本 > 一托四无线话筒 = 8550元/套.
    Good: 数量 > 一托四无线话筒 = 1套; 成本 > 一托四无线话筒单价 ≤ 8550元/套.
    """

    code = "IQ1106"
    name = "item-named-two-ways"
    category = "text_inconsistency"
    severity = "info"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        costs = [i for i in table.indicators
                 if i.level3 and i.target.unit and unit_family(i.target.unit) == "unit_cost"]
        if not costs:
            return
        quantities = [i for i in table.indicators
                      if i.level3 and i.target.value is not None and i.target.unit
                      and unit_family(i.target.unit) == "count"]
        names = {_item(q.level3): q for q in quantities}
        for cost in costs:
            priced = _item(cost.level3)
            if len(priced) < 2 or priced in names:
                continue
            # only a count of a vaguer item (话筒 vs 一托四无线话筒) leaves open what was counted; a count
            # of a more specific one (馆藏档案数字化扫描页数 vs 档案数字化扫描单价) pairs unambiguously
            near = [q for n, q in names.items() if len(n) >= 2 and n in priced]
            if len(near) != 1:
                continue
            qty = near[0]
            yield self.finding(
                f"数量指标写“{qty.level3}”，成本指标写“{cost.level3}”，同一物品名称不一致。",
                evidence=f"{indicator_evidence(qty)}; {indicator_evidence(cost)}", indicator=cost,
                fix=f"数量指标和成本指标统一使用同一名称（如“{max(qty.level3, cost.level3, key=len)}”）。",
            )
