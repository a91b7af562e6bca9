"""One gate decides whether an intent may send (REQ X-03, T-04; DESIGN invariants 1 and 2).

Nothing reaches a platform that was not approved in exactly that form; what was approved
goes out exactly once; the post's state is never set back to an older revision. Each test
here reproduces a break found in issue #8 §1 and §3.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.channels import actions as channel_actions
from guanwei.channels.models import ChannelStatus
from guanwei.content import actions as content
from guanwei.content.models import Post, PostStatus
from guanwei.orgs.errors import InvalidChange
from guanwei.orgs.permissions import SYSTEM
from guanwei.publishing import actions, dispatch, reconcile
from guanwei.publishing.adapters.base import PublishRequest, PublishResult
from guanwei.publishing.fakes import FakePlatforms, demo_settings, start_fakes
from guanwei.publishing.models import ChannelSettings, IntentStatus, PublishIntent
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
W = "demo_weather"
C = "demo_college"
TEXT = "明天多云转晴，气温12到20摄氏度，偏北风3级。"


def _approve(post: Post, reviewer: str = "kj_leader") -> Post:
    wf.submit_for_review(post, actor=post.created_by)
    while True:
        step = StepRun.objects.filter(run__post=post, status="pending").first()
        if step is None:
            break
        wf.approve_step(step, actor=person(reviewer))
    post.refresh_from_db()
    return post


def _weather_post(**extra: Any) -> Post:
    post = content.create_post(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        title="天气预报",
        body=TEXT,
        category="forecast",
        channels=[channel(W, "city_weibo")],
        source="市气象台",
        **extra,
    )
    return _approve(post)


class Sent:
    """A ``send`` for ``deliver_batch`` that records what would reach the platform."""

    def __init__(self, during: Any = None, state: str = "published") -> None:
        self.requests: list[PublishRequest] = []
        self.during = during
        self.state = state

    def __call__(self, jobs: list[tuple[Any, PublishRequest]]) -> list[Any]:
        if self.during is not None:
            self.during()
        out = []
        for _, request in jobs:
            self.requests.append(request)
            out.append(
                PublishResult(remote_id=f"r{len(self.requests)}", url="", state=self.state, raw={})
            )
        return out


def png_bytes(color: tuple[int, int, int] = (135, 206, 235)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, format="PNG")
    return out.getvalue()


def _revise(post: Post, body: str) -> None:
    content.revise_post(post, actor=person("kj_editor"), body=body)


# ---------------------------------------------------------------- §1 edit during delivery


def test_an_edit_while_the_dispatcher_prepares_the_send_publishes_nothing_unreviewed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """T-04, X-03: v1 approved and due; the dispatcher has claimed it and is building the
    request when the editor saves v2. v1 must not go out as the post's publication and v2
    (never reviewed) must stay submittable."""
    post = _weather_post()
    actions.schedule_post(post, actor=person("kj_publisher"))
    claim = dispatch.claim_due("gate")
    assert len(claim.ids) == 1
    real = dispatch.build_request
    edited: list[bool] = []

    def build_and_edit(intent: PublishIntent) -> PublishRequest:
        if not edited:
            edited.append(True)
            _revise(post, TEXT + "（未经审核的改动）")
        return real(intent)

    monkeypatch.setattr(dispatch, "build_request", build_and_edit)
    sent = Sent()
    dispatch.deliver_batch(claim.ids, claim.token, send=sent)
    assert sent.requests == []
    intent = PublishIntent.objects.get(pk=claim.ids[0])
    assert intent.status == IntentStatus.CANCELLED
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert post.current_revision is not None and post.current_revision.number == 2
    wf.submit_for_review(post, actor=person("kj_editor"))  # v2 can go to review


def test_a_post_whose_send_is_in_flight_cannot_be_revised() -> None:
    """X-03: while the platform call is under way the text cannot change under it; the
    editor is told why (the form keeps the edit)."""
    post = _weather_post()
    actions.schedule_post(post, actor=person("kj_publisher"))
    claim = dispatch.claim_due("gate")
    refused: list[str] = []

    def edit_now() -> None:
        try:
            _revise(post, TEXT + "（发送中修改）")
        except InvalidChange as e:
            refused.append(e.message)

    sent = Sent(during=edit_now)
    dispatch.deliver_batch(claim.ids, claim.token, send=sent)
    assert len(sent.requests) == 1
    assert refused and "正在发送" in refused[0]
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert post.current_revision is not None and post.current_revision.number == 1


def test_an_edit_cancels_the_scheduled_publication_and_says_so_in_the_audit_log() -> None:
    """X-03, X-01: revising a scheduled post cancels its open intents at once, through the
    publishing room, audited with the editor as the actor."""
    post = _weather_post()
    [intent] = actions.schedule_post(
        post, actor=person("kj_publisher"), at=timezone.now() + timedelta(hours=2)
    )
    _revise(post, TEXT + "（补充）")
    intent.refresh_from_db()
    assert intent.status == IntentStatus.CANCELLED
    cancelled = AuditRecord.objects.filter(
        action=AuditAction.PUBLISH_CANCELLED, object_type="publish_intent", object_id=intent.pk
    )
    assert cancelled.count() == 1
    assert cancelled.get().actor_id == person("kj_editor").pk


def test_the_sending_transition_itself_checks_the_approval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """X-03: the move to "sending" is one conditional UPDATE that requires the intent's
    revision to be the post's current and approved one — even when every earlier check
    was skipped (here: the approval withdrawn behind the dispatcher's back)."""
    post = _weather_post()
    actions.schedule_post(post, actor=person("kj_publisher"))
    claim = dispatch.claim_due("gate")
    real = dispatch.build_request

    def build_and_unapprove(intent: PublishIntent) -> PublishRequest:
        Post.objects.filter(pk=post.pk).update(status=PostStatus.DRAFT, approved_revision=None)
        return real(intent)

    monkeypatch.setattr(dispatch, "build_request", build_and_unapprove)
    sent = Sent()
    dispatch.deliver_batch(claim.ids, claim.token, send=sent)
    assert sent.requests == []


def test_a_suspended_account_gets_nothing_and_closing_it_cancels_its_intents() -> None:
    """C-12, X-03: an account that is not active receives nothing; suspending it cancels
    what was scheduled for it (audited)."""
    post = _weather_post()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    weibo = channel(W, "city_weibo")
    channel_actions.change_channel(weibo, actor=SYSTEM, status=ChannelStatus.SUSPENDED)
    intent.refresh_from_db()
    assert intent.status == IntentStatus.CANCELLED
    assert AuditRecord.objects.filter(
        action=AuditAction.PUBLISH_CANCELLED, object_id=intent.pk
    ).exists()
    assert dispatch.claim_due("gate").ids == []


def test_the_bytes_sent_are_the_bytes_approved(settings: Any) -> None:
    """X-03, E-02: a picture whose file changed on disk after approval is not sent."""
    settings.GUANWEI_OCR = False  # the picture's text (C-06) is test_ocr's and test_upload_limits'
    from django.core.files.uploadedfile import SimpleUploadedFile

    asset = content.upload_asset(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        upload=SimpleUploadedFile("map.png", png_bytes(), content_type="image/png"),
        title="雷达图",
    )
    post = _weather_post(assets=[asset])
    actions.schedule_post(post, actor=person("kj_publisher"))
    with asset.file.open("wb") as fh:  # changed behind the approval's back
        fh.write(png_bytes(color=(200, 0, 0)))
    claim = dispatch.claim_due("gate")
    sent = Sent()
    dispatch.deliver_batch(claim.ids, claim.token, send=sent)
    assert sent.requests == []
    intent = PublishIntent.objects.get(pk=claim.ids[0])
    assert intent.status == IntentStatus.FAILED
    assert "文件" in intent.error_message


def test_the_byline_sent_is_fixed_by_the_channel_not_by_whoever_typed_the_revision() -> None:
    """X-03: the author field the platform shows is not part of the approved content, so
    it comes from the account, never from the revision's typist."""
    post = _weather_post()
    actions.schedule_post(post, actor=person("kj_publisher"))
    claim = dispatch.claim_due("gate")
    sent = Sent()
    dispatch.deliver_batch(claim.ids, claim.token, send=sent)
    [request] = sent.requests
    assert request.author != str(person("kj_editor"))
    assert request.author == channel(W, "city_weibo").name


# ---------------------------------------------------------------- §1 async completion


@pytest.fixture
def fakes() -> Iterator[FakePlatforms]:
    platforms = start_fakes(publish_delay_s=0.2)
    try:
        yield platforms
    finally:
        platforms.stop()


def college_wechat_pending(fakes: FakePlatforms, **values: str) -> PublishIntent:
    """A college WeChat post approved, sent and left pending at the platform (its job
    takes ten minutes); ``values`` go into the account's settings."""
    ChannelSettings.objects.update_or_create(
        channel=channel(C, "info_wechat"),
        defaults={"values": {**demo_settings(fakes)["wechat"], **values}},
    )
    fakes.control("wechat", publish_delay_ms=600_000)
    post = content.create_post(
        unit(C, "info_college"),
        actor=person("col_xx_manager"),
        title="学院通知",
        body="我院图书馆寒假开放时间调整为每天九点至十七点。",
        category="news",
        channels=[channel(C, "info_wechat")],
    )
    _approve(post, "col_xx_secretary")
    [intent] = actions.schedule_post(post, actor=person("col_xx_manager"))
    claim = dispatch.claim_due("test")
    assert dispatch.deliver(claim.ids[0], claim.token) == IntentStatus.REMOTE_PENDING
    return intent


def _poll_until_settled(intent: PublishIntent, seconds: float = 10) -> None:
    deadline = timezone.now() + timedelta(seconds=seconds)
    intent.refresh_from_db()
    while intent.status == IntentStatus.REMOTE_PENDING and timezone.now() < deadline:
        PublishIntent.objects.filter(pk=intent.pk).update(lease_until=None)
        reconcile.poll_remote_pending("test")
        intent.refresh_from_db()


def test_a_late_asynchronous_completion_never_sets_the_post_back_to_an_older_version(
    fakes: FakePlatforms,
) -> None:
    """X-03: v1 sent to WeChat (pending at the platform) → the editor revises to v2 → v2 is
    approved and scheduled → WeChat then reports v1 published. The publication of v1 is
    recorded on its intent; the post stays on v2, and v2 goes out."""
    ChannelSettings.objects.update_or_create(
        channel=channel(C, "info_wechat"), defaults={"values": demo_settings(fakes)["wechat"]}
    )
    fakes.control("wechat", publish_delay_ms=60_000)  # the platform takes its time
    post = content.create_post(
        unit(C, "info_college"),
        actor=person("col_xx_manager"),
        title="学院新闻",
        body="我院学生在全省职业技能大赛中获得一等奖。",
        category="news",
        channels=[channel(C, "info_wechat")],
    )
    _approve(post, "col_xx_secretary")
    actions.schedule_post(post, actor=person("col_xx_manager"))
    claim = dispatch.claim_due("test")
    assert dispatch.deliver(claim.ids[0], claim.token) == IntentStatus.REMOTE_PENDING
    v1 = PublishIntent.objects.get(pk=claim.ids[0])

    content.revise_post(
        post, actor=person("col_xx_manager"), body="我院学生在全省职业技能大赛中获得一等奖两项。"
    )
    _approve(post, "col_xx_secretary")
    [v2] = actions.schedule_post(post, actor=person("col_xx_manager"))
    fakes.control("wechat", publish_delay_ms=100)
    for job in fakes.wechat.data.jobs.values():  # v1's job finishes now
        job.ready = 0
    _poll_until_settled(v1)
    v1.refresh_from_db()
    assert v1.status == IntentStatus.PUBLISHED
    post.refresh_from_db()
    assert post.current_revision_id == v2.revision_id
    assert post.status == PostStatus.SCHEDULED
    assert post.approved_revision_id == v2.revision_id

    claim = dispatch.claim_due("test")
    assert claim.ids == [v2.pk]
    assert dispatch.deliver(v2.pk, claim.token) == IntentStatus.REMOTE_PENDING
    _poll_until_settled(v2)
    v2.refresh_from_db()
    assert v2.status == IntentStatus.PUBLISHED
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert post.approved_revision_id == v2.revision_id


# ---------------------------------------------------------------- §3 no dead ends


def test_a_cancelled_publication_can_be_published_now() -> None:
    """W-10, X-03: approve → auto-scheduled for the slot → 取消 → 立即发布 works (the
    uniqueness covers active intents only)."""
    post = _weather_post(planned_at=timezone.now() + timedelta(hours=3))
    actions.auto_schedule_due()
    [intent] = PublishIntent.objects.filter(post=post)
    actions.cancel_intent(intent, actor=person("kj_publisher"))
    [again] = actions.schedule_post(post, actor=person("kj_publisher"))
    assert again.pk != intent.pk
    assert again.status == IntentStatus.SCHEDULED
    assert again.due_at <= timezone.now()


def test_publish_now_on_an_auto_scheduled_post_moves_its_intent_to_now() -> None:
    """W-10: "publish now" on a post waiting for its slot moves the waiting intent."""
    post = _weather_post(planned_at=timezone.now() + timedelta(hours=3))
    actions.auto_schedule_due()
    [intent] = PublishIntent.objects.filter(post=post)
    [moved] = actions.schedule_post(post, actor=person("kj_publisher"))
    assert moved.pk == intent.pk
    moved.refresh_from_db()
    assert moved.due_at <= timezone.now()
    assert PublishIntent.objects.filter(post=post).count() == 1


def test_a_failed_publication_can_be_scheduled_again() -> None:
    """X-03: a permanent failure is not the end: the approved revision can be sent again."""
    post = _weather_post()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    PublishIntent.objects.filter(pk=intent.pk).update(status=IntentStatus.FAILED)
    [again] = actions.schedule_post(post, actor=person("kj_publisher"))
    assert again.pk != intent.pk


def test_cancelling_after_an_edit_is_a_message_not_an_error_page(client: Any) -> None:
    """X-03: the 取消 button of an intent the edit already cancelled answers with a
    message on the post page."""
    post = _weather_post()
    [intent] = actions.schedule_post(
        post, actor=person("kj_publisher"), at=timezone.now() + timedelta(hours=2)
    )
    _revise(post, TEXT + "（改）")
    client.force_login(person("kj_publisher"))
    response = client.post(f"/publishing/intents/{intent.pk}/cancel/", follow=True)
    assert response.status_code == 200


def test_a_remote_id_is_never_attributed_to_two_intents(monkeypatch: pytest.MonkeyPatch) -> None:
    """X-03: reconciliation that "finds" a remote post already recorded for another intent
    does not take it for this one."""
    first = _weather_post()
    actions.schedule_post(first, actor=person("kj_publisher"))
    claim = dispatch.claim_due("gate")
    dispatch.deliver_batch(claim.ids, claim.token, send=Sent())
    done = PublishIntent.objects.get(pk=claim.ids[0])
    assert done.status == IntentStatus.PUBLISHED

    second = _weather_post()
    [lost] = actions.schedule_post(second, actor=person("kj_publisher"))
    PublishIntent.objects.filter(pk=lost.pk).update(
        status=IntentStatus.UNKNOWN, sent_at=timezone.now() - timedelta(hours=1), attempts=1
    )

    class Finder:
        settle_seconds = 0

        def find_published(self, request: PublishRequest, **_: Any) -> PublishResult:
            return PublishResult(remote_id=done.remote_id, url="", state="published", raw={})

    monkeypatch.setattr(reconcile, "adapter_for", lambda intent: Finder())
    reconcile.reconcile_unknown("test")
    lost.refresh_from_db()
    assert lost.status != IntentStatus.PUBLISHED
    assert lost.remote_id != done.remote_id


# ---------------------------------------------------------------- §2 one transition table


def test_a_transition_not_in_the_table_is_refused() -> None:
    """X-03: nothing moves a published intent back to waiting."""
    from guanwei.publishing.transitions import move

    post = _weather_post()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    PublishIntent.objects.filter(pk=intent.pk).update(status=IntentStatus.PUBLISHED)
    with pytest.raises(InvalidChange, match="不能从"):
        move([intent], IntentStatus.PUBLISHED, IntentStatus.SCHEDULED)
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PUBLISHED


def test_every_transition_of_a_delivery_writes_one_audit_record() -> None:
    """X-01, X-03: scheduled → claimed → sending → published, one record each."""
    post = _weather_post()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    claim = dispatch.claim_due("gate")
    dispatch.deliver_batch(claim.ids, claim.token, send=Sent())
    story = list(
        AuditRecord.objects.filter(object_type="publish_intent", object_id=intent.pk)
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert story == [
        AuditAction.PUBLISH_SCHEDULED,
        AuditAction.PUBLISH_CLAIMED,
        AuditAction.PUBLISH_SENDING,
        AuditAction.PUBLISHED,
    ]


def test_a_late_answer_after_a_takeover_keeps_its_remote_id() -> None:
    """X-03: the dispatcher was presumed dead (its intent moved on to unknown) but the
    platform answered: the answer settles the intent and its remote id is kept."""
    post = _weather_post()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    claim = dispatch.claim_due("gate")

    def taken_over() -> None:
        PublishIntent.objects.filter(pk=intent.pk).update(
            status=IntentStatus.UNKNOWN, lease_owner="", lease_until=None
        )

    result = dispatch.deliver_batch(claim.ids, claim.token, send=Sent(during=taken_over))
    assert result == {intent.pk: IntentStatus.PUBLISHED}
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PUBLISHED and intent.remote_id == "r1"
    assert intent.log.get().remote_id == "r1"
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED


def test_a_wechat_publish_pending_too_long_becomes_unknown_and_people_are_told(
    fakes: FakePlatforms,
) -> None:
    """X-03, X-04: past the maximum age of "platform processing" the intent is unknown
    (reconciliation takes over) and the person who scheduled it gets a notice."""
    from guanwei.notify.models import Notice

    intent = college_wechat_pending(fakes)
    PublishIntent.objects.filter(pk=intent.pk).update(
        sent_at=timezone.now() - timedelta(minutes=31), lease_until=None
    )
    reconcile.poll_remote_pending("test")
    intent.refresh_from_db()
    assert intent.status == IntentStatus.UNKNOWN
    assert intent.error_code == "pending_too_long"
    assert Notice.objects.filter(
        user=person("col_xx_manager"), title__contains="长时间未完成发布"
    ).exists()


def test_the_edit_form_refuses_while_sending_and_keeps_the_text(client: Any) -> None:
    """X-03: the editor saving during a send is told why, and loses nothing typed."""
    post = _weather_post()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    PublishIntent.objects.filter(pk=intent.pk).update(status=IntentStatus.SENDING)
    client.force_login(person("kj_editor"))
    form = client.get(f"/content/posts/{post.pk}/edit/")
    assert form.status_code == 200
    typed = "明天多云转晴，气温12到21摄氏度，偏北风3级。"
    response = client.post(
        f"/content/posts/{post.pk}/edit/",
        {
            "title": "天气预报",
            "body": typed,
            "category": "forecast",
            "channels": [channel(W, "city_weibo").pk],
            "source": "市气象台",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "正在发送" in html
    assert typed in html
    post.refresh_from_db()
    assert post.current_revision is not None and post.current_revision.number == 1


def test_a_failed_send_is_a_notice_with_the_platforms_cause() -> None:
    """X-04: a permanent failure tells the publisher and the author, in Chinese."""
    from guanwei.notify.models import Notice
    from guanwei.publishing.adapters.base import AdapterError

    post = _weather_post()
    actions.schedule_post(post, actor=person("kj_publisher"))
    claim = dispatch.claim_due("gate")

    def refuse(jobs: list[Any]) -> list[Any]:
        return [
            AdapterError("x", permanent=True, code="20012", user_message="文字超过140字。")
        ] * len(jobs)

    dispatch.deliver_batch(claim.ids, claim.token, send=refuse)
    for who in ("kj_publisher", "kj_editor"):
        notice = Notice.objects.get(user=person(who), title__contains="发布失败")
        assert notice.body == "文字超过140字。"


def test_every_change_of_a_posts_state_is_audited() -> None:
    """X-01: in review → approved → scheduled → published, one record each, naming the
    revision (the content room's guarded transitions)."""
    post = _weather_post()
    actions.schedule_post(post, actor=person("kj_publisher"))
    claim = dispatch.claim_due("gate")
    dispatch.deliver_batch(claim.ids, claim.token, send=Sent())
    records = AuditRecord.objects.filter(
        action=AuditAction.POST_STATUS_CHANGED, object_type="post", object_id=post.pk
    ).order_by("seq")
    changes = [
        (r.before["status"], r.after["status"], r.after["revision"])
        for r in records
        if r.before is not None and r.after is not None
    ]
    assert changes == [
        ("draft", "in_review", 1),
        ("in_review", "approved", 1),
        ("approved", "scheduled", 1),
        ("scheduled", "published", 1),
    ]


def test_a_refusal_is_said_once_on_the_form(client: Any) -> None:
    """A refused save shows its reason once (not twice), above the kept form."""
    post = _weather_post()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    PublishIntent.objects.filter(pk=intent.pk).update(status=IntentStatus.SENDING)
    client.force_login(person("kj_editor"))
    response = client.post(
        f"/content/posts/{post.pk}/edit/",
        {
            "title": "天气预报",
            "body": TEXT + "（改）",
            "category": "forecast",
            "channels": [channel(W, "city_weibo").pk],
            "source": "市气象台",
        },
    )
    assert response.content.decode().count("发送结束前不能修改") == 1


# ---------------------------------------------------------------- the dispatcher's take


def _story_of(intent: PublishIntent) -> list[int]:
    return list(
        AuditRecord.objects.filter(object_type="publish_intent", object_id=intent.pk)
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_the_dispatcher_takes_a_due_intent_straight_to_sending_one_record_each() -> None:
    """X-01, X-03: the dispatcher's take (``deliver_due``) reads the due row locked with
    the gate as a column and moves it to "sending" in one transaction: scheduled →
    sending → published, one attempt, one audit record per move."""
    post = _weather_post()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    sent = Sent()
    assert dispatch.deliver_due("d", send=sent) == {intent.pk: IntentStatus.PUBLISHED}
    assert [r.text for r in sent.requests] == [TEXT]
    intent.refresh_from_db()
    assert intent.status == IntentStatus.PUBLISHED and intent.attempts == 1
    assert intent.lease_owner == "" and intent.remote_id == "r1"
    assert [(a.outcome, a.remote_id) for a in intent.log.all()] == [("ok", "r1")]
    assert _story_of(intent) == [
        AuditAction.PUBLISH_SCHEDULED,
        AuditAction.PUBLISH_SENDING,
        AuditAction.PUBLISHED,
    ]
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert dispatch.deliver_due("d", send=sent) == {}  # nothing due any more


def test_the_dispatcher_take_cancels_what_the_gate_refuses() -> None:
    """X-03, T-04: approval withdrawn behind the dispatcher's back (no hook ran): the
    take's gate column refuses it; it is cancelled with the reason, nothing is sent."""
    post = _weather_post()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    Post.objects.filter(pk=post.pk).update(status=PostStatus.DRAFT, approved_revision=None)
    sent = Sent()
    assert dispatch.deliver_due("d", send=sent) == {intent.pk: IntentStatus.CANCELLED}
    assert sent.requests == []
    intent.refresh_from_db()
    assert intent.status == IntentStatus.CANCELLED and intent.error_code == "not_approved"
    assert _story_of(intent)[-1] == AuditAction.PUBLISH_CANCELLED


def test_the_dispatcher_take_sends_nothing_to_an_account_no_longer_active() -> None:
    """C-12, X-03: the account stopped behind the dispatcher's back: cancelled, named."""
    post = _weather_post()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    weibo = channel(W, "city_weibo")
    type(weibo).objects.filter(pk=weibo.pk).update(status=ChannelStatus.SUSPENDED)
    sent = Sent()
    assert dispatch.deliver_due("d", send=sent) == {intent.pk: IntentStatus.CANCELLED}
    assert sent.requests == []
    intent.refresh_from_db()
    assert intent.error_code == "channel_inactive" and weibo.name in intent.error_message


def test_the_dispatcher_take_counts_a_retry_as_the_next_attempt() -> None:
    """X-03: a retry taken again is attempt n + 1 (read on the locked row)."""
    post = _weather_post()
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    PublishIntent.objects.filter(pk=intent.pk).update(status=IntentStatus.RETRY, attempts=2)
    assert dispatch.deliver_due("d", send=Sent()) == {intent.pk: IntentStatus.PUBLISHED}
    intent.refresh_from_db()
    assert intent.attempts == 3


def test_the_dispatcher_take_hands_back_a_request_it_cannot_build(settings: Any) -> None:
    """X-03, E-02: a picture changed on disk after approval: never "sending", failed with
    the cause, nothing sent."""
    settings.GUANWEI_OCR = False
    from django.core.files.uploadedfile import SimpleUploadedFile

    asset = content.upload_asset(
        unit(W, "city_tech_centre"),
        actor=person("kj_editor"),
        upload=SimpleUploadedFile("map.png", png_bytes(), content_type="image/png"),
        title="雷达图",
    )
    post = _weather_post(assets=[asset])
    [intent] = actions.schedule_post(post, actor=person("kj_publisher"))
    with asset.file.open("wb") as fh:
        fh.write(png_bytes(color=(200, 0, 0)))
    sent = Sent()
    assert dispatch.deliver_due("d", send=sent) == {intent.pk: IntentStatus.FAILED}
    assert sent.requests == []
    intent.refresh_from_db()
    assert "文件" in intent.error_message
    assert AuditAction.PUBLISH_SENDING not in _story_of(intent)


def test_the_dispatcher_take_never_takes_more_than_its_limit() -> None:
    """X-03: never more taken than threads (the limit)."""
    posts = [_weather_post() for _ in range(3)]
    for post in posts:
        actions.schedule_post(post, actor=person("kj_publisher"))
    sent = Sent()
    assert len(dispatch.deliver_due("d", limit=2, send=sent)) == 2
    assert len(dispatch.deliver_due("d", limit=2, send=sent)) == 1
