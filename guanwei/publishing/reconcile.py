"""Reconciling what the dispatcher could not confirm, and polling asynchronous publishes
(REQ X-03, DESIGN invariant 2): an ``unknown`` outcome is settled by asking the platform for
the account's recent posts and matching the content — never by a blind retry; a WeChat
``remote_pending`` job is polled until the platform says published or failed, or until it
is older than its maximum age (then unknown, and a person is told).

Matching takes only remote posts created after the attempt was sent (a repeated text —
yesterday's identical forecast — is not today's), and a remote id already recorded for
another intent is never taken for this one (also a database constraint)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from guanwei.publishing.adapters.base import AdapterError, PublishResult
from guanwei.publishing.adapters.http import call_deadline
from guanwei.publishing.dispatch import (
    MAX_ATTEMPTS,
    _backoff,
    adapter_for,
    build_request,
    lease,
    max_call,
    post_published_if_complete,
    short_name,
)
from guanwei.publishing.models import IntentStatus, PublishAttempt, PublishIntent
from guanwei.publishing.transitions import RELEASED, move

log = logging.getLogger("guanwei.dispatch")
S = IntentStatus


# ------------------------------------------------------------------ reconciling and polling


def _lease(status: str, limit: int, token: str) -> list[int]:
    """Take the reconciler's lease on up to ``limit`` intents in ``status`` (not a status
    change: only who is looking at them)."""
    now = timezone.now()
    free = Q(status=status) & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    ids = list(
        PublishIntent.objects.filter(free).order_by("id").values_list("id", flat=True)[:limit]
    )
    if ids:
        PublishIntent.objects.filter(free, pk__in=ids).update(
            lease_owner=token, lease_until=now + lease()
        )
    return list(
        PublishIntent.objects.filter(status=status, lease_owner=token).values_list("id", flat=True)
    )


def _later(intent: PublishIntent, token: str, seconds: float, **fields: Any) -> None:
    """Give the reconciler's lease back and look again in ``seconds``."""
    PublishIntent.objects.filter(pk=intent.pk, lease_owner=token).update(
        lease_owner="", lease_until=timezone.now() + timedelta(seconds=seconds), **fields
    )


def _log(intent: PublishIntent, token: str, now: datetime, message: str) -> None:
    PublishAttempt.objects.create(
        intent=intent,
        worker=token,
        started_at=now,
        finished_at=now,
        outcome="reconciled",
        message=message,
    )


def _taken_elsewhere(intent: PublishIntent, remote_id: str) -> bool:
    return (
        PublishIntent.objects.filter(channel_id=intent.channel_id, remote_id=remote_id)
        .exclude(pk=intent.pk)
        .exists()
    )


REVIEW_CODE = "pending_review"  # Weibo 20053: out, held for manual review (adapters/weibo)


def _first_sent(intent: PublishIntent) -> datetime | None:
    """When the first attempt went out: any attempt may be the one that landed."""
    first = (
        PublishAttempt.objects.filter(intent=intent)
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return first or intent.sent_at


def _job_failure(e: AdapterError) -> str:
    """'failed' (the asynchronous job did not publish), 'removed' (published, then
    deleted or banned by the platform) or '' (the query itself failed: ask again)."""
    if not e.platform_code.startswith("publish_status"):
        return ""
    return "removed" if e.code in ("deleted", "banned") else "failed"


def _after_job_error(
    intent: PublishIntent, token: str, e: AdapterError, frm: str, *, transient_seconds: float
) -> None:
    """Asking for an asynchronous job failed: a job that did not publish (2-4) fails; one
    published and then removed (5, 6) counts as published; a failed query (token, IP
    whitelist …) is not the job's failure — keep the status and ask again later."""
    outcome = _job_failure(e) if e.permanent else ""
    message = e.user_message or str(e)
    if outcome == "failed":  # nothing was published: sending again is safe
        move(
            [intent],
            frm,
            S.FAILED,
            token=token,
            fields={**RELEASED, "error_code": e.code, "error_message": message},
        )
    elif outcome == "removed":
        post_published_if_complete(
            move(
                [intent],
                frm,
                S.PUBLISHED,
                token=token,
                fields={
                    **RELEASED,
                    "published_at": timezone.now(),
                    "error_code": e.code,
                    "error_message": message,
                },
            )
        )
    else:
        _later(intent, token, transient_seconds if not e.permanent else 60, error_message=message)


def _settle_job(intent: PublishIntent, token: str, adapter: Any) -> bool:
    """An unknown intent that has an asynchronous job id (WeChat's publish_id): ask the
    job, never the article list — a job still running is not in the list, and sending
    again would publish twice. True when handled."""
    now = timezone.now()
    try:
        with call_deadline(max_call().total_seconds()):
            result: PublishResult = adapter.publish_status(intent.remote_id)
    except AdapterError as e:
        _after_job_error(intent, token, e, S.UNKNOWN, transient_seconds=60)
        return True
    if result.state == "pending":
        _later(intent, token, 30)
        return True
    post_published_if_complete(
        move(
            [intent],
            S.UNKNOWN,
            S.PUBLISHED,
            token=token,
            fields={
                **RELEASED,
                "remote_url": result.url,
                "published_at": now,
                "error_code": "",
                "error_message": "",
            },
            after={"found": True, "by": "job"},
        )
    )
    return True


def reconcile_unknown(worker: str, *, limit: int = 10) -> int:
    """Ask the platform whether an unknown publish arrived, matching the content: found →
    published; absent once the platform's settle time has passed since we last could have
    been sending → retry (it never arrived); the platform unreachable or still settling →
    ask again later."""
    token = f"{short_name(worker)}:r{uuid.uuid4().hex[:8]}"
    done = 0
    for intent_id in _lease(S.UNKNOWN, limit, token):
        intent = PublishIntent.objects.select_related("revision", "channel", "post").get(
            pk=intent_id
        )
        try:
            adapter = adapter_for(intent)
            if intent.remote_id and hasattr(adapter, "publish_status"):
                if _settle_job(intent, token, adapter):
                    done += 1
                    continue
            # Asked from the dispatcher's loop: bounded in total like a publish.
            with call_deadline(max_call().total_seconds()):
                found = adapter.find_published(
                    build_request(intent), limit=100, sent_after=_first_sent(intent)
                )
        except Exception as e:  # the platform unreachable, or a bug: ask again later
            if not isinstance(e, AdapterError):
                log.exception("intent %s: reconciliation failed", intent.pk)
            _later(intent, token, 30, error_message=getattr(e, "user_message", "") or str(e))
            continue
        if found is not None and _taken_elsewhere(intent, found.remote_id):
            log.warning("intent %s: %s already belongs to another intent", intent.pk, found)
            found = None
        now = timezone.now()
        # The settle time runs from the last moment a call could have been under way:
        # the send, or the moment its lease ran out / its answer was lost.
        marks = [t for t in (intent.sent_at, intent.next_attempt_at) if t is not None]
        since = max(marks) if marks else None
        settled = since is None or now - since >= timedelta(seconds=adapter.settle_seconds)
        if found is None and not settled:
            _later(intent, token, 2)
            continue
        if found is None and intent.error_code == REVIEW_CODE:
            # 20053: the platform said it is out, held for manual review; not listed yet.
            # Never sent again: look again, and tell a person once if it takes too long.
            _review_wait(intent, token, now)
            continue
        if found is not None:
            moved = move(
                [intent],
                S.UNKNOWN,
                S.PUBLISHED,
                token=token,
                fields={
                    **RELEASED,
                    "remote_id": found.remote_id,
                    "remote_url": found.url,
                    "published_at": now,
                    "error_code": "",
                    "error_message": "",
                    "next_attempt_at": None,
                },
                after={"found": True},
            )
            if moved:
                _log(intent, token, now, f"平台上已找到：{found.remote_id}")
                post_published_if_complete(moved)
        elif intent.attempts >= MAX_ATTEMPTS:
            # Every attempt ended unknown (e.g. 5xx each time) and none arrived: stop.
            if move(
                [intent],
                S.UNKNOWN,
                S.FAILED,
                token=token,
                fields={
                    **RELEASED,
                    "error_message": (
                        f"已发送 {intent.attempts} 次，平台均未确认，平台上也未找到该内容，"
                        "已停止重试。请检查平台状态后重新安排发布。"
                    ),
                },
                after={"found": False},
            ):
                _log(intent, token, now, "平台上未找到该内容")
        else:
            # Never arrived: send again — at once after one lost attempt (a crash),
            # with backoff when attempts keep ending unknown (a failing platform).
            delay = _backoff(intent.attempts - 1) if intent.attempts > 1 else timedelta(0)
            if move(
                [intent],
                S.UNKNOWN,
                S.RETRY,
                token=token,
                fields={
                    **RELEASED,
                    "next_attempt_at": now + delay,
                    "error_message": "平台上未找到，将重新发送。",
                },
                after={"found": False},
            ):
                _log(intent, token, now, "平台上未找到该内容")
        done += 1
    return done


def _review_wait(intent: PublishIntent, token: str, now: datetime) -> None:
    first = _first_sent(intent) or now
    if now - first > remote_pending_max_age() and "已通知相关人员" not in intent.error_message:
        _tell_people(
            intent,
            title=f"《{intent.post.title}》在“{intent.channel.name}”长时间处于平台人工审核",
            body=(
                "微博提示该条内容已发出、正在人工审核，但长时间未在账号中出现。"
                "系统不会重复发送；请登录微博后台查看审核结果。"
            ),
        )
        _later(intent, token, 60, error_message="平台人工审核中，长时间未出现，已通知相关人员。")
        return
    _later(intent, token, 30)


def remote_pending_max_age() -> timedelta:
    """How long an asynchronous publish may stay "platform processing" (settings)."""
    minutes = float(getattr(settings, "GUANWEI_REMOTE_PENDING_MAX_MINUTES", 30))
    return timedelta(minutes=minutes)


def _tell_people(intent: PublishIntent, *, title: str, body: str) -> None:
    from guanwei.notify.actions import notify

    people = [p for p in {intent.scheduled_by_id, intent.post.created_by_id} if p]
    notify(
        people,
        organisation_id=intent.organisation_id,
        title=title,
        body=body,
        link=f"/content/posts/{intent.post_id}/",
    )


def _tell_people_unknown(intent: PublishIntent) -> None:
    _tell_people(
        intent,
        title=f"《{intent.post.title}》在“{intent.channel.name}”长时间未完成发布",
        body=(
            f"平台超过 {int(remote_pending_max_age().total_seconds() // 60)} 分钟仍显示"
            "“发布中”。系统将继续向平台核实，不会重复发送；请登录平台后台查看该条内容的状态。"
        ),
    )


def poll_remote_pending(worker: str, *, limit: int = 20) -> int:
    """WeChat publishes asynchronously: ask for the result of each pending job."""
    token = f"{short_name(worker)}:p{uuid.uuid4().hex[:8]}"
    done = 0
    for intent_id in _lease(S.REMOTE_PENDING, limit, token):
        intent = PublishIntent.objects.select_related("channel", "post", "revision").get(
            pk=intent_id
        )
        try:
            with call_deadline(max_call().total_seconds()):
                result: PublishResult = adapter_for(intent).publish_status(intent.remote_id)
        except AdapterError as e:
            _after_job_error(intent, token, e, S.REMOTE_PENDING, transient_seconds=5)
            continue
        now = timezone.now()
        if result.state == "pending":
            if intent.sent_at and now - intent.sent_at > remote_pending_max_age():
                if move(
                    [intent],
                    S.REMOTE_PENDING,
                    S.UNKNOWN,
                    token=token,
                    fields={
                        **RELEASED,
                        "error_code": "pending_too_long",
                        "error_message": "平台长时间未完成发布，正在核实。",
                        "next_attempt_at": now,
                    },
                ):
                    _tell_people_unknown(intent)
            else:
                _later(intent, token, 2)
            continue
        moved = move(
            [intent],
            S.REMOTE_PENDING,
            S.PUBLISHED,
            token=token,
            fields={**RELEASED, "remote_url": result.url, "published_at": now},
        )
        post_published_if_complete(moved)
        done += 1
    return done
