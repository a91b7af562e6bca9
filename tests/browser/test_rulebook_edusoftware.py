"""The edu-software company's Weibo strategy (第五篇) walked in Chromium as its roles
(issue 10 acceptance): a parent's private-message contribution is recorded into the drop
box as external (E-07), the content editor writes it up, the ops lead reviews it (E-01), the
operator publishes it on the fake Weibo and the day's quota counts it (E-04); a text kept in
the content library (E-02) is written into a column post (E-03), reviewed, and scheduled by
the operator in a preferred window of a rest day, counted ahead of the day (E-04 时光机).
Every page is in Chinese."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from guanwei.publishing.fakes import FakePlatforms
from tests.browser.conftest import Server
from tests.browser.walk import (
    as_,
    chinese_only,
    message,
    on_the_fake,
    upload_picture,
    wait_published,
)

PACK = "edu-software"
ACCOUNT = "优课优信官方微博"
C_TITLE = "孩子的第一篇观察日记（规则走查）"
C_STORY = "女儿今天写了第一篇观察日记，记录了小蜗牛怎样爬过窗台（规则走查）。"
PHOTO = "亲子共读绘本（规则走查）"
L_TITLE = "陪孩子读书的三个小办法（规则走查）"
L_TEXT = (
    "#下课十分钟# 每天睡前十分钟，和孩子一起读一本绘本，再请孩子讲一讲故事里的人物（规则走查）。"
)
TICK = "from guanwei.oversight.scheduler import tick; tick()"


@pytest.fixture(scope="module")
def fakes(platforms: FakePlatforms) -> FakePlatforms:
    """The session's fake platforms and dispatcher (conftest): a second fake would number
    its statuses from the start again, and the ids would clash on an account the session
    already published on (UNIQUE account + remote id)."""
    return platforms


def _look(page: Any, server: Server) -> None:
    chinese_only(page, server, PACK)


def _approve_as_lead(
    page: Any, server: Server, title: str, post_url: str, *, picture: bool = False
) -> None:
    as_(page, server, "edu_yy_lead")
    page.goto(server.url + "/review/queue/")
    _look(page, server)
    page.locator("#queue a", has_text=title).click()
    page.wait_for_url(post_url)
    _look(page, server)
    if picture:  # 图文相符 (E-01): the lead sees the picture beside the text
        assert page.locator("main img").count() == 1
    ack = page.locator("#approve-form input[name=acknowledge_hits]")
    if ack.count():  # 图文相符 (E-01): no picture — the lead has looked and accepts it
        ack.check()
    page.click("#approve-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "已通过", message(page)


def test_e07_a_parents_private_message_contribution_reviewed_and_published(
    page: Any, server: Server, fakes: FakePlatforms
) -> None:
    """E-07, E-01, E-03, E-04: 运营专员 张敏 records a parent's 微博私信 contribution into
    新媒体运营组's 报送箱, marked 外部投稿; 内容编辑 刘洋 writes the post from it; 运营主管
    李娜 approves it (稿件审核); 张敏 publishes it now; it is on the fake Weibo and on the
    calendar, and today's daily quota counts it."""
    as_(page, server, "edu_yy_operator")
    page.goto(server.url + "/content/dropbox/")
    _look(page, server)
    page.click("a:has-text('记录外部投稿')")
    page.wait_for_url(re.compile(r"/content/materials/external/$"))
    _look(page, server)
    page.select_option("#id_drop_box", label="新媒体运营组")
    page.fill("#id_name", "王女士（学生家长）")
    page.select_option("#id_via", label="微博私信")
    page.fill("#id_title", C_TITLE)
    page.fill("#id_body", f"#优趣之熊爸熊妈# {C_STORY}")
    page.click("#external-send")
    page.wait_for_url(re.compile(r"/content/materials/\d+/$"))
    assert "投稿已放入报送箱" in message(page)
    assert "外部投稿 王女士（学生家长） · 微博私信" in page.locator("main").inner_text()
    _look(page, server)
    material_url = page.url

    as_(page, server, "edu_yy_editor")
    page.goto(server.url + "/content/dropbox/")
    row = page.locator("tr", has_text=C_TITLE)
    assert "外部投稿" in row.inner_text()
    _look(page, server)
    row.locator("a", has_text=C_TITLE).click()
    page.wait_for_url(material_url)
    page.click("a:has-text('据此撰写稿件')")
    page.wait_for_url(re.compile(r"/content/posts/new/\?material=\d+$"))
    _look(page, server)
    assert page.input_value("#id_title") == C_TITLE
    page.select_option("#id_category", label="学生、老师、家长投稿")
    page.locator("#post-form label", has_text=ACCOUNT).locator("input").check()
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_url = page.url
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "审核中", message(page)
    assert "运营主管审核" in page.locator("#review-panel").inner_text()
    _look(page, server)

    _approve_as_lead(page, server, C_TITLE, post_url)

    as_(page, server, "edu_yy_operator")
    page.goto(post_url)
    form = page.locator("#schedule-form")
    form.locator("input[name=when][value=now]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(post_url)
    assert "已安排发布" in message(page)
    wait_published(page, post_url)
    _look(page, server)
    on_the_fake(page, ACCOUNT, f"【优趣之熊爸熊妈】 {C_STORY}")

    page.goto(server.url + "/publishing/calendar/")
    row = page.locator("#calendar tr", has_text=ACCOUNT)
    assert C_TITLE in row.inner_text() and "已发布" in row.inner_text(), row.inner_text()
    _look(page, server)

    # today's quota (工作日 or 休息日) counts the post: n/3, n ≥ 1
    server.manage("shell", "-c", TICK)
    page.goto(server.url + "/oversight/deadlines/")
    _look(page, server)
    text = page.locator("#deadlines").inner_text()
    counts = re.findall(r"每日3(?:-10)?条[^（]*（(\d\d-\d\d)）\s*(\d+)/3", text)
    assert counts and any(int(n) >= 1 for _, n in counts), text


def _rest_day_ahead(page: Any, server: Server) -> tuple[str, str]:
    """The furthest rest day on the deadline list (its 休息日每日3条 quota is open a week
    ahead, so never today): (MM-DD, YYYY-MM-DD)."""
    server.manage("shell", "-c", TICK)
    page.goto(server.url + "/oversight/deadlines/")
    text = page.locator("#deadlines").inner_text()
    found = re.findall(r"休息日每日3条\(时光机\)（(\d\d)-(\d\d)）", text)
    assert found, text
    month, day = (int(n) for n in found[-1])
    today = date.today()
    year = today.year + (1 if month < today.month else 0)
    return f"{month:02d}-{day:02d}", f"{year}-{month:02d}-{day:02d}"


def test_e02_e04_a_library_text_scheduled_in_a_rest_day_window_counted_ahead(
    page: Any, server: Server, fakes: FakePlatforms
) -> None:
    """E-02, E-03, E-04, E-01: 内容编辑 刘洋 keeps a text in the 内容库 and a picture in
    the 素材库 and writes a #下课十分钟# post from them; 运营主管 李娜 sees the picture and
    approves it; 运营专员 张敏 sees the pack's windows and peaks and schedules it at 20:30 of
    a rest day ahead (时光机); the calendar shows it waiting and the rest day's quota counts
    it ahead of the day (1/3)."""
    as_(page, server, "edu_yy_editor")
    upload_picture(page, server, PHOTO)  # the image library, built up beside the texts
    page.goto(server.url + "/content/texts/")
    _look(page, server)
    assert "素材库为空" not in page.locator("#texts").inner_text()  # it is the 内容库
    page.fill("#id_title", L_TITLE)
    page.fill("#id_body", L_TEXT)
    page.fill("#id_source", "优课优信内容组")
    page.click("main form button.primary")
    page.wait_for_url(server.url + "/content/texts/")
    assert "已保存到内容库" in message(page)
    row = page.locator("#texts tr", has_text=L_TITLE)
    row.locator("a", has_text="用此文字写稿").click()
    page.wait_for_url(re.compile(r"/content/posts/new/\?text=\d+$"))
    _look(page, server)
    assert page.input_value("#id_body") == L_TEXT
    page.select_option("#id_category", label="教育知识")
    page.select_option("#id_column", label="#下课十分钟# 下课十分钟")
    page.select_option("#id_assets", label=PHOTO)
    page.locator("#post-form label", has_text=ACCOUNT).locator("input").check()
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_url = page.url
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "审核中", message(page)

    assert page.locator("main img").count() == 1
    _approve_as_lead(page, server, L_TITLE, post_url, picture=True)

    as_(page, server, "edu_yy_operator")
    short, day = _rest_day_ahead(page, server)
    page.goto(post_url)
    form = page.locator("#schedule-form")
    said = form.inner_text()
    assert "晚间发送时段 20:00–23:59" in said and "中午高峰 12:00–13:00" in said, said
    _look(page, server)
    form.locator("input[name=when][value=at]").check()
    page.fill("#schedule-form input[name=at]", f"{day}T20:30")
    form.locator("button[type=submit]").click()
    page.wait_for_url(post_url)
    assert "已安排发布" in message(page), message(page)
    assert "待发布" in page.locator("#intents").inner_text()
    _look(page, server)

    page.goto(server.url + f"/publishing/calendar/?week={date.fromisoformat(day):%G-W%V}")
    row = page.locator("#calendar tr", has_text=ACCOUNT)
    assert L_TITLE in row.inner_text() and "待发布" in row.inner_text(), row.inner_text()
    _look(page, server)

    server.manage("shell", "-c", TICK)
    page.goto(server.url + "/oversight/deadlines/")
    quota = page.locator("#deadlines tr", has_text=f"休息日每日3条(时光机)（{short}）")
    assert "1/3" in quota.inner_text(), page.locator("#deadlines").inner_text()
