"""Domain errors every room raises; views turn them into a Chinese message."""

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
