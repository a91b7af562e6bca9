"""E-02 a content library beside the picture library: texts prepared ahead (教育知识 and
the like, 三(一)注意) are saved, listed, searched and used to start a new post draft.
Only people who write for the unit see its texts (issue #9 §3: no prefill by id)."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.testing.personas import person

pytestmark = pytest.mark.django_db
BODY = "孩子写作业拖拉，家长可以先和孩子一起定好时间，再把任务分成小块。"


def _as(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _save(c: Client, title: str = "父母育儿：作业拖拉怎么办", body: str = BODY) -> int:
    from guanwei.orgs.models import Unit

    unit = Unit.objects.get(organisation__key="demo_edu_software", key="operations")
    r = c.post(
        "/content/texts/",
        {"unit": unit.pk, "title": title, "body": body, "source": "运营团队整理"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    from guanwei.content import models

    return int(models.Text.objects.get(title=title).pk)


def test_e02_a_text_saved_to_the_content_library_is_listed_and_found() -> None:
    editor = _as("edu_yy_editor")
    _save(editor)
    _save(editor, "校园文化：课间十分钟", "课间十分钟，走出教室看看蓝天。")
    page = editor.get("/content/texts/").content.decode()
    assert "父母育儿：作业拖拉怎么办" in page and "校园文化：课间十分钟" in page
    found = editor.get("/content/texts/", {"q": "拖拉"}).content.decode()
    assert "父母育儿：作业拖拉怎么办" in found
    assert "校园文化：课间十分钟" not in found


def test_e02_a_post_draft_starts_from_a_library_text() -> None:
    editor = _as("edu_yy_editor")
    pk = _save(editor)
    form = editor.get(f"/content/posts/new/?text={pk}").content.decode()
    assert "父母育儿：作业拖拉怎么办" in form
    assert BODY in form
    assert "运营团队整理" in form


def test_e02_another_organisation_neither_lists_nor_prefills_the_text() -> None:
    pk = _save(_as("edu_yy_editor"))
    other = _as("kj_editor")  # the weather bureau's editor
    assert "作业拖拉" not in other.get("/content/texts/").content.decode()
    assert BODY not in other.get(f"/content/posts/new/?text={pk}").content.decode()
