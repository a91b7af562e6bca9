"""Domain errors every room raises; views turn them into a Chinese message.

The bottom of the house: no Django, no other room. ``guanwei.orgs.errors`` re-exports them
under their old path while issue #8 is in flight."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the operation. ``message`` is shown to the user (Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermissionDenied(DomainError):
    pass


class InvalidChange(DomainError):
    pass
