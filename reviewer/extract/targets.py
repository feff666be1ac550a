"""Target values (指标值) → models.Target.

    parse_target("≥95%")            numeric  >=  95  %
    parse_target("=595元/个")        numeric  =   595 元/个
    parse_target("90%-95%")          numeric      90..95 %
    parse_target("合格")             qualitative "合格"
    parse_target("2021年12月31日")   date     2021-12-31
    parse_target("2023.07-2024.01")  period   2023-07-01 .. 2024-01-31
    parse_target("44,561", indicator="资金到位时间")  date 2021-12-31, excel_serial
    parse_target("(≥**株)>=17600株")  numeric >= 17600 株, placeholder

Representation choices, so that checks can rely on them:
- `raw` is the cell exactly as given; everything else comes from a cleaned copy
  (whitespace, HTML tags and pinyin glosses such as "(yīng)" removed, full-width
  characters folded).
- Comparators are canonical ("=", ">=", "<=", ">", "<"); `comparator_raw` keeps
  the words as written, prefix and suffix joined by "…" ("控制在…以内"). "达到",
  "以上", "不低于" read as ">="; "以内", "以下", "不超过", "控制在" as "<="; a
  date followed by "前" as "<=". "约"/"左右" keep comparator_raw with no comparator.
- A date with a month but no day resolves to the month's last day (a deadline
  reading; "初" → first day, "上旬"/"中旬" → 10th/20th). "2021年底" is
  2021-12-31. A bare year ("2021年"), a quarter, a half-year and "A-B" ranges
  of dates are kind "period" with `date`/`date_end`.
- A date without a year ("12月底前", "年底前", "三季度末") is kind "date" with `date`
  None, `value` = the month and `unit` "月"; a quarter or half-year without a year
  ("第四季度", "上半年") is kind "period" the same way, `value` = its last month.
  `resolve_date(target, year)` completes them.
- Recurring deadlines ("每月20日前", "次月10日前", "每年3月底前", "每季度末") are kind
  "date" with `qualitative` = the rule as written; `value` is the day of the month
  (unit "日") or the month (unit "月"), none for "每季度末". They name no single date.
- A completion verb after a date is read past: "2023年底前完成" is the date 2023-12-31, "<=".
- "pH6.5-8.5" (the unit written first) is a range with unit "pH"; concentrations
  ("≤35微克/立方米", "≤10mg/L"), noise ("≤55分贝") and compound units with a middle dot
  ("5元/生·天", "元/吨·公里") are numeric with their canonical unit.
- Values like "-", "—", "/" count as empty (kind "empty").
- Placeholders ("**", "XX") set `placeholder`; a parenthesised template such as
  "(≥**株)" is dropped and lends its comparator/unit to a value that lacks one. A
  placeholder with no real value is kind "text" with whatever comparator/unit
  was written.
- A value with magnitude before a non-money unit is scaled ("1.2万人" → 12000 人);
  money keeps its unit ("6亿元" → 6 亿元).
- Prose (kind "text"): value/unit/comparator come from its only quantity, or
  from the final quantity when it is the only one introduced by a comparator
  word (达到/不低于/控制在 …). With no quantity but one dated year-month, `date`
  is set.
- Qualitative: short text with no digits (≤ 12 characters, or a list of known
  levels such as "及时、准确、完整"); `qualitative` holds it as written.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta
from functools import lru_cache

from reviewer.extract.fast import construct
from reviewer.extract.fast import copy as copy_model
from reviewer.extract.numbers import _CN_BAD_UNITS, _CN_NUM, _match_unit, find_numbers, parse_chinese_numeral
from reviewer.extract.units import MONEY_UNITS, UNIT_TAIL_PATTERN, fold, normalize_unit
from reviewer.models import Comparator, Target

# ------------------------------------------------------------------ data

QUALITATIVE_WORDS: frozenset[str] = frozenset(
    """合格 及时 有效 健全 建立健全 完备 合规 规范 可控 满意 合理 科学 相关 完整 真实 公开 符合 达标 完善 建立
    实时 显著 明显 提高 良好 优 良 中 差 是 否 按时 按期 准确 安全 稳定 正常 到位 完成 全覆盖 基本满意
    较满意 非常满意 优良 优秀 一般 较好 好 高 低 无 有 逐步提高 持续提升 有所提高 明显提升 显著提升 明显改善
    效果明显 应保尽保 按月安排 按季度 按年度 一致 清晰 可行 必要 充分 细化 量化 齐全 高效 便捷""".split()
)
"""Words that make up qualitative targets; a short value made only of these (and
separators) is qualitative even when longer than the usual length limit."""

TIME_INDICATOR_WORDS: tuple[str, ...] = ("时间", "日期", "时限", "时点", "期限", "截止", "完成时间", "到位时间")
"""An indicator name with one of these expects a date: a 5-digit number there is an Excel serial."""

_CMP_PREFIXES: dict[str, Comparator | None] = {
    ">=": ">=", "≥": ">=", "=>": ">=", "大于或等于": ">=", "大于等于": ">=", "不低于": ">=", "不少于": ">=",
    "不小于": ">=", "至少": ">=", "达到": ">=", "达": ">=",
    "<=": "<=", "≤": "<=", "=<": "<=", "小于或等于": "<=", "小于等于": "<=", "不高于": "<=", "不超过": "<=",
    "不多于": "<=", "不大于": "<=", "控制在": "<=", "最多": "<=",
    ">": ">", "大于": ">", "高于": ">", "超过": ">", "多于": ">",
    "<": "<", "小于": "<", "低于": "<", "少于": "<",
    "=": "=", "等于": "=", "==": "=",
    "约": None, "≈": None, "大约": None,
}
_CMP_SUFFIXES: dict[str, Comparator | None] = {
    "及以上": ">=", "以上": ">=", "及以下": "<=", "以下": "<=", "以内": "<=", "之内": "<=", "内": "<=",
    "以前": "<=", "之前": "<=", "前": "<=", "以后": ">=", "之后": ">=", "后": ">=", "左右": None,
}
_NEUTRAL_PREFIXES = frozenset({"达到", "达", "控制在", "约", "大约", "≈"})  # a suffix may refine these
_COLUMN_CMP: dict[str, Comparator] = {
    k: v for k, v in _CMP_PREFIXES.items() if v is not None and k not in _NEUTRAL_PREFIXES
}
_COLUMN_CMP.update({"≧": ">=", "≦": "<=", "＝": "=", "＞": ">", "＜": "<"})

# ------------------------------------------------------------------ regexes

_SYMBOLS = {"≧": "≥", "≦": "≤", "〜": "~", "—": "-", "–": "-", "─": "-", "﹣": "-", "＝": "="}
# a character class finds the few symbols at C speed; str.translate with a dict would miss a
# look-up (raising KeyError inside) for every other character of the text
_SYMBOL_RE = re.compile("[" + "".join(map(re.escape, _SYMBOLS)) + "]")
_symbol_of = _SYMBOLS.__getitem__
_HTML_RE = re.compile(r"</?[A-Za-z][^<>]*>")
_PINYIN_RE = re.compile(
    r"\((?=[^)]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zA-ZāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüÜ]+\)"
)
_SPACE_RE = re.compile(r"\s+")
_TIME_RE = re.compile(r"(?<=\d)[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_EMPTY_RE = re.compile(r"[-/\\_.。]*")
_PLACEHOLDER_RE = re.compile(r"\*{2,}|[Xx×]{2,}|某某|[?？]{2,}")
_TEMPLATE_RE = re.compile(r"\(([^()]*?(?:\*{2,}|[Xx×]{2,}|某某)[^()]*?)\)")
_PREFIX_RE = re.compile("|".join(re.escape(k) for k in sorted(_CMP_PREFIXES, key=len, reverse=True)))
_SUFFIX_RE = re.compile("(?:" + "|".join(re.escape(k) for k in sorted(_CMP_SUFFIXES, key=len, reverse=True)) + ")$")
_TRAIL_PUNCT = "。；;，,、.！!"
_NUM_RE = re.compile(
    rf"(?P<sign>[+-])?(?:(?P<ar>(?:\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+)(?:\.\d+)?|\.\d+)|(?P<cn>{_CN_NUM}))"
)
_RANGE_SEPS = "-~至到"
_SLASH_PART_RE = re.compile(UNIT_TAIL_PATTERN)
_UNKNOWN_UNIT_RE = re.compile(r"[\u4e00-\u9fff]{1,2}|[A-Za-z]{1,5}")
# characters that never make up a unit: a value followed by these is prose ("100%完成")
_NOT_UNIT_CHARS = frozenset("完成达合格及以上下内前后左右率的是否好优良差高低提增减到位按时效果性")
_MAGNITUDES: tuple[tuple[str, float], ...] = (("百万", 1e6), ("千万", 1e7), ("万", 1e4), ("亿", 1e8), ("千", 1e3))
_EXCEL_RE = re.compile(r"(\d{2},?\d{3})(?:\.0+)?")
_EXCEL_EPOCH = date(1899, 12, 30)
_FIVE_DIGITS = re.compile(r"\d(?:\D*\d){4}")  # an Excel serial has five
_HAS_DIGIT_RE = re.compile(r"\d|百分之")
_SENTENCE_PUNCT_RE = re.compile(r"[，,。；;！!？?：:]")
_QUAL_SEPS = "、,，/和及与或"
_QUAL_LIST_RE = re.compile(
    "(?:" + "|".join(sorted(QUALITATIVE_WORDS, key=len, reverse=True)) + ")"
    + "(?:[" + _QUAL_SEPS + "](?:" + "|".join(sorted(QUALITATIVE_WORDS, key=len, reverse=True)) + "))*"
)
_BEFORE_CMP_RE = re.compile(
    "(?:" + "|".join(re.escape(k) for k in sorted(_CMP_PREFIXES, key=len, reverse=True)) + r")\s*$"
)
_AFTER_CMP_RE = re.compile(r"(?:及以上|以上|及以下|以下|以内|之内)")

# dates: the core of the value, comparator words already removed
_Y = r"(?P<y>(?:19|20)\d{2})"
_MOD = r"(?P<mod>底|末|初|上旬|中旬|下旬|份)?"
_DATE_YMD_RE = re.compile(
    rf"{_Y}(?:年(?P<m>\d{{1,2}})月(?:(?P<d>\d{{1,2}})[日号])?|(?P<sep>[-/.])(?P<m2>\d{{1,2}})(?:(?P=sep)(?P<d2>\d{{1,2}}))?){_MOD}"
)
_DATE_MD_RE = re.compile(r"(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})[日号])?(?P<mod>底|末|初|上旬|中旬|下旬|份)?")
_YEAR_RE = re.compile(rf"{_Y}年(?P<du>度)?(?P<mod>底|末|初)?")
_QUARTER_RE = re.compile(rf"{_Y}年(?:度)?第?(?P<q>[一二三四1-4])季度")
_HALF_RE = re.compile(rf"{_Y}年(?:度)?(?P<h>上|下)半年")
_MONTH_SPAN_RE = re.compile(rf"{_Y}年(?P<m1>\d{{1,2}})(?:月)?[-~至到](?P<m2>\d{{1,2}})月")
_YEAR_SPAN_RE = re.compile(r"(?P<y1>(?:19|20)\d{2})年?(?:度)?[-~至到](?P<y2>(?:19|20)\d{2})年(?:度)?")
_YEARLESS_END_RE = re.compile(r"(?:年底|年末|年内|年度内|年度?|当年|本年度?)")  # "年" once "内"/"前" is stripped
_QUARTER_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_YEARLESS_QUARTER_RE = re.compile(r"(?:第(?P<q>[一二三四1-4])|(?P<qc>[一二三四]))季度(?P<mod>末|底|初)?")
_YEARLESS_HALF_RE = re.compile(r"(?P<h>上|下)半年(?P<mod>末|底)?")
# recurring deadlines: 每月20日, 次月10日, 每季度首月10日, 每年3月底, 每季度末, 每月底
_RECURRING_RE = re.compile(
    r"(?:每个?|次)(?P<per>月|季度?|年度?|半年|周)(?:的)?"
    r"(?:(?:首月)?(?P<d>\d{1,2})[日号]"
    r"|(?P<m>\d{1,2})月(?:(?P<md>\d{1,2})[日号])?(?P<mmod>底|末|初|上旬|中旬|下旬)?"
    r"|(?P<mod>底|末|初|上旬|中旬|下旬|最后一(?:天|日|个工作日)))"
)
# a completion verb after a deadline: "2023年底前完成", "6月30日前拨付到位"
_DONE_VERBS = ("完成", "完工", "竣工", "到位", "办结", "结束", "支付", "拨付", "发放", "兑付", "验收", "交付", "上报",
               "报送", "提交", "投入使用", "实施", "启动")
_DONE_ENDINGS = ("完毕", "到位")
_DONE_TAIL_RE = re.compile(
    r"(?:全部|全面|按时|如期)?(?:" + "|".join(_DONE_VERBS) + ")(?:" + "|".join(_DONE_ENDINGS) + ")?$"
)
_DONE_TAIL_LAST = frozenset(w[-1] for w in _DONE_VERBS + _DONE_ENDINGS)  # a text the pattern ends ends in one
_LEADING_ZERO_CODE_RE = re.compile(r"[+-]?0\d{2,}(?![.\d])")
_END_NOTE_RE = re.compile(r"\([^()]*\)$")  # "100%(含)"
_PH_RE = re.compile(r"(?:[pP][hH]值?|酸碱度)(?:为|在)?(?=[\d=<>≤≥])")


# ------------------------------------------------------------------ helpers


def _fold_symbols(s: str) -> str:
    """Comparator and dash look-alikes to the symbols the patterns expect ("≧" → "≥", "—" → "-")."""
    if _SYMBOL_RE.search(s) is None:
        return s
    return _SYMBOL_RE.sub(lambda m: _symbol_of(m.group()), s)


def _clean(raw: str) -> str:
    s = _TIME_RE.sub("", raw.strip())  # "2021-12-31 00:00:00" from a spreadsheet date cell
    s = _HTML_RE.sub("", s)
    s = _PINYIN_RE.sub("", s)
    return _SPACE_RE.sub("", s).strip(_TRAIL_PUNCT)


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _month_date(y: int, m: int, d: int | None, mod: str | None, *, end: bool = True) -> date:
    if d is not None:
        return date(y, m, d)
    if mod == "初" or (not end and not mod):
        return date(y, m, 1)
    if mod == "上旬":
        return date(y, m, 10)
    if mod == "中旬":
        return date(y, m, 20)
    return date(y, m, _last_day(y, m))


def _split_comparator(s: str) -> tuple[str, Comparator | None, str | None]:
    """Strip a comparator prefix and suffix; return (core, comparator, raw words)."""
    pre = _PREFIX_RE.match(s)
    prefix = pre.group() if pre else ""
    core = s[len(prefix):]
    suf = _SUFFIX_RE.search(core) if core else None
    suffix = suf.group() if suf else ""
    if suffix:
        core = core[: len(core) - len(suffix)]
    if not prefix and not suffix:
        return core, None, None
    if prefix and suffix:
        cmp = _CMP_SUFFIXES[suffix] if prefix in _NEUTRAL_PREFIXES else _CMP_PREFIXES[prefix]
        if prefix in ("约", "大约", "≈"):
            cmp = None
        return core, cmp, f"{prefix}…{suffix}"
    if prefix:
        return core, _CMP_PREFIXES[prefix], prefix
    return core, _CMP_SUFFIXES[suffix], suffix


def _read_number(s: str, pos: int) -> tuple[float, int, bool] | None:
    m = _NUM_RE.match(s, pos)
    if not m:
        return None
    if m.group("cn"):
        v = parse_chinese_numeral(m.group("cn"))
        if v is None:
            return None
        return (-v if m.group("sign") == "-" else v), m.end(), True
    try:
        v = float(m.group("ar").replace(",", ""))
    except (TypeError, ValueError):
        return None
    return (-v if m.group("sign") == "-" else v), m.end(), False


def _read_unit(s: str, pos: int, is_cn: bool, cn_text: str = "") -> tuple[str | None, int, float]:
    """A unit at s[pos:]: (unit as written, end, factor to apply to the value)."""
    u, end = _match_unit(s, pos)
    factor = 1.0
    if u is None and not is_cn:
        for mag, f in _MAGNITUDES:
            if s.startswith(mag, pos):
                u2, e2 = _match_unit(s, pos + len(mag))
                if u2 is not None and normalize_unit(u2) not in MONEY_UNITS:
                    u, end, factor = u2, e2, f
                elif u2 is None and mag in ("万", "亿"):
                    u, end, factor = None, pos + len(mag), f
                break
    if u is not None:
        for _ in range(2):  # compound: 元/人/天
            sm = _SLASH_PART_RE.match(s, end)
            if not sm:
                break
            u, end = u + sm.group(), sm.end()
    elif not is_cn:
        sm = _SLASH_PART_RE.match(s, end)  # "28.40/株"
        if sm:
            u, end = sm.group(), sm.end()
    return u, end, factor


def _quantity(core: str) -> tuple[float, float | None, str | None, float] | None:
    """A pure quantity or range: (value, value_max, unit as written, magnitude factor)."""
    first = _read_number(core, 0)
    if first is None:
        return None
    v1, end, is_cn = first
    if not is_cn and _LEADING_ZERO_CODE_RE.match(core):
        return None  # "0391-6612969", "060001": codes, not quantities
    u1, end, f1 = _read_unit(core, end, is_cn)
    if is_cn and (u1 is None or u1 in _CN_BAD_UNITS):
        return None  # "一般", "十分满意": words, not numbers
    if is_cn and u1 == "元" and core[:end].rstrip("元")[-1:] in ("万", "亿"):
        mag = core[:end].rstrip("元")[-1]
        v1 = (parse_chinese_numeral(core[: end - 2]) or 0.0)
        u1 = mag + "元"
    if end == len(core):
        return v1 * f1, None, u1, f1
    if core[end] in _RANGE_SEPS:
        second = _read_number(core, end + 1)
        if second is not None:
            v2, e2, is_cn2 = second
            u2, e2, f2 = _read_unit(core, e2, is_cn2)
            if e2 == len(core) and (u1 is None or u2 is None or normalize_unit(u1) == normalize_unit(u2)):
                unit = u2 or u1
                f = f2 if u2 else f1
                return v1 * f, v2 * f, unit, f
        return None
    rest = core[end:]
    if u1 is None and not is_cn and _UNKNOWN_UNIT_RE.fullmatch(rest) and not (set(rest) & _NOT_UNIT_CHARS):
        return v1 * f1, None, rest, f1  # a measure word we do not know: "3眼"
    return None


def _parse_date(core: str) -> Target | None:
    """Dates and periods in `core`; a Target with raw "" (filled by the caller)."""
    if core.startswith(("19", "20")):  # every pattern of a dated value begins with its year
        try:
            m = _DATE_YMD_RE.fullmatch(core)
            if m:
                y = int(m.group("y"))
                mo = int(m.group("m") or m.group("m2"))
                d = m.group("d") or m.group("d2")
                return Target(raw="", kind="date", date=_month_date(y, mo, int(d) if d else None, m.group("mod")))
            m = _YEAR_RE.fullmatch(core)
            if m:
                y = int(m.group("y"))
                if m.group("mod") in ("底", "末"):
                    return Target(raw="", kind="date", date=date(y, 12, 31))
                if m.group("mod") == "初":
                    return Target(raw="", kind="date", date=date(y, 1, 1))
                return Target(raw="", kind="period", date=date(y, 1, 1), date_end=date(y, 12, 31))
            m = _QUARTER_RE.fullmatch(core)
            if m:
                y, q = int(m.group("y")), _QUARTER_NUM[m.group("q")]
                return Target(
                    raw="", kind="period", date=date(y, 3 * q - 2, 1), date_end=date(y, 3 * q, _last_day(y, 3 * q))
                )
            m = _HALF_RE.fullmatch(core)
            if m:
                y = int(m.group("y"))
                if m.group("h") == "上":
                    return Target(raw="", kind="period", date=date(y, 1, 1), date_end=date(y, 6, 30))
                return Target(raw="", kind="period", date=date(y, 7, 1), date_end=date(y, 12, 31))
            m = _MONTH_SPAN_RE.fullmatch(core)
            if m:
                y, m1, m2 = int(m.group("y")), int(m.group("m1")), int(m.group("m2"))
                return Target(raw="", kind="period", date=date(y, m1, 1), date_end=date(y, m2, _last_day(y, m2)))
            m = _YEAR_SPAN_RE.fullmatch(core)
            if m:
                y1, y2 = int(m.group("y1")), int(m.group("y2"))
                return Target(raw="", kind="period", date=date(y1, 1, 1), date_end=date(y2, 12, 31))
            for sep in "-~至到":
                if sep not in core:
                    continue
                a, _, b = core.partition(sep)
                ma, mb = _DATE_YMD_RE.fullmatch(a), _DATE_YMD_RE.fullmatch(b)
                if ma and mb:
                    start = _month_date(
                        int(ma.group("y")), int(ma.group("m") or ma.group("m2")),
                        int(ma.group("d") or ma.group("d2")) if (ma.group("d") or ma.group("d2")) else None,
                        ma.group("mod"), end=False,
                    )
                    stop = _month_date(
                        int(mb.group("y")), int(mb.group("m") or mb.group("m2")),
                        int(mb.group("d") or mb.group("d2")) if (mb.group("d") or mb.group("d2")) else None,
                        mb.group("mod"),
                    )
                    return Target(raw="", kind="period", date=start, date_end=stop)
                if ma:
                    mb2 = _DATE_MD_RE.fullmatch(b)  # "2021年1月-12月"
                    if mb2:
                        y = int(ma.group("y"))
                        start = _month_date(
                            y, int(ma.group("m") or ma.group("m2")),
                            int(ma.group("d") or ma.group("d2")) if (ma.group("d") or ma.group("d2")) else None,
                            ma.group("mod"), end=False,
                        )
                        stop = _month_date(y, int(mb2.group("m")), int(mb2.group("d")) if mb2.group("d") else None,
                                           mb2.group("mod"))
                        return Target(raw="", kind="period", date=start, date_end=stop)
        except ValueError:  # 2021-02-30, month 13 …
            return None
    found = _yearless(core)
    return found[0] if found else None


def _yearless(core: str) -> tuple[Target, Callable[[int], date | None]] | None:
    """A date or period written without a year: (target, year → the date it names or None).

    "12月底" → date, value 12 月; "年底" → date, value 12 月; "第四季度" / "下半年" →
    period, value = its last month, unit 月 ("三季度末" is the date at its end);
    recurring deadlines "每月20日" → date, value 20 日 (the day of the month, no single
    date), "每年3月底" → date, value 3 月, "每季度末" → date without a value.
    """
    if "月" not in core and "年" not in core and "季度" not in core and core[:1] not in ("每", "次"):
        return None  # each pattern below names a month, a year, a quarter or a recurrence (每…/次…)
    m = _DATE_MD_RE.fullmatch(core)
    if m and _valid(m.group("m"), m.group("d")):
        mo, d, mod = int(m.group("m")), _int(m.group("d")), m.group("mod")
        return Target(raw="", kind="date", value=float(mo), unit="月"), lambda y: _month_date(y, mo, d, mod)
    if _YEARLESS_END_RE.fullmatch(core):
        return Target(raw="", kind="date", value=12.0, unit="月"), lambda y: date(y, 12, 31)
    m = _YEARLESS_QUARTER_RE.fullmatch(core)
    if m:
        q = _QUARTER_NUM[m.group("q") or m.group("qc")]
        first, last, mod = 3 * q - 2, 3 * q, m.group("mod")
        if mod == "初":
            return Target(raw="", kind="date", value=float(first), unit="月"), lambda y: date(y, first, 1)
        kind = "date" if mod else "period"
        return Target(raw="", kind=kind, value=float(last), unit="月"), lambda y: date(y, last, _last_day(y, last))
    m = _YEARLESS_HALF_RE.fullmatch(core)
    if m:
        last = 6 if m.group("h") == "上" else 12
        return (Target(raw="", kind="date" if m.group("mod") else "period", value=float(last), unit="月"),
                lambda y: date(y, last, _last_day(y, last)))
    m = _RECURRING_RE.fullmatch(core)
    if m:
        if m.group("d"):  # "每月20日": a day of every month
            if not m.group("per").endswith(("月", "季度")) or not _valid("1", m.group("d")):
                return None
            return Target(raw="", kind="date", value=float(m.group("d")), unit="日"), lambda y: None
        if m.group("m"):  # "每年3月底": a date of every year
            if not m.group("per").startswith("年") or not _valid(m.group("m"), m.group("md")):
                return None
            mo, d, mod = int(m.group("m")), _int(m.group("md")), m.group("mmod")
            return Target(raw="", kind="date", value=float(mo), unit="月"), lambda y: _month_date(y, mo, d, mod)
        return Target(raw="", kind="date"), lambda y: None  # "每季度末", "每月底"
    return None


def _int(s: str | None) -> int | None:
    return int(s) if s else None


def _valid(month: str, day: str | None) -> bool:
    return 1 <= int(month) <= 12 and (day is None or 1 <= int(day) <= 31)


def _date_core(s: str) -> tuple[str, Comparator | None, str | None, Target | None]:
    """(core, comparator, comparator as written, date target or None) of a cleaned value.

    A completion verb after a date is dropped: "2023年底前完成" reads as "2023年底前".
    """
    core, cmp, cmp_raw = _split_comparator(s)
    core = core.strip(_TRAIL_PUNCT)
    dated = _parse_date(core) if core else None
    base = s.rstrip(_TRAIL_PUNCT)
    if (dated is None and core and base[-1:] in _DONE_TAIL_LAST
            and (tail := _DONE_TAIL_RE.search(base)) and tail.start() > 0):
        c2, cmp2, raw2 = _split_comparator(base[: tail.start()])
        c2 = c2.strip(_TRAIL_PUNCT)
        d2 = _parse_date(c2) if c2 else None
        if d2 is not None:
            return c2, cmp2, raw2, d2
    return core, cmp, cmp_raw, dated


def _column_unit(unit_column: str | None) -> str | None:
    if not unit_column:
        return None
    u = _clean(fold(unit_column))
    if not u or _EMPTY_RE.fullmatch(u) or any(c.isdigit() for c in u):
        return None  # "44,561" in the unit column is a leaked date, not a unit
    return normalize_unit(u)


def _column_comparator(comparator_column: str | None) -> tuple[Comparator, str] | None:
    if not comparator_column:
        return None
    c = _fold_symbols(_SPACE_RE.sub("", fold(comparator_column)))
    cmp = _COLUMN_CMP.get(c)
    return (cmp, comparator_column.strip()) if cmp else None


def _excel_serial(s: str, unit_column: str | None, indicator: str | None) -> date | None:
    core = s.lstrip("=≥>")
    m = _EXCEL_RE.fullmatch(core)
    if not m:
        return None
    n = int(m.group(1).replace(",", ""))
    if not 36000 <= n <= 60000:
        return None
    same_in_unit = bool(unit_column) and re.sub(r"[,\s]|\.0+$", "", unit_column) == str(n)
    timely = bool(indicator) and any(w in indicator for w in TIME_INDICATOR_WORDS)
    if not (same_in_unit or timely):
        return None
    return _EXCEL_EPOCH + timedelta(days=n)


def _is_qualitative(display: str) -> bool:
    if any(c.isdigit() for c in display):
        return False
    if _QUAL_LIST_RE.fullmatch(display):
        return True
    return len(display) <= 12 and not _SENTENCE_PUNCT_RE.search(display)


def _from_prose(s: str) -> tuple[float, str | None, Comparator | None, str | None] | date | None:
    spans = [sp for sp in find_numbers(s) if not sp.quoted]
    # Chinese numerals in prose are mostly articles ("打造一支队伍"): count Arabic figures only
    quantities = [sp for sp in spans if sp.kind == "quantity" and _HAS_DIGIT_RE.search(sp.raw)]

    def comparator_of(sp) -> tuple[Comparator | None, str | None]:
        before = _BEFORE_CMP_RE.search(s, max(0, sp.start - 6), sp.start)
        after = _AFTER_CMP_RE.match(s, sp.end)
        if before and after:
            word = before.group().strip()
            cmp = _CMP_SUFFIXES[after.group()] if word in _NEUTRAL_PREFIXES else _CMP_PREFIXES[word]
            return cmp, f"{word}…{after.group()}"
        if before:
            word = before.group().strip()
            return _CMP_PREFIXES[word], word
        if after:
            return _CMP_SUFFIXES[after.group()], after.group()
        return None, None

    chosen = None
    if len(quantities) == 1:
        chosen = quantities[0]
    elif quantities:
        introduced = [sp for sp in quantities if _BEFORE_CMP_RE.search(s, max(0, sp.start - 6), sp.start)]
        if len(introduced) == 1 and introduced[0] is quantities[-1]:
            chosen = quantities[-1]
    if chosen is not None:
        cmp, cmp_raw = comparator_of(chosen)
        return chosen.value, chosen.unit, cmp, cmp_raw
    dated = [sp for sp in spans if sp.kind == "date" and sp.year and sp.month]
    if len(dated) == 1:
        sp = dated[0]
        try:
            return _month_date(sp.year, sp.month, sp.day, None)
        except ValueError:
            return None
    return None


# ------------------------------------------------------------------ public


def parse_target(
    raw: str,
    *,
    unit_column: str | None = None,
    comparator_column: str | None = None,
    indicator: str | None = None,
) -> Target:
    """Parse one 指标值 cell. Never raises: odd input gives kind "text".

    `unit_column` is the 计量单位 cell, used when the value has no unit;
    `comparator_column` a 指标方向 cell holding a comparator ("≥"; directions such
    as 正向/反向 are ignored); `indicator` the 三级 name (for Excel date serials).
    """
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    if indicator is not None and not _FIVE_DIGITS.search(text):
        indicator = None  # the name matters only for an Excel serial: keep the cache keys few
    # the cache holds one Target per distinct cell; each caller gets its own copy
    return copy_model(_parse_cached(text, unit_column, comparator_column, indicator))


@lru_cache(maxsize=1 << 14)
def _parse_cached(text: str, unit_column: str | None, comparator_column: str | None, indicator: str | None) -> Target:
    try:
        return _parse_target(text, unit_column, comparator_column, indicator)
    except Exception:  # noqa: BLE001 - a malformed cell must not stop a review
        return Target(raw=text, kind="text")


def _parse_target(raw: str, unit_column: str | None, comparator_column: str | None, indicator: str | None) -> Target:
    display = _clean(raw)
    s = _fold_symbols(fold(display))
    if not s or _EMPTY_RE.fullmatch(s):
        return Target(raw=raw, kind="empty")

    # template placeholders: "(≥**株)>=17600株", "≥**%", "XX"
    placeholder = bool(_PLACEHOLDER_RE.search(s))
    template: Target | None = None
    if placeholder:
        for m in _TEMPLATE_RE.finditer(s):
            t_core, t_cmp, t_raw = _split_comparator(_PLACEHOLDER_RE.sub("", m.group(1)))
            template = Target(raw=m.group(1), comparator=t_cmp, comparator_raw=t_raw,
                              unit=normalize_unit(t_core) if t_core and not _NUM_RE.match(t_core) else None)
        s = _PLACEHOLDER_RE.sub("", _TEMPLATE_RE.sub("", s))
        display = _PLACEHOLDER_RE.sub("", _TEMPLATE_RE.sub("", fold(display)))

    col_cmp = _column_comparator(comparator_column)

    serial = _excel_serial(s, unit_column, indicator)
    if serial is not None:
        t = Target(raw=raw, kind="date", date=serial, excel_serial=True, placeholder=placeholder)
        if col_cmp:
            t.comparator, t.comparator_raw = col_cmp
        return t

    ph = _PH_RE.match(s)  # "pH6.5-8.5": the unit written before the value
    if ph:
        s = s[ph.end():]

    core, cmp, cmp_raw, dated = _date_core(s)
    if core.endswith(")") and "(" in core:  # "100%(含)"
        stripped = _END_NOTE_RE.sub("", core)
        if _quantity(stripped) is not None:
            core = stripped

    # dates and periods
    if dated is not None:
        if dated.kind == "period" and cmp in ("<=", ">="):  # "2021年内", "2021年第二季度前": a deadline
            if dated.date is not None:
                edge = dated.date_end if cmp == "<=" else dated.date
                dated = Target(raw="", kind="date", date=edge)
            elif cmp == "<=":  # "第四季度前": by the end of its last month
                dated.kind = "date"
        if dated.date is None and _RECURRING_RE.fullmatch(core):  # keep the rule as written
            dated.qualitative = display.strip(_TRAIL_PUNCT)
        dated.raw = raw
        dated.placeholder = placeholder
        dated.comparator, dated.comparator_raw = cmp, cmp_raw
        if cmp_raw is None and col_cmp:
            dated.comparator, dated.comparator_raw = col_cmp
        return dated

    # numbers and ranges
    q = _quantity(core) if core else None
    if q is not None:
        value, value_max, unit_text, _ = q
        unit = normalize_unit(unit_text) if unit_text else "pH" if ph else None
        t = _numeric_target(raw, cmp, cmp_raw, value, value_max, unit, placeholder)
        _fill_defaults(t, template, unit_column, col_cmp)
        return t

    # a placeholder with no real value left: keep what was written around it
    if placeholder:
        t = Target(raw=raw, kind="text", comparator=cmp, comparator_raw=cmp_raw, placeholder=True)
        if core and not any(c.isdigit() for c in core):
            u = normalize_unit(core)
            t.unit, t.unit_source = u, "value"
        _fill_defaults(t, template, unit_column, col_cmp)
        return t

    # qualitative levels
    level = display.lstrip("=＝≥≤≧≦<>＜＞").strip(_TRAIL_PUNCT)  # "=合格" is the level 合格
    if level and _is_qualitative(level):
        return Target(raw=raw, kind="qualitative", qualitative=level)

    # prose
    t = Target(raw=raw, kind="text")
    found = _from_prose(s)
    if isinstance(found, date):
        t.date = found
    elif found is not None:
        t.value, unit, t.comparator, t.comparator_raw = found
        if unit:
            t.unit, t.unit_source = unit, "value"
        _fill_defaults(t, None, unit_column, col_cmp)
    return t


_NUMERIC_FIELDS = frozenset(("raw", "kind", "comparator", "comparator_raw", "value", "value_max", "placeholder"))
_NUMERIC_UNIT_FIELDS = _NUMERIC_FIELDS | {"unit", "unit_source"}


def _numeric_target(raw: str, comparator: Comparator | None, comparator_raw: str | None, value: float,
                    value_max: float | None, unit: str | None, placeholder: bool) -> Target:
    """Target(raw=raw, kind="numeric", comparator=…, value=…, value_max=…, placeholder=…), then
    the unit (when not None) assigned with unit_source "value": the same model, fields set
    included, built without validation, which costs more than the rest of a parse. The
    comparators come from the tables above, the rest are str/bool already; floats are made
    as validation makes them. tests/test_targets.py holds it equal to the validated model."""
    values = {"raw": raw, "kind": "numeric", "comparator": comparator, "comparator_raw": comparator_raw,
              "value": float(value), "value_max": None if value_max is None else float(value_max),
              "unit": unit, "unit_source": None if unit is None else "value",
              "qualitative": None, "date": None, "date_end": None, "excel_serial": False, "placeholder": placeholder}
    return construct(Target, values, set(_NUMERIC_FIELDS if unit is None else _NUMERIC_UNIT_FIELDS))


def _fill_defaults(
    t: Target, template: Target | None, unit_column: str | None, col_cmp: tuple[Comparator, str] | None
) -> None:
    """Unit and comparator from the template, then the columns, when the value has none."""
    if template is not None:
        if t.unit is None and template.unit:
            t.unit, t.unit_source = template.unit, "value"
        if t.comparator_raw is None and template.comparator:
            t.comparator, t.comparator_raw = template.comparator, template.comparator_raw
    if t.unit is None:
        col_unit = _column_unit(unit_column)
        if col_unit:
            t.unit, t.unit_source = col_unit, "column"
    if t.comparator_raw is None and col_cmp:
        t.comparator, t.comparator_raw = col_cmp


def resolve_date(target: Target, year: int) -> date | None:
    """The date a target names, completing a year-less one ("12月底前") with `year`.

    For a period, its end. None when the target is not a date.
    """
    if target.date_end is not None:
        return target.date_end
    if target.date is not None:
        return target.date
    if target.kind not in ("date", "period"):
        return None
    core = _date_core(_fold_symbols(fold(_clean(target.raw))))[0]
    found = _yearless(core)
    try:
        return found[1](year) if found else None
    except ValueError:
        return None
