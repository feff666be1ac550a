"""Number–entity pairs in Chinese narrative: "加高密集架60组" → (密集架, 60, 组).

Narrative fields state quantities in running text; the checks compare them with the
indicator table, with the header amounts and with each other. This module finds every
quantity (numbers come from reviewer.extract.numbers.find_numbers, which already skips
years, dates, document numbers, phone numbers and list markers), then attaches:

- the entity it counts: the noun phrase before the number within its clause, after
  stripping verbs and copulas ("业务档案需要加高密集架" → 密集架, "满意度要达到" → 满意度),
  or the noun phrase after it when the words before end in a transitive verb
  ("采购600个U-KEY" → U-KEY, "派驻一名工作人员" → 工作人员);
- the comparator written around it (不低于/达到/以上 → ≥, 以内/不超过/控制在 → ≤, 大于 → >);
- whether it is approximate (约/近/左右) or a change rather than a level (比…增加0.1万元);
- the total of sibling quantities written together ("柜机两台挂机一台" → 3 台).

`match_indicator` then finds the indicator a quantity is about, by name similarity and
unit family, and says how sure it is.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import MISSING, dataclass, fields
from functools import lru_cache

from reviewer.checks.common import NAME_MEMO, TEXT_MEMO
from reviewer.extract.numbers import NumberSpan, find_numbers
from reviewer.extract.units import normalize_unit, unit_family, wan_factor
from reviewer.models import Indicator

# ------------------------------------------------------------------ lexicons

CLAUSE_BREAKS = frozenset("，,；;。！？!?、：:\n（）()【】[]《》“”\"")
_CLAUSE_BREAK = re.compile("[" + "".join(map(re.escape, sorted(CLAUSE_BREAKS))) + "]")
SENTENCE_BREAKS = frozenset("；;。！？!?\n")
_SENTENCE_BREAK_CHARS = tuple(SENTENCE_BREAKS)
_SENTENCE_BREAK = re.compile("[" + re.escape("".join(sorted(SENTENCE_BREAKS))) + "]")

# Comparators written before a number (longest first when matching).
_COMPARATORS_BEFORE: tuple[tuple[str, str], ...] = (
    ("大于等于", ">="), ("大于或等于", ">="), ("不低于", ">="), ("不少于", ">="), ("不小于", ">="),
    ("不得低于", ">="), ("不得少于", ">="), ("不得高于", "<="), ("不得超过", "<="), ("不得多于", "<="),
    ("至少", ">="), ("≥", ">="), (">=", ">="), ("达到", ">="), ("达", ">="), ("提高到", ">="),
    ("提高至", ">="), ("提升至", ">="), ("提升到", ">="),
    ("小于等于", "<="), ("小于或等于", "<="), ("不高于", "<="), ("不超过", "<="), ("不多于", "<="),
    ("不大于", "<="), ("不突破", "<="), ("最多", "<="), ("≤", "<="), ("<=", "<="), ("控制在", "<="),
    ("缩短为", "<="), ("缩短至", "<="), ("缩短到", "<="), ("降低至", "<="), ("降低到", "<="),
    ("大于", ">"), ("高于", ">"), ("超过", ">"), ("多于", ">"), (">", ">"),
    ("小于", "<"), ("低于", "<"), ("少于", "<"), ("<", "<"),
    ("等于", "="), ("=", "="), ("＝", "="),
)
_COMPARATORS_AFTER: tuple[tuple[str, str], ...] = (
    ("及以上", ">="), ("以上", ">="), ("之上", ">="),
    ("及以下", "<="), ("以下", "<="), ("以内", "<="), ("之内", "<="),
)
_APPROX_BEFORE = ("大约", "约为", "约", "近", "将近", "接近", "大概", "预计约")
_APPROX_AFTER = ("左右", "上下", "余")
# The first word of each list (in list order) that a text starts with: a regex alternation tries
# its words in order.
_COMPARATOR_AFTER = re.compile("|".join(map(re.escape, (w for w, _ in _COMPARATORS_AFTER))))
_COMPARATOR_OF = dict(reversed(_COMPARATORS_AFTER))  # word → comparator, the first entry of a word
_APPROX_AFTER_WORD = re.compile("|".join(map(re.escape, _APPROX_AFTER)))
# first characters of what the two patterns above can match: a text starting otherwise skips them
_COMPARATOR_AFTER_FIRST = frozenset(w[0] for w, _ in _COMPARATORS_AFTER)
_APPROX_AFTER_FIRST = frozenset(w[0] for w in _APPROX_AFTER)
_AFTER_WORD = re.compile("|".join(map(re.escape, (*(w for w, _ in _COMPARATORS_AFTER), *_APPROX_AFTER))))

# Words that end a change statement right before the number: "比2020年减少0.7万元".
_CHANGE_WORDS = ("增加", "减少", "增长", "下降", "降低", "提高", "上涨", "上升", "减", "增", "节约",
                 "节省", "压减", "缩减", "核减", "调减", "调增", "追加")

# Transitive verbs: when the words before a number end in one, the entity follows the number
# ("采购600个U-KEY"); inside a phrase they mark where the noun phrase starts ("加高密集架").
VERBS: tuple[str, ...] = tuple(sorted((
    "采购", "购买", "购置", "新增", "加高", "增设", "添置", "配备", "配置", "更换", "安装", "建设", "建成",
    "新建", "改造", "维修", "维护", "完成", "聘用", "聘请", "招聘", "派驻", "选派", "派出", "委托", "培训",
    "发放", "支付", "付", "拨付", "接待", "开设", "开展", "举办", "组织", "邀请", "种植", "补助", "补贴",
    "硬化", "修建", "铺设", "提供", "设置", "印制", "制作", "资助", "救助", "慰问", "帮扶", "服务",
    "覆盖", "惠及", "受益", "涉及", "解决", "处理", "办理", "审核", "检查", "收集", "回收", "清运",
    "调整为", "调整", "需要", "需", "要求", "计划", "预计", "拟", "共有", "现有", "有", "累计", "归集",
    "投入", "安排", "申请", "使用", "用于", "实现", "确保", "保证", "保障", "力争", "争取", "严格",
    "给予", "发给", "奖励", "奖补", "扶持",
), key=len, reverse=True))

# Verbs that never name what is counted ("支付50%"); 培训/服务/补助 … double as nouns.
_ACTION_ONLY = frozenset(("支付", "付", "拨付", "完成", "实现", "达到", "确保", "保证", "需要", "需", "计划", "预计",
                          "安排", "投入", "使用", "用于", "要求", "拟", "力争", "争取", "严格", "有", "共有", "现有"))

# Copulas and auxiliaries between an entity and its number: "满意度要达到95%".
_LINKS: tuple[str, ...] = tuple(sorted((
    "为", "是", "要", "需", "需要", "应", "应当", "须", "必须", "要在", "在", "均", "共", "共计", "合计",
    "总计", "累计", "达到了", "达到", "达", "了", "的", "已", "将", "可", "能", "得", "不得",
    "由", "调整为", "保持在", "保持", "维持在", "稳定在", "控制", "每", "按", "按照", "约", "近",
    "年均", "平均", "人均", "户均", "计", "计划", "预计", "力争", "争取", "确保", "保证", "实现",
    "增加", "减少", "增长", "下降", "降低", "提高", "提升", "缩短", "超过", "不低于", "不少于",
), key=len, reverse=True))

# Leading words that are not part of the entity.
_LEADING: tuple[str, ...] = tuple(sorted((
    "其中", "同时", "并且", "并", "且", "和", "及", "以及", "对", "将", "使", "让", "通过", "确保", "保证",
    "实现", "中心", "我单位", "本单位", "我局", "本部门", "本项目", "该项目", "此项目", "项目", "预计",
    "计划", "拟", "全年", "主要", "目前", "现", "已", "共", "约", "在", "由", "要", "需", "把", "给",
    "严格", "努力", "力争", "争取", "进一步", "全面", "积极",
), key=len, reverse=True))

_HISTORY = re.compile(r"上年|去年|往年|上一年|前一年|截至|截止|累计|历年|以来|原有|已有|已经|已完成|过去")
_DISTRIBUTIVE = re.compile(r"各|分别|每")
_PER_WORDS = re.compile(r"(每|人均|户均|平均每)(个|人|天|日|月|年|亩|株|户|台|套|次|人次|平方米|公里|小时|周|栋)?$")
_PERIODS = frozenset(("天", "日", "月", "年", "周", "小时", "季度"))
_PER_IN_PHRASE = re.compile(r"每(人|天|日|月|年|亩|株|户|台|套|次|个)")
_MARKER_RE = re.compile(
    r"^(?:\d{1,2}\s*[、.．]|[（(]\s*[\d一二三四五六七八九十]{1,3}\s*[）)]|[一二三四五六七八九十]{1,3}\s*(?:是|、)"
    r"|目标\s*\d{1,2}\s*[:：]?|第[一二三四五六七八九十\d]+[、,，]?)+"
)
_MARKER_FIRST = frozenset("（(一二三四五六七八九十目第")  # or a decimal digit: what _MARKER_RE starts with
_MARKER_ANYWHERE = re.compile(r"(?:^|(?<=[\s。；;，,]))(?:[一二三四五六七八九十]{1,3}是|\d{1,2}、)")
_NON_ENTITY_START = re.compile(r"^(的|之|以上|以下|以内|左右|及以上|上下|多|余|后|前|内|中|间|起|止|至|到)")
_POST_CUT = re.compile(
    r"(以|用于|用来|进行|开展|为|对|在|并|和|及|与|等|从而|确保|保证|的|承接|承担|负责|参与|缴存|办理|驻村|参照|按照"
    r"|依照|根据|执行|实行|签订|组成|构成|共同|分别|每|均|全部|已|将|要|需|从事|发放|领取|享受)"
)

# Generic words in indicator names and entities: they say what kind of figure, not of what.
# The weak ones are dropped only when something specific is left ("工作完成率" keeps 工作完成).
GENERIC_WORDS: tuple[str, ...] = tuple(sorted((
    "数量", "个数", "人数", "次数", "数", "率", "成本", "情况", "指标", "总额", "合计", "总计", "累计",
    "总", "量", "值", "水平", "程度", "比例", "比重", "占比",
), key=len, reverse=True))
WEAK_GENERIC_WORDS: tuple[str, ...] = tuple(sorted((
    "标准", "平均", "金额", "费用", "资金", "完成", "达到", "年度", "全年", "项目", "工作", "实际", "计划",
    "预计",
), key=len, reverse=True))
_STOP_CHARS = frozenset("的对在了和及与或等其中要为是将把被从以于之所有")


class _Suffixes:
    """The first word of a list, in list order, that a text ends with.

    Equivalent to `next(w for w in words if text.endswith(w))`, with one dict look-up per
    distinct word length instead of one endswith per word.
    """

    def __init__(self, words: Sequence[str]):
        self.words = tuple(words)
        self.index: dict[str, int] = {}
        for i, w in enumerate(self.words):
            self.index.setdefault(w, i)
        self.lengths = sorted({len(w) for w in self.words})

    def first(self, text: str) -> int | None:
        """Index in the list of the first word `text` ends with, or None."""
        best = None
        n = len(text)
        for size in self.lengths:
            if size > n:
                break
            i = self.index.get(text[n - size:])
            if i is not None and (best is None or i < best):
                best = i
        return best


_APPROX_SUFFIXES = _Suffixes(_APPROX_BEFORE)
_COMPARATOR_SUFFIXES = _Suffixes([w for w, _ in _COMPARATORS_BEFORE])
# a change word, or the word with 了: entries 2k and 2k+1 are the k-th word
_CHANGE_SUFFIXES = _Suffixes([x for w in _CHANGE_WORDS for x in (w, w + "了")])
_LINK_SUFFIXES = _Suffixes(_LINKS)
_VERB_SUFFIXES = _Suffixes(VERBS)
_VERB_SET = frozenset(VERBS)
_ANY_VERB = re.compile("|".join(map(re.escape, VERBS)))
_VERB_LENGTHS = tuple(sorted({len(v) for v in VERBS}))
_VERBS_BY_LENGTH = tuple((size, re.compile("(?=(?:" + "|".join(re.escape(v) for v in VERBS if len(v) == size) + "))"))
                         for size in _VERB_LENGTHS)
_WS = re.compile(r"\s+")
_COMPARED_WITH = re.compile(r"(比|较|同比|与).{0,12}(相比)?$")
_AGAINST_LAST_YEAR = re.compile(r"(比|较)(上年|去年|20\d\d年?)")
_CHANGE_WORD = re.compile(r"(增加|减少|增长|下降|降低|提高)")


# ------------------------------------------------------------------ the quantity


@dataclass(frozen=True)
class Quantity:
    """A number in narrative text with what it counts."""

    entity: str  # head noun phrase ("密集架"); "" when none was found
    context: str  # the clause before the number, cleaned (wider matching context)
    value: float
    unit: str | None  # canonical unit (per-day money: "元/天")
    comparator: str | None  # "=", ">=", "<=", ">", "<" or None
    approx: bool
    delta: bool  # a change against another figure ("比上年增加0.1万元"), not a level
    raw: str  # the number and unit as written
    quote: str  # a short exact quote for evidence ("加高密集架60组")
    start: int
    end: int
    field: str | None = None
    group_total: float | None = None  # "柜机两台挂机一台": 3 on both members
    value_max: float | None = None  # upper end of a range ("满意度保持在90%—95%")
    span: NumberSpan | None = None
    year: int | None = None  # the year written last before the number in its sentence
    history: bool = False  # stated as a past or existing fact ("截至2020年底", "上年", "累计")
    distributive: bool = False  # "6月、10月各举办展览1次", "每月1次": per item, not the total

    @property
    def family(self) -> str | None:
        return unit_family(self.unit) if self.unit else None

    @property
    def money_yuan(self) -> float | None:
        """The value in 元 for money and money-per-something units, else None."""
        return money_in_yuan(self.value, self.unit)

    def cite(self) -> str:
        return f"{self.field}: {self.quote}" if self.field else self.quote


def money_in_yuan(value: float | None, unit: str | None) -> float | None:
    if value is None or not unit:
        return None
    head = unit.split("/", 1)[0] if "/" in unit else unit
    factor = wan_factor(head or "元")
    if factor is None:
        return None
    return value * factor * 10_000


# ------------------------------------------------------------------ extraction


def extract_quantities(text: str, field: str | None = None) -> list[Quantity]:
    """Every quantity with a unit in `text` (dates, codes and unit-less numbers are left out).

    Several rules read the same narrative fields: the result is memoised (Quantity is frozen;
    each call gets its own list).
    """
    if not text:
        return []
    return list(_extract_quantities(text, field))


@lru_cache(maxsize=TEXT_MEMO)
def _extract_quantities(text: str, field: str | None) -> tuple[Quantity, ...]:
    if field is not None:  # the field only labels the quantities: extract once per text
        return tuple(_with_field(q, field) for q in _extract_quantities(text, None))
    spans = find_numbers(text)
    dates = [s for s in spans if s.kind == "date"]
    out: list[Quantity] = []
    prev_end = 0
    quantities = [s for s in spans if s.kind == "quantity" and not s.quoted and s.unit and not _ordinal(text, s)]
    if not quantities:
        return ()
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text)]  # clause bounds by bisection
    # sentence starts by bisection too (sentence breaks are clause breaks): = sentence_bounds(text, pos)[0]
    sentence_breaks = [b for b in breaks if text[b] in SENTENCE_BREAKS] if dates else []
    for k, s in enumerate(quantities):
        i = bisect_left(breaks, s.start)
        clause_start = breaks[i - 1] + 1 if i else 0
        pre_start = max(clause_start, prev_end if prev_end <= s.start else clause_start)
        pre_raw = text[pre_start:s.start]
        nxt = quantities[k + 1].start if k + 1 < len(quantities) else len(text)
        i = bisect_left(breaks, s.end)
        post_end = min(breaks[i] if i < len(breaks) else len(text), nxt)
        post_raw = text[s.end:post_end]
        q = _build(text, s, pre_start, pre_raw, post_raw, dates, None)
        years = []
        if dates:
            j = bisect_left(sentence_breaks, s.start)
            sent_start = sentence_breaks[j - 1] + 1 if j else 0
            years = [d.year for d in dates if d.year and sent_start <= d.start < s.start]
        history = bool(_HISTORY.search(text, clause_start, s.start))  # within text[clause_start:s.start]
        distributive = bool(_DISTRIBUTIVE.search(text, clause_start, s.start)) and q.family not in ("money", "unit_cost")
        if years or history or distributive:
            q = _replace(q, year=years[-1] if years else None, history=history, distributive=distributive)
        out.append(q)
        prev_end = s.end
    return tuple(_with_groups(text, _with_ranges(text, out)))


_RANGE_JOIN = re.compile(r"^\s*(?:—|－|-|–|～|~|至|到)+\s*$")


def _with_ranges(text: str, qs: list[Quantity]) -> list[Quantity]:
    """"90%—95%", "3至5个": one quantity from the first value to the second (same unit)."""
    out: list[Quantity] = []
    for q in qs:
        prev = out[-1] if out else None
        if (prev is not None and prev.value_max is None and _RANGE_JOIN.match(text[prev.end:q.start])
                and (q.unit == prev.unit) and q.value >= prev.value):
            k = text.rfind(prev.quote, 0, prev.end + len(prev.quote))
            ends_at_number = k >= 0 and k + len(prev.quote) == prev.end
            out[-1] = _replace(prev, value_max=q.value, end=q.end, raw=text[prev.start:q.end],
                               quote=text[k:q.end] if ends_at_number else prev.quote)
            continue
        out.append(q)
    return out


_SCOPE = re.compile(r"^(为|对|向|在|给|从|覆盖)?(全|本|该|辖区|各)?(国|省|市|县|区|镇|乡|街道|村|州|盟|旗|辖区)?(域|内|范围内)?$")
_ORDINAL_UNITS = frozenset(("期", "批", "标段", "阶段", "轮", "届", "号"))
_ORDINAL_AFTER = re.compile(r"\s*(工程|项目|建设|任务|资金|改造|实施|招标|采购|培训班)")


def _ordinal(text: str, s: NumberSpan) -> bool:
    """"一期工程", "第二批资金", "二标段": a rank, not a quantity."""
    if s.unit not in _ORDINAL_UNITS:
        return False
    return text[max(0, s.start - 1):s.start] == "第" or bool(_ORDINAL_AFTER.match(text, s.end))


def _clause_start(text: str, pos: int) -> int:
    i = pos
    while i > 0 and text[i - 1] not in CLAUSE_BREAKS:
        i -= 1
    return i


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end of the sentence holding `pos` (split on 。；！？ and new lines)."""
    i = 0
    for c in _SENTENCE_BREAK_CHARS:
        k = text.rfind(c, 0, pos)
        if k >= i:
            i = k + 1
    m = _SENTENCE_BREAK.search(text, pos)
    return i, m.start() if m else max(pos, len(text))


def _remove_dates(pre: str, offset: int, dates: list[NumberSpan]) -> str:
    end = offset + len(pre)
    inside = [d for d in dates if d.start < end and d.end > offset]
    if not inside:
        return pre
    chars = list(pre)
    for d in inside:
        for p in range(max(d.start, offset), min(d.end, end)):
            chars[p - offset] = " "
    return "".join(chars)


def _build(text: str, s: NumberSpan, pre_start: int, pre_raw: str, post_raw: str,
           dates: list[NumberSpan], field: str | None) -> Quantity:
    pre = _remove_dates(pre_raw, pre_start, dates) if dates else pre_raw
    pre = _WS.sub("", pre)
    if pre[:1] in _MARKER_FIRST or pre[:1].isdecimal():  # \d is a decimal digit of any script
        pre = _MARKER_RE.sub("", pre)

    tail, unit, comparator, approx, delta = _strip_tail(pre, s.unit)
    post = post_raw.lstrip()
    m = _COMPARATOR_AFTER.match(post) if post[:1] in _COMPARATOR_AFTER_FIRST else None
    if m:  # the first word of _COMPARATORS_AFTER that starts it
        comparator = _COMPARATOR_OF[m.group()] if comparator in (None, "=", ">=", "<=") else comparator
        post = post[m.end():]
    m = _APPROX_AFTER_WORD.match(post) if post[:1] in _APPROX_AFTER_FIRST else None
    if m:
        approx, post = True, post[m.end():]
    if delta and _COMPARED_WITH.search(tail):
        tail = _COMPARED_WITH.sub("", tail)
    if ("比" in pre or "较" in pre) and _AGAINST_LAST_YEAR.search(pre):  # the regex needs 比 or 较
        delta = delta or bool(_CHANGE_WORD.search(pre[-8:] + post[:2]))
    if unit and "/" not in unit and "每" in pre and unit_family(unit) == "money":
        per = _PER_IN_PHRASE.search(pre)
        if per:
            unit = f"{unit}/{normalize_unit(per.group(1))}"
    return _finish(text, s, pre_start, pre, tail, post, post_raw, unit, comparator, approx, delta, field)


@lru_cache(maxsize=NAME_MEMO)
def _strip_tail(pre: str, unit: str | None) -> tuple[str, str | None, str | None, bool, bool]:
    """Words right before the number, peeled off the end of `pre`: per-unit words (每人, 人均 …),
    approximation, comparator, change and link words. Returns (what is left, unit, comparator,
    approx, delta)."""
    comparator, approx, delta = None, False, False
    tail = pre
    changed = True
    while changed and tail:
        changed = False
        per = _PER_WORDS.search(tail)
        if per and per.group(0):
            if unit and "/" not in unit and per.group(2) and unit_family(unit) == "money":
                unit = f"{unit}/{normalize_unit(per.group(2))}"
            elif unit and "/" in unit and per.group(2):  # "每人每年8000元": 元/年 → 元/人/年
                head, _, rest = unit.partition("/")
                new = normalize_unit(per.group(2))
                periods = {normalize_unit(x) for x in rest.split("/")} & _PERIODS
                if new not in rest.split("/") and not (new in _PERIODS and periods):
                    unit = f"{head}/{new}/{rest}"
            tail, changed = tail[: per.start()], True
            continue
        i = _APPROX_SUFFIXES.first(tail)
        if i is not None:
            tail, approx, changed = tail[: -len(_APPROX_BEFORE[i])], True, True
            continue
        i = _COMPARATOR_SUFFIXES.first(tail)
        if i is not None:
            word, comp = _COMPARATORS_BEFORE[i]
            tail, changed = tail[: -len(word)], True
            comparator = comparator or comp
            continue
        i = _CHANGE_SUFFIXES.first(tail)
        if i is not None:
            word = _CHANGE_WORDS[i // 2]
            tail = tail[: -len(word) - (1 if tail.endswith(word + "了") else 0)]
            delta, changed = True, True
            continue
        i = _LINK_SUFFIXES.first(tail)
        if i is not None:
            tail, changed = tail[: -len(_LINKS[i])], True
    return tail, unit, comparator, approx, delta


def _finish(text: str, s: NumberSpan, pre_start: int, pre: str, tail: str, post: str, post_raw: str,
            unit: str | None, comparator: str | None, approx: bool, delta: bool, field: str | None) -> Quantity:
    """The entity counted, the quote and the context, around the stripped words."""
    entity, ends_in_verb = _head(tail)
    if _SCOPE.match(entity):
        entity = ""  # "为全县32所农村小学": a place, not what is counted
    post_entity = _post_head(post)
    possessive = pre.endswith(("的", "之"))  # "农村小学的150间教室": the noun after the number
    if (not entity or ends_in_verb or possessive) and post_entity:
        entity = post_entity
        verb_len = _verb_suffix_len(tail)
        quote_start = s.start
        if verb_len:
            k = text.rfind(tail[-verb_len:], pre_start, s.start)
            quote_start = k if k >= 0 else s.start
        k = post_raw.find(post_entity)
        quote_end = s.end + (k + len(post_entity) if k >= 0 else 0)
    else:
        quote_start = _quote_start(text, s.start, pre_start, entity)
        quote_end = s.end + _after_len(post_raw)
    if entity in _ACTION_ONLY:
        entity = ""  # "支付50%": a payment step, not a thing counted
    quote = text[quote_start:quote_end].strip()
    context = _clean_context(_PER_IN_PHRASE.sub("", tail) if "每" in tail else tail)
    if len(distinctive(entity, fallback=False)) < 2 and pre_start > 0 and text[pre_start - 1] not in SENTENCE_BREAKS:
        # "严格控制人员工资平均标准，成本控制在…": the clause before says what the figure is about
        prev = text[_clause_start(text, pre_start - 1):pre_start - 1]
        prev = _MARKER_RE.sub("", _WS.sub("", prev))
        context = _strip_leading(prev) + context
    return _new_quantity(
        entity=entity,
        context=context,
        value=s.value,
        unit=unit,
        comparator=comparator,
        approx=approx,
        delta=delta,
        raw=s.raw,
        quote=quote,
        start=s.start,
        end=s.end,
        field=field,
        span=s,
    )


_LEADING_SET = frozenset(_LEADING)
_LEADING_LENGTHS = tuple(sorted({len(w) for w in _LEADING}, reverse=True))


@lru_cache(maxsize=NAME_MEMO)
def _strip_leading(phrase: str) -> str:
    """`phrase` without its leading words (_LEADING, longest first, again and again)."""
    changed = True
    while changed and phrase:
        changed = False
        for size in _LEADING_LENGTHS:  # at most one word of each length starts the phrase
            if size < len(phrase) and phrase[:size] in _LEADING_SET:
                rest = phrase[size:]
                # one-character words only when a real phrase is left ("及时率" keeps its 及)
                if size > 1 or len(rest) > 2:
                    phrase, changed = rest, True
                    break
    return phrase


@lru_cache(maxsize=NAME_MEMO)
def _head(tail: str) -> tuple[str, bool]:
    """The noun phrase at the end of `tail`, and whether `tail` ended in a transitive verb.

    The phrase starts after the last verb inside it ("业务档案需要加高密集架" → 密集架) unless
    what is left would be only generic words ("工作完成率" stays whole, not "率").
    """
    phrase = _PER_IN_PHRASE.sub("", tail.strip())
    ends_in_verb = phrase.endswith(VERBS)
    n = len(phrase)
    # every end of a verb inside the phrase (not at its very end): verbs of one length at a time,
    # where at most one of them starts at each place
    cuts = sorted({m.start() + size for size, verbs in _VERBS_BY_LENGTH for m in verbs.finditer(phrase)
                   if m.start() + size < n}, reverse=True)
    head = phrase
    for cut in cuts:
        if len(distinctive(phrase[cut:], fallback=False)) >= 2:
            head = phrase[cut:]
            break
    de = head.rfind("的")
    if 0 <= de < len(head) - 1 and len(distinctive(head[de + 1:], fallback=False)) >= 2:
        head = head[de + 1:]
    head = _strip_leading(head)
    if len(head) > 16:
        head = head[-16:]
    return head, ends_in_verb


_QUALIFIER = re.compile(r"^[\u4e00-\u9fff]{1,4}(级|岁|周岁|年)(及)?以(上|下)(的)?")


@lru_cache(maxsize=NAME_MEMO)
def _post_head(post: str) -> str:
    """The noun phrase right after a number ("个U-KEY，" → "U-KEY")."""
    p = post.strip()
    if not p or _NON_ENTITY_START.match(p):
        p = _NON_ENTITY_START.sub("", p).lstrip("的")
    p = _QUALIFIER.sub("", p)  # "15名县级以上非遗传承人": the rank is not the thing counted
    if not p:
        return ""
    m = _POST_CUT.search(p)
    if m and m.start() == 0:
        return ""
    end = m.start() if m else len(p)
    v = _ANY_VERB.search(p, 2)  # the first verb after the noun: "行政村提供技术服务" → 行政村
    if v and v.start() < end:
        end = v.start()
    return p[:min(end, 12)]


def _verb_suffix_len(tail: str) -> int:
    i = _VERB_SUFFIXES.first(tail)
    return len(VERBS[i]) if i is not None else 0


def _quote_start(text: str, num_start: int, pre_start: int, entity: str) -> int:
    """Start the quote at the entity (and a verb right before it), within the clause."""
    segment = text[pre_start:num_start]
    if entity:
        k = segment.rfind(entity)
        if k >= 0:
            start = pre_start + k
            i = _VERB_SUFFIXES.first(segment[:k])
            if i is not None:
                start -= len(VERBS[i])
            return start
    # no entity: keep at most the last 12 characters of the clause
    return max(pre_start, num_start - 12)


def _after_len(post_raw: str) -> int:
    """Length of the first comparator word after a number, else of the first approximation word, else 0."""
    m = _AFTER_WORD.match(post_raw)
    return m.end() if m else 0


def _clean_context(tail: str) -> str:
    return _strip_leading(tail.strip())


def _with_groups(text: str, qs: list[Quantity]) -> list[Quantity]:
    """Sum siblings written together in one clause with the same unit ("柜机两台挂机一台")."""
    out = list(qs)
    i = 0
    while i < len(qs):
        j = i
        while j + 1 < len(qs):
            gap = text[qs[j].end:qs[j + 1].start]
            if (qs[j + 1].unit == qs[i].unit and 0 < len(gap) <= 8
                    and not any(c in CLAUSE_BREAKS and c not in "、" for c in gap)
                    and not any(ch.isdigit() for ch in gap)):
                j += 1
            else:
                break
        if j > i:
            total = sum(q.value for q in qs[i:j + 1])
            for k in range(i, j + 1):
                out[k] = _replace(out[k], group_total=total)
        i = j + 1
    return out


_FIELDS = frozenset(f.name for f in fields(Quantity))
_DEFAULTS = {f.name: f.default for f in fields(Quantity) if f.default is not MISSING}


def _new_quantity(**kw) -> Quantity:
    """`Quantity(**kw)` without the frozen dataclass's attribute-by-attribute __init__
    (Quantity has no __post_init__; the fields not given take their defaults)."""
    if not kw.keys() <= _FIELDS:
        raise TypeError(f"not fields of Quantity: {sorted(kw.keys() - _FIELDS)}")
    new = object.__new__(Quantity)
    new.__dict__.update(_DEFAULTS)
    new.__dict__.update(kw)
    return new


def _with_field(q: Quantity, field: str) -> Quantity:
    """`_replace(q, field=field)`."""
    new = object.__new__(Quantity)
    new.__dict__.update(q.__dict__)
    new.__dict__["field"] = field
    return new


def _replace(q: Quantity, **kw) -> Quantity:
    """`dataclasses.replace(q, **kw)` by copying the attributes (Quantity derives nothing in
    __init__, and the copy costs a fraction of `replace`)."""
    if not kw.keys() <= _FIELDS:
        raise TypeError(f"not fields of Quantity: {sorted(kw.keys() - _FIELDS)}")
    new = object.__new__(Quantity)
    new.__dict__.update(q.__dict__)
    new.__dict__.update(kw)
    return new


# ------------------------------------------------------------------ matching


def distinctive(name: str | None, *, fallback: bool = True, keep_weak: bool = False) -> str:
    """A name without generic words, spaces and bracketed notes ("人员工资平均成本（含五险一金）" → "人员工资").

    With `fallback`, when nothing specific is left the weak generic words are kept
    ("工作完成率" → "工作完成").
    """
    if not name:
        return ""
    return _distinctive(name, fallback, keep_weak)


_BRACKETED = re.compile(r"[（(][^）)]*[）)]")
_NAME_PUNCT = re.compile(r"[\s\-—_·、，,。；;：:“”\"'‘’]")
_UNIT_NOTE = re.compile(r"[（(][^）)]*[）)]?$")
_UNIT_PARTS = re.compile(r"[/·]")


@lru_cache(maxsize=NAME_MEMO)
def _distinctive(name: str, fallback: bool, keep_weak: bool) -> str:
    s = _BRACKETED.sub("", name)
    s = _NAME_PUNCT.sub("", s)
    for w in GENERIC_WORDS:
        s = s.replace(w, "")
    strong_only = s
    if keep_weak:
        return s
    for w in WEAK_GENERIC_WORDS:
        s = s.replace(w, "")
    return s if len(s) >= 2 or not fallback else strong_only


@lru_cache(maxsize=NAME_MEMO)
def similarity(entity: str, name: str) -> float:
    """Character-overlap similarity of two names (0–1), ignoring generic words.

    Overlap of the distinct characters over the smaller set, so "覆盖率" fully matches
    "住房公积金制度覆盖率"; a shared tail word (满意度, 覆盖率, 密集架: the head of a
    Chinese noun phrase) adds weight, and fewer than two shared characters scores 0.
    """
    e, n = distinctive(entity, fallback=False), distinctive(name, fallback=False)
    if len(e) < 2 or len(n) < 2:
        e, n = distinctive(entity, keep_weak=True), distinctive(name, keep_weak=True)
    e_chars = set(e) - _STOP_CHARS
    n_chars = set(n) - _STOP_CHARS
    if not e_chars or not n_chars:
        return 0.0
    common = e_chars & n_chars
    if len(common) < 2 or not _share_pair(e, n):
        return 0.0
    score = len(common) / min(len(e_chars), len(n_chars))
    tail_e, tail_n = _tail(entity), _tail(name)
    if tail_e and tail_e == tail_n:
        score += 0.2
    return min(score, 1.2)


@lru_cache(maxsize=NAME_MEMO)
def coverage(entity: str, name: str) -> float:
    """Share of the indicator name's specific characters that the entity mentions (0–1)."""
    e, n = distinctive(entity, fallback=False), distinctive(name, fallback=False)
    if len(e) < 2 or len(n) < 2:
        e, n = distinctive(entity, keep_weak=True), distinctive(name, keep_weak=True)
    n_chars = set(n) - _STOP_CHARS
    e_chars = set(e) - _STOP_CHARS
    return len(n_chars & e_chars) / len(n_chars) if n_chars else 0.0


_RATE_KINDS: tuple[tuple[str, str], ...] = (
    ("满意", r"满意(度|率)"), ("合格", r"(合格|达标|优良|验收)率"), ("完成", r"完成率"), ("及时", r"及时率"),
    ("覆盖", r"覆盖(率|面)"), ("知晓", r"知晓率"), ("执行", r"执行率"), ("到位", r"到位率"), ("使用", r"(使用|利用)率"),
)

_RATE_KIND_ENDINGS = tuple((kind, re.compile(pattern + "$")) for kind, pattern in _RATE_KINDS)


@lru_cache(maxsize=NAME_MEMO)
def rate_kind(name: str | None) -> str:
    """What a rate measures, when its last word says so plainly ("满意度" → 满意, "验收合格率" → 合格), else ""."""
    s = _BRACKETED.sub("", name or "").strip()
    return next((kind for kind, pattern in _RATE_KIND_ENDINGS if pattern.search(s)), "")


@lru_cache(maxsize=NAME_MEMO)
def _tail(name: str) -> str:
    s = _BRACKETED.sub("", name or "").strip()
    return s[-2:] if len(s) >= 2 else s


def _share_pair(a: str, b: str) -> bool:
    """The two names share a run of two characters or more (one holds a pair of the other's)."""
    return any(a[i:i + 2] in b for i in range(len(a) - 1))


def indicator_unit(ind: Indicator) -> str | None:
    t = ind.target
    unit = t.unit or (normalize_unit(ind.unit_column) if ind.unit_column else None)
    return unit or None


_PEOPLE_UNITS = frozenset(("人", "名", "位"))
_GENERIC_COUNTS = frozenset(("个", "项"))
_TIMES_UNITS = frozenset(("人次", "户次", "件次", "项次", "门次", "场次", "台次", "车次"))
_MAGNITUDES = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}


@lru_cache(maxsize=NAME_MEMO)
def base_unit(unit: str | None) -> tuple[float, str | None]:
    """(factor, unit) without a magnitude or a bracketed note: "万册" → (10000, 册), "台（件）" → (1, 台)."""
    if not unit:
        return 1.0, unit
    u = _UNIT_NOTE.sub("", unit).strip() or unit
    if len(u) > 1 and u[0] in _MAGNITUDES and unit_family(u) not in ("money", "unit_cost"):
        rest = normalize_unit(u[1:])
        if unit_family(rest) in ("count", "area", "length", "weight"):
            return _MAGNITUDES[u[0]], rest
    return 1.0, normalize_unit(u)


@lru_cache(maxsize=NAME_MEMO)
def same_quantity_kind(q_unit: str | None, ind_unit: str | None) -> bool:
    """Units of one family that can be compared value for value.

    Counts compare when their measure words agree: the same word, two words for people
    (人/名/位), or a generic 个/项 on one side ("150间教室" is not "32所学校").
    """
    if not q_unit or not ind_unit:
        return False
    _, a = base_unit(q_unit)
    _, b = base_unit(ind_unit)
    fa, fb = unit_family(a), unit_family(b)
    if fa != fb or fa in ("other", "date"):
        return False
    if fa == "count":
        if (a in _TIMES_UNITS) != (b in _TIMES_UNITS):
            return False
        return a == b or (a in _PEOPLE_UNITS and b in _PEOPLE_UNITS) or a in _GENERIC_COUNTS or b in _GENERIC_COUNTS
    if fa in ("duration", "area", "length", "weight"):
        return a == b
    if fa == "unit_cost":  # "每月1800元" is not comparable with "=21600元/人/年"
        pa, pb = _periods_of(a), _periods_of(b)
        return not pa or not pb or pa == pb
    return True


@lru_cache(maxsize=NAME_MEMO)
def _periods_of(unit: str) -> frozenset[str]:
    parts = _UNIT_PARTS.split(unit)[1:]
    return frozenset({"日" if normalize_unit(x) == "天" else normalize_unit(x) for x in parts} & (_PERIODS | {"日"}))


def values_agree(q: Quantity, ind: Indicator, rel: float = 0.005) -> bool:
    """True when the narrative value and the indicator value say the same (or the group total does)."""
    t = ind.target
    if t.value is None:
        return False
    unit = indicator_unit(ind)
    a = _comparable_value(q.value, q.unit)
    b = _comparable_value(t.value, unit)
    if a is None or b is None:
        return True  # cannot tell: treat as agreeing
    if _close(a, b, rel):
        return True
    if q.value_max is not None:  # a range in the narrative holds the indicator's value
        hi = _comparable_value(q.value_max, q.unit)
        if hi is not None and a - 1e-9 <= b <= hi + 1e-9:
            return True
    if t.value_max is not None:
        hi = _comparable_value(t.value_max, unit)
        if hi is not None and min(b, hi) - 1e-9 <= a <= max(b, hi) + 1e-9:
            return True
    if q.group_total is not None:
        g = _comparable_value(q.group_total, q.unit)
        if g is not None and _close(g, b, rel):
            return True
    return False


def _comparable_value(value: float, unit: str | None) -> float | None:
    if not unit:
        return None
    fam = unit_family(unit)
    if fam in ("money", "unit_cost"):
        return money_in_yuan(value, unit if not unit.startswith("/") else "元" + unit)
    return value * base_unit(unit)[0]


def _close(a: float, b: float, rel: float) -> bool:
    return abs(a - b) <= max(abs(a), abs(b)) * rel + 1e-9


@dataclass(frozen=True)
class Match:
    indicator: Indicator
    score: float
    runner_up: float  # the second-best score among indicators of the same kind
    agrees: bool


class IndicatorIndex:
    """The indicators a quantity can be matched with, grouped by the quantity's unit.

    Built once per table (match_indicator builds a throwaway one for a plain list): the
    indicators with a value and a 三级 name, in table order, with their 三级 name's rate kind;
    `for_unit` keeps those whose unit compares with a quantity's, memoised per unit.
    """

    def __init__(self, indicators: Sequence[Indicator]):
        self.rows = [(ind, indicator_unit(ind), ind.level3, rate_kind(ind.level3)) for ind in indicators
                     if ind.target.value is not None and ind.level3]
        self.indicator_units = set(ind_unit for _, ind_unit, _, _ in self.rows)
        self._by_unit: dict[str | None, list[tuple[Indicator, str, str]]] = {}

    def for_unit(self, unit: str | None) -> list[tuple[Indicator, str, str]]:
        """(indicator, 三级 name, rate kind) of the indicators whose unit compares with `unit`."""
        try:
            return self._by_unit[unit]
        except KeyError:
            # a table has a few distinct units: ask same_quantity_kind once per unit, not per row
            comparable = {u for u in self.indicator_units if same_quantity_kind(unit, u)}
            rows = [(ind, name, kind) for ind, ind_unit, name, kind in self.rows if ind_unit in comparable]
            self._by_unit[unit] = rows
            return rows


def match_indicator(q: Quantity, indicators: Sequence[Indicator] | IndicatorIndex, *,
                    budget_year: int | None = None, min_score: float = 0.8, margin: float = 0.25) -> Match | None:
    """The indicator `q` is about, when the name and the unit family both say so clearly.

    Returns None when no indicator of a comparable unit has a similar enough name, when two
    candidates are about as similar (ambiguous), or when the figure is a change, a past
    fact, a per-item figure ("各1次"), or dated in another year than `budget_year`. `agrees` tells whether any
    plausible candidate already holds the narrative value (then nothing contradicts).
    """
    name = q.entity or (q.context if q.family == "unit_cost" else "")
    if not name or q.delta or q.history or q.distributive:
        return None  # a unit cost without a head noun ("…传承人给予传习补助，每人每年8000元") goes by its clause
    if budget_year is not None and q.year is not None and q.year != budget_year:
        return None  # "2020年完成培训400人次": last year's figure, not this year's target
    if not isinstance(indicators, IndicatorIndex):
        indicators = IndicatorIndex(indicators)
    candidates = indicators.for_unit(q.unit)
    if not candidates:
        return None
    scored: list[tuple[float, Indicator]] = []
    kind = rate_kind(name)
    context = q.context if q.context and q.context != name else ""
    for ind, level3, other in candidates:
        if kind and other and kind != other:
            continue  # "满意度" is not "完成率", however alike the rest of the names
        score = similarity(name, level3)
        wide = similarity(context, level3) if context else 0.0
        if score < min_score:
            score = max(score, wide - 0.1)
        score += 0.05 * min(wide, 1.0)  # the wider clause breaks ties ("改造公厕5座": 改造, not 新建)
        if score > 0:
            scored.append((score, ind))
    if not scored:
        return None
    if len(scored) > 1:
        scored.sort(key=lambda x: (-x[0], -coverage(name, x[1].level3 or "")))
    best_score, best = scored[0]
    runner = scored[1][0] if len(scored) > 1 else 0.0
    plausible = [ind for s, ind in scored if s >= best_score - margin]
    agrees = any(values_agree(q, ind) for ind in plausible)
    if best_score < min_score:
        return None
    if runner > best_score - margin and not agrees:
        # close scores: still clear when the entity names all of the best indicator and little
        # of the other ("逾期贷款率" → 贷款逾期率, not 逾期贷款人员…名单公示率)
        rivals = [ind for s, ind in scored[1:] if s > best_score - margin]
        if coverage(name, best.level3) < 0.75 or any(coverage(name, r.level3) >= 0.5 for r in rivals):
            return None
    return Match(indicator=best, score=best_score, runner_up=runner, agrees=agrees)
