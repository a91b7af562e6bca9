"""Uploads are what their bytes say, pictures are re-encoded, files never run (E-02;
issue #9 §2, §15).

The attack this closes: an editor uploads ``helper.js``, then ``map.html`` sent as
``image/png`` containing ``<script src="/content/assets/N/file">``; a leader opening the
"picture" ran the editor's script with the leader's session. A GIF89a/HTML polyglot was
even published to the public site as text/html."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from guanwei.content import actions as content
from guanwei.content.models import Asset
from guanwei.orgs.errors import InvalidChange
from guanwei.testing.personas import person, unit

pytestmark = pytest.mark.django_db
W = "demo_weather"


def _upload(name: str, data: bytes, content_type: str, title: str = "") -> Asset:
    return content.upload_asset(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title=title,
        upload=SimpleUploadedFile(name, data, content_type=content_type),
    )


def _picture(fmt: str = "PNG", size: tuple[int, int] = (64, 48), **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "skyblue").save(out, format=fmt, **save)
    return out.getvalue()


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _stored(asset: Asset) -> bytes:
    with asset.file.open("rb") as fh:
        return fh.read()


SCRIPT = b"fetch('/api/v1/workflow/steps/1/approve',{method:'POST'})"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'
PAGE = b'<!DOCTYPE html><html><body><script src="/content/assets/1/file"></script></body></html>'
POLYGLOT = _picture("GIF") + b"<html><script>alert(document.cookie)</script></html>"


@pytest.mark.parametrize(
    ("name", "data", "claimed"),
    [
        ("helper.js", SCRIPT, "text/javascript"),
        ("helper.png", SCRIPT, "image/png"),
        ("map.html", PAGE, "image/png"),
        ("map.svg", SVG, "image/svg+xml"),
        ("fake.docx", b"PK\x03\x04" + b"\x00" * 40, "application/octet-stream"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png"),
        ("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40, "video/mp4"),
    ],
)
def test_e02_an_upload_that_is_not_an_allowed_type_by_its_bytes_is_refused(
    name: str, data: bytes, claimed: str
) -> None:
    """§2: the type is decided from the bytes, never the browser's Content-Type or the
    name; scripts, pages, SVG, a zip that is no Office file, a broken picture and (no pack
    allows video) MP4 are refused with a Chinese message."""
    with pytest.raises(InvalidChange, match="文件|图片"):
        _upload(name, data, claimed)
    assert not Asset.objects.filter(title=name).exists()


def test_e02_a_polyglot_picture_is_reencoded_under_a_generated_name() -> None:
    """§2: a GIF89a/HTML polyglot becomes a clean GIF named <random>.gif; the original
    name is only the title."""
    asset = _upload("poly.html", POLYGLOT, "text/html")
    data = _stored(asset)
    assert asset.kind == Asset.Kind.IMAGE and data.startswith(b"GIF8")
    assert b"<script" not in data and b"<html" not in data
    stored_name = str(asset.file.name).rsplit("/", 1)[-1]
    assert stored_name.endswith(".gif") and "poly" not in stored_name
    assert asset.title == "poly.html"


def test_e02_picture_metadata_is_stripped() -> None:
    """§2: re-encoding drops EXIF (GPS, camera) and PNG text chunks."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    jpeg = _upload("photo.jpg", _picture("JPEG", exif=exif.tobytes()), "image/jpeg")
    assert b"SecretCamera" not in _stored(jpeg)
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    png = _upload("chart.png", _picture("PNG", pnginfo=info), "image/png")
    assert b"<script>" not in _stored(png) and str(png.file.name).endswith(".png")


def test_e02_attachments_by_their_bytes() -> None:
    """§2: PDF, DOCX, XLSX are attachments, named by their sniffed type."""
    pdf = _upload("通知.pdf", b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF", "application/pdf")
    docx = _upload("说明", _docx(), "application/msword")
    assert (pdf.kind, docx.kind) == (Asset.Kind.FILE, Asset.Kind.FILE)
    assert str(pdf.file.name).endswith(".pdf") and str(docx.file.name).endswith(".docx")


def test_e02_every_file_response_is_never_run() -> None:
    """§2: nosniff and CSP sandbox on every file; a picture inline with its true type,
    anything else downloaded (Content-Disposition: attachment)."""
    client = Client()
    client.force_login(person("kj_editor"))
    picture = _upload("poly.html", POLYGLOT, "text/html")
    pdf = _upload("a.pdf", b"%PDF-1.4\n%%EOF", "application/pdf")
    shown = client.get(f"/content/assets/{picture.pk}/file")
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/gif"
    assert "attachment" not in shown.get("Content-Disposition", "")
    got = client.get(f"/content/assets/{pdf.pk}/file")
    assert got["Content-Disposition"].startswith("attachment")
    for response in (shown, got):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox"


def test_e02_an_old_asset_stored_under_its_uploaders_name_is_downloaded_not_shown() -> None:
    """§2: a library file stored before this change as map.html, marked a picture, is
    served as an attachment of type application/octet-stream, never as a page."""
    from django.core.files.base import ContentFile

    asset = Asset(
        organisation=unit(W, "city_tech_centre").organisation,
        unit=unit(W, "city_tech_centre"),
        kind=Asset.Kind.IMAGE,
        title="map.html",
        sha256="0" * 64,
        uploaded_by=person("kj_editor"),
    )
    asset.file.save("map.html", ContentFile(PAGE), save=True)
    client = Client()
    client.force_login(person("kj_leader"))
    response = client.get(f"/content/assets/{asset.pk}/file")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"


def test_e02_a_bad_upload_says_why_in_chinese_and_keeps_the_form() -> None:
    """§2: the library page answers a refused file with a Chinese message next to the
    field; the title typed and the unit chosen are still there."""
    client = Client()
    client.force_login(person("kj_editor"))
    tech = unit(W, "city_tech_centre")
    response = client.post(
        "/content/assets/",
        {
            "unit": str(tech.pk),
            "title": "全市降水分布图",
            "file": SimpleUploadedFile("map.html", PAGE, content_type="image/png"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "不支持" in page and "全市降水分布图" in page
    assert f'value="{tech.pk}" selected' in page


def test_e02_a_picture_over_the_pixel_limit_is_refused_before_decoding(settings: Any) -> None:
    """§15: a 13000×13000 PNG of a few hundred KB is refused from its header (no 1 GB
    decode, no OCR)."""
    settings.GUANWEI_MAX_IMAGE_PIXELS = 40_000_000
    big = io.BytesIO()
    Image.new("1", (13000, 13000), 1).save(big, format="PNG")
    with pytest.raises(InvalidChange, match="像素"):
        _upload("huge.png", big.getvalue(), "image/png")


def test_e02_mp4_only_where_a_pack_allows_video(monkeypatch: pytest.MonkeyPatch) -> None:
    """§2: ``[[uploads]] video = true`` in a pack in force lets the library take MP4 (by its
    ftyp box), as an attachment; the reserved section passes the pack validator."""
    from guanwei.orgs.rules import OrgRules
    from guanwei.packs.schema import RESERVED_SECTIONS

    assert "uploads" in RESERVED_SECTIONS
    rules = OrgRules(packs=[{"extras": {"uploads": [{"video": True, "req": "E-02"}]}}])
    monkeypatch.setattr("guanwei.content.actions.rules_for", lambda org_id: rules)
    clip = _upload("clip.bin", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40, "text/plain")
    assert clip.kind == Asset.Kind.FILE and str(clip.file.name).endswith(".mp4")
    client = Client()
    client.force_login(person("kj_editor"))
    response = client.get(f"/content/assets/{clip.pk}/file")
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"].startswith("attachment")


def _animated_gif(size: tuple[int, int], frames: int) -> bytes:
    """A tiny file: a blank canvas and ``frames`` frames that each change one pixel."""
    first = Image.new("P", size, 0)
    first.putpalette([i % 256 for i in range(768)])
    rest = []
    for i in range(1, frames):
        frame = first.copy()
        frame.putpixel((i % size[0], 0), i % 255 + 1)
        rest.append(frame)
    out = io.BytesIO()
    first.save(out, format="GIF", save_all=True, append_images=rest, duration=40, loop=0)
    return out.getvalue()


@pytest.mark.django_db(False)
def test_e02_x02_an_animated_picture_is_bounded_by_all_its_frames_pixels() -> None:
    """E-02, X-02 (issue #9 §15): each frame of an animated GIF is decoded and kept while
    it is written again, so the pixel limit bounds the canvas times the frames, not the
    canvas alone: a few kilobytes of one-pixel frames on a canvas just under the limit would
    otherwise take gigabytes of memory in the upload request."""
    from guanwei.core import files

    bomb = _animated_gif((100, 100), 40)  # 40 frames of 10,000 pixels: 400,000 decoded
    assert len(bomb) < 20_000
    with pytest.raises(files.Refused, match="帧"):
        files.reencode(bomb, files.GIF, max_pixels=100_000)
    small = _animated_gif((100, 100), 5)  # 50,000 pixels in all: still taken, still animated
    again = files.reencode(small, files.GIF, max_pixels=100_000)
    with Image.open(io.BytesIO(again)) as img:
        assert getattr(img, "n_frames", 1) == 5


def test_x02_a_picture_is_decoded_before_the_upload_takes_the_write_lock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """X-02 (issue #9 §15): decoding and writing a picture again takes seconds for a large
    one; on SQLite every transaction holds the database's single write lock from its start,
    so the re-encoding runs before the upload's transaction, never inside it (one editor's
    40-megapixel uploads must not stop every other person's saves and the dispatcher)."""
    from django.db import connection

    from guanwei.core import files

    outside = len(connection.atomic_blocks)  # the test's own transaction(s)
    depths: list[int] = []
    real = files.reencode

    def watched(data: bytes, kind: files.Kind, *, max_pixels: int) -> bytes:
        depths.append(len(connection.atomic_blocks))
        return real(data, kind, max_pixels=max_pixels)

    monkeypatch.setattr(files, "reencode", watched)
    asset = _upload("map.png", _picture(), "image/png")
    assert asset.kind == Asset.Kind.IMAGE
    assert depths == [outside]
