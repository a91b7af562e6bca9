"""Who may see an organisation's own lexicon term (issue #9 §3): its keepers."""

from __future__ import annotations

from guanwei.orgs.access import register
from guanwei.orgs.permissions import can
from guanwei.screening.models import LexiconTerm


def register_rules() -> None:
    register(
        LexiconTerm, lambda user, t: can(user, "lexicon.manage", t.organisation), name="screening"
    )
