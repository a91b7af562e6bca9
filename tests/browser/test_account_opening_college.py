"""Opening an account through the college's 审批表 in Chromium (issue 12 §1, REQ C-02): the
info college's manager (吴芳) clicks 申请开通官方账号 on the account list and fills in every
field of the form; the account is 待审批; each of the five opinions is given from its
decider's own queue in his own login; the last opens the account and the approved form
downloads as a PDF with the phones, the QQ and each opinion; the two copies are filed."""

from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PdfReader

from tests.browser.conftest import Server
from tests.browser.walk import as_, chinese_only, message

PACK = "college"
ACCOUNT = "信息工程学院招生微博（走查）"
PURPOSE = "发布学院招生政策与咨询答复，面向考生和家长（开通走查）。"
STEPS = (
    ("col_xx_secretary", "申请部门意见", "同意开通（走查）"),
    ("col_xcb_head", "党委宣传部意见", "同意，报宣传部备案"),
    ("col_vp_leader", "申请部门主管领导意见", "同意学院申请"),
    ("col_vp_leader", "主管领导意见", "同意，按规定管理"),
    ("col_party_secretary", "党委书记意见", "同意开通"),
)


def _option(page: Any, select: str, name: str) -> str:
    """The value of the option naming ``name`` (each shows the person's title on file)."""
    return str(page.locator(f"{select} option", has_text=name).first.get_attribute("value"))


def test_c02_an_account_is_applied_for_approved_step_by_step_opened_and_printed(
    page: Any, server: Server
) -> None:
    """C-02: 申请开通官方账号 → five opinions in five logins → 运行中 → the PDF."""
    as_(page, server, "col_xx_manager")
    page.goto(server.url + "/channels/")
    page.click("#apply-link")
    page.wait_for_url(re.compile(r"/channels/apply/$"))
    chinese_only(page, server, PACK)
    page.select_option("#id_unit", label="信息工程学院")
    page.select_option("#id_kind", label="官方微博")
    page.fill("#id_account_number", "77001122")
    page.fill("#id_name", ACCOUNT)
    page.fill("#id_account_id", "7700112233")
    page.fill("#id_other_media", "招生咨询QQ群")
    page.fill("#id_purpose", PURPOSE)
    page.select_option("#id_manager", value=_option(page, "#id_manager", "吴芳"))
    page.fill("#id_manager_phone", "0579-82201111")
    page.fill("#id_manager_qq", "31415926")
    page.select_option("#id_responsible", value=_option(page, "#id_responsible", "周杰"))
    page.fill("#id_responsible_phone", "0579-82202222")
    page.click("#account-apply-form button.primary")
    page.wait_for_url(re.compile(r"/review/applications/\d+/$"))
    url = page.url
    assert "待审批" in message(page) or "申请部门意见" in message(page)
    assert page.locator("#approve-form").count() == 0  # the applicant never decides
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
    page.goto(server.url + "/channels/")
    row = page.locator("main tr", has_text=ACCOUNT)
    assert "运行中" in row.inner_text()
    page.goto(url)
    with page.expect_download() as info:
        page.click("#application-pdf")
    with open(info.value.path(), "rb") as f:
        body = f.read()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    text = re.sub(r"\s+", "", text)
    assert ACCOUNT in text and PURPOSE in text
    for value in ("0579-82201111", "31415926", "0579-82202222", "77001122", "招生咨询QQ群"):
        assert value in text, value
    for _, step, opinion in STEPS:
        assert step in text and opinion in text, text
    page.click("#archive-form button")
    page.wait_for_url(url)
    assert "已存档 2 份" in page.locator("#archived").inner_text()
