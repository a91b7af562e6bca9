"""The WeChat official-account adapter against the fake, over real HTTP (REQ X-03):
asynchronous publish, token refresh once, errors on HTTP 200 mapped by errcode."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from guanwei.publishing.adapters import AdapterError, Media, PublishRequest, get_adapter
from guanwei.publishing.adapters.base import PublishResult, placeholder_png
from guanwei.publishing.adapters.http import HttpClient
from guanwei.publishing.adapters.wechat import WeChatAdapter, clear_token_cache, plain_text
from guanwei.publishing.fakes import FakePlatforms, demo_settings, start_fakes, wechat


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
def adapter(fakes: FakePlatforms, client: HttpClient) -> WeChatAdapter:
    fakes.reset()
    clear_token_cache()
    made = get_adapter("wechat", demo_settings(fakes)["wechat"], client=client)
    assert isinstance(made, WeChatAdapter)
    return made


def req(text: str = "第一段。\n第二段 <script>alert(1)</script>", **kw: object) -> PublishRequest:
    kw.setdefault("title", "今日天气")
    return PublishRequest(key="rev1-ch2", text=text, **kw)  # type: ignore[arg-type]


def wait_published(adapter: WeChatAdapter, remote_id: str) -> PublishResult:
    deadline = time.monotonic() + 5
    while True:
        result = adapter.publish_status(remote_id)
        if result.state != "pending" or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def calls(fakes: FakePlatforms, path: str) -> int:
    count: int = fakes.stats("wechat")["by_path"].get(path, 0)
    return count


def test_it_publishes_asynchronously_pending_then_published(
    adapter: WeChatAdapter, fakes: FakePlatforms
) -> None:
    fakes.control("wechat", publish_delay_ms=600)  # long enough to see it pending
    result = adapter.publish(req())

    assert result.state == "pending"
    publish_id, msg_data_id = result.remote_id.split(":")
    assert publish_id.isdigit() and msg_data_id.isdigit()
    assert adapter.publish_status(result.remote_id).state == "pending"
    done = wait_published(adapter, result.remote_id)
    assert done.state == "published" and done.remote_id == result.remote_id
    assert f"mid={msg_data_id}" in done.url and done.raw["article_id"]
    newest = adapter.recent_posts()[0]
    assert newest.text == "第一段。\n第二段 <script>alert(1)</script>"
    assert newest.remote_id == f"article:{done.raw['article_id']}:{msg_data_id}"
    assert fakes.stats("wechat")["posts"] == 1
    page = httpx.get(done.url).text
    assert "&lt;script&gt;" in page and "<script>" not in page


def test_it_uploads_a_cover_and_inline_pictures(
    adapter: WeChatAdapter, fakes: FakePlatforms
) -> None:
    adapter.publish(req(title=""))  # no picture: the built-in placeholder is the cover
    png = placeholder_png(8, 8, (1, 2, 3))
    adapter.publish(req("有图", media=(Media("a.bin", "application/octet-stream", png),)))

    assert calls(fakes, "/cgi-bin/material/add_material") == 2
    assert calls(fakes, "/cgi-bin/media/uploadimg") == 1
    assert png in fakes.wechat.data.materials.values()
    job = max(fakes.wechat.data.jobs.values(), key=lambda j: j.publish_id)
    assert "<img src=" in job.articles[0]["content"]
    first = min(
        (j for j in fakes.wechat.data.jobs.values() if j.draft_id != "SEED_DRAFT"),
        key=lambda j: j.publish_id,
    )
    assert first.articles[0]["title"] == "第一段。"  # no title given: the first line


def test_it_caches_the_token(adapter: WeChatAdapter, fakes: FakePlatforms) -> None:
    adapter.publish(req())
    adapter.recent_posts()
    assert calls(fakes, "/cgi-bin/stable_token") == 1


def test_an_expired_token_is_refreshed_once(adapter: WeChatAdapter, fakes: FakePlatforms) -> None:
    adapter.recent_posts()
    fakes.control("wechat", expire_tokens=True)

    adapter.recent_posts()

    assert calls(fakes, "/cgi-bin/stable_token") == 2
    assert fakes.wechat.data.forced == []  # a normal stable_token call was enough


def test_a_token_killed_by_another_process_is_replaced(
    adapter: WeChatAdapter, fakes: FakePlatforms
) -> None:
    adapter.recent_posts()
    forced = httpx.post(
        f"{fakes.wechat_url}/cgi-bin/stable_token",
        json={
            "grant_type": "client_credential",
            "appid": wechat.APPID,
            "secret": wechat.APPSECRET,
            "force_refresh": True,
        },
    ).json()

    adapter.recent_posts()

    assert "access_token" in forced
    assert len(fakes.wechat.data.forced) == 1  # ours did not force again


def scripted(steps: list[dict[str, object]], seen: list[str]) -> Callable[..., httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else {}
        seen.append(f"{request.url.path} force={body.get('force_refresh', '-')}")
        return httpx.Response(200, json=steps.pop(0))

    return handler


def test_it_forces_a_refresh_only_when_the_platform_hands_back_the_refused_token() -> None:
    clear_token_cache()
    seen: list[str] = []
    steps: list[dict[str, object]] = [
        {"access_token": "TOKEN-ONE-123", "expires_in": 7200},
        {"errcode": 40001, "errmsg": "invalid credential rid: x"},
        {"access_token": "TOKEN-ONE-123", "expires_in": 7000},
        {"access_token": "TOKEN-TWO-456", "expires_in": 7200},
        {"errcode": 0, "errmsg": "ok", "comment": [], "total": 0},
    ]
    transport = httpx.MockTransport(scripted(steps, seen))
    with HttpClient(transport=transport) as client:
        adapter = get_adapter("wechat", {"appid": "wxmock", "secret": "mock-secret"}, client=client)
        assert adapter.metrics("1:22") == {"comments": 0}
    assert seen == [
        "/cgi-bin/stable_token force=False",
        "/cgi-bin/comment/list force=-",
        "/cgi-bin/stable_token force=False",
        "/cgi-bin/stable_token force=True",
        "/cgi-bin/comment/list force=-",
    ]


def test_a_token_refused_after_the_refresh_is_permanent() -> None:
    clear_token_cache()
    steps: list[dict[str, object]] = [
        {"access_token": "TOKEN-ONE-123", "expires_in": 7200},
        {"errcode": 42001, "errmsg": "access_token expired rid: x"},
        {"access_token": "TOKEN-TWO-456", "expires_in": 7200},
        {"errcode": 42001, "errmsg": "access_token expired rid: y"},
    ]
    transport = httpx.MockTransport(scripted(steps, []))
    with HttpClient(transport=transport) as client:
        adapter = get_adapter("wechat", {"appid": "wxmock", "secret": "mock-2"}, client=client)
        with pytest.raises(AdapterError) as caught:
            adapter.recent_posts()
    assert caught.value.permanent and caught.value.code == "auth"
    assert caught.value.user_message.endswith("（微信错误 42001）")


def test_a_wrong_secret_is_permanent_with_a_chinese_cause(
    fakes: FakePlatforms, client: HttpClient
) -> None:
    clear_token_cache()
    settings = {**demo_settings(fakes)["wechat"], "secret": "not-the-secret"}
    with pytest.raises(AdapterError) as caught:
        get_adapter("wechat", settings, client=client).publish(req())
    assert caught.value.permanent and caught.value.code == "auth"
    assert (
        caught.value.user_message == "公众号 AppSecret 无效，请保管人核对后更新（微信错误 40125）"
    )


def test_a_wrong_api_address_is_a_setting_to_fix_not_a_missing_permission(
    fakes: FakePlatforms, client: HttpClient
) -> None:
    """X-03: a 404 (a path the platform does not have) says "check the API address",
    permanently; it is not errcode 48001 (the account lacking a permission)."""
    clear_token_cache()
    settings = {**demo_settings(fakes)["wechat"], "base_url": f"{fakes.wechat_url}/wrong"}
    with pytest.raises(AdapterError) as caught:
        get_adapter("wechat", settings, client=client).recent_posts()
    assert caught.value.permanent and caught.value.code == "config"
    assert caught.value.status == 404 and caught.value.platform_code != "48001"
    assert "接口地址" in caught.value.user_message and "权限" not in caught.value.user_message


def test_a_rejected_publish_fails_permanently(adapter: WeChatAdapter, fakes: FakePlatforms) -> None:
    fakes.control("wechat", next_publish_status=4)
    result = adapter.publish(req())

    with pytest.raises(AdapterError) as caught:
        wait_published(adapter, result.remote_id)

    assert caught.value.permanent and caught.value.code == "rejected"
    assert caught.value.user_message == "微信平台审核未通过，请修改内容后重新提交（微信发布状态 4）"
    assert adapter.recent_posts()[0].remote_id.startswith("article:")  # only the seeded one
    assert len(adapter.recent_posts()) == 1


def test_the_rate_limit_and_system_busy_are_transient(
    adapter: WeChatAdapter, fakes: FakePlatforms
) -> None:
    fakes.control("wechat", rate_limit_per_hour=0)
    with pytest.raises(AdapterError) as limited:
        adapter.publish(req())
    fakes.control("wechat", rate_limit_per_hour=30, fail_next=1, errcode=-1, path="submit")
    with pytest.raises(AdapterError) as busy:
        adapter.publish(req())

    assert limited.value.code == "rate_limited" and limited.value.platform_code == "45009"
    assert busy.value.code == "busy" and busy.value.platform_code == "-1"
    for error in (limited.value, busy.value):
        assert error.transient and not error.unknown_outcome


def test_only_a_failed_submit_is_of_unknown_outcome(
    adapter: WeChatAdapter, fakes: FakePlatforms
) -> None:
    fakes.control("wechat", fail_next=1, status=502, path="draft/add")
    with pytest.raises(AdapterError) as draft:
        adapter.publish(req())
    fakes.control("wechat", fail_next=1, status=502, path="freepublish/submit")
    with pytest.raises(AdapterError) as submit:
        adapter.publish(req())

    assert draft.value.transient and not draft.value.unknown_outcome
    assert submit.value.transient and submit.value.unknown_outcome
    assert fakes.stats("wechat")["posts"] == 0


def test_a_lost_submit_answer_is_reconciled_from_published_articles(
    adapter: WeChatAdapter, fakes: FakePlatforms
) -> None:
    fakes.control("wechat", hang_next=1, hang_after_commit=True, hang_ms=2000, path="submit")
    request = req("平台收到了，我们没听到回音。")

    with pytest.raises(AdapterError) as caught:
        adapter.publish(request)
    assert caught.value.unknown_outcome and caught.value.code == "timeout"

    time.sleep(0.3)  # the job finishes (publish_delay_s=0.2)
    found = adapter.find_published(request)
    assert found is not None and found.remote_id.startswith("article:")
    assert fakes.stats("wechat")["posts"] == 1


def test_x03_reconciliation_matches_only_articles_created_after_the_attempt(
    adapter: WeChatAdapter, fakes: FakePlatforms
) -> None:
    """X-03: an identical article published before ``sent_after`` is not ours, nor is
    one that differs only in a link."""
    request = req("本周以晴到多云为主。详情 https://qx.example.gov.cn/week")
    before = adapter.publish(request)
    wait_published(adapter, before.remote_id)
    with fakes.wechat.lock:  # last week's identical article
        for job in fakes.wechat.data.jobs.values():
            job.submitted -= 3600
    other = adapter.publish(req("本周以晴到多云为主。详情 https://qx.example.gov.cn/other"))
    wait_published(adapter, other.remote_id)
    sent_at = datetime.now(UTC)
    assert adapter.find_published(request, sent_after=sent_at) is None

    later = adapter.publish(request)
    done = wait_published(adapter, later.remote_id)
    found = adapter.find_published(request, limit=20, sent_after=sent_at)
    assert found is not None and found.url == done.url
    first = adapter.find_published(request, sent_after=sent_at - timedelta(hours=2))
    assert first is not None and first.url != done.url  # the earliest after sent_after


def test_a_too_long_title_is_refused_before_sending(
    adapter: WeChatAdapter, fakes: FakePlatforms
) -> None:
    with pytest.raises(AdapterError) as caught:
        adapter.publish(req(title="标" * 33))
    assert caught.value.permanent and caught.value.code == "too_long"
    assert "32" in caught.value.user_message
    assert calls(fakes, "/cgi-bin/draft/add") == 0


def test_comments_round_trip_with_either_kind_of_remote_id(
    adapter: WeChatAdapter, fakes: FakePlatforms
) -> None:
    seeded = adapter.recent_posts()[-1]
    comments = adapter.fetch_comments(seeded.remote_id)
    assert [c.text for c in comments] == ["预报很准，点赞！", "周末适合出游吗？"]
    assert adapter.fetch_comments(seeded.remote_id, since_id=comments[0].remote_id) == comments[1:]
    assert adapter.reply_comment(seeded.remote_id, comments[1].remote_id, "周末晴，适合出游。") == (
        comments[1].remote_id
    )
    article = next(iter(fakes.wechat.data.articles.values()))
    assert (
        article.comments[1].reply and article.comments[1].reply["content"] == "周末晴，适合出游。"
    )
    adapter.delete_comment(seeded.remote_id, comments[0].remote_id)
    assert adapter.metrics(seeded.remote_id) == {"comments": 1}

    result = adapter.publish(req())
    wait_published(adapter, result.remote_id)
    msg = int(result.remote_id.split(":")[1])
    fakes.control("wechat", add_comment={"msg_data_id": msg, "content": "新留言"})
    assert [c.text for c in adapter.fetch_comments(result.remote_id)] == ["新留言"]


def test_it_deletes_a_published_article(adapter: WeChatAdapter) -> None:
    result = adapter.publish(req())
    wait_published(adapter, result.remote_id)

    adapter.delete(result.remote_id)

    with pytest.raises(AdapterError) as caught:
        adapter.publish_status(result.remote_id)
    assert caught.value.code == "deleted" and "（微信发布状态 5）" in caught.value.user_message
    assert len(adapter.recent_posts()) == 1


def test_follows_are_not_a_wechat_thing(adapter: WeChatAdapter) -> None:
    with pytest.raises(AdapterError) as caught:
        adapter.fetch_follows()
    assert caught.value.permanent and caught.value.code == "unsupported"


def test_plain_text_reads_paragraphs_and_entities() -> None:
    assert plain_text("<p>a &amp; b</p><p> c </p><br/>d") == "a & b\nc\nd"


def test_secrets_never_reach_the_log(
    adapter: WeChatAdapter, fakes: FakePlatforms, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore"):  # off by default (settings.LOGGING)
        caplog.set_level(logging.DEBUG, logger=name)
    adapter.publish(req())
    fakes.control("wechat", expire_tokens=True)
    adapter.recent_posts()

    tokens = list(fakes.wechat.data.tokens)
    assert len(tokens) == 2 and "stable_token" in caplog.text
    for secret in (wechat.APPSECRET, *tokens):
        assert secret not in caplog.text
