"""A loopback proxy in front of the real server that loses chosen answers, to test what a retry does to Tollgate."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import httpx


class FaultyProxy:
    """Forwards to ``upstream``. Each queued fault applies to one request: ``"lose"`` forwards it and then hangs up
    without answering (the server did the work, the client never hears); ``"503"`` answers 503 with Retry-After: 0
    without forwarding; ``"429"`` and ``"429-long"`` answer a ``rate_limited`` problem with Retry-After: 1 and 3600
    without forwarding; ``"429-throttle"`` answers a bare 429 with Retry-After: 1 and no problem, as a proxy in front of
    Tollgate would; ``"429-text"`` and ``"503-text"`` answer ``slow down`` and ``unavailable`` as plain text, with no
    Retry-After; ``"hang"`` reads the request and never answers (until the proxy stops); ``"trickle"`` forwards it
    and sends the answer's headers at once, then its body one byte every 0.2 s; ``"pass"`` forwards as usual. ``bodies``
    holds each request's body."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.faults: list[str] = []
        self.requests: list[str] = []
        self.bodies: list[bytes] = []
        self._stopping = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                proxy.requests.append(f"{self.command} {self.path}")
                proxy.bodies.append(body)
                fault = proxy.faults.pop(0) if proxy.faults else None
                if fault == "hang":
                    proxy._stopping.wait()
                    self.close_connection = True
                    return
                if fault == "503":
                    self._answer(503, {"Retry-After": "0", "Content-Type": "application/problem+json"},
                                 b'{"status":503,"error":"http_503","detail":"try again"}')
                    return
                if fault == "408":
                    self._answer(408, {"Content-Type": "text/plain"}, b"Request Timeout")
                    return
                if fault == "429-throttle":
                    self._answer(429, {"Retry-After": "1", "Content-Type": "text/plain"}, b"Too Many Requests")
                    return
                if fault in ("429-text", "503-text"):
                    status, text = (429, b"slow down") if fault == "429-text" else (503, b"unavailable")
                    self._answer(status, {"Content-Type": "text/plain"}, text)
                    return
                if fault in ("429", "429-long"):
                    seconds = 1 if fault == "429" else 3600
                    self._answer(429, {"Retry-After": str(seconds), "Content-Type": "application/problem+json"},
                                 b'{"status":429,"error":"rate_limited","detail":"slow down","feature":"cv_generate",'
                                 b'"limit":2,"remaining":0,"retry_after":%d}' % seconds)
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
                answer = httpx.request(self.command, proxy.upstream + self.path, headers=headers, content=body, timeout=30)
                if fault == "lose":
                    self.close_connection = True
                    return
                if fault == "trickle":
                    self._trickle(answer)
                    return
                passed = {k: v for k, v in answer.headers.items()
                          if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding")}
                self._answer(answer.status_code, passed, answer.content)

            def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _trickle(self, answer: httpx.Response) -> None:
                self.close_connection = True
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers.get("content-type", "application/json"))
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                for i in range(len(answer.content)):
                    if proxy._stopping.wait(0.2):
                        return
                    try:
                        self.wfile.write(answer.content[i:i + 1])
                        self.wfile.flush()
                    except OSError:  # the client gave up: what the test wants
                        return

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FaultyProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()


def serve(upstream: str) -> Iterator[FaultyProxy]:
    with FaultyProxy(upstream) as proxy:
        yield proxy
