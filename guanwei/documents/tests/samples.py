"""Sample form data and a text extractor, shared by the documents room's tests."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pypdf

from guanwei.documents.account_application import AccountApplicationData
from guanwei.documents.authorisation import AuthorisationFormData
from guanwei.documents.content_approval import PostFormData
from guanwei.documents.layout import Decision

HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
GENERATED = datetime(2024, 5, 6, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai


def pdf_text(data: bytes) -> tuple[int, str]:
    """(page count, extracted text with all whitespace removed)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", "", text)


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
