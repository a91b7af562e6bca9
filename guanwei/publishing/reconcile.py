"""Reconciling what the dispatcher could not confirm, and polling asynchronous publishes
(REQ X-03, DESIGN invariant 2): an ``unknown`` outcome is settled by asking the platform for
the account's recent posts and matching the content — never by a blind retry; a WeChat
``remote_pending`` job is polled until the platform says published or failed."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from guanwei.audit.events import AuditAction
from guanwei.publishing.adapters.base import AdapterError
from guanwei.publishing.dispatch import (
    LEASE,
    MAX_ATTEMPTS,
    _audit,
    _backoff,
    _post_published_if_complete,
    adapter_for,
    build_request,
)
from guanwei.publishing.events import announce_published
from guanwei.publishing.models import IntentStatus, PublishAttempt, PublishIntent

log = logging.getLogger("guanwei.dispatch")


# ------------------------------------------------------------------ reconciling and polling


def _lease(status: str, limit: int, token: str) -> list[int]:
    now = timezone.now()
    free = Q(status=status) & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    ids = list(
        PublishIntent.objects.filter(free).order_by("id").values_list("id", flat=True)[:limit]
    )
    if ids:
        PublishIntent.objects.filter(free, pk__in=ids).update(
            lease_owner=token, lease_until=now + LEASE
        )
    return list(
        PublishIntent.objects.filter(status=status, lease_owner=token).values_list("id", flat=True)
    )


def reconcile_unknown(worker: str, *, limit: int = 10) -> int:
    """Ask the platform whether an unknown publish arrived, matching the content: found →
    published; absent once the platform's settle time has passed → retry (it never
    arrived); the platform unreachable or still settling → ask again later."""
    token = f"{worker}:r{uuid.uuid4().hex[:8]}"
    done = 0
    for intent_id in _lease(IntentStatus.UNKNOWN, limit, token):
        intent = PublishIntent.objects.select_related("revision", "channel", "post").get(
            pk=intent_id
        )
        try:
            adapter = adapter_for(intent)
            found = adapter.find_published(build_request(intent), limit=100)
        except Exception as e:  # the platform unreachable, or a bug: ask again later
            if not isinstance(e, AdapterError):
                log.exception("intent %s: reconciliation failed", intent.pk)
            PublishIntent.objects.filter(pk=intent.pk, lease_owner=token).update(
                lease_owner="",
                lease_until=timezone.now() + timedelta(seconds=30),
                error_message=getattr(e, "user_message", "") or str(e),
            )
            continue
        now = timezone.now()
        settled = intent.sent_at is None or now - intent.sent_at >= timedelta(
            seconds=adapter.settle_seconds
        )
        if found is None and not settled:
            PublishIntent.objects.filter(pk=intent.pk, lease_owner=token).update(
                lease_owner="", lease_until=now + timedelta(seconds=2)
            )
            continue
        with transaction.atomic():
            if found is not None:
                won = PublishIntent.objects.filter(
                    pk=intent.pk, lease_owner=token, status=IntentStatus.UNKNOWN
                ).update(
                    status=IntentStatus.PUBLISHED,
                    remote_id=found.remote_id,
                    remote_url=found.url,
                    published_at=now,
                    lease_owner="",
                    lease_until=None,
                    error_code="",
                    error_message="",
                )
                if won:
                    PublishAttempt.objects.create(
                        intent=intent,
                        worker=token,
                        started_at=now,
                        finished_at=now,
                        outcome="reconciled",
                        message=f"平台上已找到：{found.remote_id}",
                    )
                    _audit(
                        intent,
                        AuditAction.PUBLISH_RECONCILED,
                        {"found": True, "remote_id": found.remote_id},
                    )
                    _post_published_if_complete(intent)
                    announce_published([intent])
            elif intent.attempts >= MAX_ATTEMPTS:
                # Every attempt ended unknown (e.g. 5xx each time) and none arrived: stop.
                won = PublishIntent.objects.filter(
                    pk=intent.pk, lease_owner=token, status=IntentStatus.UNKNOWN
                ).update(
                    status=IntentStatus.FAILED,
                    lease_owner="",
                    lease_until=None,
                    error_message=(
                        f"已发送 {intent.attempts} 次，平台均未确认，平台上也未找到该内容，"
                        "已停止重试。请检查平台状态后重新安排发布。"
                    ),
                )
                if won:
                    PublishAttempt.objects.create(
                        intent=intent,
                        worker=token,
                        started_at=now,
                        finished_at=now,
                        outcome="reconciled",
                        message="平台上未找到该内容",
                    )
                    _audit(
                        intent,
                        AuditAction.PUBLISH_FAILED,
                        {"found": False, "attempts": intent.attempts, "code": intent.error_code},
                    )
            else:
                # Never arrived: send again — at once after one lost attempt (a crash),
                # with backoff when attempts keep ending unknown (a failing platform).
                delay = _backoff(intent.attempts - 1) if intent.attempts > 1 else timedelta(0)
                won = PublishIntent.objects.filter(
                    pk=intent.pk, lease_owner=token, status=IntentStatus.UNKNOWN
                ).update(
                    status=IntentStatus.RETRY,
                    next_attempt_at=now + delay,
                    lease_owner="",
                    lease_until=None,
                    error_message="平台上未找到，将重新发送。",
                )
                if won:
                    PublishAttempt.objects.create(
                        intent=intent,
                        worker=token,
                        started_at=now,
                        finished_at=now,
                        outcome="reconciled",
                        message="平台上未找到该内容",
                    )
                    _audit(intent, AuditAction.PUBLISH_RECONCILED, {"found": False})
        done += 1
    return done


def poll_remote_pending(worker: str, *, limit: int = 20) -> int:
    """WeChat publishes asynchronously: ask for the result of each pending job."""
    token = f"{worker}:p{uuid.uuid4().hex[:8]}"
    done = 0
    for intent_id in _lease(IntentStatus.REMOTE_PENDING, limit, token):
        intent = PublishIntent.objects.select_related("channel", "post", "revision").get(
            pk=intent_id
        )
        try:
            result = adapter_for(intent).publish_status(intent.remote_id)
        except AdapterError as e:
            if e.permanent:
                with transaction.atomic():
                    won = PublishIntent.objects.filter(pk=intent.pk, lease_owner=token).update(
                        status=IntentStatus.FAILED,
                        error_code=e.code,
                        error_message=e.user_message or str(e),
                        lease_owner="",
                        lease_until=None,
                    )
                    if won:
                        _audit(intent, AuditAction.PUBLISH_FAILED, {"code": e.code})
            else:
                PublishIntent.objects.filter(pk=intent.pk, lease_owner=token).update(
                    lease_owner="", lease_until=timezone.now() + timedelta(seconds=5)
                )
            continue
        with transaction.atomic():
            if result.state == "pending":
                PublishIntent.objects.filter(pk=intent.pk, lease_owner=token).update(
                    lease_owner="", lease_until=timezone.now() + timedelta(seconds=2)
                )
                continue
            won = PublishIntent.objects.filter(
                pk=intent.pk, lease_owner=token, status=IntentStatus.REMOTE_PENDING
            ).update(
                status=IntentStatus.PUBLISHED,
                remote_url=result.url,
                published_at=timezone.now(),
                lease_owner="",
                lease_until=None,
            )
            if won:
                _audit(
                    intent,
                    AuditAction.PUBLISHED,
                    {"remote_id": intent.remote_id, "url": result.url},
                )
                _post_published_if_complete(intent)
                announce_published([intent])
        done += 1
    return done
