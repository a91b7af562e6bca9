"""The post page (稿件页) belongs to the content room: its URL, view and template live here.
Other rooms add panels to it without the content room importing them: at start-up (their
``AppConfig.ready``) each registers a :class:`PostPanel` — a read-only function of its own
``queries.py`` that returns the panel's data, the template include that shows it, and
optionally a function of its ``forms.py`` that makes the panel's empty forms.

The page calls the panels in ``order``; each data function sees what the earlier panels
returned (``shared``), so a value computed once (the publishable revision) is not computed
again. Keys must not collide: a panel that returns a key another panel returned is a bug and
fails loudly."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from guanwei.content.models import Post
from guanwei.orgs.models import User

PanelData = Callable[[Post, User, Mapping[str, Any]], dict[str, Any]]
PanelForms = Callable[[Post, Mapping[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class PostPanel:
    key: str  # the owning room, e.g. "review", "publishing", "corrections"
    template: str  # an include, rendered with the page's context
    data: PanelData  # read-only: the owning room's queries
    forms: PanelForms | None = None  # empty forms; a view may pass bound ones instead
    order: int = 100


_PANELS: dict[str, PostPanel] = {}


def register(panel: PostPanel) -> None:
    """Called from an ``AppConfig.ready``; registering the same key again replaces it."""
    _PANELS[panel.key] = panel


def registered() -> list[PostPanel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))


def collect(
    post: Post, user: User, base: Mapping[str, Any], forms: Mapping[str, Any]
) -> tuple[list[str], dict[str, Any]]:
    """The templates to include, in order, and the context they need. ``forms`` are bound
    forms a view passes back after a refused POST (they replace the panels' empty ones)."""
    context: dict[str, Any] = dict(base)
    templates: list[str] = []
    for panel in registered():
        data = panel.data(post, user, context)
        if panel.forms is not None:
            data.update(
                {k: v for k, v in panel.forms(post, {**context, **data}).items() if k not in forms}
            )
        clash = set(data) & set(context)
        if clash:
            raise RuntimeError(f"post panel {panel.key!r} repeats keys {sorted(clash)}")
        context.update(data)
        templates.append(panel.template)
    context.update(forms)
    return templates, context
