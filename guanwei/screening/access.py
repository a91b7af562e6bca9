"""Who may see an organisation's own lexicon term or allow-phrase (issue #9 §3, #10 §5):
its keepers."""

from __future__ import annotations

from guanwei.orgs.access import register
from guanwei.orgs.models import Organisation, User
from guanwei.orgs.permissions import can
from guanwei.screening.models import LexiconAllowPhrase, LexiconTerm


def register_rules() -> None:
    register(
        LexiconTerm, lambda user, t: can(user, "lexicon.manage", t.organisation), name="screening"
    )
    register(
        LexiconAllowPhrase,
        lambda user, p: can(user, "lexicon.manage", p.organisation),
        name="screening",
    )


def may_open_lexicon(user: User, organisation: Organisation) -> bool:
    """The lexicon page (the organisation's own terms and allow-phrases): its keepers only,
    as the terms themselves (docs/security.md) — who knows the list knows what to avoid."""
    return can(user, "lexicon.manage", organisation)
