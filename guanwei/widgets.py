"""Form widgets every room shares (below every room, like `keyset`: it imports only Django)."""

from __future__ import annotations

from typing import Any

from django import forms


class LocalDateTimeInput(forms.DateTimeInput):
    """An ``<input type="datetime-local">`` whose value is written as the browser needs it
    (``2026-12-03T17:00``, local time). The locale's format ("2026/12/03 17:00") is shown
    by the browser as empty, so saving the form would silently drop the time. Django's
    DateTimeField reads the ISO value back."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
