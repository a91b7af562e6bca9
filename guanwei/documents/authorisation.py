"""附二 官方微博授权审批表 (REQUIREMENTS.md R-05, R-06): who may run an account, for what,
until when; the grantee confirms by hand and the approvers sign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from guanwei.documents.layout import (
    BLANK_DATE,
    LABEL_BG,
    WIDTH,
    Decision,
    decision_table,
    field_rows,
    fmt_datetime,
    freeze,
    heading,
    render,
    styles,
    table,
)

__all__ = ["AUTHORISATION_TITLE", "AuthorisationFormData", "authorisation_pdf"]

AUTHORISATION_TITLE = "官方微博授权审批表"


@dataclass(frozen=True)
class AuthorisationFormData:
    """附二 官方微博授权审批表 (R-05, R-06)."""

    organisation: str
    account: str
    platform: str
    grantee: str
    grantee_title: str
    scope: str
    reason: str
    valid_from: datetime | None
    valid_until: datetime | None
    decisions: tuple[Decision, ...]
    generated_at: datetime
    # issue #10 §2: the pack's form — its chain's form_title and steps (name, sign caption)
    title: str = AUTHORISATION_TITLE
    steps: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        freeze(self, "decisions")


def authorisation_pdf(data: AuthorisationFormData) -> bytes:
    """附二 官方微博授权审批表 (R-05, R-06)."""
    st = styles()
    story = heading(st, data.organisation, data.title)
    story.append(Spacer(1, 3 * mm))
    start = fmt_datetime(data.valid_from) or "即日"
    valid = f"{start} 至 {fmt_datetime(data.valid_until) or '撤销为止'}"
    pairs: list[list[tuple[str, str]]] = [
        [("账号", data.account), ("平台", data.platform)],
        [("被授权人", data.grantee), ("职务", data.grantee_title)],
        [("授权范围", data.scope)],
        [("授权事由", data.reason)],
        [("有效期", valid)],
    ]
    label_w = 0.16 * WIDTH
    value_w = 0.34 * WIDTH
    rows, extra = field_rows(st, pairs)
    rows.append(
        [
            Paragraph("被授权人确认", st.label),
            Paragraph("本人已知悉授权范围及账号管理规定。<br/>签字：", st.cell),
            "",
            Paragraph(BLANK_DATE, st.label),
        ]
    )
    last = len(rows) - 1
    extra += [("SPAN", (1, last), (2, last)), ("BACKGROUND", (0, last), (0, last), LABEL_BG)]
    story.append(table(rows, (label_w, value_w, label_w, value_w), *extra))
    steps: list[tuple[str, Decision | None, str]] = [(d.step, d, "签字：") for d in data.decisions]
    steps += [(name, None, sign) for name, sign in data.steps[len(steps) :]]
    steps = steps or [("审批", None, "签字：")]
    story.append(decision_table(st, steps))
    return render(
        story,
        title=data.title,
        organisation=data.organisation,
        generated_at=data.generated_at,
    )
