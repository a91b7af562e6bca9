"""What the channels room tells the rooms above it (they connect in ``AppConfig.ready``).

``status_changed`` is sent inside ``change_channel``'s transaction with ``channel=``,
``actor=``, ``before=`` and ``after=`` (status values): publishing cancels what was
scheduled for an account that is no longer active (C-12, issue #8 §1)."""

from __future__ import annotations

from django.dispatch import Signal

status_changed = Signal()
