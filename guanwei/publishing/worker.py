"""The dispatcher process: `guanwei dispatcher [--threads N] [--no-scheduler]`.

Each process runs a claim loop with a thread pool (one DB connection per thread) and never
holds more claims than it has threads (a claim waits for nothing but its call). Exactly one
process at a time also runs the scheduler pass (auto-scheduling approved posts, expiring
late ones, deadlines), holding a lease row renewed by conditional UPDATE, every
``SCHEDULER_INTERVAL`` (15 s) — not on every loop, which churned SQLite's write lock.
SIGTERM/SIGINT: stop claiming, finish what is in hand, exit.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone

from guanwei.publishing import dispatch, reconcile, retract
from guanwei.publishing.adapters.http import shared_client
from guanwei.publishing.models import SchedulerLease

log = logging.getLogger("guanwei.dispatch")
SCHEDULER_LEASE = timedelta(seconds=45)
SCHEDULER_INTERVAL = 15.0  # seconds between scheduler passes
# Recovering expired leases, polling WeChat jobs and reconciling: at most this often while
# there is delivery work (at once when idle) — leases last minutes (120 s), an unknown
# outcome waits the platform's settle time anyway and a WeChat job takes seconds to
# minutes, so 5 s changes nothing a person sees; each pass costs queries that a busy loop
# of four dispatchers repeated for an eighth of its CPU at 1 s.
HOUSEKEEPING_INTERVAL = 5.0


def take_scheduler_lease(owner: str) -> bool:
    now = timezone.now()
    SchedulerLease.objects.get_or_create(name="scheduler")
    won = (
        SchedulerLease.objects.filter(name="scheduler")
        .filter(Q(owner=owner) | Q(until__isnull=True) | Q(until__lt=now))
        .update(owner=owner, until=now + SCHEDULER_LEASE)
    )
    return won == 1


def scheduler_pass() -> None:
    from guanwei.publishing.actions import auto_schedule_due

    auto_schedule_due()
    from guanwei.publishing.follows import check_required_follows

    check_required_follows(older_than=timedelta(hours=24))
    # Rooms above (oversight's deadlines) run their part of the pass through the signal
    # they connected at start-up: publishing does not import them.
    from guanwei.audit.anchor import anchor_if_due
    from guanwei.publishing.events import scheduler_pass as pass_signal

    try:
        pass_signal.send(sender=Dispatcher)
    finally:
        # The audit chain's head outside the database, every hour (issue #9 §18) — last,
        # so it covers what this pass wrote, and whatever a room's part of it raised.
        try:
            anchor_if_due()
        except OSError:
            log.exception("could not write the audit anchor")


def housekeeping(name: str) -> int:
    """What the loop does besides sending, at most every ``HOUSEKEEPING_INTERVAL``: poll
    WeChat jobs, reconcile unknown outcomes, and (W-11) delete the originals a pack deletes
    once their correction is out — each a small query of its own, never on the send path."""
    work = reconcile.poll_remote_pending(name)
    work += reconcile.reconcile_unknown(name)
    work += retract.retract_due(name)
    # Rooms above (interaction's comment fetching) run their part through the signal.
    from guanwei.publishing.events import housekeeping_pass

    for _receiver, answer in housekeeping_pass.send_robust(sender=Dispatcher, worker=name):
        if isinstance(answer, BaseException):
            log.error("housekeeping receiver failed: %r", answer)
        elif isinstance(answer, int):
            work += answer
    return work


class Dispatcher:
    def __init__(
        self,
        *,
        threads: int = 4,
        batch: int = 0,
        scheduler: bool = True,
        idle_sleep: float = 0.2,
        scheduler_interval: float = SCHEDULER_INTERVAL,
    ) -> None:
        # Fits the lease columns whatever the host is called (a pod: up to 63 characters).
        self.name = dispatch.short_name(f"{socket.gethostname()}:{os.getpid()}")
        self.threads = threads
        # Never more claims than threads: a claimed intent must not wait for a thread
        # while its lease runs (issue #8 §2).
        self.batch = min(batch or threads, threads)
        self.scheduler_interval = scheduler_interval
        self._last_pass = float("-inf")
        self._last_housekeeping = float("-inf")
        self.scheduler = scheduler
        self.idle_sleep = idle_sleep
        self.stopping = threading.Event()
        self._crashes = 0  # deliveries that failed in a row: the wait before the next grows
        # The last batch's answers, recorded while the next batch is on the wire.
        self._pending: tuple[dispatch.Taken, list[Any]] | None = None

    def stop(self, *_: object) -> None:
        self.stopping.set()

    def _finish(self, pending: tuple[dispatch.Taken, list[Any]]) -> int:
        """Record a batch's answers. A failure here leaves its rows "sending" under their
        lease: they turn unknown when it runs out and are reconciled (never sent again
        blindly), as after a crash."""
        taken, answers = pending
        try:
            return len(dispatch.record_taken(taken, answers))
        except Exception:
            log.exception("dispatcher %s: recording answers failed", self.name)
            return 0

    def _deliver(self, pool: ThreadPoolExecutor) -> int:
        """Take what is due to "sending" (one transaction), put the calls on the pool, and
        while they are on the wire record the previous batch's answers — the threads do
        not wait for that transaction, nor the next take for the calls' slowest answer to
        be written. Never more intents in flight than threads: the previous batch's calls
        have all answered before this take."""
        pending, self._pending = self._pending, None
        try:
            taken = dispatch.take_due(self.name, limit=self.batch)
        except Exception:
            if pending:
                self._finish(pending)
            raise
        work = len(taken.out) + len(taken.unsent)
        if not taken.ready:
            if pending:
                work += self._finish(pending)
            if taken.unsent:
                work += self._finish((taken, []))
            return work
        with dispatch.sending(taken):
            # Each call bounded in total time (dispatch.max_call): a trickling platform
            # cannot hold the batch, the lease or the pool's thread.
            futures = [
                pool.submit(dispatch.bounded_publish, adapter, request)
                for _, adapter, request in taken.ready
            ]
            if pending:
                work += self._finish(pending)
            answers = [f.exception() or f.result() for f in futures]
        self._pending = (taken, answers)
        return work + len(taken.ready)

    def run_once(self, pool: ThreadPoolExecutor) -> int:
        close_old_connections()
        started = time.monotonic()
        keeping = started - self._last_housekeeping >= HOUSEKEEPING_INTERVAL
        if keeping:
            dispatch.recover_expired_leases()
        due = time.monotonic() - self._last_pass >= self.scheduler_interval
        if self.scheduler and due and take_scheduler_lease(self.name):
            self._last_pass = time.monotonic()
            scheduler_pass()
        try:  # take what is due and send it (one transaction to "sending")
            work = self._deliver(pool)
            self._crashes = 0
        except Exception:
            # Before COMMIT nothing was taken (rolled back); after it, what is "sending"
            # and unanswered turns unknown when its lease runs out and is reconciled.
            self._crashes += 1
            log.exception("dispatcher %s: delivery crashed (%d in a row)", self.name, self._crashes)
            self.stopping.wait(min(self.idle_sleep * 2**self._crashes, 30.0))
            work = 0
        if keeping or not work:
            self._last_housekeeping = started
            if not keeping:
                dispatch.recover_expired_leases()
            work += housekeeping(self.name)
        return work

    def _idle_wait(self) -> float:
        """Sleep until the next intent falls due, at most ``idle_sleep``."""
        try:
            due = dispatch.seconds_to_next_due(self.idle_sleep)
        except Exception:
            log.exception("dispatcher %s: could not read the next due time", self.name)
            return self.idle_sleep
        if due is None:
            return self.idle_sleep
        # Not less than a tenth of the sleep: an intent due now that this take did not get
        # (locked by another dispatcher's take) must not make the loop spin.
        return min(self.idle_sleep, max(due + 0.002, self.idle_sleep / 10))

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        log.info("dispatcher %s: %d threads, scheduler=%s", self.name, self.threads, self.scheduler)
        shared_client()  # the connection pool and TLS context, before the first due batch
        with ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="deliver") as pool:
            while not self.stopping.is_set():
                try:
                    work = self.run_once(pool)
                except Exception:
                    log.exception("dispatcher loop error")
                    work = 0
                if not work:
                    self.stopping.wait(self._idle_wait())
            if self._pending:
                self._finish(self._pending)
                self._pending = None
        log.info("dispatcher %s stopped", self.name)
        return 0


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="guanwei dispatcher")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--batch", type=int, default=0)
    parser.add_argument("--no-scheduler", action="store_true")
    parser.add_argument("--idle-sleep", type=float, default=0.2)
    args = parser.parse_args(argv)
    return Dispatcher(
        threads=args.threads,
        batch=args.batch,
        scheduler=not args.no_scheduler,
        idle_sleep=args.idle_sleep,
    ).run()
