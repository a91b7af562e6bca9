"""Specification of what the forms share (guanwei.documents.layout): decisions, data, fonts.

Pure Python: no database, no Django settings; runs with ``-p no:django``. Each form is
rendered to bytes, opened with pypdf, and its text extracted again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guanwei.documents import layout
from guanwei.documents.account_application import account_application_pdf
from guanwei.documents.authorisation import authorisation_pdf
from guanwei.documents.content_approval import content_approval_pdf
from guanwei.documents.layout import Decision
from guanwei.documents.tests.samples import (
    HASH,
    application,
    authorisation,
    decisions,
    pdf_text,
    post,
)

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
    font = layout.cjk_font()
    assert font.name == layout.FALLBACK_FONT
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
    monkeypatch.setenv(layout.FONT_ENV, str(vera))
    monkeypatch.setattr(layout, "FONT_CANDIDATES", ())
    layout.cjk_font.cache_clear()
    try:
        assert layout.cjk_font().name == layout.FALLBACK_FONT
    finally:
        layout.cjk_font.cache_clear()


def test_it_reads_a_subfont_index_from_the_font_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """C-02: $GUANWEI_CJK_FONT=path#N picks face N of a collection (Noto CJK SC is 2)."""
    monkeypatch.setenv(layout.FONT_ENV, __file__ + "#2")
    monkeypatch.setattr(layout, "FONT_CANDIDATES", ())
    assert layout._font_candidates() == [(__file__, 2)]


def test_it_embeds_a_truetype_cjk_font_when_one_is_installed() -> None:
    """R-06: with a usable TrueType CJK font (e.g. fonts-wqy-microhei) the font is embedded."""
    layout.cjk_font.cache_clear()
    try:
        font = layout.cjk_font()
        if not font.embedded:
            pytest.skip("no TrueType CJK font installed; the CID fallback is in use")
        pdf = content_approval_pdf(post())
        assert b"/FontFile2" in pdf  # a TrueType font program is in the file
        _, text = pdf_text(pdf)
        assert "官方微博发布内容审批表" in text and "代张组长" in text
    finally:
        layout.cjk_font.cache_clear()
