"""Printable approval forms as PDF, rendered from plain data (no Django).

The paper forms of the rule books, as bordered A4 tables:

* ``content_approval_pdf`` — 附一 官方微博发布内容审批表 (REQUIREMENTS.md R-06); the same
  form is the filing printout for C-07 / C-09 (``filed=True`` marks it 已备案 and shows the
  content hash).
* ``authorisation_pdf`` — 附二 官方微博授权审批表 (R-05, R-06).
* ``account_application_pdf`` — the college's 官方微信、微博公众平台、二级网站申请审批表 (C-02),
  with its five opinion rows and the note 此表一式两份.

Each decided step prints 审核环节 / 审核人 / 意见 / 时间; a delegated decision (R-04) prints
"代 <name>". Steps not decided yet print empty signature and date cells for a pen.
Times print as ``YYYY-MM-DD HH:MM`` in Asia/Shanghai (aware datetimes are converted; naive
ones are taken as Shanghai local time).

Fonts: a TrueType CJK font is embedded when one is found ($GUANWEI_CJK_FONT, then a few
standard paths, see :data:`FONT_CANDIDATES`); otherwise reportlab's built-in CID font
``STSong-Light`` is used, which is not embedded (viewers substitute a system CJK font) but
renders and extracts everywhere. reportlab cannot embed fonts with PostScript (CFF) outlines,
which includes the Noto Sans CJK ``.ttc`` shipped by Debian's ``fonts-noto-cjk``; those
candidates are tried and skipped. Debian's ``fonts-wqy-microhei`` is a font that embeds.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

__all__ = [
    "APPROVE",
    "PENDING",
    "REJECT",
    "AccountApplicationData",
    "AuthorisationFormData",
    "CJKFont",
    "Decision",
    "FONT_CANDIDATES",
    "FONT_ENV",
    "PostFormData",
    "account_application_pdf",
    "authorisation_pdf",
    "cjk_font",
    "content_approval_pdf",
]

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- data

APPROVE = "approve"
REJECT = "reject"
PENDING = ""  # a step not decided yet: printed with empty signature / date cells
_DECISIONS = (APPROVE, REJECT, PENDING, "pending")


@dataclass(frozen=True)
class Decision:
    """One step of an approval chain. ``decision`` is "approve", "reject", or "" (pending).

    ``on_behalf_of`` names the person the decider stood in for (R-04 delegation): "张三"
    prints as "代 张三".
    """

    step: str
    person: str
    title: str
    decision: str
    comment: str
    decided_at: datetime | None
    on_behalf_of: str = ""

    def __post_init__(self) -> None:
        if self.decision not in _DECISIONS:
            raise ValueError(
                f"Decision.decision must be 'approve', 'reject' or '' (pending), "
                f"not {self.decision!r}"
            )

    @property
    def decided(self) -> bool:
        return self.decision in (APPROVE, REJECT)


def _freeze(obj: object, *names: str) -> None:
    """Store sequence fields as tuples, so a caller's list cannot make a frozen form mutable."""
    for name in names:
        value = getattr(obj, name)
        if not isinstance(value, tuple):
            object.__setattr__(obj, name, tuple(value))


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
        _freeze(self, "channels", "decisions")


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

    def __post_init__(self) -> None:
        _freeze(self, "decisions")


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

    def __post_init__(self) -> None:
        _freeze(self, "decisions")


# --------------------------------------------------------------------------- fonts

FONT_ENV = "GUANWEI_CJK_FONT"
"""Path of a TrueType CJK font to embed; ``path#N`` picks face N of a ``.ttc`` collection."""

#: Tried in order after $GUANWEI_CJK_FONT: (path, subfont index). In Noto's CJK collections
#: face 2 is Simplified Chinese (0 JP, 1 KR, 2 SC, 3 TC, 4 HK); reportlab 5 cannot read their
#: CFF outlines, so they are skipped today and used if a later reportlab can.
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/System/Library/Fonts/STHeiti Light.ttc", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),
    ("C:/Windows/Fonts/simsun.ttc", 0),
)

FALLBACK_FONT = "STSong-Light"

# A font is used only if it has every glyph the forms print themselves (no boxes, no holes
# in Latin digits as with Droid Sans Fallback).
_GLYPH_PROBE = (
    "官方微博信网站发布内容审批表授权申请同意不同意签字盖章年月日第页共代已备案"
    "审核环节人意见时间注此一式两份生成"
    "0123456789ABCDEFXYZabcdefxyz:：()（）—-、，。"
)


@dataclass(frozen=True)
class CJKFont:
    """The font the forms use: its reportlab name and, when embedded, its file."""

    name: str
    path: str | None = None
    subfont_index: int = 0

    @property
    def embedded(self) -> bool:
        return self.path is not None


def _parse_font_spec(spec: str) -> tuple[str, int]:
    path, sep, index = spec.rpartition("#")
    if sep and index.isdigit():
        return path, int(index)
    return spec, 0


def _font_candidates() -> list[tuple[str, int]]:
    """Existing font files to try, $GUANWEI_CJK_FONT first."""
    found: list[tuple[str, int]] = []
    spec = os.environ.get(FONT_ENV, "").strip()
    if spec:
        found.append(_parse_font_spec(spec))
    found.extend(FONT_CANDIDATES)
    return [(path, index) for path, index in found if os.path.isfile(path)]


def _try_truetype(path: str, index: int) -> CJKFont | None:
    name = f"GuanweiCJK-{re.sub(r'[^A-Za-z0-9]+', '', os.path.basename(path))}-{index}"
    try:
        font = TTFont(name, path, subfontIndex=index)
    except Exception as exc:  # TTFError (e.g. CFF outlines), OSError, struct errors
        logger.info("CJK font %s#%d not usable: %s", path, index, exc)
        return None
    char_to_glyph = font.face.charToGlyph
    missing = [ch for ch in _GLYPH_PROBE if ord(ch) not in char_to_glyph]
    if missing:
        logger.info("CJK font %s#%d lacks glyphs %s", path, index, "".join(missing[:10]))
        return None
    pdfmetrics.registerFont(font)
    return CJKFont(name=name, path=path, subfont_index=index)


@functools.cache
def cjk_font() -> CJKFont:
    """The font for the forms, found and registered with reportlab once per process."""
    for path, index in _font_candidates():
        font = _try_truetype(path, index)
        if font is not None:
            logger.debug("PDF forms embed CJK font %s#%d", path, index)
            return font
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    logger.info("PDF forms use the built-in CID font %s (not embedded)", FALLBACK_FONT)
    return CJKFont(name=FALLBACK_FONT)


# --------------------------------------------------------------------------- formatting


def _shanghai() -> tzinfo:
    try:
        return ZoneInfo("Asia/Shanghai")
    except ZoneInfoNotFoundError:  # no tz database (e.g. Windows without tzdata)
        return timezone(timedelta(hours=8), "CST")  # no DST in China since 1991


SHANGHAI = _shanghai()
_BLANK_DATE = "　　年　月　日"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None and value.utcoffset() is not None:
        value = value.astimezone(SHANGHAI)
    return value.strftime("%Y-%m-%d %H:%M")


def _fmt_date(value: date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _fmt_datetime(value)[:10]
    return value.strftime("%Y-%m-%d")


def _markup(text: str) -> str:
    """User text as Paragraph markup: escaped, control characters dropped, lines kept."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    return "<br/>".join(escape(line) for line in text.split("\n"))


def _signer(decision: Decision) -> str:
    """Markup for the 审核人 cell: name, title, delegation note."""
    parts = [escape(decision.person)]
    if decision.title:
        parts.append(f"（{escape(decision.title)}）")
    text = "".join(parts)
    if decision.on_behalf_of:
        behalf = decision.on_behalf_of.strip()
        note = behalf if behalf.startswith("代") else f"代 {behalf}"
        text += f"<br/>{escape(note)}"
    return text


# --------------------------------------------------------------------------- layout

_PAGE_W, _PAGE_H = A4
_MARGIN_X = 18 * mm
_MARGIN_TOP = 16 * mm
_MARGIN_BOTTOM = 18 * mm
_WIDTH = _PAGE_W - 2 * _MARGIN_X
_GRID = 0.6
_LABEL_BG = colors.Color(0.94, 0.94, 0.94)
_STAMP_RED = colors.Color(0.78, 0.1, 0.1)


@dataclass(frozen=True)
class _Styles:
    font: str
    title: ParagraphStyle
    org: ParagraphStyle
    mark: ParagraphStyle
    label: ParagraphStyle
    cell: ParagraphStyle
    small: ParagraphStyle
    note: ParagraphStyle


@functools.cache
def _styles(font: str) -> _Styles:
    base = ParagraphStyle(
        "gw-cell", fontName=font, fontSize=10, leading=14.5, wordWrap="CJK", alignment=TA_LEFT
    )
    return _Styles(
        font=font,
        title=ParagraphStyle(
            "gw-title", parent=base, fontSize=17, leading=23, alignment=TA_CENTER, spaceAfter=4
        ),
        org=ParagraphStyle(
            "gw-org", parent=base, fontSize=12.5, leading=18, alignment=TA_CENTER, spaceAfter=2
        ),
        mark=ParagraphStyle(
            "gw-mark",
            parent=base,
            fontSize=12,
            leading=16,
            alignment=TA_CENTER,
            textColor=_STAMP_RED,
        ),
        label=ParagraphStyle("gw-label", parent=base, alignment=TA_CENTER),
        cell=base,
        small=ParagraphStyle(
            "gw-small", parent=base, fontSize=8.5, leading=12, textColor=colors.Color(0.3, 0.3, 0.3)
        ),
        note=ParagraphStyle("gw-note", parent=base, fontSize=9.5, leading=14, spaceBefore=6),
    )


def _grid_style(*extra: tuple[Any, ...]) -> TableStyle:
    return TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), _GRID, colors.black),
            ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            *extra,
        ]
    )


def _table(
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *extra: tuple[Any, ...],
    repeat_rows: int = 0,
    min_heights: Sequence[float] | None = None,
) -> Table:
    table = Table(
        [list(row) for row in rows],
        colWidths=list(widths),
        minRowHeights=list(min_heights) if min_heights else None,
        style=_grid_style(*extra),
        hAlign="CENTER",
        repeatRows=repeat_rows,
    )
    return table


def _field_rows(
    st: _Styles, rows: Sequence[Sequence[tuple[str, str]]]
) -> tuple[list[list[object]], list[tuple[Any, ...]]]:
    """Rows of (label, value) pairs on a 4-column grid; a lone pair spans the row."""
    data: list[list[object]] = []
    extra: list[tuple[Any, ...]] = []
    for r, pairs in enumerate(rows):
        cells: list[object] = []
        for label, value in pairs:
            cells += [Paragraph(escape(label), st.label), Paragraph(_markup(value), st.cell)]
        if len(pairs) == 1:
            cells += ["", ""]
            extra.append(("SPAN", (1, r), (3, r)))
        data.append(cells)
        extra += [("BACKGROUND", (0, r), (0, r), _LABEL_BG)]
        if len(pairs) == 2:
            extra += [("BACKGROUND", (2, r), (2, r), _LABEL_BG)]
    return data, extra


_DECISION_WIDTHS = (0.22 * _WIDTH, 0.21 * _WIDTH, 0.37 * _WIDTH, 0.20 * _WIDTH)


def _decision_table(
    st: _Styles,
    steps: Sequence[tuple[str, Decision | None, str]],
    heading: str = "审核环节",
    widths: Sequence[float] = _DECISION_WIDTHS,
) -> Table:
    """One row per step: 审核环节 / 审核人 / 意见 / 时间; pending steps get pen-and-ink cells.

    ``steps`` holds (step label, decision or None, signature caption for pending rows).
    """
    rows: list[list[object]] = [
        [Paragraph(text, st.label) for text in (heading, "审核人", "意见", "时间")]
    ]
    heights: list[float] = [0]
    for label, decision, caption in steps:
        step = Paragraph(escape(label), st.label)
        if decision is not None and decision.decided:
            verdict = "同意" if decision.decision == APPROVE else "不同意"
            opinion = verdict + (f"<br/>{_markup(decision.comment)}" if decision.comment else "")
            rows.append(
                [
                    step,
                    Paragraph(_signer(decision), st.label),
                    Paragraph(opinion, st.cell),
                    Paragraph(_fmt_datetime(decision.decided_at) or "—", st.label),
                ]
            )
            heights.append(0)
        else:
            who = _signer(decision) + "<br/>" if decision is not None and decision.person else ""
            rows.append(
                [
                    step,
                    Paragraph(who + escape(caption), st.cell),
                    "",
                    Paragraph(_BLANK_DATE, st.label),
                ]
            )
            heights.append(16 * mm)
    return _table(
        rows,
        widths,
        ("BACKGROUND", (0, 0), (-1, 0), _LABEL_BG),
        ("BACKGROUND", (0, 1), (0, -1), _LABEL_BG),
        repeat_rows=1,
        min_heights=heights,
    )


def _heading(st: _Styles, organisation: str, title: str) -> list[Flowable]:
    flow: list[Flowable] = []
    if organisation:
        flow.append(Paragraph(_markup(organisation), st.org))
    flow.append(Paragraph(escape(title), st.title))
    return flow


def _long_text_table(
    st: _Styles,
    label: str,
    text: str,
    label_w: float,
    *,
    hint: str = "",
    min_height: float = 0,
) -> Table:
    """A two-column bordered block for long text that continues onto following pages.

    The text is cut into chunks of a few lines, one table row each, with no rules between
    them, so the table splits between rows at a page break (reportlab's in-row splitting
    leaves empty fragments behind) and the block looks like one cell on paper.
    """
    pad = 5
    width = _WIDTH - label_w - 2 * pad
    chunk = 6 * st.cell.leading + 1
    pieces: list[Flowable] = [Paragraph(escape(hint), st.small)] if hint else []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") or [""]:
        rest = Paragraph(_markup(line) if line.strip() else "&#160;", st.cell)
        while True:
            _, height = rest.wrap(width, _PAGE_H)
            parts = rest.split(width, chunk) if height > chunk else []
            if len(parts) < 2:
                pieces.append(rest)
                break
            pieces.append(parts[0])
            rest = parts[1]
    rows: list[list[object]] = [
        [Paragraph(escape(label), st.label) if i == 0 else "", piece]
        for i, piece in enumerate(pieces)
    ]
    last = len(rows) - 1
    used = sum(piece.wrap(width, _PAGE_H)[1] for piece in pieces[:-1])
    heights = [0.0] * len(rows)
    heights[last] = max(0.0, min_height - used)
    return Table(
        rows,
        colWidths=[label_w, _WIDTH - label_w],
        minRowHeights=heights,
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                ("LINEAFTER", (0, 0), (0, -1), _GRID, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), _LABEL_BG),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, 0), 5),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
            ]
        ),
        hAlign="CENTER",
    )


def _canvas_maker(font: str, caption: str, generated: str) -> Callable[..., Canvas]:
    """A canvas class that draws "生成时间 … 第 N 页 / 共 M 页" once the page count is known."""

    class _NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._page_states: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab API)
            self._page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._page_states)
            for number, state in enumerate(self._page_states, start=1):
                self.__dict__.update(state)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            self.saveState()
            self.setFont(font, 8)
            self.setFillColor(colors.Color(0.35, 0.35, 0.35))
            y = _MARGIN_BOTTOM - 9 * mm
            self.drawString(_MARGIN_X, y, caption)
            self.drawRightString(
                _PAGE_W - _MARGIN_X, y, f"生成时间：{generated}　第 {number} 页 / 共 {total} 页"
            )
            self.restoreState()

    return _NumberedCanvas


def _render(
    story: list[Flowable], *, title: str, organisation: str, generated_at: datetime
) -> bytes:
    font = cjk_font().name
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN_X,
        rightMargin=_MARGIN_X,
        topMargin=_MARGIN_TOP,
        bottomMargin=_MARGIN_BOTTOM,
        title=f"{organisation} {title}".strip(),
        author=organisation,
        subject=title,
        creator="guanwei 官微",
        invariant=1,  # same data, same bytes
    )
    caption = f"{organisation}　{title}" if organisation else title
    caption = _CONTROL.sub("", caption)
    if len(caption) > 40:
        caption = caption[:39] + "…"
    doc.build(story, canvasmaker=_canvas_maker(font, caption, _fmt_datetime(generated_at)))
    return buffer.getvalue()


# --------------------------------------------------------------------------- forms

CONTENT_TITLE_WEIBO = "官方微博发布内容审批表"
CONTENT_TITLE = "发布内容审批表"
AUTHORISATION_TITLE = "官方微博授权审批表"
APPLICATION_TITLE = "各级官方微信、微博公众平台、二级网站申请审批表"
APPLICATION_STEPS: tuple[tuple[str, str], ...] = (
    ("申请部门意见", "负责人（签字盖章）："),
    ("党委宣传部意见", "负责人（签字盖章）："),
    ("申请部门主管领导意见", "签字："),
    ("主管领导意见", "签字："),
    ("党委书记意见", "签字："),
)
APPLICATION_NOTE = "注：此表一式两份，党委宣传部、申请部门各留一份备案。"


def _content_title(channels: Sequence[str]) -> str:
    """附一's own title when the post goes to Weibo only; the generic title otherwise."""
    if channels and all("微博" in c or "weibo" in c.lower() for c in channels):
        return CONTENT_TITLE_WEIBO
    return CONTENT_TITLE


def content_approval_pdf(data: PostFormData) -> bytes:
    """附一 发布内容审批表 (R-06); with ``filed`` the C-07 / C-09 filing printout (已备案)."""
    st = _styles(cjk_font().name)
    title = _content_title(data.channels)
    story = _heading(st, data.organisation, title)
    if data.filed:
        story.append(Paragraph("【已备案】", st.mark))
    story.append(Spacer(1, 3 * mm))

    pairs: list[list[tuple[str, str]]] = [
        [("发布单位", data.unit), ("稿件编号", f"{data.post_id}（第 {data.revision} 版）")],
        [("标题", data.title)],
        [("类别", data.category), ("栏目", data.column)],
        [("发布渠道", "、".join(data.channels)), ("计划发布", _fmt_datetime(data.planned_at))],
        [("撰稿人", data.author), ("来源", data.source)],
        [("审批流程", data.chain)],
        [("内容指纹", data.content_hash or "—")],
    ]
    if data.filed:
        pairs.append([("备案", "已备案　内容指纹 " + (data.content_hash or "—"))])
    label_w = 0.16 * _WIDTH
    value_w = 0.34 * _WIDTH
    rows, extra = _field_rows(st, pairs)
    story.append(_table(rows, (label_w, value_w, label_w, value_w), *extra))

    story.append(_long_text_table(st, "正文", data.body, label_w, min_height=30 * mm))

    steps: list[tuple[str, Decision | None, str]] = [(d.step, d, "签字：") for d in data.decisions]
    steps = steps or [("审核", None, "签字：")]
    story.append(_decision_table(st, steps))
    return _render(
        story, title=title, organisation=data.organisation, generated_at=data.generated_at
    )


def authorisation_pdf(data: AuthorisationFormData) -> bytes:
    """附二 官方微博授权审批表 (R-05, R-06)."""
    st = _styles(cjk_font().name)
    story = _heading(st, data.organisation, AUTHORISATION_TITLE)
    story.append(Spacer(1, 3 * mm))
    start = _fmt_datetime(data.valid_from) or "即日"
    valid = f"{start} 至 {_fmt_datetime(data.valid_until) or '撤销为止'}"
    pairs: list[list[tuple[str, str]]] = [
        [("账号", data.account), ("平台", data.platform)],
        [("被授权人", data.grantee), ("职务", data.grantee_title)],
        [("授权范围", data.scope)],
        [("授权事由", data.reason)],
        [("有效期", valid)],
    ]
    label_w = 0.16 * _WIDTH
    value_w = 0.34 * _WIDTH
    rows, extra = _field_rows(st, pairs)
    rows.append(
        [
            Paragraph("被授权人确认", st.label),
            Paragraph("本人已知悉授权范围及账号管理规定。<br/>签字：", st.cell),
            "",
            Paragraph(_BLANK_DATE, st.label),
        ]
    )
    last = len(rows) - 1
    extra += [("SPAN", (1, last), (2, last)), ("BACKGROUND", (0, last), (0, last), _LABEL_BG)]
    story.append(_table(rows, (label_w, value_w, label_w, value_w), *extra))
    steps: list[tuple[str, Decision | None, str]] = [(d.step, d, "签字：") for d in data.decisions]
    steps = steps or [("审批", None, "签字：")]
    story.append(_decision_table(st, steps))
    return _render(
        story,
        title=AUTHORISATION_TITLE,
        organisation=data.organisation,
        generated_at=data.generated_at,
    )


def account_application_pdf(data: AccountApplicationData) -> bytes:
    """The college's 官方微信、微博公众平台、二级网站申请审批表 (C-02)."""
    st = _styles(cjk_font().name)
    story = _heading(st, data.organisation, APPLICATION_TITLE)
    story.append(Spacer(1, 2 * mm))
    applied = _fmt_date(data.applied_on) or "　　年　月　日"
    story.append(
        Table(
            [
                [
                    Paragraph(f"部门：{_markup(data.department)}", st.cell),
                    Paragraph(f"时间：{applied}", st.cell),
                ]
            ],
            colWidths=[0.62 * _WIDTH, 0.38 * _WIDTH],
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
        return Paragraph(_markup(text), style)

    def lab(text: str) -> Paragraph:
        return Paragraph(escape(text), st.label)

    label_w = 0.245 * _WIDTH
    widths = (label_w, 0.125 * _WIDTH, 0.255 * _WIDTH, 0.125 * _WIDTH, 0.25 * _WIDTH)
    rows: list[list[object]] = [
        [lab("微信、微博号"), p(data.account_number), "", "", ""],
        [lab("微信、微博、网站名称"), p(data.account_name), "", "", ""],
        [lab("微信、微博ID"), p(data.account_id), "", "", ""],
        [lab("其它新媒体名称"), p(data.other_media), "", "", ""],
    ]
    story.append(
        _table(
            rows,
            widths,
            *[("SPAN", (1, r), (4, r)) for r in range(len(rows))],
            ("BACKGROUND", (0, 0), (0, -1), _LABEL_BG),
        )
    )
    story.append(
        _long_text_table(
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
        _table(
            rows,
            widths,
            ("SPAN", (0, 0), (0, 1)),
            ("SPAN", (0, 2), (0, 3)),
            ("SPAN", (2, 3), (4, 3)),
            ("BACKGROUND", (0, 0), (1, -1), _LABEL_BG),
            ("BACKGROUND", (3, 0), (3, 2), _LABEL_BG),
        )
    )

    steps: list[tuple[str, Decision | None, str]] = []
    for i, decision in enumerate(data.decisions):
        label, caption = (
            APPLICATION_STEPS[i] if i < len(APPLICATION_STEPS) else (decision.step, "签字：")
        )
        steps.append((label, decision, caption))
    for label, caption in APPLICATION_STEPS[len(data.decisions) :]:
        steps.append((label, None, caption))
    decision_widths = (label_w, 0.2 * _WIDTH, 0.355 * _WIDTH, 0.2 * _WIDTH)
    story.append(_decision_table(st, steps, heading="审批环节", widths=decision_widths))
    story.append(Paragraph(APPLICATION_NOTE, st.note))
    return _render(
        story,
        title=APPLICATION_TITLE,
        organisation=data.organisation,
        generated_at=data.generated_at,
    )
