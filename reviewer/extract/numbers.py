"""Numbers in Chinese budget text: Arabic and Chinese numerals, money amounts, and
number spans with their units in free prose.

    parse_number("1,234.5") → 1234.5      parse_number("一千二百五十") → 1250
    parse_amount("1.2亿元") → Amount(value=1.2, unit="亿元", wan=12000)
    find_numbers("柜机两台挂机一台") → [2 台, 1 台]

All functions are pure and never raise on odd text; regexes are compiled once.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from reviewer.extract.fast import copy as copy_model
from reviewer.extract.units import (
    KNOWN_UNIT_SPELLINGS,
    MONEY_UNITS,
    UNIT_TAIL_PATTERN,
    fold,
    normalize_unit,
    unit_family,
    wan_factor,
)
from reviewer.models import Amount

# ------------------------------------------------------------------ Chinese numerals

CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
CN_SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG_UNITS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL_UNITS) + "".join(CN_BIG_UNITS)


def parse_chinese_numeral(s: str) -> float | None:
    """"十二" → 12, "一千二百五十" → 1250, "三万" → 30000, "零点五" → 0.5,
    "二零二一" → 2021, "一万五" → 15000. None if `s` is not a Chinese numeral."""
    s = fold(s.strip())
    if not s:
        return None
    int_part, _, dec_part = s.partition("点")
    if dec_part and not all(c in CN_DIGITS for c in dec_part):
        return None
    if not int_part and not dec_part:
        return None
    if any(c not in _CN_CHARS for c in int_part):
        return None
    if int_part and int_part[0] not in CN_DIGITS and int_part[0] not in "十拾":
        return None  # "万", "百": a magnitude alone is not a number
    whole = _cn_integer(int_part) if int_part else 0
    if whole is None:
        return None
    if dec_part:
        return float(f"{whole}." + "".join(str(CN_DIGITS[c]) for c in dec_part))
    return float(whole)


def _cn_integer(s: str) -> int | None:
    if all(c in CN_DIGITS for c in s):  # positional: "二零二一"
        return int("".join(str(CN_DIGITS[c]) for c in s))
    total = section = number = 0
    last_unit = 0
    prev = ""
    after_unit = False  # the last digit follows a unit directly ("一万五")
    for c in s:
        if c in CN_DIGITS:
            after_unit = last_unit > 0 and number == 0 and c != "零" and prev not in "零〇○"
            number = CN_DIGITS[c]
        elif c in CN_SMALL_UNITS:
            section += (number or 1) * CN_SMALL_UNITS[c]
            number, last_unit, after_unit = 0, CN_SMALL_UNITS[c], False
        elif c == "万":
            section = (section + number) * 10_000
            total += section
            section = number = 0
            last_unit, after_unit = 10_000, False
        elif c == "亿":
            total = (total + section + number) * 100_000_000
            section = number = 0
            last_unit, after_unit = 100_000_000, False
        else:
            return None
        prev = c
    if after_unit and last_unit >= 100:  # colloquial "一万五" = 15000, "三百五" = 350
        number *= last_unit // 10
    return total + section + number


# ------------------------------------------------------------------ plain numbers

_ARABIC_FULL_RE = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")


def parse_number(s: str) -> float | None:
    """The number a whole string spells, or None.

    Arabic with thousands separators and decimals ("1,234.5", full-width "１２３")
    or a Chinese numeral ("两", "一百二十", "零点五"). Text with a unit or anything
    else around the number ("6亿", "90%") is not a plain number: None.
    """
    if not s:
        return None
    t = fold(s).strip()
    if _ARABIC_FULL_RE.fullmatch(t):
        try:
            return float(t.replace(",", ""))
        except ValueError:
            return None
    return parse_chinese_numeral(t)


# ------------------------------------------------------------------ spans in free text


@dataclass(frozen=True, slots=True)
class NumberSpan:
    """A number found in text, with the unit written after it.

    `kind` is "date" for years and dates ("2021年", "2021年6月底", "2021-12-31",
    "12月底", "第二季度", "每月20日"): `value` is then the year (unit "年") or, without a
    year, the month (unit "月"), the quarter (unit "季度") or the day of every month
    (unit "日"); `year`/`month`/`day` hold the parts. `quoted` marks numbers inside “…”, 《…》 or 「…」 (names and
    cited titles). `unit` is canonical (see units.normalize_unit) or None.
    Document numbers, phone numbers, codes with leading zeros and list markers
    ("1、", "一是", "第三条", "（二）") are not returned.
    """

    value: float
    unit: str | None
    start: int
    end: int
    raw: str
    kind: Literal["quantity", "date"] = "quantity"
    quoted: bool = False
    year: int | None = None
    month: int | None = None
    day: int | None = None

    @property
    def is_date(self) -> bool:
        return self.kind == "date"

    @property
    def family(self) -> str | None:
        """unit_family of the unit, "date" for dates, None without a unit."""
        if self.kind == "date":
            return "date"
        return unit_family(self.unit) if self.unit else None


_CN_NUM = (
    r"[零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖十拾]"
    r"[零〇○一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]*(?:点[零〇一二三四五六七八九]+)?"
)
_ARABIC = r"(?:(?<![\d.A-Za-z])|(?<=RMB))(?:\d{1,3}(?:,\d{3})+(?![\d])|\d+)(?:\.\d+)?"
_YEAR = r"(?<!\d)(?:19|20)\d{2}"
_MONTH = r"(?:1[0-2]|0?[1-9])"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])"
_RANGE_SEP = r"\s*[-~～至到—–]\s*"
_SUFFIX = r"(?:底|末|初|中旬|上旬|下旬)?"

# Every branch below starts with one of these characters; testing it first lets the search
# skip the rest of the text quickly instead of trying every branch at every position.
_MASTER_FIRST = r"(?=[\d\[〔【(（第百每零〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾])"
_MASTER_RE = re.compile(
    _MASTER_FIRST + "(?:" + "|".join(
        [
            # 〔2021〕101号, [2019]5号, 【2007】号, (2022)605号
            r"(?P<docno>[\[〔【(（]\s*(?:19|20)\d{2}\s*[\]〕】)）]\s*第?\s*\d*(?:\s*[-—]\s*\d+)?\s*号)",
            # 0391-6612969, 13812345678
            r"(?P<phone>(?<!\d)0\d{2,3}\s*-\s*\d{7,8}(?!\d)|(?<!\d)1[3-9]\d{9}(?!\d))",
            # 2021-2023年
            rf"(?P<yrange>(?P<yr1>{_YEAR}){_RANGE_SEP}(?P<yr2>(?:19|20)\d{{2}})\s*年度?)",
            # 2021年, 2021年度, 2021年6月底, 2021年1-12月, 2021年12月31日, 2021年第二季度, 2021年上半年
            rf"(?P<cndate>(?P<y>{_YEAR})\s*年度?"
            rf"(?:\s*第?\s*(?P<q>[一二三四1-4])\s*季度|\s*(?P<half>上|下)半年"
            rf"|\s*(?P<m>{_MONTH})(?:{_RANGE_SEP}(?P<m2>{_MONTH}))?\s*月份?(?:\s*(?P<d>{_DAY})\s*[日号])?{_SUFFIX})?"
            r"(?:底|末|初)?)",
            # 2021-12-31, 2021/12/31, 2021.12.31, 2023.07
            rf"(?P<numdate>(?P<ny>{_YEAR})(?P<sep>[-/.])(?P<nm>{_MONTH})(?:(?P=sep)(?P<nd>{_DAY}))?(?![\d]))",
            # 6月底, 12月31日, 1-12月
            rf"(?P<mdate>(?<![\d.,])(?P<mo>{_MONTH})(?:{_RANGE_SEP}(?P<mo2>{_MONTH}))?\s*月份?(?:\s*(?P<md>{_DAY})\s*[日号])?{_SUFFIX})",
            # 第二季度, 一季度
            r"(?P<quarter>第\s*(?P<qq>[一二三四1-4])\s*季度|(?P<qc>[一二三四])季度)",
            # 第三条, 第1批, 第一时间 (ordinal, skipped)
            rf"(?P<ordinal>第\s*(?:\d+|{_CN_NUM}))",
            # list markers (skipped): 1、 (1) （一） 一是 二、 1. 目标1:
            r"(?P<marker>(?<![\d.])\d{1,2}\s*、"
            r"|[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[）)]"
            r"|[一二三四五六七八九十]{1,3}\s*(?:是|、)"
            r"|(?<![^\s。；;：:>])\d{1,2}[.．](?!\d)"
            r"|(?<=[\u4e00-\u9fff])\d{1,2}\s*[:：](?!\d))",
            # 百分之九十
            rf"(?P<cnpct>百分之(?P<pct>{_CN_NUM}))",
            # every-X prefix: 每天140元
            r"(?P<per>每(?:个|人|天|日|月|季度|季|半年|年|学期|亩|株|户|台|套|次|人次|平方米|公里|小时|周|栋))(?=\s?(?:\d|[零一二两三四五六七八九十]))",
            rf"(?P<arabic>{_ARABIC})",
            rf"(?P<cn>{_CN_NUM})",
        ]
    ) + ")"
)

# The unit spellings by first character, longest first: the spelling a text continues with is
# the longest of its first character's that it starts with (one dict look-up instead of a regex
# alternation of every spelling).
_UNITS_BY_FIRST: dict[str, tuple[str, ...]] = {}
for _u in KNOWN_UNIT_SPELLINGS:  # longest first
    _UNITS_BY_FIRST[_u[0]] = (*_UNITS_BY_FIRST.get(_u[0], ()), _u)
del _u
_ASCII_LETTER_RE = re.compile(r"[A-Za-z]")
_SLASH_UNIT_RE = re.compile(UNIT_TAIL_PATTERN)
_MAGNITUDES: tuple[tuple[str, float], ...] = (
    ("百万", 1e6), ("千万", 1e7), ("万", 1e4), ("亿", 1e8), ("千", 1e3),
)
_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# Units after which a Chinese numeral is not a quantity ("十分重要").
_CN_BAD_UNITS = frozenset({"分", "度", "方", "级", "t", "g", "m", "L"})
# A one-character unit that is really the start of a word: "两部分", "3项目", "一次性".
_UNIT_WORDS = frozenset(
    """部分 部门 部署 项目 条件 条例 台账 处理 处置 期间 期限 期末 家庭 个性 个别 门户 门槛 次性 份额 名单 名称
    户籍 场所 所需 所有 所在 本级 本年 本次 本着 组织 组长 组成 位置 件事 块钱 批准 批复 起来 起步 种类
    口径 头部 间隔 层级 层面 届时 期望 笔记 性质""".split()
)
_QUOTE_PAIRS = {"“": "”", "《": "》", "「": "」", "〈": "〉", '"': '"'}
_QUOTE_OPENER = re.compile("[" + "".join(_QUOTE_PAIRS) + "]")


def _quoted_ranges(text: str) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    if not _QUOTE_OPENER.search(text):
        return ranges
    i, n = 0, len(text)
    while i < n:
        close = _QUOTE_PAIRS.get(text[i])
        if close:
            j = text.find(close, i + 1)
            if j != -1 and j - i < 200:
                ranges.append((i, j))
                i = j + 1
                continue
        i += 1
    return ranges


def _in_ranges(ranges: list[tuple[int, int]], pos: int) -> bool:
    if not ranges:
        return False
    k = bisect.bisect_right(ranges, (pos, 1 << 30)) - 1
    return k >= 0 and ranges[k][0] < pos < ranges[k][1]


def _match_unit(t: str, pos: int) -> tuple[str | None, int]:
    """The unit spelled at t[pos:] (one optional space before it) and where it ends."""
    p = pos + 1 if pos < len(t) and t[pos] == " " else pos
    if p >= len(t):
        return None, pos
    for u in _UNITS_BY_FIRST.get(t[p], ()):  # a loop, not next(genexpr): this runs for every number
        if t.startswith(u, p):
            break
    else:
        return None, pos
    end = p + len(u)
    if u[0].isascii() and u[0].isalpha():  # "m", "kg": attached, and not the start of a word
        if p > pos or _ASCII_LETTER_RE.match(t, end):
            return None, pos
    return u, end


def _tail_unit(tail: str) -> str:
    """"/人" → "人", "/每年" → "年", "/人·次" → "人次": the canonical part after a slash."""
    part = tail[1:]
    if len(part) > 1 and part[0] == "每":
        part = part[1:]
    return normalize_unit(part)


def _scan(text: str, *, bare_magnitude_money: bool = False) -> list[NumberSpan]:
    t = fold(text)
    quotes = _quoted_ranges(t)
    spans: list[NumberSpan] = []
    pos, n = 0, len(t)
    per: tuple[int, str, int] | None = None  # pending 每X prefix: (start, X, end)
    while pos < n:
        m = _MASTER_RE.search(t, pos)
        if not m:
            break
        kind = m.lastgroup
        start, end = m.start(), m.end()
        if per is not None and start not in (per[2], per[2] + 1):
            per = None
        if kind in ("docno", "phone", "ordinal", "marker"):
            pos = end
            continue
        if kind == "per":
            per = (start, m.group()[1:], end)
            pos = end
            continue
        quoted = _in_ranges(quotes, start)
        if kind == "yrange":
            y1, y2 = int(m.group("yr1")), int(m.group("yr2"))
            spans.append(NumberSpan(float(y1), "年", start, start + 4, text[start:start + 4], "date", quoted, y1))
            s2 = m.start("yr2")
            spans.append(NumberSpan(float(y2), "年", s2, end, text[s2:end], "date", quoted, y2))
            pos = end
            continue
        if kind == "cndate":
            y = int(m.group("y"))
            month = int(m.group("m")) if m.group("m") else None
            day = int(m.group("d")) if m.group("d") else None
            if m.group("q"):
                month = _QUARTER[m.group("q")] * 3
            elif m.group("half"):
                month = 6 if m.group("half") == "上" else 12
            if m.group("m2"):
                month = int(m.group("m2"))  # "1-12月": the span ends in December
            spans.append(NumberSpan(float(y), "年", start, end, text[start:end], "date", quoted, y, month, day))
            pos = end
            continue
        if kind == "numdate":
            after_unit, _ = _match_unit(t, end)
            if m.group("sep") == "." and m.group("nd") is None and after_unit:
                kind = "arabic"  # "2021.12万元" is an amount, not December 2021
            else:
                y = int(m.group("ny"))
                d = int(m.group("nd")) if m.group("nd") else None
                mo = int(m.group("nm"))
                spans.append(NumberSpan(float(y), "年", start, end, text[start:end], "date", quoted, y, mo, d))
                pos = end
                continue
        if kind == "mdate":
            mo = int(m.group("mo2") or m.group("mo"))
            d = int(m.group("md")) if m.group("md") else None
            if m.group("mo2"):  # "1-12月": report both months
                mo1 = int(m.group("mo"))
                e1 = m.end("mo")
                spans.append(NumberSpan(float(mo1), "月", start, e1, text[start:e1], "date", quoted, None, mo1))
                s2 = m.start("mo2")
                spans.append(NumberSpan(float(mo), "月", s2, end, text[s2:end], "date", quoted, None, mo, d))
            else:
                spans.append(NumberSpan(float(mo), "月", start, end, text[start:end], "date", quoted, None, mo, d))
            pos = end
            continue
        if kind == "quarter":
            q = _QUARTER[m.group("qq") or m.group("qc")]
            spans.append(NumberSpan(float(q), "季度", start, end, text[start:end], "date", quoted, None, q * 3))
            pos = end
            continue
        if kind == "cnpct":
            v = parse_chinese_numeral(m.group("pct"))
            if v is not None:
                spans.append(NumberSpan(v, "%", start, end, text[start:end], "quantity", quoted))
            pos = end
            continue

        # ---- a plain number: Arabic or Chinese, then magnitude and unit
        num_text = m.group()
        if kind == "numdate":  # demoted above
            num_text = m.group("ny") + "." + m.group("nm")
        is_cn = kind == "cn"
        if is_cn:
            if quoted:  # “四好农村路”, “三个一号”: names, not quantities
                pos = end
                continue
            value = parse_chinese_numeral(num_text)
        else:
            if len(num_text) >= 3 and num_text[0] == "0" and "." not in num_text:
                pos = end  # codes: 060001
                continue
            try:
                value = float(num_text.replace(",", ""))
            except ValueError:
                value = None
        if value is None:
            pos = end
            continue

        unit_raw, uend = _match_unit(t, end)
        if is_cn:
            if len(num_text) > 1 and num_text[-1] in "万亿":
                # "五万元": the magnitude belongs to the money unit
                if unit_raw == "元" or (unit_raw is None and bare_magnitude_money):
                    value = parse_chinese_numeral(num_text[:-1]) or 0.0
                    unit_raw, uend = num_text[-1] + "元", max(uend, end)
        elif unit_raw is None:
            for mag, factor in _MAGNITUDES:
                if t.startswith(mag, end):
                    u2, e2 = _match_unit(t, end + len(mag))
                    if u2 is not None and normalize_unit(u2) not in MONEY_UNITS:
                        value *= factor  # "7.5万名" = 75000 名
                        unit_raw, uend = u2, e2
                    elif u2 is None and mag in ("万", "亿"):
                        if bare_magnitude_money:  # "854万" in a money field
                            unit_raw, uend = mag + "元", end + len(mag)
                        else:
                            value *= factor
                            uend = end + len(mag)
                    break
        unit: str | None = None
        if unit_raw is not None and len(unit_raw) == 1 and t[uend - 1:uend + 1] in _UNIT_WORDS:
            if is_cn:
                pos = uend  # "两部分", "三项目"
                continue
            unit_raw, uend = None, end  # "3项目": a number before a word, not a unit
        if unit_raw is not None:
            if t.startswith("性", uend) or (is_cn and unit_raw in _CN_BAD_UNITS):
                pos = uend  # "一次性", "十分重要"
                continue
            if is_cn and num_text == "一" and t.startswith("一", uend):
                pos = uend  # idioms: 一人一档, 一村一品
                continue
            unit = normalize_unit(unit_raw)
            # compound units: 元/人/天, 株/栋
            for _ in range(2):
                sm = _SLASH_UNIT_RE.match(t, uend)
                if not sm:
                    break
                unit = unit + "/" + _tail_unit(sm.group())
                uend = sm.end()
        elif is_cn:
            pos = end  # a Chinese numeral without a unit is a word: "一网通办", "四险一金"
            continue
        else:
            sm = _SLASH_UNIT_RE.match(t, end)  # "28.40/株": price per 株, money implied
            if sm:
                unit = "/" + _tail_unit(sm.group())
                uend = sm.end()
            else:
                uend = max(uend, end)
        span_start = start
        if per is not None and per[1] == "月" and unit == "日" and value.is_integer() and 1 <= value <= 31:
            # "每月20日": a day of every month, not 20 days per month
            spans.append(NumberSpan(value, "日", per[0], uend, text[per[0]:uend], "date", quoted, day=int(value)))
            per = None
            pos = uend
            continue
        if per is not None and unit and "/" not in unit:
            unit = f"{unit}/{normalize_unit(per[1])}"
            span_start = per[0]
        per = None
        spans.append(NumberSpan(value, unit, span_start, uend, text[span_start:uend], "quantity", quoted))
        pos = uend
    return spans


def find_numbers(text: str) -> list[NumberSpan]:
    """Numbers in free Chinese text, each with the unit that follows it.

    Arabic and Chinese numerals ("加高密集架60组", "柜机两台挂机一台", "6亿元",
    "0.15%", "1.03万元/人"); "每天140元" gives 140 with unit "元/天". Magnitudes
    before a non-money unit are applied ("7.5万名" → 75000 名); a bare "854万" is
    8540000 without unit. Dates come back with kind "date" ("每月20日" too: a day of
    every month); document numbers, phone numbers, codes, list markers and figures
    written onto Latin letters ("PM2.5", "COD") are skipped. Chinese numerals count only
    when a unit follows them and they are not inside quotes (“四好农村路”).
    """
    if not text:
        return []
    return list(_scan_cached(text, False))


@lru_cache(maxsize=4096)
def _scan_cached(text: str, bare_magnitude_money: bool) -> tuple[NumberSpan, ...]:
    """_scan, remembered: checks read the same narrative many times, and spans are immutable."""
    return tuple(_scan(text, bare_magnitude_money=bare_magnitude_money))


# ------------------------------------------------------------------ money amounts


def parse_amount(s: str, default_unit: str = "万元") -> Amount | None:
    """The first money amount in `s`, normalised to 万元 in `wan`.

    "164万元" → 164 万元; "854万" → 854 万元; "5950元" → 0.595 万元; "49.50" → 49.5
    in `default_unit`; "3万元以内" → 3 万元. A number with a non-money unit
    ("30%", "595元/个") is not an amount; None when there is none. `raw` is the
    matched text ("3万元").
    """
    if not s:
        return None
    default = normalize_unit(default_unit)
    if default not in MONEY_UNITS:
        raise ValueError(f"default_unit must be a money unit, not {default_unit!r}")
    found = _amount_cached(s, default)
    return copy_model(found) if found is not None else None


@lru_cache(maxsize=4096)
def _amount_cached(s: str, default: str) -> Amount | None:
    unitless: NumberSpan | None = None
    for span in _scan_cached(s, True):
        if span.kind != "quantity":
            continue
        if span.unit in MONEY_UNITS:
            factor = wan_factor(span.unit) or 1.0
            return Amount(raw=span.raw, value=span.value, unit=span.unit, wan=round(span.value * factor, 10))
        if span.unit is None and unitless is None:
            unitless = span
    if unitless is None:
        return None
    factor = wan_factor(default) or 1.0
    return Amount(raw=unitless.raw, value=unitless.value, unit=default, wan=round(unitless.value * factor, 10))
