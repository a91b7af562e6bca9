"""The fake platforms serve every account of every demo organisation (issue #10 §5): each
demo account is its own fake account — its own uid and token, its own screen name (the
account's name) and its own safe domain — so the same text posted to two accounts is two
posts, not a repeat (20019) on one shared 示例气象局."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from guanwei.cli import FakeAddresses, connect_demo_channels
from guanwei.publishing.adapters import get_adapter
from guanwei.publishing.adapters.base import PublishRequest
from guanwei.publishing.credentials import settings_for
from guanwei.publishing.fakes import FakePlatforms, start_fakes
from guanwei.testing.personas import channel

pytestmark = pytest.mark.django_db
TEXT = "今天全市天气晴好，适宜出行，请市民朋友注意防晒。"


@pytest.fixture
def fakes(tmp_path: Path) -> Iterator[FakePlatforms]:
    """The fakes as `guanwei run` starts them: reading var/fake-accounts.json."""
    platforms = start_fakes(publish_delay_s=0.2, accounts_file=str(tmp_path / "fake-accounts.json"))
    try:
        yield platforms
    finally:
        platforms.stop()


def _addresses(fakes: FakePlatforms) -> FakeAddresses:
    weibo, wechat = urlsplit(fakes.weibo_url), urlsplit(fakes.wechat_url)
    return FakeAddresses("127.0.0.1", weibo.port or 0, wechat.port or 0)


def test_x03_the_same_text_on_two_demo_accounts_is_two_posts(
    fakes: FakePlatforms, tmp_path: Path
) -> None:
    """X-03: the weather bureau's and the tourism bureau's city accounts each publish the
    same text on the fake Weibo, with the settings the demo stored for them: both succeed,
    as two accounts, each under its own name and with its own safe link."""
    connect_demo_channels(tmp_path, fakes=_addresses(fakes))
    accounts = [channel("demo_weather", "city_weibo"), channel("demo_tourism", "city_weibo")]
    seen = []
    for account in accounts:
        values = dict(settings_for(account))
        assert values["base_url"] == fakes.weibo_url
        adapter = get_adapter("weibo", values)
        result = adapter.publish(PublishRequest(key=f"t-{account.pk}", text=TEXT))
        status = httpx.get(
            f"{fakes.weibo_url}/2/statuses/show.json",
            params={"id": result.remote_id, "access_token": values["access_token"]},
        ).json()
        seen.append((status["user"]["idstr"], status["user"]["screen_name"], status["text"]))
    (uid_a, name_a, text_a), (uid_b, name_b, text_b) = seen
    assert uid_a != uid_b
    assert (name_a, name_b) == (accounts[0].name, accounts[1].name)
    link_a, link_b = text_a.removeprefix(TEXT).strip(), text_b.removeprefix(TEXT).strip()
    assert link_a and link_b and link_a != link_b


def test_x03_each_demo_wechat_account_is_its_own_official_account(
    fakes: FakePlatforms, tmp_path: Path
) -> None:
    """The college's two WeChat accounts: their own appid and secret, their own tokens and
    drafts (one cannot read the other's), their own name on the fake's page."""
    connect_demo_channels(tmp_path, fakes=_addresses(fakes))
    school, info = channel("demo_college", "school_wechat"), channel("demo_college", "info_wechat")
    tokens = []
    for account in (school, info):
        values = settings_for(account)
        answer = httpx.post(
            f"{fakes.wechat_url}/cgi-bin/stable_token",
            json={
                "grant_type": "client_credential",
                "appid": values["appid"],
                "secret": values["secret"],
            },
        ).json()
        tokens.append(answer["access_token"])
        page = httpx.get(fakes.wechat_url, params={"appid": values["appid"]}).text
        assert f"<h1>{account.name}</h1>" in page
    assert tokens[0] != tokens[1]
    thumb = httpx.post(
        f"{fakes.wechat_url}/cgi-bin/material/add_material",
        params={"access_token": tokens[0], "type": "thumb"},
        files={"media": ("t.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image/png")},
    ).json()["media_id"]
    article = {"title": "标题", "content": "<p>正文</p>", "thumb_media_id": thumb}
    draft = httpx.post(
        f"{fakes.wechat_url}/cgi-bin/draft/add",
        params={"access_token": tokens[0]},
        json={"articles": [article]},
    ).json()["media_id"]
    for token, errcode in ((tokens[0], None), (tokens[1], 40007)):
        got = httpx.post(
            f"{fakes.wechat_url}/cgi-bin/draft/get",
            params={"access_token": token},
            json={"media_id": draft},
        ).json()
        assert got.get("errcode") == errcode


def test_the_fakes_read_accounts_added_while_they_run(fakes: FakePlatforms, tmp_path: Path) -> None:
    """An organisation loaded while the fakes run (`packs load … --demo-people`) is served at
    once: a token the fake does not know makes it read the changed file again."""
    from guanwei.publishing.fakes.accounts import FakeAccount, write_accounts

    write_accounts(
        tmp_path / "fake-accounts.json",
        [FakeAccount("weibo", "新单位官方微博", uid="2999999", token="demo-weibo-new")],
    )
    answer = httpx.get(
        f"{fakes.weibo_url}/2/account/get_uid.json", params={"access_token": "demo-weibo-new"}
    ).json()
    assert answer == {"uid": 2999999}
    assert "新单位官方微博" in httpx.get(f"{fakes.weibo_url}/u/2999999").text
