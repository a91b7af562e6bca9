"""Scheduling rules in a real browser (issue 10 §4 R-03, §5 E-04): the real-estate
company's Friday batch as one week-plan form, and the edu-software company's daily
maximum at scheduling (the soft maximum warns, the maximum refuses, with the count)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.browser.conftest import SCREENSHOTS, Server, login

WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def _as(page: Any, server: Server, username: str) -> None:
    page.context.clear_cookies()
    login(page, server, username)


def _shell(server: Server, code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "guanwei", "manage", "shell", "-c", code],
        env=server.env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


@pytest.fixture(scope="module")
def orgs(server: Server) -> Server:
    """The real-estate company and the edu-software company in the demo, with logins
    (loaded here unless the demo holds them already)."""
    for pack, someone in (("real-estate", "re_ch_editor"), ("edu-software", "edu_yy_operator")):
        if someone in server.logins:
            continue
        subprocess.run(
            [sys.executable, "-m", "guanwei", "demo", "--pack", pack],
            env=server.env,
            check=True,
            capture_output=True,
        )
        text = (Path(server.var) / "demo-logins.txt").read_text(encoding="utf-8")
        for line in text.splitlines():
            if line and not line.startswith("#"):
                username, password = line.split("\t")[:2]
                server.logins.setdefault(username, password)
    return server


def _picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 120, 60)).save(out, format="PNG")
    return out.getvalue()


def test_r03_the_week_plan_grid_submitted_approved_on_the_calendar_deadline_closed(
    page: Any, orgs: Server
) -> None:
    """R-03: 黄丽 (投资策划部) fills #创意建筑#'s next week on the grid (seven days, text,
    picture, time) and submits it; 李娜 approves the whole week on its page; the calendar
    shows the seven days as the week plan; the Friday batch deadline is met."""
    server = orgs
    today = date.fromisoformat(
        _shell(server, "from django.utils import timezone; print(timezone.localdate())")
    )
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    week = monday.strftime("%G-W%V")
    tick = "from guanwei.oversight.scheduler import tick; tick()"
    _shell(server, tick)  # this week's Friday deadline for next week's #创意建筑#

    _as(page, server, "re_ch_editor")
    page.goto(server.url + "/content/posts/")
    page.click("#week-plan-new")
    page.wait_for_url(re.compile(r"/content/weekplans/new/$"))
    page.select_option("#id_column", label="#创意建筑# 创意建筑精品专栏")
    page.fill("#id_week", week)
    page.locator("#week-plan-form label", has_text="XX房地产").locator("input").check()
    for i, name in enumerate(WEEKDAYS):
        page.fill(f"#id_body_{i}", f"#创意建筑# {name}：一座获奖的创意建筑，看它如何与山水相融。")
        page.fill(f"#id_at_{i}", "10:00")
    page.set_input_files(
        "#id_picture_0", files=[{"name": "周一.png", "mimeType": "image/png", "buffer": _picture()}]
    )
    page.click("#week-plan-form button[type=submit]")
    page.wait_for_load_state()
    assert re.search(r"/content/weekplans/\d+/$", page.url), page.locator("main").inner_text()
    plan_url = page.url
    # a picture's text is read first (OCR task): the plan is kept as drafts meanwhile and
    # submitted from its page once the picture is read
    for _ in range(30):
        said = page.locator(".messages").inner_text()
        if "周计划已提交审核" in said or "已提交周计划中的 7 天" in said:
            break
        assert "尚未提交审核" in said or "正在识别" in said, said
        page.wait_for_timeout(1000)
        page.click("#week-plan-submit button[type=submit]")
        page.wait_for_url(plan_url)
    else:
        raise AssertionError(said)
    rows = page.locator("#week-plan tbody tr")
    assert rows.count() == 7
    assert page.locator("#week-plan img.thumb").count() == 1  # 周一's picture

    _as(page, server, "re_zz_leader")
    page.goto(plan_url)
    assert page.locator("#week-plan input[name=post]").count() == 7
    if page.locator("input[name=acknowledge_hits]").count():
        page.check("input[name=acknowledge_hits]")
    page.screenshot(path=str(SCREENSHOTS / "r03-week-plan-review.png"), full_page=True)
    page.click("#week-plan-review button[name=all]")
    page.wait_for_url(plan_url)
    assert "已同意周计划中的 7 天" in page.locator(".messages").inner_text()
    statuses = page.locator("#week-plan tbody tr td:last-child").all_inner_texts()
    assert statuses == ["已通过"] * 7, statuses

    page.goto(server.url + f"/publishing/calendar/?week={week}")
    cal = page.locator("#calendar")
    assert cal.locator("a.batch").count() == 7
    assert cal.locator("a", has_text=f"#创意建筑# {monday:%m-%d}（周一）").count() == 1

    _shell(server, tick)
    _as(page, server, "re_admin")
    page.goto(server.url + "/oversight/deadlines/?status=met")
    met = page.locator("#deadlines tr", has_text="#创意建筑#").first
    assert "下周每天都已安排" in met.inner_text()


def test_e04_the_soft_maximum_warns_and_the_maximum_refuses_at_scheduling(
    page: Any, orgs: Server
) -> None:
    """E-04: 张敏 schedules the 6th post of a work day — scheduled, with a warning naming
    the count; with ten that day the 11th is refused with the count. The form names the
    pack's windows and peaks."""
    server = orgs
    setup = """
from datetime import datetime, timedelta
from django.utils import timezone
from guanwei.content import actions as content
from guanwei.orgs.models import User
from guanwei.orgs.models import Unit
from guanwei.channels.models import Channel
from guanwei.publishing import actions
from guanwei.publishing.calendar import is_workday
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun
ops = Unit.objects.get(organisation__key="demo_edu_software", key="operations")
ch = Channel.objects.get(organisation__key="demo_edu_software", key="official_weibo")
editor = User.objects.get(username="edu_yy_editor")
lead = User.objects.get(username="edu_yy_lead")
operator = User.objects.get(username="edu_yy_operator")
day = timezone.localdate() + timedelta(days=DAYS)
while not is_workday(day, organisation_id=ops.organisation_id):
    day += timedelta(days=1)
def approved(n):
    post = content.create_post(ops, actor=editor, title=f"家校共育 {n}",
        body=f"放学后先听孩子讲讲今天学到了什么（第{n}条）。", category="education",
        subtype="home_school", channels=[ch])
    wf.submit_for_review(post, actor=editor)
    wf.approve_step(StepRun.objects.get(run__post=post, status="pending"), actor=lead,
        acknowledge_hits=True)
    return post
tz = timezone.get_current_timezone()
for i in range(COUNT):
    at = datetime.combine(day, datetime.min.time(), tz).replace(hour=9)
    at += timedelta(minutes=START + 5 * i)
    actions.schedule_post(approved(f"{START}-{i}"), actor=operator, at=at)
print(approved(f"next-{START}").pk, day.isoformat())
"""
    first = _shell(server, setup.replace("COUNT", "5").replace("START", "0").replace("DAYS", "3"))
    post_id, day = first.split()[-2:]
    _as(page, server, "edu_yy_operator")
    page.goto(server.url + f"/content/posts/{post_id}/")
    form = page.locator("#schedule-form")
    assert "晚间发送时段 20:00–23:59" in form.inner_text()
    assert "上午高峰 09:00–10:00" in form.inner_text()
    form.locator("input[name=when][value=at]").check()
    page.fill("#schedule-form input[name=at]", f"{day}T20:30")
    page.click("#schedule-form button[type=submit]")
    page.wait_for_url(server.url + f"/content/posts/{post_id}/")
    said = page.locator(".messages").inner_text()
    assert "第 6 条" in said and "建议的每日 5 条" in said, said

    second = _shell(server, setup.replace("COUNT", "4").replace("START", "40").replace("DAYS", "3"))
    post_id, day2 = second.split()[-2:]
    assert day2 == day
    page.goto(server.url + f"/content/posts/{post_id}/")
    page.locator("#schedule-form input[name=when][value=at]").check()
    page.fill("#schedule-form input[name=at]", f"{day}T21:00")
    page.click("#schedule-form button[type=submit]")
    refusal = page.locator("#schedule-form").inner_text()
    assert "已安排 10 条" in refusal and "上限 10 条" in refusal, refusal
    page.screenshot(path=str(SCREENSHOTS / "e04-daily-maximum.png"), full_page=True)
