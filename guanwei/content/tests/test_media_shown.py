"""Reviewers see the pictures and attachments of what they check (E-01 图文相符, T-05
图文并茂; issue 10 §5): the material page, the post page and the review queue show each
picture as a thumbnail that opens full size, and each attachment as a download link, all
through the permission-checked file view (``asset_file``), never a public media URL.

Found walking the tourism bureau's rule book: 赵磊 (甲县信息员) attached a picture of the
scenic spot, 杨帆 approved the post from the review queue without seeing it, and the
centre's contact took material whose picture its page never showed."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from guanwei.content import actions as content
from guanwei.content.models import Asset
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf

pytestmark = pytest.mark.django_db
T = "demo_tourism"
TEXT = "甲县油菜花节本周六开幕，景区开放时间为8时至18时。"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 180, 0)).save(out, "PNG")
    return out.getvalue()


def _as(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _library() -> tuple[Asset, Asset]:
    officer = person("ly_xa_officer")
    county = unit(T, "county_a")
    picture = content.upload_asset(
        county,
        actor=officer,
        upload=SimpleUploadedFile("flowers.png", _png(), content_type="image/png"),
        title="油菜花田",
    )
    leaflet = content.upload_asset(
        county,
        actor=officer,
        upload=SimpleUploadedFile("leaflet.pdf", PDF, content_type="application/pdf"),
        title="活动须知",
    )
    content.record_picture_text(picture.pk, text="", status="done")  # the OCR task ran
    return picture, leaflet


def _shows(html: str, picture: Asset, leaflet: Asset) -> None:
    url = f"/content/assets/{picture.pk}/file"
    # the thumbnail is a link to the full-size picture (opened in its own tab)
    assert re.search(rf'<a [^>]*href="{url}"[^>]*>\s*<img [^>]*src="{url}"', html), html
    file_url = f"/content/assets/{leaflet.pk}/file"
    assert re.search(rf'<a [^>]*href="{file_url}"[^>]*download', html), html
    assert "活动须知" in html
    assert f'<img src="{file_url}"' not in html  # an attachment is never an <img>


def test_e01_t05_the_material_page_shows_its_pictures_and_attachments() -> None:
    picture, leaflet = _library()
    item = content.submit_material(
        unit(T, "county_a"),
        actor=person("ly_xa_officer"),
        drop_box=unit(T, "info_centre"),
        title="油菜花节开幕",
        body=TEXT,
        source="甲县旅游局",
        assets=[picture, leaflet],
    )
    html = _as("ly_zx_contact").get(f"/content/materials/{item.pk}/").content.decode()
    _shows(html, picture, leaflet)
    # the contact (who may open the material) may open its files, full size
    assert _as("ly_zx_contact").get(f"/content/assets/{picture.pk}/file").status_code == 200


def test_e01_t05_the_review_queue_shows_the_pictures_of_each_item() -> None:
    picture, leaflet = _library()
    post = content.create_post(
        unit(T, "county_a"),
        actor=person("ly_xa_officer"),
        title="油菜花节开幕",
        body=TEXT,
        category="image",
        channels=[channel(T, "county_a_weibo")],
        source="甲县旅游局",
        assets=[picture, leaflet],
    )
    wf.submit_for_review(post, actor=person("ly_xa_officer"))
    html = _as("ly_xa_head").get("/review/queue/").content.decode()
    assert "油菜花节开幕" in html
    _shows(html, picture, leaflet)


def test_e01_t05_the_post_page_shows_pictures_and_attachment_download_links() -> None:
    picture, leaflet = _library()
    post = content.create_post(
        unit(T, "county_a"),
        actor=person("ly_xa_officer"),
        title="油菜花节开幕",
        body=TEXT,
        category="image",
        channels=[channel(T, "county_a_weibo")],
        source="甲县旅游局",
        assets=[picture, leaflet],
    )
    html = _as("ly_xa_head").get(f"/content/posts/{post.pk}/").content.decode()
    _shows(html, picture, leaflet)


def test_e01_the_files_stay_closed_to_people_who_may_not_open_the_item() -> None:
    """Showing pictures does not open them: another county's officer gets a 404."""
    picture, _leaflet = _library()
    assert _as("ly_qb_officer").get(f"/content/assets/{picture.pk}/file").status_code == 404


def test_e01_the_leader_sees_the_materials_picture_in_the_review_queue() -> None:
    """W-15: material waiting for the provider's leader shows its pictures in the queue."""
    observatory = unit("demo_weather", "city_observatory")
    picture = content.upload_asset(
        observatory,
        actor=person("qxt_officer"),
        upload=SimpleUploadedFile("radar.png", _png(), content_type="image/png"),
        title="雷达回波",
    )
    content.submit_material(
        observatory,
        actor=person("qxt_officer"),
        drop_box=unit("demo_weather", "city_tech_centre"),
        title="午后雷阵雨",
        body="今天午后有雷阵雨。",
        source="市气象台",
        assets=[picture],
    )
    html = _as("qxt_leader").get("/review/queue/").content.decode()
    url = f"/content/assets/{picture.pk}/file"
    assert re.search(rf'<a [^>]*href="{url}"[^>]*>\s*<img [^>]*src="{url}"', html)
    assert _as("qxt_leader").get(url).status_code == 200
