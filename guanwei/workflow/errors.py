"""The workflow room's domain error."""

from __future__ import annotations

from guanwei.core.errors import InvalidChange


class ReviewError(InvalidChange):
    pass
