"""Record the eval's model replies against a local stub server (no real model is reachable here).

    python eval/record_with_stub.py     # rewrites eval/recordings/

Starts a small OpenAI-compatible server on 127.0.0.1 that answers the drafting
requests (a ReviewComments tool call with one comment per finding, built from
the finding's own message) and the judge requests (JSON scores), then runs the
eval's live mode against it, which records every reply in eval/recordings/.
`reviewer eval --llm replay` then scores the model path from those files.

These recordings come from a stub, not from a model: they test the recording,
replay, validation and scoring machinery, not the quality of a model's
comments. Re-record with a real endpoint (see eval/README.md):

    REVIEWER_MODEL=… OPENAI_BASE_URL=… OPENAI_API_KEY=… reviewer eval --llm live
"""

from __future__ import annotations

import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
PORT = 58123  # fixed, so the recorded base URL is stable; nothing listens there at replay
MODEL = "stub-model"
_DATA = re.compile(r"<(table-data-[0-9a-f]+)>\s*(.*?)\s*</\1>", re.S)


def _finding(item) -> dict:
    """A finding of the data block: a dict, or a line "F3｜category｜severity｜location｜证据：…｜说明：…"."""
    if isinstance(item, dict):
        return item
    parts = str(item).split("｜")
    location = parts[3] if len(parts) > 3 else ""
    named = re.search(r"（?指标：(.+?)）?$", location)
    found = {"id": parts[0], "location": re.sub(r"（?指标：.+$", "", location).strip(),
             "indicator": named.group(1) if named else None}
    for p in parts[1:]:
        if p.startswith("说明："):
            found["message"] = p.removeprefix("说明：")
    return found


def _subject(f: dict) -> str:
    if f.get("indicator"):
        return f["indicator"]
    parts = [p.strip() for p in (f.get("location") or "").split(">") if p.strip()]
    return parts[-1] if parts else "本表"


def draft_reply(user: str) -> dict:
    """One comment per finding: the subject, the finding's message, and a fix with a placeholder value."""
    m = _DATA.search(user)
    data = json.loads(m.group(2)) if m else {"findings": []}
    comments = []
    for f in map(_finding, data.get("findings", [])):
        subject = _subject(f)
        indicator = f.get("indicator") or (subject if ">" in (f.get("location") or "") else None)
        text = (f"关于“{subject}”：{f.get('message', '').strip()}"
                f"建议核实后修改，写明比较符、数值和计量单位，如“≥（按计划标准填写）”。")
        comments.append({"finding_ids": [f["id"]], "indicator": indicator, "text": text, "category": None})
    return {"comments": comments}


def judge_reply(user: str, criteria: list[str]) -> dict:
    """Scores from simple cues: full marks, half for a basis the comment does not state."""
    data = json.loads(user.split("\n", 1)[1]) if "\n" in user else {"comments": []}
    scores = []
    for c in data.get("comments", []):
        item = {"index": c["index"]}
        for k in criteria:
            item[k] = 1
        if "explains_basis" in item and not re.search(r"依据|按照|根据|规定|通行做法", c["text"]):
            item["explains_basis"] = 0.5
        scores.append(item)
    return {"scores": scores}


class StubHandler(BaseHTTPRequestHandler):
    criteria: list[str] = []

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        messages = body.get("messages", [])
        user = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
        if body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            args = json.dumps(draft_reply(user), ensure_ascii=False)
            message = {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_stub", "type": "function", "function": {"name": name, "arguments": args}}]}
            finish = "tool_calls"
        else:
            message = {"role": "assistant", "content": json.dumps(judge_reply(user, self.criteria), ensure_ascii=False)}
            finish = "stop"
        payload = {
            "id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": body.get("model", MODEL),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": len(json.dumps(messages)) // 4, "completion_tokens": 50, "total_tokens": 0},
        }
        raw = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def start_stub(port: int = PORT) -> ThreadingHTTPServer:
    """The stub server, serving in a background thread (call .shutdown() to stop it)."""
    from reviewer.drafting.rubric import load_rubric

    StubHandler.criteria = [c.id for c in load_rubric().criteria]
    server = ThreadingHTTPServer(("127.0.0.1", port), StubHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def record(cases: Path | None = None, recordings: Path | None = None, port: int = PORT) -> Path:
    """Run the live eval against the stub; returns the recordings folder."""
    from reviewer.config import Config, LLMSettings
    from reviewer.evaluation.harness import evaluate, prepare

    server = start_stub(port)
    try:
        os.environ["REVIEWER_RECORDING_SOURCE"] = "stub"
        base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        config = Config(llm=LLMSettings(model=MODEL, base_url=base_url, max_retries=0, timeout=30))
        prepared = prepare(cases, config, mutations=False)
        folder = recordings or prepared.cases_dir.parent / "recordings"
        evaluate(prepared, config, llm="live", recordings=folder)
        return folder
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    print(f"recorded into {record()}")
