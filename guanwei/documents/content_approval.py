"""附一 发布内容审批表 (REQUIREMENTS.md R-06); the same form is the filing printout for
C-07 / C-09 (``filed=True`` marks it 已备案 and shows the content hash)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from guanwei.documents.layout import (
    WIDTH,
    Decision,
    decision_table,
    field_rows,
    fmt_datetime,
    freeze,
    heading,
    long_text_table,
    render,
    styles,
    table,
)

__all__ = ["CONTENT_TITLE", "CONTENT_TITLE_WEIBO", "PostFormData", "content_approval_pdf"]

CONTENT_TITLE_WEIBO = "官方微博发布内容审批表"
CONTENT_TITLE = "发布内容审批表"


@dataclass(frozen=True)
class PostFormData:
    """附一 发布内容审批表 (R-06); the filing printout of C-07 / C-09 when ``filed``."""

    organisation: str
    unit: str
    post_id: int
    revision: int
    title: str
    body: str
    category: str
    column: str
    channels: tuple[str, ...]
    planned_at: datetime | None
    author: str
    source: str
    content_hash: str
    decisions: tuple[Decision, ...]
    chain: str
    generated_at: datetime
    filed: bool = False

    def __post_init__(self) -> None:
        freeze(self, "channels", "decisions")


def _content_title(channels: Sequence[str]) -> str:
    """附一's own title when the post goes to Weibo only; the generic title otherwise."""
    if channels and all("微博" in c or "weibo" in c.lower() for c in channels):
        return CONTENT_TITLE_WEIBO
    return CONTENT_TITLE


def content_approval_pdf(data: PostFormData) -> bytes:
    """附一 发布内容审批表 (R-06); with ``filed`` the C-07 / C-09 filing printout (已备案)."""
    st = styles()
    title = _content_title(data.channels)
    story = heading(st, data.organisation, title)
    if data.filed:
        story.append(Paragraph("【已备案】", st.mark))
    story.append(Spacer(1, 3 * mm))

    pairs: list[list[tuple[str, str]]] = [
        [("发布单位", data.unit), ("稿件编号", f"{data.post_id}（第 {data.revision} 版）")],
        [("标题", data.title)],
        [("类别", data.category), ("栏目", data.column)],
        [("发布渠道", "、".join(data.channels)), ("计划发布", fmt_datetime(data.planned_at))],
        [("撰稿人", data.author), ("来源", data.source)],
        [("审批流程", data.chain)],
        [("内容指纹", data.content_hash or "—")],
    ]
    if data.filed:
        pairs.append([("备案", "已备案　内容指纹 " + (data.content_hash or "—"))])
    label_w = 0.16 * WIDTH
    value_w = 0.34 * WIDTH
    rows, extra = field_rows(st, pairs)
    story.append(table(rows, (label_w, value_w, label_w, value_w), *extra))

    story.append(long_text_table(st, "正文", data.body, label_w, min_height=30 * mm))

    steps: list[tuple[str, Decision | None, str]] = [(d.step, d, "签字：") for d in data.decisions]
    steps = steps or [("审核", None, "签字：")]
    story.append(decision_table(st, steps))
    return render(
        story, title=title, organisation=data.organisation, generated_at=data.generated_at
    )
