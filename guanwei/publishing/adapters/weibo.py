"""Weibo (新浪微博) open API v2: statuses/share, timeline, comments, follows.

Settings: ``access_token`` (required), ``base_url`` (default https://api.weibo.com),
``safe_domain`` (the app's 安全域名, e.g. https://weather.example.gov.cn: share.json
rejects a status without a link under it), ``uid`` (optional; else account/get_uid),
``rip`` (the real end-user IP share.json asks for; default 127.0.0.1), ``upload_base_url``
(multipart uploads; default ``base_url``), ``web_url`` (default https://weibo.com).

Wire facts (reference/platforms.md §1–3): errors are non-2xx with a JSON ``error_code``
(an int as recorded live; the old wiki prints a string: both accepted); 20053 on
share.json means published and held for manual review (a success, see ``publish``);
ids are keyed on ``idstr`` (the int64 ``id`` loses digits as a float);
``since_id`` is exclusive, ``max_id`` inclusive, ``page`` 1-based.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

from guanwei.publishing.adapters.base import (
    Adapter,
    AdapterError,
    Media,
    PublishRequest,
    PublishResult,
    RemoteAccount,
    RemoteComment,
    RemotePost,
    find_urls,
    first_image,
)
from guanwei.publishing.adapters.http import HttpClient, HttpResponse

log = logging.getLogger("guanwei.publishing.weibo")

DEFAULT_BASE = "https://api.weibo.com"
TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"

# "Your Weibo has been successfully released and needs manual review for 3 minutes".
PENDING_REVIEW = 20053

# error_code → (our code, permanent, what a person should know).
ERRORS: dict[int, tuple[str, bool, str]] = {
    21327: ("auth", True, "微博账号授权已过期，请重新连接账号"),
    21332: ("auth", True, "微博访问令牌无效或已被撤销，请重新连接账号"),
    21314: ("auth", True, "微博访问令牌已被使用过，请重新连接账号"),
    21315: ("auth", True, "微博访问令牌已过期，请重新连接账号"),
    21316: ("auth", True, "微博访问令牌已被撤销，请重新连接账号"),
    21317: ("auth", True, "微博访问令牌被拒绝，请重新连接账号"),
    21301: ("auth", True, "微博认证失败，请重新连接账号"),
    10006: ("auth", True, "缺少微博应用凭证，请重新连接账号"),
    21321: ("forbidden", True, "微博应用尚未通过审核，只有测试账号能用，请联系管理员完成应用审核"),
    10014: ("forbidden", True, "微博应用没有该接口的权限，请联系管理员申请"),
    20019: ("duplicate", True, "微博拒绝了重复内容：相同内容近期已经发过"),
    20017: ("duplicate", True, "微博拒绝了相似内容：近期已发过类似内容"),
    20111: ("duplicate", True, "微博拒绝了重复的微博正文"),
    20012: ("too_long", True, "正文超过微博 140 字的限制，请删减后重新提交"),
    10022: ("rate_limited", False, "本机 IP 调用微博过于频繁，系统稍后自动重试"),
    10023: ("rate_limited", False, "账号调用微博过于频繁，系统稍后自动重试"),
    10024: ("rate_limited", False, "账号发布次数超出微博每小时限额，系统稍后自动重试"),
    20016: ("rate_limited", False, "发微博过于频繁，系统稍后自动重试"),
    10016: ("invalid", True, "提交给微博的参数缺失，请联系管理员"),
    10017: (
        "invalid",
        True,
        "微博拒绝了提交的内容：分享接口要求正文包含本应用安全域名下的链接，且不能含 #话题#",
    ),
    20005: ("media", True, "图片格式不受微博支持（仅限 JPEG、GIF、PNG）"),
    20006: ("media", True, "图片超过微博 5MB 的限制"),
    20101: ("not_found", True, "该微博已不存在"),
    20102: ("forbidden", True, "不能操作别人的微博"),
    20201: ("not_found", True, "该评论已不存在"),
    20203: ("forbidden", True, "不能删除别人的评论"),
    20204: ("invalid", True, "评论 ID 为空"),
    20206: ("forbidden", True, "作者只允许关注的人评论"),
    20207: ("forbidden", True, "作者只允许可信用户评论"),
    20003: ("not_found", True, "该微博用户不存在"),
}


def weibo_error(body: Mapping[str, Any], status: int, *, creates: bool, what: str) -> AdapterError:
    """The AdapterError for a Weibo error envelope ``{"error_code", "error", "request"}``."""
    raw_code = str(body.get("error_code", "")).strip()
    english = str(body.get("error", "")) or "unknown error"
    try:
        number = int(raw_code)
    except ValueError:
        number = 0
    message = f"weibo {what}: HTTP {status}, error_code {raw_code or '-'}: {english}"
    if number == PENDING_REVIEW:
        # The post went out and is held for manual review: a success pending review,
        # never a failure. Its id is not in the answer: the caller looks it up.
        return AdapterError(
            message,
            permanent=False,
            code="pending_review",
            platform_code=raw_code,
            status=status,
            unknown_outcome=creates,
            user_message=(
                "微博已发布，正在人工审核（约 3 分钟）；系统将在账号的微博列表中核实并记录"
                f"（微博错误 {raw_code}）"
            ),
        )
    if number in ERRORS:
        code, permanent, chinese = ERRORS[number]
        return AdapterError(
            message,
            permanent=permanent,
            code=code,
            platform_code=raw_code,
            status=status,
            user_message=f"{chinese}（微博错误 {raw_code}）",
        )
    if status == 429:
        return AdapterError(
            message,
            permanent=False,
            code="rate_limited",
            platform_code=raw_code,
            status=status,
            user_message=f"调用微博过于频繁，系统稍后自动重试（微博错误 {raw_code or '429'}）",
        )
    if status >= 500 or not raw_code:
        return server_error(status, creates=creates, what=what, platform_code=raw_code)
    return AdapterError(
        message,
        permanent=True,
        code="platform",
        platform_code=raw_code,
        status=status,
        user_message=f"微博拒绝了请求：{english}（微博错误 {raw_code}）",
    )


def server_error(status: int, *, creates: bool, what: str, platform_code: str = "") -> AdapterError:
    tail = "，请求可能已送达，系统将向平台核实是否已发布。" if creates else "，系统稍后自动重试。"
    return AdapterError(
        f"weibo {what}: HTTP {status} (server error)",
        permanent=False,
        code="server_error",
        platform_code=platform_code,
        status=status,
        unknown_outcome=creates,
        user_message=f"微博服务器出错（HTTP {status}）{tail}",
    )


def _same_site(url: str, domain: str) -> bool:
    if "://" not in domain:
        domain = f"https://{domain}"
    host = (urlsplit(domain).hostname or "").lower()
    got = (urlsplit(url).hostname or "").lower()
    return bool(host) and (got == host or got.endswith(f".{host}"))


def compose_status(text: str, *, link: str = "", safe_domain: str = "") -> str:
    """The status share.json receives: ``text``, plus a link under the app's safe domain
    when the text has none (share.json rejects a status without one)."""
    text = text.strip()
    urls = find_urls(text)
    if safe_domain and any(_same_site(u, safe_domain) for u in urls):
        return text
    if not safe_domain:
        if urls or not link:
            return text
        return f"{text} {link}"
    target = link if link and _same_site(link, safe_domain) else safe_domain
    if "://" not in target:
        target = f"https://{target}"
    return f"{text} {target}"


_TIME = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"(\d\d) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d) (\d{4})"
)
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


def parse_time(value: Any) -> datetime | None:
    """Weibo's ``created_at`` (``TIME_FORMAT``, "Tue May 31 17:46:55 +0800 2011"). The usual
    shape is read directly (strptime costs 0.1 ms, a tenth of a fetched comment's budget);
    anything else goes through strptime."""
    if not value:
        return None
    text = str(value)
    m = _TIME.fullmatch(text)
    if m is not None:
        month, day, hh, mm, ss, sign, oh, om, year = m.groups()
        offset = timedelta(hours=int(oh), minutes=int(om))
        try:
            return datetime(
                int(year),
                _MONTHS[month],
                int(day),
                int(hh),
                int(mm),
                int(ss),
                tzinfo=timezone(-offset if sign == "-" else offset),
            )
        except ValueError:
            pass
    try:
        return datetime.strptime(text, TIME_FORMAT)
    except ValueError:
        return None


def status_id(obj: Mapping[str, Any]) -> str:
    """``idstr`` first: the int64 ``id`` is not safe through a float."""
    for key in ("idstr", "mid", "id"):
        value = obj.get(key)
        if value not in (None, ""):
            return str(value)
    return ""


class WeiboAdapter(Adapter):
    platform = "weibo"
    features = frozenset({"publish", "delete", "comments", "follows", "metrics", "account"})
    default_settle_seconds = 30  # timelines can lag a little behind share.json

    def __init__(self, settings: Mapping[str, str], *, client: HttpClient | None = None) -> None:
        super().__init__(settings, client=client)
        self.base_url = self.setting("base_url", DEFAULT_BASE).rstrip("/")
        self.upload_base_url = self.setting("upload_base_url", self.base_url).rstrip("/")
        self.web_url = self.setting("web_url", "https://weibo.com").rstrip("/")
        self._uid = self.setting("uid", "")
        self.client.add_secret(self.settings.get("access_token"))

    # ------------------------------------------------------------------ wire

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        creates: bool = False,
        base: str = "",
    ) -> Any:
        token = self.setting("access_token")
        url = f"{base or self.base_url}{path}"
        headers = {"Authorization": f"OAuth2 {token}"}
        response: HttpResponse
        if method == "GET":
            response = self.client.get(url, params=params, headers=headers)
        else:
            response = self.client.post(url, data=data, files=files, headers=headers, write=True)
        return self._decode(response, creates=creates, what=path)

    def _decode(self, response: HttpResponse, *, creates: bool, what: str) -> Any:
        try:
            body = response.json()
        except AdapterError:
            if response.status_code >= 500:
                raise server_error(response.status_code, creates=creates, what=what) from None
            if response.ok:
                raise
            raise AdapterError(
                f"weibo {what}: HTTP {response.status_code} without a JSON body",
                permanent=True,
                code="platform",
                status=response.status_code,
                user_message=f"微博接口返回 HTTP {response.status_code}，请检查接口地址设置。",
            ) from None
        if isinstance(body, Mapping) and "error_code" in body:
            raise weibo_error(body, response.status_code, creates=creates, what=what)
        if not response.ok:
            raise server_error(response.status_code, creates=creates, what=what)
        return body

    def _rip(self) -> str:
        return self.setting("rip", "127.0.0.1")

    def uid(self) -> str:
        if not self._uid:
            body = self._call("GET", "/2/account/get_uid.json")
            self._uid = str(body.get("uid", ""))
        return self._uid

    def _post_url(self, obj: Mapping[str, Any]) -> str:
        user = obj.get("user") or {}
        uid = str(user.get("idstr") or user.get("id") or self._uid or "")
        sid = status_id(obj)
        return f"{self.web_url}/{uid}/{sid}" if uid and sid else ""

    # ------------------------------------------------------------------ publishing

    def expected_text(self, req: PublishRequest) -> str:
        return compose_status(req.text, link=req.link, safe_domain=self.setting("safe_domain", ""))

    def publish(self, req: PublishRequest) -> PublishResult:
        status = self.expected_text(req)
        if not find_urls(status):
            raise AdapterError(
                "weibo publish: no safe_domain configured and the text has no link",
                permanent=True,
                code="config",
                user_message="微博分享接口要求正文含本应用安全域名下的链接，请在账号接入设置中填写安全域名。",
            )
        data = {"status": status, "rip": self._rip()}
        image: Media | None = first_image(req.media)
        if len(req.media) > (1 if image else 0):
            log.info("weibo publish %s: share.json takes one picture; others left out", req.key)
        sent_at = datetime.now(UTC)
        try:
            if image is not None:
                files = {"pic": (image.filename, image.data, image.content_type)}
                obj = self._call(
                    "POST",
                    "/2/statuses/share.json",
                    data=data,
                    files=files,
                    creates=True,
                    base=self.upload_base_url,
                )
            else:
                obj = self._call("POST", "/2/statuses/share.json", data=data, creates=True)
        except AdapterError as e:
            if e.code != "pending_review":
                raise
            return self._pending_review(req, e, sent_at)
        remote_id = status_id(obj)
        if not remote_id:
            raise AdapterError(
                "weibo publish: response has no idstr",
                permanent=False,
                code="bad_response",
                unknown_outcome=True,
                user_message="微博返回的结果缺少微博 ID，系统将向平台核实是否已发布。",
            )
        log.info("weibo publish %s → %s", req.key, remote_id)
        return PublishResult(
            remote_id=remote_id,
            url=self._post_url(obj),
            raw={"idstr": remote_id, "mid": str(obj.get("mid", "")), "text": obj.get("text", "")},
        )

    def _pending_review(
        self, req: PublishRequest, error: AdapterError, sent_at: datetime
    ) -> PublishResult:
        """20053: the post is out, under manual review. Its id, from the account's newest
        posts; not listed yet (or the platform unreachable) → the 20053 error itself, of
        unknown outcome: the dispatcher reconciles through :meth:`find_published`."""
        try:
            found = self.find_published(req, limit=20, sent_after=sent_at)
        except AdapterError:
            found = None
        if found is None:
            log.info("weibo publish %s: 20053, not listed yet; to reconcile", req.key)
            raise error
        log.info("weibo publish %s → %s (20053: pending manual review)", req.key, found.remote_id)
        return PublishResult(
            remote_id=found.remote_id,
            url=found.url,
            raw={"idstr": found.remote_id, "pending_review": True, "error_code": PENDING_REVIEW},
        )

    def delete(self, remote_id: str) -> None:
        self._call("POST", "/2/statuses/destroy.json", data={"id": remote_id})

    def still_up(self, remote_id: str) -> bool:
        """statuses/show: 20101 (not_found) once it is deleted."""
        try:
            self._call("GET", "/2/statuses/show.json", params={"id": remote_id})
        except AdapterError as e:
            if e.code == "not_found":
                return False
            raise
        return True

    def recent_posts(self, limit: int = 50) -> list[RemotePost]:
        uid = self.uid()
        posts: list[RemotePost] = []
        page = 1
        count = max(1, min(limit, 100))
        while len(posts) < limit:
            body = self._call(
                "GET",
                "/2/statuses/user_timeline.json",
                params={"uid": uid, "count": count, "page": page},
            )
            statuses = body.get("statuses") or []
            for obj in statuses:
                posts.append(
                    RemotePost(
                        remote_id=status_id(obj),
                        text=str(obj.get("text", "")),
                        created_at=parse_time(obj.get("created_at")),
                        url=self._post_url(obj),
                    )
                )
            if len(statuses) < count:
                break
            page += 1
        return posts[:limit]

    def metrics(self, remote_id: str) -> dict[str, int]:
        obj = self._call("GET", "/2/statuses/show.json", params={"id": remote_id})
        return {
            "reposts": int(obj.get("reposts_count") or 0),
            "comments": int(obj.get("comments_count") or 0),
            "likes": int(obj.get("attitudes_count") or 0),
        }

    def metrics_many(self, remote_ids: list[str]) -> dict[str, dict[str, int]]:
        """statuses/count.json, up to 100 ids a call: ``[{"id", "idstr"?, "comments",
        "reposts", "attitudes"}]`` (E-06). Keyed on ``idstr`` when the answer has it (the
        int64 ``id`` loses digits through a float); a deleted status is left out."""
        found: dict[str, dict[str, int]] = {}
        wanted = [r for r in dict.fromkeys(remote_ids) if r]
        for start in range(0, len(wanted), 100):
            chunk = wanted[start : start + 100]
            body = self._call("GET", "/2/statuses/count.json", params={"ids": ",".join(chunk)})
            for row in body if isinstance(body, list) else []:
                if not isinstance(row, Mapping):
                    continue
                found[status_id(row)] = {
                    "reposts": int(row.get("reposts") or 0),
                    "comments": int(row.get("comments") or 0),
                    "likes": int(row.get("attitudes") or 0),
                }
        return found

    def account_info(self, uid: str = "") -> RemoteAccount:
        """users/show.json: ``verified`` (加V), ``verified_type`` (-1 none, 0 a person's
        橙V, 1–7 a body's 蓝V), ``verified_reason``, ``followers_count`` (E-06)."""
        target = uid or self.uid()
        obj = self._call("GET", "/2/users/show.json", params={"uid": target})
        try:
            kind: int | None = int(obj.get("verified_type"))
        except (TypeError, ValueError):
            kind = None
        try:
            followers: int | None = int(obj.get("followers_count"))
        except (TypeError, ValueError):
            followers = None
        return RemoteAccount(
            uid=str(obj.get("idstr") or obj.get("id") or target),
            name=str(obj.get("screen_name", "")),
            verified=bool(obj.get("verified")),
            verified_type=kind,
            verified_reason=str(obj.get("verified_reason") or ""),
            followers=followers,
        )

    # ------------------------------------------------------------------ interaction

    def fetch_comments(self, remote_id: str, since_id: str = "") -> list[RemoteComment]:
        """Comments newer than ``since_id`` (exclusive), oldest first."""
        found: dict[str, RemoteComment] = {}
        count = 50
        for page in range(1, 41):
            params: dict[str, Any] = {"id": remote_id, "count": count, "page": page}
            if since_id:
                params["since_id"] = since_id
            body = self._call("GET", "/2/comments/show.json", params=params)
            comments = body.get("comments") or []
            for c in comments:
                cid = status_id(c)
                reply = c.get("reply_comment") or {}
                found[cid] = RemoteComment(
                    remote_id=cid,
                    post_id=status_id(c.get("status") or {}) or remote_id,
                    text=str(c.get("text", "")),
                    author=str((c.get("user") or {}).get("screen_name", "")),
                    created_at=parse_time(c.get("created_at")),
                    reply_to=status_id(reply) if reply else "",
                )
            if len(comments) < count:
                break
        return sorted(
            found.values(), key=lambda c: int(c.remote_id) if c.remote_id.isdigit() else 0
        )

    def comments_page(
        self, remote_id: str, *, since_id: str = "", max_id: str = "", count: int = 50
    ) -> tuple[list[RemoteComment], int]:
        """One page of comments/show, newest first: ids > ``since_id`` (exclusive) and
        ≤ ``max_id`` (inclusive), compared as integers of ``idstr``. Returns the comments
        and how many the page held (fewer than ``count``: the range is exhausted)."""
        params: dict[str, Any] = {"id": remote_id, "count": count, "page": 1}
        if since_id:
            params["since_id"] = since_id
        if max_id:
            params["max_id"] = max_id
        body = self._call("GET", "/2/comments/show.json", params=params)
        raw = body.get("comments") or []
        out = []
        for c in raw:
            cid = status_id(c)
            reply = c.get("reply_comment") or {}
            user = c.get("user") or {}
            out.append(
                RemoteComment(
                    remote_id=cid,
                    post_id=status_id(c.get("status") or {}) or remote_id,
                    text=str(c.get("text", "")),
                    author=str(user.get("screen_name", "")),
                    created_at=parse_time(c.get("created_at")),
                    reply_to=status_id(reply) if reply else "",
                    author_id=str(user.get("idstr") or user.get("id") or ""),
                )
            )
        return out, len(raw)

    def reply_comment(self, remote_id: str, comment_id: str, text: str) -> str:
        """Reply as sent (``without_mention=1``: no automatic "回复@name:" prefix)."""
        obj = self._call(
            "POST",
            "/2/comments/reply.json",
            data={
                "id": remote_id,
                "cid": comment_id,
                "comment": text,
                "without_mention": 1,
                "comment_ori": 0,
                "rip": self._rip(),
            },
            creates=True,
        )
        return status_id(obj)

    def delete_comment(self, remote_id: str, comment_id: str) -> None:
        self._call("POST", "/2/comments/destroy.json", data={"cid": comment_id})

    def find_reply(self, remote_id: str, comment_id: str, text: str) -> str | None:
        """A comment on the status replying to ``comment_id`` (``reply_comment``) with the
        same text, in the newest 500 (walked down with ``max_id``, inclusive)."""
        wanted = " ".join(text.split())
        max_id = ""
        for _ in range(10):
            page, n = self.comments_page(remote_id, max_id=max_id, count=50)
            for c in page:
                if c.reply_to == comment_id and " ".join(c.text.split()) == wanted:
                    return c.remote_id
            if n < 50 or not page:
                return None
            lowest = min(int(c.remote_id) for c in page if c.remote_id.isdigit())
            max_id = str(lowest - 1)
        return None

    def fetch_follows(self) -> list[str]:
        uid = self.uid()
        ids: list[str] = []
        cursor = 0
        for _ in range(50):
            body = self._call(
                "GET",
                "/2/friendships/friends/ids.json",
                params={"uid": uid, "count": 500, "cursor": cursor},
            )
            ids.extend(str(i) for i in body.get("ids") or [])
            cursor = int(body.get("next_cursor") or 0)
            if not cursor:
                break
        return ids


# ---------------------------------------------------------------------- OAuth2 helpers


@dataclass(frozen=True)
class WeiboToken:
    access_token: str
    expires_in: int
    uid: str


def authorize_url(
    client_id: str, redirect_uri: str, *, state: str = "", base_url: str = DEFAULT_BASE
) -> str:
    query = {"client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code"}
    if state:
        query["state"] = state
    return f"{base_url.rstrip('/')}/oauth2/authorize?{urlencode(query)}"


def exchange_code(
    client: HttpClient,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    base_url: str = DEFAULT_BASE,
) -> WeiboToken:
    """Trade an authorisation code for a token. ``expires_in`` comes as str or int."""
    client.add_secret(client_secret)
    response = client.post(
        f"{base_url.rstrip('/')}/oauth2/access_token",
        data={
            "client_id": client_id,
            "client_secret": client_secret,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
        },
        write=False,
    )
    body = response.json()
    if not response.ok or "error_code" in body:
        raise weibo_error(body, response.status_code, creates=False, what="oauth2/access_token")
    client.add_secret(str(body["access_token"]))
    return WeiboToken(
        access_token=str(body["access_token"]),
        expires_in=int(str(body.get("expires_in", "0")) or 0),
        uid=str(body.get("uid", "")),
    )


def token_info(
    client: HttpClient, access_token: str, *, base_url: str = DEFAULT_BASE
) -> dict[str, Any]:
    """``{"uid", "appkey", "scope", "create_at", "expire_in"}``; ``expire_in`` ≤ 0 means
    expired. Check ``appkey`` against your app's key to validate a token."""
    client.add_secret(access_token)
    response = client.post(
        f"{base_url.rstrip('/')}/oauth2/get_token_info",
        data={"access_token": access_token},
        write=False,
    )
    body = response.json()
    if not response.ok or "error_code" in body:
        raise weibo_error(body, response.status_code, creates=False, what="oauth2/get_token_info")
    info = dict(body)
    info["uid"] = str(info.get("uid", ""))
    info["expire_in"] = int(str(info.get("expire_in", "0")) or 0)
    return info
