"""What a hostile or hurried user did to the interaction pages (the review of issue 11's
desk): each test failed on 0a52d65 and names the requirement it protects."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanwei.interaction import actions
from guanwei.interaction.models import Activity, ModerationRule
from guanwei.testing.personas import channel, org, person

pytestmark = pytest.mark.django_db
W, C = "demo_weather", "demo_college"


def _client(who: str) -> Client:
    c = Client()
    c.force_login(person(who))
    return c


def _activity() -> Activity:
    now = timezone.now()
    return actions.plan_activity(
        channel(W, "county_a_weibo"),
        actor=person("xa_publisher"),
        rule_key="major_weather_activity",
        kind="interview",
        title="寒潮天气微访谈",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
        major_weather=True,
    )


def test_w08_a_forged_staff_id_is_a_message_not_a_server_error() -> None:
    """W-08: the readiness form with a non-numeric staff id answers with a message (was a
    500), and staff from another organisation are not put on duty."""
    a = _activity()
    c = _client("xa_publisher")
    r = c.post(reverse("activity_readiness", args=[a.pk]), {"staff": ["x1"]}, follow=True)
    assert r.status_code == 200 and "值班人员的选择无效" in r.content.decode()
    stranger = person("col_xx_manager")
    c.post(reverse("activity_readiness", args=[a.pk]), {"staff": [str(stranger.pk)]})
    assert not a.staff.filter(pk=stranger.pk).exists()


def test_w08_no_start_button_while_something_is_missing() -> None:
    """W-08: while the consent, staff or answers are missing the page lists them and offers
    no 开始活动 (a button that would only refuse); the action still refuses a forged POST."""
    a = _activity()
    actions.submit_activity(a, actor=person("xa_publisher"))
    page = _client("xa_publisher").get(reverse("activity_detail", args=[a.pk])).content.decode()
    assert "开始前还缺" in page and "开始活动</button>" not in page


def test_w18_a_superscript_digit_in_the_rule_form_is_a_message() -> None:
    """W-18: '²' passes str.isdigit() but not int(): the form says so (was a 500)."""
    r = _client("bgs_leader").post(
        reverse("rule_new"),
        {"name": "长度", "min_length": "²", "do": ["review"]},
    )
    assert r.status_code == 200 and "字数请填写整数" in r.content.decode()


def test_w18_rules_assign_only_to_moderators_shown_by_name() -> None:
    """W-18: the rule list names the person a rule assigns to (not the login), the form
    offers only people who handle comments, and an assignment to nobody is refused."""
    o = org(W)
    leader = person("bgs_leader")
    target = person("kj_publisher")
    actions.save_rule(
        o,
        actor=leader,
        name="分派",
        conditions={},
        actions=[{"do": "assign", "to": target.username}],
    )
    c = _client("bgs_leader")
    listing = c.get(reverse("rule_list")).content.decode()
    assert f"分派给{target}" in listing and f"给{target.username}<" not in listing
    form = c.get(reverse("rule_new")).content.decode()
    assert f'value="{target.username}"' in form
    assert 'value="qxt_officer"' not in form  # supplies material, handles no comments
    r = c.post(reverse("rule_new"), {"name": "空", "do": ["assign"], "assign_to": ""})
    assert "请选择分派给谁" in r.content.decode()


def test_w18_a_double_submitted_toggle_disables_once() -> None:
    """W-18: two clicks on 停用 leave the rule disabled (the form sends the wanted state)."""
    rule = ModerationRule.objects.filter(organisation=org(W), enabled=True).first()
    assert rule is not None
    c = _client("bgs_leader")
    for _ in range(2):
        c.post(reverse("rule_toggle", args=[rule.pk]), {"enabled": "0"})
    rule.refresh_from_db()
    assert rule.enabled is False


def test_c10_the_office_pages_through_every_report() -> None:
    """C-10: the opinion office reaches reports older than the first page (was capped)."""
    college = org(C)
    for i in range(55):
        actions.report_harm(college, actor=person("col_xx_manager"), description=f"有害信息{i}")
    c = _client("col_yq_reviewer")
    first = c.get(reverse("report_list")).content.decode()
    assert "有害信息54" in first and "有害信息0<" not in first and "reports-more" in first
    more = re.search(r'href="\?before=(\d+)" id="reports-more"', first)
    assert more
    second = c.get(reverse("report_list") + f"?before={more.group(1)}").content.decode()
    assert "有害信息0<" in second and "reports-more" not in second


def test_w18_the_banner_poll_builds_no_rows(django_assert_max_num_queries: Any) -> None:
    """W-18: the 10 s poll answers the count only (it built the whole page: 71 queries
    in the review; the page itself stays well above 20)."""
    from guanwei.interaction.tests.test_inbox import _comment

    for i in range(5):
        _comment(text=f"评论{i}")
    c = _client("kj_publisher")
    c.get(reverse("inbox"))  # the session, the menu's caches
    with django_assert_max_num_queries(20):
        r = c.get(reverse("inbox") + "?fragment=count&since=0")
    assert "有 5 条新的评论留言" in r.content.decode()


def test_w18_the_label_filter_reaches_older_items() -> None:
    """W-18: filtering by a label finds a labelled item older than the newest page (on
    SQLite it filtered only the page already taken)."""
    from guanwei.interaction.queries import INBOX_PAGE
    from guanwei.interaction.tests.test_inbox import _comment

    old = _comment(text="很早的广告", labels=["广告"])
    for i in range(INBOX_PAGE + 2):
        _comment(text=f"新评论{i}")
    page = _client("kj_publisher").get(reverse("inbox") + "?label=广告").content.decode()
    assert old.text in page and "新评论0" not in page


def test_w09_feedback_is_recorded_from_the_inbox_once() -> None:
    """第四条(四), W-09: who moderates the account records a comment as feedback from 互动台
    (there was no button); the item then says 已记为反馈; a second capture is refused with
    a message; an editor who does not moderate sees no such form."""
    from guanwei.interaction.models import Feedback
    from guanwei.interaction.tests.test_inbox import _comment

    item = _comment(text="预报很准，感谢！")
    c = _client("kj_publisher")
    assert (
        f'action="{reverse("feedback_capture", args=[item.pk])}"'
        in c.get(reverse("inbox")).content.decode()
    )
    for _ in range(2):
        r = c.post(
            reverse("feedback_capture", args=[item.pk]),
            {"topic": "预报", "tags": "表扬", "satisfaction": "5", "next": reverse("inbox")},
            follow=True,
        )
    assert Feedback.objects.filter(comment=item).count() == 1
    page = r.content.decode()
    assert "已记为反馈" in page and "这条评论已记为意见反馈" in page
    editor = _client("kj_editor").get(reverse("inbox")).content.decode()
    assert reverse("feedback_capture", args=[item.pk]) not in editor
