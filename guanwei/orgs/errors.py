"""Old import path of the domain errors, which now live in :mod:`guanwei.core.errors`.

Kept only while issue #8 is in flight: some thirty modules of every room import the errors
from here and are being edited by others at the same time. New code imports
``guanwei.core.errors``; these are the same classes, not copies.
"""

from __future__ import annotations

from guanwei.core.errors import DomainError, InvalidChange, PermissionDenied

__all__ = ["DomainError", "InvalidChange", "PermissionDenied"]
