"""The demo's 试用账号 in a real browser (issue #10 §1, X-01): the login page lists the five
organisations, each with one login per role of its rule book; one click logs in as that
person, into that organisation only."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import SCREENSHOTS, Server


def test_x01_try_as_lists_five_organisations_and_logs_in_with_one_click(
    page: Any, server: Server
) -> None:
    server.manage("axes_reset")
    # other browser tests give some demo people a known password: this one gets the
    # password the logins file lists again
    listed = dict(
        line.split("\t")[:2]
        for line in (server.var / "demo-logins.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    server.set_passwords({"col_yq_reviewer": listed["col_yq_reviewer"]})
    page.goto(server.url + "/login/")
    box = page.locator("#try-as")
    assert box.locator("h2").inner_text() == "试用账号"
    summaries = box.locator("summary").all_inner_texts()
    assert summaries == [
        "市气象局(演示)",
        "示范职业学院(演示)",
        "市旅游局(演示)",
        "XX房地产有限公司(演示)",
        "优课优信(演示)",
    ]
    page.screenshot(path=str(SCREENSHOTS / "login-try-as.png"), full_page=True)
    college = box.locator("details", has_text="示范职业学院(演示)")
    college.locator("summary").click()
    row = college.locator("tr", has_text="col_yq_reviewer")
    assert "舆情办审核员" in row.inner_text()
    row.locator("button.try-as").click()
    page.wait_for_url(server.url + "/")
    body = page.locator("body").inner_text()
    assert "杨帆" in body
    assert "市气象局(演示)" not in body  # the college's tenant only
