"""What every printable form shares: the decision rows' data, fonts, page, table helpers.

The forms themselves are one module each (:mod:`.content_approval`,
:mod:`.authorisation`, :mod:`.account_application`); they build a list of flowables with
the helpers here and call :func:`render`.

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
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

__all__ = [
    "APPROVE",
    "BLANK_DATE",
    "FALLBACK_FONT",
    "FONT_CANDIDATES",
    "FONT_ENV",
    "LABEL_BG",
    "PENDING",
    "REJECT",
    "WIDTH",
    "CJKFont",
    "Decision",
    "Styles",
    "cjk_font",
    "decision_table",
    "field_rows",
    "fmt_date",
    "fmt_datetime",
    "freeze",
    "heading",
    "long_text_table",
    "markup",
    "render",
    "styles",
    "table",
]

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- decisions

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


def freeze(obj: object, *names: str) -> None:
    """Store sequence fields as tuples, so a caller's list cannot make a frozen form mutable."""
    for name in names:
        value = getattr(obj, name)
        if not isinstance(value, tuple):
            object.__setattr__(obj, name, tuple(value))


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
BLANK_DATE = "　　年　月　日"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None and value.utcoffset() is not None:
        value = value.astimezone(SHANGHAI)
    return value.strftime("%Y-%m-%d %H:%M")


def fmt_date(value: date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return fmt_datetime(value)[:10]
    return value.strftime("%Y-%m-%d")


def markup(text: str) -> str:
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


# --------------------------------------------------------------------------- page

PAGE_W, PAGE_H = A4
_MARGIN_X = 18 * mm
_MARGIN_TOP = 16 * mm
_MARGIN_BOTTOM = 18 * mm
WIDTH = PAGE_W - 2 * _MARGIN_X
"""Width of the text block: tables are laid out in fractions of it."""
_GRID = 0.6
LABEL_BG = colors.Color(0.94, 0.94, 0.94)
_STAMP_RED = colors.Color(0.78, 0.1, 0.1)


@dataclass(frozen=True)
class Styles:
    font: str
    title: ParagraphStyle
    org: ParagraphStyle
    mark: ParagraphStyle
    label: ParagraphStyle
    cell: ParagraphStyle
    small: ParagraphStyle
    note: ParagraphStyle


@functools.cache
def _styles(font: str) -> Styles:
    base = ParagraphStyle(
        "gw-cell", fontName=font, fontSize=10, leading=14.5, wordWrap="CJK", alignment=TA_LEFT
    )
    return Styles(
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


def styles() -> Styles:
    """The paragraph styles in the font in use (registering it on first use)."""
    return _styles(cjk_font().name)


def heading(st: Styles, organisation: str, title: str) -> list[Flowable]:
    """The organisation's name over the form's title, both centred."""
    flow: list[Flowable] = []
    if organisation:
        flow.append(Paragraph(markup(organisation), st.org))
    flow.append(Paragraph(escape(title), st.title))
    return flow


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
                PAGE_W - _MARGIN_X, y, f"生成时间：{generated}　第 {number} 页 / 共 {total} 页"
            )
            self.restoreState()

    return _NumberedCanvas


def render(
    story: list[Flowable], *, title: str, organisation: str, generated_at: datetime
) -> bytes:
    """The story on A4 pages with the numbered footer, as PDF bytes (same data, same bytes)."""
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
    doc.build(story, canvasmaker=_canvas_maker(font, caption, fmt_datetime(generated_at)))
    return buffer.getvalue()


# --------------------------------------------------------------------------- tables


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


def table(
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *extra: tuple[Any, ...],
    repeat_rows: int = 0,
    min_heights: Sequence[float] | None = None,
) -> Table:
    """A bordered grid; ``extra`` are further TableStyle commands (spans, backgrounds)."""
    return Table(
        [list(row) for row in rows],
        colWidths=list(widths),
        minRowHeights=list(min_heights) if min_heights else None,
        style=_grid_style(*extra),
        hAlign="CENTER",
        repeatRows=repeat_rows,
    )


def field_rows(
    st: Styles, rows: Sequence[Sequence[tuple[str, str]]]
) -> tuple[list[list[object]], list[tuple[Any, ...]]]:
    """Rows of (label, value) pairs on a 4-column grid; a lone pair spans the row."""
    data: list[list[object]] = []
    extra: list[tuple[Any, ...]] = []
    for r, pairs in enumerate(rows):
        cells: list[object] = []
        for label, value in pairs:
            cells += [Paragraph(escape(label), st.label), Paragraph(markup(value), st.cell)]
        if len(pairs) == 1:
            cells += ["", ""]
            extra.append(("SPAN", (1, r), (3, r)))
        data.append(cells)
        extra += [("BACKGROUND", (0, r), (0, r), LABEL_BG)]
        if len(pairs) == 2:
            extra += [("BACKGROUND", (2, r), (2, r), LABEL_BG)]
    return data, extra


_DECISION_WIDTHS = (0.22 * WIDTH, 0.21 * WIDTH, 0.37 * WIDTH, 0.20 * WIDTH)


def decision_table(
    st: Styles,
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
            opinion = verdict + (f"<br/>{markup(decision.comment)}" if decision.comment else "")
            rows.append(
                [
                    step,
                    Paragraph(_signer(decision), st.label),
                    Paragraph(opinion, st.cell),
                    Paragraph(fmt_datetime(decision.decided_at) or "—", st.label),
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
                    Paragraph(BLANK_DATE, st.label),
                ]
            )
            heights.append(16 * mm)
    return table(
        rows,
        widths,
        ("BACKGROUND", (0, 0), (-1, 0), LABEL_BG),
        ("BACKGROUND", (0, 1), (0, -1), LABEL_BG),
        repeat_rows=1,
        min_heights=heights,
    )


def long_text_table(
    st: Styles,
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
    width = WIDTH - label_w - 2 * pad
    chunk = 6 * st.cell.leading + 1
    pieces: list[Flowable] = [Paragraph(escape(hint), st.small)] if hint else []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") or [""]:
        rest = Paragraph(markup(line) if line.strip() else "&#160;", st.cell)
        while True:
            _, height = rest.wrap(width, PAGE_H)
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
    used = sum(piece.wrap(width, PAGE_H)[1] for piece in pieces[:-1])
    heights = [0.0] * len(rows)
    heights[last] = max(0.0, min_height - used)
    return Table(
        rows,
        colWidths=[label_w, WIDTH - label_w],
        minRowHeights=heights,
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                ("LINEAFTER", (0, 0), (0, -1), _GRID, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), LABEL_BG),
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
