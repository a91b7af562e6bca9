"""The tourism bureau's rule book (第三篇) walked in Chromium as its roles (issue 10
acceptance): a county's material reaches the Tourism Information Service Centre, which
writes it up for the city account, has it reviewed by its own head and publishes it (统一管理,
T-01); a county keeps its own account (分级负责, T-02): its officer drafts, its head
approves, the officer publishes, and the week's update quota is met. Nothing goes out
unreviewed (T-04) and without a stated source (T-05). Every page is in Chinese."""

from __future__ import annotations

import re
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

PACK = "tourism-bureau"
M_TITLE = "甲县油菜花节开幕（规则走查）"
M_TEXT = "甲县油菜花节本周六在城南花海开幕，届时将举办民俗表演，欢迎游客前来观赏（规则走查）。"
PHOTO = "城南花海油菜花（规则走查）"
C_TITLE = "甲县古村落周末导览（规则走查）"
C_TEXT = "本周末甲县古村落开放免费导览，每天上午九点在村口集合（规则走查）。"


@pytest.fixture(scope="module")
def fakes(platforms: FakePlatforms) -> FakePlatforms:
    """The session's fake platforms and dispatcher (conftest): a second fake would number
    its statuses from the start again, and the ids would clash on an account the session
    already published on (UNIQUE account + remote id)."""
    return platforms


def _look(page: Any, server: Server) -> None:
    chinese_only(page, server, PACK)


def test_t01_t05_county_material_published_by_the_centre_on_the_city_account(
    page: Any, server: Server, fakes: FakePlatforms
) -> None:
    """T-01 统一管理, T-03, T-04, T-05: 甲县's 信息员 赵磊 sends material with its source
    and a picture (图文并茂) to the centre's 报送箱; the centre's 工作联系人 刘洋 writes the
    post for 市旅游官方微博 from it; the centre's 部门负责人 张敏 sees the picture and
    approves it (本单位微博发布审核); 刘洋 publishes it; it is on the fake Weibo with its
    picture, on the city account, and on the calendar."""
    # 1. The county officer puts a picture in the library and submits material with it
    #    (图文并茂) to the centre's drop box.
    as_(page, server, "ly_xa_officer")
    upload_picture(page, server, PHOTO)
    _look(page, server)
    page.goto(server.url + "/content/materials/new/")
    _look(page, server)
    page.select_option("#id_provider_unit", label="甲县旅游局")
    page.select_option("#id_drop_box", label="旅游信息服务中心")
    page.fill("#id_title", M_TITLE)
    page.fill("#id_body", M_TEXT)
    page.fill("#id_source", "甲县旅游局")
    page.select_option("#id_assets", label=PHOTO)
    page.click("#material-form button.primary")
    page.wait_for_url(re.compile(r"/content/materials/\d+/$"))
    assert "素材已报送" in message(page)
    _look(page, server)
    material_url = page.url

    # 2. The centre's contact finds it in the drop box and writes the post from it.
    as_(page, server, "ly_zx_contact")
    page.goto(server.url + "/content/dropbox/")
    _look(page, server)
    page.locator("#content a, main a", has_text=M_TITLE).first.click()
    page.wait_for_url(material_url)
    _look(page, server)
    page.click("a:has-text('据此撰写稿件')")
    page.wait_for_url(re.compile(r"/content/posts/new/\?material=\d+$"))
    _look(page, server)
    assert page.input_value("#id_title") == M_TITLE
    assert page.input_value("#id_source") == "甲县旅游局"
    page.select_option("#id_category", label="旅游形象宣传")
    page.locator("#post-form label", has_text="市旅游官方微博").locator("input").check()
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_url = page.url
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "审核中", message(page)
    assert "部门负责人审核" in page.locator("#review-panel").inner_text()
    _look(page, server)

    # 3. The centre's head approves it from her queue.
    as_(page, server, "ly_zx_head")
    page.goto(server.url + "/review/queue/")
    _look(page, server)
    page.locator("#queue a", has_text=M_TITLE).click()
    page.wait_for_url(post_url)
    assert page.locator("#schedule-form").count() == 0  # the head reviews, she does not publish
    assert page.locator("main img").count() == 1  # she sees the picture she approves
    page.click("#approve-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "已通过", message(page)
    _look(page, server)

    # 4. The contact publishes it now on the city account; it is on the fake Weibo.
    as_(page, server, "ly_zx_contact")
    page.goto(post_url)
    form = page.locator("#schedule-form")
    assert "市旅游官方微博" in form.inner_text()
    form.locator("input[name=when][value=now]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(post_url)
    assert "已安排发布" in message(page)
    wait_published(page, post_url)
    _look(page, server)
    on_the_fake(page, "市旅游官方微博", M_TEXT, picture=True)
    texts = [s.text for s in fakes.weibo_server.platform.data.statuses.values()]
    assert sum(M_TEXT in t for t in texts) == 1

    # 5. The calendar shows it published on the city account.
    page.goto(server.url + "/publishing/calendar/")
    row = page.locator("#calendar tr", has_text="市旅游官方微博")
    assert M_TITLE in row.inner_text() and "已发布" in row.inner_text(), row.inner_text()
    _look(page, server)

    # 6. The county officer's dashboard shows what became of his material, in the tourism
    #    bureau's words (no weather bureau's W-11 correction notice: the pack has none).
    as_(page, server, "ly_xa_officer")
    panel = page.locator("#material-posts")
    assert M_TITLE in panel.inner_text() and "已发布" in panel.inner_text()
    assert "订正" not in panel.inner_text(), panel.inner_text()
    _look(page, server)


def test_t02_t05_a_county_keeps_its_own_account_and_its_week_quota_is_met(
    page: Any, server: Server, fakes: FakePlatforms
) -> None:
    """T-02 分级负责, T-03, T-04, T-05: 甲县's 信息员 赵磊 drafts for 甲县旅游官方微博;
    without a source it cannot be submitted (来源不明的不予发布); with one it goes to 甲县's
    部门负责人 杨帆, who approves; 赵磊 publishes it; it is on the fake Weibo and the week's
    县级微博定期更新 for 甲县 is met (督促, T-01)."""
    as_(page, server, "ly_xa_officer")
    page.goto(server.url + "/content/posts/new/")
    _look(page, server)
    offered = page.locator("#post-form").inner_text()
    assert "甲县旅游官方微博" in offered and "乙区旅游官方微博" not in offered
    page.fill("#id_title", C_TITLE)
    page.fill("#id_body", C_TEXT)
    page.select_option("#id_category", label="旅游形象宣传")
    page.locator("#post-form label", has_text="甲县旅游官方微博").locator("input").check()
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_url = page.url

    # T-05: no source — refused at submission, in Chinese.
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(post_url)
    assert "须注明信息来源" in message(page)
    assert page.locator("#post-status").inner_text() == "草稿"
    _look(page, server)

    # with its source it goes to the county's head
    page.goto(post_url + "edit/")
    _look(page, server)
    page.fill("#id_source", "甲县旅游局")
    page.click("#post-form button[type=submit]")
    page.wait_for_url(post_url)
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "审核中", message(page)
    assert "甲县旅游局" in page.locator("#review-panel").inner_text()

    as_(page, server, "ly_xa_head")
    page.goto(server.url + "/review/queue/")
    page.locator("#queue a", has_text=C_TITLE).click()
    page.wait_for_url(post_url)
    _look(page, server)
    page.click("#approve-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "已通过", message(page)

    as_(page, server, "ly_xa_officer")
    page.goto(post_url)
    form = page.locator("#schedule-form")
    assert "甲县旅游官方微博" in form.inner_text()
    form.locator("input[name=when][value=now]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(post_url)
    wait_published(page, post_url)
    on_the_fake(page, "甲县旅游官方微博", C_TEXT)

    # the calendar and the week's update quota (督促): 甲县 has its post this week
    page.goto(server.url + "/publishing/calendar/")
    row = page.locator("#calendar tr", has_text="甲县旅游官方微博")
    assert C_TITLE in row.inner_text(), row.inner_text()
    _look(page, server)
    server.manage("shell", "-c", "from guanwei.oversight.scheduler import tick; tick()")
    as_(page, server, "ly_zx_contact")
    page.goto(server.url + "/oversight/deadlines/?status=met")
    _look(page, server)
    met = page.locator("#deadlines tr", has_text="甲县旅游官方微博")
    assert "县级微博定期更新" in met.first.inner_text(), page.locator("main").inner_text()


def test_t04_classified_material_is_refused_in_the_tourism_rule_books_words(
    page: Any, server: Server
) -> None:
    """T-04 先审后发，涉密不发 (第九、十条): 乙区's 信息员 周杰 sends material marked
    【内部资料 不得外传】; it is refused before it reaches the centre, naming the tourism
    rule book's T-04, in Chinese."""
    as_(page, server, "ly_qb_officer")
    page.goto(server.url + "/content/materials/new/")
    page.select_option("#id_provider_unit", label="乙区旅游局")
    page.select_option("#id_drop_box", label="旅游信息服务中心")
    page.fill("#id_title", "景区国庆接待方案（规则走查）")
    page.fill("#id_body", "【内部资料 不得外传】乙区各景区国庆接待方案：限流三万人（规则走查）。")
    page.fill("#id_source", "乙区旅游局")
    page.click("#material-form button.primary")
    page.wait_for_url(server.url + "/content/materials/new/")
    said = page.locator("main").inner_text()
    assert "素材筛查未通过，不能报送" in said and "内部资料" in said, said
    assert "T-04" in page.locator(".rules").inner_text()
    _look(page, server)
