"""The dispatcher process: `guanwei dispatcher [--threads N] [--no-scheduler]`.

Each process runs a claim loop with a thread pool (one DB connection per thread). Exactly
one process at a time also runs the scheduler pass (auto-scheduling approved posts,
expiring late ones, deadlines), holding a lease row renewed by conditional UPDATE.
SIGTERM/SIGINT: stop claiming, finish what is in hand, exit.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone

from guanwei.publishing import dispatch, reconcile
from guanwei.publishing.models import SchedulerLease

log = logging.getLogger("guanwei.dispatch")
SCHEDULER_LEASE = timedelta(seconds=15)


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
    try:
        from guanwei.oversight.scheduler import tick
    except ImportError:  # the oversight room is optional in minimal deployments
        return
    tick()


class Dispatcher:
    def __init__(
        self, *, threads: int = 4, batch: int = 0, scheduler: bool = True, idle_sleep: float = 0.2
    ) -> None:
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.threads = threads
        self.batch = batch or threads * 2
        self.scheduler = scheduler
        self.idle_sleep = idle_sleep
        self.stopping = threading.Event()

    def stop(self, *_: object) -> None:
        self.stopping.set()

    @staticmethod
    def _sender(pool: ThreadPoolExecutor) -> dispatch.Send:
        """Send a batch's requests concurrently on the pool (HTTP only, no DB there)."""

        def send(jobs: list[tuple[Any, Any]]) -> list[Any]:
            futures = [pool.submit(adapter.publish, request) for adapter, request in jobs]
            return [f.exception() or f.result() for f in futures]

        return send

    def run_once(self, pool: ThreadPoolExecutor) -> int:
        close_old_connections()
        dispatch.recover_expired_leases()
        if self.scheduler and take_scheduler_lease(self.name):
            scheduler_pass()
        claim = dispatch.claim_due(self.name, limit=self.batch)
        if claim.ids:
            try:
                dispatch.deliver_batch(claim.ids, claim.token, send=self._sender(pool))
            except Exception:  # what was claimed comes back when its lease runs out
                log.exception("batch %s: delivery crashed", claim.token)
        work = len(claim.ids)
        work += reconcile.poll_remote_pending(self.name)
        work += reconcile.reconcile_unknown(self.name)
        return work

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        log.info("dispatcher %s: %d threads, scheduler=%s", self.name, self.threads, self.scheduler)
        with ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="deliver") as pool:
            while not self.stopping.is_set():
                try:
                    work = self.run_once(pool)
                except Exception:
                    log.exception("dispatcher loop error")
                    work = 0
                if not work:
                    self.stopping.wait(self.idle_sleep)
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
