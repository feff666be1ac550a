"""Indicator frameworks and the common-indicator library (data in reviewer/data/taxonomy.yaml).

Answers the questions the table builder and the rules ask: is this printed name a 一级 or a
二级 of a framework, which 一级 does a 二级 belong to, which 二级 does a 三级 look like, and
which framework does a table use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib.resources import files

from reviewer.yamlio import load_yaml

_SUFFIX = re.compile(r"(指标|目标)$")
# "一、产出指标", "（一）数量指标", "1.质量指标": the outline number is not part of the name
_NOTE = re.compile(r"[(（][^()（）]{0,8}[)）]$")
_OUTLINE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[、.．](?!\d))")
_SPACE = re.compile(r"[\s\u3000*＊★]+")


@lru_cache(maxsize=1 << 16)
def clean_name(name: str | None) -> str:
    """Strip spaces, stars and full-width marks from a printed level name."""
    return _SPACE.sub("", name or "").strip("：:")


@dataclass(frozen=True)
class Framework:
    name: str
    title: str
    levels: dict[str, tuple[str, ...]]  # 一级 → its 二级 (canonical)
    required: tuple[str, ...]  # "一级>二级" or "一级>*" (at least one 二级 with indicators)

    def parent_of(self, level2: str) -> str | None:
        return self.parents.get(level2)

    @cached_property
    def parents(self) -> dict[str, str]:
        """二级 → its 一级 (the first 一级 listing it)."""
        parents: dict[str, str] = {}
        for l1, l2s in self.levels.items():
            for l2 in l2s:
                parents.setdefault(l2, l1)
        return parents


@dataclass
class Taxonomy:
    frameworks: dict[str, Framework]
    aliases: dict[str, str]  # printed (cleaned) → canonical
    keywords: list[tuple[str, str]] = field(default_factory=list)  # (keyword, 二级), longest first
    _canonical_cache: dict = field(default_factory=dict, repr=False)

    def canonical(self, name: str | None) -> str:
        """Canonical level name: "产出指标" → "产出", "数量指标" → "数量"; unknown names cleaned."""
        found = self._canonical_cache.get(name)
        if found is None:
            found = self._canonical_cache[name] = self._canonical(name)
        return found

    def _canonical(self, name: str | None) -> str:
        n = clean_name(name)
        if n not in self.aliases and _OUTLINE.match(n):
            n = _OUTLINE.sub("", n)
        if n not in self.aliases and _NOTE.search(n):
            n = _NOTE.sub("", n)  # "数量指标(必填)"
        if n in self.aliases:
            return self.aliases[n]
        stripped = _SUFFIX.sub("", n)
        return self.aliases.get(stripped, stripped if stripped in self._known else n)

    @property
    def _known(self) -> set[str]:
        return _known_names(self)

    def known_names(self) -> set[str]:
        """Every canonical 一级 and 二级 name of every framework."""
        return _known_names(self)

    def is_level1(self, name: str | None, framework: str) -> bool:
        return self.canonical(name) in self.frameworks[framework].levels

    def is_level2(self, name: str | None, framework: str) -> bool:
        return self.canonical(name) in self.frameworks[framework].parents

    def level2_of(self, level3: str | None) -> str | None:
        """The 二级 a 三级 name most looks like (longest keyword match), or None."""
        text = clean_name(level3)
        for kw, l2 in self.keywords:
            if kw in text:
                return l2
        return None

    def affinity(self, level3: str | None, level2: str | None) -> int:
        """Length of the longest keyword of `level2` found in `level3` (0: no evidence)."""
        text, target = clean_name(level3), self.canonical(level2)
        equivalents = _EQUIVALENT.get(target, {target})
        return max((len(kw) for kw, l2 in self.keywords if l2 in equivalents and kw in text), default=0)

    def detect_framework(self, level1_names: list[str], level2_names: list[str], department: bool = False) -> str:
        """Pick the framework whose names best cover what the table prints.

        The department-wide framework is a candidate only for department tables, where it is
        preferred when its own names appear.
        """
        l1 = {self.canonical(n) for n in level1_names if n}
        # callers often pass one list of names for both levels
        l2 = l1 if level2_names is level1_names else {self.canonical(n) for n in level2_names if n}
        best, best_score = "older", -1.0
        for name, fw in self.frameworks.items():
            fw_l1, fw_l2 = fw.levels.keys(), fw.parents.keys()
            score = 2 * len(l1 & fw_l1) + len(l2 & fw_l2) - 0.5 * len(l1 - fw_l1)
            if name == "central2021" and not l2 & {"经济成本", "社会成本", "生态环境成本"}:
                continue  # 成本 as 一级, with its own 二级, is what sets the 2021 framework apart
            if name == "department":
                if not department:
                    continue
                score += 3
            if score > best_score:
                best, best_score = name, score
        return best


_EQUIVALENT = {
    "生态效益": {"生态效益", "环境效益"},
    "环境效益": {"生态效益", "环境效益"},
    "满意度": {"满意度", "服务对象满意度"},
    "服务对象满意度": {"满意度", "服务对象满意度"},
    "可持续影响": {"可持续影响", "长效管理"},
    "长效管理": {"可持续影响", "长效管理"},
}


@cache
def _known_names(tax: Taxonomy) -> set[str]:
    out = set()
    for fw in tax.frameworks.values():
        out.update(fw.levels)
        for l2s in fw.levels.values():
            out.update(l2s)
    return out


Taxonomy.__hash__ = object.__hash__  # type: ignore[assignment]  # identity: one instance per process


@cache
def load_taxonomy() -> Taxonomy:
    data = load_yaml(files("reviewer.data").joinpath("taxonomy.yaml").read_text(encoding="utf-8"))
    frameworks = {
        name: Framework(
            name=name,
            title=spec["title"],
            levels={k: tuple(v) for k, v in spec["levels"].items()},
            required=tuple(spec.get("required", ())),
        )
        for name, spec in data["frameworks"].items()
    }
    aliases: dict[str, str] = {}
    for canonical, printed in data.get("aliases", {}).items():
        aliases[canonical] = canonical
        for p in printed:
            aliases[clean_name(p)] = canonical
    keywords = [(kw, l2) for l2, kws in data.get("level3_keywords", {}).items() for kw in kws]
    keywords.sort(key=lambda kv: -len(kv[0]))
    return Taxonomy(frameworks=frameworks, aliases=aliases, keywords=keywords)
