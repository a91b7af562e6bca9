"""What the channels room tells the rooms above it (they connect in ``AppConfig.ready``).

``status_changed`` is sent inside ``change_channel``'s transaction with ``channel=``,
``actor=``, ``before=`` and ``after=`` (status values): publishing cancels what was
scheduled for an account that is no longer active (C-12, issue #8 §1)."""

from __future__ import annotations

from django.dispatch import Signal

status_changed = Signal()

# C-04 (decision 0034): sent inside ``report_unregistered``'s transaction with ``report=``
# and ``handlers=`` (user ids). Oversight's receiver creates the checking deadline (5
# working days by the organisation's calendar) and returns its due time, which the report
# keeps; with no receiver the report is due in 7 days.
unregistered_reported = Signal()
# Sent inside ``decide_unregistered``'s transaction with ``report=`` and ``actor=``:
# oversight closes the deadline (met, or breached when late).
unregistered_decided = Signal()
