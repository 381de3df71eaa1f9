"""A fake OpenAI-compatible and Anthropic upstream on loopback: the shapes the real APIs answer, whole and streamed."""

from __future__ import annotations

import gzip
import json
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# prompt 1000 (200 cached), completion 500 (300 reasoning): disjoint, that is 800 in, 200 cached, 200 out, 300 reasoning.
OPENAI_USAGE = {"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500,
                "prompt_tokens_details": {"cached_tokens": 200}, "completion_tokens_details": {"reasoning_tokens": 300}}
# 1000 written to the cache, 400 of them for an hour, as the Messages API breaks cache_creation_input_tokens down.
ANTHROPIC_USAGE = {"input_tokens": 100, "cache_creation_input_tokens": 1000, "cache_read_input_tokens": 2000, "output_tokens": 500,
                   "cache_creation": {"ephemeral_5m_input_tokens": 600, "ephemeral_1h_input_tokens": 400}}


class FakeLlm:
    """Answers POST /v1/chat/completions (OpenAI) and POST /v1/messages (Anthropic); ``"stream": true`` streams SSE."""

    def __init__(self, port: int = 0) -> None:
        self.seen_headers: list[dict[str, str]] = []
        self.counter = 0
        self.prefix = uuid.uuid4().hex[:8]  # provider ids unique across fakes: Tollgate keys calls by them
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                fake.seen_headers.append({k.lower(): v for k, v in self.headers.items()})
                fake.counter += 1
                n = body.get("n_id") or f"{fake.prefix}-{fake.counter}"
                if body.get("fail"):
                    self._send(500, "application/json", b'{"error":{"message":"overloaded"}}')
                elif self.path == "/v1/chat/completions":
                    self._openai(body, n)
                elif self.path == "/v1/messages":
                    self._anthropic(body, n)
                else:
                    self._send(404, "application/json", b"{}")

            def _openai(self, body: dict[str, Any], n: Any) -> None:
                model, rid = body["model"] + "-2024-08-06", f"chatcmpl-{n}"
                if not body.get("stream"):
                    answer = {"id": rid, "object": "chat.completion", "model": model, "usage": OPENAI_USAGE,
                              "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello there"}}]}
                    raw = json.dumps(answer).encode()
                    gz = "gzip" in self.headers.get("Accept-Encoding", "")
                    self._send(200, "application/json", gzip.compress(raw) if gz else raw, {"Content-Encoding": "gzip"} if gz else {},
                               {"x-request-id": f"req_{n}"})
                    return
                events = [{"id": rid, "model": model, "choices": [{"index": 0, "delta": {"content": w}}], "usage": None}
                          for w in ("Hello", " there")]
                events.append({"id": rid, "model": model, "choices": [], "usage": OPENAI_USAGE})
                self._stream([f"data: {json.dumps(e)}\n\n" for e in events] + ["data: [DONE]\n\n"])

            def _anthropic(self, body: dict[str, Any], n: Any) -> None:
                model, rid = body["model"], f"msg_{n}"
                if not body.get("stream"):
                    answer = {"id": rid, "type": "message", "model": model, "content": [{"type": "text", "text": "Hello there"}],
                              "usage": ANTHROPIC_USAGE}
                    self._send(200, "application/json", json.dumps(answer).encode(), {}, {"request-id": f"req_{n}"})
                    return
                start = {"type": "message_start", "message": {"id": rid, "type": "message", "model": model, "content": [],
                                                              "usage": {**ANTHROPIC_USAGE, "output_tokens": 1}}}
                delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello there"}}
                end = {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 500}}
                self._stream([f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in (start, delta, end)]
                             + ['event: message_stop\ndata: {"type": "message_stop"}\n\n'])

            def _send(self, status: int, ctype: str, raw: bytes, extra: dict[str, str] | None = None,
                      more: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                for k, v in {**(extra or {}), **(more or {})}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _stream(self, chunks: list[str]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream; charset=utf-8")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for chunk in chunks:  # one HTTP chunk per event, as providers flush them
                    data = chunk.encode()
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeLlm:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


if __name__ == "__main__":  # python3 fake_llm.py 5701: the upstream docs/sdk-python.md's LLM examples run against
    with FakeLlm(int(sys.argv[1]) if len(sys.argv) > 1 else 5701) as served:
        print(f"fake LLM upstream on {served.url}", flush=True)
        threading.Event().wait()
