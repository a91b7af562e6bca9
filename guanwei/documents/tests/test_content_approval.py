"""Specification of 附一 发布内容审批表 (guanwei.documents.content_approval).

Pure Python: no database, no Django settings; runs with ``-p no:django``. Each form is
rendered to bytes, opened with pypdf, and its text extracted again.
"""

from __future__ import annotations

import time

from guanwei.documents.content_approval import content_approval_pdf
from guanwei.documents.layout import Decision
from guanwei.documents.tests.samples import GENERATED, HASH, pdf_text, post


def test_it_renders_the_content_approval_form_with_every_field_and_approver() -> None:
    """R-06 附一 官方微博发布内容审批表: organisation, title, post fields and every approver."""
    pages, text = pdf_text(content_approval_pdf(post()))
    assert pages == 1
    for expected in (
        "广东省XX房地产有限公司",
        "官方微博发布内容审批表",
        "文化地产项目开放日圆满举行",
        "行政商务部",
        "1024（第3版）",
        "XX新闻",
        "新浪微博",
        "编辑→领导小组审核→组员发布",
        "王小明",
        "李副组长",
        "赵六",
        "图片来源已核对",
        "联系人：行政商务部",
        "审核环节审核人意见时间",
        "生成时间：2024-05-0610:30",
        "第1页/共1页",
    ):
        assert expected in text, expected
    assert "已备案" not in text


def test_it_prints_decision_times_in_shanghai_time() -> None:
    """R-06: 时间 is YYYY-MM-DD HH:MM in Asia/Shanghai; aware UTC times are converted."""
    _, text = pdf_text(content_approval_pdf(post()))
    assert "2024-05-0509:00" in text  # 01:00 UTC
    assert "2024-05-0511:15" in text  # 03:15 UTC
    assert "2024-05-0609:00" in text  # planned_at


def test_it_prints_the_delegation_note_for_a_deputy_reviewer() -> None:
    """R-04: a deputy reviewing for the leader is printed as "代 <leader>"."""
    _, text = pdf_text(content_approval_pdf(post()))
    assert "李副组长（副组长）代张组长" in text


def test_it_leaves_pen_and_ink_cells_for_steps_not_decided_yet() -> None:
    """R-06: an undecided step prints an empty signature and date for signing by hand."""
    _, text = pdf_text(content_approval_pdf(post()))
    assert "组员发布赵六（组员）签字：年月日" in text


def test_it_prints_approve_and_reject_verdicts() -> None:
    """R-06: 意见 is 同意 / 不同意 followed by the comment."""
    rejected = Decision("领导小组审核", "刘组长", "组长", "reject", "数据待核实", GENERATED)
    _, text = pdf_text(content_approval_pdf(post(decisions=(rejected,))))
    assert "不同意数据待核实" in text


def test_it_marks_a_filed_printout_with_the_content_hash() -> None:
    """C-07 / C-09: the filing printout is marked 已备案 and shows the content hash."""
    data = post(filed=True, channels=("学院官方微信", "学院主站"))
    _, text = pdf_text(content_approval_pdf(data))
    assert "已备案" in text
    assert HASH in text
    assert "发布内容审批表" in text
    assert "官方微博发布内容审批表" not in text  # not a Weibo-only post


def test_it_continues_a_long_body_onto_following_pages() -> None:
    """R-06 / C-09: a 5,000-character body spans several pages and loses no character."""
    body = "翼" * 4000 + "\n" + "璧" * 1000
    pages, text = pdf_text(content_approval_pdf(post(body=body)))
    assert pages >= 3
    assert text.count("翼") == 4000
    assert text.count("璧") == 1000
    assert "第1页/共" in text and f"第{pages}页/共{pages}页" in text
    assert "赵六" in text  # the decision table follows the body


def test_it_renders_markup_in_user_text_literally() -> None:
    """R-06: user text such as ``<b>&`` is escaped, not interpreted as Paragraph markup."""
    data = post(
        title="开放日 <b>& 抽奖",
        body="A&B <i>not italic</i> 5 < 6",
        decisions=(Decision("审核", "张<三>", "组长&", "approve", "<br/>&amp;", GENERATED),),
    )
    _, text = pdf_text(content_approval_pdf(data))
    assert "开放日<b>&抽奖" in text
    assert "A&B<i>notitalic</i>5<6" in text
    assert "张<三>（组长&）" in text
    assert "<br/>&amp;" in text


def test_it_renders_the_same_bytes_for_the_same_data() -> None:
    """C-07: a filed printout is reproducible, so its bytes can be hashed and archived."""
    assert content_approval_pdf(post(filed=True)) == content_approval_pdf(post(filed=True))


def test_it_renders_a_form_well_under_a_second() -> None:
    """R-06: rendering is cheap enough to do on request."""
    content_approval_pdf(post())  # font registered once per process
    started = time.perf_counter()
    content_approval_pdf(post(body="长" * 5000))
    assert time.perf_counter() - started < 1.0
