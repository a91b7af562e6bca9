"""统一管理 / 分级负责 in a real browser (issue 10 §5, REQ T-01, T-02, C-09): a county
officer of the tourism bureau is offered only the accounts his unit may address (his own
and the city account, not another county's); the county head and then the centre review
the post; the centre's contact opens it from the list of posts waiting for the city
account and publishes it there."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import SCREENSHOTS, Server, login

# Loads the tourism bureau's pack into the server's database (if the demo did not); the
# four people of the walk get a known password through ``Server.set_passwords``.
SETUP = """
from guanwei.orgs.models import Organisation
from guanwei.orgs.permissions import SYSTEM
from guanwei.packs.actions import load_pack
from guanwei.packs.schema import load_pack as read_pack
if not Organisation.objects.filter(key="demo_tourism").exists():
    load_pack(read_pack("tourism-bureau"), actor=SYSTEM)
"""
PASSWORD = "Scope-walk-2026!"
PEOPLE = ("ly_xa_officer", "ly_xa_head", "ly_zx_head", "ly_zx_contact")
TITLE = "甲县油菜花节开幕（浏览器测试）"


def _as(page: Any, server: Server, username: str) -> None:
    page.context.clear_cookies()
    login(page, server, username)


def _message(page: Any) -> str:
    return str(page.locator(".messages").inner_text().strip())


def test_t01_a_county_post_on_the_city_account_is_published_by_the_centre(
    page: Any, server: Server
) -> None:
    """T-01, T-02, C-09: the form offers 甲县's officer only 甲县's and the city's account;
    the chain adds the centre's review; the county officer may not publish on the city
    account; the centre's contact sees the post waiting and publishes it there."""
    server.manage("shell", "-c", SETUP)
    server.set_passwords(dict.fromkeys(PEOPLE, PASSWORD))

    # 1. 甲县 信息员 赵磊 writes the post: 乙区's account is not offered.
    _as(page, server, "ly_xa_officer")
    page.goto(server.url + "/content/posts/new/")
    offered = page.locator("#post-form").inner_text()
    assert "甲县旅游官方微博" in offered and "市旅游官方微博" in offered
    assert "乙区旅游官方微博" not in offered and "明月山旅游官方微博" not in offered
    page.fill("#id_title", TITLE)
    page.fill("#id_body", "甲县油菜花节本周六开幕，欢迎游客前来观赏。来源：甲县旅游局")
    page.fill("#id_source", "甲县旅游局")
    page.select_option("#id_category", index=0)
    for account in ("甲县旅游官方微博", "市旅游官方微博"):
        page.locator("#post-form label", has_text=account).locator("input").check()
    page.screenshot(path=str(SCREENSHOTS / "account-scope-form.png"), full_page=True)
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_url = page.url
    page.click("#submit-form button[type=submit]")
    page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "审核中", _message(page)
    assert "旅游信息服务中心审核" in page.locator("#review-panel").inner_text()

    # 2. The county head, then the centre's head approve (the centre's step was added).
    for reviewer in ("ly_xa_head", "ly_zx_head"):
        _as(page, server, reviewer)
        page.goto(post_url)
        assert page.locator("#approve-form").count() == 1, reviewer
        ack = page.locator("#approve-form input[name=acknowledge_hits]")
        if ack.count():
            ack.check()
        page.click("#approve-form button[type=submit]")
        page.wait_for_url(post_url)
    assert page.locator("#post-status").inner_text() == "已通过", _message(page)

    # 3. The county officer may schedule only on his own account.
    _as(page, server, "ly_xa_officer")
    page.goto(post_url)
    form = page.locator("#schedule-form").inner_text()
    assert "甲县旅游官方微博" in form and "市旅游官方微博" not in form

    # 4. The centre's contact 刘洋 finds the post waiting for the city account, opens it
    #    (it used to be a 404) and publishes it there.
    _as(page, server, "ly_zx_contact")
    page.goto(server.url + "/content/posts/")
    waiting = page.locator("#waiting-for-my-accounts")
    assert TITLE in waiting.inner_text() and "市旅游官方微博" in waiting.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "account-scope-waiting.png"), full_page=True)
    waiting.locator("a", has_text=TITLE).click()
    page.wait_for_url(post_url)
    form = page.locator("#schedule-form")
    assert "市旅游官方微博" in form.inner_text() and "甲县旅游官方微博" not in form.inner_text()
    form.locator("input[name=when][value=now]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_url(post_url)
    assert page.locator(".messages .success").count() == 1, _message(page)
    assert "市旅游官方微博" in page.locator("#publish-panel").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "account-scope-published.png"), full_page=True)
