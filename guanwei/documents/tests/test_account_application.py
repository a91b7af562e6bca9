"""Specification of the college's account application form (guanwei.documents.account_application).

Pure Python: no database, no Django settings; runs with ``-p no:django``. Each form is
rendered to bytes, opened with pypdf, and its text extracted again.
"""

from __future__ import annotations

from guanwei.documents.account_application import account_application_pdf
from guanwei.documents.tests.samples import application, pdf_text


def test_it_renders_the_college_account_application_form() -> None:
    """C-02 附表: every field of the paper form, the five opinion rows and the two-copy note."""
    pages, text = pdf_text(account_application_pdf(application()))
    assert pages == 1
    for expected in (
        "浙江金华职业学院",
        "各级官方微信、微博公众平台、二级网站申请审批表",
        "部门：信息工程学院",
        "时间：2024-04-28",
        "jhc_info",
        "信息工程学院官方微信",
        "gh_1234567890ab",
        "抖音：信息工程学院",
        "发布学院新闻动态、招生就业信息与学生活动通知。",
        "周八",
        "宣传干事",
        "0579-12345678",
        "123456789",
        "吴九",
        "党总支书记",
        "0579-87654321",
        "同意同意开通",
        "不同意名称需规范",
        "2024-04-2808:00",  # naive: already Shanghai time
        "2024-04-2910:00",
        "此表一式两份",
    ):
        assert expected in text, expected


def test_it_keeps_the_college_forms_five_steps_in_order() -> None:
    """C-02: 申请部门, 党委宣传部, 申请部门主管领导, 主管领导, 党委书记; undecided ones blank."""
    _, text = pdf_text(account_application_pdf(application()))
    order = [
        text.index(label)
        for label in (
            "申请部门意见",
            "党委宣传部意见",
            "申请部门主管领导意见",
            "主管领导意见签字",
            "党委书记意见",
        )
    ]
    assert order == sorted(order)
    assert "党委书记意见签字：年月日" in text


def test_it_leaves_every_opinion_blank_on_an_undecided_application() -> None:
    """C-02: a fresh application prints five signature rows, the first two 签字盖章."""
    _, text = pdf_text(account_application_pdf(application(decisions=(), applied_on=None)))
    assert text.count("签字盖章") == 2
    assert text.count("年月日") >= 5
