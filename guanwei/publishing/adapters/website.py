"""A static website: one HTML page per post, an index page, RSS 2.0 and Atom feeds.

Settings: ``site_dir`` (required), ``base_url`` (the site's public URL, e.g.
https://www.example.gov.cn/news), ``title`` (the site's name), ``description``,
``time_zone`` (the times pages and feeds show; default Asia/Shanghai).

Layout: ``posts/<remote_id>.html`` (the page, every text escaped), ``posts/<remote_id>.json``
(what was published, read back by :meth:`recent_posts`), ``posts/<remote_id>/<picture>``,
``index.html``, ``feed.rss``, ``feed.atom``. The remote id is derived from the request's
idempotency key, so publishing the same key twice writes one page. Every file is replaced
atomically; a lock file serialises writers across processes.
"""

from __future__ import annotations

import contextlib
import html
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feedgen.feed import FeedGenerator

from guanwei.publishing.adapters.base import (
    AdapterError,
    Media,
    PublishRequest,
    PublishResult,
    RemotePost,
    images,
)
from guanwei.publishing.adapters.outbox import (
    OutboxAdapter,
    atomic_write,
    io_error,
    parse_iso,
    post_id,
)

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux
    fcntl = None  # type: ignore[assignment]

FEED_SIZE = 50
DEFAULT_ZONE = "Asia/Shanghai"
SITE_MARKER = ".guanwei-site"  # publishing/views.site_root serves only a directory with it
_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def site_lock(site_dir: Path) -> Iterator[None]:
    """One writer at a time per site: a thread lock, and flock for other processes."""
    site_dir.mkdir(parents=True, exist_ok=True)
    marker = site_dir / SITE_MARKER
    if not marker.exists():  # guanwei made this site: only such a directory is served
        marker.write_text("published by guanwei\n", encoding="utf-8")
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(str(site_dir.resolve()), threading.Lock())
    with lock, open(site_dir / ".lock", "a+b") as fh:
        if fcntl is not None:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _picture_name(picture: Media, index: int) -> str | None:
    """``<n>.<type>``, the type sniffed from the bytes (never the uploader's name, so a
    picture can never be served as a page); None for a type the site does not show."""
    ext = _EXTENSIONS.get(picture.content_type)
    return f"{index}.{ext}" if ext else None


def _paragraphs(text: str) -> str:
    return "".join(
        f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip()
    )


def article_body(record: dict[str, Any], prefix: str = "") -> str:
    """The post's HTML; picture URLs are relative to ``posts/`` unless ``prefix`` says."""
    parts = [_paragraphs(str(record.get("text", "")))]
    for name in record.get("images", []):
        src = html.escape(f"{prefix}{record['remote_id']}/{name}")
        parts.append(f'<figure><img src="{src}" alt=""></figure>')
    if record.get("link"):
        link = html.escape(str(record["link"]))
        parts.append(f'<p class="source"><a href="{link}" rel="noopener">原文链接</a></p>')
    return "".join(parts)


PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - {site}</title>
<link rel="alternate" type="application/rss+xml" title="{site}" href="{root}feed.rss">
<link rel="alternate" type="application/atom+xml" title="{site}" href="{root}feed.atom">
</head>
<body>
<header><a href="{root}index.html">{site}</a></header>
<main>
{main}
</main>
</body>
</html>
"""


class WebsiteAdapter(OutboxAdapter):
    platform = "website"
    features = frozenset({"publish", "delete"})

    @property
    def root(self) -> Path:
        return Path(self.setting("site_dir"))

    @property
    def site_title(self) -> str:
        return self.setting("title", "官方网站")

    @property
    def base_url(self) -> str:
        return self.setting("base_url", self.root.resolve().as_uri()).rstrip("/")

    def _path(self, remote_id: str) -> Path:
        return self.root / "posts" / f"{post_id(remote_id)}.json"

    def url_for(self, remote_id: str) -> str:
        return f"{self.base_url}/posts/{post_id(remote_id)}.html"

    def _result(self, record: dict[str, Any]) -> PublishResult:
        remote_id = str(record["remote_id"])
        return PublishResult(
            remote_id=remote_id,
            url=self.url_for(remote_id),
            raw={"key": record.get("key", ""), "created_at": record.get("created_at", "")},
        )

    # ------------------------------------------------------------------ publishing

    def publish(self, req: PublishRequest) -> PublishResult:
        remote_id = post_id(req.key)
        try:
            with site_lock(self.root):
                existing = self._read(self._path(remote_id))
                if existing is not None:
                    return self._result(existing)
                names: list[str] = []
                for index, picture in enumerate(images(req.media), start=1):
                    name = _picture_name(picture, index)
                    if name is None:
                        continue
                    atomic_write(self.root / "posts" / remote_id / name, picture.data)
                    names.append(name)
                title = req.title.strip() or next(
                    (line.strip()[:60] for line in req.text.splitlines() if line.strip()), "无题"
                )
                record = {
                    "remote_id": remote_id,
                    "key": req.key,
                    "title": title,
                    "text": req.text,
                    "link": req.link,
                    "author": req.author,
                    "digest": req.digest,
                    "images": names,
                    "created_at": datetime.now(UTC).isoformat(),
                }
                page = self._page(record)
                atomic_write(self.root / "posts" / f"{remote_id}.html", page.encode("utf-8"))
                data = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
                atomic_write(self._path(remote_id), data)
                self._regenerate()
        except OSError as e:
            raise io_error(self.platform, "publish", e) from e
        return self._result(record)

    def delete(self, remote_id: str) -> None:
        remote_id = post_id(remote_id)
        try:
            with site_lock(self.root):
                if self._read(self._path(remote_id)) is None:
                    raise AdapterError(
                        f"website: {remote_id} not found",
                        permanent=True,
                        code="not_found",
                        user_message="网站上已没有这篇文章。",
                    )
                pictures = self.root / "posts" / remote_id
                if pictures.is_dir():
                    for child in pictures.iterdir():
                        child.unlink()
                    pictures.rmdir()
                (self.root / "posts" / f"{remote_id}.html").unlink(missing_ok=True)
                self._path(remote_id).unlink(missing_ok=True)
                self._regenerate()
        except OSError as e:
            raise io_error(self.platform, "delete", e) from e

    def still_up(self, remote_id: str) -> bool:
        try:
            return self._read(self._path(post_id(remote_id))) is not None
        except OSError as e:
            raise io_error(self.platform, "read", e) from e

    def recent_posts(self, limit: int = 50) -> list[RemotePost]:
        posts_dir = self.root / "posts"
        if not posts_dir.is_dir():
            return []
        return [
            RemotePost(
                remote_id=str(r["remote_id"]),
                text=str(r.get("text", "")),
                created_at=parse_iso(r.get("created_at")),
                url=self.url_for(str(r["remote_id"])),
            )
            for r in self._records()[:limit]
        ]

    # ------------------------------------------------------------------ rendering

    def _records(self) -> list[dict[str, Any]]:
        records = [
            r for p in (self.root / "posts").glob("*.json") if (r := self._read(p)) is not None
        ]
        records.sort(key=lambda r: str(r.get("created_at", "")), reverse=True)
        return records

    @property
    def zone(self) -> ZoneInfo:
        """The time zone the public site shows: setting ``time_zone``, else Asia/Shanghai
        (as everywhere in guanwei)."""
        name = self.setting("time_zone", DEFAULT_ZONE)
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(DEFAULT_ZONE)

    def _local(self, value: Any) -> datetime:
        when = parse_iso(value) or datetime.now(UTC)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.astimezone(self.zone).replace(microsecond=0)

    def _page(self, record: dict[str, Any]) -> str:
        when = self._local(record["created_at"])
        byline = f" · {html.escape(str(record['author']))}" if record.get("author") else ""
        main = (
            f"<article><h1>{html.escape(str(record['title']))}</h1>"
            f'<p class="meta"><time datetime="{when.isoformat()}">'
            f"{when:%Y-%m-%d %H:%M}</time>{byline}</p>"
            f"{article_body(record)}</article>"
        )
        return PAGE.format(
            title=html.escape(str(record["title"])),
            site=html.escape(self.site_title),
            root="../",
            main=main,
        )

    def _regenerate(self) -> None:
        records = self._records()
        items = "".join(
            f'<li><a href="posts/{html.escape(r["remote_id"])}.html">'
            f"{html.escape(str(r['title']))}</a> "
            f'<time datetime="{(when := self._local(r["created_at"])).isoformat()}">'
            f"{when:%Y-%m-%d %H:%M}</time></li>"
            for r in records
        )
        index = PAGE.format(
            title="首页",
            site=html.escape(self.site_title),
            root="",
            main=f"<h1>{html.escape(self.site_title)}</h1><ul>{items}</ul>",
        )
        atomic_write(self.root / "index.html", index.encode("utf-8"))
        for kind in ("rss", "atom"):
            feed = self._feed(records[:FEED_SIZE], kind)
            data = feed.rss_str(pretty=True) if kind == "rss" else feed.atom_str(pretty=True)
            atomic_write(self.root / f"feed.{kind}", data)

    def _feed(self, records: list[dict[str, Any]], kind: str) -> FeedGenerator:
        fg = FeedGenerator()
        fg.id(f"{self.base_url}/")
        fg.title(self.site_title)
        fg.author({"name": self.site_title})
        fg.link(href=f"{self.base_url}/index.html", rel="alternate")
        fg.link(href=f"{self.base_url}/feed.{kind}", rel="self")
        fg.description(self.setting("description", f"{self.site_title}发布的信息"))
        fg.language("zh-CN")
        newest = self._local(records[0]["created_at"]) if records else None
        fg.updated(newest or datetime(2000, 1, 1, tzinfo=self.zone))
        fg.lastBuildDate(newest or datetime(2000, 1, 1, tzinfo=self.zone))
        for record in records:
            url = self.url_for(str(record["remote_id"]))
            when = self._local(record["created_at"])
            entry = fg.add_entry(order="append")
            entry.id(url)
            entry.guid(url, permalink=True)
            entry.title(str(record["title"]))
            entry.link(href=url)
            body = article_body(record, prefix=f"{self.base_url}/posts/")
            entry.description(str(record.get("digest") or "") or body)
            entry.content(body, type="html")
            entry.published(when)
            entry.updated(when)
            if record.get("author"):
                entry.author({"name": str(record["author"])})
        return fg
