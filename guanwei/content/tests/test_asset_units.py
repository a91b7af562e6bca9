"""A post or material may carry only files of its own unit's library, or the files of the
material it is written from (E-02, decision 0017: the library is per unit; issue #9 §3) —
the action checks what the form offers, so a forged form cannot attach another unit's
picture (redfix review)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from guanwei.content import actions as content
from guanwei.content.models import Asset, Post
from guanwei.core.errors import DomainError
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TEXT = "今天午后有雷阵雨，请注意防范。"


def _picture(unit_key: str, username: str) -> Asset:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (0, 0, 255)).save(out, "PNG")
    return content.upload_asset(
        unit(W, unit_key),
        actor=person(username),
        upload=SimpleUploadedFile("a.png", out.getvalue(), content_type="image/png"),
        title="雷达图",
    )


def _post(**extra: Any) -> Post:
    fields: dict[str, Any] = {
        "title": "午后雷阵雨",
        "body": TEXT,
        "category": "forecast",
        "channels": [channel(W, "city_weibo")],
        "source": "市气象台",
    }
    fields.update(extra)
    return content.create_post(unit(W, "city_tech_centre"), actor=person("kj_editor"), **fields)


def test_e02_a_post_cannot_carry_another_units_library_picture() -> None:
    """E-02: 市气象台's picture is not in 科技服务中心's library: refused by the action."""
    foreign = _picture("city_observatory", "qxt_officer")
    with pytest.raises(DomainError, match="素材库"):
        _post(assets=[foreign])
    own = _picture("city_tech_centre", "kj_editor")
    post = _post(assets=[own])
    with pytest.raises(DomainError, match="素材库"):
        content.revise_post(post, actor=person("kj_editor"), assets=[own, foreign])


def test_e02_material_cannot_carry_another_units_library_picture() -> None:
    """E-02: 市气象台's officer cannot send 办公室's picture with his material."""
    foreign = _picture("city_office", "bgs_officer")
    with pytest.raises(DomainError, match="素材库"):
        content.submit_material(
            unit(W, "city_observatory"),
            actor=person("qxt_officer"),
            drop_box=unit(W, "city_tech_centre"),
            title="午后雷阵雨",
            body=TEXT,
            source="市气象台",
            assets=[foreign],
        )


def test_e01_a_post_from_material_carries_the_materials_pictures() -> None:
    """E-01, T-05: the pictures of the material the post is written from stay usable,
    also when the post is revised."""
    sent = _picture("city_observatory", "qxt_officer")
    material = content.submit_material(
        unit(W, "city_observatory"),
        actor=person("qxt_officer"),
        drop_box=unit(W, "city_tech_centre"),
        title="午后雷阵雨",
        body=TEXT,
        source="市气象台",
        assets=[sent],
    )
    wf.approve_step(
        StepRun.objects.get(run__submission=material, status="pending"),
        actor=person("qxt_leader"),
    )
    material.refresh_from_db()
    post = _post(materials=[material], assets=[sent])
    revision = content.revise_post(post, actor=person("kj_editor"), body=TEXT + "（更新）")
    assert list(revision.assets.all()) == [sent]
