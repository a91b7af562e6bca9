"""The fake platforms serve every account of every demo organisation (issue #10 §5): each
demo account is its own fake account — its own uid and token, its own screen name (the
account's name) and its own safe domain — so the same text posted to two accounts is two
posts, not a repeat (20019) on one shared 示例气象局."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from guanwei.cli import connect_demo_channels
from guanwei.publishing.adapters import get_adapter
from guanwei.publishing.adapters.base import PublishRequest
from guanwei.publishing.credentials import settings_for
from guanwei.publishing.fakes import FakePlatforms, start_fakes
from guanwei.testing.personas import channel

pytestmark = pytest.mark.django_db
TEXT = "今天全市天气晴好，适宜出行，请市民朋友注意防晒。"


@pytest.fixture
def fakes() -> Iterator[FakePlatforms]:
    platforms = start_fakes(publish_delay_s=0.2)
    try:
        yield platforms
    finally:
        platforms.stop()


@pytest.mark.xfail(strict=True, reason="issue #10 §5: every demo account is one fake 示例气象局")
def test_x03_the_same_text_on_two_demo_accounts_is_two_posts(
    fakes: FakePlatforms, tmp_path: Path
) -> None:
    """X-03: the weather bureau's and the tourism bureau's city accounts each publish the
    same text on the fake Weibo: both succeed, as two accounts, each under its own name and
    with its own safe link."""
    connect_demo_channels(tmp_path)
    accounts = [channel("demo_weather", "city_weibo"), channel("demo_tourism", "city_weibo")]
    seen = []
    for account in accounts:
        values = {**settings_for(account), "base_url": fakes.weibo_url, "web_url": fakes.weibo_url}
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
