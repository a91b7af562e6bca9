"""The dispatcher: claim due intents, send exactly once, reconcile what is unknown
(REQ X-03, DESIGN invariant 2).

States: scheduled/retry → claimed (lease) → sending (committed BEFORE the remote call,
through the publish gate) → published | remote_pending (WeChat's asynchronous publish) |
retry (transient error, backoff) | failed (permanent, with the platform's code and a cause a
person can act on) | unknown (timeout or crash after sending: reconciled by asking the
platform for the account's recent posts and matching the content — never by a blind
retry). Every move goes through ``transitions.move`` (one table, one audit record each).

One protocol: the move to "sending" through the gate, then :func:`_send_and_record`. The
dispatcher enters it through :func:`deliver_due` (takes due rows and moves them in one
transaction); :func:`deliver_batch` is the same for rows claimed first (``claim_due``), and
:func:`deliver` is a batch of one. A dispatcher takes at most as many intents as it has
threads, and a live call renews its lease (:func:`_heartbeat`) so no other dispatcher
takes it over while the platform is still answering; only a dead worker's lease runs out,
and then reconciliation waits the platform's settle time from that moment. Each platform
call is bounded in total time (:func:`bounded_publish`, ``max_call``): a platform that
trickles its answer is cut there, the intent goes unknown and is reconciled — never sent
again blindly.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Min, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from guanwei.audit.actions import record_many
from guanwei.channels.models import ChannelStatus
from guanwei.content import actions as content_actions
from guanwei.publishing.adapters.base import AdapterError, Media, PublishRequest, PublishResult
from guanwei.publishing.adapters.http import call_deadline
from guanwei.publishing.credentials import preload_secrets, settings_for
from guanwei.publishing.models import (
    OPEN_STATUSES,
    IntentStatus,
    PublishAttempt,
    PublishIntent,
)
from guanwei.publishing.rows import update_rows
from guanwei.publishing.transitions import RELEASED, move, passing

log = logging.getLogger("guanwei.dispatch")
S = IntentStatus

MAX_ATTEMPTS = 8


def lease() -> timedelta:
    """How long a claim or a send is held without a heartbeat (settings, default 120 s)."""
    return timedelta(seconds=float(getattr(settings, "GUANWEI_DISPATCH_LEASE_SECONDS", 120)))


def max_call() -> timedelta:
    """The longest one platform call (``adapter.publish``: every HTTP request it makes,
    connect to last byte) may take in total (settings, default 5 min); past it the call is
    cut (:func:`bounded_publish`) and heartbeats stop renewing its lease."""
    return timedelta(seconds=float(getattr(settings, "GUANWEI_DISPATCH_MAX_CALL_SECONDS", 300)))


# A call that ignores its HTTP deadline (stuck outside HTTP) is given up this much later.
CALL_GRACE_SECONDS = 2.0


def bounded_publish(adapter: Any, request: PublishRequest) -> PublishResult:
    """``adapter.publish(request)`` bounded in total time by :func:`max_call`.

    The call runs in a thread of its own under :func:`adapters.http.call_deadline` (each
    HTTP request must end by the deadline, whatever the platform trickles); should it
    still not return (stuck outside HTTP), it is abandoned a little later. Either way
    the platform may have acted: the error is of unknown outcome, so the intent is
    reconciled, never sent again blindly. The thread uses no database."""
    seconds = max_call().total_seconds()
    box: list[PublishResult | BaseException] = []

    def run() -> None:
        try:
            with call_deadline(seconds):
                box.append(adapter.publish(request))
        except BaseException as e:  # handed to the caller as the answer
            box.append(e)

    thread = threading.Thread(target=run, name=f"call-{request.key}", daemon=True)
    thread.start()
    thread.join(seconds + CALL_GRACE_SECONDS)
    if not box:
        log.error("%s: platform call abandoned after %.0f s", request.key, seconds)
        raise AdapterError(
            f"{request.key}: platform call did not return within {seconds:.0f} s",
            permanent=False,
            code="timeout",
            unknown_outcome=True,
            user_message=(
                f"平台超过 {seconds:.0f} 秒仍未完成应答，已停止等待，"
                "系统将向平台核实是否已发布，不会盲目重发。"
            ),
        )
    answer = box[0]
    if isinstance(answer, BaseException):
        raise answer
    return answer


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 600))


# A worker's name in a lease token: the token (name + ":" + 12 hex, or ":r"/":p" + 8 hex)
# must fit ``lease_owner`` / ``PublishAttempt.worker`` / ``SchedulerLease.owner``
# (varchar(64); PostgreSQL refuses a longer value, SQLite silently keeps it).
WORKER_NAME_WIDTH = 48


def short_name(name: str, width: int = WORKER_NAME_WIDTH) -> str:
    """``name`` when it fits ``width``; else its start and end around a hash of the whole
    (a pod's distinguishing suffix and the pid stay readable, two names stay apart)."""
    if len(name) <= width:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    keep = width - len(digest) - 2
    head = keep // 2
    return f"{name[:head]}~{digest}~{name[-(keep - head) :]}"


@dataclass
class Claim:
    token: str
    ids: list[int]


def _no_wait_for_disk() -> None:
    """PostgreSQL: this transaction's COMMIT does not wait for its WAL to reach the disk
    (``synchronous_commit = off``, this transaction only). Only where losing the last
    commits in a server crash is harmless: a lost claim was never used (the intent is still
    due); a lost answer leaves the intent "sending", which recovery reconciles against the
    platform. Never for the move to "sending", which must be durable before the call.
    The audit chain's lock is held until COMMIT, so this is what keeps it short."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def claim_due(worker: str, *, limit: int = 20, now: datetime | None = None) -> Claim:
    """Lease up to ``limit`` due intents for this worker (scheduled/retry → claimed, each
    audited). The conditional UPDATE only touches rows still due; the token tells this
    claim's rows apart."""
    now = now or timezone.now()
    token = f"{short_name(worker)}:{uuid.uuid4().hex[:12]}"
    with transaction.atomic():
        _no_wait_for_disk()
        candidates = _due(now)
        if connection.vendor == "postgresql":
            candidates = candidates.select_for_update(skip_locked=True)
        intents = list(
            candidates.only(
                "id", "status", "post_id", "channel_id", "organisation_id", "content_hash"
            )[:limit]
        )
        moved = move(
            intents,
            [S.SCHEDULED, S.RETRY],
            S.CLAIMED,
            fields={"lease_owner": token, "lease_until": now + lease()},
            # Read just now with the same conditions (FOR UPDATE SKIP LOCKED on
            # PostgreSQL; SQLite's IMMEDIATE transaction is the only writer).
            locked=True,
        )
    return Claim(token, [i.pk for i in moved])


def recover_expired_leases(now: datetime | None = None) -> int:
    """A worker died (or hung past ``max_call``): claimed-but-unsent intents are due again
    (nothing was sent); an intent left in ``sending`` may or may not have reached the
    platform → unknown, and reconciliation waits the settle time from now."""
    now = now or timezone.now()
    expired = Q(lease_until__lt=now)
    claimed = list(PublishIntent.objects.filter(expired, status=S.CLAIMED))
    freed = move(
        claimed,
        S.CLAIMED,
        S.SCHEDULED,
        where=expired,
        fields=RELEASED,
        after={"reason": "lease expired before sending"},
    )
    stuck = list(PublishIntent.objects.filter(expired, status=S.SENDING))
    with transaction.atomic():
        lost = move(
            stuck,
            S.SENDING,
            S.UNKNOWN,
            where=expired,
            fields={
                **RELEASED,
                "error_code": "crash",
                "error_message": "发送过程中断，正在向平台核实是否已发布。",
                # Reconciliation counts the settle time from here, not from sent_at: the
                # call may have been alive until the lease ran out.
                "next_attempt_at": now,
            },
            after={"reason": "lease expired in sending"},
        )
        # Close the attempts the dead worker left open, so the post page does not show
        # them as "sending" forever.
        PublishAttempt.objects.filter(
            intent__in=[i.pk for i in lost], outcome="sending", finished_at__isnull=True
        ).update(finished_at=now, outcome="unknown", code="crash")
    return len(freed) + len(lost)


# ------------------------------------------------------------------ the request we send


# a Weibo topic as the fake and share.json see one: #…# without blanks, 1–64 characters
WEIBO_TOPIC = re.compile(r"#([^#\s]{1,64})#")


def publish_text(intent: PublishIntent) -> str:
    """What the platform receives as text: the column (R-01, E-03) and the body. Weibo's
    statuses/share refuses ``#话题#`` in third-party posts, so there every topic — the
    column's and those the author wrote in the text, as the packs write their columns — is
    written 【话题】; elsewhere the ``#话题#`` form is kept (docs/decisions/0003-publishing.md)."""
    revision = intent.revision
    body = revision.body.strip()
    tag = revision.hashtag
    if tag and tag not in body:
        body = f"{tag}{body}"
    if intent.channel.platform == "weibo":
        return WEIBO_TOPIC.sub(lambda m: f"【{m.group(1)}】", body)
    return body


def byline(intent: PublishIntent) -> str:
    """The author the platform shows: fixed by the account (its settings' ``author``, else
    its name), never the person who typed the revision — that is not approved content."""
    return str(settings_for(intent.channel).get("author") or intent.channel.name)


def build_request(intent: PublishIntent) -> PublishRequest:
    """The request, from the approved revision only. Each file's bytes are hashed again
    and must be the bytes the approval covered (``asset_hashes``)."""
    revision = intent.revision
    approved = set(revision.asset_hashes)
    media = []
    for asset in revision.assets.all():
        with asset.file.open("rb") as fh:
            data = fh.read()
        digest = hashlib.sha256(data).hexdigest()
        if digest != asset.sha256 or digest not in approved:
            raise AdapterError(
                f"asset {asset.pk} bytes changed after approval",
                permanent=True,
                code="asset_changed",
                user_message=(
                    f"图片或附件“{asset.title}”的文件与审核通过时不一致，未发送。请重新上传并送审。"
                ),
            )
        media.append(
            Media(
                filename=(asset.file.name or "file").rsplit("/", 1)[-1],
                content_type="image/jpeg" if asset.kind == "image" else "application/octet-stream",
                data=data,
            )
        )
    return PublishRequest(
        key=intent.key,
        text=publish_text(intent),
        title=revision.title,
        media=tuple(media),
        author=byline(intent),
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


Send = Callable[[list[tuple[Any, PublishRequest]]], list[PublishResult | BaseException]]


def _send_in_turn(jobs: list[tuple[Any, PublishRequest]]) -> list[PublishResult | BaseException]:
    out: list[PublishResult | BaseException] = []
    for adapter, request in jobs:
        try:
            out.append(bounded_publish(adapter, request))
        except Exception as e:
            out.append(e)
    return out


def _renew(ids: list[int], token: str) -> int:
    """One heartbeat: the calls still sending under our lease keep it (not status)."""
    now = timezone.now()
    return PublishIntent.objects.filter(
        pk__in=ids, status=S.SENDING, lease_owner=token, sent_at__gt=now - max_call()
    ).update(lease_until=now + lease())


@contextmanager
def _heartbeat(ids: list[int], token: str) -> Iterator[None]:
    """While the platform calls run, renew their lease every third of it (in a thread of
    its own, with its own DB connection), up to ``max_call`` after sending began.
    ``GUANWEI_DISPATCH_HEARTBEAT=0`` turns it off — only for the benchmark's baseline and
    the test that shows what it prevents."""
    if not getattr(settings, "GUANWEI_DISPATCH_HEARTBEAT", True):
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        used = False
        wait = lease().total_seconds() / 3
        try:
            while not stop.wait(wait):
                used = True
                try:
                    _renew(ids, token)
                    wait = lease().total_seconds() / 3
                except Exception:  # a missed beat is tried again, sooner, never given up
                    log.exception("heartbeat %s failed; trying again", token)
                    wait = max(lease().total_seconds() / 10, 0.05)
                _pause_point("heartbeat")
        finally:
            if used:
                connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{token}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def deliver(intent_id: int, token: str) -> str:
    """Send one claimed intent: a batch of one (there is one delivery protocol)."""
    return deliver_batch([intent_id], token).get(intent_id, "lost")


def deliver_batch(ids: list[int], token: str, send: Send = _send_in_turn) -> dict[int, str]:
    """Send intents this worker claimed earlier (``claim_due``): one transaction moves
    them through the publish gate to "sending", then :func:`_send_and_record`. The
    dispatcher takes and moves in one transaction instead (:func:`deliver_due`)."""
    out: dict[int, str] = {}
    intents = list(
        PublishIntent.objects.filter(pk__in=ids, status=S.CLAIMED, lease_owner=token)
        .select_related("revision", "channel", "channel__settings", "post")
        .prefetch_related("revision__assets")
    )
    ready, broken = _prepare(intents)
    for intent, error in broken:
        out[intent.pk] = _unsent_error(intent, token, error)
    if not ready:
        return out
    _pause_point("claimed")
    with transaction.atomic():
        now = timezone.now()
        entries: list[dict[str, Any]] = []
        sending = move(
            [i for i, _, _ in ready],
            S.CLAIMED,
            S.SENDING,
            token=token,
            gated=True,
            fields={
                "lease_until": now + lease(),
                "sent_at": now,
                "attempts": F("attempts") + 1,
                "next_attempt_at": None,
            },
            audit_into=entries,
        )
        attempts = _open_attempts(sending, token, now)
        record_many(entries)  # last before COMMIT: the chain's lock is one for the system
    won = {i.pk for i in sending}
    refused = [i for i, _, _ in ready if i.pk not in won]
    if refused:
        out.update(_refuse_at_gate(refused, token))
    out.update(_send_and_record([r for r in ready if r[0].pk in won], attempts, token, send))
    return out


@dataclass
class Taken:
    """What one take committed as "sending" under ``token`` (``ready``: intent, adapter,
    request; ``attempts``: their attempt rows), and what it settled without a call
    (``out``: cancelled by the gate, a request that could not be built)."""

    token: str
    ready: list[tuple[PublishIntent, Any, PublishRequest]]
    attempts: dict[int, PublishAttempt]
    out: dict[int, str]
    # Requests that could not be built, held in "claimed": settled after the calls.
    unsent: list[tuple[PublishIntent, Exception]] = field(default_factory=list)


def deliver_due(
    worker: str, *, limit: int = 20, send: Send = _send_in_turn, now: datetime | None = None
) -> dict[int, str]:
    """Take up to ``limit`` due intents (:func:`take_due`) and send them — the dispatcher's
    loop does the same in two halves (``publishing.worker``: a batch's answers are recorded
    while the next batch is on the wire)."""
    taken = take_due(worker, limit=limit, now=now)
    if taken.ready:
        with sending(taken):
            answers = send([(adapter, request) for _, adapter, request in taken.ready])
    else:
        answers = []
    return record_taken(taken, answers)


def take_due(worker: str, *, limit: int = 20, now: datetime | None = None) -> Taken:
    """Take up to ``limit`` due intents straight to "sending", committed before any call.

    One transaction reads the due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two
    dispatchers never take the same row; SQLite's IMMEDIATE transaction is the only
    writer), asks the publish gate about the locked rows (``transitions.passing``: one
    statement, compiled once per process), builds each request,
    and moves what passes the gate straight to "sending" under this worker's lease, with
    its attempt opened and audited; what the gate refuses is cancelled with the reason in
    the same transaction. No "claimed" step in between: one transaction and one audit
    record fewer per post than ``claim_due`` + :func:`deliver_batch`, same gate, same
    answer recording (:func:`send_taken` / :func:`record_taken`). A request that cannot be
    built is handed back through the claimed state (:func:`_unsent_error`): nothing was
    sent."""
    now = now or timezone.now()
    token = f"{short_name(worker)}:{uuid.uuid4().hex[:12]}"
    out: dict[int, str] = {}
    with transaction.atomic():
        rows = _due(now).select_related("revision", "channel", "channel__settings", "post")
        if connection.vendor == "postgresql":
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        intents = list(rows.prefetch_related("revision__assets")[:limit])
        passes = passing(i.pk for i in intents)  # on the rows locked above
        refused = [i for i in intents if i.pk not in passes]
        ready, broken = _prepare([i for i in intents if i.pk in passes])
        _pause_point("claimed")  # taken and locked, nothing committed yet
        now = timezone.now()
        entries: list[dict[str, Any]] = []
        sending = move(
            [i for i, _, _ in ready],
            [S.SCHEDULED, S.RETRY],
            S.SENDING,
            fields={
                "lease_owner": token,
                "lease_until": now + lease(),
                "sent_at": now,
                "next_attempt_at": None,
            },
            # The row is locked since the read above: its count is the current one.
            per_intent={i.pk: {"attempts": i.attempts + 1} for i, _, _ in ready},
            audit_into=entries,
            locked=True,
        )
        attempts = _open_attempts(sending, token, now)
        for intent in move(
            refused,
            [S.SCHEDULED, S.RETRY],
            S.CANCELLED,
            fields=RELEASED,
            per_intent={i.pk: _refusal(i) for i in refused},
            audit_into=entries,
            locked=True,
        ):
            out[intent.pk] = S.CANCELLED
        held = move(
            [i for i, _ in broken],
            [S.SCHEDULED, S.RETRY],
            S.CLAIMED,
            fields={"lease_owner": token, "lease_until": now + lease()},
            audit_into=entries,
            locked=True,
        )
        record_many(entries)  # last before COMMIT: the chain's lock is one for the system
    moved = {i.pk for i in sending}
    # Only what moved is sent; what could not be built is settled after the calls.
    return Taken(
        token,
        [r for r in ready if r[0].pk in moved],
        attempts,
        out,
        [(i, e) for i, e in broken if i in held],
    )


@contextmanager
def sending(taken: Taken) -> Iterator[None]:
    """The calls of a take are made inside this block: their leases are renewed while
    it lasts (:func:`_heartbeat`)."""
    _pause_point("sending")
    with _heartbeat([i.pk for i, _, _ in taken.ready], taken.token):
        yield


def record_taken(taken: Taken, answers: list[PublishResult | BaseException]) -> dict[int, str]:
    """One transaction records a take's answers (in the order of ``taken.ready``), then
    what could not be built goes back to retry (nothing of it was sent). Returns every
    intent of the take with its state."""
    out = dict(taken.out)
    if taken.ready:
        _pause_point("answered")
        out.update(_record_answers(taken.ready, taken.attempts, answers, taken.token))
    for intent, error in taken.unsent:
        out[intent.pk] = _unsent_error(intent, taken.token, error)
    return out


def _prepare(
    intents: list[PublishIntent],
) -> tuple[list[tuple[PublishIntent, Any, PublishRequest]], list[tuple[PublishIntent, Exception]]]:
    """Each intent's adapter and request, before "sending" (a request that cannot be built
    was never sent): (ready, broken with the row's own error). A database error is not the
    row's: it propagates (inside a transaction, that transaction is aborted)."""
    ready: list[tuple[PublishIntent, Any, PublishRequest]] = []
    broken: list[tuple[PublishIntent, Exception]] = []
    preload_secrets([i.channel for i in intents])  # one vault query for the batch
    for intent in intents:
        try:
            ready.append((intent, adapter_for(intent), build_request(intent)))
        except DatabaseError:
            raise
        except Exception as e:  # the row's own settings or files
            if not isinstance(e, AdapterError):
                log.exception("intent %s: could not prepare the request", intent.pk)
            broken.append((intent, e))
    return ready, broken


def seconds_to_next_due(within: float, now: datetime | None = None) -> float | None:
    """Seconds until the next intent falls due, if one does within ``within`` seconds:
    an idle dispatcher wakes then instead of at the end of its sleep (posts due at 07:30
    go out at 07:30, not up to a sleep later)."""
    now = now or timezone.now()
    horizon = now + timedelta(seconds=within)
    when = (
        _due(horizon)
        .annotate(at=Greatest("due_at", Coalesce("next_attempt_at", "due_at")))
        .aggregate(first=Min("at"))["first"]
    )
    return None if when is None else max((when - now).total_seconds(), 0.0)


def _due(now: datetime) -> Any:
    """The intents due at ``now``, oldest first."""
    due = Q(status__in=[S.SCHEDULED, S.RETRY], due_at__lte=now) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    return PublishIntent.objects.filter(due).order_by("due_at", "id")


def _open_attempts(
    sending: list[PublishIntent], token: str, now: datetime
) -> dict[int, PublishAttempt]:
    """One attempt row per intent that moved to "sending" (the post page's 发送记录)."""
    return {
        a.intent_id: a
        for a in PublishAttempt.objects.bulk_create(
            PublishAttempt(intent=i, worker=token, started_at=now, outcome="sending")
            for i in sending
        )
    }


def _send_and_record(
    ready: list[tuple[PublishIntent, Any, PublishRequest]],
    attempts: dict[int, PublishAttempt],
    token: str,
    send: Send,
) -> dict[int, str]:
    """The calls (committed as "sending" before this), under a heartbeat, then one
    transaction records the answers. The one sending code of both entry points."""
    if not ready:
        return {}
    taken = Taken(token, ready, attempts, {})
    with sending(taken):
        answers = send([(adapter, request) for _, adapter, request in ready])
    return record_taken(taken, answers)


def _refusal(intent: PublishIntent) -> dict[str, str]:
    """Why the gate did not let an intent through, for the post page."""
    if intent.channel.status != ChannelStatus.ACTIVE:
        return {
            "error_code": "channel_inactive",
            "error_message": f"账号“{intent.channel.name}”不在运行中，未发送，已取消。",
        }
    return {
        "error_code": "not_approved",
        "error_message": "该版本已不是审核通过的当前版本，已取消发布。",
    }


def _refuse_at_gate(intents: list[PublishIntent], token: str) -> dict[int, str]:
    """Intents still claimed by us that the gate did not let through: their approval no
    longer covers them or their account is not active → cancelled, with the reason."""
    out: dict[int, str] = {}
    fresh = {
        i.pk: i
        for i in PublishIntent.objects.filter(
            pk__in=[i.pk for i in intents], status=S.CLAIMED, lease_owner=token
        ).select_related("channel")
    }
    per_intent = {pk: _refusal(intent) for pk, intent in fresh.items()}
    for intent in move(
        list(fresh.values()),
        S.CLAIMED,
        S.CANCELLED,
        token=token,
        fields=RELEASED,
        per_intent=per_intent,
    ):
        out[intent.pk] = S.CANCELLED
    for intent in intents:
        out.setdefault(intent.pk, "lost")
    return out


def _unsent_error(intent: PublishIntent, token: str, e: Exception) -> str:
    """The request could not be built (settings, media files): nothing was sent, so
    trying again is safe — with backoff; failed when permanent or after MAX_ATTEMPTS."""
    attempts = intent.attempts + 1
    failed = (isinstance(e, AdapterError) and e.permanent) or attempts >= MAX_ATTEMPTS
    code = e.code if isinstance(e, AdapterError) else "internal"
    message = (e.user_message if isinstance(e, AdapterError) else "") or "准备发布内容时出错。"
    status = S.FAILED if failed else S.RETRY
    moved = move(
        [intent],
        S.CLAIMED,
        status,
        token=token,
        fields={
            "attempts": attempts,
            **RELEASED,
            "error_code": code,
            "error_message": message,
            "next_attempt_at": None if failed else timezone.now() + _backoff(attempts),
        },
    )
    return status if moved else "lost"


def _classify(intent: PublishIntent, e: AdapterError) -> tuple[str, str, str, dict[str, Any]]:
    """(status, attempt outcome, message, extra fields) for an error after sending."""
    message = e.user_message or str(e)
    if e.code == "duplicate" and intent.attempts > 1:
        # An earlier attempt whose outcome we never heard did land: reconcile, not fail.
        return (
            S.UNKNOWN,
            "unknown",
            "平台提示内容重复：上次发送可能已成功，正在核实。",
            {"next_attempt_at": timezone.now()},
        )
    if e.unknown_outcome:
        return S.UNKNOWN, "unknown", message, {"next_attempt_at": timezone.now()}
    if e.permanent or intent.attempts >= MAX_ATTEMPTS:
        return S.FAILED, "permanent", message, {"next_attempt_at": None}
    return (
        S.RETRY,
        "transient",
        message,
        {"next_attempt_at": timezone.now() + _backoff(intent.attempts)},
    )


def _as_error(answer: BaseException, intent: PublishIntent) -> AdapterError:
    if isinstance(answer, AdapterError):
        return answer
    log.error("intent %s: unexpected error while publishing: %r", intent.pk, answer)
    return AdapterError(
        str(answer),
        permanent=False,
        code="internal",
        unknown_outcome=True,
        user_message="发送时发生内部错误，正在向平台核实。",
    )


def _record_answers(
    ready: list[tuple[PublishIntent, Any, PublishRequest]],
    attempts: dict[int, PublishAttempt],
    answers: list[PublishResult | BaseException],
    token: str,
) -> dict[int, str]:
    """One transaction: each answer moves its intent (still leased by us) out of
    "sending"; an answer whose lease was taken over meanwhile is still recorded (its
    remote id is never lost)."""
    out: dict[int, str] = {}
    groups: dict[str, list[tuple[PublishIntent, dict[str, Any]]]] = {}
    outcomes: dict[int, tuple[str, str, str, str]] = {}  # pk → outcome, code, message, id
    for (intent, _, _), answer in zip(ready, answers, strict=True):
        status: str
        if isinstance(answer, PublishResult):
            status = S.REMOTE_PENDING if answer.state == "pending" else S.PUBLISHED
            fields: dict[str, Any] = {
                **RELEASED,
                "error_code": "",
                "error_message": "",
                "next_attempt_at": None,
                "remote_id": answer.remote_id,
                "remote_url": answer.url,
            }
            if status == S.PUBLISHED:
                fields["published_at"] = timezone.now()
            outcome = "pending" if status == S.REMOTE_PENDING else "ok"
            outcomes[intent.pk] = (outcome, "", "", answer.remote_id)
        else:
            err = _as_error(answer, intent)
            status, outcome, message, extra = _classify(intent, err)
            fields = {**RELEASED, "error_code": err.code, "error_message": message, **extra}
            outcomes[intent.pk] = (outcome, err.code, message, "")
        groups.setdefault(status, []).append((intent, fields))
    with transaction.atomic():
        _no_wait_for_disk()
        now = timezone.now()
        published: list[PublishIntent] = []
        entries: list[dict[str, Any]] = []
        for target, members in groups.items():
            moved = move(
                [i for i, _ in members],
                S.SENDING,
                target,
                token=token,
                per_intent={i.pk: f for i, f in members},
                audit_into=entries,
            )
            for intent in moved:
                out[intent.pk] = target
            if target == S.PUBLISHED:
                published += moved
            for intent, fields in members:
                if intent.pk not in out and target in (S.PUBLISHED, S.REMOTE_PENDING):
                    late = _late_answer(intent, target, fields, entries)
                    out[intent.pk] = target if late else "lost"
                    if target == S.PUBLISHED:
                        published += late
                elif intent.pk not in out:
                    log.warning("intent %s: lease lost before recording %s", intent.pk, target)
                    out[intent.pk] = "lost"
        finished = []
        for pk, (outcome, code, message, remote_id) in outcomes.items():
            attempt = attempts.get(pk)
            if attempt is None:
                continue
            attempt.finished_at = now
            attempt.outcome = outcome if out.get(pk) != "lost" else f"{outcome}-late"
            attempt.code, attempt.message, attempt.remote_id = code, message, remote_id
            finished.append(attempt)
        update_rows(
            PublishAttempt,
            {
                a.pk: {
                    n: getattr(a, n)
                    for n in ("finished_at", "outcome", "code", "message", "remote_id")
                }
                for a in finished
            },
        )
        post_published_if_complete(published, audit_into=entries)
        record_many(entries)  # last before COMMIT: the chain's lock is one for the system
    return out


def _late_answer(
    intent: PublishIntent, target: str, fields: dict[str, Any], entries: list[dict[str, Any]]
) -> list[PublishIntent]:
    """Our lease was taken over (we were presumed dead) but the platform did publish (or
    accepted an asynchronous job): unless a second send has already started, this answer
    settles the intent — published, or pending with its job id to poll."""
    log.warning("intent %s: late answer %s recorded", intent.pk, fields.get("remote_id"))
    return move(
        [intent],
        [S.UNKNOWN, S.RETRY, S.CLAIMED],
        target,
        where=Q(remote_id=""),
        fields=fields,
        after={"late_answer": True},
        audit_into=entries,
    )


def post_published_if_complete(
    intents: list[PublishIntent], audit_into: list[dict[str, Any]] | None = None
) -> None:
    """Each post whose revision is now out on every account it was scheduled for is
    marked published — by the content room, which ignores an older revision."""
    pairs = {(i.post_id, i.revision_id): i for i in intents}
    if not pairs:
        return
    still_open = set(
        PublishIntent.objects.filter(
            post_id__in={p for p, _ in pairs}, status__in=OPEN_STATUSES
        ).values_list("post_id", "revision_id")
    )
    content_actions.mark_published_many(
        [(i.post, i.revision) for pair, i in pairs.items() if pair not in still_open],
        audit_into=audit_into,
    )
