"""The college's 各级官方微信、微博公众平台、二级网站申请审批表 (REQUIREMENTS.md C-02), with its
five opinion rows and the note 此表一式两份."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from guanwei.documents.layout import (
    LABEL_BG,
    WIDTH,
    Decision,
    decision_table,
    fmt_date,
    freeze,
    heading,
    long_text_table,
    markup,
    render,
    styles,
    table,
)

__all__ = [
    "APPLICATION_NOTE",
    "APPLICATION_STEPS",
    "APPLICATION_TITLE",
    "AccountApplicationData",
    "account_application_pdf",
]

APPLICATION_TITLE = "各级官方微信、微博公众平台、二级网站申请审批表"
APPLICATION_STEPS: tuple[tuple[str, str], ...] = (
    ("申请部门意见", "负责人（签字盖章）："),
    ("党委宣传部意见", "负责人（签字盖章）："),
    ("申请部门主管领导意见", "签字："),
    ("主管领导意见", "签字："),
    ("党委书记意见", "签字："),
)
APPLICATION_NOTE = "注：此表一式两份，党委宣传部、申请部门各留一份备案。"


@dataclass(frozen=True)
class AccountApplicationData:
    """The college's account application form (C-02).

    ``decisions`` come in the form's order: 申请部门, 党委宣传部, 申请部门主管领导, 主管领导,
    党委书记; missing trailing ones print as empty rows to sign by hand.
    """

    organisation: str
    department: str
    applied_on: date | None
    account_number: str
    account_name: str
    account_id: str
    other_media: str
    purpose: str
    manager_name: str
    manager_title: str
    manager_phone: str
    manager_qq: str
    responsible_name: str
    responsible_title: str
    responsible_phone: str
    decisions: tuple[Decision, ...]
    generated_at: datetime
    # issue #10 §2: the pack's form (its chain's form_title, steps with their sign captions,
    # form_note); the college's form when not given
    title: str = APPLICATION_TITLE
    steps: tuple[tuple[str, str], ...] = APPLICATION_STEPS
    note: str = APPLICATION_NOTE

    def __post_init__(self) -> None:
        freeze(self, "decisions")


def account_application_pdf(data: AccountApplicationData) -> bytes:
    """The college's 官方微信、微博公众平台、二级网站申请审批表 (C-02)."""
    st = styles()
    story = heading(st, data.organisation, data.title)
    story.append(Spacer(1, 2 * mm))
    applied = fmt_date(data.applied_on) or "　　年　月　日"
    story.append(
        Table(
            [
                [
                    Paragraph(f"部门：{markup(data.department)}", st.cell),
                    Paragraph(f"时间：{applied}", st.cell),
                ]
            ],
            colWidths=[0.62 * WIDTH, 0.38 * WIDTH],
            style=TableStyle(
                [
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            ),
        )
    )

    def p(text: str, style: ParagraphStyle = st.cell) -> Paragraph:
        return Paragraph(markup(text), style)

    def lab(text: str) -> Paragraph:
        return Paragraph(escape(text), st.label)

    label_w = 0.245 * WIDTH
    widths = (label_w, 0.125 * WIDTH, 0.255 * WIDTH, 0.125 * WIDTH, 0.25 * WIDTH)
    rows: list[list[object]] = [
        [lab("微信、微博号"), p(data.account_number), "", "", ""],
        [lab("微信、微博、网站名称"), p(data.account_name), "", "", ""],
        [lab("微信、微博ID"), p(data.account_id), "", "", ""],
        [lab("其它新媒体名称"), p(data.other_media), "", "", ""],
    ]
    story.append(
        table(
            rows,
            widths,
            *[("SPAN", (1, r), (4, r)) for r in range(len(rows))],
            ("BACKGROUND", (0, 0), (0, -1), LABEL_BG),
        )
    )
    story.append(
        long_text_table(
            st,
            "申请说明",
            data.purpose,
            label_w,
            hint="对开通网站、官方微博、微信等新媒体的用途、信息发布范围等进行说明：",
            min_height=32 * mm,
        )
    )
    rows = [
        [lab("管理人"), lab("姓名"), p(data.manager_name), lab("职务"), p(data.manager_title)],
        ["", lab("联系电话"), p(data.manager_phone), lab("QQ号"), p(data.manager_qq)],
        [
            lab("责任人"),
            lab("姓名"),
            p(data.responsible_name),
            lab("职务"),
            p(data.responsible_title),
        ],
        ["", lab("联系电话"), p(data.responsible_phone), "", ""],
    ]
    story.append(
        table(
            rows,
            widths,
            ("SPAN", (0, 0), (0, 1)),
            ("SPAN", (0, 2), (0, 3)),
            ("SPAN", (2, 3), (4, 3)),
            ("BACKGROUND", (0, 0), (1, -1), LABEL_BG),
            ("BACKGROUND", (3, 0), (3, 2), LABEL_BG),
        )
    )

    steps: list[tuple[str, Decision | None, str]] = []
    for i, decision in enumerate(data.decisions):
        label, caption = data.steps[i] if i < len(data.steps) else (decision.step, "签字：")
        steps.append((label, decision, caption))
    for label, caption in data.steps[len(data.decisions) :]:
        steps.append((label, None, caption))
    decision_widths = (label_w, 0.2 * WIDTH, 0.355 * WIDTH, 0.2 * WIDTH)
    story.append(decision_table(st, steps, heading="审批环节", widths=decision_widths))
    if data.note:
        story.append(Paragraph(escape(data.note), st.note))
    return render(
        story,
        title=data.title,
        organisation=data.organisation,
        generated_at=data.generated_at,
    )
