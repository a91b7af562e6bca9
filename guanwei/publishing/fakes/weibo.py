"""A fake Weibo open API (OAuth2 and the /2/ endpoints guanwei uses), in memory.

Imitates (reference/platforms.md §1–3): the non-2xx error envelope
``{"request": "/2/…", "error_code": <int>, "error"}`` as recorded from the live API (the
old wiki prints the code as a string); tokens that expire (21327) or are revoked or
overwritten (21332); ``expires_in`` an int, ``remind_in`` and ``uid`` strings;
``get_token_info.expire_in`` going negative; single-use authorisation codes;
share.json's rules — ``rip`` required, a link under the app's safe domain required,
``#话题#`` refused, at most 140 characters (two ASCII characters count as one),
identical text refused with 20019 and similar text with 20017, pictures JPEG/GIF/PNG
under 5 MB; a per-user hourly posting limit (10024); status and comment ids above 2**53,
odd, so a client that reads ``id`` through a float gets them wrong (use ``idstr``);
``since_id`` exclusive, ``max_id`` inclusive, ``page`` 1-based, ``count`` caps;
deleting others' statuses/comments (20102/20203); on demand (``review_next`` n), 20053 —
the post is published and held for manual review, answered HTTP 400 as recorded live —
listed in the author's timeline at once, or (``review_visible`` false) only after
``review_seconds`` (default 180).
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from guanwei.publishing.fakes.accounts import AccountsFile, FakeAccount
from guanwei.publishing.fakes.server import (
    Platform,
    Request,
    Response,
    html_response,
    json_response,
    now,
)
from guanwei.publishing.fakes.weibo_data import (
    APP_KEY,
    APP_SECRET,
    CST,
    DEMO_TOKEN,
    DEMO_UID,
    REVIEW_MESSAGE,
    SAFE_DOMAIN,
    SOURCE,
    TOKEN_TTL,
    TOPIC,
    URL,
    Comment,
    Data,
    Status,
    Token,
    same_site,
    similar_key,
    weibo_length,
    weibo_time,
)

STATUS_PAGE = re.compile(r"^/(\d+)/(\d+)$")  # weibo.com/<uid>/<idstr>
USER_PAGE = re.compile(r"^/u/(\d+)$")  # weibo.com/u/<uid>: one account's timeline

__all__ = [
    "APP_KEY",
    "APP_SECRET",
    "DEMO_TOKEN",
    "DEMO_UID",
    "SAFE_DOMAIN",
    "WeiboFake",
    "weibo_length",
]


class WeiboFake(Platform):
    name = "weibo"
    exempt_prefixes = ("/oauth2/",)

    def __init__(
        self,
        *,
        safe_domain: str = SAFE_DOMAIN,
        duplicate_window_s: float = 86400,
        accounts_file: str | None = None,
    ) -> None:
        self.safe_domain = safe_domain
        self.accounts_file = AccountsFile(accounts_file)
        self.safe_domains: dict[str, str] = {}  # uid -> its own safe domain (demo accounts)
        self.duplicate_window_s = duplicate_window_s
        self.reject_topics = True
        self.review_next = 0
        self.review_visible = True
        self.review_seconds = 180.0
        self.pending_review = 0
        self.data = Data()
        super().__init__()

    # ------------------------------------------------------------------ state

    def seed(self) -> None:
        d = self.data = Data()
        self.reject_topics = True
        self.review_next, self.review_visible, self.review_seconds = 0, True, 180.0
        self.pending_review = 0
        d.users.update(
            {
                DEMO_UID: "示例气象局",
                "1000002": "热心市民小王",
                "1000003": "天气爱好者",
                "1000009": "中国气象局",
                "1000010": "应急管理部",
            }
        )
        # 加V (E-06): government accounts carry a blue V (verified_type 1), people none (-1)
        d.profiles.update(
            {
                DEMO_UID: _profile(True, 1, "示例气象局官方微博", 12800),
                "1000002": _profile(False, -1, "", 35),
                "1000003": _profile(False, -1, "", 820),
                "1000009": _profile(True, 1, "中国气象局官方微博", 8_900_000),
                "1000010": _profile(True, 1, "中华人民共和国应急管理部官方微博", 5_600_000),
            }
        )
        t = now()
        d.tokens[DEMO_TOKEN] = Token(DEMO_TOKEN, DEMO_UID, APP_KEY, t, t + TOKEN_TTL)
        d.friends[DEMO_UID] = ["1000009", "1000010"]
        first = self._add_status(
            DEMO_UID,
            f"【天气预报】今天白天晴转多云，最高气温 18℃。详情 {self.safe_domain}/forecast",
            t - 86400,
        )
        self._add_status("1000002", "今天出门带伞了吗？", t - 7200)
        self._add_comment(first.id, "1000002", "请问明天会下雨吗？", t - 80000)
        self._add_comment(first.id, "1000003", "谢谢提醒！", t - 70000)
        self.safe_domains = {}
        for account in self.accounts_file.read("weibo"):
            self.add_account(account)

    def add_account(self, account: FakeAccount) -> None:
        """One more account: its uid, screen name, token and safe domain (issue #10 §5)."""
        if not account.uid.isdigit() or not account.token:
            return
        self.data.users[account.uid] = account.name or f"用户{account.uid}"
        t = now()
        token = self.data.tokens.get(account.token)
        if token is None or token.uid != account.uid:
            self.data.tokens[account.token] = Token(
                account.token, account.uid, APP_KEY, t, t + TOKEN_TTL
            )
        self.data.friends.setdefault(account.uid, ["1000009", "1000010"])
        if account.safe_domain:
            self.safe_domains[account.uid] = account.safe_domain

    def safe_domain_of(self, uid: str) -> str:
        return self.safe_domains.get(uid, self.safe_domain)

    def _reload_accounts(self) -> None:
        """Accounts written to the file since it was read (an organisation loaded while the
        fakes run)."""
        if self.accounts_file.changed():
            for account in self.accounts_file.read("weibo"):
                self.add_account(account)

    def _add_status(self, uid: str, text: str, created: float, pic: bytes = b"") -> Status:
        status = Status(self.data.ids.next_status(), uid, text, created, pic)
        self.data.statuses[status.id] = status
        return status

    def _add_comment(
        self, status_id: int, uid: str, text: str, created: float, reply_to: int = 0
    ) -> Comment:
        comment = Comment(self.data.ids.next_comment(), status_id, uid, text, created, reply_to)
        self.data.add_comment(comment)
        return comment

    def control(self, options: dict[str, Any]) -> None:
        if options.get("expire_tokens"):
            for token in self.data.tokens.values():
                token.expires = now() - 1
        if options.get("revoke_token") in self.data.tokens:
            self.data.tokens[options["revoke_token"]].revoked = True
        if "review_next" in options:
            self.review_next = int(options["review_next"])
        if "review_visible" in options:
            self.review_visible = bool(options["review_visible"])
        if "review_seconds" in options:
            self.review_seconds = float(options["review_seconds"])
        if "reject_topics" in options:
            self.reject_topics = bool(options["reject_topics"])
        if "safe_domain" in options:
            self.safe_domain = str(options["safe_domain"])
        if "duplicate_window_s" in options:  # 0: accept a repeated text (count duplicates)
            self.duplicate_window_s = float(options["duplicate_window_s"])
        if isinstance(options.get("add_comment"), dict):
            c = options["add_comment"]
            self._add_comment(  # ``reply_to``: the comment it answers (E-06 opinion leaders)
                int(c["status_id"]),
                str(c.get("uid", "1000002")),
                c["text"],
                now(),
                int(c.get("reply_to") or 0),
            )
        if isinstance(options.get("comment_stream"), dict):
            from guanwei.publishing.fakes.comment_streams import generate

            c = options["comment_stream"]
            at = now()
            for item in generate(int(c.get("n", 10)), seed=int(c.get("seed", 0))):
                uid = str(2_000_000 + item["n"] % 500)
                self._add_comment(int(c["status_id"]), uid, item["text"], at)
        if isinstance(options.get("set_user"), dict):  # E-06: name, 加V and followers
            u = options["set_user"]
            uid = str(u["uid"])
            self.data.users[uid] = str(u.get("name") or self.data.users.get(uid, uid))
            profile = self.data.profiles.setdefault(uid, _profile(False, -1, "", 0))
            for key in ("verified", "verified_type", "verified_reason", "followers_count"):
                if key in u:
                    profile[key] = u[key]
        if isinstance(options.get("set_reposts"), dict):  # E-06: {status_id: reposts}
            for sid, n in options["set_reposts"].items():
                status = self.data.statuses.get(int(sid))
                if status is not None:
                    status.reposts = int(n)
        if isinstance(options.get("add_account"), dict):
            a = options["add_account"]
            self.add_account(
                FakeAccount(
                    "weibo",
                    str(a.get("name", "")),
                    uid=str(a.get("uid", "")),
                    token=str(a.get("token", "")),
                    safe_domain=str(a.get("safe_domain", "")),
                )
            )

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {**super().stats(), "pending_review": self.pending_review}

    def listed(self, s: Status) -> bool:
        """Shown in timelines: not deleted, and not hidden under review."""
        return not s.deleted and (self.review_visible or s.review_until <= now())

    # ------------------------------------------------------------------ wire helpers

    def error(self, req: Request, code: int, message: str, status: int = 400) -> Response:
        # As recorded from the live API: error_code an int, request with its /2/ prefix.
        body = {"request": req.path, "error_code": code, "error": message}
        return json_response(body, status)

    def not_found(self, req: Request) -> Response:
        page = STATUS_PAGE.match(req.path)
        if page is not None and req.method == "GET":
            return self.status_page(page.group(1), int(page.group(2)))
        user_page = USER_PAGE.match(req.path)
        if user_page is not None and req.method == "GET" and user_page.group(1) in self.data.users:
            return html_response(self.timeline(user_page.group(1)))
        if req.path.startswith("/pic/"):
            status = (
                self.data.statuses.get(int(req.path[5:] or 0)) if req.path[5:].isdigit() else None
            )
            if status and status.pic:
                return Response(200, status.pic, "image/png")
        return self.error(req, 10020, f"Request api not found! ({req.path})", 404)

    def wrong_method(self, req: Request) -> Response:
        return self.error(req, 10021, "HTTP method is not suported for this request!", 405)

    def fail_response(self, req: Request, status: int, code: int | None) -> Response:
        return self.error(req, code or 10001, "system error!", status)

    def auth(self, req: Request) -> Token | Response:
        value = req.param("access_token")
        header = req.headers.get("authorization", "")
        if not value and header.lower().startswith("oauth2 "):
            value = header[7:].strip()
        if not value:
            return self.error(req, 10006, "Source paramter (appkey) is missing")
        if value not in self.data.tokens:
            self._reload_accounts()
        token = self.data.tokens.get(value)
        if token is None or token.revoked:
            return self.error(req, 21332, "invalid_access_token", 401)
        if token.expires <= now():
            return self.error(req, 21327, "expired_token", 401)
        return token

    def user_json(self, uid: str) -> dict[str, Any]:
        name = self.data.users.get(uid, uid)
        profile = self.data.profiles.get(uid) or _profile(False, -1, "", 0)
        return {"id": int(uid), "idstr": uid, "screen_name": name, "name": name, **profile}

    def status_json(self, s: Status) -> dict[str, Any]:
        pic = f"{self.base_url}/pic/{s.id}" if s.pic else ""
        body: dict[str, Any] = {
            "created_at": weibo_time(s.created),
            "id": s.id,
            "idstr": str(s.id),
            "mid": str(s.id),
            "text": s.text,
            "source": SOURCE,
            "favorited": False,
            "truncated": False,
            "in_reply_to_status_id": "",
            "in_reply_to_user_id": "",
            "in_reply_to_screen_name": "",
            "geo": None,
            "user": self.user_json(s.uid),
            "reposts_count": s.reposts,
            "comments_count": self.data.comment_count(s.id),
            "attitudes_count": s.likes,
            "annotations": [],
        }
        if pic:
            body.update(thumbnail_pic=pic, bmiddle_pic=pic, original_pic=pic)
        return body

    def comment_json(self, c: Comment, status: dict[str, Any] | None = None) -> dict[str, Any]:
        """The comment object; ``status`` the parent's status_json when the caller has it
        (a page of one status's comments builds it once)."""
        body: dict[str, Any] = {
            "created_at": weibo_time(c.created),
            "id": c.id,
            "idstr": str(c.id),
            "mid": str(c.id),
            "text": c.text,
            "source": SOURCE,
            "user": self.user_json(c.uid),
            "status": status or self.status_json(self.data.statuses[c.status_id]),
        }
        target = self.data.comments.get(c.reply_to)
        if target is not None:
            body["reply_comment"] = {
                "id": target.id,
                "idstr": str(target.id),
                "text": target.text,
                "user": self.user_json(target.uid),
            }
        return body

    def page(
        self, req: Request, items: list[Any], *, default: int, cap: int
    ) -> tuple[list[Any], int] | Response:
        """Newest first; since_id exclusive, max_id inclusive, page 1-based."""
        try:
            since = int(req.param("since_id") or 0)
            until = int(req.param("max_id") or 0)
            count = min(max(int(req.param("count") or default), 1), cap)
            page = max(int(req.param("page") or 1), 1)
        except ValueError:
            return self.error(req, 10017, "Parameter's value invalid, expect an integer")
        chosen = sorted(
            (i for i in items if i.id > since and (not until or i.id <= until)),
            key=lambda i: i.id,
            reverse=True,
        )
        return chosen[(page - 1) * count : page * count], len(chosen)

    def _over_limit(self, uid: str) -> bool:
        recent = [ts for ts in self.data.post_times.get(uid, []) if ts > now() - 3600]
        self.data.post_times[uid] = recent
        return len(recent) >= self.rate_limit_per_hour

    # ------------------------------------------------------------------ routes

    def routes(self) -> dict[tuple[str, str], Callable[[Request], Response]]:
        return {
            ("GET", "/"): lambda req: html_response(self.timeline()),
            ("GET", "/oauth2/authorize"): self.authorize,
            ("POST", "/oauth2/access_token"): self.access_token,
            ("POST", "/oauth2/get_token_info"): self.get_token_info,
            ("GET", "/oauth2/revokeoauth2"): self.revoke,
            ("POST", "/oauth2/revokeoauth2"): self.revoke,
            ("POST", "/2/statuses/share.json"): self.share,
            ("GET", "/2/statuses/user_timeline.json"): self.user_timeline,
            ("GET", "/2/statuses/show.json"): self.show,
            ("GET", "/2/statuses/count.json"): self.count,
            ("GET", "/2/users/show.json"): self.users_show,
            ("POST", "/2/statuses/destroy.json"): self.destroy,
            ("GET", "/2/comments/show.json"): self.comments_show,
            ("POST", "/2/comments/create.json"): self.comments_create,
            ("POST", "/2/comments/reply.json"): self.comments_create,
            ("POST", "/2/comments/destroy.json"): self.comments_destroy,
            ("GET", "/2/friendships/friends/ids.json"): self.friends_ids,
            ("GET", "/2/account/get_uid.json"): self.get_uid,
            ("GET", "/2/account/rate_limit_status.json"): self.rate_limit_status,
        }

    def authorize(self, req: Request) -> Response:
        client, uri = req.param("client_id"), req.param("redirect_uri")
        if client != APP_KEY or not uri.startswith(("http://", "https://")):
            return self.error(req, 21323, "illegal request")
        code = secrets.token_hex(16)
        self.data.codes[code] = (client, uri, req.param("uid") or DEMO_UID)
        query = {"code": code, **({"state": req.param("state")} if req.param("state") else {})}
        sep = "&" if "?" in uri else "?"
        return Response(302, b"", "text/plain", {"Location": f"{uri}{sep}{urlencode(query)}"})

    def access_token(self, req: Request) -> Response:
        if req.param("client_id") != APP_KEY or req.param("client_secret") != APP_SECRET:
            return self.error(req, 21324, "invalid_client", 401)
        if req.param("grant_type") != "authorization_code":
            return self.error(req, 21328, "unsupported_grant_type")
        found = self.data.codes.pop(req.param("code"), None)  # single use
        if found is None:
            return self.error(req, 21325, "invalid_grant")
        if found[1] != req.param("redirect_uri"):
            return self.error(req, 21322, "redirect_uri_mismatch")
        uid = found[2]
        for old in self.data.tokens.values():  # a new token overwrites the old one
            if old.uid == uid and old.appkey == APP_KEY:
                old.revoked = True
        value = f"2.00{secrets.token_hex(16)}"
        t = now()
        self.data.tokens[value] = Token(value, uid, APP_KEY, t, t + TOKEN_TTL)
        self.data.users.setdefault(uid, f"用户{uid}")
        return json_response(
            {
                "access_token": value,
                "remind_in": str(TOKEN_TTL),
                "expires_in": TOKEN_TTL,  # an int (wiki example and live samples)
                "uid": uid,
                "isRealName": "true",
                "scope": "",
            }
        )

    def get_token_info(self, req: Request) -> Response:
        token = self.data.tokens.get(req.param("access_token"))
        if token is None or token.revoked:
            return self.error(req, 21332, "invalid_access_token", 401)
        return json_response(
            {
                "uid": int(token.uid),
                "appkey": token.appkey,
                "scope": "",
                "create_at": int(token.created),
                "expire_in": int(token.expires - now()),
            }
        )

    def revoke(self, req: Request) -> Response:
        token = self.data.tokens.get(req.param("access_token"))
        if token is None:
            return self.error(req, 21332, "invalid_access_token", 401)
        token.revoked = True
        return json_response({"result": "true"})

    def share(self, req: Request) -> Response:
        token = self.auth(req)
        if isinstance(token, Response):
            return token
        text = req.param("status")
        if not req.param("rip"):
            return self.error(req, 10016, "Miss required parameter (rip) , see doc for more info.")
        if not text.strip():
            return self.error(req, 10016, "Miss required parameter (status) , see doc.")
        if self._over_limit(token.uid):
            message = "User requests for (statuses/share) out of rate limit!"
            return self.error(req, 10024, message, 403)
        if self.reject_topics and TOPIC.search(text):
            return self.error(req, 10017, "Parameter (status)'s value invalid: #topic# not allowed")
        if weibo_length(text) > 140:
            message = "Text too long, please input text less than 140 characters!"
            return self.error(req, 20012, message)
        safe_domain = self.safe_domain_of(token.uid)
        if not any(same_site(url, safe_domain) for url in URL.findall(text)):
            message = "Parameter (status)'s value invalid: no link of the app's safe domain"
            return self.error(req, 10017, message)
        cutoff = now() - self.duplicate_window_s
        mine = [
            s
            for s in self.data.statuses.values()
            if s.uid == token.uid and not s.deleted and s.created > cutoff
        ]
        if any(s.text == text for s in mine):
            return self.error(req, 20019, "Repeat conetnt!")
        if any(similar_key(s.text) == similar_key(text) for s in mine):
            return self.error(req, 20017, "Repeat content!")
        pic = b""
        if "pic" in req.files:
            pic = req.files["pic"][2]
            if not pic.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF87a", b"GIF89a")):
                return self.error(req, 20005, "Unsupported image type, only suport JPG, GIF, PNG!")
            if len(pic) >= 5 * 1024 * 1024:
                return self.error(req, 20006, "Image size too large.")
        self.data.post_times.setdefault(token.uid, []).append(now())
        status = self._add_status(token.uid, text, now(), pic)
        self.record_post(text)
        if self.review_next > 0:  # published, held for manual review: HTTP 400, 20053
            self.review_next -= 1
            self.pending_review += 1
            status.review_until = now() + self.review_seconds
            return self.error(req, 20053, REVIEW_MESSAGE)
        return json_response(self.status_json(status))

    def user_timeline(self, req: Request) -> Response:
        token = self.auth(req)
        if isinstance(token, Response):
            return token
        uid = req.param("uid") or token.uid
        if uid not in self.data.users:
            return self.error(req, 20003, "User does not exists!")
        authorised = any(t.uid == uid and not t.revoked for t in self.data.tokens.values())
        items = [s for s in self.data.statuses.values() if s.uid == uid and self.listed(s)]
        paged = self.page(req, items if authorised else [], default=20, cap=100)
        if isinstance(paged, Response):
            return paged
        chosen, total = paged
        return json_response(
            {
                "statuses": [self.status_json(s) for s in chosen],
                "total_number": total,
                "previous_cursor": 0,
                "next_cursor": 0,
                "hasvisible": False,
                "marks": [],
                "interval": 0,
            }
        )

    def _status(self, req: Request, name: str = "id") -> Status | Response:
        raw = req.param(name)
        if not raw:
            return self.error(req, 10016, f"Miss required parameter ({name}) , see doc.")
        status = self.data.statuses.get(int(raw)) if raw.isdigit() else None
        if status is None or status.deleted:
            return self.error(req, 20101, "Target weibo does not exist!")
        return status

    def show(self, req: Request) -> Response:
        token = self.auth(req)
        if isinstance(token, Response):
            return token
        status = self._status(req)
        return status if isinstance(status, Response) else json_response(self.status_json(status))

    def count(self, req: Request) -> Response:
        """statuses/count.json: ``ids`` comma-separated (≤ 100) → a JSON array of
        ``{"id", "idstr", "comments", "reposts", "attitudes"}``; unknown ids left out."""
        token = self.auth(req)
        if isinstance(token, Response):
            return token
        raw = [i.strip() for i in req.param("ids").split(",") if i.strip()]
        if not raw:
            return self.error(req, 10016, "Miss required parameter (ids) , see doc.")
        if len(raw) > 100 or not all(i.isdigit() for i in raw):
            return self.error(req, 10017, "Parameter (ids)'s value invalid, expect ids, see doc.")
        rows = []
        for i in raw:
            s = self.data.statuses.get(int(i))
            if s is None or s.deleted:
                continue
            comments = self.data.comment_count(s.id)
            rows.append(
                {
                    "id": s.id,
                    "idstr": str(s.id),
                    "comments": comments,
                    "reposts": s.reposts,
                    "attitudes": s.likes,
                }
            )
        return json_response(rows)

    def users_show(self, req: Request) -> Response:
        """users/show.json by ``uid`` (or ``screen_name``): the user object, with
        ``verified``, ``verified_type``, ``verified_reason``, ``followers_count``."""
        token = self.auth(req)
        if isinstance(token, Response):
            return token
        uid = req.param("uid")
        if not uid and req.param("screen_name"):
            name = req.param("screen_name")
            uid = next((k for k, v in self.data.users.items() if v == name), "")
        if not uid:
            return self.error(req, 10016, "Miss required parameter (uid) , see doc.")
        if uid not in self.data.users:
            return self.error(req, 20003, "User does not exists!")
        return json_response(self.user_json(uid))

    def destroy(self, req: Request) -> Response:
        token = self.auth(req)
        if isinstance(token, Response):
            return token
        status = self._status(req)
        if isinstance(status, Response):
            return status
        if status.uid != token.uid:
            return self.error(req, 20102, "Not your own weibo!", 403)
        status.deleted = True
        return json_response(self.status_json(status))

    def comments_show(self, req: Request) -> Response:
        token = self.auth(req)
        if isinstance(token, Response):
            return token
        status = self._status(req)
        if isinstance(status, Response):
            return status
        try:  # as page(): since_id exclusive, max_id inclusive, page 1-based, count capped
            since = int(req.param("since_id") or 0)
            until = int(req.param("max_id") or 0)
            count = min(max(int(req.param("count") or 50), 1), 200)
            page = max(int(req.param("page") or 1), 1)
        except ValueError:
            return self.error(req, 10017, "Parameter's value invalid, expect an integer")
        chosen = self.data.comments_newest_first(status.id, since, until, (page - 1) * count, count)
        total = self.data.comment_count(status.id, since, until)
        parent = self.status_json(status)
        return json_response(
            {
                "comments": [self.comment_json(c, parent) for c in chosen],
                "previous_cursor": 0,
                "previous_curosr": 0,  # both spellings: weibo4j reads the misspelt one
                "next_cursor": 0,
                "total_number": total,
                "hasvisible": False,
            }
        )

    def comments_create(self, req: Request) -> Response:
        """comments/create.json, and comments/reply.json when ``cid`` is given."""
        token = self.auth(req)
        if isinstance(token, Response):
            return token
        status = self._status(req)
        if isinstance(status, Response):
            return status
        text = req.param("comment")
        if not req.param("rip"):
            return self.error(req, 10016, "Miss required parameter (rip) , see doc for more info.")
        if not text.strip():
            return self.error(req, 10016, "Miss required parameter (comment) , see doc.")
        target = None
        if req.path.endswith("/reply.json"):
            cid = req.param("cid")
            if not cid:
                return self.error(req, 20204, "Comment id is null!")
            target = self.data.comments.get(int(cid)) if cid.isdigit() else None
            if target is None or target.deleted or target.status_id != status.id:
                return self.error(req, 20201, "Target weibo comment does not exist!")
            if req.param("without_mention", "0") != "1":
                text = f"回复@{self.data.users.get(target.uid, target.uid)}:{text}"
        if weibo_length(text) > 140:
            return self.error(
                req, 20012, "Text too long, please input text less than 140 characters!"
            )
        if any(c.uid == token.uid and c.text == text for c in self.data.live_comments(status.id)):
            return self.error(req, 20019, "Repeat conetnt!")
        comment = self._add_comment(status.id, token.uid, text, now(), target.id if target else 0)
        return json_response(self.comment_json(comment))

    def comments_destroy(self, req: Request) -> Response:
        token = self.auth(req)
        if isinstance(token, Response):
            return token
        cid = req.param("cid")
        comment = self.data.comments.get(int(cid)) if cid.isdigit() else None
        if comment is None or comment.deleted:
            return self.error(req, 20201, "Target weibo comment does not exist!")
        if comment.uid != token.uid:
            return self.error(req, 20203, "Not your own comment!", 403)
        self.data.delete_comment(comment)
        return json_response(self.comment_json(comment))

    def friends_ids(self, req: Request) -> Response:
        token = self.auth(req)
        if isinstance(token, Response):
            return token
        if (req.param("uid") or token.uid) != token.uid:
            return self.error(req, 10017, "Parameter (uid)'s value invalid: not the current user")
        ids = self.data.friends.get(token.uid, [])
        cursor = int(req.param("cursor") or 0)
        count = min(max(int(req.param("count") or 500), 1), 5000)
        chosen = ids[cursor : cursor + count]
        after = cursor + len(chosen)
        return json_response(
            {
                "ids": [int(i) for i in chosen],
                "next_cursor": after if after < len(ids) else 0,
                "previous_cursor": max(cursor - count, 0),
                "total_number": len(ids),
            }
        )

    def get_uid(self, req: Request) -> Response:
        token = self.auth(req)
        return token if isinstance(token, Response) else json_response({"uid": int(token.uid)})

    def rate_limit_status(self, req: Request) -> Response:
        token = self.auth(req)
        if isinstance(token, Response):
            return token
        self._over_limit(token.uid)
        used = len(self.data.post_times.get(token.uid, []))
        reset = datetime.now(CST).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        return json_response(
            {
                "ip_limit": 10000,
                "limit_time_unit": "HOURS",
                "remaining_ip_hits": 10000,
                "remaining_user_hits": max(self.rate_limit_per_hour - used, 0),
                "reset_time": reset.strftime("%Y-%m-%d %H:%M:%S"),
                "reset_time_in_seconds": int(reset.timestamp() - now()),
                "user_limit": self.rate_limit_per_hour,
            }
        )

    # ------------------------------------------------------------------ pages

    def status_page(self, uid: str, status_id: int) -> Response:
        """``GET /<uid>/<idstr>``: the status as weibo.com shows it at the URL the adapter
        records (``web_url/<uid>/<idstr>``)."""
        status = self.data.statuses.get(status_id)
        if status is None or status.uid != uid or status.deleted:
            return html_response(
                '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                "<title>微博（本地模拟）</title></head><body>"
                "<p>抱歉，此微博已被删除或不存在。</p></body></html>",
                404,
            )
        name = html.escape(self.data.users.get(uid, uid))
        when = datetime.fromtimestamp(status.created, UTC).astimezone(CST)
        pic = f'<img src="/pic/{status.id}" alt="" width="240">' if status.pic else ""
        review = "<p>（人工审核中）</p>" if status.review_until > now() else ""
        comments = "".join(
            f"<li>{html.escape(self.data.users.get(c.uid, c.uid))}：{html.escape(c.text)}</li>"
            for c in self.data.live_comments(status.id)
        )
        return html_response(
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{name}的微博（本地模拟）</title></head><body>"
            f'<h1><a href="/">{name}</a></h1>{review}'
            f"<article><p>{html.escape(status.text)}</p>{pic}"
            f"<small>{when:%Y-%m-%d %H:%M} · idstr {status.id}</small>"
            f"<ul>{comments}</ul></article></body></html>"
        )

    def timeline(self, uid: str = DEMO_UID) -> str:
        """One account's timeline (``/`` the seeded 示例气象局's, ``/u/<uid>`` any other's),
        with the list of every account the fake holds."""
        with self.lock:
            accounts = "".join(
                f'<li><a href="/u/{html.escape(other)}">'
                f"{html.escape(self.data.users.get(other, other))}</a></li>"
                for other in [DEMO_UID, *self.safe_domains]
            )
            mine = sorted(
                (s for s in self.data.statuses.values() if s.uid == uid and not s.deleted),
                key=lambda s: s.id,
                reverse=True,
            )
            items = []
            for s in mine:
                comments = "".join(
                    f"<li>{html.escape(self.data.users.get(c.uid, c.uid))}："
                    f"{html.escape(c.text)}</li>"
                    for c in self.data.live_comments(s.id)
                )
                when = datetime.fromtimestamp(s.created, UTC).astimezone(CST)
                pic = f'<img src="/pic/{s.id}" alt="" width="120">' if s.pic else ""
                items.append(
                    f"<article><p>{html.escape(s.text)}</p>{pic}"
                    f'<small><a href="/{s.uid}/{s.id}">{when:%Y-%m-%d %H:%M}</a>'
                    f" · idstr {s.id}</small>"
                    f"<ul>{comments}</ul></article>"
                )
            name = html.escape(self.data.users.get(uid, uid))
        return (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{name} - 微博（本地模拟）</title></head><body>"
            f"<h1>{name}</h1><p>本地模拟微博，共 {len(mine)} 条</p>{''.join(items)}"
            f"<nav><h2>本地模拟的账号</h2><ul>{accounts}</ul></nav></body></html>"
        )


def _profile(verified: bool, kind: int, reason: str, followers: int) -> dict[str, object]:
    return {
        "verified": verified,
        "verified_type": kind,
        "verified_reason": reason,
        "followers_count": followers,
    }
