"""R-03 the Friday batch as one form (issue 10 §4): a column's week plan written on one
grid, submitted together, reviewed together, on the calendar as a batch, and the Friday
deadline closed when it is in."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from guanwei.content.models import Post, PostStatus
from guanwei.oversight.models import Deadline, DeadlineKind, DeadlineStatus
from guanwei.oversight.scheduler import tick
from guanwei.testing.personas import channel, person

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
R = "demo_real_estate"
TUESDAY = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def _grid(**over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "column": "creative_architecture",
        "week": "2026-W50",  # 12-07 … 12-13, the week after the Friday deadline
        "channels": [channel(R, "company_weibo").pk],
    }
    for i, name in enumerate(WEEKDAYS):
        data[f"body_{i}"] = f"#创意建筑# {name}：介绍一座获奖的创意建筑，看它如何与山水相融。"
        data[f"at_{i}"] = "10:00"
    data.update(over)
    return data


def test_r03_the_week_plan_is_one_form_submitted_reviewed_and_shown_together() -> None:
    """R-03: the planning editor fills Mon–Sun on one grid and submits; the group leader
    approves the whole week on the plan's page; the calendar shows the days as the week
    plan; the Friday batch deadline closes."""
    editor, leader = Client(), Client()
    with time_machine.travel(TUESDAY, tick=False):
        editor.force_login(person("re_ch_editor"))
        leader.force_login(person("re_zz_leader"))
        tick()
        batch = Deadline.objects.get(
            channel=channel(R, "company_weibo"), kind=DeadlineKind.BATCH, status="open"
        )
        form = editor.get("/content/weekplans/new/").content.decode()
        assert 'id="week-grid"' in form and form.count('type="time"') == 7
        response = editor.post("/content/weekplans/new/", _grid())
        assert response.status_code == 302, response.content.decode()[:2000]
        posts = list(Post.objects.filter(week_plan__isnull=False).order_by("pk"))
        assert len(posts) == 7 and {p.status for p in posts} == {PostStatus.IN_REVIEW}
        plan_url = response["Location"]
        page = leader.get(plan_url).content.decode()
        assert page.count('name="post"') == 7 and "周日 12-13" in page
        approved = leader.post(
            plan_url.replace("/content/weekplans/", "/review/weekplans/") + "approve/",
            {"all": "1", "acknowledge_hits": "1"},
        )
        assert approved.status_code == 302
        assert {p.status for p in Post.objects.filter(week_plan__isnull=False)} == {
            PostStatus.APPROVED
        }
        week = leader.get("/publishing/calendar/?week=2026-W50").content.decode()
        assert week.count("周计划") >= 7, week
        tick()
    batch.refresh_from_db()
    assert batch.status == DeadlineStatus.MET


def test_r03_every_day_needs_its_text_and_time_and_days_may_be_approved_one_by_one() -> None:
    """R-03: a grid with an empty Sunday is refused, naming the day; the reviewer may
    approve the days ticked and leave the rest waiting."""
    editor, leader = Client(), Client()
    with time_machine.travel(TUESDAY, tick=False):
        editor.force_login(person("re_ch_editor"))
        leader.force_login(person("re_zz_leader"))
        refused = editor.post("/content/weekplans/new/", _grid(body_6=""))
        assert refused.status_code == 400 and "周日" in refused.content.decode()
        assert not Post.objects.filter(week_plan__isnull=False).exists()
        response = editor.post("/content/weekplans/new/", _grid())
        plan_url = response["Location"]
        monday, tuesday = Post.objects.filter(week_plan__isnull=False).order_by("pk")[:2]
        leader.post(
            plan_url.replace("/content/weekplans/", "/review/weekplans/") + "approve/",
            {"chosen": "1", "post": [monday.pk, tuesday.pk], "acknowledge_hits": "1"},
        )
    statuses = list(
        Post.objects.filter(week_plan__isnull=False).order_by("pk").values_list("status", flat=True)
    )
    assert statuses == [PostStatus.APPROVED] * 2 + [PostStatus.IN_REVIEW] * 5


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_r03_a_refused_week_plan_leaves_no_picture_in_the_library() -> None:
    """R-03 (strict review): the grid is one action — refused (Sunday has no text), none of
    its pictures is kept in the unit's library, and no upload is audited."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from guanwei.audit.events import AuditAction
    from guanwei.audit.models import AuditRecord
    from guanwei.content.models import Asset

    editor = Client()
    editor.force_login(person("re_ch_editor"))
    assets, uploads = (
        Asset.objects.count(),
        AuditRecord.objects.filter(action=AuditAction.ASSET_UPLOADED).count(),
    )
    with time_machine.travel(TUESDAY, tick=False):
        picture = SimpleUploadedFile("monday.png", _png(), content_type="image/png")
        refused = editor.post("/content/weekplans/new/", _grid(body_6="", picture_0=picture))
    assert refused.status_code == 400
    assert "周日" in refused.content.decode()
    assert Asset.objects.count() == assets
    assert AuditRecord.objects.filter(action=AuditAction.ASSET_UPLOADED).count() == uploads


def test_r03_a_week_plans_pictures_are_stored_with_its_days() -> None:
    """R-03: the picture of a day is stored in the unit's library with the plan and goes
    with that day's post."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    editor = Client()
    editor.force_login(person("re_ch_editor"))
    with time_machine.travel(TUESDAY, tick=False):
        picture = SimpleUploadedFile("monday.png", _png(), content_type="image/png")
        done = editor.post("/content/weekplans/new/", _grid(picture_0=picture))
    assert done.status_code == 302, done.content.decode()[:2000]
    monday, *rest = Post.objects.filter(week_plan__isnull=False).order_by("pk")
    assert monday.current_revision is not None
    [asset] = monday.current_revision.assets.all()
    assert asset.kind == "image" and "周一" in asset.title
    assert all(p.current_revision and not p.current_revision.assets.exists() for p in rest)


def test_r03_the_calendar_asks_once_per_week_plan_who_may_see_it() -> None:
    """R-03 (strict review): the calendar decides once per week plan whether its days' titles
    are shown (the plan's page shows all its days to whoever may open one), not seven times —
    a second plan costs the queries of one day, not of seven."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    editor, viewer = Client(), Client()
    editor.force_login(person("re_ch_editor"))
    viewer.force_login(person("re_xm_editor"))  # not a reviewer: the rules run in full
    url = "/publishing/calendar/?week=2026-W50"
    with time_machine.travel(TUESDAY, tick=False):
        assert editor.post("/content/weekplans/new/", _grid()).status_code == 302
        viewer.get(url)
        with CaptureQueriesContext(connection) as one:
            viewer.get(url)
        second = editor.post("/content/weekplans/new/", _grid(column="culture_property"))
        assert second.status_code == 302
        with CaptureQueriesContext(connection) as two:
            page = viewer.get(url).content.decode()
    assert page.count("其他部门的稿件") >= 14  # hidden titles, one per day
    assert len(two.captured_queries) - len(one.captured_queries) <= 15, (
        len(one.captured_queries),
        len(two.captured_queries),
    )


def test_r03_the_week_plan_form_offers_only_the_accounts_the_unit_may_address() -> None:
    """R-03 with C-09/T-01 (strict review): the grid offers the accounts its unit's posts may
    address, as the post form does — not another department's account the action refuses
    after seven days were typed."""
    from guanwei.channels import actions as channel_actions
    from guanwei.channels.models import ChannelStatus
    from guanwei.orgs.permissions import SYSTEM
    from guanwei.testing.personas import unit

    own = channel_actions.create_channel(
        unit(R, "project_team"),
        actor=SYSTEM,
        key="project_weibo",
        name="项目组微博",
        kind=channel(R, "company_weibo").kind,
        status=ChannelStatus.ACTIVE,
    )
    editor = Client()
    editor.force_login(person("re_ch_editor"))  # 投资策划部: may not address it
    form = editor.get("/content/weekplans/new/").content.decode()
    assert f'value="{channel(R, "company_weibo").pk}"' in form
    assert f'value="{own.pk}"' not in form
    with time_machine.travel(TUESDAY, tick=False):
        refused = editor.post("/content/weekplans/new/", _grid(channels=[own.pk]))
    assert refused.status_code == 400
