"""Material returned (退回) by the provider's leader is edited and sent again by its provider
(W-03, W-15, C-06, issue #8 §3): from the drop box, seeing why it came back; through
``content.actions.resubmit_material`` (audited, screened again as at the first send, the
leader's chain started again). Only the provider sees 修改后重新报送."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.content import actions as content
from guanwei.content.models import Submission, SubmissionStatus
from guanwei.core.errors import InvalidChange, PermissionDenied
from guanwei.screening.models import ScreeningVerdict
from guanwei.testing.personas import person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"
FIXED = "明天多云转晴，气温13到21摄氏度，偏北风3级。"
BLOCKED = "明天多云转晴，有人借天气宣传法轮功，请勿转发。"
REASON = "气温数据待核实"


def _as(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _returned() -> Submission:
    material = content.submit_material(
        unit(W, "city_observatory"),
        actor=person("qxt_officer"),
        drop_box=unit(W, "city_tech_centre"),
        title="午后雷阵雨",
        body=TEXT,
        source="市气象台",
    )
    wf.reject_step(
        StepRun.objects.get(run__submission=material, status="pending"),
        actor=person("qxt_leader"),
        reason=REASON,
    )
    material.refresh_from_db()
    assert material.status == SubmissionStatus.RETURNED
    return material


def test_w15_the_provider_edits_and_resends_returned_material() -> None:
    """W-15, W-03: the drop box shows the returned item with its reason and 修改后重新报送;
    the edit page shows the reason and the text; sending again screens it, records it and
    puts it before the leader again."""
    material = _returned()
    officer = _as("qxt_officer")
    box = officer.get("/content/dropbox/").content.decode()
    edit = f"/content/materials/{material.pk}/edit/"
    assert REASON in box and f'href="{edit}"' in box and "修改后重新报送" in box
    detail = officer.get(f"/content/materials/{material.pk}/").content.decode()
    assert f'href="{edit}"' in detail
    page = officer.get(edit)
    assert page.status_code == 200
    html = page.content.decode()
    assert REASON in html and TEXT in html
    verdicts = ScreeningVerdict.objects.filter(object_type="submission", object_id=str(material.pk))
    before = verdicts.count()
    sent = officer.post(edit, {"title": "午后雷阵雨", "body": FIXED, "source": "市气象台"})
    assert sent.status_code == 302 and sent["Location"] == f"/content/materials/{material.pk}/"
    material.refresh_from_db()
    assert material.body == FIXED
    assert material.status == SubmissionStatus.AWAITING_LEADER
    assert verdicts.count() == before + 1  # screened again
    assert AuditRecord.objects.filter(
        action=AuditAction.MATERIAL_RESUBMITTED, object_id=str(material.pk)
    ).exists()
    pending = StepRun.objects.filter(run__submission=material, status="pending")
    assert pending.count() == 1  # the leader has it again
    queue = _as("qxt_leader").get("/review/queue/").content.decode()
    assert f'href="/content/materials/{material.pk}/"' in queue
    assert (
        "修改后重新报送" not in officer.get(f"/content/materials/{material.pk}/").content.decode()
    )


def test_c06_a_resend_with_a_blocked_word_is_refused_and_the_form_kept() -> None:
    """C-06: screened as at the first send: a block-severity hit refuses it, the text kept."""
    material = _returned()
    page = _as("qxt_officer").post(
        f"/content/materials/{material.pk}/edit/",
        {"title": "午后雷阵雨", "body": BLOCKED, "source": "市气象台"},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "不能报送" in html and "法轮功" in html
    material.refresh_from_db()
    assert material.status == SubmissionStatus.RETURNED and material.body == TEXT
    with pytest.raises(InvalidChange):
        content.resubmit_material(
            material, actor=person("qxt_officer"), title="午后雷阵雨", body=BLOCKED, source="x"
        )


def test_w15_only_the_provider_resends_and_only_returned_material() -> None:
    """Only the buttons a person may use: the leader and the drop box's keeper get no
    修改后重新报送 and a 404 on the edit page; material not returned cannot be resent."""
    material = _returned()
    for who in ("qxt_leader", "kj_editor"):
        client = _as(who)
        assert client.get(f"/content/materials/{material.pk}/edit/").status_code == 404
        detail = client.get(f"/content/materials/{material.pk}/").content.decode()
        assert not re.search(r"修改后重新报送", detail)
    with pytest.raises(PermissionDenied):
        content.resubmit_material(
            material, actor=person("kj_editor"), title="t", body=FIXED, source="s"
        )
    content.resubmit_material(
        material, actor=person("qxt_officer"), title="午后雷阵雨", body=FIXED, source="市气象台"
    )
    with pytest.raises(InvalidChange):
        content.resubmit_material(
            material, actor=person("qxt_officer"), title="午后雷阵雨", body=FIXED, source="市气象台"
        )
