"""The fake Weibo's demo credentials, records and counting rules."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

DEMO_UID = "1000001"
DEMO_TOKEN = "demo-weibo-token"
APP_KEY = "demo-weibo-app"
APP_SECRET = "demo-weibo-secret"
SAFE_DOMAIN = "https://weather.example.gov.cn"
TOKEN_TTL = 157679999
REVIEW_MESSAGE = "Your Weibo has been successfully released and needs manual review for 3 minutes"
CST = timezone(timedelta(hours=8))
URL = re.compile(r"https?://[^\s<>\"'，。！？、）)]+", re.IGNORECASE)
TOPIC = re.compile(r"#[^#\s]{1,64}#")
PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
SOURCE = '<a href="https://open.weibo.com" rel="nofollow">官微演示应用</a>'


def weibo_length(text: str) -> int:
    """Characters as Weibo counts them: a non-ASCII character 1, an ASCII one ½, rounded up."""
    halves = sum(1 if ord(ch) < 128 else 2 for ch in text)
    return (halves + 1) // 2


def similar_key(text: str) -> str:
    return PUNCT.sub("", URL.sub("", text)).lower()


def same_site(url: str, domain: str) -> bool:
    host = (urlsplit(domain if "://" in domain else f"https://{domain}").hostname or "").lower()
    got = (urlsplit(url).hostname or "").lower()
    return bool(host) and (got == host or got.endswith(f".{host}"))


def weibo_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, CST).strftime("%a %b %d %H:%M:%S %z %Y")


@dataclass
class Token:
    value: str
    uid: str
    appkey: str
    created: float
    expires: float
    revoked: bool = False


@dataclass
class Status:
    id: int
    uid: str
    text: str
    created: float
    pic: bytes = b""
    deleted: bool = False
    likes: int = 0
    reposts: int = 0
    review_until: float = 0.0  # held for manual review (20053) until then


@dataclass
class Comment:
    id: int
    status_id: int
    uid: str
    text: str
    created: float
    reply_to: int = 0
    deleted: bool = False


@dataclass
class Ids:
    status: int = 9_100_000_000_000_001  # > 2**53 and odd: not representable as a float
    comment: int = 9_200_000_000_000_001

    def next_status(self) -> int:
        self.status += 2
        return self.status

    def next_comment(self) -> int:
        self.comment += 2
        return self.comment


@dataclass
class Data:
    users: dict[str, str] = field(default_factory=dict)  # uid → screen name
    # uid → verified, verified_type, verified_reason, followers_count (users/show, E-06)
    profiles: dict[str, dict[str, object]] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    codes: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # client, uri, uid
    statuses: dict[int, Status] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    friends: dict[str, list[str]] = field(default_factory=dict)
    post_times: dict[str, list[float]] = field(default_factory=dict)
    ids: Ids = field(default_factory=Ids)
    # Per status: its comments in order of id (ids only grow), their ids, and the ids of
    # the deleted ones (sorted): a page of comments/show and a status's comment count cost
    # O(log n + page), not a scan of every comment the fake holds.
    by_status: dict[int, list[Comment]] = field(default_factory=dict)
    by_status_ids: dict[int, list[int]] = field(default_factory=dict)
    deleted_ids: dict[int, list[int]] = field(default_factory=dict)

    def add_comment(self, comment: Comment) -> None:
        self.comments[comment.id] = comment
        ids = self.by_status_ids.setdefault(comment.status_id, [])
        comments = self.by_status.setdefault(comment.status_id, [])
        if ids and comment.id < ids[-1]:  # not the newest (never, with Ids): keep the order
            at = bisect.bisect_left(ids, comment.id)
            ids.insert(at, comment.id)
            comments.insert(at, comment)
        else:
            ids.append(comment.id)
            comments.append(comment)

    def delete_comment(self, comment: Comment) -> None:
        if not comment.deleted:
            comment.deleted = True
            bisect.insort(self.deleted_ids.setdefault(comment.status_id, []), comment.id)

    def live_comments(self, status_id: int) -> list[Comment]:
        """The status's comments not deleted, oldest first."""
        return [c for c in self.by_status.get(status_id, []) if not c.deleted]

    def comment_count(self, status_id: int, since: int = 0, until: int = 0) -> int:
        """Comments of the status not deleted with since < id (≤ until when until)."""
        ids = self.by_status_ids.get(status_id, [])
        gone = self.deleted_ids.get(status_id, [])
        lo, hi = bisect.bisect_right(ids, since), len(ids)
        glo, ghi = bisect.bisect_right(gone, since), len(gone)
        if until:
            hi, ghi = bisect.bisect_right(ids, until), bisect.bisect_right(gone, until)
        return max(hi - lo, 0) - max(ghi - glo, 0)

    def comments_newest_first(
        self, status_id: int, since: int, until: int, skip: int, count: int
    ) -> list[Comment]:
        """A page of comments/show: not deleted, since < id (≤ until), newest first,
        ``skip`` left out, at most ``count``."""
        ids = self.by_status_ids.get(status_id, [])
        comments = self.by_status.get(status_id, [])
        lo = bisect.bisect_right(ids, since)
        hi = bisect.bisect_right(ids, until) if until else len(ids)
        out: list[Comment] = []
        for i in range(hi - 1, lo - 1, -1):
            c = comments[i]
            if c.deleted:
                continue
            if skip:
                skip -= 1
                continue
            out.append(c)
            if len(out) >= count:
                break
        return out
