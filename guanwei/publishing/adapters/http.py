"""The one way adapters speak HTTP: an httpx wrapper with timeouts, redacted logging and
errors translated into :class:`AdapterError`. It lives with the adapters (and imports
nothing else of guanwei) so that whatever reuses them — the dispatcher, the interaction
desk — gets both as one package.

What the caller learns from a failure that never produced a response:

* nothing was sent (DNS, refused connection, connect timeout, no free connection) →
  transient, ``unknown_outcome=False``: safe to send again;
* the request may have been sent (read/write timeout, connection reset mid-request,
  protocol error) → transient and, for a write, ``unknown_outcome=True``: the platform may
  have acted on it, so the dispatcher reconciles instead of retrying.

A total time limit: httpx's timeouts are per operation, so a server that trickles its answer
a byte at a time never times out. Inside :func:`call_deadline` every request of the thread
must END by the deadline (the body is read in chunks and the clock checked after each);
past it the request fails like a read timeout (of unknown outcome for a write).

Secrets never reach the log: query and form fields and JSON keys named like a secret
(``access_token``, ``secret``, ``sign`` …) are masked, and so is every value registered
with :meth:`HttpClient.add_secret` wherever it appears.
"""

from __future__ import annotations

import json as jsonlib
import logging
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from guanwei.publishing.adapters.base import AdapterError

log = logging.getLogger("guanwei.publishing.adapters.http")

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
MASK = "***"
SECRET_KEYS = frozenset(
    {
        "access_token",
        "refresh_token",
        "token",
        "secret",
        "appsecret",
        "app_secret",
        "client_secret",
        "password",
        "sign",
        "signature",
        "code",
        "key",
    }
)
_KEY_ALTERNATION = "|".join(sorted(SECRET_KEYS, key=len, reverse=True))
# key=value (query strings, form bodies) and "key": "value" (JSON), any case.
_TEXT_PATTERN = re.compile(
    rf"""(?ix)
    (?P<key>["']?\b(?:{_KEY_ALTERNATION})\b["']?)
    (?P<sep>\s*[:=]\s*["']?)
    (?P<value>[^"'&\s,;}}]+)
    """
)
_AUTH_HEADER = re.compile(r"(?i)\b(OAuth2|Bearer)\s+[^\s\"',]+")

Params = Mapping[str, Any]
Files = Mapping[str, tuple[str, bytes, str]]

# time.monotonic() by which every request in this context must have ended (None: no limit).
_DEADLINE: ContextVar[float | None] = ContextVar("guanwei_http_deadline", default=None)


@contextmanager
def call_deadline(seconds: float) -> Iterator[None]:
    """Every request made inside (in this thread or context) ends within ``seconds`` of
    entering, in total — connect, send, headers and the whole body. An enclosing, earlier
    deadline is kept."""
    limit = time.monotonic() + seconds
    outer = _DEADLINE.get()
    token = _DEADLINE.set(limit if outer is None else min(outer, limit))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


class _DeadlinePassed(Exception):
    pass


def redact_text(text: str, secrets: frozenset[str] | set[str] = frozenset()) -> str:
    """Mask ``key=value`` / ``"key": "value"`` pairs of secret-looking keys and every known
    secret value in free text (log lines, error bodies)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)} {MASK}", text)

    def mask(m: re.Match[str]) -> str:
        return f"{m.group('key')}{m.group('sep')}{MASK}"

    return _TEXT_PATTERN.sub(mask, text)


def redact_data(data: Any) -> Any:
    """A copy of a JSON-like structure with the values of secret-looking keys masked."""
    if isinstance(data, Mapping):
        return {
            k: (MASK if str(k).lower() in SECRET_KEYS else redact_data(v)) for k, v in data.items()
        }
    if isinstance(data, list | tuple):
        return [redact_data(v) for v in data]
    return data


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (k, MASK if k.lower() in SECRET_KEYS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


@dataclass(frozen=True)
class HttpResponse:
    """A response as adapters see it. ``url`` is already redacted."""

    method: str
    url: str
    status_code: int
    content: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    write: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The decoded body; a body that is not JSON is a transient error (a gateway page
        in front of the API), of unknown outcome when a write got a 2xx or 5xx."""
        try:
            return jsonlib.loads(self.content)
        except ValueError:
            unknown = self.write and not 400 <= self.status_code < 500
            raise AdapterError(
                f"{self.method} {self.url}: HTTP {self.status_code}, response is not JSON",
                permanent=False,
                code="bad_response",
                unknown_outcome=unknown,
                user_message="平台返回了无法识别的响应，稍后自动重试。",
                status=self.status_code,
            ) from None


_KNOWN_SECRETS: set[str] = set()
_KNOWN_LOCK = threading.Lock()


def remember_secret(value: str | None) -> None:
    """Mask this value wherever it would appear in a log line or error message."""
    if value and len(value) >= 6:
        with _KNOWN_LOCK:
            _KNOWN_SECRETS.add(value)


def redact(text: str) -> str:
    """:func:`redact_text` with every secret an adapter has registered."""
    with _KNOWN_LOCK:
        known = frozenset(_KNOWN_SECRETS)
    return redact_text(text, known)


class _RedactingFilter(logging.Filter):
    """httpx logs each request URL at INFO, query string (access_token) included."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        return True


# A logger's filters do not apply to its children's records: each logger that writes.
for _name in (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
):
    logging.getLogger(_name).addFilter(_RedactingFilter())


class HttpClient:
    """Thread-safe; share one per process or per adapter. ``transport`` lets tests plug an
    ``httpx.MockTransport``."""

    def __init__(
        self,
        *,
        connect_timeout: float = CONNECT_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        user_agent: str = "guanwei/0.1 (+https://github.com/guanwei)",
    ) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._client = httpx.Client(
            timeout=self._timeout(None),
            transport=transport,
            headers={"User-Agent": user_agent},
            follow_redirects=False,
        )

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add_secret(self, value: str | None) -> None:
        """Mask this value wherever it would appear in a log line or error message (the
        registry is process-wide: httpx's own log lines are filtered too)."""
        remember_secret(value)

    def redact(self, text: str) -> str:
        return redact(text)

    # ------------------------------------------------------------------ requests

    def get(
        self,
        url: str,
        *,
        params: Params | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> HttpResponse:
        return self.request("GET", url, params=params, headers=headers, timeout=timeout)

    def post(
        self,
        url: str,
        *,
        params: Params | None = None,
        data: Params | None = None,
        json: Any = None,
        files: Files | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        write: bool = True,
    ) -> HttpResponse:
        """``write=False`` for POSTs that only read (WeChat's list endpoints, token calls):
        their failures are never of unknown outcome."""
        return self.request(
            "POST",
            url,
            params=params,
            data=data,
            json=json,
            files=files,
            headers=headers,
            timeout=timeout,
            write=write,
        )

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        data: Params | None = None,
        json: Any = None,
        files: Files | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        write: bool = False,
    ) -> HttpResponse:
        shown = self.redact(redact_url(_with_params(url, params)))
        if log.isEnabledFor(logging.DEBUG):
            body: Any = json if json is not None else data
            extra = f" files={sorted(files)}" if files else ""
            log.debug(
                "→ %s %s body=%s%s",
                method,
                shown,
                self.redact(_dump(redact_data(body))) if body is not None else "-",
                extra,
            )
        content = None
        if json is not None:
            content = jsonlib.dumps(json, ensure_ascii=False).encode("utf-8")
            headers = {**(headers or {}), "Content-Type": "application/json; charset=utf-8"}
        started = time.monotonic()
        deadline = _DEADLINE.get()
        try:
            if deadline is not None and started >= deadline:
                # Nothing of this request went out: never of unknown outcome.
                raise self._overran(method, shown, False, started)
            with self._client.stream(
                method,
                url,
                params=_stringify(params),
                data=_stringify(data),
                content=content,
                files=files,
                headers=headers,
                timeout=self._timeout(timeout, deadline),
            ) as response:
                chunks = []
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    if deadline is not None and time.monotonic() >= deadline:
                        raise _DeadlinePassed
                body = b"".join(chunks)
        except httpx.HTTPError as e:
            raise self._translate(e, method, shown, write, started) from None
        except _DeadlinePassed:
            raise self._overran(method, shown, write, started) from None
        elapsed = (time.monotonic() - started) * 1000
        log.info("%s %s → HTTP %s in %.0f ms", method, shown, response.status_code, elapsed)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("← %s", self.redact(body[:2000].decode("utf-8", errors="replace")))
        return HttpResponse(
            method=method,
            url=shown,
            status_code=response.status_code,
            content=body,
            headers=dict(response.headers),
            write=write,
        )

    # ------------------------------------------------------------------ helpers

    def _timeout(self, read: float | None, deadline: float | None = None) -> httpx.Timeout:
        read = self.read_timeout if read is None else read
        connect = self.connect_timeout
        if deadline is not None:  # no single wait longer than what is left
            left = max(deadline - time.monotonic(), 0.001)
            read, connect = min(read, left), min(connect, left)
        return httpx.Timeout(read, connect=connect, pool=connect)

    def _overran(self, method: str, shown: str, write: bool, started: float) -> AdapterError:
        """The request did not end by the call's total deadline (:func:`call_deadline`)."""
        elapsed = time.monotonic() - started
        log.warning("%s %s cut at its total time limit after %.1f s", method, shown, elapsed)
        user = f"平台超过 {elapsed:.0f} 秒仍未完成应答，已停止等待"
        if write:
            user += "，请求可能已送达，系统将向平台核实是否已发布，不会盲目重发。"
        else:
            user += "，稍后自动重试。"
        return AdapterError(
            f"{method} {shown} exceeded the call's total time limit after {elapsed:.1f} s",
            permanent=False,
            code="timeout",
            unknown_outcome=write,
            user_message=user,
        )

    def _translate(
        self, e: httpx.HTTPError, method: str, shown: str, write: bool, started: float
    ) -> AdapterError:
        elapsed = (time.monotonic() - started) * 1000
        never_sent = isinstance(e, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
        if isinstance(e, httpx.TimeoutException):
            kind, code = "timed out", "timeout"
            user = "平台响应超时"
        else:
            kind, code = "failed", "network"
            user = "无法连接平台"
        unknown = write and not never_sent
        if unknown:
            user += "，请求可能已送达，系统将向平台核实是否已发布，不会盲目重发。"
        else:
            user += "，稍后自动重试。"
        detail = self.redact(f"{type(e).__name__}: {e}")
        log.warning("%s %s %s after %.0f ms (%s)", method, shown, kind, elapsed, detail)
        return AdapterError(
            f"{method} {shown} {kind}: {detail}",
            permanent=False,
            code=code,
            unknown_outcome=unknown,
            user_message=user,
        )


_SHARED: HttpClient | None = None
_SHARED_LOCK = threading.Lock()


def shared_client() -> HttpClient:
    """The process-wide client adapters use when given none: one connection pool, default
    timeouts. Never closed (it lives as long as the process)."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = HttpClient()
        return _SHARED


def _with_params(url: str, params: Params | None) -> str:
    if not params:
        return url
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}{urlencode(_stringify(params) or {})}"


def _stringify(params: Params | None) -> dict[str, str] | None:
    if params is None:
        return None
    return {k: _scalar(v) for k, v in params.items() if v is not None}


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _dump(body: Any) -> str:
    try:
        return jsonlib.dumps(body, ensure_ascii=False, default=str)[:2000]
    except (TypeError, ValueError):
        return repr(body)[:2000]
