"""The watchlist's platform calls (REQ E-06) against the fakes over real HTTP: an
account's verification (加V) and followers (Weibo ``users/show``), reposts and comments of
many posts at once (Weibo ``statuses/count``); WeChat documents no verification field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from guanwei.publishing.adapters import AdapterError, PublishRequest, get_adapter
from guanwei.publishing.adapters.http import HttpClient
from guanwei.publishing.adapters.wechat import WeChatAdapter
from guanwei.publishing.adapters.weibo import WeiboAdapter
from guanwei.publishing.fakes import FakePlatforms, demo_settings, start_fakes, weibo


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's fixture (these tests are pure Python)."""


@pytest.fixture(scope="module")
def fakes() -> Iterator[FakePlatforms]:
    with start_fakes(publish_delay_s=0.2) as running:
        yield running


@pytest.fixture
def client() -> Iterator[HttpClient]:
    with HttpClient(read_timeout=2.0, connect_timeout=1.0) as c:
        yield c


@pytest.fixture
def adapter(fakes: FakePlatforms, client: HttpClient) -> WeiboAdapter:
    fakes.reset()
    made = get_adapter("weibo", demo_settings(fakes)["weibo"], client=client)
    assert isinstance(made, WeiboAdapter)
    return made


def test_e06_weibo_account_verification_over_http(
    adapter: WeiboAdapter, fakes: FakePlatforms
) -> None:
    """E-06: users/show gives the account's 加V, its reason and followers."""
    own = adapter.account_info()
    assert own.uid == weibo.DEMO_UID and own.name == "示例气象局"
    assert own.verified is True and own.verified_type == 1
    assert own.verified_reason == "示例气象局官方微博" and own.followers == 12800

    citizen = adapter.account_info("1000002")
    assert citizen.verified is False and citizen.verified_type == -1 and citizen.followers == 35

    fakes.control(
        "weibo",
        set_user={
            "uid": weibo.DEMO_UID,
            "verified": False,
            "verified_type": -1,
            "verified_reason": "",
            "followers_count": 13001,
        },
    )
    lost = adapter.account_info()
    assert lost.verified is False and lost.followers == 13001  # read anew, not cached

    with pytest.raises(AdapterError) as unknown:
        adapter.account_info("999")
    assert unknown.value.code == "not_found" and unknown.value.platform_code == "20003"


def test_e06_weibo_reposts_and_comments_of_many_posts(
    adapter: WeiboAdapter, fakes: FakePlatforms
) -> None:
    """E-06: statuses/count gives reposts, comments and likes per post, keyed on idstr
    (ids above 2**53); a deleted post is left out; more than 100 ids take several calls."""
    a = adapter.publish(PublishRequest(key="rev1-ch1", text="转发统计一"))
    b = adapter.publish(PublishRequest(key="rev2-ch1", text="转发统计二"))
    gone = adapter.publish(PublishRequest(key="rev3-ch1", text="转发统计三"))
    fakes.control("weibo", set_reposts={a.remote_id: 7, b.remote_id: 2})
    fakes.control("weibo", add_comment={"status_id": a.remote_id, "text": "转发了"})
    adapter.delete(gone.remote_id)

    got = adapter.metrics_many([a.remote_id, b.remote_id, gone.remote_id])

    assert got == {
        a.remote_id: {"reposts": 7, "comments": 1, "likes": 0},
        b.remote_id: {"reposts": 2, "comments": 0, "likes": 0},
    }
    assert int(a.remote_id) > 2**53
    assert adapter.metrics(a.remote_id)["reposts"] == 7  # statuses/show agrees

    before = fakes.stats("weibo")["by_path"].get("/2/statuses/count.json", 0)
    many = [a.remote_id] + [str(10**17 + 2 * i + 1) for i in range(150)]
    assert list(adapter.metrics_many(many)) == [a.remote_id]
    after = fakes.stats("weibo")["by_path"]["/2/statuses/count.json"]
    assert after - before == 2  # 151 ids: two calls


def test_e06_wechat_has_no_documented_verification(
    fakes: FakePlatforms, client: HttpClient
) -> None:
    """E-06: the reference documents no verification (微信认证) or follower field for an
    official account: the adapter says "unsupported" rather than guess."""
    fakes.reset()
    made = get_adapter("wechat", demo_settings(fakes)["wechat"], client=client)
    assert isinstance(made, WeChatAdapter)
    assert "account" not in made.features
    with pytest.raises(AdapterError) as caught:
        made.account_info()
    assert caught.value.code == "unsupported"
