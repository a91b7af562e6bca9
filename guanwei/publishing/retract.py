"""Deleting a corrected original on its platform (W-11; docs/decisions/0008, item 7).

``actions.retract_original`` queues it (published → 撤回中); the dispatcher's housekeeping
pass (beside reconciliation, never on the send path) makes the call here:

1. Lease up to ``limit`` intents in 撤回中 that are due (``next_attempt_at``), by
   conditional UPDATE, and write an open ``retracting`` attempt — committed before the
   call, so a crash leaves a trace and the lease runs out.
2. If an earlier call of this retraction may have reached the platform (its answer was
   lost: a timeout, a crash), read the post back first (``Adapter.still_up``): gone →
   已删除原稿, without a second delete.
3. Otherwise ``Adapter.delete``, bounded in total time below half the lease. OK (or "does
   not exist") → 已删除原稿; refused for good (WeChat 40097, Weibo 20102 …) → back to
   已发布 with the cause (删除失败（…）), people told; no answer or a transient error →
   stays 撤回中, looked at again with backoff, and read back before any new call. After
   ``MAX_ATTEMPTS`` calls it gives up like a refusal.
"""

from __future__ import annotations

import logging
import uuid

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from guanwei.publishing.adapters.base import AdapterError
from guanwei.publishing.adapters.http import call_deadline
from guanwei.publishing.dispatch import MAX_ATTEMPTS, _backoff, adapter_for, lease, max_call
from guanwei.publishing.dispatch import short_name as _short_name
from guanwei.publishing.models import IntentStatus, PublishAttempt, PublishIntent
from guanwei.publishing.transitions import RELEASED, move

log = logging.getLogger("guanwei.dispatch")
S = IntentStatus

# The attempt outcomes of a retraction (PublishAttempt.outcome; names in ATTEMPT_OUTCOMES).
CALLING, DONE, REFUSED, UNKNOWN = "retracting", "retracted", "retract-refused", "retract-unknown"
RETRACT_OUTCOMES = (CALLING, DONE, REFUSED, UNKNOWN)


def _due_q() -> Q:
    now = timezone.now()
    return (
        Q(status=S.RETRACTING)
        & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    )


def _take(token: str, limit: int) -> list[int]:
    """Lease what is due; one open attempt row each, in the same transaction."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            PublishIntent.objects.filter(_due_q())
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        PublishIntent.objects.filter(_due_q(), pk__in=ids).update(
            lease_owner=token, lease_until=now + lease()
        )
        mine = list(
            PublishIntent.objects.filter(status=S.RETRACTING, lease_owner=token).values_list(
                "id", flat=True
            )
        )
        PublishAttempt.objects.bulk_create(
            PublishAttempt(intent_id=pk, worker=token, started_at=now, outcome=CALLING)
            for pk in mine
        )
    return mine


def _calls_so_far(intent: PublishIntent, current: PublishAttempt) -> tuple[int, bool]:
    """(calls made in this retraction before ``current``, whether one of them may have
    reached the platform unheard: its answer lost, or its worker gone mid-call)."""
    rows = (
        PublishAttempt.objects.filter(intent=intent, outcome__in=RETRACT_OUTCOMES)
        .exclude(pk=current.pk)
        .order_by("-started_at", "-id")
        .values_list("outcome", "finished_at")
    )
    calls = []
    for outcome, finished in rows:
        if outcome in (DONE, REFUSED):  # an earlier retraction, settled
            break
        calls.append((outcome, finished))
    unheard = any(o == UNKNOWN or (o == CALLING and f is None) for o, f in calls)
    return len(calls), unheard


def _close(attempt: PublishAttempt, outcome: str, *, code: str = "", message: str = "") -> None:
    PublishAttempt.objects.filter(pk=attempt.pk).update(
        outcome=outcome, finished_at=timezone.now(), code=code[:64], message=message
    )


def retract_due(worker: str, *, limit: int = 5) -> int:
    """Delete the originals that are due (see the module text). Returns how many were
    settled or looked at."""
    token = f"{_short_name(worker)}:d{uuid.uuid4().hex[:8]}"
    done = 0
    bound = min(max_call(), lease() / 2).total_seconds()
    for intent_id in _take(token, limit):
        intent = PublishIntent.objects.select_related("channel", "post").get(pk=intent_id)
        attempt = (
            PublishAttempt.objects.filter(intent=intent, worker=token, outcome=CALLING)
            .order_by("-id")
            .first()
        )
        assert attempt is not None
        calls, unheard = _calls_so_far(intent, attempt)
        try:
            adapter = adapter_for(intent)
            with call_deadline(bound):
                # an earlier call may have deleted it: read back, never delete twice
                gone = unheard and not adapter.still_up(intent.remote_id)
                if not gone:
                    adapter.delete(intent.remote_id)
        except AdapterError as e:
            cause = e.user_message or str(e)
            if e.code == "not_found":  # already gone on the platform
                _retracted(intent, token, attempt, cause)
            elif e.permanent or calls + 1 >= MAX_ATTEMPTS:
                _refused(intent, token, attempt, e.code or "refused", cause)
            else:
                _again(intent, token, attempt, calls, e.code or "error", cause)
            done += 1
            continue
        except Exception:  # a bug, or a call cut at its deadline: read back next time
            log.exception("intent %s: deleting the original failed", intent.pk)
            _again(intent, token, attempt, calls, "internal", "删除时发生内部错误，将核实后重试。")
            done += 1
            continue
        _retracted(intent, token, attempt, "平台上已不存在（上次删除已生效）。" if gone else "")
        done += 1
    return done


def _retracted(intent: PublishIntent, token: str, attempt: PublishAttempt, note: str) -> None:
    with transaction.atomic():
        if move(
            [intent],
            S.RETRACTING,
            S.RETRACTED,
            token=token,
            fields={**RELEASED, "error_code": "", "error_message": "", "next_attempt_at": None},
        ):
            _close(attempt, DONE, message=note)


def _refused(
    intent: PublishIntent, token: str, attempt: PublishAttempt, code: str, cause: str
) -> None:
    message = f"删除失败（{cause}）"
    with transaction.atomic():
        if move(
            [intent],
            S.RETRACTING,
            S.PUBLISHED,
            token=token,
            fields={
                **RELEASED,
                "error_code": "retract_refused",
                "error_message": message,
                "next_attempt_at": None,
            },
            after={"cause": cause, "code": code},
        ):
            _close(attempt, REFUSED, code=code, message=cause)
            _tell(intent, message)


def _again(
    intent: PublishIntent,
    token: str,
    attempt: PublishAttempt,
    calls: int,
    code: str,
    cause: str,
) -> None:
    """No answer, or a transient one: stays 撤回中; looked at again later, read back first."""
    with transaction.atomic():
        PublishIntent.objects.filter(pk=intent.pk, lease_owner=token).update(
            **RELEASED,
            next_attempt_at=timezone.now() + _backoff(calls + 1),
            error_message=f"删除结果待核实：{cause}",
        )
        _close(attempt, UNKNOWN, code=code, message=cause)


def _tell(intent: PublishIntent, message: str) -> None:
    from guanwei.notify.actions import notify

    notify(
        [p for p in {intent.scheduled_by_id, intent.post.created_by_id} if p],
        organisation_id=intent.organisation_id,
        title=f"《{intent.post.title}》在“{intent.channel.name}”的原稿未能删除",
        body=f"{message}。订正稿已发布；请登录平台后台处理原稿。",
        link=f"/content/posts/{intent.post_id}/",
    )
