"""Text in pictures is screened like text (REQ C-06)."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from guanwei.content import actions as content
from guanwei.orgs.errors import InvalidChange
from guanwei.screening.ocr import picture_text
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf

FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)
FONT = next((f for f in FONTS if os.path.exists(f)), FONTS[0])
pytest.importorskip("rapidocr_onnxruntime", reason="the ocr extra is not installed")


def _picture(text: str) -> bytes:
    if not os.path.exists(FONT):
        pytest.skip(f"no CJK font at {FONT} (apt-get install fonts-wqy-microhei)")
    img = Image.new("RGB", (640, 120), "white")
    ImageDraw.Draw(img).text((20, 30), text, fill="black", font=ImageFont.truetype(FONT, 48))
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def test_it_reads_chinese_text_in_a_picture() -> None:
    """C-06: RapidOCR finds the words (models inside the wheel, nothing downloaded)."""
    assert "多云" in picture_text(_picture("明天晴转多云"))


@pytest.mark.django_db
def test_a_forbidden_term_in_a_picture_blocks_submission(settings: Any) -> None:
    """C-06: a post whose picture carries prohibited text cannot be submitted. The text is
    read by the OCR task after the upload (issue #9 §15; run at once here)."""
    settings.GUANWEI_OCR = True
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    W = "demo_weather"
    picture = content.upload_asset(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="配图",
        upload=SimpleUploadedFile("p.png", _picture("天气晴好 法轮功"), content_type="image/png"),
    )
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="天气",
        category="forecast",
        body="明天多云转晴，气温12到20摄氏度。",
        channels=[channel(W, "city_weibo")],
        assets=[picture],
    )
    with pytest.raises(InvalidChange, match="图片“配图”中的文字"):
        wf.submit_for_review(post, actor=person("kj_editor"))
