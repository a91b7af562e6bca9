"""The college's 审批表 (第四条 附表, REQ C-02, C-03) walked in Chromium as its roles (issue
10 §3): the info college's WeChat manager fills in the form on the account's page; 申请部门意见
(the college's Party branch secretary), 党委宣传部意见 (the Propaganda Department's head),
申请部门主管领导意见 and 主管领导意见 (the vice-president, whom the pack allows both), and
党委书记意见 are each given from the decider's own queue; the form then prints with each
decider, opinion and date. Every page is in the college's Chinese."""

from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PdfReader

from tests.browser.conftest import Server
from tests.browser.walk import as_, chinese_only, message

PACK = "college"
ACCOUNT = "信息工程学院微信公众号"
FORM = "各级官方微信、微博公众平台、二级网站申请审批表"
PURPOSE = "新媒体管理员调整后，公众号继续发布学院动态与通知（规则走查）。"
STEPS = (
    ("col_xx_secretary", "申请部门意见", "同意变更（规则走查）"),
    ("col_xcb_head", "党委宣传部意见", "同意，报宣传部备案"),
    ("col_vp_leader", "申请部门主管领导意见", "同意学院申请"),
    ("col_vp_leader", "主管领导意见", "同意，按规定管理"),
    ("col_party_secretary", "党委书记意见", "同意"),
)
NAMES = ("周杰", "刘洋", "张敏", "李建国")


def test_c02_c03_the_five_opinions_given_in_the_ui_then_printed(page: Any, server: Server) -> None:
    """C-02, C-03: the 审批表 for a change of manager goes through its five opinions, each
    from its decider's queue, and prints with every decider, opinion and date."""
    as_(page, server, "col_xx_manager")
    page.goto(server.url + "/channels/")
    page.locator("main a", has_text=ACCOUNT).first.click()
    page.wait_for_url(re.compile(r"/channels/\d+/$"))
    page.click("#application-link")
    page.wait_for_url(re.compile(r"/channels/\d+/application/$"))
    assert " → ".join(s for _, s, _ in STEPS) in page.locator("main").inner_text()
    chinese_only(page, server, PACK)
    page.select_option("#id_kind", label="负责人、管理人员变更")
    page.fill("#id_purpose", PURPOSE)
    page.click("#application-form button.primary")
    page.wait_for_url(re.compile(r"/review/applications/\d+/$"))
    url = page.url
    assert "申请部门意见" in message(page)
    assert page.locator("#application-pdf").count() == 0  # not before every step approves
    chinese_only(page, server, PACK)

    for who, step, opinion in STEPS:
        as_(page, server, who)
        page.goto(server.url + "/review/queue/")
        row = page.locator("#queue tr", has_text=ACCOUNT)
        assert step in row.inner_text(), page.locator("main").inner_text()
        row.locator("a").first.click()
        page.wait_for_url(url)
        chinese_only(page, server, PACK)
        page.fill("#review-panel textarea[name=comment]", opinion)
        page.locator("#review-panel button.primary").click()
        page.wait_for_url(url)
        assert "已同意" in message(page)

    assert "已批准" in page.locator("h1").inner_text()
    href = page.locator("#application-pdf").get_attribute("href")
    answer = page.request.get(server.url + href)
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.body())).pages)
    text = re.sub(r"\s+", "", text)
    assert FORM in text and PURPOSE in text
    for name in NAMES:
        assert name in text, text
    for _, step, opinion in STEPS:
        assert step in text and opinion in text, text
    assert "年月日" not in text  # every opinion row dated from the run
