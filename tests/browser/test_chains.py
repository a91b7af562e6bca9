"""Approval-chain rules in a real browser (issue 10 §3): C-07 the author leaves the
major-event box unticked and the post still goes to the Opinion Office's prior approval,
with the page saying why; distinct deciders — the person who decided the first step of a
run is not offered the second."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import Server, login

PASSWORD = "Chains-Browser-2026!"
PEOPLE = ["col_xx_manager", "col_xx_secretary", "col_yq_reviewer"]
PEOPLE += ["re_ch_editor", "re_zz_leader", "re_zz_deputy2"]

SETUP = """
from guanwei.orgs.models import Organisation
from guanwei.orgs.permissions import SYSTEM
from guanwei.packs.actions import load_pack
from guanwei.packs.schema import load_pack as read_pack
for name, key in (("college", "demo_college"), ("real-estate", "demo_real_estate")):
    if not Organisation.objects.filter(key=key).exists():
        load_pack(read_pack(name), actor=SYSTEM)
"""

# A second 组长 for the ad-hoc chain, so that 李娜 may take its first step (she is then not
# the only one who could give the company leader's approval); taken back afterwards.
GRANT = """
from guanwei.orgs.actions import grant_role
from guanwei.orgs.models import Unit, User
from guanwei.orgs.permissions import SYSTEM
group = Unit.objects.get(organisation__key="demo_real_estate", key="management_group")
grant_role(User.objects.get(username="re_zz_deputy2"), group, "group_leader", actor=SYSTEM)
"""
REVOKE = """
from django.utils import timezone
from guanwei.orgs.models import Membership
Membership.objects.filter(
    user__username="re_zz_deputy2", role="group_leader", revoked_at__isnull=True
).update(revoked_at=timezone.now())
"""


@pytest.fixture(scope="module")
def people(server: Server) -> Server:
    server.manage("shell", "-c", SETUP)
    server.set_passwords(dict.fromkeys(PEOPLE, PASSWORD))
    return server


@pytest.fixture
def second_leader(people: Server) -> Iterator[None]:
    people.manage("shell", "-c", GRANT)
    try:
        yield
    finally:
        try:
            people.manage("shell", "-c", REVOKE)
        except subprocess.CalledProcessError as e:
            raise AssertionError(e.stderr) from e


def _as(page: Any, server: Server, username: str) -> None:
    page.context.clear_cookies()
    login(page, server, username)


def _new_post(page: Any, server: Server, *, title: str, body: str, source: str) -> None:
    page.goto(server.url + "/content/posts/new/")
    page.fill("#id_title", title)
    page.fill("#id_body", body)
    page.fill("#id_source", source)


def _save_and_submit(page: Any) -> int:
    page.click("#post-form button[type=submit]")
    page.wait_for_url(re.compile(r"/content/posts/\d+/$"))
    post_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    page.click("#submit-form button[type=submit]")
    page.wait_for_load_state()
    return post_id


def _queue_titles(page: Any, server: Server) -> str:
    page.goto(server.url + "/review/queue/")
    return str(page.locator("#queue").inner_text())


def test_c07_unticked_box_still_takes_the_prior_approval_chain(page: Any, people: Server) -> None:
    """C-07 (第十条): 信息工程学院's manager writes about an emergency in the category
    重大、突发及敏感信息 / 突发事件 and leaves 涉及重大事件 unticked; the post still goes to
    重大敏感信息发布审批 (直接责任人 → 舆情办), and the page says why, naming the rule."""
    server = people
    title = "关于实验楼突发事件的情况说明（浏览器）"
    _as(page, server, "col_xx_manager")
    _new_post(
        page,
        server,
        title=title,
        body="今日上午实验楼发生突发事件，学院已妥善处置，教学秩序正常。",
        source="信息工程学院",
    )
    page.select_option("#id_category", label="重大、突发及敏感信息")
    page.select_option("#id_subtype", label="重大、突发及敏感信息 · 突发事件")
    page.locator("#post-form label", has_text="信息工程学院微信公众号").locator("input").check()
    assert not page.locator("#id_sensitive").is_checked()  # the author leaves the box unticked
    post_id = _save_and_submit(page)
    panel = page.locator("#review-panel")
    assert "重大敏感信息发布审批" in panel.inner_text()
    reason = page.locator("#review-panel .chain-reason").first.inner_text()
    assert "选用理由" in reason and "第十条" in reason and "C-07" in reason
    assert "突发事件" in reason and "作者虽未勾选" in reason

    # the department's responsible person approves the first step …
    _as(page, server, "col_xx_secretary")
    assert title in _queue_titles(page, server)
    page.goto(f"{server.url}/content/posts/{post_id}/")
    page.check("#id_acknowledge_hits")
    page.click("#approve-form button[type=submit]")
    page.wait_for_load_state()
    # … and the post waits for the Opinion Office: not approved by the department alone
    assert "舆情办批准" in page.locator("#review-panel").inner_text()
    _as(page, server, "col_yq_reviewer")
    assert title in _queue_titles(page, server)


def test_distinct_deciders_the_second_step_is_not_offered_to_the_first_decider(
    page: Any, people: Server, second_leader: None
) -> None:
    """Distinct deciders: 李娜 approves the group's review of an ad-hoc post; the company
    leader's approval is then not in her queue and the post page offers her no buttons;
    陈静 (the other 组长 here) finds it in hers."""
    server = people
    title = "开放日临时通知（浏览器）"
    _as(page, server, "re_ch_editor")
    _new_post(page, server, title=title, body="公司将举办开放日活动。", source="投资策划部")
    page.select_option("#id_category", label="其他信息")
    page.locator("#post-form label", has_text="XX房地产").locator("input").check()
    post_id = _save_and_submit(page)
    assert "临时信息审批" in page.locator("#review-panel").inner_text()

    _as(page, server, "re_zz_leader")
    assert title in _queue_titles(page, server)
    page.goto(f"{server.url}/content/posts/{post_id}/")
    page.click("#approve-form button[type=submit]")
    page.wait_for_load_state()
    assert "公司领导批准" in page.locator("#review-panel").inner_text()
    assert page.locator("#approve-form").count() == 0  # no buttons for the second step
    assert title not in _queue_titles(page, server)

    _as(page, server, "re_zz_deputy2")
    assert title in _queue_titles(page, server)
    page.goto(f"{server.url}/content/posts/{post_id}/")
    page.click("#approve-form button[type=submit]")
    page.wait_for_load_state()
    assert "可以安排发布" in page.locator("#review-panel").inner_text() or (
        page.locator("#review-panel .ok").count() == 1
    )
