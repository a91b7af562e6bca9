"""Publishing's events, for the rooms above it to react to without publishing importing
them (a room calls down, never up). A receiver is connected at start-up in its room's
``AppConfig.ready``.

``post_published``: sent with ``(sender=PublishIntent, intent=intent)`` for each intent that
becomes PUBLISHED (by ``publishing.transitions``, the one place an intent changes status),
inside the transaction that records it (so what a receiver writes
commits or rolls back with the publication). A receiver must be quick, make no remote call,
and must not raise: oversight's (``oversight.hooks``) closes the W-11 correction deadline."""

from __future__ import annotations

import django.dispatch

post_published = django.dispatch.Signal()

# ``intents_released``: sent with ``(sender=PublishIntent, intents=[...], before=[...])``
# when waiting intents stop counting where they were — cancelled (``transitions.move``), or
# moved to another time (``actions._move_waiting``; ``before`` holds their old times) —
# inside the transaction that records it. Oversight's receiver reopens a quota met ahead
# by them (E-04 时光机: a rest day's posts counted before the day). Quick, never raises.
intents_released = django.dispatch.Signal()

# Sent by the one active scheduler every pass (about every 15 s), outside any transaction;
# oversight connects its deadline tick here.
scheduler_pass = django.dispatch.Signal()

# Sent by every dispatcher's housekeeping (about every 5 s), outside any transaction; the
# interaction room fetches new comments here (each cursor claimed by one process at a time).
housekeeping_pass = django.dispatch.Signal()
