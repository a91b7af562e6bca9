"""Required follows are checked through the adapters (REQ W-07)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from guanwei.channels.models import Channel, RequiredFollow
from guanwei.publishing.fakes import FakePlatforms, demo_settings, start_fakes
from guanwei.publishing.follows import check_required_follows
from guanwei.publishing.models import ChannelSettings
from guanwei.testing.personas import channel

pytestmark = pytest.mark.django_db
W = "demo_weather"


@pytest.fixture
def fakes() -> Iterator[FakePlatforms]:
    platforms = start_fakes()
    try:
        yield platforms
    finally:
        platforms.stop()


def test_it_lists_a_county_account_that_does_not_follow_the_city(fakes: FakePlatforms) -> None:
    """W-07: the demo county account follows 1000009 (the province) but not the city."""
    Channel.objects.filter(pk=channel(W, "province_weibo").pk).update(account_id="1000009")
    Channel.objects.filter(pk=channel(W, "city_weibo").pk).update(account_id="1000042")
    ChannelSettings.objects.create(
        channel=channel(W, "county_a_weibo"), values=demo_settings(fakes)["weibo"]
    )
    result = check_required_follows(channel(W, "county_a_weibo").organisation_id)
    to_province = RequiredFollow.objects.get(
        follower=channel(W, "county_a_weibo"), followee=channel(W, "province_weibo")
    )
    to_city = RequiredFollow.objects.get(
        follower=channel(W, "county_a_weibo"), followee=channel(W, "city_weibo")
    )
    assert to_province.satisfied is True and to_city.satisfied is False
    assert to_city.last_checked_at is not None
    assert result.violations >= 1


def test_w07_a_failed_fetch_is_unchecked_for_every_follow_of_that_follower(
    fakes: FakePlatforms,
) -> None:
    """W-07: when the follower's follow list cannot be read, none of its required follows is
    a violation — each is counted as unchecked, the first and every later one alike."""
    follower = channel(W, "county_a_weibo")
    Channel.objects.filter(pk=channel(W, "province_weibo").pk).update(account_id="1000009")
    Channel.objects.filter(pk=channel(W, "city_weibo").pk).update(account_id="1000042")
    broken = {**demo_settings(fakes)["weibo"], "access_token": "revoked-token"}
    ChannelSettings.objects.create(channel=follower, values=broken)
    mine = RequiredFollow.objects.filter(follower=follower)
    assert mine.count() >= 2  # the bug needs a second follow of the same follower
    result = check_required_follows(follower.organisation_id)
    for follow in mine:
        assert follow.last_checked_at is None, follow
        assert follow.satisfied is None, follow
    assert result.violations == 0
    assert result.errors >= mine.count()
