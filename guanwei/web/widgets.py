"""Old import path of the shared form widgets, now `guanwei.widgets` (a room never imports the
shell). Kept for branches in flight; no module of guanwei uses it."""

from guanwei.widgets import LocalDateTimeInput

__all__ = ["LocalDateTimeInput"]
