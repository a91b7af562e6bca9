"""A fake WeChat official-account API (token, material, draft, free publish, comments).

Imitates (reference/platforms.md §4–5): errors as HTTP 200 with ``errcode``/``errmsg``
(``rid:`` suffixes); ``stable_token`` handing out the same token until 5 minutes before
expiry, ``force_refresh`` rotating it and killing the old one at once (≥ 30 s apart, 20 a
day); ``/cgi-bin/token`` rotating on every call with a 5-minute overlap; 40001 (a token
no longer current), 40014 (never issued), 42001 (expired), 41001 (missing);
``freepublish/submit`` only queuing a job that walks ``publish_status`` 1 → 0 after a
delay (or to a chosen failure), ``article_detail`` only at 0, 5 after deletion; the draft
leaving the draft box once submitted; ``publish_id`` and ``msg_data_id`` strings as
documented (submit and get; ``article_id`` too); an unknown path a 404 (not 48001);
comment indexes 0-based, ``article_detail.idx`` and ``freepublish/delete`` 1-based;
``comment/list`` refusing ``count`` ≥ 50; 45009 when submits pass the hourly limit.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from guanwei.publishing.fakes.accounts import AccountsFile, FakeAccount
from guanwei.publishing.fakes.server import (
    Platform,
    Request,
    Response,
    html_response,
    json_response,
    now,
)

APPID = "wx0000000000demo"
APPSECRET = "demo-wechat-secret"
TOKEN_TTL = 7200
OVERLAP = 300
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"GIF87a", b"GIF89a", b"BM")
_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
# draft/add field limits and their errcodes (codes UNCONFIRMED: legacy 图文 codes)
LIMITS = (("title", 32, 45003), ("author", 16, 45110), ("digest", 128, 45004))


@dataclass
class Token:
    value: str
    kind: str  # "stable" | "basic"
    expires: float
    valid_until: float  # after a rotation: when it stops working
    current: bool = True


@dataclass
class Job:
    publish_id: int
    msg_data_id: int
    draft_id: str
    articles: list[dict[str, Any]]
    submitted: float
    ready: float
    outcome: int = 0
    status: int = 1
    article_id: str = ""


@dataclass
class Comment:
    id: int
    openid: str
    content: str
    created: int
    elected: bool = False
    reply: dict[str, Any] | None = None


@dataclass
class Article:
    article_id: str
    job: Job
    updated: int
    deleted: bool = False
    comments: list[Comment] = field(default_factory=list)
    comments_open: bool = True


@dataclass
class _Data:
    tokens: dict[str, Token] = field(default_factory=dict)
    forced: list[float] = field(default_factory=list)
    materials: dict[str, bytes] = field(default_factory=dict)
    drafts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    jobs: dict[int, Job] = field(default_factory=dict)
    articles: dict[str, Article] = field(default_factory=dict)
    submits: list[float] = field(default_factory=list)
    next_publish: int = 2247483655
    next_msg: int = 2247483701
    next_comment: int = 1


@dataclass
class _Account:
    """One official account: its credentials, name and everything it holds."""

    appid: str
    secret: str
    name: str
    data: _Data
    biz: str


class WeChatFake(Platform):
    """One fake WeChat serving the seeded 示例气象局 (``APPID``) and every account of the
    accounts file (issue #10 §5): each has its own appid and secret, tokens, materials,
    drafts and articles; publish and message ids are unique across them all. A request
    works on the account its appid or access_token names (``self.data`` during the
    request; the seeded account's between requests)."""

    name = "wechat"
    exempt_prefixes = ("/cgi-bin/token", "/cgi-bin/stable_token")

    def __init__(
        self,
        *,
        publish_delay_s: float = 1.0,
        force_refresh_interval_s: float = 30,
        accounts_file: str | None = None,
    ):
        self.publish_delay_s = publish_delay_s
        self.force_refresh_interval_s = force_refresh_interval_s
        self.accounts_file = AccountsFile(accounts_file)
        self.accounts: dict[str, _Account] = {}
        self.next_outcomes: list[int] = []
        self.data = _Data()
        super().__init__()

    # ------------------------------------------------------------------ state

    @property
    def _default(self) -> _Account:
        return self.accounts[APPID]

    def add_account(self, account: FakeAccount) -> None:
        if not account.appid or not account.secret or account.appid in self.accounts:
            return
        number = len(self.accounts) + 1
        biz = f"MzAwMDAwM{number:07d}"
        self.accounts[account.appid] = _Account(
            account.appid, account.secret, account.name or account.appid, _Data(), biz
        )

    def _reload_accounts(self) -> None:
        if self.accounts_file.changed():
            for account in self.accounts_file.read("wechat"):
                self.add_account(account)

    def handle(self, req: Request) -> Response:
        """Route on the account the request names, then go back to the seeded one."""
        with self.lock:
            account = self._account_of(req)
            self.data = account.data
            try:
                return super().handle(req)
            finally:
                self.data = self._default.data

    def _account_of(self, req: Request) -> _Account:
        if req.path in ("/cgi-bin/token", "/cgi-bin/stable_token"):
            appid = req.query.get("appid", "")
            if req.path.endswith("stable_token") and isinstance(req.json, dict):
                appid = str(req.json.get("appid", ""))
            if appid and appid not in self.accounts:
                self._reload_accounts()
            return self.accounts.get(appid, self._default)
        token = req.query.get("access_token", "")
        if token:
            for account in self.accounts.values():
                if token in account.data.tokens:
                    return account
        mid = req.query.get("mid", "")
        if req.path == "/s" and mid.isdigit():
            for account in self.accounts.values():
                if any(a.job.msg_data_id == int(mid) for a in account.data.articles.values()):
                    return account
        if req.path.startswith("/mmbiz/"):
            key = req.path.rsplit("/", 1)[-1]
            for account in self.accounts.values():
                if key in account.data.materials:
                    return account
        return self.accounts.get(req.query.get("appid", ""), self._default)

    def seed(self) -> None:
        self.data = _Data()
        self.accounts = {
            APPID: _Account(APPID, APPSECRET, "示例气象局", self.data, "MzAwMDAwMDAwMA")
        }
        for account in self.accounts_file.read("wechat"):
            self.add_account(account)
        self.next_outcomes = []
        t = now()
        job = self._job("SEED_DRAFT", [self._seed_article()], t - 86400)
        job.ready = t - 86000
        self._advance()
        article = self.data.articles[job.article_id]
        article.comments += [
            Comment(self._comment_id(), "o_demo_reader_1", "预报很准，点赞！", int(t) - 80000),
            Comment(self._comment_id(), "o_demo_reader_2", "周末适合出游吗？", int(t) - 70000),
        ]

    def _seed_article(self) -> dict[str, Any]:
        return {
            "article_type": "news",
            "title": "示例气象局：本周天气展望",
            "author": "示例气象局",
            "digest": "本周以晴到多云为主。",
            "content": "<p>本周以晴到多云为主，周末有小雨。</p>",
            "content_source_url": "",
            "thumb_media_id": "SEED_THUMB",
            "need_open_comment": 1,
            "only_fans_can_comment": 0,
        }

    def _job(self, draft_id: str, articles: list[dict[str, Any]], at: float) -> Job:
        d = self._default.data  # the ids count across every account
        outcome = self.next_outcomes.pop(0) if self.next_outcomes else 0
        job = Job(
            d.next_publish, d.next_msg, draft_id, articles, at, at + self.publish_delay_s, outcome
        )
        d.next_publish += 3
        d.next_msg += 5
        self.data.jobs[job.publish_id] = job
        return job

    def _comment_id(self) -> int:
        self._default.data.next_comment += 1
        return self._default.data.next_comment

    def _advance(self) -> None:
        """Move every job whose delay has passed to its outcome."""
        t = now()
        for job in self.data.jobs.values():
            if job.status != 1 or t < job.ready:
                continue
            job.status = job.outcome
            if job.status == 0:
                job.article_id = f"ART_{secrets.token_urlsafe(18)}"
                self.data.articles[job.article_id] = Article(job.article_id, job, int(t))
            else:  # a failed publish leaves the draft in the draft box
                self.data.drafts[job.draft_id] = job.articles

    def control(self, options: dict[str, Any]) -> None:
        if options.get("expire_tokens"):
            for token in self.data.tokens.values():
                token.expires = min(token.expires, now() - 1)
        if "publish_delay_ms" in options:
            self.publish_delay_s = int(options["publish_delay_ms"]) / 1000
        if "force_refresh_interval_s" in options:
            self.force_refresh_interval_s = float(options["force_refresh_interval_s"])
        if "next_publish_status" in options:
            self.next_outcomes.append(int(options["next_publish_status"]))
        if isinstance(options.get("add_account"), dict):
            a = options["add_account"]
            self.add_account(
                FakeAccount(
                    "wechat",
                    str(a.get("name", "")),
                    appid=str(a.get("appid", "")),
                    secret=str(a.get("secret", "")),
                )
            )
        if isinstance(options.get("add_comment"), dict):
            c = options["add_comment"]
            article = self._by_msg(int(c["msg_data_id"]))
            if article is not None:
                openid = str(c.get("openid", "o_demo_reader_3"))
                comment = Comment(self._comment_id(), openid, str(c["content"]), int(now()))
                article.comments.append(comment)
        if isinstance(options.get("comment_stream"), dict):
            from guanwei.publishing.fakes.comment_streams import generate

            c = options["comment_stream"]
            article = self._by_msg(int(c["msg_data_id"]))
            if article is not None:
                for item in generate(int(c.get("n", 10)), seed=int(c.get("seed", 0))):
                    openid = f"o_reader_{item['n'] % 500}"
                    article.comments.append(
                        Comment(self._comment_id(), openid, item["text"], int(now()))
                    )

    # ------------------------------------------------------------------ wire helpers

    @staticmethod
    def error(code: int, message: str) -> Response:
        rid = f"{secrets.token_hex(4)}-{secrets.token_hex(4)}-{secrets.token_hex(4)}"
        return json_response({"errcode": code, "errmsg": f"{message} rid: {rid}"})

    @staticmethod
    def ok(**fields: Any) -> Response:
        return json_response({"errcode": 0, "errmsg": "ok", **fields})

    def not_found(self, req: Request) -> Response:
        if req.path.startswith("/mmbiz/"):
            data = self.data.materials.get(req.path.rsplit("/", 1)[-1])
            if data is not None:
                return Response(200, data, "image/png")
        # A path the platform does not have: 404, never 48001 ("api unauthorized" means
        # the account lacks a permission, and would send a person the wrong way).
        return Response(
            404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html; charset=utf-8"
        )

    def wrong_method(self, req: Request) -> Response:
        return self.error(43002, "require POST method")

    def fail_response(self, req: Request, status: int, code: int | None) -> Response:
        if code is not None:
            return self.error(code, "system error" if code == -1 else "injected error")
        page = f"<html><body><h1>{status} Bad Gateway</h1></body></html>"
        return Response(status, page.encode(), "text/html; charset=utf-8")

    def _issue(self, kind: str) -> Token:
        value = f"{len(self.data.tokens) % 90 + 10}_{secrets.token_urlsafe(72)}"
        token = Token(value, kind, now() + TOKEN_TTL, now() + TOKEN_TTL)
        self.data.tokens[value] = token
        return token

    def _current(self, kind: str) -> Token | None:
        return next((t for t in self.data.tokens.values() if t.kind == kind and t.current), None)

    def _rotate(self, kind: str, *, overlap: bool) -> Token:
        old = self._current(kind)
        if old is not None:
            old.current = False
            old.valid_until = min(old.expires, now() + OVERLAP) if overlap else now()
        return self._issue(kind)

    def auth(self, req: Request) -> Response | None:
        self._advance()
        value = req.query.get("access_token", "")
        if not value:
            return self.error(41001, "access_token missing")
        token = self.data.tokens.get(value)
        if token is None:
            return self.error(40014, "invalid access_token")
        if token.expires <= now():
            return self.error(42001, "access_token expired")
        if not token.current and token.valid_until <= now():
            return self.error(40001, "invalid credential, access_token is invalid or not latest")
        return None

    def body(self, req: Request) -> dict[str, Any]:
        return req.json if isinstance(req.json, dict) else {}

    def _biz(self) -> str:
        return next(
            (a.biz for a in self.accounts.values() if a.data is self.data), self._default.biz
        )

    def _article_url(self, job: Job) -> str:
        return (
            f"{self.base_url}/s?__biz={self._biz()}%3D%3D&mid={job.msg_data_id}&idx=1"
            f"&sn={job.publish_id:x}#rd"
        )

    def _by_msg(self, msg_data_id: int) -> Article | None:
        return next(
            (a for a in self.data.articles.values() if a.job.msg_data_id == msg_data_id), None
        )

    # ------------------------------------------------------------------ routes

    def routes(self) -> dict[tuple[str, str], Callable[[Request], Response]]:
        api: dict[str, Callable[[Request], Response]] = {
            "/cgi-bin/material/add_material": self.add_material,
            "/cgi-bin/media/uploadimg": self.uploadimg,
            "/cgi-bin/draft/add": self.draft_add,
            "/cgi-bin/draft/get": self.draft_get,
            "/cgi-bin/draft/delete": self.draft_delete,
            "/cgi-bin/freepublish/submit": self.submit,
            "/cgi-bin/freepublish/get": self.publish_get,
            "/cgi-bin/freepublish/batchget": self.batchget,
            "/cgi-bin/freepublish/delete": self.publish_delete,
            "/cgi-bin/comment/list": self.comment_list,
            "/cgi-bin/comment/open": self.comment_action,
            "/cgi-bin/comment/close": self.comment_action,
            "/cgi-bin/comment/markelect": self.comment_action,
            "/cgi-bin/comment/unmarkelect": self.comment_action,
            "/cgi-bin/comment/delete": self.comment_action,
            "/cgi-bin/comment/reply/add": self.comment_action,
            "/cgi-bin/comment/reply/delete": self.comment_action,
        }
        table: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("POST", path): self._authed(handler) for path, handler in api.items()
        }
        table[("GET", "/")] = lambda req: html_response(self.timeline())
        table[("GET", "/s")] = self.article_page
        table[("GET", "/cgi-bin/token")] = self.basic_token
        table[("POST", "/cgi-bin/stable_token")] = self.stable_token
        return table

    def _authed(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def guarded(req: Request) -> Response:
            refused = self.auth(req)
            return refused if refused is not None else handler(req)

        return guarded

    def _credentials(self, appid: str, secret: str, *, bad_secret: int) -> Response | None:
        account = self.accounts.get(appid)
        if account is None:
            return self.error(40013, "invalid appid")
        if secret != account.secret:
            return self.error(bad_secret, "invalid appsecret")
        return None

    def basic_token(self, req: Request) -> Response:
        if req.query.get("grant_type") != "client_credential":
            return self.error(40002, "invalid grant_type")
        refused = self._credentials(
            req.query.get("appid", ""), req.query.get("secret", ""), bad_secret=40001
        )
        if refused is not None:
            return refused
        token = self._rotate("basic", overlap=True)
        return json_response({"access_token": token.value, "expires_in": TOKEN_TTL})

    def stable_token(self, req: Request) -> Response:
        body = self.body(req)
        if body.get("grant_type") != "client_credential":
            return self.error(40002, "invalid grant_type")
        refused = self._credentials(
            str(body.get("appid", "")), str(body.get("secret", "")), bad_secret=40125
        )
        if refused is not None:
            return refused
        t = now()
        current = self._current("stable")
        if body.get("force_refresh") in (True, "true", 1):
            self.data.forced = [f for f in self.data.forced if f > t - 86400]
            recent = self.data.forced and t - self.data.forced[-1] < self.force_refresh_interval_s
            if len(self.data.forced) >= 20 or recent:
                return self.error(45009, "reach max api daily quota limit")
            self.data.forced.append(t)
            current = self._rotate("stable", overlap=False)
        elif current is None or current.expires - t < OVERLAP:
            current = self._rotate("stable", overlap=True)
        return json_response(
            {"access_token": current.value, "expires_in": int(current.expires - t)}
        )

    def _image(self, req: Request, *, max_bytes: int) -> bytes | Response:
        if "media" not in req.files:
            return self.error(41005, "media data missing")
        data = req.files["media"][2]
        if not data.startswith(IMAGE_MAGIC):
            return self.error(40005, "invalid file type")
        if len(data) > max_bytes:
            return self.error(40009, "invalid image size")
        return data

    def add_material(self, req: Request) -> Response:
        kind = req.query.get("type", "")
        if kind not in ("image", "thumb"):
            return self.error(40004, "invalid media type")
        data = self._image(req, max_bytes=2 * 1024 * 1024 if kind == "image" else 64 * 1024)
        if isinstance(data, Response):
            return data
        media_id = f"MEDIA_{secrets.token_urlsafe(24)}"
        self.data.materials[media_id] = data
        return json_response({"media_id": media_id, "url": f"{self.base_url}/mmbiz/{media_id}"})

    def uploadimg(self, req: Request) -> Response:
        data = self._image(req, max_bytes=1024 * 1024)
        if isinstance(data, Response):
            return data
        key = f"IMG_{secrets.token_urlsafe(12)}"
        self.data.materials[key] = data
        return self.ok(url=f"{self.base_url}/mmbiz/{key}")

    def draft_add(self, req: Request) -> Response:
        articles = self.body(req).get("articles")
        if not isinstance(articles, list) or not articles:
            return self.error(44003, "empty news data")
        for article in articles:
            if article.get("article_type", "news") == "news" and (
                article.get("thumb_media_id") not in self.data.materials
            ):
                return self.error(40007, "invalid media_id")
            content = _SCRIPT.sub("", str(article.get("content", "")))
            for key, limit, code in LIMITS:
                if len(str(article.get(key, ""))) > limit:
                    return self.error(code, f"{key} size out of limit")
            if not content.strip():
                return self.error(44004, "empty content")
            if len(content) >= 20000:
                return self.error(45002, "content size out of limit")
            article["content"] = content
            if not article.get("digest"):
                article["digest"] = html.unescape(_TAGS.sub("", content))[:54]
        media_id = f"DRAFT_{secrets.token_urlsafe(24)}"
        self.data.drafts[media_id] = articles
        return json_response({"media_id": media_id})

    def draft_get(self, req: Request) -> Response:
        articles = self.data.drafts.get(str(self.body(req).get("media_id", "")))
        if articles is None:
            return self.error(40007, "invalid media_id")
        return json_response({"news_item": articles})

    def draft_delete(self, req: Request) -> Response:
        if self.data.drafts.pop(str(self.body(req).get("media_id", "")), None) is None:
            return self.error(40007, "invalid media_id")
        return self.ok()

    def submit(self, req: Request) -> Response:
        draft_id = str(self.body(req).get("media_id", ""))
        articles = self.data.drafts.get(draft_id)
        if articles is None:
            return self.error(40007, "invalid media_id")
        t = now()
        self.data.submits = [s for s in self.data.submits if s > t - 3600]
        if len(self.data.submits) >= self.rate_limit_per_hour:
            return self.error(45009, "reach max api daily quota limit")
        self.data.submits.append(t)
        del self.data.drafts[draft_id]  # leaves the draft box (back if the publish fails)
        job = self._job(draft_id, articles, t)
        self.record_post(f"{articles[0].get('title', '')}\n{articles[0].get('content', '')}")
        # Typed as documented (freepublish_submit): both ids are strings.
        return self.ok(publish_id=str(job.publish_id), msg_data_id=str(job.msg_data_id))

    def _job_of(self, req: Request) -> Job | None:
        raw = str(self.body(req).get("publish_id", ""))
        return self.data.jobs.get(int(raw)) if raw.isdigit() else None

    def publish_get(self, req: Request) -> Response:
        job = self._job_of(req)
        if job is None:
            return self.error(40007, "invalid publish_id")
        body: dict[str, Any] = {"publish_id": str(job.publish_id), "publish_status": job.status}
        if job.article_id:
            body["article_id"] = job.article_id
        if job.status == 0:
            items = [
                {"idx": i, "article_url": self._article_url(job).replace("idx=1", f"idx={i}")}
                for i in range(1, len(job.articles) + 1)
            ]
            body["article_detail"] = {"count": len(items), "item": items}
        body["fail_idx"] = [1] if job.status in (2, 3, 4) else []
        return json_response(body)

    def batchget(self, req: Request) -> Response:
        body = self.body(req)
        offset, count = int(body.get("offset", 0)), int(body.get("count", 0))
        if not 1 <= count <= 20 or offset < 0:
            return self.error(40097, "invalid args")
        no_content = int(body.get("no_content", 0)) == 1
        listed = sorted(self.data.articles.values(), key=lambda a: a.job.publish_id, reverse=True)
        items = []
        for article in listed[offset : offset + count]:
            news = []
            for i, item in enumerate(article.job.articles, start=1):
                entry = {k: v for k, v in item.items() if not (no_content and k == "content")}
                url = self._article_url(article.job).replace("idx=1", f"idx={i}")
                news.append({**entry, "url": url, "is_deleted": article.deleted})
            items.append(
                {
                    "article_id": article.article_id,
                    "content": {
                        "news_item": news,
                        "create_time": int(article.job.submitted),
                        "update_time": article.updated,
                    },
                    "update_time": article.updated,
                }
            )
        return json_response({"total_count": len(listed), "item_count": len(items), "item": items})

    def publish_delete(self, req: Request) -> Response:
        body = self.body(req)
        article = self.data.articles.get(str(body.get("article_id", "")))
        if article is None:
            return self.error(40007, "invalid article_id")
        index = int(body.get("index", 0))  # 1-based; 0 = every article
        if index < 0 or index > len(article.job.articles):
            return self.error(40097, "invalid args")
        article.deleted = True
        article.job.status = 5
        return self.ok()

    def comment_list(self, req: Request) -> Response:
        body = self.body(req)
        article = self._commented(body)
        if isinstance(article, Response):
            return article
        begin, count = int(body.get("begin", 0)), int(body.get("count", 0))
        if count >= 50 or count < 1 or begin < 0:
            return self.error(40097, "invalid args")
        kind = int(body.get("type", 0))
        chosen = (
            article.comments  # every comment: no copy of a long list per page
            if kind == 0
            else [c for c in article.comments if (kind == 2) == c.elected]  # 1 normal, 2 elected
        )
        page = []
        for c in chosen[begin : begin + count]:
            entry: dict[str, Any] = {
                "user_comment_id": c.id,
                "openid": c.openid,
                "create_time": c.created,
                "content": c.content,
                "comment_type": 1 if c.elected else 0,
            }
            if c.reply:
                entry["reply"] = c.reply
            page.append(entry)
        return self.ok(comment=page, total=len(chosen), comment_cnt=len(chosen))

    def _commented(self, body: dict[str, Any]) -> Article | Response:
        raw = str(body.get("msg_data_id", ""))
        article = self._by_msg(int(raw)) if raw.isdigit() else None
        if article is None or article.deleted:
            return self.error(40007, "invalid msg_data_id")
        if not 0 <= int(body.get("index", 0)) < len(article.job.articles):  # 0-based here
            return self.error(40097, "invalid args")
        if not article.comments_open or not article.job.articles[0].get("need_open_comment"):
            return self.error(88000, "without comment privilege")
        return article

    def comment_action(self, req: Request) -> Response:
        body = self.body(req)
        action = req.path.removeprefix("/cgi-bin/comment/")
        if action in ("open", "close"):
            raw = str(body.get("msg_data_id", ""))
            found = self._by_msg(int(raw)) if raw.isdigit() else None
            if found is None:
                return self.error(40007, "invalid msg_data_id")
            found.comments_open = action == "open"
            if action == "open":
                found.job.articles[0]["need_open_comment"] = 1
            return self.ok()
        article = self._commented(body)
        if isinstance(article, Response):
            return article
        cid = int(body.get("user_comment_id", 0) or 0)
        comment = next((c for c in article.comments if c.id == cid), None)
        if comment is None:
            return self.error(40097, "invalid user_comment_id")
        if action == "delete":
            article.comments.remove(comment)
        elif action == "reply/add":
            content = str(body.get("content", ""))
            if not content.strip():
                return self.error(44004, "empty content")
            comment.reply = {"content": content, "create_time": int(now())}
        elif action == "reply/delete":
            comment.reply = None
        else:
            comment.elected = action == "markelect"
        return self.ok()

    # ------------------------------------------------------------------ pages

    def article_page(self, req: Request) -> Response:
        with self.lock:
            self._advance()
            mid = req.query.get("mid", "")
            article = self._by_msg(int(mid)) if mid.isdigit() else None
            if article is None or article.deleted:
                return html_response("<!DOCTYPE html><p>该内容已被发布者删除</p>", 404)
            item = article.job.articles[0]
            return html_response(
                '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                f"<title>{html.escape(str(item.get('title', '')))}</title></head><body>"
                f"<h1>{html.escape(str(item.get('title', '')))}</h1>"
                f"<p>{html.escape(str(item.get('author', '')))}</p>"
                f"{_SCRIPT.sub('', str(item.get('content', '')))}"
                f"{self._comments_html(article)}</body></html>"
            )

    @staticmethod
    def _comments_html(article: Article) -> str:
        """The article's comments as the account sees them in its back end, each with the
        author's reply (``reply/add``) under it; readers see only 精选 ones."""
        if not article.comments:
            return ""
        rows = []
        for c in article.comments:
            state = "精选" if c.elected else "未精选（读者不可见）"
            reply = (
                f'<p class="reply">作者回复：{html.escape(str(c.reply.get("content", "")))}</p>'
                if c.reply
                else ""
            )
            rows.append(
                f'<li id="c{c.id}"><p>{html.escape(c.content)} <small>{state}</small></p>'
                f"{reply}</li>"
            )
        return f'<section id="comments"><h2>留言</h2><ul>{"".join(rows)}</ul></section>'

    def timeline(self) -> str:
        with self.lock:
            self._advance()
            rows = []
            for a in sorted(self.data.articles.values(), key=lambda a: -a.job.publish_id):
                item = a.job.articles[0]
                text = html.unescape(_TAGS.sub(" ", str(item.get("content", ""))))
                when = datetime.fromtimestamp(a.updated, UTC).strftime("%Y-%m-%d %H:%M UTC")
                state = "（已删除）" if a.deleted else ""
                rows.append(
                    f'<article><h2><a href="{html.escape(self._article_url(a.job))}">'
                    f"{html.escape(str(item.get('title', '')))}</a>{state}</h2>"
                    f"<p>{html.escape(text[:200])}</p><small>{when} · 留言 {len(a.comments)}"
                    "</small></article>"
                )
            pending = sum(1 for j in self.data.jobs.values() if j.status == 1)
            current = next(
                (a for a in self.accounts.values() if a.data is self.data), self._default
            )
            name = html.escape(current.name)
            others = "".join(
                f'<li><a href="/?appid={html.escape(a.appid)}">{html.escape(a.name)}</a></li>'
                for a in self.accounts.values()
            )
        return (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{name} - 公众号（本地模拟）</title></head><body>"
            f"<h1>{name}</h1><p>本地模拟公众号：已发表 {len(rows)} 篇，发布中 {pending} 篇</p>"
            f"{''.join(rows)}<nav><h2>本地模拟的公众号</h2><ul>{others}</ul></nav></body></html>"
        )
