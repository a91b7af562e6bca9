"""The Weibo adapter against the fake Weibo, over real HTTP (REQ X-03: publish exactly
once, a cause a person can act on for every refusal)."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from guanwei.publishing.adapters import AdapterError, Media, PublishRequest, get_adapter
from guanwei.publishing.adapters.base import placeholder_png
from guanwei.publishing.adapters.http import HttpClient
from guanwei.publishing.adapters.weibo import (
    WeiboAdapter,
    authorize_url,
    compose_status,
    exchange_code,
    token_info,
)
from guanwei.publishing.fakes import FakePlatforms, demo_settings, start_fakes, weibo

SAFE = weibo.SAFE_DOMAIN


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's fixture of this name, which needs Django settings:
    these tests are pure Python and also run with ``-p no:django``."""


@pytest.fixture(scope="module")
def fakes() -> Iterator[FakePlatforms]:
    with start_fakes(publish_delay_s=0.2) as running:
        yield running


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with HttpClient(read_timeout=0.5, connect_timeout=0.5) as c:
        yield c


@pytest.fixture
def adapter(fakes: FakePlatforms, client: HttpClient) -> WeiboAdapter:
    fakes.reset()
    made = get_adapter("weibo", demo_settings(fakes)["weibo"], client=client)
    assert isinstance(made, WeiboAdapter)
    return made


def req(text: str, key: str = "rev1-ch1", **kw: object) -> PublishRequest:
    return PublishRequest(key=key, text=text, **kw)  # type: ignore[arg-type]


def test_it_publishes_and_reads_the_post_back(adapter: WeiboAdapter, fakes: FakePlatforms) -> None:
    result = adapter.publish(req("今天白天晴，最高气温 20℃。"))

    assert result.state == "published"
    assert int(result.remote_id) > 2**53 and result.remote_id == result.raw["idstr"]
    assert result.url.endswith(f"/{weibo.DEMO_UID}/{result.remote_id}")
    newest = adapter.recent_posts(limit=10)[0]
    assert newest.remote_id == result.remote_id
    assert newest.text == f"今天白天晴，最高气温 20℃。 {SAFE}"
    assert newest.created_at is not None and newest.created_at.tzinfo is not None
    assert fakes.stats("weibo")["posts"] == 1


def test_x03_the_recorded_link_of_a_post_opens_its_page(
    adapter: WeiboAdapter, client: HttpClient
) -> None:
    """The post page's 查看 link (the ``remote_url`` the adapter records) opens the
    status on the (fake) platform; once deleted, the platform says so."""
    result = adapter.publish(req("<b>查看</b>链接能打开。"))
    page = client.get(result.url)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "&lt;b&gt;查看&lt;/b&gt;链接能打开。" in page.text and "<b>" not in page.text
    assert result.remote_id in page.text
    adapter.delete(result.remote_id)
    gone = client.get(result.url)
    assert gone.status_code == 404 and "已被删除" in gone.text


def test_it_adds_a_safe_domain_link_only_when_missing() -> None:
    assert compose_status("晴", safe_domain=SAFE) == f"晴 {SAFE}"
    assert compose_status(f"详见 {SAFE}/a", safe_domain=SAFE) == f"详见 {SAFE}/a"
    link = f"{SAFE}/news/1.html"
    assert compose_status("晴 https://other.example.com/x", link=link, safe_domain=SAFE) == (
        f"晴 https://other.example.com/x {link}"
    )
    assert compose_status("晴", link="https://other.example.com", safe_domain=SAFE) == f"晴 {SAFE}"
    assert compose_status("晴", safe_domain="weather.example.gov.cn").endswith(
        " https://weather.example.gov.cn"
    )


def test_it_refuses_to_send_without_any_link(fakes: FakePlatforms, client: HttpClient) -> None:
    settings = {**demo_settings(fakes)["weibo"], "safe_domain": ""}
    with pytest.raises(AdapterError) as caught:
        get_adapter("weibo", settings, client=client).publish(req("无链接"))
    assert caught.value.permanent and caught.value.code == "config"
    assert "安全域名" in caught.value.user_message


def test_it_uploads_the_first_picture(adapter: WeiboAdapter, fakes: FakePlatforms) -> None:
    png = placeholder_png()
    # The content type lies (as the dispatcher's may): the adapter sniffs the bytes.
    result = adapter.publish(req("带图", media=(Media("cover.jpg", "image/jpeg", png),)))

    status = fakes.weibo.data.statuses[int(result.remote_id)]
    assert status.pic == png
    assert httpx.get(f"{fakes.weibo_url}/pic/{result.remote_id}").content == png


def test_it_maps_identical_and_similar_text_to_duplicate(adapter: WeiboAdapter) -> None:
    adapter.publish(req("大风蓝色预警：今天下午有 6 级大风。"))

    with pytest.raises(AdapterError) as identical:
        adapter.publish(req("大风蓝色预警：今天下午有 6 级大风。", key="rev1-ch1-again"))
    with pytest.raises(AdapterError) as similar:
        adapter.publish(req("大风蓝色预警 今天下午有6级大风", key="rev2-ch1"))

    assert identical.value.code == "duplicate" and identical.value.permanent
    assert identical.value.platform_code == "20019"
    assert (
        identical.value.user_message == "微博拒绝了重复内容：相同内容近期已经发过（微博错误 20019）"
    )
    assert similar.value.code == "duplicate" and similar.value.platform_code == "20017"


def test_it_reports_an_expired_token_in_chinese(
    adapter: WeiboAdapter, fakes: FakePlatforms
) -> None:
    fakes.control("weibo", expire_tokens=True)

    with pytest.raises(AdapterError) as caught:
        adapter.publish(req("令牌过期"))

    error = caught.value
    assert error.permanent and not error.unknown_outcome
    assert error.code == "auth" and error.platform_code == "21327"
    assert error.user_message == "微博账号授权已过期，请重新连接账号（微博错误 21327）"
    assert fakes.stats("weibo")["posts"] == 0


def test_it_reports_a_revoked_token(adapter: WeiboAdapter, fakes: FakePlatforms) -> None:
    fakes.control("weibo", revoke_token=weibo.DEMO_TOKEN)
    with pytest.raises(AdapterError) as caught:
        adapter.recent_posts()
    assert caught.value.code == "auth" and caught.value.platform_code == "21332"
    assert "重新连接账号" in caught.value.user_message


def test_it_refuses_too_long_text_and_topics(adapter: WeiboAdapter) -> None:
    with pytest.raises(AdapterError) as long:
        adapter.publish(req("长" * 141))
    with pytest.raises(AdapterError) as topic:
        adapter.publish(req("#天气预报# 今天晴"))
    assert long.value.code == "too_long" and long.value.permanent
    assert "140" in long.value.user_message
    assert topic.value.code == "invalid" and "#话题#" in topic.value.user_message


def test_it_treats_the_hourly_limit_as_transient(
    adapter: WeiboAdapter, fakes: FakePlatforms
) -> None:
    fakes.control("weibo", rate_limit_per_hour=2)
    adapter.publish(req("第一条", key="a"))
    adapter.publish(req("第二条", key="b"))

    with pytest.raises(AdapterError) as caught:
        adapter.publish(req("第三条", key="c"))

    error = caught.value
    assert error.transient and not error.unknown_outcome
    assert error.code == "rate_limited" and error.platform_code == "10024"


def test_x03_20053_pending_review_is_published_with_its_id(
    adapter: WeiboAdapter, fakes: FakePlatforms
) -> None:
    """X-03: 20053 ("released, needs manual review for 3 minutes") means the post went
    out: the adapter returns it published, with the id it has on the account."""
    fakes.control("weibo", review_next=1)
    result = adapter.publish(req("寒潮蓝色预警：明天起气温下降8℃以上。"))
    newest = adapter.recent_posts(limit=1)[0]
    assert result.state == "published" and result.remote_id == newest.remote_id
    assert result.url == newest.url and result.raw["pending_review"] is True
    assert fakes.stats("weibo")["posts"] == 1 and fakes.stats("weibo")["pending_review"] == 1


def test_x03_20053_not_yet_listed_is_an_unknown_outcome_never_a_failure(
    adapter: WeiboAdapter, fakes: FakePlatforms
) -> None:
    """X-03: when the post under review is not listed yet, 20053 is an unknown outcome
    to reconcile (never permanent, never a blind retry); it is found once listed."""
    fakes.control("weibo", review_next=1, review_visible=False, review_seconds=0.5)
    request = req("寒潮黄色预警：明天起气温下降10℃以上。")
    sent_at = datetime.now(UTC)
    with pytest.raises(AdapterError) as caught:
        adapter.publish(request)
    error = caught.value
    assert error.unknown_outcome and not error.permanent
    assert error.code == "pending_review" and error.platform_code == "20053"
    assert "审核" in error.user_message and "（微博错误 20053）" in error.user_message
    assert adapter.find_published(request, sent_after=sent_at) is None
    time.sleep(0.6)
    found = adapter.find_published(request, sent_after=sent_at)
    assert found is not None and found.remote_id == adapter.recent_posts(limit=1)[0].remote_id


def test_a_server_error_on_publish_is_of_unknown_outcome(
    adapter: WeiboAdapter, fakes: FakePlatforms
) -> None:
    fakes.control("weibo", fail_next=1, status=502, path="share.json")
    with pytest.raises(AdapterError) as caught:
        adapter.publish(req("五百"))
    assert caught.value.transient and caught.value.unknown_outcome
    assert caught.value.code == "server_error"

    fakes.control("weibo", fail_next=1, status=500)
    with pytest.raises(AdapterError) as read:
        adapter.recent_posts()
    assert read.value.transient and not read.value.unknown_outcome


def test_a_lost_answer_is_unknown_and_the_post_is_found_afterwards(
    adapter: WeiboAdapter, fakes: FakePlatforms
) -> None:
    fakes.control("weibo", hang_next=1, hang_after_commit=True, hang_ms=2000, path="statuses/share")
    request = req("平台收到了，我们没听到回音。")

    with pytest.raises(AdapterError) as caught:
        adapter.publish(request)

    assert caught.value.unknown_outcome and caught.value.code == "timeout"
    assert "核实" in caught.value.user_message
    found = adapter.find_published(request)
    assert found is not None and found.remote_id == adapter.recent_posts()[0].remote_id
    assert fakes.stats("weibo")["posts"] == 1


def test_x03_reconciliation_finds_todays_post_not_yesterdays_identical_one(
    adapter: WeiboAdapter, fakes: FakePlatforms
) -> None:
    """X-03: yesterday's identical forecast (before ``sent_after``) is not today's; a
    post that differs only in its link is not ours."""
    request = req(f"【天气预报】今天晴，最高气温 20℃。详情 {SAFE}/today")
    text = adapter.expected_text(request)
    with fakes.weibo.lock:  # yesterday's post, straight into the account's timeline
        fakes.weibo._add_status(weibo.DEMO_UID, text, time.time() - 86400)
        fakes.weibo._add_status(weibo.DEMO_UID, text.replace("/today", "/other"), time.time())
    sent_at = datetime.now(UTC)
    assert adapter.find_published(request, sent_after=sent_at) is None

    fakes.control("weibo", hang_next=1, hang_after_commit=True, hang_ms=2000, path="share")
    fakes.weibo.duplicate_window_s = 0  # today's post is accepted (not 20017/20019)
    try:
        with pytest.raises(AdapterError):
            adapter.publish(request)  # the platform got it, we never heard back
    finally:
        fakes.weibo.duplicate_window_s = 86400
    found = adapter.find_published(request, limit=20, sent_after=sent_at)
    assert found is not None
    newest = [p for p in adapter.recent_posts(limit=5) if p.text == text][0]
    assert found.remote_id == newest.remote_id
    assert newest.created_at is not None and newest.created_at >= sent_at - timedelta(seconds=5)


def test_a_request_that_hung_before_commit_is_not_found(
    adapter: WeiboAdapter, fakes: FakePlatforms
) -> None:
    fakes.control("weibo", hang_next=1, hang_ms=2000, path="statuses/share")
    request = req("没有送达")
    with pytest.raises(AdapterError) as caught:
        adapter.publish(request)
    assert caught.value.unknown_outcome
    assert adapter.find_published(request) is None
    assert fakes.stats("weibo")["posts"] == 0


def test_a_refused_connection_is_safe_to_retry(client: HttpClient) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = {"access_token": "x" * 12, "base_url": f"http://127.0.0.1:{port}"}
    with pytest.raises(AdapterError) as caught:
        get_adapter("weibo", {**settings, "safe_domain": SAFE}, client=client).publish(req("x"))
    assert caught.value.transient and not caught.value.unknown_outcome
    assert caught.value.code == "network"


def test_it_reads_replies_to_and_deletes_comments(adapter: WeiboAdapter) -> None:
    seeded = adapter.recent_posts()[-1]
    comments = adapter.fetch_comments(seeded.remote_id)
    assert [c.author for c in comments] == ["热心市民小王", "天气爱好者"]
    assert adapter.fetch_comments(seeded.remote_id, since_id=comments[0].remote_id) == comments[1:]

    reply_id = adapter.reply_comment(
        seeded.remote_id, comments[0].remote_id, "明天多云，不会下雨。"
    )
    latest = adapter.fetch_comments(seeded.remote_id, since_id=comments[-1].remote_id)
    assert [(c.remote_id, c.text, c.reply_to) for c in latest] == [
        (reply_id, "明天多云，不会下雨。", comments[0].remote_id)
    ]
    adapter.delete_comment(seeded.remote_id, reply_id)
    assert len(adapter.fetch_comments(seeded.remote_id)) == 2

    with pytest.raises(AdapterError) as caught:
        adapter.delete_comment(seeded.remote_id, comments[0].remote_id)
    assert caught.value.code == "forbidden" and caught.value.platform_code == "20203"


def test_it_lists_follows_metrics_and_deletes(adapter: WeiboAdapter, fakes: FakePlatforms) -> None:
    assert adapter.fetch_follows() == ["1000009", "1000010"]
    result = adapter.publish(req("删除测试"))
    assert adapter.metrics(result.remote_id) == {"reposts": 0, "comments": 0, "likes": 0}

    adapter.delete(result.remote_id)

    assert result.remote_id not in [p.remote_id for p in adapter.recent_posts()]
    with pytest.raises(AdapterError) as gone:
        adapter.delete(result.remote_id)
    assert gone.value.code == "not_found"
    others = next(s for s in fakes.weibo.data.statuses.values() if s.uid == "1000002")
    with pytest.raises(AdapterError) as foreign:
        adapter.delete(str(others.id))
    assert foreign.value.code == "forbidden" and foreign.value.platform_code == "20102"


def test_oauth_helpers_connect_an_account(fakes: FakePlatforms, client: HttpClient) -> None:
    fakes.reset()
    redirect = "https://guanwei.example.org/channels/callback"
    url = authorize_url(weibo.APP_KEY, redirect, state="s1", base_url=fakes.weibo_url)
    location = httpx.get(url + "&uid=1000077").headers["location"]
    code = httpx.URL(location).params["code"]

    token = exchange_code(
        client,
        client_id=weibo.APP_KEY,
        client_secret=weibo.APP_SECRET,
        code=code,
        redirect_uri=redirect,
        base_url=fakes.weibo_url,
    )

    assert token.uid == "1000077" and token.expires_in > 0
    info = token_info(client, token.access_token, base_url=fakes.weibo_url)
    assert info["uid"] == "1000077" and info["appkey"] == weibo.APP_KEY and info["expire_in"] > 0
    with pytest.raises(AdapterError) as reused:
        exchange_code(
            client,
            client_id=weibo.APP_KEY,
            client_secret=weibo.APP_SECRET,
            code=code,
            redirect_uri=redirect,
            base_url=fakes.weibo_url,
        )
    assert reused.value.permanent and reused.value.platform_code == "21325"


def test_secrets_never_reach_the_log(
    fakes: FakePlatforms, client: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    fakes.reset()
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore"):  # off by default (settings.LOGGING)
        caplog.set_level(logging.DEBUG, logger=name)
    adapter = get_adapter("weibo", demo_settings(fakes)["weibo"], client=client)
    adapter.publish(req("日志里不能有令牌"))
    fakes.control("weibo", expire_tokens=True)
    with pytest.raises(AdapterError) as caught:
        adapter.recent_posts()
    location = httpx.get(
        authorize_url(weibo.APP_KEY, "https://x.example/cb", base_url=fakes.weibo_url)
    ).headers["location"]
    token = exchange_code(
        client,
        client_id=weibo.APP_KEY,
        client_secret=weibo.APP_SECRET,
        code=httpx.URL(location).params["code"],
        redirect_uri="https://x.example/cb",
        base_url=fakes.weibo_url,
    )

    assert "share.json" in caplog.text
    for secret in (weibo.DEMO_TOKEN, weibo.APP_SECRET, token.access_token):
        assert secret not in caplog.text
        assert secret not in str(caught.value) and secret not in caught.value.user_message
