"""The adapter interface: plain data in and out, one error type, one base class.

Adapters speak a platform's HTTP API (or write files) and know nothing of the ORM: the
dispatcher hands them a :class:`PublishRequest` and the channel's settings record, and
gets back a :class:`PublishResult` or an :class:`AdapterError` that says whether trying
again can help (``permanent``) and whether the platform may have acted on the request
anyway (``unknown_outcome``).
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from guanwei.publishing.http import HttpClient


@dataclass(frozen=True)
class Media:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class PublishRequest:
    key: str  # idempotency key "rev<id>-ch<id>", for logs and (where a platform allows) dedupe
    text: str
    title: str = ""
    media: tuple[Media, ...] = ()
    link: str = ""
    author: str = ""
    digest: str = ""


@dataclass(frozen=True)
class PublishResult:
    remote_id: str
    url: str = ""
    state: str = "published"  # or "pending" (WeChat's asynchronous publish)
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RemotePost:
    remote_id: str
    text: str
    created_at: datetime | None
    url: str = ""


@dataclass(frozen=True)
class RemoteComment:
    remote_id: str
    post_id: str
    text: str
    author: str
    created_at: datetime | None
    reply_to: str = ""


class AdapterError(Exception):
    """The one error adapters raise.

    ``message`` is English for logs (secrets already redacted); ``user_message`` is a
    Chinese cause a person can act on. ``code`` is a stable word the caller may branch on
    (``auth``, ``duplicate``, ``rate_limited``, ``timeout`` …, see docs/platforms.md);
    ``platform_code`` is the platform's own number (``21327``, ``40001``).

    ``unknown_outcome`` is True when the request may or may not have reached the platform
    (timeout after sending, connection reset mid-request, 5xx on a creating POST): do not
    retry blindly, reconcile (:meth:`Adapter.find_published`).
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        code: str = "",
        user_message: str = "",
        unknown_outcome: bool = False,
        platform_code: str = "",
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent and not unknown_outcome
        self.code = code
        self.platform_code = platform_code
        self.status = status
        self.unknown_outcome = unknown_outcome
        self.user_message = user_message or (
            "平台拒绝了该请求，请检查内容或账号设置后重新提交。"
            if self.permanent
            else "平台暂时无法完成请求，系统将稍后自动重试。"
        )

    @property
    def transient(self) -> bool:
        return not self.permanent

    def __str__(self) -> str:
        return f"[{self.code or 'error'}] {self.message}"

    def __repr__(self) -> str:
        return (
            f"AdapterError({self.message!r}, permanent={self.permanent}, code={self.code!r}, "
            f"platform_code={self.platform_code!r}, unknown_outcome={self.unknown_outcome})"
        )


def unsupported(platform: str, what: str) -> AdapterError:
    return AdapterError(
        f"{platform}: {what} is not supported",
        permanent=True,
        code="unsupported",
        user_message=f"该平台不支持此操作（{what}）。",
    )


_URL = re.compile(r"https?://[^\s<>\"'，。！？、）)]+", re.IGNORECASE)


def normalise_text(text: str) -> str:
    """Text as compared when reconciling: NFKC, links and whitespace dropped (platforms
    shorten links, wrap lines and trim)."""
    text = unicodedata.normalize("NFKC", text)
    text = _URL.sub("", text)
    return re.sub(r"\s+", "", text)


def find_urls(text: str) -> list[str]:
    return _URL.findall(text)


def sniff_image(data: bytes) -> str:
    """The image type by magic bytes ("" if not an image): callers' content types lie."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data.startswith(b"BM"):
        return "image/bmp"
    return ""


def first_image(media: tuple[Media, ...]) -> Media | None:
    """The first attachment that really is an image, with its true content type."""
    for item in media:
        kind = sniff_image(item.data)
        if kind:
            return Media(filename=item.filename, content_type=kind, data=item.data)
    return None


def images(media: tuple[Media, ...]) -> list[Media]:
    found = []
    for item in media:
        kind = sniff_image(item.data)
        if kind:
            found.append(Media(filename=item.filename, content_type=kind, data=item.data))
    return found


def placeholder_png(
    width: int = 120, height: int = 120, rgb: tuple[int, int, int] = (200, 16, 46)
) -> bytes:
    """A small solid-colour PNG (a cover when a post has no picture)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


class Adapter(ABC):
    """One platform account. ``settings`` is the channel's plain settings record; ``client``
    may be shared between adapters (one connection pool per process)."""

    platform: ClassVar[str]
    # What this platform can do: publish, delete, comments, follows, metrics.
    features: ClassVar[frozenset[str]] = frozenset({"publish", "delete"})

    # After an unknown outcome, how long a post may take to show in recent_posts: only
    # after this long does "not found" mean "never arrived". Channel setting
    # ``settle_seconds`` overrides it (the fakes publish in a second or two).
    default_settle_seconds: ClassVar[int] = 0

    def __init__(self, settings: Mapping[str, str], *, client: HttpClient | None = None) -> None:
        self.settings = settings
        if client is None:
            from guanwei.publishing.http import shared_client

            client = shared_client()
        self.client = client

    @property
    def settle_seconds(self) -> int:
        try:
            return int(self.settings.get("settle_seconds") or self.default_settle_seconds)
        except (TypeError, ValueError):
            return self.default_settle_seconds

    def setting(self, name: str, default: str | None = None) -> str:
        value = self.settings.get(name)
        if value is None or str(value).strip() == "":
            if default is not None:
                return default
            raise AdapterError(
                f"{self.platform}: channel setting {name!r} is missing",
                permanent=True,
                code="config",
                user_message=f"账号接入设置缺少“{name}”，请由保管人补全后重试。",
            )
        return str(value).strip()

    # ------------------------------------------------------------------ publishing

    @abstractmethod
    def publish(self, req: PublishRequest) -> PublishResult: ...

    def publish_status(self, remote_id: str) -> PublishResult:
        """Synchronous platforms: a publish that returned is published."""
        return PublishResult(remote_id=remote_id, state="published")

    @abstractmethod
    def delete(self, remote_id: str) -> None: ...

    @abstractmethod
    def recent_posts(self, limit: int = 50) -> list[RemotePost]: ...

    def expected_text(self, req: PublishRequest) -> str:
        """What the platform shows as the post's text when ``req`` was published."""
        return req.text

    def find_published(
        self, req: PublishRequest, *, limit: int = 50, sent_after: datetime | None = None
    ) -> PublishResult | None:
        """Reconcile an unknown outcome: the recent post whose text matches ``req``
        (links and whitespace ignored), or None. Raises AdapterError when the platform
        cannot be asked (then ask again later)."""
        wanted = normalise_text(self.expected_text(req))
        if not wanted:
            return None
        for post in self.recent_posts(limit=limit):
            if normalise_text(post.text) == wanted:
                return PublishResult(
                    remote_id=post.remote_id, url=post.url, raw={"reconciled": True}
                )
        return None

    # ------------------------------------------------------------------ interaction

    def fetch_comments(self, remote_id: str, since_id: str = "") -> list[RemoteComment]:
        raise unsupported(self.platform, "comments")

    def reply_comment(self, remote_id: str, comment_id: str, text: str) -> str:
        raise unsupported(self.platform, "comments")

    def delete_comment(self, remote_id: str, comment_id: str) -> None:
        raise unsupported(self.platform, "comments")

    def fetch_follows(self) -> list[str]:
        raise unsupported(self.platform, "follows")

    def metrics(self, remote_id: str) -> dict[str, int]:
        return {}
