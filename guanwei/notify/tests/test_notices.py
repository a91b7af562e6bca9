"""In-app notices are shown (REQ X-04): the bell with the unread count on every page, the
notices page (mark read, mark all read, a link to the object), `GET /api/v1/notices`, and
every alert the system raises (slot alerts, breaches, escalations, expired approvals,
rejections) reaches its person there. Only your own notices."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.cli import main
from guanwei.content import actions as content
from guanwei.content.models import Post, Submission
from guanwei.core.errors import PermissionDenied
from guanwei.notify import actions
from guanwei.notify.models import Notice
from guanwei.oversight import actions as oversight
from guanwei.oversight.models import Deadline, DeadlineKind
from guanwei.oversight.scheduler import tick
from guanwei.publishing import actions as publishing
from guanwei.publishing.models import IntentStatus, PublishIntent
from guanwei.testing.personas import channel, org, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
TZ = ZoneInfo("Asia/Shanghai")
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"
BELL = re.compile(r'<a class="bell[^"]*" id="bell" href="/notices/"[^>]*>(.*?)</a>', re.S)


def _as(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _tell(username: str, title: str, link: str = "") -> Notice:
    actions.notify(
        [person(username).pk], organisation_id=org(W).pk, title=title, body="正文", link=link
    )
    return Notice.objects.filter(user=person(username)).order_by("-id")[0]


def _bell_count(body: str) -> int:
    bell = BELL.search(body)
    assert bell is not None, "the bell is on the page"
    count = re.search(r'data-unread="(\d+)"', bell.group(1))
    return int(count.group(1)) if count else 0


def test_x04_the_bell_shows_the_unread_count_on_every_page() -> None:
    """X-04: the layout's bell counts the person's own unread notices, on every page."""
    _tell("kj_editor", "一")
    second = _tell("kj_editor", "二")
    _tell("kj_leader", "别人的")
    editor = _as("kj_editor")
    pages = ["/", "/content/posts/", "/content/dropbox/", "/units/", "/channels/", "/notices/"]
    # the review queue is for reviewers (issue #10 §6): the editor's pages
    pages += ["/content/assets/", "/oversight/deadlines/", "/packs/", "/follows/"]
    for page in pages:
        response = editor.get(page)
        assert response.status_code == 200, page
        assert _bell_count(response.content.decode()) == 2, page
    actions.mark_read(second, actor=person("kj_editor"))
    assert _bell_count(editor.get("/").content.decode()) == 1
    assert _bell_count(_as("qxt_officer").get("/").content.decode()) == 0


def test_x04_the_notices_page_links_to_the_object_and_marks_read() -> None:
    """X-04: newest first, a link to the object, mark one read, mark all read; audited."""
    post_link = "/content/posts/1/"
    first = _tell("kj_editor", "稿件《明日天气》审核未通过", post_link)
    second = _tell("kj_editor", "超时：07:30 发布时段", "/oversight/deadlines/#d1")
    editor = _as("kj_editor")
    body = editor.get("/notices/").content.decode()
    assert body.index("超时：07:30 发布时段") < body.index("稿件《明日天气》审核未通过")
    opens = f"/notices/{first.pk}/open/"  # opening it marks it read, then the post
    assert f'<a href="{opens}" class="notice-link">稿件《明日天气》审核未通过</a>' in body
    assert f'action="/notices/{first.pk}/read/"' in body and 'id="read-all-form"' in body

    response = editor.post(f"/notices/{first.pk}/read/", {"next": "/notices/"})
    assert response.status_code == 302 and response["Location"] == "/notices/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert AuditRecord.objects.filter(
        action=AuditAction.NOTICES_READ, actor_id=person("kj_editor").pk, object_id=str(first.pk)
    ).exists()
    body = editor.get("/notices/").content.decode()
    assert f'action="/notices/{first.pk}/read/"' not in body
    assert f'action="/notices/{second.pk}/read/"' in body
    assert "稿件《明日天气》审核未通过" not in editor.get("/notices/?unread=1").content.decode()

    editor.post("/notices/read-all/")
    assert not Notice.objects.filter(user=person("kj_editor"), read_at=None).exists()
    assert 'id="read-all-form"' not in editor.get("/notices/").content.decode()


def test_x04_only_your_own_notices() -> None:
    """X-04: another person's notice is not shown, cannot be marked, and stays unread."""
    theirs = _tell("kj_leader", "督办：订正《天气预报》")
    editor = _as("kj_editor")
    assert "订正《天气预报》" not in editor.get("/notices/").content.decode()
    assert editor.post(f"/notices/{theirs.pk}/read/").status_code == 404
    with pytest.raises(PermissionDenied):
        actions.mark_read(theirs, actor=person("kj_editor"))
    assert editor.post("/notices/read-all/").status_code == 302
    assert editor.post(f"/api/v1/notices/{theirs.pk}/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_x04_a_notice_links_only_within_the_site() -> None:
    """A notice's link is a path on this site, never another host or a script."""
    for hostile in ["javascript:alert(1)", "//evil.example/x", "https://evil.example/", "/\\x"]:
        assert _tell("kj_editor", "x", hostile).link == ""
    evil = _tell("kj_editor", "<script>alert(1)</script>", "/content/posts/1/")
    body = _as("kj_editor").get("/notices/").content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert evil.link == "/content/posts/1/"


def test_x04_the_api_lists_the_callers_notices_and_marks_them_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """X-04: GET /api/v1/notices with a token (or the session), newest first, keyset cursor;
    mark read through the same actions."""
    assert main(["token", "create", "kj_editor"]) == 0
    token = capsys.readouterr().out.strip()
    headers = {"authorization": f"Bearer {token}"}
    for i in range(3):
        _tell("kj_editor", f"通知{i}", f"/content/posts/{i}/")
    _tell("kj_leader", "别人的")
    api = Client()
    assert api.get("/api/v1/notices").status_code == 401
    rows = api.get("/api/v1/notices", headers=headers).json()
    assert [r["title"] for r in rows] == ["通知2", "通知1", "通知0"]
    assert rows[0]["link"] == "/content/posts/2/" and rows[0]["read_at"] is None
    older = api.get(f"/api/v1/notices?before={rows[0]['cursor']}", headers=headers).json()
    assert [r["title"] for r in older] == ["通知1", "通知0"]
    assert api.get("/api/v1/notices?before=nonsense", headers=headers).status_code == 400
    marked = api.post(f"/api/v1/notices/{rows[0]['id']}/read", headers=headers).json()
    assert marked == {"marked": 1, "unread": 2}
    unread = api.get("/api/v1/notices?unread=true", headers=headers).json()
    assert [r["title"] for r in unread] == ["通知1", "通知0"]
    assert api.post("/api/v1/notices/read-all", headers=headers).json() == {
        "marked": 2,
        "unread": 0,
    }
    session = _as("kj_editor")  # the browser's session works too
    assert len(session.get("/api/v1/notices").json()) == 3
    assert "/api/v1/notices" in Client().get("/api/openapi.json").json()["paths"]


def test_x04_the_notices_page_pages_by_keyset() -> None:
    """X-04: 55 notices page 50 + 5 through the "older" link (the shared cursor)."""
    for i in range(55):
        _tell("kj_editor", f"通知{i:03d}")
    editor = _as("kj_editor")
    seen: list[str] = []
    url = "/notices/"
    for _ in range(3):
        body = editor.get(url).content.decode()
        seen += re.findall(r"通知\d{3}", body)
        older = re.search(r'<a href="(\?[^"]*before=[^"]+)">', body)
        if not older:
            break
        url = "/notices/" + older.group(1).replace("&amp;", "&")
    assert seen == [f"通知{i:03d}" for i in reversed(range(55))]


def _titles(username: str) -> dict[str, str]:
    """The person's notices page: title → where its link leads (opening marks it read)."""
    body = _as(username).get("/notices/").content.decode()
    return dict(
        (title, Notice.objects.get(pk=int(pk)).link)
        for pk, title in re.findall(
            r'<a href="/notices/(\d+)/open/" class="notice-link">([^<]+)</a>', body
        )
    )


def _post(**extra: object) -> Post:
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title=str(extra.pop("title", "天气预报")),
        body=TEXT,
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
        **extra,  # type: ignore[arg-type]
    )
    wf.submit_for_review(post, actor=person("kj_editor"))
    return post


def test_x04_every_alert_reaches_its_persons_notices_page() -> None:
    """X-04, W-10, W-11, W-14: slot alert, slot breach, correction escalation, expired
    approval and rejection each appear on the addressee's notices page with a link that
    opens the object."""
    # W-10: the empty 08:00 slot is alerted at 07:50 and breached after 08:00.
    with time_machine.travel(datetime(2026, 11, 26, 6, 0, tzinfo=TZ), tick=False):
        tick()
    slot = Deadline.objects.get(
        kind=DeadlineKind.SLOT,
        channel=channel(W, "city_weibo"),
        due_at=datetime(2026, 11, 26, 8, 0, tzinfo=TZ),
    )
    with time_machine.travel(datetime(2026, 11, 26, 7, 51, tzinfo=TZ), tick=False):
        tick()
    with time_machine.travel(datetime(2026, 11, 26, 8, 1, tzinfo=TZ), tick=False):
        tick()
    publisher = _titles("kj_publisher")
    assert publisher[f"提醒：{slot.title}"] == f"/oversight/deadlines/?d={slot.pk}#d{slot.pk}"
    assert publisher[f"超时：{slot.title}"].endswith(f"#d{slot.pk}")

    # W-11: a correction not made in 5 minutes is escalated to the unit's leader.
    issued = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
    with time_machine.travel(issued, tick=False):
        material = content.submit_material(
            unit(W, "city_observatory"),
            actor=person("qxt_officer"),
            drop_box=unit(W, "city_tech_centre"),
            title="上午预报",
            body=TEXT,
            source="市气象台",
        )
        wf.approve_step(
            StepRun.objects.get(run__submission=material, status="pending"),
            actor=person("qxt_leader"),
        )
        original = _post(title="上午预报", materials=[Submission.objects.get(pk=material.pk)])
        wf.approve_step(
            StepRun.objects.get(run__post=original, status="pending"), actor=person("kj_leader")
        )
        intents = publishing.schedule_post(original, actor=person("kj_publisher"))
        PublishIntent.objects.filter(pk__in=[i.pk for i in intents]).update(
            status=IntentStatus.PUBLISHED, due_at=issued, published_at=issued
        )
        content.mark_published(original, revision=original.current_revision)  # type: ignore[arg-type]
        original.refresh_from_db()
        correction = oversight.issue_correction(
            original, actor=person("qxt_officer"), text="最高气温订正为18摄氏度"
        )
    with time_machine.travel(issued + timedelta(minutes=6), tick=False):
        tick()
    assert _titles("kj_leader")[f"督办：{correction.title}"] == (
        f"/oversight/deadlines/?d={correction.pk}#d{correction.pk}"
    )
    assert _titles("kj_editor")["气象台发布订正：《上午预报》"] == (
        f"/content/posts/{original.pk}/#corrections"
    )

    # Issue 5 §3: an approval after its slot expires the post and tells editor and reviewer.
    with time_machine.travel(datetime(2026, 11, 26, 10, 0, tzinfo=TZ), tick=False):
        late = _post(title="迟到的预报", planned_at=datetime(2026, 11, 26, 10, 30, tzinfo=TZ))
    with time_machine.travel(datetime(2026, 11, 26, 11, 0, tzinfo=TZ), tick=False):
        wf.approve_step(
            StepRun.objects.get(run__post=late, status="pending"), actor=person("kj_leader")
        )
        publishing.auto_schedule_due()
    for who in ["kj_editor", "kj_leader"]:
        assert _titles(who)["稿件《迟到的预报》已过期"] == f"/content/posts/{late.pk}/"

    # W-14: a rejection tells the author.
    rejected = _post(title="退回的预报")
    wf.reject_step(
        StepRun.objects.get(run__post=rejected, status="pending"),
        actor=person("kj_leader"),
        reason="数据待核实",
    )
    assert _titles("kj_editor")["稿件《退回的预报》审核未通过"] == f"/content/posts/{rejected.pk}/"

    # Every link opens its object for the person told, and the object is on that page.
    for who in ["kj_publisher", "kj_leader", "kj_editor"]:
        c = _as(who)
        for link in _titles(who).values():
            path, _, anchor = link.partition("#")
            opened = c.get(path.replace("&amp;", "&"))
            assert opened.status_code == 200, (who, link)
            if anchor:
                assert f'id="{anchor}"' in opened.content.decode(), (who, link)
