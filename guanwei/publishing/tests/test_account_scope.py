"""Who may target and publish to which account (issue 10 §3 C-09, §5 统一管理 / 分级负责:
T-01, T-02, W-05 alike). A post targets only the accounts its unit may address (its own,
those that serve it, those the pack opens to it); another unit's account brings that unit
into the approval chain; only that unit's publishers schedule or publish on it, and they
see the post, in its page, their lists and the calendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from guanwei.channels.models import Channel
from guanwei.content import actions as content
from guanwei.content.models import Post
from guanwei.orgs.errors import InvalidChange, PermissionDenied
from guanwei.orgs.models import User
from guanwei.publishing import actions
from guanwei.publishing.models import PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
C, T = "demo_college", "demo_tourism"
TZ = ZoneInfo("Asia/Shanghai")


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _later() -> datetime:
    return datetime.now(TZ) + timedelta(hours=2)


def _approve_all(post: Post, *deciders: str) -> None:
    """Each open step is decided by the first of ``deciders`` who may decide it."""
    from guanwei.workflow.queries import may_decide

    while step := StepRun.objects.filter(run__post=post, status="pending").first():
        who = next(person(d) for d in deciders if may_decide(step, person(d)))
        wf.approve_step(step, actor=who, acknowledge_hits=True)
    post.refresh_from_db()
    assert post.approved_revision_id == post.current_revision_id


def _main_account_post() -> Post:
    """教务处's manager asks to post on the school's official Weibo (C-09)."""
    post = content.create_post(
        unit(C, "academic_affairs"),
        actor=person("col_jwc_manager"),
        title="期末考试安排",
        body="各位同学：本学期期末考试将于1月10日开始，请按时参加。",
        category="announcement",
        channels=[channel(C, "school_weibo")],
        source="教务处",
    )
    wf.submit_for_review(post, actor=person("col_jwc_manager"))
    _approve_all(post, "col_jwc_head", "col_yq_reviewer", "col_xcb_head")
    return post


def _county_post(*keys: str) -> Post:
    """甲县's information officer writes a post for the given accounts (T-01, T-02)."""
    return content.create_post(
        unit(T, "county_a"),
        actor=person("ly_xa_officer"),
        title="甲县油菜花节开幕",
        body="甲县油菜花节本周六开幕，欢迎游客前来观赏。来源：甲县旅游局",
        category="announcement",
        channels=[channel(T, k) for k in keys],
        source="甲县旅游局",
    )


# ------------------------------------------------------------------ C-09 (college)


def test_c09_a_department_manager_cannot_publish_a_main_account_post() -> None:
    """C-09: the school's main accounts are published by the Propaganda Department: the
    department's manager who wrote the post is refused, in the action and on the page."""
    post = _main_account_post()
    with pytest.raises(PermissionDenied):
        actions.schedule_post(post, actor=person("col_jwc_manager"), at=_later())
    page = _client(person("col_jwc_manager")).get(f"/content/posts/{post.pk}/")
    assert page.status_code == 200
    assert 'id="schedule-form"' not in page.content.decode()
    assert not PublishIntent.objects.filter(post=post).exists()


def test_c09_the_propaganda_manager_opens_and_publishes_the_main_account_post() -> None:
    """C-09: the Propaganda Department's new-media manager, who runs the main accounts,
    opens the department's approved post (it used to be a 404) and publishes it there."""
    post = _main_account_post()
    c = _client(person("col_xcb_manager"))
    page = c.get(f"/content/posts/{post.pk}/")
    assert page.status_code == 200
    school = channel(C, "school_weibo")
    form = page.content.decode().split('id="schedule-form"')[1].split("</form>")[0]
    assert f'value="{school.pk}"' in form
    [intent] = actions.schedule_post(post, actor=person("col_xcb_manager"), at=_later())
    assert intent.channel == school


def test_c09_the_owning_units_publishers_see_the_approved_posts_waiting_for_their_accounts() -> (
    None
):
    """C-09: the post list of the Propaganda Department's manager shows the approved
    department post waiting for the school's account, with a link to it."""
    post = _main_account_post()
    page = _client(person("col_xcb_manager")).get("/content/posts/").content.decode()
    assert 'id="waiting-for-my-accounts"' in page
    waiting = page.split('id="waiting-for-my-accounts"')[1].split("</section>")[0]
    assert f'href="/content/posts/{post.pk}/"' in waiting
    assert "示范职业学院官方微博" in waiting


# ------------------------------------------------------------------ T-01 / T-02 (tourism)


def test_t02_the_form_offers_a_county_officer_only_the_accounts_his_unit_may_address() -> None:
    """T-01, T-02: 甲县's officer is offered his own account and the city account the
    centre runs for every unit (统一管理), never 乙区's account."""
    page = _client(person("ly_xa_officer")).get("/content/posts/new/").content.decode()
    field = page.split('name="channels"')[0:]
    assert field
    assert f'value="{channel(T, "county_a_weibo").pk}"' in page
    assert f'value="{channel(T, "city_weibo").pk}"' in page
    assert f'value="{channel(T, "district_b_weibo").pk}"' not in page
    assert "乙区旅游官方微博" not in page


def test_t02_a_post_on_another_countys_account_is_refused() -> None:
    """T-02 分级负责: the action refuses 乙区's account to 甲县's post, whatever the form sent."""
    with pytest.raises(InvalidChange):
        _county_post("city_weibo", "district_b_weibo")
    c = _client(person("ly_xa_officer"))
    response = c.post(
        "/content/posts/new/",
        {
            "unit": unit(T, "county_a").pk,
            "title": "甲县油菜花节开幕",
            "body": "甲县油菜花节本周六开幕。",
            "category": "announcement",
            "channels": [channel(T, "district_b_weibo").pk],
            "source": "甲县旅游局",
        },
    )
    assert response.status_code == 400
    assert not Post.objects.filter(unit=unit(T, "county_a"), title="甲县油菜花节开幕").exists()


def test_t01_a_county_post_on_the_city_account_is_reviewed_by_the_centre() -> None:
    """T-01: a post of 甲县 on the city account goes to the centre's review after the
    county head's (the chain includes the account's owning unit)."""
    post = _county_post("county_a_weibo", "city_weibo")
    run = wf.submit_for_review(post, actor=person("ly_xa_officer"))
    units = [s.unit.key for s in run.steps.order_by("index")]
    assert units == ["county_a", "info_centre"]


def test_t01_the_centre_publishes_the_county_post_on_the_city_account() -> None:
    """T-01, T-02: the county officer publishes on his own account only; the centre's
    contact opens the post (it was a 404), sees it in its list and calendar, and publishes
    it on the city account."""
    post = _county_post("county_a_weibo", "city_weibo")
    wf.submit_for_review(post, actor=person("ly_xa_officer"))
    _approve_all(post, "ly_xa_head", "ly_zx_head")
    city, own = channel(T, "city_weibo"), channel(T, "county_a_weibo")
    with pytest.raises(PermissionDenied):
        actions.schedule_post(post, actor=person("ly_xa_officer"), at=_later(), channels=[city])
    [mine] = actions.schedule_post(post, actor=person("ly_xa_officer"), at=_later(), channels=[own])
    assert mine.channel == own
    centre = _client(person("ly_zx_contact"))
    assert centre.get(f"/content/posts/{post.pk}/").status_code == 200
    assert f'href="/content/posts/{post.pk}/"' in centre.get("/content/posts/").content.decode()
    [theirs] = actions.schedule_post(
        post, actor=person("ly_zx_contact"), at=_later(), channels=[city]
    )
    assert theirs.channel == city
    week = centre.get("/publishing/calendar/").content.decode()
    assert f"/content/posts/{post.pk}/" in week


def test_w05_a_city_account_reaches_only_the_units_it_serves() -> None:
    """W-05: in the weather bureau the tech centre's post may not address a county's or
    the province's account (the pack opens none of them to it)."""
    with pytest.raises(InvalidChange):
        content.create_post(
            unit("demo_weather", "city_tech_centre"),
            actor=person("kj_editor"),
            title="天气预报",
            body="明天多云转晴。",
            category="forecast",
            channels=[channel("demo_weather", "county_a_weibo")],
            source="市气象台",
        )


# ------------------------------------------------------------------ C-03 (college)


def test_c03_a_manager_of_another_unit_is_warned_before_saving() -> None:
    """C-03: the manager of 教务处's site must be a person of 教务处: choosing a
    person of another unit is refused with a warning, nothing saved."""
    site = channel(C, "academic_site")
    c = _client(person("col_xcb_head"))
    response = c.post(
        f"/channels/{site.pk}/",
        {
            "name": site.name,
            "account_id": site.account_id,
            "purpose": site.purpose,
            "manager": person("col_xx_manager").pk,
            "responsible": site.responsible_id,
            "status": site.status,
            "verified": "on",
        },
    )
    assert response.status_code == 400
    assert "教务处" in response.content.decode()
    site.refresh_from_db()
    assert site.manager == person("col_jwc_manager")


def test_c03_the_history_shows_the_old_and_new_person_by_name() -> None:
    """C-03: a change of manager is shown as old → new person by name, not by id."""
    from guanwei.channels import actions as channel_actions
    from guanwei.orgs import actions as org_actions
    from guanwei.orgs.permissions import SYSTEM

    site: Channel = channel(C, "academic_site")
    newcomer = person("col_xx_manager")
    org_actions.grant_role(newcomer, unit(C, "academic_affairs"), "manager", actor=SYSTEM)
    channel_actions.change_channel(site, actor=person("col_xcb_head"), manager=newcomer)
    page = _client(person("col_xcb_head")).get(f"/channels/{site.pk}/").content.decode()
    assert 'id="people-history"' in page
    history = page.split('id="people-history"')[1].split("</section>")[0]
    assert "黄丽" in history and "吴芳" in history
    assert "col_jwc_manager" not in history


def test_t01_a_county_post_out_on_its_own_account_still_waits_for_the_centre() -> None:
    """T-01: once 甲县's send is out (the post reads 已发布), the city account is still
    waiting: the centre's contact sees it in the waiting list and publishes it there."""
    from guanwei.content.actions import mark_published
    from guanwei.content.models import PostStatus
    from guanwei.publishing.models import IntentStatus

    post = _county_post("county_a_weibo", "city_weibo")
    wf.submit_for_review(post, actor=person("ly_xa_officer"))
    _approve_all(post, "ly_xa_head", "ly_zx_head")
    city, own = channel(T, "city_weibo"), channel(T, "county_a_weibo")
    [mine] = actions.schedule_post(post, actor=person("ly_xa_officer"), at=_later(), channels=[own])
    PublishIntent.objects.filter(pk=mine.pk).update(status=IntentStatus.PUBLISHED)
    assert post.approved_revision is not None
    mark_published(post, revision=post.approved_revision)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    page = _client(person("ly_zx_contact")).get("/content/posts/").content.decode()
    waiting = page.split('id="waiting-for-my-accounts"')[1].split("</section>")[0]
    assert f'href="/content/posts/{post.pk}/"' in waiting
    [theirs] = actions.schedule_post(
        post, actor=person("ly_zx_contact"), at=_later(), channels=[city]
    )
    assert theirs.channel == city
    page = _client(person("ly_zx_contact")).get("/content/posts/").content.decode()
    assert 'id="waiting-for-my-accounts"' not in page
    # …and the dispatcher sends it: the publish gate lets a post already out elsewhere
    # through (its current, approved revision is what goes out).
    from django.utils import timezone

    from guanwei.publishing import dispatch
    from guanwei.publishing.adapters.base import PublishResult

    PublishIntent.objects.filter(pk=theirs.pk).update(due_at=timezone.now())

    def send(jobs: list[Any]) -> list[Any]:
        return [PublishResult(remote_id="c1", url="", state="published", raw={}) for _ in jobs]

    assert dispatch.deliver_due("t", send=send) == {theirs.pk: IntentStatus.PUBLISHED}
