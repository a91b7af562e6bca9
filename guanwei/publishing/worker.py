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

from guanwei.publishing import dispatch, reconcile
from guanwei.publishing.adapters.http import shared_client
from guanwei.publishing.models import SchedulerLease

log = logging.getLogger("guanwei.dispatch")
SCHEDULER_LEASE = timedelta(seconds=45)
SCHEDULER_INTERVAL = 15.0  # seconds between scheduler passes
# Recovering expired leases, polling WeChat jobs and reconciling: at most this often while
# there is delivery work (at once when idle) — leases last minutes, jobs are re-asked
# every few seconds anyway, and each pass costs queries a busy loop should not repeat.
HOUSEKEEPING_INTERVAL = 1.0
# How long a lane waits for a whole batch of call slots before taking what is free.
SLOT_WAIT = 0.05


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
    from guanwei.publishing.events import scheduler_pass as pass_signal

    pass_signal.send(sender=Dispatcher)


class Dispatcher:
    """Claim loops (``lanes``, default 2) share one pool of ``threads`` platform calls.

    A lane claims only as many intents as there are free call slots, and gives each slot
    back as soon as its call has answered — before the answers are recorded — so while one
    lane records its batch's answers (a transaction) or moves the next batch through the
    publish gate, the other lane's calls are on the wire. Calls in flight never exceed
    ``threads`` and a claimed intent never waits for a thread while its lease runs (issue
    #8 §2). Lane 0 also does the housekeeping and the scheduler pass.
    """

    def __init__(
        self,
        *,
        threads: int = 4,
        batch: int = 0,
        scheduler: bool = True,
        idle_sleep: float = 0.2,
        scheduler_interval: float = SCHEDULER_INTERVAL,
        lanes: int = 2,
    ) -> None:
        # Fits the lease columns whatever the host is called (a pod: up to 63 characters).
        self.name = dispatch.short_name(f"{socket.gethostname()}:{os.getpid()}")
        self.threads = threads
        # Never more claims than free call slots (issue #8 §2).
        self.batch = min(batch or threads, threads)
        self.lanes = max(1, min(lanes, threads))
        self.scheduler_interval = scheduler_interval
        self._last_pass = float("-inf")
        self._last_housekeeping = float("-inf")
        self.scheduler = scheduler
        self.idle_sleep = idle_sleep
        self.stopping = threading.Event()
        self._free = threading.Condition()
        self._slots = threads

    def stop(self, *_: object) -> None:
        self.stopping.set()

    # -- call slots: how many platform calls may start now
    def _take_slots(self, most: int) -> int:
        """Wait until ``most`` slots are free (the other lane's calls have answered), or
        take what is free after ``SLOT_WAIT``: a batch is not cut into batches of one as
        calls answer one by one."""
        waited_until = time.monotonic() + SLOT_WAIT
        with self._free:
            while self._slots < most and not self.stopping.is_set():
                left = waited_until - time.monotonic()
                if left <= 0 and self._slots:
                    break
                self._free.wait(timeout=max(left, 0) or self.idle_sleep)
            taken = min(self._slots, most)
            self._slots -= taken
            return taken

    def _give_slots(self, count: int) -> None:
        if count:
            with self._free:
                self._slots += count
                self._free.notify_all()

    def _sender(self, pool: ThreadPoolExecutor, held: list[int]) -> dispatch.Send:
        """Send a batch's requests concurrently on the pool (HTTP only, no DB there); each
        call's slot is given back when it answers."""

        def call(adapter: Any, request: Any) -> Any:
            try:
                return dispatch.bounded_publish(adapter, request)
            finally:
                held[0] -= 1
                self._give_slots(1)

        def send(jobs: list[tuple[Any, Any]]) -> list[Any]:
            # Each call bounded in total time (dispatch.max_call): a trickling platform
            # cannot hold the batch, the lease or the pool's thread.
            futures = [pool.submit(call, adapter, request) for adapter, request in jobs]
            return [f.exception() or f.result() for f in futures]

        return send

    def deliver_once(self, pool: ThreadPoolExecutor) -> int:
        """One claim (up to the free slots) and its delivery. Returns how many were claimed."""
        taken = self._take_slots(self.batch)
        held = [taken]
        try:
            if not taken:
                return 0
            claim = dispatch.claim_due(self.name, limit=taken)
            self._give_slots(taken - len(claim.ids))  # slots nothing was claimed for
            held[0] = len(claim.ids)
            if claim.ids:
                try:
                    dispatch.deliver_batch(claim.ids, claim.token, send=self._sender(pool, held))
                except Exception:  # what was claimed comes back when its lease runs out
                    log.exception("batch %s: delivery crashed", claim.token)
            return len(claim.ids)
        finally:
            self._give_slots(held[0])  # calls that never started (refused at the gate, …)

    def housekeeping(self, *, busy: bool) -> int:
        """Expired leases, the scheduler pass, WeChat jobs and unknown outcomes: at most
        once a ``HOUSEKEEPING_INTERVAL`` while there is delivery work."""
        started = time.monotonic()
        due = time.monotonic() - self._last_pass >= self.scheduler_interval
        if self.scheduler and due and take_scheduler_lease(self.name):
            self._last_pass = time.monotonic()
            scheduler_pass()
        if busy and started - self._last_housekeeping < HOUSEKEEPING_INTERVAL:
            return 0
        self._last_housekeeping = started
        dispatch.recover_expired_leases()
        return reconcile.poll_remote_pending(self.name) + reconcile.reconcile_unknown(self.name)

    def run_once(self, pool: ThreadPoolExecutor) -> int:
        """One turn of lane 0: housekeeping, then a claim and its delivery."""
        close_old_connections()
        work = self.deliver_once(pool)
        return work + self.housekeeping(busy=bool(work))

    def _lane(self, pool: ThreadPoolExecutor, number: int) -> None:
        while not self.stopping.is_set():
            try:
                if number == 0:
                    work = self.run_once(pool)
                else:
                    close_old_connections()
                    work = self.deliver_once(pool)
            except Exception:
                log.exception("dispatcher loop error")
                work = 0
            if not work:
                self.stopping.wait(self.idle_sleep)

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        log.info(
            "dispatcher %s: %d threads, %d lanes, scheduler=%s",
            self.name,
            self.threads,
            self.lanes,
            self.scheduler,
        )
        shared_client()  # the connection pool and TLS context, before the first due batch
        with ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="deliver") as pool:
            lanes = [
                threading.Thread(target=self._lane, args=(pool, n), name=f"lane-{n}")
                for n in range(1, self.lanes)
            ]
            for lane in lanes:
                lane.start()
            try:
                self._lane(pool, 0)
            finally:
                self.stopping.set()
                for lane in lanes:
                    lane.join()
        from django.db import connections

        connections.close_all()
        log.info("dispatcher %s stopped", self.name)
        return 0


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="guanwei dispatcher")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--batch", type=int, default=0)
    parser.add_argument("--no-scheduler", action="store_true")
    parser.add_argument("--idle-sleep", type=float, default=0.2)
    parser.add_argument("--lanes", type=int, default=2, help="claim loops sharing the threads")
    args = parser.parse_args(argv)
    return Dispatcher(
        threads=args.threads,
        batch=args.batch,
        scheduler=not args.no_scheduler,
        idle_sleep=args.idle_sleep,
        lanes=args.lanes,
    ).run()
