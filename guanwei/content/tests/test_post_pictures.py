"""The post page shows the pictures the version carries (E-02, W-01): the reviewer
approves text *and* media (the content hash covers both), so they must see them.

Found in the Chromium walk-through (#9): 黄丽 attached 红色示意图 from the library, 陈静
approved the post without any sign of the picture on its page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from guanwei.content import actions as content
from guanwei.testing.personas import channel, person, unit

pytestmark = pytest.mark.django_db
W = "demo_weather"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (255, 0, 0)).save(out, "PNG")
    return out.getvalue()


def test_e02_w01_the_post_page_shows_its_pictures_to_the_reviewer() -> None:
    editor = person("kj_editor")
    tech = unit(W, "city_tech_centre")
    picture = content.upload_asset(
        tech,
        actor=editor,
        upload=SimpleUploadedFile("a.png", _png(), content_type="image/png"),
        title="红色示意图",
    )
    post = content.create_post(
        tech,
        actor=editor,
        title="明日天气",
        body="明天多云转晴，气温12到20摄氏度。",
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
        assets=[picture],
    )
    c = Client()
    c.force_login(person("kj_leader"))
    html = c.get(f"/content/posts/{post.pk}/").content.decode()
    assert f'src="/content/assets/{picture.pk}/file"' in html
    assert "红色示意图" in html
