"""The checks' fast paths give what the plain definitions give.

The rules memoise pure text functions, look words up by suffix tables, sets and regex
alternations instead of loops over word lists or characters, skip searches a cheap pre-test
rules out, match quantities only with indicators of a comparable unit, and find copied text
across a document by hashing instead of comparing every pair of tables.
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


# ---------------------------------------------------------------- second round: searches by set, regex and pre-test


@pytest.fixture(scope="module")
def texts(samples_dir) -> list[str]:
    """Pieces of the reference sample and the real tables, and a synthetic document's fields."""
    out = []
    for path in [samples_dir / "jiyuan_housing_fund_2021.txt", *sorted((samples_dir / "real").glob("*.tsv"))]:
        text = path.read_text(encoding="utf-8")
        out += [text[i:i + 200] for i in range(0, len(text), 70)]
    return out


def _random_texts(alphabet: list[str], n: int, seed: int, most: int = 8) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, most))) for _ in range(n)]


def test_place_names_equal_the_lookahead_scan(texts):
    from reviewer.checks import wording

    def plain(text):
        out = []
        for m in wording._PLACE.finditer(text):
            head, suffix = m.group(1), m.group(2)
            if set(head) & wording._PLACE_STOP_CHARS or head in wording._PLACE_STOP_HEADS:
                continue
            out.append((head + suffix, m.start()))
        return tuple(out)

    made = _random_texts(list("卫凹洼村镇乡社区街道小王庄楼马家湾a1，。"), 5000, 1, 30)
    for text in texts + made:
        assert wording._place_names.__wrapped__(text) == plain(text), text


def test_unbalanced_brackets_equal_the_character_scan(texts):
    from reviewer.checks import incomplete

    def plain(text):
        stack = []
        for i, ch in enumerate(text):
            if ch in incomplete._OPENERS:
                stack.append((incomplete._OPENERS[ch], i))
            elif ch in incomplete._CLOSERS:
                if stack and stack[-1][0] == incomplete._CLOSERS[ch]:
                    stack.pop()
                else:
                    return f"多出“{ch}”: {incomplete._around(text, i)}"
        return f"“{text[stack[0][1]]}”未闭合: {incomplete._around(text, stack[0][1])}" if stack else None

    made = _random_texts(list("（）()《》“”【】[]‘’文字"), 5000, 2, 12)
    for text in texts + made:
        assert incomplete._unbalanced.__wrapped__(text) == plain(text), text


def test_leading_words_stripped_as_by_the_word_loop():
    def plain(phrase):
        changed = True
        while changed and phrase:
            changed = False
            for word in entities._LEADING:
                rest = phrase[len(word):]
                if phrase.startswith(word) and rest and (len(word) > 1 or len(rest) > 2):
                    phrase, changed = rest, True
                    break
        return phrase

    for text in _random_texts([*entities._LEADING, *"项目中心密集架率及"], 20000, 5, 5):
        assert entities._strip_leading.__wrapped__(text) == plain(text), text


def test_words_after_a_number_as_by_the_word_loops():
    def plain_after_len(post):
        for word, _ in entities._COMPARATORS_AFTER:
            if post.startswith(word):
                return len(word)
        return next((len(w) for w in entities._APPROX_AFTER if post.startswith(w)), 0)

    def plain_post_head_end(p):  # where _post_head cuts at the first verb after two characters
        end = len(p)
        for v in entities.VERBS:
            k = p.find(v, 2)
            if 0 < k < end:
                end = k
        return end

    words = [w for w, _ in entities._COMPARATORS_AFTER] + list(entities._APPROX_AFTER) + list("及以上下之x")
    for text in _random_texts(words, 20000, 6, 4):
        assert entities._after_len(text) == plain_after_len(text), text
        m = entities._COMPARATOR_AFTER.match(text)
        first = next((w for w, _ in entities._COMPARATORS_AFTER if text.startswith(w)), None)
        assert (m.group() if m else None) == first
    for text in _random_texts([*entities.VERBS, *"行政村技术项目"], 20000, 7, 6):
        m = entities._ANY_VERB.search(text, 2)
        assert (m.start() if m else len(text)) == plain_post_head_end(text), text


def test_similarity_needs_a_shared_pair_exactly_when_the_longest_common_run_is_two():
    def longest_common(a, b):
        best = 0
        for i in range(len(a)):
            for j in range(i + best + 1, len(a) + 1):
                if a[i:j] in b:
                    best = j - i
                else:
                    break
        return best

    pairs = zip(_random_texts(list("满意度覆盖率工作完成"), 20000, 8), _random_texts(list("满意度覆盖率工作完成"), 20000, 9))
    for a, b in pairs:
        assert entities._share_pair(a, b) == (longest_common(a, b) >= 2), (a, b)


def test_lexicon_suffix_and_set_lookups_equal_the_list_loops():
    from reviewer.checks.common import in_words, longest_suffix, words

    lex = "indicator_lexicon"
    endings, exceptions = words(lex, "dangling_endings"), words(lex, "dangling_exceptions")
    for text in _random_texts([*endings, *exceptions, *"的和与将对工作目标"], 20000, 10, 4):
        expected = next((w for w in endings if text.endswith(w) and len(text) > len(w)), None)
        assert longest_suffix(text, lex, "dangling_endings") == expected, text
        assert in_words(text[-2:], lex, "dangling_exceptions") == (text[-2:] in exceptions)


def test_near_copies_bound_equals_the_counter_intersection():
    from collections import Counter

    for a, b in zip(_random_texts(list("项目资金采购设备"), 5000, 11, 40), _random_texts(list("项目资金采购设备"), 5000, 12, 40)):
        plain = bool(a and b and 2.0 * min(len(a), len(b)) / (len(a) + len(b)) >= 0.89
                     and 2.0 * (Counter(a) & Counter(b)).total() / (len(a) + len(b)) >= 0.89)
        assert copying._may_be_near(a, b) == plain, (a, b)


def test_pre_tests_skip_only_texts_that_cannot_match(texts):
    """Texts without a digit, a Latin letter or 项目 give what the full search gives: nothing."""
    from reviewer.checks import formatting, wording

    for text in texts + _random_texts(list("项目为了完成管理中心局U-key１2。，"), 3000, 13, 20):
        twice = formatting._twice.__wrapped__(text)
        full = formatting._TWICE.search(re.sub(r"\s+", "", plain_text(text)))
        assert (twice and twice.group()) == (full and full.group())
        assert wording._latin_tokens.__wrapped__(text) == tuple(t for t in wording._LATIN.findall(text) if len(t) >= 2)
        if "项目" not in text:
            assert not list(copying._NAMED_PROJECT.finditer(text))


def test_matching_by_unit_groups_equals_the_loop_over_every_indicator(samples_dir):
    """match_indicator over an IndicatorIndex gives what the plain loop over indicators gives."""
    from reviewer.checks.narrative import table_quantities

    def plain_match(q, indicators, budget_year, min_score=0.8, margin=0.25):
        name = q.entity or (q.context if q.family == "unit_cost" else "")
        if not name or q.delta or q.history or q.distributive:
            return None
        if budget_year is not None and q.year is not None and q.year != budget_year:
            return None
        scored = []
        kind = entities.rate_kind(name)
        for ind in indicators:
            if ind.target.value is None or not ind.level3:
                continue
            if not entities.same_quantity_kind(q.unit, entities.indicator_unit(ind)):
                continue
            other = entities.rate_kind(ind.level3)
            if kind and other and kind != other:
                continue
            score = entities.similarity(name, ind.level3)
            wide = entities.similarity(q.context, ind.level3) if q.context and q.context != name else 0.0
            if score < min_score:
                score = max(score, wide - 0.1)
            score += 0.05 * min(wide, 1.0)
            if score > 0:
                scored.append((score, ind))
        if not scored:
            return None
        scored.sort(key=lambda x: (-x[0], -entities.coverage(name, x[1].level3 or "")))
        best_score, best = scored[0]
        runner = scored[1][0] if len(scored) > 1 else 0.0
        agrees = any(entities.values_agree(q, ind) for s, ind in scored if s >= best_score - margin)
        if best_score < min_score:
            return None
        if runner > best_score - margin and not agrees:
            rivals = [ind for s, ind in scored[1:] if s > best_score - margin]
            if entities.coverage(name, best.level3) < 0.75 or any(entities.coverage(name, r.level3) >= 0.5 for r in rivals):
                return None
        return best, best_score, runner, agrees

    n = 0
    for path in [samples_dir / "jiyuan_housing_fund_2021.txt", *sorted((samples_dir / "real").glob("*.tsv"))]:
        doc = extract(path.read_bytes(), path.name)
        for table in doc.tables:
            index = entities.IndicatorIndex(table.indicators)
            for q in table_quantities(table):
                m = entities.match_indicator(q, index, budget_year=doc.budget_year)
                got = None if m is None else (m.indicator, m.score, m.runner_up, m.agrees)
                assert got == plain_match(q, table.indicators, doc.budget_year)
                n += got is not None
    assert n > 10  # the sample pairs plenty of narrative figures with indicators


def test_noun_head_and_unit_pieces_equal_their_slicing_definitions():
    def plain_head(tail):  # entities._head as first written: every slice of every verb length
        phrase = entities._PER_IN_PHRASE.sub("", tail.strip())
        n = len(phrase)
        cuts = sorted({k + size for k in range(n) for size in entities._VERB_LENGTHS
                       if k + size < n and phrase[k:k + size] in entities._VERB_SET}, reverse=True)
        head = next((phrase[c:] for c in cuts if len(entities.distinctive(phrase[c:], fallback=False)) >= 2), phrase)
        de = head.rfind("的")
        if 0 <= de < len(head) - 1 and len(entities.distinctive(head[de + 1:], fallback=False)) >= 2:
            head = head[de + 1:]
        head = entities._strip_leading(head)
        return head[-16:] if len(head) > 16 else head, phrase.endswith(entities.VERBS)

    def plain_strip_common(s, unit):
        for size in range(min(len(unit), 12), 2, -1):
            for i in range(len(unit) - size + 1):
                if unit[i:i + size] in s:
                    s = s.replace(unit[i:i + size], "")
        return s

    for tail in _random_texts([*entities.VERBS, *"业务档案密集架工作的每人"], 20000, 14, 8):
        assert entities._head.__wrapped__(tail) == plain_head(tail), tail
    units = _random_texts(list("济源市住房公积金管理中心"), 200, 15, 14)
    for unit, name in zip(units * 20, _random_texts(list("济源市住房公积金管理中心档案室"), 4000, 16, 20)):
        assert copying._strip_common(name, unit) == plain_strip_common(name, unit), (name, unit)


def test_findings_built_without_validation_equal_validated_findings(samples_dir):
    """Rule.finding skips validation: every finding of the sample is the model Finding(…) gives."""
    from reviewer.models import Finding

    doc = extract((samples_dir / "jiyuan_housing_fund_2021.txt").read_bytes(), "jiyuan_housing_fund_2021.txt")
    findings = [f for t in run_checks(doc).tables for f in t.findings]
    assert len(findings) > 20 and any(f.at is not None for f in findings) and any(f.fix for f in findings)
    for f in findings:
        given = {k: getattr(f, k) for k in f.__pydantic_fields_set__}  # run_checks set the id
        validated = Finding(**given)
        assert f.__dict__ == validated.__dict__ and list(f.__dict__) == list(validated.__dict__)
        assert f.__pydantic_fields_set__ == validated.__pydantic_fields_set__
        assert f.model_dump_json() == validated.model_dump_json()
