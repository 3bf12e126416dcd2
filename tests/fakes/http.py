"""A tiny threaded loopback HTTP server that records requests and can be told to misbehave."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Response:
    status: int
    body: bytes | str | dict | list = b""
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json"
    # Misbehaviours: wait before the status line; send the body a byte at a time `trickle` seconds
    # apart; send the body `repeat` times (a large answer without holding it in memory).
    stall: float = 0.0
    trickle: float = 0.0
    repeat: int = 1


class FakeServer:
    """Subclasses implement handle(request) -> Response. Queue faults with `fail_next`."""

    def __init__(self):
        self.requests: list[Request] = []
        self.faults: deque[tuple[str, Response]] = deque()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # each answer goes out at once, not after the 40 ms delayed-ACK wait

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parsed = urlparse(self.path)
                request = Request(self.command, parsed.path, parse_qs(parsed.query), {k.lower(): v for k, v in self.headers.items()}, body)
                with server.lock:
                    server.requests.append(request)
                    fault = next((f for f in server.faults if parsed.path.startswith(f[0])), None)
                    if fault:
                        server.faults.remove(fault)
                response = fault[1] if fault else server.handle(request)
                payload = response.body
                if isinstance(payload, (dict, list)):
                    payload = json.dumps(payload).encode()
                elif isinstance(payload, str):
                    payload = payload.encode()
                try:
                    self._answer(response, payload)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up: what the test wants
                    self.close_connection = True

            def _answer(self, response: Response, payload: bytes):
                if response.stall:
                    time.sleep(response.stall)
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(payload) * response.repeat))
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                for _ in range(response.repeat):
                    if response.trickle:
                        for i in range(len(payload)):
                            self.wfile.write(payload[i:i + 1])
                            self.wfile.flush()
                            time.sleep(response.trickle)
                    else:
                        self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # stop() waits for the loop to notice, up to one poll interval (0.5 s by default, at every test's teardown)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def fail_next(self, path_prefix: str, response: Response, times: int = 1):
        for _ in range(times):
            self.faults.append((path_prefix, response))

    def handle(self, request: Request) -> Response:
        return Response(404, {"errors": ["Not found"]})

    def calls(self, method: str, path: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path == path]
