"""What the packs room tells the rooms above it (they connect in ``AppConfig.ready``).

``pack_loaded`` is sent at the end of ``load_pack``'s transaction with ``organisation=``,
``pack=`` (the parsed :class:`~guanwei.packs.schema.Pack`) and ``actor=``: interaction
loads the pack's ``[[moderation]]`` rules into its rows (W-18)."""

from __future__ import annotations

from django.dispatch import Signal

pack_loaded = Signal()
