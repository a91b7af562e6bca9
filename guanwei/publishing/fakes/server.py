"""What every fake platform shares: an HTTP server on the standard library, request
parsing (query, form, multipart, JSON), fault injection and the post counter.

Stdlib only, and nothing of guanwei's apps: the fakes must not share code (or bugs) with
the adapters they test.

Fault injection (``POST /__control__`` with a JSON object; any subset of keys):

``fail_next`` n + ``status`` (default 500) [+ ``errcode`` / ``error_code`` for a platform
error envelope] — the next n API requests fail without being processed;
``delay_ms`` — every response waits this long;
``hang_next`` n [+ ``hang_after_commit`` true] [+ ``hang_ms``, default 20000] — the next n
API requests get no answer until the client has given up; with ``hang_after_commit`` the
request IS processed first ("the platform got it but we never heard back");
``slow_next`` n or ``slow_every`` n [+ ``slow_ms``, default 5000] — the next n requests (or
every n-th) wait ``slow_ms``, THEN are processed and answered (a live but slow call: the
platform acts late);
``trickle_next`` n [+ ``trickle_ms``, default 250] — the next n API requests are processed, then
answered one byte of the body every ``trickle_ms`` (a live connection that never times out
per read, but never ends either: only a total time limit stops the client);
``path`` — limit ``fail_next``/``hang_next``/``slow_*``/``trickle_next`` to paths containing
this string (without it they apply to API calls but never to the token/OAuth endpoints);
``rate_limit_per_hour`` n; ``expire_tokens`` true; ``reset`` true; platform keys (see each).

``GET /__stats__`` → ``{"posts": n, "by_text_hash": {text_hash(text): n}, "requests": n,
"by_path": {...}}``. ``GET /`` → an HTML page of the account's timeline.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger("guanwei.fakes")

CONTROL, STATS = "/__control__", "/__stats__"
_TOKEN_IN_PATH = re.compile(r"(?i)(access_token|secret)=[^&\s\"]+")


def text_hash(text: str) -> str:
    """The key of ``/__stats__``'s ``by_text_hash``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)  # name, type, data
    json: Any = None
    body: bytes = b""

    def param(self, name: str, default: str = "") -> str:
        """A parameter from the form body or the query string."""
        return self.form.get(name, self.query.get(name, default))


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def html_response(page: str, status: int = 200) -> Response:
    return Response(status, page.encode("utf-8"), "text/html; charset=utf-8")


@dataclass
class Faults:
    fail_next: int = 0
    fail_status: int = 500
    fail_code: int | None = None
    fail_path: str = ""
    delay_ms: int = 0
    hang_next: int = 0
    hang_after_commit: bool = False
    hang_ms: int = 20000
    hang_path: str = ""
    slow_next: int = 0
    slow_every: int = 0
    slow_ms: int = 0
    slow_path: str = ""
    slow_seen: int = 0
    trickle_next: int = 0
    trickle_ms: int = 250
    trickle_path: str = ""

    def update(self, options: dict[str, Any]) -> None:
        if "fail_next" in options:
            self.fail_next = int(options["fail_next"])
            self.fail_status = int(options.get("status", 500))
            code = options.get("errcode", options.get("error_code"))
            self.fail_code = None if code is None else int(code)
            self.fail_path = str(options.get("path", ""))
        if "delay_ms" in options:
            self.delay_ms = int(options["delay_ms"])
        if "hang_next" in options:
            self.hang_next = int(options["hang_next"])
            self.hang_after_commit = bool(options.get("hang_after_commit", False))
            self.hang_ms = int(options.get("hang_ms", 20000))
            self.hang_path = str(options.get("path", ""))
        if "slow_next" in options or "slow_every" in options:
            self.slow_next = int(options.get("slow_next", 0))
            self.slow_every = int(options.get("slow_every", 0))
            self.slow_ms = int(options.get("slow_ms", 5000))
            self.slow_path = str(options.get("path", ""))
            self.slow_seen = 0
        if "trickle_next" in options:
            self.trickle_next = int(options["trickle_next"])
            self.trickle_ms = int(options.get("trickle_ms", 250))
            self.trickle_path = str(options.get("path", ""))

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Platform:
    """One fake platform: override ``routes``, ``seed``, ``fail_response``, ``timeline``.

    Handlers run under ``self.lock``; they must not sleep."""

    name = "fake"
    default_rate_limit = 30
    # Paths faults never touch unless a control ``path`` names them.
    exempt_prefixes: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        self.base_url = ""
        self.faults = Faults()
        self.posts = 0
        self.by_text_hash: Counter[str] = Counter()
        self.requests = 0
        self.by_path: Counter[str] = Counter()
        self.rate_limit_per_hour = self.default_rate_limit
        self.seed()
        self._routes = self.routes()

    # ------------------------------------------------------------------ to override

    def seed(self) -> None:
        """(Re)build the in-memory state with the demo account's data."""

    def routes(self) -> dict[tuple[str, str], Callable[[Request], Response]]:
        return {}

    def not_found(self, req: Request) -> Response:
        return json_response({"error": "not found", "path": req.path}, 404)

    def fail_response(self, req: Request, status: int, code: int | None) -> Response:
        return json_response({"error": "injected failure"}, status)

    def control(self, options: dict[str, Any]) -> None:
        """Platform-specific control keys."""

    def timeline(self) -> str:
        return "<!DOCTYPE html><title>fake</title>"

    # ------------------------------------------------------------------ shared

    def record_post(self, text: str) -> None:
        self.posts += 1
        self.by_text_hash[text_hash(text)] += 1

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "platform": self.name,
                "posts": self.posts,
                "by_text_hash": dict(self.by_text_hash),
                "requests": self.requests,
                "by_path": dict(self.by_path),
                "faults": self.faults.as_dict(),
                "rate_limit_per_hour": self.rate_limit_per_hour,
            }

    def apply_control(self, options: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            if options.get("reset"):
                self.faults = Faults()
                self.posts, self.requests = 0, 0
                self.by_text_hash.clear()
                self.by_path.clear()
                self.rate_limit_per_hour = self.default_rate_limit
                self.seed()
            if "rate_limit_per_hour" in options:
                self.rate_limit_per_hour = int(options["rate_limit_per_hour"])
            self.faults.update(options)
            self.control(options)
        return self.stats()

    def _matches(self, path: str, only: str) -> bool:
        if only:
            return only in path
        return not path.startswith(self.exempt_prefixes)

    def take_fault(self, path: str) -> tuple[str, Faults] | None:
        """ "fail", "hang", "hang_after_commit", "slow" or "trickle" for this request, or
        None."""
        with self.lock:
            f = self.faults
            if f.trickle_next > 0 and self._matches(path, f.trickle_path):
                f.trickle_next -= 1
                return "trickle", f
            if f.hang_next > 0 and self._matches(path, f.hang_path):
                f.hang_next -= 1
                return ("hang_after_commit" if f.hang_after_commit else "hang"), f
            if f.fail_next > 0 and self._matches(path, f.fail_path):
                f.fail_next -= 1
                return "fail", f
            if (f.slow_next > 0 or f.slow_every > 0) and self._matches(path, f.slow_path):
                f.slow_seen += 1
                if f.slow_next > 0:
                    f.slow_next -= 1
                    return "slow", f
                if f.slow_seen % f.slow_every == 0:
                    return "slow", f
        return None

    def handle(self, req: Request) -> Response:
        with self.lock:
            self.requests += 1
            self.by_path[req.path] += 1
            route = self._routes.get((req.method, req.path))
            if route is None:
                if any(path == req.path for _, path in self._routes):
                    return self.wrong_method(req)
                return self.not_found(req)
            return route(req)

    def wrong_method(self, req: Request) -> Response:
        return json_response({"error": "method not allowed"}, 405)


def parse_body(req: Request) -> None:
    ctype = req.headers.get("content-type", "")
    if not req.body:
        return
    if ctype.startswith("application/x-www-form-urlencoded"):
        parsed = parse_qs(req.body.decode("utf-8", errors="replace"), keep_blank_values=True)
        req.form = {k: v[0] for k, v in parsed.items()}
    elif ctype.startswith("multipart/form-data"):
        head = f"Content-Type: {ctype}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + req.body)
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition") or "")
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is None:
                req.form[name] = data.decode("utf-8", errors="replace")
            else:
                req.files[name] = (filename, part.get_content_type(), data)
    elif ctype.startswith("application/json") or req.body[:1] in (b"{", b"["):
        try:
            req.json = json.loads(req.body)
        except ValueError:
            req.json = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes
    server: FakeServer

    def log_message(self, format: str, *args: Any) -> None:
        line = _TOKEN_IN_PATH.sub(r"\1=***", format % args)
        log.debug("%s %s", self.server.platform.name, line)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        platform = self.server.platform
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        req = Request(method, parts.path, query, headers, body=body)
        parse_body(req)
        try:
            if req.path == CONTROL and method == "POST":
                options = req.json if isinstance(req.json, dict) else {}
                self._send(json_response(platform.apply_control(options)))
                return
            if req.path == STATS:
                self._send(json_response(platform.stats()))
                return
            self._api(platform, req)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _api(self, platform: Platform, req: Request) -> None:
        delay = platform.faults.delay_ms
        if delay:
            platform.stopping.wait(delay / 1000)
        fault = platform.take_fault(req.path)
        if fault is None:
            self._send(self._safe_handle(platform, req))
            return
        kind, faults = fault
        if kind == "slow":  # alive but slow: the platform acts late, then answers
            platform.stopping.wait(faults.slow_ms / 1000)
            self._send(self._safe_handle(platform, req))
            return
        if kind == "trickle":  # processed; the answer comes a byte at a time
            self._send(self._safe_handle(platform, req), trickle_s=faults.trickle_ms / 1000)
            return
        if kind == "fail":
            with platform.lock:
                platform.requests += 1
                platform.by_path[req.path] += 1
            self._send(platform.fail_response(req, faults.fail_status, faults.fail_code))
            return
        response = self._safe_handle(platform, req) if kind == "hang_after_commit" else None
        platform.stopping.wait(faults.hang_ms / 1000)
        if response is not None:
            self._send(response)  # the client has long given up
        self.close_connection = True

    def _safe_handle(self, platform: Platform, req: Request) -> Response:
        try:
            return platform.handle(req)
        except Exception:  # a bug in the fake must not hang the client
            log.exception("%s: error handling %s %s", platform.name, req.method, req.path)
            return json_response({"error": "fake platform crashed"}, 500)

    def _send(self, response: Response, trickle_s: float = 0.0) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if not trickle_s:
            self.wfile.write(response.body)
            self.wfile.flush()
            return
        self.wfile.flush()
        stopping = self.server.platform.stopping
        for i in range(len(response.body)):
            if stopping.wait(trickle_s):
                break
            self.wfile.write(response.body[i : i + 1])
            self.wfile.flush()
        self.close_connection = True


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, platform: Platform, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), _Handler)
        self.platform = platform
        bound_host, bound_port = self.server_address[:2]
        shown = bound_host if isinstance(bound_host, str) else bound_host.decode()
        platform.base_url = f"http://{shown}:{bound_port}"
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return self.platform.base_url

    def start(self) -> FakeServer:
        self._thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"fake-{self.platform.name}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.platform.stopping.set()  # wakes handlers sleeping in a hang or delay
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def now() -> float:
    return time.time()
