"""Specification of the printable approval forms (guanwei.content.pdf_forms).

Pure Python: no database, no Django settings; runs with ``-p no:django``. Each form is
rendered to bytes, opened with pypdf, and its text extracted again.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pypdf
import pytest

from guanwei.content import pdf_forms
from guanwei.content.pdf_forms import (
    AccountApplicationData,
    AuthorisationFormData,
    Decision,
    PostFormData,
    account_application_pdf,
    authorisation_pdf,
    content_approval_pdf,
)

HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
GENERATED = datetime(2024, 5, 6, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's fixture of this name, which needs Django settings:
    these tests are pure Python and also run with ``-p no:django``."""


@pytest.fixture
def fallback_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No font file anywhere: the forms must use the built-in CID font."""
    monkeypatch.setattr(pdf_forms, "_font_candidates", lambda: [])
    pdf_forms.cjk_font.cache_clear()
    yield
    pdf_forms.cjk_font.cache_clear()


def pdf_text(data: bytes) -> tuple[int, str]:
    """(page count, extracted text with all whitespace removed)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", "", text)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def decisions() -> tuple[Decision, ...]:
    return (
        Decision(
            "编辑提交",
            "王小明",
            "行政商务部专员",
            "approve",
            "图片来源已核对",
            datetime(2024, 5, 5, 1, 0, tzinfo=UTC),
        ),
        Decision(
            "领导小组审核",
            "李副组长",
            "副组长",
            "approve",
            "同意发布",
            datetime(2024, 5, 5, 3, 15, tzinfo=UTC),
            on_behalf_of="张组长",
        ),
        Decision("组员发布", "赵六", "组员", "", "", None),
    )


def post(**changes: object) -> PostFormData:
    data = PostFormData(
        organisation="广东省XX房地产有限公司",
        unit="行政商务部",
        post_id=1024,
        revision=3,
        title="文化地产项目开放日圆满举行",
        body="#XX新闻# 我司于五月五日举行“文化地产”项目开放日。\n联系人：行政商务部",
        category="内部新闻",
        column="XX新闻",
        channels=("新浪微博",),
        planned_at=datetime(2024, 5, 6, 1, 0, tzinfo=UTC),
        author="王小明",
        source="原创",
        content_hash=HASH,
        decisions=decisions(),
        chain="编辑 → 领导小组审核 → 组员发布",
        generated_at=GENERATED,
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def authorisation(**changes: object) -> AuthorisationFormData:
    data = AuthorisationFormData(
        organisation="广东省XX房地产有限公司",
        account="XX房地产",
        platform="新浪微博",
        grantee="陈七",
        grantee_title="行政商务部主管",
        scope="日常发布、评论回复",
        reason="组长出差期间代为发布行业资讯专栏",
        valid_from=datetime(2024, 5, 1, 0, 0, tzinfo=UTC),
        valid_until=None,
        decisions=(
            Decision("执行组长审批", "孙执行", "执行组长", "approve", "", GENERATED),
            Decision("组长审批", "", "", "", "", None),
        ),
        generated_at=GENERATED,
    )
    return replace(data, **changes)  # type: ignore[arg-type]


def application(**changes: object) -> AccountApplicationData:
    data = AccountApplicationData(
        organisation="浙江金华职业学院",
        department="信息工程学院",
        applied_on=date(2024, 4, 28),
        account_number="jhc_info",
        account_name="信息工程学院官方微信",
        account_id="gh_1234567890ab",
        other_media="抖音：信息工程学院",
        purpose="发布学院新闻动态、招生就业信息与学生活动通知。",
        manager_name="周八",
        manager_title="宣传干事",
        manager_phone="0579-12345678",
        manager_qq="123456789",
        responsible_name="吴九",
        responsible_title="党总支书记",
        responsible_phone="0579-87654321",
        decisions=(
            Decision(
                "申请部门", "吴九", "党总支书记", "approve", "同意开通", datetime(2024, 4, 28, 8, 0)
            ),
            Decision(
                "党委宣传部",
                "郑十",
                "部长",
                "reject",
                "名称需规范",
                datetime(2024, 4, 29, 2, 0, tzinfo=UTC),
            ),
        ),
        generated_at=GENERATED,
    )
    return replace(data, **changes)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- 附一


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


# --------------------------------------------------------------------------- 附二


def test_it_renders_the_authorisation_form() -> None:
    """R-06 附二 官方微博授权审批表 (R-05): account, grantee, scope, validity, approvers."""
    pages, text = pdf_text(authorisation_pdf(authorisation()))
    assert pages == 1
    for expected in (
        "广东省XX房地产有限公司",
        "官方微博授权审批表",
        "XX房地产",
        "新浪微博",
        "陈七",
        "行政商务部主管",
        "日常发布、评论回复",
        "组长出差期间代为发布行业资讯专栏",
        "2024-05-0108:00至撤销为止",
        "孙执行",
        "同意",
        "2024-05-0610:30",
        "组长审批签字：年月日",
    ):
        assert expected in text, expected


def test_it_prints_delegation_on_the_authorisation_form() -> None:
    """R-04: a delegated approval of an authorisation prints "代 <name>"."""
    deputy = Decision("组长审批", "钱副组长", "副组长", "approve", "", GENERATED, "代 张组长")
    _, text = pdf_text(authorisation_pdf(authorisation(decisions=(deputy,))))
    assert "钱副组长（副组长）代张组长" in text
    assert "代代" not in text


# --------------------------------------------------------------------------- college (C-02)


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


# --------------------------------------------------------------------------- data


def test_it_rejects_an_unknown_decision_value() -> None:
    """R-06: only approve, reject and "" (pending) can be printed."""
    with pytest.raises(ValueError, match="approve"):
        Decision("审核", "张三", "", "approved", "", None)


def test_it_stores_sequences_as_tuples() -> None:
    """R-06: form data is frozen; lists passed in become tuples."""
    data = post(channels=["新浪微博"], decisions=list(decisions()))
    assert data.channels == ("新浪微博",)
    assert isinstance(data.decisions, tuple)


# --------------------------------------------------------------------------- fonts


def test_it_falls_back_to_the_builtin_cid_font(fallback_font: None) -> None:
    """R-06 / C-02: without a font file the forms use STSong-Light and still extract."""
    font = pdf_forms.cjk_font()
    assert font.name == pdf_forms.FALLBACK_FONT
    assert not font.embedded
    for pdf in (
        content_approval_pdf(post(filed=True)),
        authorisation_pdf(authorisation()),
        account_application_pdf(application()),
    ):
        _, text = pdf_text(pdf)
        assert "审批表" in text
    _, text = pdf_text(content_approval_pdf(post(filed=True)))
    assert "官方微博发布内容审批表" in text and "代张组长" in text and HASH in text


def test_it_skips_a_font_file_without_chinese_glyphs(monkeypatch: pytest.MonkeyPatch) -> None:
    """C-02: a font that would print boxes ($GUANWEI_CJK_FONT pointing at Latin-only Vera)
    is not used."""
    import reportlab

    vera = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    assert vera.is_file()
    monkeypatch.setenv(pdf_forms.FONT_ENV, str(vera))
    monkeypatch.setattr(pdf_forms, "FONT_CANDIDATES", ())
    pdf_forms.cjk_font.cache_clear()
    try:
        assert pdf_forms.cjk_font().name == pdf_forms.FALLBACK_FONT
    finally:
        pdf_forms.cjk_font.cache_clear()


def test_it_reads_a_subfont_index_from_the_font_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """C-02: $GUANWEI_CJK_FONT=path#N picks face N of a collection (Noto CJK SC is 2)."""
    monkeypatch.setenv(pdf_forms.FONT_ENV, __file__ + "#2")
    monkeypatch.setattr(pdf_forms, "FONT_CANDIDATES", ())
    assert pdf_forms._font_candidates() == [(__file__, 2)]


def test_it_embeds_a_truetype_cjk_font_when_one_is_installed() -> None:
    """R-06: with a usable TrueType CJK font (e.g. fonts-wqy-microhei) the font is embedded."""
    pdf_forms.cjk_font.cache_clear()
    try:
        font = pdf_forms.cjk_font()
        if not font.embedded:
            pytest.skip("no TrueType CJK font installed; the CID fallback is in use")
        pdf = content_approval_pdf(post())
        assert b"/FontFile2" in pdf  # a TrueType font program is in the file
        _, text = pdf_text(pdf)
        assert "官方微博发布内容审批表" in text and "代张组长" in text
    finally:
        pdf_forms.cjk_font.cache_clear()
