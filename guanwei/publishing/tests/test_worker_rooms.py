"""Issue #8 (dispatch p99 ≤ 3 s): the rooms' housekeeping — interaction's comment fetching,
1–2 s a pass under load — never runs inside a dispatcher's delivery loop, where every post
falling due meanwhile waited behind it. ``guanwei dispatcher`` runs it on a thread of its
own, which yields to a backlog (the last take was full) for at most ``ROOMS_MAX_WAIT``.
Nothing here touches the database: the loop's parts are replaced by recorders."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from guanwei.publishing import dispatch, worker


def _recorders(monkeypatch: pytest.MonkeyPatch, d: worker.Dispatcher) -> dict[str, list[str]]:
    calls: dict[str, list[str]] = {"own": [], "rooms": []}
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(dispatch, "recover_expired_leases", lambda: 0)
    monkeypatch.setattr(d, "_deliver", lambda pool: 0)  # idle: nothing due

    def own(name: str) -> int:
        calls["own"].append(name)
        return 0

    def rooms(name: str) -> int:
        calls["rooms"].append(threading.current_thread().name)
        return 0

    monkeypatch.setattr(worker, "own_housekeeping", own)
    monkeypatch.setattr(worker, "rooms_housekeeping", rooms)
    return calls


def test_x03_the_loop_leaves_the_rooms_housekeeping_to_its_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    d = worker.Dispatcher(threads=1, scheduler=False, rooms_thread=True)
    calls = _recorders(monkeypatch, d)
    with ThreadPoolExecutor(max_workers=1) as pool:
        d.run_once(pool)
    assert calls == {"own": [d.name], "rooms": []}  # publishing's own passes: at once


def test_x03_without_the_thread_the_loop_runs_both_parts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    d = worker.Dispatcher(threads=1, scheduler=False)
    calls = _recorders(monkeypatch, d)
    with ThreadPoolExecutor(max_workers=1) as pool:
        d.run_once(pool)
    assert calls["own"] == [d.name]
    assert calls["rooms"] == [threading.current_thread().name]


def test_x03_the_rooms_thread_yields_to_a_backlog_then_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    d = worker.Dispatcher(threads=1, scheduler=False, rooms_thread=True)
    calls = _recorders(monkeypatch, d)
    monkeypatch.setattr(worker, "HOUSEKEEPING_INTERVAL", 0.05)
    from django.db import connection

    monkeypatch.setattr(connection, "close", lambda: None)
    d._backlog.set()  # the last take was full
    rooms = threading.Thread(target=d._rooms_loop, name="rooms")
    rooms.start()
    try:
        time.sleep(0.5)
        assert calls["rooms"] == []  # waits while posts are due
        d._backlog.clear()
        deadline = time.monotonic() + 5
        while not calls["rooms"] and time.monotonic() < deadline:
            time.sleep(0.02)
        assert calls["rooms"][:1] == ["rooms"]
    finally:
        d.stop()
        rooms.join(5)
    assert not rooms.is_alive()


def test_x03_a_lasting_backlog_delays_the_rooms_at_most_rooms_max_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    d = worker.Dispatcher(threads=1, scheduler=False, rooms_thread=True)
    calls = _recorders(monkeypatch, d)
    monkeypatch.setattr(worker, "ROOMS_MAX_WAIT", 0.4)
    from django.db import connection

    monkeypatch.setattr(connection, "close", lambda: None)
    d._backlog.set()
    rooms = threading.Thread(target=d._rooms_loop, name="rooms")
    started = time.monotonic()
    rooms.start()
    try:
        while not calls["rooms"] and time.monotonic() - started < 5:
            time.sleep(0.02)
        assert calls["rooms"] == ["rooms"]
        assert time.monotonic() - started >= 0.4
    finally:
        d.stop()
        rooms.join(5)


def test_x03_a_full_take_marks_the_backlog(monkeypatch: pytest.MonkeyPatch) -> None:
    d = worker.Dispatcher(threads=2, scheduler=False, rooms_thread=True)

    class Taken:
        def __init__(self, n: int) -> None:
            self.out: list[Any] = [object()] * n
            self.unsent: list[Any] = []
            self.ready: list[Any] = []

    monkeypatch.setattr(dispatch, "take_due", lambda name, limit: Taken(limit))
    with ThreadPoolExecutor(max_workers=2) as pool:
        d._deliver(pool)
        assert d._backlog.is_set()
        monkeypatch.setattr(dispatch, "take_due", lambda name, limit: Taken(limit - 1))
        d._deliver(pool)
        assert not d._backlog.is_set()
