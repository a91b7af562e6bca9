"""Named people of the demo packs, for tests that read like specifications."""

from __future__ import annotations

from guanwei.channels.models import Channel
from guanwei.orgs.models import Organisation, Unit, User


def person(username: str) -> User:
    return User.objects.get(username=username)


def org(key: str) -> Organisation:
    return Organisation.objects.get(key=key)


def unit(org_key: str, key: str) -> Unit:
    return Unit.objects.get(organisation__key=org_key, key=key)


def channel(org_key: str, key: str) -> Channel:
    return Channel.objects.get(organisation__key=org_key, key=key)
