"""What the publishing room tells the rooms above it (issue #8 §7: a lower room never calls
up; an upper room connects to these signals in its ``AppConfig.ready``).

``post_published`` is sent inside the transaction that marks an intent published, with
``intent=`` the :class:`~guanwei.publishing.models.PublishIntent`; a receiver's writes
commit or roll back with it (oversight closes a correction deadline this way)."""

from __future__ import annotations

from django.dispatch import Signal

post_published = Signal()
