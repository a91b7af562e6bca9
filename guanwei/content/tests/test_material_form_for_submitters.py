"""报送素材 is for those who may submit (issue 10 §5): a leader who may approve material
but holds no unit to send it from gets neither the entry nor an empty form."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.testing.personas import person

pytestmark = pytest.mark.django_db


def _as(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def test_w03_a_leader_without_a_unit_to_send_from_gets_no_material_form() -> None:
    c = _as("ly_xa_leader")  # 甲县旅游局局长: no material.submit anywhere
    assert 'href="/content/materials/new/"' not in c.get("/content/dropbox/").content.decode()
    r = c.get("/content/materials/new/")
    assert r.status_code in (302, 404)
    assert 'id="material-form"' not in r.content.decode()
    assert c.post("/content/materials/new/", {"title": "x"}).status_code in (302, 404)


def test_w03_the_officer_still_gets_the_form() -> None:
    c = _as("ly_xa_officer")
    assert 'href="/content/materials/new/"' in c.get("/content/dropbox/").content.decode()
    assert 'id="material-form"' in c.get("/content/materials/new/").content.decode()
