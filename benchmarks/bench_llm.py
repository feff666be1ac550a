"""Benchmark the model path: N tables against a local OpenAI-compatible server.

The server (stdlib, threaded, 127.0.0.1, in its own process like a real
endpoint) answers every chat completion after a fixed delay with a tool call
covering the request's findings. The tables are
the sample document's tables with findings, repeated with numbered titles so
that every request is distinct (no cache hits). Prints requests, tokens and
wall time; exits 1 when the run is slower than the target.

    /work/venv/bin/python benchmarks/bench_llm.py [--tables 200] [--delay 0.5]
        [--concurrency 16] [--target 10]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "eval" / "cases" / "jiyuan_housing_fund_2021.txt"
BLOCK = re.compile(r"<(table-data-[0-9a-f]{12})>\n(.*)\n</\1>", re.S)


def make_handler(delay: float):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            time.sleep(delay)
            user = body["messages"][-1]["content"]
            data = json.loads(BLOCK.search(user).group(2))
            comments = []
            for line in data["findings"]:
                parts = line.split("｜")
                message = next((p[3:] for p in parts if p.startswith("说明：")), "")
                comments.append({"finding_ids": [parts[0]], "text": f"{message}建议核实后按表中数据修改。"})
            arguments = json.dumps({"comments": comments}, ensure_ascii=False)
            name = body["tools"][0]["function"]["name"]
            reply = {
                "id": "chatcmpl-bench", "object": "chat.completion", "created": 0, "model": body["model"],
                "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                    "role": "assistant", "content": None,
                    "tool_calls": [{"id": "c1", "type": "function",
                                    "function": {"name": name, "arguments": arguments}}]}}],
                "usage": {"prompt_tokens": len(json.dumps(body, ensure_ascii=False)) // 2,
                          "completion_tokens": len(arguments) // 2, "total_tokens": 0},
            }
            payload = json.dumps(reply, ensure_ascii=False).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def serve(delay: float, port_out) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(delay))
    server.daemon_threads = True
    server.request_queue_size = 128
    port_out.send(server.server_address[1])
    server.serve_forever()


def sample_tables(n: int):
    from reviewer.checks import run_checks
    from reviewer.config import Config
    from reviewer.extract import load_document
    from reviewer.models import Review

    review = run_checks(load_document(SAMPLE.read_bytes(), SAMPLE.name), Config())
    base = [t for t in review.tables if t.findings and t.table is not None]
    tables = []
    for i in range(n):
        tr = base[i % len(base)]
        title = f"{tr.title}（第{i + 1}份）"
        table = tr.table.model_copy(update={"title": title, "text": f"{title}\n{tr.table.text}"})
        tables.append(tr.model_copy(update={"title": title, "table": table}))
    return Review(source="bench", tables=tables)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", type=int, default=200)
    ap.add_argument("--delay", type=float, default=0.5, help="server answer delay, seconds")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--target", type=float, default=10.0, help="wall-time target, seconds")
    args = ap.parse_args()

    from reviewer.config import Config, LLMSettings
    from reviewer.drafting import draft_comments

    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve, args=(args.delay, send), daemon=True)
    server.start()
    base_url = f"http://127.0.0.1:{receive.recv()}/v1"
    config = Config(llm=LLMSettings(model="bench-model", base_url=base_url, concurrency=args.concurrency,
                                    timeout=30.0, retry_backoff=0.05))
    review = sample_tables(args.tables)
    findings = sum(len(t.findings) for t in review.tables)

    with tempfile.TemporaryDirectory() as cache:
        start, cpu_start = time.perf_counter(), os.times()
        out = draft_comments(review, config, cache_dir=cache)
        wall, cpu_end = time.perf_counter() - start, os.times()
        cpu = (cpu_end.user - cpu_start.user) + (cpu_end.system - cpu_start.system)
        start = time.perf_counter()
        again = draft_comments(review, config, cache_dir=cache)
        cached_wall = time.perf_counter() - start
    server.terminate()
    server.join()

    u = out.usage
    print(f"tables {len(review.tables)}  findings {findings}  concurrency {args.concurrency}  "
          f"server delay {args.delay}s")
    print(f"requests {u.requests}  cached {u.cached}  fallbacks {u.fallbacks}  dropped {u.dropped}  "
          f"ungrounded {u.ungrounded}")
    print(f"tokens in {u.input_tokens}  out {u.output_tokens}")
    print(f"wall {wall:.2f}s (target {args.target:.0f}s; floor {args.tables / args.concurrency * args.delay:.2f}s)  "
          f"client cpu {cpu:.2f}s (includes importing langchain-openai once)  load {os.getloadavg()[0]:.1f}")
    print(f"rerun from cache: requests {again.usage.requests}  cached {again.usage.cached}  wall {cached_wall:.2f}s")
    ok = wall <= args.target and u.fallbacks == 0 and again.usage.requests == 0
    print("OK" if ok else "SLOWER THAN TARGET OR FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
