"""Who may publish on which account (REQ W-02, W-05, W-16, X-03): a person schedules,
publishes now, cancels or sends again on an account only when a role of theirs grants
"发布" (``post.publish``) on the unit that owns the account. A city publisher does not
publish on the province's or a county's account, however the post was addressed; the post
page shows such a person neither the account nor a button for it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from guanwei.channels.models import Channel
from guanwei.content import actions as content
from guanwei.content.models import Post
from guanwei.orgs.errors import PermissionDenied
from guanwei.orgs.models import User
from guanwei.orgs.permissions import SYSTEM
from guanwei.publishing import actions
from guanwei.publishing.models import IntentStatus, PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TZ = ZoneInfo("Asia/Shanghai")
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"


def _open_to(unit_key: str, *channels: Channel) -> None:
    """Set-up: the accounts of other units are opened to ``unit_key``'s posts (the weather
    pack opens none; issue 10 refuses an account not opened), so that what is tested is
    who publishes on them."""
    for ch in channels:
        if ch.unit.key != unit_key:
            ch.open_to.add(unit(W, unit_key))


def _approve(post: Post, *deciders: str) -> None:
    """Each open step by the first of ``deciders`` who may decide it (a foreign account
    brings its unit's review into the chain, issue 10)."""
    from guanwei.workflow.queries import may_decide

    while step := StepRun.objects.filter(run__post=post, status="pending").first():
        who = next(person(d) for d in deciders if may_decide(step, person(d)))
        wf.approve_step(step, actor=who)


OWNERS = ("sj_leader", "kj_leader", "xa_leader", "xb_leader")


def _approved(*channels: Channel, unit_key: str = "city_tech_centre") -> Post:
    editor, leader = (
        ("kj_editor", "kj_leader")
        if unit_key == "city_tech_centre"
        else ("xa_publisher", "xa_leader")
    )
    _open_to(unit_key, *channels)
    post = content.create_post(
        unit(W, unit_key),
        actor=person(editor),
        title="天气预报",
        body=TEXT,
        category="forecast",
        channels=list(channels),
        source="市气象台",
    )
    wf.submit_for_review(post, actor=person(editor))
    _approve(post, leader, *OWNERS)
    post.refresh_from_db()
    assert post.approved_revision_id == post.current_revision_id
    return post


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _later() -> datetime:
    return datetime.now(TZ) + timedelta(hours=2)


def test_w05_a_city_publisher_cannot_schedule_on_the_provinces_account() -> None:
    """W-05: the action refuses the province's account to the city's publisher — and the
    county's; the system (the scheduler) and the province's own publisher are not refused."""
    province, county = channel(W, "province_weibo"), channel(W, "county_a_weibo")
    post = _approved(province, county)
    for target in (province, county):
        with pytest.raises(PermissionDenied):
            actions.schedule_post(
                post, actor=person("kj_publisher"), at=_later(), channels=[target]
            )
    assert not PublishIntent.objects.filter(post=post).exists()
    [mine] = actions.schedule_post(post, actor=SYSTEM, at=_later(), channels=[province])
    assert mine.channel == province


def test_w05_a_county_publisher_cannot_schedule_on_the_citys_account() -> None:
    """W-05: a county bureau publishes on its own account, not the city's."""
    post = _approved(channel(W, "city_weibo"), unit_key="county_a")
    with pytest.raises(PermissionDenied):
        actions.schedule_post(post, actor=person("xa_publisher"), at=_later())
    assert not PublishIntent.objects.filter(post=post).exists()


def test_w05_a_city_publisher_cannot_cancel_a_send_on_the_provinces_account() -> None:
    """W-05: cancelling is publishing's decision too: only for the account's publishers."""
    province = channel(W, "province_weibo")
    post = _approved(province)
    [intent] = actions.schedule_post(post, actor=SYSTEM, at=_later())
    with pytest.raises(PermissionDenied):
        actions.cancel_intent(intent, actor=person("kj_publisher"))
    intent.refresh_from_db()
    assert intent.status == IntentStatus.SCHEDULED
    c = _client(person("kj_publisher"))
    c.post(f"/publishing/intents/{intent.pk}/cancel/")
    intent.refresh_from_db()
    assert intent.status == IntentStatus.SCHEDULED


def test_w05_the_post_page_offers_only_the_accounts_the_person_may_publish_on() -> None:
    """W-05: on the post page the city publisher sees its own account to choose, not the
    province's; with only the province's account addressed there is no publish button."""
    city, province = channel(W, "city_weibo"), channel(W, "province_weibo")
    both = _approved(city, province)
    c = _client(person("kj_publisher"))
    page = c.get(f"/content/posts/{both.pk}/").content.decode()
    form = page.split('id="schedule-form"')[1].split("</form>")[0]
    assert f'value="{city.pk}"' in form and f'value="{province.pk}"' not in form

    only_province = _approved(province)
    page = c.get(f"/content/posts/{only_province.pk}/").content.decode()
    assert 'id="schedule-form"' not in page
    response = c.post(
        f"/publishing/posts/{only_province.pk}/schedule/",
        {"when": "now", "channels": [province.pk]},
    )
    assert response.status_code == 400
    assert not PublishIntent.objects.filter(post=only_province).exists()


def test_w05_no_cancel_or_retry_button_and_no_retry_on_another_units_account() -> None:
    """W-05: a scheduled or failed send on the province's account shows the city publisher
    no cancel and no 重新发布 button, and the retry endpoint refuses them; the send on their
    own account beside it keeps both."""
    city, province = channel(W, "city_weibo"), channel(W, "province_weibo")
    post = _approved(city, province)
    theirs, mine = (
        actions.schedule_post(post, actor=SYSTEM, at=_later(), channels=[c])[0]
        for c in (province, city)
    )
    c = _client(person("kj_publisher"))
    page = c.get(f"/content/posts/{post.pk}/").content.decode()
    assert f"/publishing/intents/{theirs.pk}/cancel/" not in page
    assert f"/publishing/intents/{mine.pk}/cancel/" in page
    PublishIntent.objects.filter(pk__in=[theirs.pk, mine.pk]).update(status=IntentStatus.FAILED)
    page = c.get(f"/content/posts/{post.pk}/").content.decode()
    assert f"/publishing/intents/{theirs.pk}/retry/" not in page
    assert f"/publishing/intents/{mine.pk}/retry/" in page
    c.post(f"/publishing/intents/{theirs.pk}/retry/")
    assert PublishIntent.objects.filter(post=post).count() == 2
    c.post(f"/publishing/intents/{mine.pk}/retry/")
    assert PublishIntent.objects.filter(post=post, channel=city).count() == 2


def _county_post_for(*targets: Channel, **extra: Any) -> Post:
    """A county bureau's post addressed to ``targets``, approved by the county's own chain
    (and the review of the targets' units)."""
    _open_to("county_a", *targets)
    post = content.create_post(
        unit(W, "county_a"),
        actor=person("xa_publisher"),
        title="甲县天气",
        body=TEXT,
        category="forecast",
        channels=list(targets),
        source="甲县气象局",
        **extra,
    )
    wf.submit_for_review(post, actor=person("xa_publisher"))
    _approve(post, "xa_leader", *OWNERS)
    post.refresh_from_db()
    assert post.approved_revision_id == post.current_revision_id
    return post


def test_w05_the_scheduler_does_not_publish_a_county_post_on_the_citys_account() -> None:
    """W-05: the county's publisher may not schedule on the city's account (above); giving
    the post a planned time must not get it there either — the scheduler (SYSTEM) puts an
    approved post only on the accounts of the post's own unit; the city's account waits for
    the city's publisher. The county's own account beside it is scheduled as before."""
    city, county = channel(W, "city_weibo"), channel(W, "county_a_weibo")
    planned = datetime.now(TZ) + timedelta(minutes=30)
    only_city = _county_post_for(city, planned_at=planned)
    both = _county_post_for(city, county, planned_at=planned)
    actions.auto_schedule_due()
    assert not PublishIntent.objects.filter(channel=city).exists()
    assert PublishIntent.objects.filter(post=both, channel=county).count() == 1
    assert not PublishIntent.objects.filter(post=only_city).exists()


def test_w05_a_county_emergency_post_is_not_sent_at_once_on_the_citys_account() -> None:
    """W-05, W-12: special weather goes out at once through its fast chain — on the post's
    own unit's accounts, not on the city's."""
    city = channel(W, "city_weibo")
    _county_post_for(city, emergency=True)
    actions.auto_schedule_due()
    assert not PublishIntent.objects.filter(channel=city).exists()
