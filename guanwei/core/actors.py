"""The system actor (issue #9 §7): who does the work no person does — the operator's
commands, the scheduler, the task worker.

``actor=None`` used to mean "the system" and ``can(None, …)`` allowed everything, so a
forgotten argument was a superuser. Now system work names ``SYSTEM`` explicitly, and
``orgs.permissions`` lists the few actions it may perform; ``None`` is refused.
Pure Python (no Django) so that ``audit`` can recognise it without importing ``orgs``.
"""

from __future__ import annotations

from typing import Final


class SystemActor:
    """A stand-in for a person: never stored as a user (its ``pk`` is None), written to the
    audit log as "system"."""

    pk: Final = None
    id: Final = None
    is_superuser: Final = False
    is_active: Final = True
    is_authenticated: Final = True
    username: Final = "system"

    _instance: SystemActor | None = None

    def __new__(cls) -> SystemActor:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def get_username(self) -> str:
        return "system"

    def __str__(self) -> str:
        return "系统"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = SystemActor()


def is_system(actor: object) -> bool:
    return isinstance(actor, SystemActor)
