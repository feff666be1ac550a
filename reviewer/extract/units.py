"""Units of measure (计量单位): canonical spellings and families.

`normalize_unit` maps the many ways a unit is written ("平方米", "m2", "㎡",
"百分比", "％", "个工作日", traditional "萬元") to one canonical form;
`unit_family` tells what kind of quantity a unit measures, which the checks use
to compare an indicator's value with its name or with a narrative number.
Compound units keep their parts, a middle dot included ("元/生·天"); environmental
limits ("微克/立方米", "mg/L") form the family "concentration".

The tables below are data: add a spelling to `_ALIASES` (or a canonical unit to
one of the family sets) and every parser picks it up.
"""

from __future__ import annotations

import re
from functools import lru_cache

# ------------------------------------------------------------------ character folding

# Full-width ASCII (０-９, Ａ-Ｚ, ％, ／ …) and the traditional characters that occur
# in units and numerals, mapped one character to one character so that offsets in
# the folded text equal offsets in the original.
_FOLD_PAIRS: dict[str, str] = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
_FOLD_PAIRS.update(
    {
        "\u3000": " ",
        "\u00a0": " ",
        "，": "，",  # keep the Chinese comma: "100，200" is two numbers, not 100200
        "萬": "万",
        "億": "亿",
        "兩": "两",
        "點": "点",
        "個": "个",
        "臺": "台",
        "項": "项",
        "條": "条",
        "處": "处",
        "場": "场",
        "輛": "辆",
        "門": "门",
        "冊": "册",
        "組": "组",
        "戶": "户",
        "畝": "亩",
        "噸": "吨",
        "裡": "里",
        "時": "时",
        "鐘": "钟",
        "間": "间",
        "張": "张",
        "塊": "块",
        "棟": "栋",
        "頭": "头",
        "筆": "笔",
        "輪": "轮",
        "屆": "届",
        "種": "种",
        "類": "类",
        "積": "积",
        "錢": "钱",
        "層": "层",
        "課": "课",
        "節": "节",
        "檔": "档",
        "對": "对",
        "雙": "双",
        "樁": "桩",
        "圓": "元",
        "週": "周",
        "歲": "岁",
        # the middle dot of compound units ("元/人·天") as typed in various fonts
        "•": "·",
        "・": "·",
        "‧": "·",
        "∙": "·",
        "⋅": "·",
        "µ": "μ",  # micro sign → Greek mu
    }
)
_FOLDED = {k: v for k, v in _FOLD_PAIRS.items() if k != v}
# str.translate with a dict looks up (and misses, raising KeyError inside) every character of
# the text; a character class finds the few characters to fold at C speed.
_FOLD_RE = re.compile("[" + "".join(map(re.escape, _FOLDED)) + "]")
_fold_char = _FOLDED.__getitem__


def fold(text: str) -> str:
    """Full-width → ASCII and traditional → simplified for unit/numeral characters.

    Keeps the length (one character in, one out), so spans found in the folded
    text point at the same characters in the original.
    """
    if _FOLD_RE.search(text) is None:
        return text
    return _FOLD_RE.sub(lambda m: _fold_char(m.group()), text)


# ------------------------------------------------------------------ canonical units by family

PERCENT_UNITS: frozenset[str] = frozenset({"%", "‰", "百分点"})
"""Rates and shares. "百分比"/"％" normalise to "%"; "个百分点" to "百分点"."""

COUNT_UNITS: frozenset[str] = frozenset(
    """个 台 套 组 人 人次 名 家 只 株 户 户次 座 项 项次 次 批 批次 门 门次 册 份 辆 条 处 所 场 场次 期
    篇 本 张 块 件 件次 间 栋 幢 棵 头 口 眼 位 床 把 盏 根 部 支 艘 架 盒 袋 箱 卷 种 类 例 宗 起 笔
    轮 届 村 镇 课时 学时 节 班 扇 层 对 双 副 颗 粒 匹 羽 尾 桩 孔 页 卷宗 盘 片 枚 顶 台套 台次 车次 人日""".split()
)
"""Counted items (measure words). A value in these is a quantity of things."""

MONEY_UNITS: frozenset[str] = frozenset({"元", "千元", "万元", "百万元", "千万元", "亿元"})
"""Money. `WAN_PER_UNIT` gives the factor to 万元."""

WAN_PER_UNIT: dict[str, float] = {
    "元": 0.0001,
    "千元": 0.1,
    "万元": 1.0,
    "百万元": 100.0,
    "千万元": 1000.0,
    "亿元": 10000.0,
}

DURATION_UNITS: frozenset[str] = frozenset(
    {"秒", "分钟", "小时", "天", "日", "工作日", "周", "月", "季度", "年", "学期"}
)
"""Lengths of time ("≤10个工作日", "20年"). "年"/"月" in a date are reported as dates, not here."""

AREA_UNITS: frozenset[str] = frozenset({"㎡", "亩", "公顷", "平方公里"})
LENGTH_UNITS: frozenset[str] = frozenset({"米", "公里", "厘米", "毫米"})
WEIGHT_UNITS: frozenset[str] = frozenset({"微克", "毫克", "克", "公斤", "斤", "吨"})
CONCENTRATION_UNITS: frozenset[str] = frozenset(
    {"微克/立方米", "毫克/立方米", "毫克/升", "微克/升", "毫克/千克"}
)
"""Environmental limits ("PM2.5浓度≤35微克/立方米", "COD≤50mg/L")."""
DATE_UNITS: frozenset[str] = frozenset({"日期", "年月日", "年月", "时间点"})
"""Column headers or units that announce a date value rather than a quantity."""

OTHER_UNITS: frozenset[str] = frozenset(
    {"立方米", "升", "千瓦", "千瓦时", "度", "倍", "分", "级", "星", "岁", "分贝", "pH"}
)
"""Known units outside the families above (volume, energy, scores, multiples …)."""

_FAMILY_OF: dict[str, str] = {}
for _family, _units in (
    ("percent", PERCENT_UNITS),
    ("count", COUNT_UNITS),
    ("money", MONEY_UNITS),
    ("duration", DURATION_UNITS),
    ("area", AREA_UNITS),
    ("length", LENGTH_UNITS),
    ("weight", WEIGHT_UNITS),
    ("concentration", CONCENTRATION_UNITS),
    ("date", DATE_UNITS),
    ("other", OTHER_UNITS),
):
    for _u in _units:
        _FAMILY_OF[_u] = _family

FAMILIES: tuple[str, ...] = (
    "percent", "count", "money", "unit_cost", "duration", "area", "length", "weight", "concentration", "date",
    "other",
)

# ------------------------------------------------------------------ spellings → canonical

_ALIASES: dict[str, str] = {
    # percent
    "％": "%", "百分比": "%", "百分率": "%", "个百分点": "百分点", "千分比": "‰",
    # area
    "平方米": "㎡", "平米": "㎡", "m2": "㎡", "m²": "㎡", "M2": "㎡", "平方": "㎡",
    "平方千米": "平方公里", "km2": "平方公里", "km²": "平方公里", "hm2": "公顷", "ha": "公顷",
    # length
    "km": "公里", "KM": "公里", "Km": "公里", "千米": "公里", "m": "米", "延米": "米", "cm": "厘米",
    "mm": "毫米",
    # weight
    "kg": "公斤", "KG": "公斤", "Kg": "公斤", "千克": "公斤", "t": "吨", "g": "克", "mg": "毫克", "μg": "微克",
    # concentration, noise, acidity
    "mg/L": "毫克/升", "mg/l": "毫克/升", "MG/L": "毫克/升", "μg/L": "微克/升", "ug/L": "微克/升",
    "μg/m³": "微克/立方米", "μg/m3": "微克/立方米", "ug/m³": "微克/立方米", "ug/m3": "微克/立方米",
    "mg/m³": "毫克/立方米", "mg/m3": "毫克/立方米", "毫克/立方": "毫克/立方米", "微克/立方": "微克/立方米",
    "mg/kg": "毫克/千克", "毫克/公斤": "毫克/千克",
    "dB": "分贝", "DB": "分贝", "dBA": "分贝", "PH": "pH", "pH值": "pH",
    # volume / energy
    "m3": "立方米", "m³": "立方米", "立方": "立方米", "L": "升", "kw": "千瓦", "kW": "千瓦", "KW": "千瓦",
    "kwh": "千瓦时", "kWh": "千瓦时",
    # durations
    "个工作日": "工作日", "个月": "月", "个小时": "小时", "钟头": "小时",
    "个季度": "季度", "周年": "年", "星期": "周", "个星期": "周", "分钟内": "分钟",
    # counts written oddly
    "人/次": "人次", "人·次": "人次", "次/人": "人次", "户/次": "户次", "件/次": "件次",
    "万元人民币": "万元", "元人民币": "元", "人民币元": "元",
    "元钱": "元",
}

_PIECE_RE = re.compile(r"\s+")
_SLASH_RE = re.compile(r"\s*[/／]\s*")


@lru_cache(maxsize=4096)
def normalize_unit(u: str) -> str:
    """Canonical spelling of a unit; unknown units come back folded and stripped.

    Compound units keep their parts: "元/人/天", "万元/月", "元/亩"; "人/次" is the
    common spelling of 人次 and becomes "人次". A bare "/株" (money per 株 implied)
    is kept as written.
    """
    s = _PIECE_RE.sub("", fold(u or "")).strip("()（）[]【】")
    if not s:
        return ""
    if s in _ALIASES:
        return _ALIASES[s]
    if s in _FAMILY_OF:
        return s
    if "/" in s:
        parts = _SLASH_RE.split(s)
        # "次/每年" → "次/年"; "元/人·次" → "元/人次" (人·次 is the dotted spelling of 人次)
        parts = parts[:1] + [p[1:] if len(p) > 1 and p[0] == "每" else p for p in parts[1:]]
        return "/".join(_ALIASES.get(p, p) if p else "" for p in parts)
    if s[0] in "万亿" and len(s) > 1:  # "万平方米" → "万㎡", "万人次" kept
        rest = normalize_unit(s[1:])
        if rest in _FAMILY_OF and rest not in MONEY_UNITS:
            return s[0] + rest
    return s


@lru_cache(maxsize=4096)
def unit_family(u: str) -> str:
    """One of FAMILIES for a unit as written (normalised first).

    "unit_cost" is money per something ("元/个", "万元/人", "元/人/天") and a
    bare "/株" after a price. "万人", "万亩" take the family of their base unit.
    """
    s = normalize_unit(u)
    if not s:
        return "other"
    if s in _FAMILY_OF:
        return _FAMILY_OF[s]
    if "/" in s:
        head = s.split("/", 1)[0]
        if not head or _FAMILY_OF.get(head) == "money":
            return "unit_cost"
        return "other"
    if s[0] in "万亿" and len(s) > 1:  # "万人", "万亩", "亿人次"
        return unit_family(s[1:])
    return "other"


def wan_factor(u: str) -> float | None:
    """Multiplier from a money unit to 万元 ("元" → 0.0001), or None if not money."""
    return WAN_PER_UNIT.get(normalize_unit(u))


# Every spelling a parser should recognise after a number, longest first so that
# "个工作日" wins over "个" and "万元" over "万".
KNOWN_UNIT_SPELLINGS: tuple[str, ...] = tuple(
    sorted(
        set(_ALIASES) | set(_FAMILY_OF),
        key=len,
        reverse=True,
    )
)

_ANY_UNIT = "(?:" + "|".join(re.escape(u) for u in KNOWN_UNIT_SPELLINGS) + r"|[\u4e00-\u9fff])"
UNIT_TAIL_PATTERN = rf"/每?{_ANY_UNIT}(?:·{_ANY_UNIT})?"
"""The "/X" part of a compound unit in folded text: "/人", "/每年", "/生·天", "/吨·公里"."""
