"""The fake Weibo speaks the wire format of reference/platforms.md §1–3 (checked with a
bare HTTP client, so the adapter's own assumptions are not what is tested)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from guanwei.publishing.fakes import FakePlatforms, start_fakes, text_hash, weibo

LINK = weibo.SAFE_DOMAIN
AUTH = {"Authorization": f"OAuth2 {weibo.DEMO_TOKEN}"}


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's fixture of this name, which needs Django settings:
    these tests are pure Python and also run with ``-p no:django``."""


@pytest.fixture(scope="module")
def running() -> Iterator[FakePlatforms]:
    with start_fakes() as fakes:
        yield fakes


@pytest.fixture
def fakes(running: FakePlatforms) -> FakePlatforms:
    running.reset()
    return running


@pytest.fixture
def http(fakes: FakePlatforms) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fakes.weibo_url, timeout=5) as client:
        yield client


def share(http: httpx.Client, text: str, **extra: Any) -> httpx.Response:
    data = {"status": text, "rip": "203.0.113.9", **extra}
    return http.post("/2/statuses/share.json", data=data, headers=AUTH)


def test_errors_are_non_2xx_with_an_integer_error_code_and_the_2_path(http: httpx.Client) -> None:
    """X-03: the envelope recorded from the live API (reference/platforms.md §1):
    ``error_code`` an int, ``request`` the path with its ``/2/`` prefix."""
    response = http.get("/2/statuses/user_timeline.json")
    assert response.status_code == 400
    assert response.json() == {
        "request": "/2/statuses/user_timeline.json",
        "error_code": 10006,
        "error": "Source paramter (appkey) is missing",
    }
    refused = share(http, "没有链接")
    assert refused.json()["request"] == "/2/statuses/share.json"
    assert type(refused.json()["error_code"]) is int
    assert http.get("/2/no/such.json", headers=AUTH).json()["error_code"] == 10020
    assert http.get("/2/statuses/share.json", headers=AUTH).json()["error_code"] == 10021


def test_status_ids_break_a_float_reader(http: httpx.Client) -> None:
    status = share(http, f"浮点数陷阱 {LINK}").json()
    assert status["idstr"] == str(status["id"]) and status["id"] > 2**53
    assert int(float(status["id"])) != status["id"]  # why adapters key on idstr
    assert status["user"]["idstr"] == weibo.DEMO_UID
    created = datetime.strptime(status["created_at"], "%a %b %d %H:%M:%S %z %Y")
    assert created.utcoffset() == timedelta(hours=8)
    assert abs(created.timestamp() - time.time()) < 60


def test_share_needs_rip_and_a_safe_domain_link_and_no_topics(http: httpx.Client) -> None:
    no_rip = http.post("/2/statuses/share.json", data={"status": f"x {LINK}"}, headers=AUTH)
    assert no_rip.json()["error_code"] == 10016 and "rip" in no_rip.json()["error"]
    assert share(http, "没有链接").json()["error_code"] == 10017
    assert share(http, "别的域名 https://evil.example.com/").json()["error_code"] == 10017
    assert share(http, f"#话题# 今天 {LINK}").json()["error_code"] == 10017
    assert share(http, "子域名可以 https://www.weather.example.gov.cn/a").status_code == 200


def test_two_ascii_characters_count_as_one(http: httpx.Client) -> None:
    assert weibo.weibo_length("ab") == 1 and weibo.weibo_length("abc") == 2
    assert weibo.weibo_length("中文") == 2
    link = f" {LINK}"  # 31 ASCII characters: 16
    assert share(http, "a" * 248 + link).status_code == 200  # 124 + 16 = 140
    too_long = share(http, "b" * 250 + link)  # 125 + 16 = 141
    assert too_long.json()["error_code"] == 20012
    assert share(http, "中" * 124 + link).status_code == 200
    assert share(http, "文" * 125 + link).json()["error_code"] == 20012


def test_identical_and_similar_text_are_refused(http: httpx.Client, fakes: FakePlatforms) -> None:
    text = f"今天有雨，出门带伞。{LINK}"
    assert share(http, text).status_code == 200
    assert share(http, text).json()["error_code"] == 20019
    assert share(http, f"今天有雨 出门带伞 {LINK}/x").json()["error_code"] == 20017
    assert fakes.stats("weibo")["by_text_hash"] == {text_hash(text): 1}


def test_pictures_must_be_images(http: httpx.Client) -> None:
    files = {"pic": ("a.txt", b"plain text", "text/plain")}
    data = {"status": f"图 {LINK}", "rip": "1.2.3.4"}
    response = http.post("/2/statuses/share.json", data=data, files=files, headers=AUTH)
    assert response.json()["error_code"] == 20005


def test_the_hourly_limit_and_its_status(http: httpx.Client, fakes: FakePlatforms) -> None:
    fakes.control("weibo", rate_limit_per_hour=1)
    assert share(http, f"一 {LINK}").status_code == 200
    limited = share(http, f"二 {LINK}")
    assert limited.status_code == 403 and limited.json()["error_code"] == 10024
    status = http.get("/2/account/rate_limit_status.json", headers=AUTH).json()
    assert status["remaining_user_hits"] == 0 and status["user_limit"] == 1
    assert status["limit_time_unit"] == "HOURS"


def test_timeline_paging_since_exclusive_max_inclusive(http: httpx.Client) -> None:
    ids = [share(http, f"第{i}条 {LINK}").json()["idstr"] for i in range(5)]

    def timeline(**params: Any) -> list[str]:
        body = http.get("/2/statuses/user_timeline.json", params=params, headers=AUTH).json()
        return [s["idstr"] for s in body["statuses"]]

    newest_first = list(reversed(ids))
    assert timeline(since_id=ids[2]) == newest_first[:2]
    assert timeline(max_id=ids[2], count=2) == [ids[2], ids[1]]
    assert timeline(count=2, page=2) == newest_first[2:4]
    assert len(timeline(count=500)) == 6  # 5 + the seeded one; count capped at 100


def test_comments_paging_reply_prefix_and_ownership(http: httpx.Client) -> None:
    seeded = http.get("/2/statuses/user_timeline.json", headers=AUTH).json()["statuses"][-1]
    shown = http.get("/2/comments/show.json", params={"id": seeded["idstr"]}, headers=AUTH).json()
    assert shown["total_number"] == 2 and shown["previous_curosr"] == shown["previous_cursor"]
    first = shown["comments"][-1]
    reply = http.post(
        "/2/comments/reply.json",
        data={"id": seeded["idstr"], "cid": first["idstr"], "comment": "会下雨", "rip": "1.1.1.1"},
        headers=AUTH,
    ).json()
    assert reply["text"] == "回复@热心市民小王:会下雨"
    assert reply["reply_comment"]["idstr"] == first["idstr"]
    refused = http.post("/2/comments/destroy.json", data={"cid": first["idstr"]}, headers=AUTH)
    assert refused.status_code == 403 and refused.json()["error_code"] == 20203


def test_comment_pages_counts_and_deletions_from_the_per_status_index(
    http: httpx.Client, fakes: FakePlatforms
) -> None:
    """W-18 (issue 11 §1): comments/show pages a long stream newest first (since_id
    exclusive, max_id inclusive, page 1-based); ``total_number`` counts the range and
    ``status.comments_count`` the status, neither counting a deleted comment — from the
    fake's per-status index, not a scan of every comment it holds."""
    status = share(http, f"评论分页 {LINK}").json()
    sid = status["idstr"]
    fakes.control("weibo", comment_stream={"status_id": sid, "n": 120, "seed": 3})
    mine = http.post(
        "/2/comments/create.json",
        data={"id": sid, "comment": "本号评论", "rip": "1.1.1.1"},
        headers=AUTH,
    ).json()

    def show(**params: Any) -> dict[str, Any]:
        body: dict[str, Any] = http.get(
            "/2/comments/show.json", params={"id": sid, **params}, headers=AUTH
        ).json()
        return body

    every = [c["idstr"] for c in show(count=200)["comments"]]
    assert len(every) == 121 and every[0] == mine["idstr"]
    assert [int(i) for i in every] == sorted((int(i) for i in every), reverse=True)
    assert [c["idstr"] for c in show(count=50, page=2)["comments"]] == every[50:100]
    ranged = show(since_id=every[100], max_id=every[10], count=5)
    assert [c["idstr"] for c in ranged["comments"]] == every[10:15]
    assert ranged["total_number"] == 90
    assert ranged["comments"][0]["status"]["comments_count"] == 121
    gone = http.post("/2/comments/destroy.json", data={"cid": mine["idstr"]}, headers=AUTH)
    assert gone.status_code == 200 and gone.json()["status"]["comments_count"] == 120
    after = show(count=200)
    assert [c["idstr"] for c in after["comments"]] == every[1:]
    assert after["total_number"] == 120 and show(max_id=mine["idstr"])["total_number"] == 120
    counted = http.get("/2/statuses/count.json", params={"ids": sid}, headers=AUTH).json()
    assert counted[0]["comments"] == 120


def test_oauth_codes_are_single_use_and_tokens_expire(
    http: httpx.Client, fakes: FakePlatforms
) -> None:
    cb = "https://guanwei.example.org/cb"
    location = http.get(
        "/oauth2/authorize",
        params={"client_id": weibo.APP_KEY, "redirect_uri": cb, "state": "xyz"},
    ).headers["location"]
    assert location.startswith(cb) and "state=xyz" in location
    form = {
        "client_id": weibo.APP_KEY,
        "client_secret": weibo.APP_SECRET,
        "grant_type": "authorization_code",
        "code": httpx.URL(location).params["code"],
        "redirect_uri": cb,
    }
    issued = http.post("/oauth2/access_token", data=form).json()
    # expires_in an int (the wiki example and live samples), remind_in and uid strings
    assert type(issued["expires_in"]) is int and issued["expires_in"] > 0
    assert isinstance(issued["remind_in"], str) and isinstance(issued["uid"], str)
    assert http.post("/oauth2/access_token", data=form).json()["error_code"] == 21325
    old = http.post("/oauth2/get_token_info", data={"access_token": weibo.DEMO_TOKEN})
    assert old.json()["error_code"] == 21332  # overwritten by the new token

    fakes.control("weibo", expire_tokens=True)
    info = http.post("/oauth2/get_token_info", data={"access_token": issued["access_token"]})
    assert info.json()["expire_in"] < 0
    expired = http.get(
        "/2/account/get_uid.json", params={"access_token": issued["access_token"]}
    ).json()
    assert expired["error_code"] == 21327 and expired["error"] == "expired_token"
    revoked = http.get("/oauth2/revokeoauth2", params={"access_token": issued["access_token"]})
    assert revoked.json() == {"result": "true"}


def test_friends_ids_and_uid(http: httpx.Client) -> None:
    assert http.get("/2/account/get_uid.json", headers=AUTH).json() == {"uid": 1000001}
    ids = http.get("/2/friendships/friends/ids.json", params={"count": 1}, headers=AUTH).json()
    assert ids["ids"] == [1000009] and ids["next_cursor"] == 1 and ids["total_number"] == 2
    other = http.get("/2/friendships/friends/ids.json", params={"uid": "1000002"}, headers=AUTH)
    assert other.json()["error_code"] == 10017


def test_faults_are_injected_over_http(http: httpx.Client, fakes: FakePlatforms) -> None:
    fakes.control("weibo", fail_next=1, status=503, error_code=10001)
    failed = share(http, f"失败 {LINK}")
    assert failed.status_code == 503 and failed.json()["error_code"] == 10001
    assert fakes.stats("weibo")["posts"] == 0
    fakes.control("weibo", delay_ms=150)
    started = time.monotonic()
    assert share(http, f"慢 {LINK}").status_code == 200
    assert time.monotonic() - started >= 0.15


def test_20053_the_post_went_out_pending_manual_review(
    http: httpx.Client, fakes: FakePlatforms
) -> None:
    """X-03: ``review_next`` makes share.json publish the post and answer 20053 (HTTP 400,
    as recorded from the live API); the author's timeline lists it, unless
    ``review_visible`` is false, then only once the review window has passed."""
    fakes.control("weibo", review_next=1)
    answered = share(http, f"待审核 {LINK}")
    assert answered.status_code == 400
    assert answered.json() == {
        "request": "/2/statuses/share.json",
        "error_code": 20053,
        "error": "Your Weibo has been successfully released and needs manual review for 3 minutes",
    }
    timeline = http.get("/2/statuses/user_timeline.json", headers=AUTH).json()["statuses"]
    assert timeline[0]["text"] == f"待审核 {LINK}"
    stats = fakes.stats("weibo")
    assert stats["posts"] == 1 and stats["pending_review"] == 1
    assert share(http, f"待审核 {LINK}").json()["error_code"] == 20019  # it is out there

    fakes.control("weibo", review_next=1, review_visible=False, review_seconds=0.3)
    assert share(http, f"看不见的 {LINK}").json()["error_code"] == 20053
    listed = http.get("/2/statuses/user_timeline.json", headers=AUTH).json()["statuses"]
    assert f"看不见的 {LINK}" not in [s["text"] for s in listed]
    time.sleep(0.35)
    listed = http.get("/2/statuses/user_timeline.json", headers=AUTH).json()["statuses"]
    assert listed[0]["text"] == f"看不见的 {LINK}"
    assert share(http, f"审核之后 {LINK}").status_code == 200  # one at a time


def test_the_timeline_page_escapes_text(http: httpx.Client) -> None:
    share(http, f"<script>alert(1)</script> {LINK}")
    page = http.get("/").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "示例气象局" in page
