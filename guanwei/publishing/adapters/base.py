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
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from guanwei.publishing.adapters.http import HttpClient


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
    author_id: str = ""


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


@dataclass(frozen=True)
class RemoteAccount:
    """What a platform says of an account (E-06): its verification (加V) and followers.
    ``verified`` None: the platform does not say (WeChat documents no such field)."""

    uid: str
    name: str = ""
    verified: bool | None = None
    verified_type: int | None = None  # Weibo: -1 none, 0 personal (橙V), 1..7 bodies (蓝V)
    verified_reason: str = ""
    followers: int | None = None


_URL = re.compile(r"https?://[^\s<>\"'，。！？、）)]+", re.IGNORECASE)
# Hosts of the platforms' link shorteners: such a link on the platform stands for
# whichever link was sent in its place (Weibo rewrites links to t.cn).
SHORT_LINK_HOSTS = frozenset({"t.cn"})
# How far the platform's clock (and its whole-second times) may lag ours when deciding
# whether a remote post was created after an attempt was sent.
CLOCK_SKEW = timedelta(seconds=5)


def normalise_text(text: str) -> str:
    """Text as compared when reconciling, without its links: NFKC, whitespace dropped
    (platforms wrap lines and trim). Links are compared by :func:`same_post_text`."""
    text = unicodedata.normalize("NFKC", text)
    text = _URL.sub("", text)
    return re.sub(r"\s+", "", text)


def _link_key(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}{path}{query}"


def _pieces(text: str) -> tuple[list[str], list[str]]:
    """The text between links (normalised) and the links, in order."""
    text = unicodedata.normalize("NFKC", text)
    words = [re.sub(r"\s+", "", chunk) for chunk in _URL.split(text)]
    return words, _URL.findall(text)


def same_post_text(sent: str, remote: str) -> bool:
    """Whether ``remote`` (a post as the platform shows it) is ``sent``: the same words,
    whitespace and full-width forms aside, and the same links in the same places — a
    link of a platform shortener (:data:`SHORT_LINK_HOSTS`) matching any link."""
    sent_words, sent_links = _pieces(sent)
    remote_words, remote_links = _pieces(remote)
    if sent_words != remote_words or len(sent_links) != len(remote_links):
        return False
    return all(
        _link_key(ours) == _link_key(theirs)
        or (urlsplit(theirs).hostname or "").lower() in SHORT_LINK_HOSTS
        for ours, theirs in zip(sent_links, remote_links, strict=True)
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


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
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
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
            from guanwei.publishing.adapters.http import shared_client

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

    def still_up(self, remote_id: str) -> bool:
        """Whether the post is still on the platform (read back after a deletion whose
        answer was lost, W-11). AdapterError when the platform cannot say. Here: in the
        account's recent posts; adapters that can ask for one post override it."""
        return any(p.remote_id == remote_id for p in self.recent_posts(100))

    def expected_text(self, req: PublishRequest) -> str:
        """What the platform shows as the post's text when ``req`` was published."""
        return req.text

    @property
    def clock_skew(self) -> timedelta:
        """Channel setting ``clock_skew_seconds`` overrides :data:`CLOCK_SKEW`."""
        try:
            return timedelta(seconds=float(self.settings.get("clock_skew_seconds") or "x"))
        except (TypeError, ValueError):
            return CLOCK_SKEW

    def find_published(
        self, req: PublishRequest, *, limit: int = 50, sent_after: datetime | None = None
    ) -> PublishResult | None:
        """Reconcile an unknown outcome: the account's post that is ``req`` — the same
        text, whitespace aside, with the same links (:func:`same_post_text`) — or None.

        ``sent_after`` (the attempt's send time): only a post created at or after it
        (less :attr:`clock_skew`) can match, so yesterday's identical forecast is not
        taken for today's; a post without a creation time then never matches. Of several
        matches the earliest is ours. Raises AdapterError when the platform cannot be
        asked (then ask again later)."""
        wanted = self.expected_text(req)
        if not normalise_text(wanted) and not find_urls(wanted):
            return None
        earliest = _aware(sent_after) - self.clock_skew if sent_after is not None else None
        matches = [
            post
            for post in self.recent_posts(limit=limit)
            if same_post_text(wanted, post.text)
            and (
                earliest is None
                or (post.created_at is not None and _aware(post.created_at) >= earliest)
            )
        ]
        if not matches:
            return None
        if earliest is not None:  # the first after the attempt; else the newest (listed first)
            matches.sort(key=lambda post: _aware(post.created_at or datetime.max))
        post = matches[0]
        return PublishResult(remote_id=post.remote_id, url=post.url, raw={"reconciled": True})

    # ------------------------------------------------------------------ interaction

    def fetch_comments(self, remote_id: str, since_id: str = "") -> list[RemoteComment]:
        raise unsupported(self.platform, "comments")

    def reply_comment(self, remote_id: str, comment_id: str, text: str) -> str:
        raise unsupported(self.platform, "comments")

    def delete_comment(self, remote_id: str, comment_id: str) -> None:
        raise unsupported(self.platform, "comments")

    def find_reply(self, remote_id: str, comment_id: str, text: str) -> str | None:
        """The account's reply ``text`` to comment ``comment_id`` as the platform lists it
        (its id), or None: how a reply whose outcome is unknown is checked (W-20)."""
        raise unsupported(self.platform, "comments")

    # Whether the platform can take a comment out of public view and put it back (W-18):
    # WeChat's 精选 (markelect / unmarkelect); Weibo's API has no such call.
    can_hide_comments: ClassVar[bool] = False

    def hide_comment(self, remote_id: str, comment_id: str) -> None:
        raise unsupported(self.platform, "hide comment")

    def unhide_comment(self, remote_id: str, comment_id: str) -> None:
        raise unsupported(self.platform, "hide comment")

    def fetch_follows(self) -> list[str]:
        raise unsupported(self.platform, "follows")

    def metrics(self, remote_id: str) -> dict[str, int]:
        return {}

    def metrics_many(self, remote_ids: list[str]) -> dict[str, dict[str, int]]:
        """``metrics`` of several posts (remote id → figures); platforms with a batch call
        override it. A post the platform no longer has is left out."""
        found: dict[str, dict[str, int]] = {}
        for remote_id in remote_ids:
            try:
                found[remote_id] = self.metrics(remote_id)
            except AdapterError as e:
                if e.code != "not_found":
                    raise
        return found

    def account_info(self, uid: str = "") -> RemoteAccount:
        """The account's verification and followers (E-06); ``uid`` empty: this account."""
        raise unsupported(self.platform, "account info")
