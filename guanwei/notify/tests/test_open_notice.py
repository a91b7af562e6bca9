"""Opening a notice marks it read (X-04): the link in the notices page goes through
``/notices/<id>/open/``, which marks it read for its addressee (``notify.actions.mark_read``,
audited) and sends the person on to the object; the unread count goes down."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.notify import actions
from guanwei.notify.models import Notice
from guanwei.testing.personas import org, person

pytestmark = pytest.mark.django_db
W = "demo_weather"


def _as(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _unread(body: str) -> int:
    m = re.search(r'data-unread="(\d+)"', body)
    return int(m.group(1)) if m else 0


def test_x04_opening_a_notice_marks_it_read_and_goes_to_the_object() -> None:
    """X-04: the notice's link opens the object and the bell counts one fewer."""
    actions.notify(
        [person("kj_publisher").pk],
        organisation_id=org(W).pk,
        title="超时：07:30 发布时段",
        link="/oversight/deadlines/?d=1#d1",
    )
    notice = Notice.objects.get(user=person("kj_publisher"))
    client = _as("kj_publisher")
    page = client.get("/notices/").content.decode()
    assert _unread(page) == 1
    link = re.search(r'<a href="([^"]+)" class="notice-link">', page)
    assert link and link.group(1) == f"/notices/{notice.pk}/open/"
    opened = client.get(link.group(1))
    assert opened.status_code == 302 and opened["Location"] == "/oversight/deadlines/?d=1#d1"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert AuditRecord.objects.filter(action=AuditAction.NOTICES_READ).count() == 1
    assert _unread(client.get("/notices/").content.decode()) == 0
    client.get(link.group(1))  # opening it again changes nothing more
    assert AuditRecord.objects.filter(action=AuditAction.NOTICES_READ).count() == 1


def test_x04_only_the_addressee_opens_a_notice() -> None:
    """X-04: another person's notice is a 404 and stays unread."""
    actions.notify([person("kj_publisher").pk], organisation_id=org(W).pk, title="提醒", link="/")
    notice = Notice.objects.get(user=person("kj_publisher"))
    assert _as("kj_editor").get(f"/notices/{notice.pk}/open/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None
