"""Bulk runs: every format in nested folders, failures listed, resume after a kill,
decisions carried over, the model stage, and the synthetic table generator."""

from __future__ import annotations

import csv
import html
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from reviewer.bulk import JOURNAL_NAME, Journal, collect_inputs, run_bulk
from reviewer.config import Config, LLMSettings
from reviewer.errors import InputError
from reviewer.pipeline import review_path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "eval" / "cases" / "jiyuan_housing_fund_2021.txt"


def rows_of(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def corpus(tmp_path, samples_dir) -> Path:
    """A folder of real tables in every format, nested, with two bad files and files to skip."""
    from docx import Document
    from fixtures_gen import make_pdf
    from openpyxl import Workbook

    real = samples_dir / "real"
    root = tmp_path / "in"
    (root / "real").mkdir(parents=True)
    for f in sorted(real.glob("*.tsv")):
        shutil.copy(f, root / "real" / f.name)
    shutil.copy(SAMPLE, root / "jiyuan.txt")
    deep = root / "sub" / "deeper"
    deep.mkdir(parents=True)
    party = rows_of(real / "05_huangshi_dangxiao_2022.tsv")
    farm = rows_of(real / "13_yueyang_gaobiaozhunnongtian_2022.tsv")
    wb = Workbook()
    wb.active.title = "党校"
    for r in party:
        wb.active.append(r)
    sheet = wb.create_sheet("农田")
    for r in farm:
        sheet.append(r)
    wb.save(deep / "two_sheets.xlsx")
    doc = Document()
    table = doc.add_table(rows=0, cols=max(map(len, farm)))
    for r in farm:
        for cell, text in zip(table.add_row().cells, r):
            cell.text = text
    doc.save(deep / "table.docx")
    with open(deep / "table.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(party)
    (deep / "table.html").write_text(
        "<html><body><table>" + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                                        for r in farm) + "</table></body></html>", encoding="utf-8")
    make_pdf(deep)
    (root / "bad.txt").write_text("这份文件里没有任何表格，只有一句话。\n", encoding="utf-8")
    (root / "sub" / "broken.docx").write_bytes(b"PK\x03\x04 this is not a zip")
    (root / ".hidden.tsv").write_text("x", encoding="utf-8")
    (root / "~$lock.xlsx").write_bytes(b"lock")
    (root / "notes.json").write_text("{}", encoding="utf-8")
    return root


def load_json(out: Path) -> dict:
    return json.loads((out / "review.json").read_text(encoding="utf-8"))


def table_keys(data: dict) -> list[tuple[str, str]]:
    return [(t["file"], t["title"]) for t in data["tables"]]


GOOD = ["jiyuan.txt", *(f"real/{n}" for n in (
    "05_huangshi_dangxiao_2022.tsv", "12_tongxin_xiamaguan_putao_2023.tsv", "13_yueyang_gaobiaozhunnongtian_2022.tsv",
    "15_yangquan_sihaonongcunlu_2021.tsv", "19_yueyanglou_jiagerenzheng_zhengti_2023.tsv",
    "21_wuhai_gongxiaoshe_zaishengziyuan_2021.tsv")),
    "sub/deeper/table.csv", "sub/deeper/table.docx", "sub/deeper/table.html", "sub/deeper/targets.pdf",
    "sub/deeper/two_sheets.xlsx"]
BAD = ["bad.txt", "sub/broken.docx"]


# ---------------------------------------------------------------- a whole folder


def test_folder_of_every_format_is_reviewed_and_bad_files_are_listed(corpus, tmp_path):
    out = tmp_path / "out"
    result = run_bulk([str(corpus)], out, Config(), offline=True, jobs=2, progress=False)
    names = lambda rel: [str(corpus / r) for r in rel]  # noqa: E731
    assert result.files == len(GOOD) + len(BAD)
    assert sorted(f for f, _ in result.errors) == sorted(names(BAD))
    assert result.reviewed == len(GOOD) and result.exit_code == 1 and result.fails_on("warning")
    assert set(result.reports) == {"xlsx", "docx", "html", "json"}

    data = load_json(out)
    assert sorted(f["file"] for f in data["files"]) == sorted(names(GOOD + BAD))
    assert sorted(e["file"] for e in data["errors"]) == sorted(names(BAD))
    per_file = {}
    for t in data["tables"]:
        per_file.setdefault(t["file"], []).append(t["title"])
    for rel in GOOD:  # the same tables a single review of that file finds
        single = review_path(corpus / rel, offline=True)
        assert per_file[str(corpus / rel)] == [t.title for t in single.tables], rel
    assert len(per_file[str(corpus / "sub/deeper/two_sheets.xlsx")]) == 2  # both sheets
    assert result.tables == len(data["tables"])
    assert sum(result.findings.values()) == sum(len(t["findings"]) for t in data["tables"]) > 20

    from docx import Document
    from openpyxl import load_workbook

    wb = load_workbook(out / "review.xlsx", read_only=True)
    table_rows = list(wb["表格"].values)[1:]
    assert len(table_rows) == result.tables + len(BAD)
    assert sorted(r[0] for r in table_rows if r[5] == "读取失败") == sorted(names(BAD))
    assert len(list(wb["问题"].values)) - 1 >= sum(result.findings.values())
    wb.close()
    headings = [p.text for p in Document(str(out / "审核意见.docx")).paragraphs if p.style.name == "Heading 2"]
    assert len(headings) == result.tables + 1 and headings[-1] == "未能审核的文件"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "no performance-target or budget table found" in page
    assert page.count('<section id="t') == result.tables


def test_output_folder_inside_the_input_folder_is_not_reviewed(corpus):
    out = corpus / "review-out"
    first = run_bulk([str(corpus)], out, Config(), offline=True, jobs=1, progress=False)
    second = run_bulk([str(corpus)], out, Config(), offline=True, jobs=1, progress=False)
    assert first.files == second.files == len(GOOD) + len(BAD)
    assert second.resumed == second.files  # nothing to redo: failures by bad input are final
    assert table_keys(load_json(out)) and first.tables == second.tables


def test_inputs_from_globs_files_and_errors(corpus):
    found = collect_inputs([str(corpus / "real" / "*.tsv"), str(corpus / "jiyuan.txt"), str(corpus / "notes.json")])
    assert [Path(f.name).name for f in found][-2:] == ["jiyuan.txt", "notes.json"]  # explicit files as given
    assert len(found) == 8
    deep = collect_inputs([str(corpus / "**" / "*.pdf")])
    assert [Path(f.name).name for f in deep] == ["targets.pdf"]
    with pytest.raises(InputError, match="no such file"):
        collect_inputs([str(corpus / "missing.tsv")])
    with pytest.raises(InputError, match="no file matches"):
        collect_inputs([str(corpus / "*.nothing")])
    empty = corpus / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no reviewable file"):
        collect_inputs([str(empty)])


# ---------------------------------------------------------------- resuming


def copies(folder: Path, n: int, samples_dir: Path) -> list[str]:
    """n files under folder, copies of the six real tables in turn (one table each)."""
    folder.mkdir(parents=True)
    real = sorted((samples_dir / "real").glob("*.tsv"))
    names = []
    for i in range(n):
        names.append(str(folder / f"doc{i:02d}.tsv"))
        shutil.copy(real[i % len(real)], names[-1])
    return names


def assert_complete_and_unique(out: Path, files: list[str], tables_per_file: int) -> None:
    data = load_json(out)
    assert sorted(f["file"] for f in data["files"]) == sorted(files)
    keys = table_keys(data)
    assert len(keys) == len(set(keys)) == len(files) * tables_per_file
    from openpyxl import load_workbook

    wb = load_workbook(out / "review.xlsx", read_only=True)
    rows = [(r[0], r[2]) for r in list(wb["表格"].values)[1:]]
    wb.close()
    assert sorted(rows) == sorted(keys)
    records = [json.loads(line) for line in (out / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()[1:]]
    assert {r["file"] for r in records} == set(files)


def test_run_killed_with_sigkill_completes_on_rerun(tmp_path, samples_dir):
    src = tmp_path / "in"
    files = copies(src, 40, samples_dir)
    out = tmp_path / "out"
    script = ("import sys; from pathlib import Path; from reviewer.bulk import run_bulk; "
              "from reviewer.config import Config; "
              "run_bulk([sys.argv[1]], Path(sys.argv[2]), Config(), offline=True, jobs=2, progress=False)")
    proc = subprocess.Popen([sys.executable, "-c", script, str(src), str(out)], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    journal = out / JOURNAL_NAME
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_bytes().count(b"\n") >= 4:  # header + 3 files
            break
        time.sleep(0.005)
    assert proc.poll() is None, proc.stderr.read().decode()[-2000:]  # still running: kill it mid-way
    os.killpg(proc.pid, signal.SIGKILL)  # the run and its worker processes, at once
    proc.wait(timeout=30)
    assert not (out / "review.json").exists()
    done_before = journal.read_bytes().count(b"\n") - 1
    assert 3 <= done_before < 40

    result = run_bulk([str(src)], out, Config(), offline=True, jobs=2, progress=False)
    assert result.errors == []
    assert result.resumed == done_before
    assert_complete_and_unique(out, files, 1)


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux only")
def test_workers_end_when_the_run_is_killed(tmp_path, samples_dir):
    src = tmp_path / "in"
    copies(src, 60, samples_dir)
    script = ("import sys; from pathlib import Path; from reviewer.bulk import run_bulk; "
              "from reviewer.config import Config; "
              "run_bulk([sys.argv[1]], Path(sys.argv[2]), Config(), offline=True, jobs=2, progress=False)")
    proc = subprocess.Popen([sys.executable, "-c", script, str(src), str(tmp_path / "out")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers := _children(proc.pid)) < 2 and proc.poll() is None:
        time.sleep(0.01)
    assert len(workers) >= 2, "the workers never started"
    proc.kill()  # the run alone, not its process group
    proc.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    left = [w for w in workers if _alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert not left, "worker processes outlived the killed run"


def test_ctrl_c_stops_with_a_resume_hint_and_no_traceback(tmp_path, samples_dir):
    src = tmp_path / "in"
    copies(src, 60, samples_dir)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", "from reviewer.cli import main; main()", "bulk", str(src),
                             "--out", str(out), "--offline", "--jobs", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    journal = out / JOURNAL_NAME
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_bytes().count(b"\n") >= 3:
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=60)[1].decode()
    if proc.returncode == 0:
        pytest.skip("the run finished before the interrupt arrived")
    assert proc.returncode == 130, err
    assert "再次运行同一命令即从中断处继续" in err and "Traceback" not in err
    assert not (out / "review.json").exists()
    assert sorted(p.name for p in out.iterdir()) == [".bulk.lock", JOURNAL_NAME]  # no temporary reports left


def test_reports_rewritten_from_the_journal_are_identical(tmp_path, samples_dir):
    from openpyxl import load_workbook

    src = tmp_path / "in"
    copies(src, 24, samples_dir)
    out = tmp_path / "out"
    first_run = run_bulk([str(src)], out, Config(), offline=True, jobs=2, progress=False)  # fed as reviewed
    first_json = (out / "review.json").read_bytes()
    assert [f["file"] for f in json.loads(first_json)["files"]] == [i.name for i in first_run.inputs]
    first = [list(load_workbook(out / "review.xlsx")[name].values) for name in ("表格", "问题")]
    again = run_bulk([str(src)], out, Config(), offline=True, jobs=1, progress=False)  # from the journal
    assert again.resumed == 24
    assert (out / "review.json").read_bytes() == first_json
    assert [list(load_workbook(out / "review.xlsx")[name].values) for name in ("表格", "问题")] == first
    assert not [p.name for p in out.iterdir() if p.name.startswith(".review")]  # no temporary files left


def test_crash_and_torn_journal_line_lose_and_duplicate_nothing(tmp_path, monkeypatch, samples_dir):
    src = tmp_path / "in"
    files = copies(src, 8, samples_dir)
    out = tmp_path / "out"
    real_append, calls = Journal.append, []

    def crashing_append(self, outcome):
        if len(calls) == 3:
            raise KeyboardInterrupt  # as if the run were stopped after three files
        calls.append(outcome.item.name)
        real_append(self, outcome)

    monkeypatch.setattr(Journal, "append", crashing_append)
    with pytest.raises(KeyboardInterrupt):
        run_bulk([str(src)], out, Config(), offline=True, jobs=2, progress=False)
    monkeypatch.setattr(Journal, "append", real_append)
    with open(out / JOURNAL_NAME, "ab") as f:
        f.write(b'{"key": "torn by a kill in the middle of a wri')
    result = run_bulk([str(src)], out, Config(), offline=True, jobs=2, progress=False)
    assert result.resumed == 3 and result.reviewed == 8
    assert_complete_and_unique(out, files, 1)
    lines = (out / JOURNAL_NAME).read_bytes().split(b"\n")
    assert all(b"torn by a kill" not in line for line in lines)


def test_changed_file_is_reviewed_again(tmp_path, samples_dir):
    src = tmp_path / "in"
    src.mkdir()
    real = sorted((samples_dir / "real").glob("*.tsv"))
    for f in real[:3]:
        shutil.copy(f, src / f.name)
    out = tmp_path / "out"
    run_bulk([str(src)], out, Config(), offline=True, jobs=1, progress=False)
    target = src / real[0].name
    shutil.copy(real[3], target)  # same name, other content
    result = run_bulk([str(src)], out, Config(), offline=True, jobs=1, progress=False)
    assert result.resumed == 2
    titles = {t["file"]: t["title"] for t in load_json(out)["tables"]}
    assert titles[str(target)] == review_path(real[3], offline=True).tables[0].title
    assert len(load_json(out)["files"]) == 3


def test_other_settings_start_a_new_journal(tmp_path, samples_dir):
    src = tmp_path / "in"
    copies(src, 6, samples_dir)
    out = tmp_path / "out"
    first = run_bulk([str(src)], out, Config(), offline=True, jobs=1, progress=False)
    rules = {f["rule"] for t in load_json(out)["tables"] for f in t["findings"]}
    dropped = sorted(rules)[0]
    second = run_bulk([str(src)], out, Config(ignore=[dropped]), offline=True, jobs=1, progress=False)
    assert second.resumed == 0 and (out / (JOURNAL_NAME + ".previous")).exists()
    assert dropped not in {f["rule"] for t in load_json(out)["tables"] for f in t["findings"]}
    assert sum(second.findings.values()) < sum(first.findings.values())


# ---------------------------------------------------------------- decisions


def test_decisions_are_carried_into_the_next_workbook(tmp_path, samples_dir):
    from openpyxl import load_workbook

    src = tmp_path / "in"
    src.mkdir()
    for f in sorted((samples_dir / "real").glob("*.tsv"))[:2]:
        shutil.copy(f, src / f.name)
    run_bulk([str(src)], tmp_path / "run1", Config(), offline=True, jobs=1, progress=False)
    edited = tmp_path / "decided.xlsx"
    wb = load_workbook(tmp_path / "run1" / "review.xlsx")
    ws = wb["问题"]
    ws["K2"], ws["L2"], ws["K3"] = "不采纳", "单位已说明理由", "采纳"
    keys = ws["M2"].value, ws["M3"].value
    wb.save(edited)

    result = run_bulk([str(src)], tmp_path / "run2", Config(), offline=True, jobs=1, progress=False,
                      decisions=edited)
    assert result.carried_decisions == 2
    ws = load_workbook(tmp_path / "run2" / "review.xlsx")["问题"]
    got = {r[12]: (r[10], r[11]) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert got[keys[0]] == ("不采纳", "单位已说明理由") and got[keys[1]] == ("采纳", None)


# ---------------------------------------------------------------- the model stage


@pytest.fixture
def fake_model():
    """A local OpenAI-compatible endpoint that answers every request with no comments."""
    from pytest_httpserver import HTTPServer
    from werkzeug import Response

    state = {"requests": 0, "inflight": 0, "max_inflight": 0}
    lock = threading.Lock()

    def handler(request):
        body = json.loads(request.get_data())
        with lock:
            state["requests"] += 1
            state["inflight"] += 1
            state["max_inflight"] = max(state["max_inflight"], state["inflight"])
        time.sleep(0.02)
        with lock:
            state["inflight"] -= 1
        call = {"id": "c1", "type": "function",
                "function": {"name": body["tools"][0]["function"]["name"], "arguments": '{"comments": []}'}}
        return Response(json.dumps({
            "id": "x", "object": "chat.completion", "created": 1, "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "tool_calls",
                         "message": {"role": "assistant", "content": None, "tool_calls": [call]}}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}}),
            content_type="application/json")

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    server.expect_request("/v1/chat/completions", method="POST").respond_with_handler(handler)
    yield server, state
    server.clear()
    server.stop()


def test_model_drafts_are_bounded_cached_and_resumable(tmp_path, samples_dir, fake_model, monkeypatch):
    server, state = fake_model
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    for name in ("REVIEWER_MODEL", "OPENAI_BASE_URL", "REVIEWER_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    src = tmp_path / "in"
    src.mkdir()
    for f in sorted((samples_dir / "real").glob("*.tsv")):
        shutil.copy(f, src / f.name)
    config = Config(llm=LLMSettings(model="test-model", base_url=server.url_for("/v1"), timeout=5,
                                    max_retries=0, concurrency=2))
    cache = str(tmp_path / "cache")
    out = tmp_path / "out"
    result = run_bulk([str(src)], out, config, jobs=2, progress=False, cache_dir=cache)
    with_findings = sum(1 for t in load_json(out)["tables"] if t["findings"])
    assert result.errors == [] and with_findings > 0
    sent = state["requests"]  # a table too large for the model is drafted from templates instead
    assert 0 < sent <= with_findings and result.usage.requests == sent
    assert state["max_inflight"] <= 2
    assert all(t["comments"] for t in load_json(out)["tables"] if t["findings"])

    again = run_bulk([str(src)], out, config, jobs=2, progress=False, cache_dir=cache)
    assert again.resumed == again.files and state["requests"] == sent  # from the journal
    fresh = run_bulk([str(src)], out, config, jobs=2, progress=False, cache_dir=cache, fresh=True)
    assert fresh.resumed == 0 and state["requests"] == sent  # from the model cache
    assert fresh.usage.cached == sent


# ---------------------------------------------------------------- synthetic tables


def load_synth():
    spec = importlib.util.spec_from_file_location("benchmarks_synth", ROOT / "benchmarks" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_synthetic_tables_parse_and_carry_their_seeded_defects(tmp_path):
    synth = load_synth()
    truth = synth.generate(tmp_path / "a", tables=30, files=3, seed=7, defect_rate=0.8)
    synth.generate(tmp_path / "b", tables=30, files=3, seed=7, defect_rate=0.8)
    files = sorted((tmp_path / "a").rglob("*.tsv"))
    assert len(files) == 3
    assert [f.read_bytes() for f in files] == [f.read_bytes() for f in sorted((tmp_path / "b").rglob("*.tsv"))]
    assert {d["defect"] for d in truth} <= set(synth.DEFECTS) and len(truth) >= 15
    missing_seen = missing_found = 0
    for f in files:
        review = review_path(f, offline=True)
        assert [t.kind for t in review.tables] == ["project"] * 10
        titles = [t.title for t in review.tables]
        assert len(set(titles)) == 10
        rel = str(f.relative_to(tmp_path / "a"))
        for d in (d for d in truth if d["file"] == rel):
            assert d["table"] in titles
            if d["defect"] == "missing_l2":
                missing_seen += 1
                table = review.tables[titles.index(d["table"])]
                missing_found += any(x.category == "missing_indicator" for x in table.findings)
        for t in review.tables:
            assert len(t.table.indicators) >= 6  # the smallest table the generator writes
    assert missing_seen and missing_found == missing_seen


def test_a_second_run_into_the_same_folder_is_refused(tmp_path, samples_dir):
    src = tmp_path / "in"
    copies(src, 1, samples_dir)
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from reviewer.bulk import folder_lock\n"
         "with folder_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(30)", str(out)],
        stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"held\n"
        with pytest.raises(InputError, match="another bulk run"):
            run_bulk([str(src)], out, Config(), offline=True, jobs=1, progress=False)
    finally:
        holder.kill()
        holder.wait()
    assert run_bulk([str(src)], out, Config(), offline=True, jobs=1, progress=False).reviewed == 1



def test_workers_collect_rarely_but_do_collect(tmp_path, samples_dir):
    """A worker keeps the collector on with a first-generation threshold of YOUNG_COLLECTION:
    reviewing a file leaves no cycles behind, and the cycles a reader's library makes are freed."""
    script = """
import gc, os, sys, weakref
from reviewer import bulk
from reviewer.config import Config
bulk._init_pool_worker(Config(), True, os.getppid())
assert gc.isenabled() and gc.get_threshold()[0] == bulk.YOUNG_COLLECTION
item = bulk._hashed(bulk.collect_inputs([sys.argv[1]])[0])
gc.collect()
before = gc.get_count()[0]
[outcome] = bulk._review_chunk([item])
assert outcome.tables == 15, outcome
assert gc.get_count()[0] - before < bulk.YOUNG_COLLECTION // 5, gc.get_count()  # little is kept

class Node:
    pass

refs = []
for _ in range(bulk.YOUNG_COLLECTION // 10):
    n = Node()
    n.me = n
    refs.append(weakref.ref(n))
del n
assert refs[0]() is not None  # not yet: few objects since the last collection
for _ in range(bulk.YOUNG_COLLECTION):
    n = Node()
    n.me = n
del n
assert refs[0]() is None
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script, str(samples_dir / "jiyuan_housing_fund_2021.txt")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_workers_inherit_the_readers_their_files_need():
    """The readers for the inputs' formats are imported before the workers fork, not in each."""
    script = """
import sys
from reviewer import bulk
from reviewer.config import Config
bulk._init_worker(Config(), True, ["a/项目.xlsx", "b.TSV"])
loaded = {m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("reviewer.extract.readers.")}
print(sorted(loaded & {"xlsx", "text", "docx", "pdf", "html", "csv"}), "opencc" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["['text',", "'xlsx']", "True"]
