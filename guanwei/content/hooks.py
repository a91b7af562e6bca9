"""How rooms above content react to an edit or a submission, without content importing
them (issue #8 §7).

A room that keeps state about a post's revision — the review run (workflow), the scheduled
publications (publishing) — registers a hook at start-up (its ``AppConfig.ready``).
``revise_post`` calls every hook inside its own transaction, BEFORE it writes the new
revision: a hook may refuse the edit by raising a ``DomainError`` (publishing does while a
send is in flight), and what a hook changes commits or rolls back with the edit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guanwei.content.models import Post, Submission
    from guanwei.orgs.models import User
    from guanwei.orgs.permissions import Actor

# (post, actor, reason) → None; raise DomainError to refuse the edit.
ReviseHook = Callable[["Post", "Actor | None", str], object]
# (submission, actor) → None: material just landed (workflow starts the W-15 chain).
MaterialHook = Callable[["Submission", "User"], object]

_revise_hooks: dict[str, ReviseHook] = {}
_material_hooks: dict[str, MaterialHook] = {}


def on_revise(name: str, hook: ReviseHook) -> None:
    """Register ``hook`` under ``name`` (idempotent: a second registration replaces it)."""
    _revise_hooks[name] = hook


def run_revise_hooks(post: Post, actor: Actor | None, reason: str) -> None:
    # Publishing first: it may refuse the edit before anything else changed.
    for name in sorted(_revise_hooks, key=lambda n: (n != "publishing", n)):
        _revise_hooks[name](post, actor, reason)


def on_material_submitted(name: str, hook: MaterialHook) -> None:
    _material_hooks[name] = hook


def run_material_hooks(submission: Submission, actor: User) -> None:
    for name in sorted(_material_hooks):
        _material_hooks[name](submission, actor)
