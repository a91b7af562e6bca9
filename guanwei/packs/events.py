"""Signals the packs room sends, so rooms above it act on a load without packs importing
them (DESIGN.md: packs sits below interaction)."""

from django.dispatch import Signal

# Sent at the end of ``packs.actions.load_pack``, inside its transaction:
# ``sender=Pack``, ``pack=`` the Pack, ``organisation=`` the Organisation, ``actor=``.
pack_loaded = Signal()
