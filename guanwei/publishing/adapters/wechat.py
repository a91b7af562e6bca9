"""WeChat official account (微信公众号): stable token, cover upload, draft, free publish.

Settings: ``appid``, ``secret`` (required), ``base_url`` (default
https://api.weixin.qq.com), ``open_comment`` ("1" default: open comments on new articles).

Wire facts (reference/platforms.md §4–5): errors are HTTP 200 with ``errcode`` ≠ 0, keyed
on the code (``errmsg`` carries ``rid:``/``hint:`` suffixes); a token answered with
40001/40014/42001 is refreshed once and the call retried; ``freepublish/submit`` only
queues a job: the publish is *pending* until ``freepublish/get`` says 0; comment APIs
index articles from 0, ``article_detail.item.idx`` and ``freepublish/delete`` from 1.

Remote ids (opaque to callers, stable for a post's life):
``"<publish_id>:<msg_data_id>"`` from :meth:`publish`;
``"article:<article_id>:<msg_data_id>"`` from :meth:`recent_posts` (the msg_data_id read
from the article URL's ``mid``). Every method accepts both.
"""

from __future__ import annotations

import hashlib
import html
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from guanwei.publishing.adapters.base import (
    Adapter,
    AdapterError,
    Media,
    PublishRequest,
    PublishResult,
    RemoteComment,
    RemotePost,
    images,
    placeholder_png,
)
from guanwei.publishing.adapters.http import HttpClient, HttpResponse

log = logging.getLogger("guanwei.publishing.wechat")

DEFAULT_BASE = "https://api.weixin.qq.com"
TOKEN_CODES = frozenset({40001, 40014, 42001})
TOKEN_MARGIN = 60.0  # seconds before expiry a cached token is no longer used
TITLE_MAX, AUTHOR_MAX, DIGEST_MAX = 32, 16, 128

ERRORS: dict[int, tuple[str, bool, str]] = {
    -1: ("busy", False, "微信系统繁忙，系统稍后自动重试"),
    40001: ("auth", True, "微信访问令牌刷新后仍被拒绝，请核对 AppID/AppSecret 或重新连接账号"),
    40014: ("auth", True, "微信访问令牌不合法，请重新连接账号"),
    42001: ("auth", True, "微信访问令牌已过期且刷新失败，请重新连接账号"),
    41001: ("auth", True, "缺少微信访问令牌，请重新连接账号"),
    40002: ("config", True, "获取微信令牌的参数不正确，请联系管理员"),
    40013: ("config", True, "公众号 AppID 无效，请保管人核对账号接入设置"),
    40125: ("auth", True, "公众号 AppSecret 无效，请保管人核对后更新"),
    40164: ("config", True, "服务器 IP 不在公众号的 IP 白名单中，请在公众平台“基本配置”中添加"),
    40243: ("auth", True, "公众号 AppSecret 已被冻结，请管理员在公众平台处理"),
    45009: ("rate_limited", False, "调用次数超出微信接口频率限制，系统稍后自动重试"),
    40005: ("media", True, "图片格式不受微信支持"),
    40009: ("media", True, "图片超过微信的大小限制"),
    40007: ("invalid", True, "素材或草稿无效（可能已被删除）"),
    40097: ("invalid", True, "提交给微信的参数不正确，请联系管理员"),
    44003: ("invalid", True, "图文内容为空，请补充正文"),
    45002: ("too_long", True, "正文超过微信的长度限制，请删减后重新提交"),
    45003: ("too_long", True, "标题超过微信 32 字的限制，请缩短后重新提交"),
    45004: ("too_long", True, "摘要超过微信 128 字的限制，请缩短后重新提交"),
    45110: ("too_long", True, "作者名超过微信 16 字的限制"),
    48001: ("forbidden", True, "公众号没有该接口的权限（需完成认证或开通发布能力）"),
    53503: ("rejected", True, "草稿未通过微信发布前检查，请修改后重新提交"),
    53504: ("forbidden", True, "该草稿需在公众平台网页端发表"),
    53505: ("forbidden", True, "请先在公众平台手动保存该草稿后再发表"),
    88000: ("forbidden", True, "该文章未开启留言功能"),
}
# At the token endpoint 40001 means a wrong AppSecret, not a stale token.
TOKEN_ENDPOINT_ERRORS = {40001: ("auth", True, "公众号 AppSecret 错误，请保管人核对后更新")}

PUBLISH_FAILURES: dict[int, tuple[str, str]] = {
    2: ("publish_failed", "原创声明校验未通过，请检查原创声明后重新提交"),
    3: ("publish_failed", "微信发布失败，请到公众平台查看原因后重新提交"),
    4: ("rejected", "微信平台审核未通过，请修改内容后重新提交"),
    5: ("deleted", "文章发布成功后已被删除"),
    6: ("banned", "文章发布成功后被微信系统封禁"),
}


def wechat_error(
    body: Mapping[str, Any], *, what: str, table: Mapping[int, tuple[str, bool, str]] = ERRORS
) -> AdapterError:
    errcode = int(body.get("errcode") or 0)
    errmsg = str(body.get("errmsg", ""))
    message = f"wechat {what}: errcode {errcode}: {errmsg}"
    if errcode in table:
        code, permanent, chinese = table[errcode]
    elif errcode in ERRORS:
        code, permanent, chinese = ERRORS[errcode]
    else:
        code, permanent, chinese = "platform", True, f"微信拒绝了请求：{errmsg.split(' rid:')[0]}"
    return AdapterError(
        message,
        permanent=permanent,
        code=code,
        platform_code=str(errcode),
        user_message=f"{chinese}（微信错误 {errcode}）",
    )


# ---------------------------------------------------------------------- token cache


@dataclass
class _Token:
    value: str
    expires_at: float


_TOKENS: dict[tuple[str, str, str], _Token] = {}
_TOKENS_LOCK = threading.Lock()
_REFRESH_LOCKS: dict[tuple[str, str, str], threading.Lock] = {}


def clear_token_cache() -> None:
    with _TOKENS_LOCK:
        _TOKENS.clear()


def _refresh_lock(key: tuple[str, str, str]) -> threading.Lock:
    with _TOKENS_LOCK:
        return _REFRESH_LOCKS.setdefault(key, threading.Lock())


# ---------------------------------------------------------------------- article HTML


def article_html(text: str, image_urls: Sequence[str] = ()) -> str:
    """The article body: one escaped paragraph per line of text, then the pictures."""
    parts = [f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip()]
    parts += [f'<p><img src="{html.escape(url)}"/></p>' for url in image_urls]
    return "".join(parts)


class _TextExtractor(HTMLParser):
    BLOCKS: ClassVar[frozenset[str]] = frozenset({"p", "br", "div", "section", "li", "h1", "h2"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")


def plain_text(content: str) -> str:
    parser = _TextExtractor()
    parser.feed(content)
    parser.close()
    return "\n".join(line.strip() for line in "".join(parser.parts).splitlines() if line.strip())


def _mid_from_url(url: str) -> str:
    values = parse_qs(urlsplit(url).query).get("mid") or []
    return values[0] if values and values[0].isdigit() else ""


def _field(body: Mapping[str, Any], name: str, what: str) -> str:
    value = body.get(name)
    if value in (None, ""):
        raise AdapterError(
            f"wechat {what}: response has no {name}",
            permanent=False,
            code="bad_response",
            user_message="微信返回的结果不完整，系统稍后自动重试。",
        )
    return str(value)


def _as_number(value: str) -> int | str:
    return int(value) if value.isdigit() else value


@dataclass(frozen=True)
class _Ref:
    """A parsed remote id."""

    publish_id: str = ""
    article_id: str = ""
    msg_data_id: str = ""

    @classmethod
    def parse(cls, remote_id: str) -> _Ref:
        parts = remote_id.split(":")
        if parts[0] == "article":
            return cls(article_id=parts[1] if len(parts) > 1 else "", msg_data_id=_at(parts, 2))
        return cls(publish_id=parts[0], msg_data_id=_at(parts, 1))


def _at(parts: list[str], index: int) -> str:
    return parts[index] if len(parts) > index else ""


class WeChatAdapter(Adapter):
    platform = "wechat"
    features = frozenset({"publish", "delete", "comments", "metrics"})
    # batchget lists a publish only once its job has finished (and a job may sit in
    # review): wait this long after an unknown outcome before concluding it never arrived.
    default_settle_seconds = 600

    def __init__(self, settings: Mapping[str, str], *, client: HttpClient | None = None) -> None:
        super().__init__(settings, client=client)
        self.base_url = self.setting("base_url", DEFAULT_BASE).rstrip("/")
        self.client.add_secret(self.settings.get("secret"))
        secret_hash = hashlib.sha256(str(self.settings.get("secret", "")).encode()).hexdigest()
        self._cache_key = (self.base_url, str(self.settings.get("appid", "")), secret_hash[:16])

    # ------------------------------------------------------------------ token

    def _fetch_token(self, *, force: bool) -> str:
        response = self.client.post(
            f"{self.base_url}/cgi-bin/stable_token",
            json={
                "grant_type": "client_credential",
                "appid": self.setting("appid"),
                "secret": self.setting("secret"),
                "force_refresh": force,
            },
            write=False,
        )
        body = self._decode(response, creates=False, what="stable_token")
        if int(body.get("errcode") or 0) != 0 or "access_token" not in body:
            raise wechat_error(body, what="stable_token", table=TOKEN_ENDPOINT_ERRORS)
        token = str(body["access_token"])
        self.client.add_secret(token)
        expires_in = float(body.get("expires_in") or 7200)
        with _TOKENS_LOCK:
            _TOKENS[self._cache_key] = _Token(token, time.monotonic() + expires_in)
        log.info("wechat %s: token fetched (force=%s, %ss)", self._cache_key[1], force, expires_in)
        return token

    def _token(self) -> str:
        with _TOKENS_LOCK:
            cached = _TOKENS.get(self._cache_key)
        if cached and cached.expires_at - TOKEN_MARGIN > time.monotonic():
            return cached.value
        with _refresh_lock(self._cache_key):
            with _TOKENS_LOCK:
                cached = _TOKENS.get(self._cache_key)
            if cached and cached.expires_at - TOKEN_MARGIN > time.monotonic():
                return cached.value
            return self._fetch_token(force=False)

    def _refresh(self, failed: str) -> str:
        """A token the platform refused: take one another thread already fetched; else ask
        stable_token again (it hands out the current token); only if that is the refused
        one, force a new one (force_refresh is capped at 20 a day and kills the old token
        for every process sharing it)."""
        with _refresh_lock(self._cache_key):
            with _TOKENS_LOCK:
                cached = _TOKENS.get(self._cache_key)
                if cached and cached.value != failed:
                    return cached.value
                _TOKENS.pop(self._cache_key, None)
            token = self._fetch_token(force=False)
            if token == failed:
                token = self._fetch_token(force=True)
            return token

    # ------------------------------------------------------------------ wire

    def _decode(self, response: HttpResponse, *, creates: bool, what: str) -> dict[str, Any]:
        if response.status_code >= 500:
            tail = "，请求可能已送达，系统将向平台核实。" if creates else "，系统稍后自动重试。"
            raise AdapterError(
                f"wechat {what}: HTTP {response.status_code}",
                permanent=False,
                code="server_error",
                status=response.status_code,
                unknown_outcome=creates,
                user_message=f"微信服务器出错（HTTP {response.status_code}）{tail}",
            )
        if response.status_code in (404, 405):  # a path the platform does not have
            raise AdapterError(
                f"wechat {what}: HTTP {response.status_code} (no such API)",
                permanent=True,
                code="config",
                status=response.status_code,
                user_message=(
                    f"微信接口返回 HTTP {response.status_code}（没有这个接口），"
                    "请保管人检查账号接入设置中的接口地址。"
                ),
            )
        body = response.json()
        if not response.ok or not isinstance(body, dict):
            raise AdapterError(
                f"wechat {what}: HTTP {response.status_code}",
                permanent=True,
                code="platform",
                status=response.status_code,
                user_message=f"微信接口返回 HTTP {response.status_code}，请检查接口地址设置。",
            )
        return body

    def _api(
        self,
        path: str,
        payload: Mapping[str, Any] | None = None,
        *,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        query: Mapping[str, str] | None = None,
        write: bool = False,
        creates: bool = False,
    ) -> dict[str, Any]:
        token = self._token()
        body = self._send(path, token, payload, files, query, write, creates)
        if int(body.get("errcode") or 0) in TOKEN_CODES:
            log.info("wechat %s: token refused (%s); refreshing once", path, body.get("errcode"))
            token = self._refresh(token)
            body = self._send(path, token, payload, files, query, write, creates)
        if int(body.get("errcode") or 0) != 0:
            raise wechat_error(body, what=path)
        return body

    def _send(
        self,
        path: str,
        token: str,
        payload: Mapping[str, Any] | None,
        files: Mapping[str, tuple[str, bytes, str]] | None,
        query: Mapping[str, str] | None,
        write: bool,
        creates: bool,
    ) -> dict[str, Any]:
        params = {**(query or {}), "access_token": token}
        url = f"{self.base_url}{path}"
        if files is not None:
            response = self.client.post(url, params=params, files=files, write=write)
        else:
            response = self.client.post(url, params=params, json=payload or {}, write=write)
        return self._decode(response, creates=creates, what=path)

    # ------------------------------------------------------------------ publishing

    def _article(self, req: PublishRequest, thumb_media_id: str, urls: list[str]) -> dict[str, Any]:
        title = (
            req.title.strip()
            or next((line.strip() for line in req.text.splitlines() if line.strip()), "")[
                :TITLE_MAX
            ]
        )
        if len(title) > TITLE_MAX:
            raise AdapterError(
                f"wechat publish {req.key}: title has {len(title)} characters (max {TITLE_MAX})",
                permanent=True,
                code="too_long",
                user_message=f"标题 {len(title)} 字，超过微信 {TITLE_MAX} 字的限制，请缩短后重提。",
            )
        article: dict[str, Any] = {
            "article_type": "news",
            "title": title,
            "author": req.author.strip()[:AUTHOR_MAX],
            "content": article_html(req.text, urls),
            "content_source_url": req.link,
            "thumb_media_id": thumb_media_id,
            "need_open_comment": 1 if self.setting("open_comment", "1") == "1" else 0,
            "only_fans_can_comment": 0,
        }
        if req.digest.strip():
            article["digest"] = req.digest.strip()[:DIGEST_MAX]
        return article

    def _upload(self, path: str, item: Media, query: Mapping[str, str] | None = None) -> Any:
        files = {"media": (item.filename or "image.png", item.data, item.content_type)}
        return self._api(path, files=files, query=query, write=True)

    def publish(self, req: PublishRequest) -> PublishResult:
        pictures = images(req.media)
        cover = pictures[0] if pictures else Media("cover.png", "image/png", placeholder_png())
        try:
            thumb = self._upload("/cgi-bin/material/add_material", cover, {"type": "image"})
            uploads = [self._upload("/cgi-bin/media/uploadimg", p) for p in pictures]
            urls = [_field(u, "url", "uploadimg") for u in uploads]
            article = self._article(req, _field(thumb, "media_id", "add_material"), urls)
            draft = self._api("/cgi-bin/draft/add", {"articles": [article]}, write=True)
            media_id = _field(draft, "media_id", "draft/add")
        except AdapterError as e:
            if e.unknown_outcome:  # nothing is published before submit: retrying is safe
                e.unknown_outcome = False
            raise
        body = self._api(
            "/cgi-bin/freepublish/submit", {"media_id": media_id}, write=True, creates=True
        )
        try:
            publish_id = _field(body, "publish_id", "freepublish/submit")
        except AdapterError as e:
            e.unknown_outcome = True  # accepted, but we cannot tell which job
            raise
        msg_data_id = str(body.get("msg_data_id", "") or "")
        remote_id = f"{publish_id}:{msg_data_id}" if msg_data_id else publish_id
        log.info("wechat publish %s → job %s (pending)", req.key, remote_id)
        return PublishResult(
            remote_id=remote_id,
            state="pending",
            raw={"publish_id": publish_id, "msg_data_id": msg_data_id, "media_id": media_id},
        )

    def _job(self, publish_id: str) -> dict[str, Any]:
        return self._api("/cgi-bin/freepublish/get", {"publish_id": publish_id})

    def publish_status(self, remote_id: str) -> PublishResult:
        """published (with the article URL) | pending | AdapterError (permanent: the job
        failed; transient: ask again later)."""
        ref = _Ref.parse(remote_id)
        if ref.article_id:
            return PublishResult(remote_id=remote_id, state="published")
        body = self._job(ref.publish_id)
        status = int(body.get("publish_status", -1))
        if status == 0:
            items = (body.get("article_detail") or {}).get("item") or []
            first: dict[str, Any] = min(items, key=lambda i: int(i.get("idx", 1)), default={})
            return PublishResult(
                remote_id=remote_id,
                url=str(first.get("article_url", "")),
                state="published",
                raw={"publish_id": ref.publish_id, "article_id": str(body.get("article_id", ""))},
            )
        if status == 1:
            return PublishResult(remote_id=remote_id, state="pending")
        code, chinese = PUBLISH_FAILURES.get(
            status, ("publish_failed", f"微信返回了未知的发布状态 {status}")
        )
        raise AdapterError(
            f"wechat publish job {ref.publish_id}: publish_status {status} "
            f"(fail_idx {body.get('fail_idx')})",
            permanent=True,
            code=code,
            platform_code=f"publish_status {status}",
            user_message=f"{chinese}（微信发布状态 {status}）",
        )

    def _article_id(self, ref: _Ref) -> str:
        if ref.article_id:
            return ref.article_id
        body = self._job(ref.publish_id)
        if int(body.get("publish_status", -1)) == 1:
            raise AdapterError(
                f"wechat job {ref.publish_id} still publishing",
                permanent=False,
                code="pending",
                user_message="文章仍在发布中，请稍后再试。",
            )
        if not body.get("article_id"):
            raise AdapterError(
                f"wechat job {ref.publish_id} has no article",
                permanent=True,
                code="not_found",
                user_message="该文章未发布成功或已不存在。",
            )
        return str(body["article_id"])

    def delete(self, remote_id: str) -> None:
        article_id = self._article_id(_Ref.parse(remote_id))
        # index is 1-based here; 0 deletes every article of the publish (we publish one).
        self._api("/cgi-bin/freepublish/delete", {"article_id": article_id, "index": 0}, write=True)

    def still_up(self, remote_id: str) -> bool:
        """A publish job says 5 (deleted) / 6 (banned) once its article is gone; an
        article id alone is looked up in the published list (deleted ones are left out)."""
        ref = _Ref.parse(remote_id)
        if ref.publish_id:
            status = int(self._job(ref.publish_id).get("publish_status", -1))
            if status in (5, 6):
                return False
        article_id = self._article_id(ref)
        return any(p.remote_id.split(":")[1:2] == [article_id] for p in self.recent_posts(100))

    def recent_posts(self, limit: int = 50) -> list[RemotePost]:
        posts: list[RemotePost] = []
        offset = 0
        while len(posts) < limit:
            body = self._api(
                "/cgi-bin/freepublish/batchget", {"offset": offset, "count": 20, "no_content": 0}
            )
            items = body.get("item") or []
            for item in items:
                news = ((item.get("content") or {}).get("news_item") or [{}])[0]
                if news.get("is_deleted"):
                    continue
                url = str(news.get("url", ""))
                mid = _mid_from_url(url)
                remote_id = f"article:{item.get('article_id', '')}" + (f":{mid}" if mid else "")
                # When the article was created: content.create_time; update_time (never
                # earlier) where a reply lacks it.
                created = (item.get("content") or {}).get("create_time") or item.get("update_time")
                posts.append(
                    RemotePost(
                        remote_id=remote_id,
                        text=plain_text(str(news.get("content", ""))),
                        created_at=datetime.fromtimestamp(int(created), UTC) if created else None,
                        url=url,
                    )
                )
            offset += len(items)
            if not items or offset >= int(body.get("total_count") or 0):
                break
        return posts[:limit]

    # ------------------------------------------------------------------ comments

    def _msg(self, remote_id: str) -> int | str:
        ref = _Ref.parse(remote_id)
        if not ref.msg_data_id:
            raise AdapterError(
                f"wechat {remote_id}: no msg_data_id known for comments",
                permanent=True,
                code="unsupported",
                user_message="无法确定该文章的消息编号，不能管理留言。",
            )
        return _as_number(ref.msg_data_id)

    def _comment_page(self, msg: int | str, begin: int, count: int) -> dict[str, Any]:
        # index: the article's position in the publish, 0-based for comment APIs.
        payload = {"msg_data_id": msg, "index": 0, "begin": begin, "count": count, "type": 0}
        return self._api("/cgi-bin/comment/list", payload)

    def comments_page(
        self, msg_data_id: str, *, index: int = 0, begin: int = 0, count: int = 49
    ) -> tuple[list[RemoteComment], int]:
        """One page of comment/list for article ``index`` (0-based) of ``msg_data_id``:
        from position ``begin``, at most ``count`` (≤ 49: 50 is refused). Returns the
        comments in the platform's order and the total the platform reports."""
        payload = {
            "msg_data_id": _as_number(msg_data_id),
            "index": index,
            "begin": begin,
            "count": min(max(count, 1), 49),
            "type": 0,
        }
        body = self._api("/cgi-bin/comment/list", payload)
        out = []
        for c in body.get("comment") or []:
            created = c.get("create_time")
            out.append(
                RemoteComment(
                    remote_id=str(c.get("user_comment_id", "")),
                    post_id=f"{msg_data_id}:{index}",
                    text=str(c.get("content", "")),
                    author=str(c.get("openid", "")),
                    created_at=datetime.fromtimestamp(int(created), UTC) if created else None,
                    author_id=str(c.get("openid", "")),
                )
            )
        return out, int(body.get("total") or 0)

    def fetch_comments(self, remote_id: str, since_id: str = "") -> list[RemoteComment]:
        msg = self._msg(remote_id)
        after = int(since_id) if since_id.isdigit() else -1
        found: list[RemoteComment] = []
        begin = 0
        while True:
            body = self._comment_page(msg, begin, 49)  # count ≥ 50 is rejected
            page = body.get("comment") or []
            for c in page:
                cid = int(c.get("user_comment_id", 0))
                if cid <= after:
                    continue
                created = c.get("create_time")
                found.append(
                    RemoteComment(
                        remote_id=str(cid),
                        post_id=remote_id,
                        text=str(c.get("content", "")),
                        author=str(c.get("openid", "")),
                        created_at=datetime.fromtimestamp(int(created), UTC) if created else None,
                    )
                )
            begin += len(page)
            if not page or begin >= int(body.get("total") or 0):
                break
        return sorted(found, key=lambda c: int(c.remote_id))

    def reply_comment(self, remote_id: str, comment_id: str, text: str) -> str:
        """WeChat keeps one reply per comment and gives it no id: returns ``comment_id``."""
        payload = {
            "msg_data_id": self._msg(remote_id),
            "index": 0,
            "user_comment_id": _as_number(comment_id),
            "content": text,
        }
        self._api("/cgi-bin/comment/reply/add", payload, write=True)
        return comment_id

    def find_reply(self, remote_id: str, comment_id: str, text: str) -> str | None:
        """The comment's ``reply`` (WeChat keeps one per comment) when its content is
        ``text``: returns ``comment_id``, as :meth:`reply_comment` does."""
        msg = self._msg(remote_id)
        wanted = " ".join(text.split())
        begin = 0
        while True:
            body = self._comment_page(msg, begin, 49)
            page = body.get("comment") or []
            for c in page:
                if str(c.get("user_comment_id", "")) == str(comment_id):
                    reply = c.get("reply") or {}
                    content = " ".join(str(reply.get("content", "")).split())
                    return comment_id if reply and content == wanted else None
            begin += len(page)
            if not page or begin >= int(body.get("total") or 0):
                return None

    def delete_comment(self, remote_id: str, comment_id: str) -> None:
        payload = {
            "msg_data_id": self._msg(remote_id),
            "index": 0,
            "user_comment_id": _as_number(comment_id),
        }
        self._api("/cgi-bin/comment/delete", payload, write=True)

    can_hide_comments = True

    def _elect(self, path: str, remote_id: str, comment_id: str) -> None:
        payload = {
            "msg_data_id": self._msg(remote_id),
            "index": 0,
            "user_comment_id": _as_number(comment_id),
        }
        self._api(path, payload, write=True)

    def hide_comment(self, remote_id: str, comment_id: str) -> None:
        """Out of 精选 (unmarkelect): an article shows only elected comments to readers."""
        self._elect("/cgi-bin/comment/unmarkelect", remote_id, comment_id)

    def unhide_comment(self, remote_id: str, comment_id: str) -> None:
        """Back into 精选 (markelect)."""
        self._elect("/cgi-bin/comment/markelect", remote_id, comment_id)

    # account_info: not here. The reference (platforms.md §4–5) documents no call that
    # tells an official account's verification (微信认证) or its followers: the base
    # class's "unsupported" stands, and the watchlist shows 平台未提供 (E-06).

    def metrics(self, remote_id: str) -> dict[str, int]:
        """Comment count only (reading and sharing figures need the datacube API)."""
        body = self._comment_page(self._msg(remote_id), 0, 1)
        return {"comments": int(body.get("total") or 0)}


def msg_data_id_of(remote_id: str) -> str:
    """The ``msg_data_id`` of a remote id (either form), "" when it has none."""
    return _Ref.parse(remote_id).msg_data_id
