"""The dispatcher: claim due intents, send exactly once, reconcile what is unknown
(REQ X-03, DESIGN invariant 2).

States: scheduled/retry → claimed (lease) → sending (committed BEFORE the remote call) →
published | remote_pending (WeChat's asynchronous publish) | retry (transient error, backoff)
| failed (permanent, with the platform's code and a cause a person can act on) | unknown
(timeout or crash after sending: reconciled by asking the platform for the account's
recent posts and matching the content — never by a blind retry).

Workers claim with a conditional UPDATE and a per-claim token, so any number of processes
(and threads) on SQLite or PostgreSQL never deliver the same intent twice.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from guanwei.audit.actions import record, record_many
from guanwei.audit.events import AuditAction
from guanwei.content import actions as content_actions
from guanwei.content.models import PostStatus
from guanwei.publishing.adapters.base import AdapterError, Media, PublishRequest, PublishResult
from guanwei.publishing.credentials import settings_for
from guanwei.publishing.events import announce_published
from guanwei.publishing.models import (
    OPEN_STATUSES,
    IntentStatus,
    PublishAttempt,
    PublishIntent,
)
from guanwei.workflow.queries import publishable_revision, publishable_revisions

log = logging.getLogger("guanwei.dispatch")

LEASE = timedelta(seconds=120)
MAX_ATTEMPTS = 8


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 600))


@dataclass
class Claim:
    token: str
    ids: list[int]


def claim_due(worker: str, *, limit: int = 20, now: datetime | None = None) -> Claim:
    """Lease up to ``limit`` due intents for this worker. The conditional UPDATE only
    touches rows still due and unleased; the token tells this claim's rows apart."""
    now = now or timezone.now()
    token = f"{worker}:{uuid.uuid4().hex[:12]}"
    due = Q(status__in=[IntentStatus.SCHEDULED, IntentStatus.RETRY], due_at__lte=now) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    with transaction.atomic():
        candidates = PublishIntent.objects.filter(due).order_by("due_at", "id")
        if connection.vendor == "postgresql":
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("id", flat=True)[:limit])
        if ids:
            PublishIntent.objects.filter(due, pk__in=ids).update(
                status=IntentStatus.CLAIMED, lease_owner=token, lease_until=now + LEASE
            )
    mine = list(
        PublishIntent.objects.filter(lease_owner=token, status=IntentStatus.CLAIMED).values_list(
            "id", flat=True
        )
    )
    return Claim(token, mine)


def recover_expired_leases(now: datetime | None = None) -> int:
    """A worker died: claimed-but-unsent intents are due again (nothing was sent); an intent
    left in ``sending`` may or may not have reached the platform → unknown, reconcile."""
    now = now or timezone.now()
    freed = PublishIntent.objects.filter(status=IntentStatus.CLAIMED, lease_until__lt=now).update(
        status=IntentStatus.SCHEDULED, lease_owner="", lease_until=None
    )
    stuck = list(PublishIntent.objects.filter(status=IntentStatus.SENDING, lease_until__lt=now))
    for intent in stuck:
        with transaction.atomic():
            won = PublishIntent.objects.filter(
                pk=intent.pk, status=IntentStatus.SENDING, lease_until__lt=now
            ).update(
                status=IntentStatus.UNKNOWN,
                lease_owner="",
                lease_until=None,
                error_code="crash",
                error_message="发送过程中断，正在向平台核实是否已发布。",
            )
            if won:
                # Close the attempt the dead worker left open, so the post page does not
                # show it as "sending" forever.
                PublishAttempt.objects.filter(
                    intent=intent, outcome="sending", finished_at__isnull=True
                ).update(finished_at=now, outcome="unknown", code="crash")
                _audit(intent, AuditAction.PUBLISH_UNKNOWN, {"reason": "lease expired in sending"})
    return freed + len(stuck)


def _audit(intent: PublishIntent, action: AuditAction, after: dict[str, Any]) -> None:
    record(
        action,
        actor=None,
        object_type="publish_intent",
        object_id=intent.pk,
        object_repr=f"稿件 {intent.post_id} → 账号 {intent.channel_id}",
        organisation_id=intent.organisation_id,
        after={
            "post": intent.post_id,
            "channel": intent.channel_id,
            "content_hash": intent.content_hash,
            **after,
        },
    )


# ------------------------------------------------------------------ the request we send


def publish_text(intent: PublishIntent) -> str:
    """What the platform receives as text: the column (R-01, E-03) and the body. Weibo's
    statuses/share refuses ``#话题#`` in third-party posts, so there the column is written
    as 【话题】; elsewhere it keeps the ``#话题#`` form (docs/decisions/0003-publishing.md)."""
    revision = intent.revision
    body = revision.body.strip()
    tag = revision.hashtag
    if not tag or tag in body:
        return body
    if intent.channel.platform == "weibo":
        return f"【{tag.strip('#')}】{body}"
    return f"{tag}{body}"


def build_request(intent: PublishIntent) -> PublishRequest:
    revision = intent.revision
    media = []
    for asset in revision.assets.all():
        with asset.file.open("rb") as fh:
            media.append(
                Media(
                    filename=(asset.file.name or "file").rsplit("/", 1)[-1],
                    content_type="image/jpeg"
                    if asset.kind == "image"
                    else "application/octet-stream",
                    data=fh.read(),
                )
            )
    return PublishRequest(
        key=intent.key,
        text=publish_text(intent),
        title=revision.title,
        media=tuple(media),
        author=str(revision.created_by),
        digest=revision.body[:100],
    )


def adapter_for(intent: PublishIntent) -> Any:
    from guanwei.publishing.adapters import get_adapter

    return get_adapter(intent.channel.platform, settings_for(intent.channel))


# ------------------------------------------------------------------ delivering


def _pause_point(name: str) -> None:
    """Fault-test seam: with GUANWEI_TEST_PAUSE_AT=<name>, write a marker file and stop
    here so a test can SIGKILL the worker at exactly this point. Inert otherwise."""
    if os.environ.get("GUANWEI_TEST_PAUSE_AT") != name:
        return
    marker = os.environ.get("GUANWEI_TEST_PAUSE_MARKER", "")
    if marker:
        with open(marker, "w") as fh:
            fh.write(name)
    while True:
        time.sleep(1)


def _start_attempt(intent: PublishIntent, token: str) -> PublishAttempt | None:
    """Commit "sending" before the remote call (invariant 2). False if the lease was lost."""
    with transaction.atomic():
        now = timezone.now()
        won = PublishIntent.objects.filter(
            pk=intent.pk, status=IntentStatus.CLAIMED, lease_owner=token
        ).update(
            status=IntentStatus.SENDING,
            lease_until=now + LEASE,
            sent_at=now,
            attempts=intent.attempts + 1,
        )
        if won != 1:
            return None
        attempt = PublishAttempt.objects.create(
            intent=intent, worker=token, started_at=now, outcome="sending"
        )
        # Last before COMMIT: the audit chain's lock is one for the whole system.
        _audit(intent, AuditAction.PUBLISH_SENDING, {"attempt": intent.attempts + 1})
        return attempt


def _finish(
    intent: PublishIntent,
    token: str,
    attempt: PublishAttempt,
    *,
    status: str,
    outcome: str,
    code: str = "",
    message: str = "",
    result: PublishResult | None = None,
    next_attempt_at: datetime | None = None,
) -> bool:
    with transaction.atomic():
        now = timezone.now()
        fields: dict[str, Any] = {
            "status": status,
            "lease_owner": "",
            "lease_until": None,
            "error_code": code,
            "error_message": message,
            "next_attempt_at": next_attempt_at,
        }
        if result is not None:
            fields.update(remote_id=result.remote_id, remote_url=result.url)
        if status == IntentStatus.PUBLISHED:
            fields["published_at"] = now
        won = PublishIntent.objects.filter(
            pk=intent.pk, status=IntentStatus.SENDING, lease_owner=token
        ).update(**fields)
        PublishAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=now, outcome=outcome, code=code, message=message
        )
        if won != 1:
            log.warning("intent %s: lease lost before recording %s", intent.pk, outcome)
            return False
        actions: dict[str, AuditAction] = {
            IntentStatus.PUBLISHED: AuditAction.PUBLISHED,
            IntentStatus.FAILED: AuditAction.PUBLISH_FAILED,
            IntentStatus.UNKNOWN: AuditAction.PUBLISH_UNKNOWN,
        }
        if status == IntentStatus.PUBLISHED:
            _post_published_if_complete(intent)
        action = actions.get(status)
        if action is not None:  # last before COMMIT: see _start_attempt
            _audit(
                intent,
                action,
                {"remote_id": result.remote_id if result else "", "code": code, "message": message},
            )
        if status == IntentStatus.PUBLISHED:
            announce_published([intent])
    return True


def _post_published_if_complete(intent: PublishIntent) -> None:
    siblings = PublishIntent.objects.filter(post_id=intent.post_id, revision_id=intent.revision_id)
    if not siblings.filter(status__in=OPEN_STATUSES).exists():
        content_actions.set_post_status(
            intent.post, status=PostStatus.PUBLISHED, approved_revision=intent.revision
        )


def _cancel_unapproved(intent: PublishIntent, token: str) -> None:
    with transaction.atomic():
        won = PublishIntent.objects.filter(
            pk=intent.pk, status=IntentStatus.CLAIMED, lease_owner=token
        ).update(
            status=IntentStatus.CANCELLED,
            lease_owner="",
            lease_until=None,
            error_code="not_approved",
            error_message="该版本已不是审核通过的当前版本，已取消发布。",
        )
        if won:
            _audit(intent, AuditAction.PUBLISH_CANCELLED, {"reason": "not approved"})


def _unsent_error(intent: PublishIntent, token: str, e: Exception) -> str:
    """The request could not be built (settings, media files): nothing was sent, so
    trying again is safe — with backoff; failed when permanent or after MAX_ATTEMPTS."""
    attempts = intent.attempts + 1
    failed = (isinstance(e, AdapterError) and e.permanent) or attempts >= MAX_ATTEMPTS
    code = e.code if isinstance(e, AdapterError) else "internal"
    message = (e.user_message if isinstance(e, AdapterError) else "") or "准备发布内容时出错。"
    status = IntentStatus.FAILED if failed else IntentStatus.RETRY
    with transaction.atomic():
        won = PublishIntent.objects.filter(
            pk=intent.pk, status=IntentStatus.CLAIMED, lease_owner=token
        ).update(
            status=status,
            attempts=attempts,
            lease_owner="",
            lease_until=None,
            error_code=code,
            error_message=message,
            next_attempt_at=None if failed else timezone.now() + _backoff(attempts),
        )
        if won and failed:
            _audit(intent, AuditAction.PUBLISH_FAILED, {"code": code, "message": message})
    return status


def deliver(intent_id: int, token: str) -> str:
    """Send one claimed intent. Returns the resulting status."""
    intent = PublishIntent.objects.select_related(
        "revision", "channel", "post", "revision__created_by"
    ).get(pk=intent_id)
    revision = publishable_revision(intent.post)
    if (
        revision is None
        or revision.pk != intent.revision_id
        or revision.content_hash != intent.content_hash
    ):
        # Invariant 1 at the last moment: the approval no longer covers this content.
        _cancel_unapproved(intent, token)
        return IntentStatus.CANCELLED
    try:  # before "sending": a request that cannot be built was never sent
        adapter, request = adapter_for(intent), build_request(intent)
    except Exception as e:
        log.exception("intent %s: could not prepare the request", intent.pk)
        return _unsent_error(intent, token, e)
    _pause_point("claimed")
    attempt = _start_attempt(intent, token)
    if attempt is None:
        return "lost"
    _pause_point("sending")
    # Only what _start_attempt changed: a full refresh drops the select_related rows.
    intent.refresh_from_db(fields=["status", "attempts", "sent_at", "lease_until"])
    try:
        result = adapter.publish(request)
        _pause_point("answered")
    except AdapterError as e:
        return _after_error(intent, token, attempt, e)
    except Exception as e:  # a bug or an unexpected library error: treat as unknown
        log.exception("intent %s: unexpected error while publishing", intent.pk)
        err = AdapterError(
            str(e),
            permanent=False,
            code="internal",
            user_message="发送时发生内部错误，正在向平台核实。",
        )
        err.unknown_outcome = True  # type: ignore[misc]
        return _after_error(intent, token, attempt, err)
    status = IntentStatus.REMOTE_PENDING if result.state == "pending" else IntentStatus.PUBLISHED
    _finish(
        intent,
        token,
        attempt,
        status=status,
        outcome="pending" if status == IntentStatus.REMOTE_PENDING else "ok",
        result=result,
    )
    return status


def _after_error(
    intent: PublishIntent, token: str, attempt: PublishAttempt, e: AdapterError
) -> str:
    message = e.user_message or str(e)
    if e.code == "duplicate" and intent.attempts > 1:
        # An earlier attempt whose outcome we never heard did land: reconcile, not fail.
        _finish(
            intent,
            token,
            attempt,
            status=IntentStatus.UNKNOWN,
            outcome="unknown",
            code=e.code,
            message="平台提示内容重复：上次发送可能已成功，正在核实。",
        )
        return IntentStatus.UNKNOWN
    if e.unknown_outcome:
        _finish(
            intent,
            token,
            attempt,
            status=IntentStatus.UNKNOWN,
            outcome="unknown",
            code=e.code,
            message=message,
        )
        return IntentStatus.UNKNOWN
    if e.permanent or intent.attempts >= MAX_ATTEMPTS:
        _finish(
            intent,
            token,
            attempt,
            status=IntentStatus.FAILED,
            outcome="permanent",
            code=e.code,
            message=message,
        )
        return IntentStatus.FAILED
    _finish(
        intent,
        token,
        attempt,
        status=IntentStatus.RETRY,
        outcome="transient",
        code=e.code,
        message=message,
        next_attempt_at=timezone.now() + _backoff(intent.attempts),
    )
    return IntentStatus.RETRY


# ------------------------------------------------------------------ delivering a batch

Send = Callable[[list[tuple[Any, PublishRequest]]], list[PublishResult | BaseException]]


def _send_in_turn(jobs: list[tuple[Any, PublishRequest]]) -> list[PublishResult | BaseException]:
    out: list[PublishResult | BaseException] = []
    for adapter, request in jobs:
        try:
            out.append(adapter.publish(request))
        except Exception as e:
            out.append(e)
    return out


def _audit_entry(
    intent: PublishIntent, action: AuditAction, after: dict[str, Any]
) -> dict[str, Any]:
    return {
        "action": action,
        "actor": None,
        "object_type": "publish_intent",
        "object_id": intent.pk,
        "object_repr": f"post {intent.post_id} → channel {intent.channel_id}",
        "organisation_id": intent.organisation_id,
        "after": {
            "post": intent.post_id,
            "channel": intent.channel_id,
            "content_hash": intent.content_hash,
            **after,
        },
    }


def deliver_batch(ids: list[int], token: str, send: Send = _send_in_turn) -> dict[int, str]:
    """Send a claim's intents: the same steps as :func:`deliver`, but set-based — one
    transaction commits "sending" for the whole batch (one audit-chain lock), the requests
    go out through ``send`` (concurrently in the worker), one transaction records the
    answers. Errors are recorded one by one as in :func:`deliver`."""
    out: dict[int, str] = {}
    intents = list(
        PublishIntent.objects.filter(pk__in=ids, status=IntentStatus.CLAIMED, lease_owner=token)
        .select_related("revision", "channel", "channel__settings", "post", "revision__created_by")
        .prefetch_related("revision__assets")
    )
    approved = publishable_revisions({i.post_id for i in intents})
    ready: list[tuple[PublishIntent, Any, PublishRequest]] = []
    for intent in intents:
        revision = approved.get(intent.post_id)
        if (
            revision is None
            or revision.pk != intent.revision_id
            or revision.content_hash != intent.content_hash
        ):
            _cancel_unapproved(intent, token)
            out[intent.pk] = IntentStatus.CANCELLED
            continue
        try:
            ready.append((intent, adapter_for(intent), build_request(intent)))
        except Exception as e:
            log.exception("intent %s: could not prepare the request", intent.pk)
            out[intent.pk] = _unsent_error(intent, token, e)
    if not ready:
        return out
    _pause_point("claimed")
    with transaction.atomic():
        now = timezone.now()
        PublishIntent.objects.filter(
            pk__in=[i.pk for i, _, _ in ready], status=IntentStatus.CLAIMED, lease_owner=token
        ).update(
            status=IntentStatus.SENDING,
            lease_until=now + LEASE,
            sent_at=now,
            attempts=F("attempts") + 1,
        )
        won = set(
            PublishIntent.objects.filter(
                pk__in=[i.pk for i, _, _ in ready], status=IntentStatus.SENDING, lease_owner=token
            ).values_list("pk", flat=True)
        )
        for intent, _, _ in ready:
            if intent.pk not in won:
                out[intent.pk] = "lost"
        ready = [r for r in ready if r[0].pk in won]
        for intent, _, _ in ready:
            intent.attempts += 1
            intent.sent_at = now
            intent.status = IntentStatus.SENDING
        attempts = PublishAttempt.objects.bulk_create(
            PublishAttempt(intent=i, worker=token, started_at=now, outcome="sending")
            for i, _, _ in ready
        )
        record_many(
            [
                _audit_entry(i, AuditAction.PUBLISH_SENDING, {"attempt": i.attempts})
                for i, _, _ in ready
            ]
        )
    _pause_point("sending")
    answers = send([(adapter, request) for _, adapter, request in ready])
    _pause_point("answered")
    oks: list[tuple[PublishIntent, PublishAttempt, PublishResult]] = []
    for (intent, _, _), attempt, answer in zip(ready, attempts, answers, strict=True):
        if isinstance(answer, PublishResult):
            oks.append((intent, attempt, answer))
            continue
        if isinstance(answer, AdapterError):
            err = answer
        else:
            log.error("intent %s: unexpected error while publishing: %r", intent.pk, answer)
            err = AdapterError(
                str(answer),
                permanent=False,
                code="internal",
                unknown_outcome=True,
                user_message="发送时发生内部错误，正在向平台核实。",
            )
        out[intent.pk] = _after_error(intent, token, attempt, err)
    if oks:
        out.update(_finish_ok(oks, token))
    return out


def _finish_ok(
    oks: list[tuple[PublishIntent, PublishAttempt, PublishResult]], token: str
) -> dict[int, str]:
    out: dict[int, str] = {}
    with transaction.atomic():
        now = timezone.now()
        published: list[tuple[PublishIntent, PublishResult]] = []
        for intent, _, result in oks:
            status = (
                IntentStatus.REMOTE_PENDING if result.state == "pending" else IntentStatus.PUBLISHED
            )
            fields: dict[str, Any] = {
                "status": status,
                "lease_owner": "",
                "lease_until": None,
                "error_code": "",
                "error_message": "",
                "next_attempt_at": None,
                "remote_id": result.remote_id,
                "remote_url": result.url,
            }
            if status == IntentStatus.PUBLISHED:
                fields["published_at"] = now
            won = PublishIntent.objects.filter(
                pk=intent.pk, status=IntentStatus.SENDING, lease_owner=token
            ).update(**fields)
            if won != 1:
                log.warning("intent %s: lease lost before recording ok", intent.pk)
                out[intent.pk] = "lost"
                continue
            out[intent.pk] = status
            if status == IntentStatus.PUBLISHED:
                published.append((intent, result))
        for outcome in ("ok", "pending"):
            chosen = [a.pk for _, a, r in oks if (r.state == "pending") == (outcome == "pending")]
            if chosen:
                PublishAttempt.objects.filter(pk__in=chosen).update(
                    finished_at=now, outcome=outcome, code="", message=""
                )
        if published:
            keys = {(i.post_id, i.revision_id) for i, _ in published}
            still_open = set(
                PublishIntent.objects.filter(
                    post_id__in={k[0] for k in keys}, status__in=OPEN_STATUSES
                ).values_list("post_id", "revision_id")
            )
            done_posts = {}
            for intent, _ in published:
                if (intent.post_id, intent.revision_id) not in still_open:
                    done_posts[intent.post_id] = intent
            for intent in done_posts.values():
                content_actions.set_post_status(
                    intent.post, status=PostStatus.PUBLISHED, approved_revision=intent.revision
                )
            record_many(
                [
                    _audit_entry(
                        i,
                        AuditAction.PUBLISHED,
                        {"remote_id": r.remote_id, "code": "", "message": ""},
                    )
                    for i, r in published
                ]
            )
            announce_published(i for i, _ in published)
    return out
