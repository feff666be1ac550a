"""incomplete_text: values, names and sentences that stop in the middle."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from reviewer.checks.common import (
    NAME_MEMO,
    TEXT_MEMO,
    indicator_evidence,
    in_words,
    indicator_label,
    lexicon,
    longest_suffix,
    plain_text,
)
from reviewer.checks.registry import Rule, register
from reviewer.extract.units import normalize_unit, unit_family
from reviewer.models import Finding, Indicator, Table

LEX = "indicator_lexicon"
_FINAL = tuple("。！？!?；;…」』）)”\"'》】]%％")
_OPEN_END = tuple("，,、：:（(“《【[")
_DISPOSAL = re.compile(r"(?<![即必终也还都就])(?:将|把)([\u4e00-\u9fff]{1,8})$")
_DONE_VERBS = re.compile(r"(完成|实现|达到|提高|提升|支付|发放|结束|开展|实施|落实|到位|建成|完毕|办结|"
                         r"解决|改善|纳入|列入|执行|移交|收回|上缴|公示|公开|启动|推进|办理|处理)$")
_CJK_END = re.compile(r"[\u4e00-\u9fff]$")
_OPENERS = {"（": "paren", "(": "paren", "《": "book", "“": "quote", "【": "square", "[": "square", "‘": "single"}
_CLOSERS = {"）": "paren", ")": "paren", "》": "book", "”": "quote", "】": "square", "]": "square", "’": "single"}
_BRACKET = re.compile("[" + "".join(map(re.escape, sorted({*_OPENERS, *_CLOSERS}))) + "]")


def cut_reason(text: str, *, sentence_field: bool = False) -> str | None:
    """Why `text` looks cut off mid-phrase, or None when it ends cleanly."""
    return _cut_reason(text, sentence_field)


@lru_cache(maxsize=TEXT_MEMO)
def _cut_reason(text: str, sentence_field: bool) -> str | None:
    t = text.strip()
    if len(t) < 2 or t.endswith(_FINAL):
        return None
    if t.endswith(_OPEN_END):
        return f"以“{t[-1]}”结尾"
    if not _CJK_END.search(t):
        return None
    if not in_words(t[-2:], LEX, "dangling_exceptions"):
        w = longest_suffix(t, LEX, "dangling_endings")
        if w is not None:
            return f"以“{w}”结尾，句子不完整"
    heads = lexicon(LEX).get("cut_word_heads", {}) or {}
    last = t[-1]
    if last in heads and t[-2:] not in heads[last] and _CJK_END.search(t[:-1]):
        return f"以“{t[-2:]}”结尾，词语不完整"
    if sentence_field:
        clause = re.split(r"[，,；;。：:]", t)[-1]
        m = _DISPOSAL.search(clause)
        if m and not _DONE_VERBS.search(m.group(1)):
            return f"“{clause[m.start():]}”后缺少谓语"
    return None


@lru_cache(maxsize=TEXT_MEMO)
def _unbalanced(text: str) -> str | None:
    """The first bracket or quote left open or closed without a partner, with its context."""
    stack: list[tuple[str, int]] = []
    for m in _BRACKET.finditer(text):  # the brackets and quotes alone, in order
        i, ch = m.start(), m.group()
        if ch in _OPENERS:
            stack.append((_OPENERS[ch], i))
        elif ch in _CLOSERS:
            if stack and stack[-1][0] == _CLOSERS[ch]:
                stack.pop()
            else:
                return f"多出“{ch}”: {_around(text, i)}"
    if stack:
        i = stack[0][1]
        return f"“{text[i]}”未闭合: {_around(text, i)}"
    return None


def _around(text: str, i: int, pad: int = 12) -> str:
    a, b = max(0, i - pad), min(len(text), i + pad + 1)
    return ("…" if a else "") + text[a:b] + ("…" if b < len(text) else "")


_COMPARATOR_ONLY = re.compile(r"=|＝|≥|≧|>=|≤|≦|<=|>|<|大于|小于|不低于|不高于|不少于|不超过|以上|以下|以内")


def missing_value(ind: Indicator) -> str | None:
    """What stands where the target value should be, when no value was written: "（空）", "≥", "≥%"."""
    if ind.target.date is not None:
        return None
    return _missing_value(ind.target.raw, ind.unit_column, ind.direction, ind.nature)


@lru_cache(maxsize=NAME_MEMO)
def _missing_value(raw: str, unit_column: str | None, direction: str | None, nature: str | None) -> str | None:
    raw = plain_text(raw)
    if re.search(r"\d", raw + (unit_column or "")):
        return None
    rest = _COMPARATOR_ONLY.sub("", re.sub(r"\s+", "", raw))
    is_unit = rest in {"%", "％"} or unit_family(normalize_unit(rest)) not in {"", "other"}
    if rest and not is_unit:
        return None  # words, not a bare comparator or unit
    shown = raw or next((x for x in (direction, nature) if x and _COMPARATOR_ONLY.fullmatch(x.strip())), "")
    return shown or "（空）"


def _texts(table: Table) -> Iterator[tuple[str, str, Indicator | None, bool]]:
    """(field, text, indicator, is_sentence_field) for names, targets and narrative fields."""
    name = table.header.get("项目名称")
    if name:
        yield "项目名称", plain_text(name.text), None, False
    for field, f in table.narrative.items():
        yield f.name or field, plain_text(f.text), None, True  # the field as printed
    for ind in table.indicators:
        if ind.level3:
            yield "三级指标", plain_text(ind.level3), ind, False
        if ind.target.kind in {"text", "qualitative"}:
            yield "指标值", plain_text(ind.target.raw), ind, True


@register
class TextCutOff(Rule):
    """A value, name or sentence that stops in the middle.

    What it checks: a target value, 三级 name, 项目名称 or narrative field that ends without final
    punctuation on something that cannot end a phrase: a comma or 、, a function word (的, 和,
    与, 将, 对 …), half of a compound ("…签订的责任目"), or a 将/把 phrase with no verb after it
    ("…将逾期贷款"); and a 三级 indicator whose 指标值 stops before it starts: empty, or only a
    comparator or unit ("≥", "≥%"; a comparator in a 指标性质/指标方向 column does not fill it).
    Word lists are data (reviewer/data/indicator_lexicon.yaml).
    Why: shared/spec/domain.md and the findings contract (incomplete_text: "完成与示范区管委会签订的
    责任目"); a cut-off target cannot be assessed and shows the table was not checked before filing.
    Bad: 数量指标 — 完成与示范区管委会签订的责任目; 年度绩效目标 "…将逾期贷款"; 健身群众满意度 — ≥ (no value).
    Good: 完成与示范区管委会签订的责任目标任务 = 100%.
    """

    code = "IQ1201"
    name = "text-cut-off"
    category = "incomplete_text"
    severity = "warning"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        for ind in table.indicators:
            shown = missing_value(ind) if (ind.level3 or "").strip() else None
            if shown is not None:
                only = "" if shown == "（空）" else f"只有“{shown}”，"
                yield self.finding(
                    f"“{indicator_label(ind)}”{only}没有填写指标值。",
                    evidence=indicator_evidence(ind) + (f"; 指标性质: {ind.nature}" if ind.nature else ""),
                    indicator=ind,
                    fix="填写完整的指标值：比较符、数值和单位（如“≥ 90%”），或删去该指标。",
                )
        for field, text, ind, sentence in self.ctx.memo(("incomplete-texts", id(table)), lambda: list(_texts(table))):
            reason = _cut_reason(text, sentence)  # = cut_reason(text, sentence_field=sentence)
            if not reason:
                continue
            what = f"“{indicator_label(ind)}”的{field}" if ind is not None and field == "指标值" else field
            tail = text if len(text) <= 30 else "…" + text[-29:]
            shown = text if len(text) <= 20 else "…" + text[-19:]
            yield self.finding(
                f"{what}末尾“{shown}”{reason}，内容没有写完。",
                evidence=indicator_evidence(ind) if ind is not None else f"{field}: {tail}",
                indicator=ind, location=None if ind is not None else field,
                fix="补全被截断的文字；指标值应写成“比较符 + 数值 + 单位”的完整表述。"
                if ind is not None else f"补全{field}最后一句，并核对原文是否在导出时被截断。",
            )


@register
class UnbalancedBrackets(Rule):
    """Brackets or quotes opened and never closed (or closed and never opened).

    What it checks: （）, ()、《》, “”, 【】 and [] that do not pair up within one field, target
    or name — often the sign of text cut off when it was pasted or exported.
    Why: the findings contract's incomplete_text covers "text or a value that stops in the
    middle"; an unclosed 《 or （ usually marks a citation or note that was cut.
    Bad: 立项依据 "根据《关于调整市直机关驻村干部驻村补助标准的通知（济财[2019]5号文件要求".
    Good: 根据《关于调整市直机关驻村干部驻村补助标准的通知》（济财〔2019〕5号）文件要求.
    """

    code = "IQ1202"
    name = "unbalanced-brackets"
    category = "incomplete_text"
    severity = "info"
    kinds = ("project", "department")

    def check(self, table: Table) -> Iterable[Finding]:
        for field, text, ind, _ in self.ctx.memo(("incomplete-texts", id(table)), lambda: list(_texts(table))):
            problem = _unbalanced(text)
            if not problem:
                continue
            what = f"“{indicator_label(ind)}”的{field}" if ind is not None and field == "指标值" else field
            yield self.finding(
                f"{what}中括号或引号不配对（{problem.split(':')[0]}）。",
                evidence=(indicator_evidence(ind) + f"; {problem}") if ind is not None else f"{field}: {problem}",
                indicator=ind, location=None if ind is not None else field,
                fix="补上缺少的括号或引号，并检查该处文字是否被截断。",
            )
