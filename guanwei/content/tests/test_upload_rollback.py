"""The file of an upload whose transaction rolls back is removed from disk (E-02, redfix
review): ``asset.file.save`` writes before the transaction ends; a refused week plan, post
or material must not leave its pictures behind, unreferenced."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from guanwei.content import actions as content
from guanwei.testing.personas import person, unit

pytestmark = pytest.mark.django_db
W = "demo_weather"


class Refused(Exception):
    pass


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (0, 128, 0)).save(out, "PNG")
    return out.getvalue()


def _upload() -> str:
    asset = content.upload_asset(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        upload=SimpleUploadedFile("a.png", _png(), content_type="image/png"),
        title="示意图",
    )
    path = asset.file.path
    assert os.path.exists(path)
    return path


def test_e02_a_rolled_back_upload_leaves_no_file() -> None:
    """E-02: the caller's transaction fails after the upload: the file is gone too."""
    paths: list[str] = []
    with pytest.raises(Refused), transaction.atomic():
        paths.append(_upload())
        raise Refused
    assert paths and not os.path.exists(paths[0])


def test_e02_a_committed_upload_keeps_its_file(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    """E-02: the file of an upload that commits stays."""
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            path = _upload()
    assert os.path.exists(path)
