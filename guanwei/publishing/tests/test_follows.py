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
