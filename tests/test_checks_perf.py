"""The checks' fast paths give what the plain definitions give.

The rules memoise pure text functions, look words up by suffix tables instead of loops, and
find copied text across a document by hashing instead of comparing every pair of tables.
Each test states the plain definition (the code before it was made fast) and compares.
benchmarks/bench_checks.py --verify does the same for whole reviews against a golden file.
"""

from __future__ import annotations

import importlib.util
import random
import re
import sys
from pathlib import Path

import pytest

from reviewer.checks import copying, entities, run_checks
from reviewer.checks.common import compact, plain_text
from reviewer.models import Document
from reviewer.pipeline import extract

ROOT = Path(__file__).resolve().parents[1]


def load_synth():
    spec = importlib.util.spec_from_file_location("benchmarks_synth", ROOT / "benchmarks" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- text helpers


def test_compact_and_sentence_bounds_match_their_plain_definitions(samples_dir):
    text = (samples_dir / "jiyuan_housing_fund_2021.txt").read_text(encoding="utf-8")
    pieces = [text[i:i + 300] for i in range(0, len(text), 97)] + ["", " ", "<b>a</b>\u3000b\u00a0c\n", "x" * 1500]
    for piece in pieces:
        assert compact(piece) == re.sub(r"\s+", "", plain_text(piece))
        for pos in {0, len(piece) // 3, len(piece)}:
            i = pos
            while i > 0 and piece[i - 1] not in entities.SENTENCE_BREAKS:
                i -= 1
            j = pos
            while j < len(piece) and piece[j] not in entities.SENTENCE_BREAKS:
                j += 1
            assert entities.sentence_bounds(piece, pos) == (i, j)


@pytest.mark.parametrize("words", [
    [w for w, _ in entities._COMPARATORS_BEFORE],  # not sorted by length: list order decides
    list(entities._LINKS),
    list(entities.VERBS),
    [x for w in entities._CHANGE_WORDS for x in (w, w + "了")],
])
def test_suffix_table_finds_the_first_word_in_list_order(words):
    table = entities._Suffixes(words)
    rng = random.Random(3)
    for _ in range(3000):
        text = "".join(rng.choice(words) for _ in range(rng.randint(0, 3)))[-rng.randint(0, 8):]
        expected = next((k for k, w in enumerate(words) if text.endswith(w)), None)
        assert table.first(text) == expected, text


# ---------------------------------------------------------------- memoised quantities


def test_memoised_quantities_are_fresh_lists_equal_to_a_new_extraction(samples_dir):
    doc = extract((samples_dir / "jiyuan_housing_fund_2021.txt").read_bytes(), "jiyuan_housing_fund_2021.txt")
    fields = [(f.name or k, f.text) for t in doc.tables for k, f in t.narrative.items() if f.text]
    assert len(fields) > 20
    n = 0
    for name, text in fields:
        first = entities.extract_quantities(text, field=name)
        first.clear()  # a caller's list is its own
        again = entities.extract_quantities(text, field=name)
        assert again == list(entities._extract_quantities.__wrapped__(text, name))
        assert all(q.field == name for q in again)
        n += len(again)
    assert n > 30  # the sample states plenty of quantities


# ---------------------------------------------------------------- copied text across a document


def _document_common_plain(doc: Document) -> list[str]:
    """IQ901/IQ903's shared name pieces, by comparing every piece with every name and text."""
    projects = [t for t in doc.tables if t.kind == "project"]
    names = [compact(t.title) for t in projects]
    candidates = {n[i:i + size] for n in names for size in range(4, min(len(n), 16) + 1)
                  for i in range(len(n) - size + 1)}
    texts = [compact(t.text) for t in projects]
    common = []
    for c in candidates:
        holders = [k for k, n in enumerate(names) if c in n]
        if len(holders) >= 2 and 2 * len(holders) >= len(names):
            common.append(c)
            continue
        others = [texts[k] for k in range(len(projects)) if k not in holders]
        hits = sum(1 for t in others if c in t)
        if hits >= 2 and 2 * hits > len(others):
            common.append(c)
    if doc.department:
        common.append(doc.department)
    return sorted(common, key=lambda c: (-len(c), c))


ITEMS = ("大会议室改造", "档案室整修", "办公设备采购", "视频会议系统", "网络安全设备", "消防设施维护", "食堂厨具更新",
         "电梯维修保养", "监控系统升级", "服务器租赁", "机房空调更换", "公务车辆维修", "图书资料购置", "健身器材安装")


@pytest.fixture(scope="module")
def big_document(tmp_path_factory) -> Document:
    """One document of 60 project tables with distinctive names, some naming another project
    and some sharing their plan: every copy rule has work to do."""
    folder = tmp_path_factory.mktemp("big")
    load_synth().generate(folder, tables=60, files=1, seed=4)
    path = next(folder.rglob("*.tsv"))
    doc = extract(path.read_bytes(), path.name)
    rng = random.Random(8)
    projects = [t for t in doc.tables if t.kind == "project"]
    for t in projects:
        t.title = "{}及{}项目".format(*rng.sample(ITEMS, 2))
    for k, t in enumerate(projects):
        other = projects[(k * 7 + 3) % len(projects)]
        if other is t or "项目概况" not in t.narrative:
            continue
        if k % 6 == 0:
            t.narrative["项目概况"].text += f"另需完成{other.title.replace('项目', '')}等工作。"
        elif k % 6 == 1 and "项目实施计划" in t.narrative and "项目实施计划" in other.narrative:
            t.narrative["项目实施计划"].text = other.narrative["项目实施计划"].text
    return doc


def test_shared_name_pieces_by_hashing_equal_the_pairwise_definition(big_document, samples_dir):
    sample = extract((samples_dir / "jiyuan_housing_fund_2021.txt").read_bytes(), "jiyuan_housing_fund_2021.txt")
    for doc in (big_document, sample):
        assert copying._document_common(doc) == _document_common_plain(doc)


def _findings(doc: Document) -> list[tuple]:
    return [(i, f.rule, f.indicator, f.location, f.evidence, f.message)
            for i, t in enumerate(run_checks(doc).tables) for f in t.findings]


def test_copy_rules_find_the_same_whether_they_search_or_hash(big_document, monkeypatch):
    fast = _findings(big_document)
    rules = {f[1] for f in fast}
    assert {"IQ901", "IQ902", "IQ903"} <= rules  # the planted copies are found

    def by_search(text, needles, size):
        return [h for h in needles if h in text]

    def by_hashing(text, needles, size):
        return {text[p:p + size] for p in range(len(text) - size + 1)}.intersection(needles)

    for strategy in (by_search, by_hashing):
        monkeypatch.setattr(copying, "occurring", strategy)
        assert _findings(big_document) == fast


def test_occurring_finds_exactly_the_needles_in_the_text():
    rng = random.Random(2)
    alphabet = "项目资金采购设备维修建设工程"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        size = rng.choice((3, 4))
        needles = {"".join(rng.choice(alphabet) for _ in range(size)) for _ in range(rng.randint(0, 40))}
        assert set(copying.occurring(text, needles, size)) == {h for h in needles if h in text}
