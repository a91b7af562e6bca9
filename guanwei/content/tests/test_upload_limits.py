"""Upload and OCR limits (issue #9 §15; C-06 text in pictures is still screened).

* 20 MB is enforced before the body is read: waitress (``guanwei serve``) is told the
  limit, and a request announcing more is answered 413 before any view or parser reads it;
* the text in pictures is read by a task (django.tasks), never in the submit request:
  the upload enqueues it, the submission screens the stored text as before (C-06); while
  it is pending the submission is refused with a Chinese message; a task that never came
  back (worker down) leaves the picture to a person (verdict 需人工审核)."""

from __future__ import annotations

import io
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from guanwei.content import actions as content
from guanwei.content.models import Asset, Post
from guanwei.orgs.errors import InvalidChange
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf

W = "demo_weather"
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "skyblue").save(out, format="PNG")
    return out.getvalue()


def _picture_post() -> tuple[Asset, Post]:
    picture = content.upload_asset(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="配图",
        upload=SimpleUploadedFile("p.png", _png(), content_type="image/png"),
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
    return picture, post


@pytest.fixture
def ocr_calls(monkeypatch: pytest.MonkeyPatch, settings: Any) -> list[str]:
    """OCR on; RapidOCR replaced by a reader that notes where it was called from."""
    settings.GUANWEI_OCR = True
    calls: list[str] = []

    def fake(data: bytes) -> str:
        calls.append(sys._getframe(1).f_code.co_name)
        return "天气晴好 法轮功"

    monkeypatch.setattr("guanwei.screening.ocr.picture_text", fake)
    return calls


@pytest.mark.django_db
def test_c06_ocr_never_runs_in_the_submit_request(ocr_calls: list[str]) -> None:
    """§15: neither the upload nor the submission runs OCR in the request (the task
    backend here is the database one: the task waits for the worker)."""
    _, post = _picture_post()
    with pytest.raises(InvalidChange):
        wf.submit_for_review(post, actor=person("kj_editor"))
    assert ocr_calls == []


@pytest.mark.django_db
def test_c06_while_the_text_is_being_read_the_submission_waits(ocr_calls: list[str]) -> None:
    """§15: what the editor sees while OCR is pending: a Chinese message, the post stays a
    draft."""
    _, post = _picture_post()
    with pytest.raises(InvalidChange, match="正在识别"):
        wf.submit_for_review(post, actor=person("kj_editor"))
    post.refresh_from_db()
    assert post.status == "draft"


@pytest.mark.django_db
def test_c06_the_tasks_text_is_screened_at_submission(ocr_calls: list[str], settings: Any) -> None:
    """C-06 kept: the text the task read blocks the submission, as before."""
    settings.TASKS = IMMEDIATE
    picture, post = _picture_post()
    picture.refresh_from_db()
    assert picture.text_status == Asset.TextStatus.DONE and "法轮功" in picture.picture_text
    calls_after_upload = list(ocr_calls)
    with pytest.raises(InvalidChange, match="图片“配图”中的文字"):
        wf.submit_for_review(post, actor=person("kj_editor"))
    assert ocr_calls == calls_after_upload  # submission only screened the stored text


@pytest.mark.django_db
def test_c06_a_task_that_never_came_back_leaves_the_picture_to_a_person(
    ocr_calls: list[str], settings: Any
) -> None:
    """§15: the worker is down: after GUANWEI_OCR_WAIT_MINUTES the picture goes to review
    with its reason shown to the reviewer (需人工查看), never through unscreened."""
    import time_machine
    from django.utils import timezone

    _, post = _picture_post()
    with time_machine.travel(
        timezone.now() + timedelta(minutes=settings.GUANWEI_OCR_WAIT_MINUTES + 1)
    ):
        run = wf.submit_for_review(post, actor=person("kj_editor"))
    assert run.screening_verdict == "review"


def test_x02_guanwei_serve_tells_waitress_the_body_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """§15: waitress refuses a body over the limit before Django sees it."""
    import argparse

    import waitress

    from guanwei import cli

    seen: dict[str, Any] = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **kw: seen.update(kw))
    cli.cmd_serve(argparse.Namespace(host="127.0.0.1", port=0))
    from django.conf import settings

    assert seen["max_request_body_size"] == settings.GUANWEI_MAX_REQUEST_BYTES
    assert settings.GUANWEI_MAX_REQUEST_BYTES < 25 * 1024 * 1024


class _Unread(io.RawIOBase):
    """A request body that notes every read (it must see none)."""

    def __init__(self) -> None:
        self.reads = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        self.reads += 1
        return 0


@pytest.mark.django_db
def test_x02_an_oversized_request_is_refused_before_its_body_is_read() -> None:
    """§15: Content-Length above the limit: 413 with a Chinese message, nothing read."""
    client = Client()
    client.force_login(person("kj_editor"))
    body = _Unread()
    response = client.generic(
        "POST",
        "/content/assets/",
        b"",
        content_type="multipart/form-data; boundary=----guanweiBoundary7MA4YWxk",
        CONTENT_LENGTH=str(60 * 1024 * 1024),
        **{"wsgi.input": body},  # type: ignore[arg-type]
    )
    assert body.reads == 0
    assert response.status_code == 413
    assert "20 MB" in response.content.decode()


@pytest.mark.django_db
def test_c06_the_task_never_decodes_an_old_oversized_picture(
    ocr_calls: list[str], settings: Any
) -> None:
    """§15: a picture stored before re-encoding existed (no pixel check at its upload) is
    measured from its header by the task; above the limit it is not OCRed but left to a
    person (无法识别文字)."""
    from django.core.files.base import ContentFile

    from guanwei.content.tasks import read_picture_text

    big = io.BytesIO()
    Image.new("1", (13000, 13000), 1).save(big, format="PNG")
    asset = Asset(
        organisation=unit(W, "city_tech_centre").organisation,
        unit=unit(W, "city_tech_centre"),
        kind=Asset.Kind.IMAGE,
        title="旧图",
        sha256="0" * 64,
        uploaded_by=person("kj_editor"),
    )
    asset.file.save("old.png", ContentFile(big.getvalue()), save=True)
    assert read_picture_text.call(asset.pk) == Asset.TextStatus.FAILED
    assert ocr_calls == []


@pytest.mark.django_db
def test_x02_the_library_form_tells_the_browser_the_limit() -> None:
    """§15: the file input carries data-max-bytes; site.js refuses a larger file before
    the form is sent, so what was typed stays."""
    client = Client()
    client.force_login(person("kj_editor"))
    page = client.get("/content/assets/").content.decode()
    assert f'data-max-bytes="{20 * 1024 * 1024}"' in page
