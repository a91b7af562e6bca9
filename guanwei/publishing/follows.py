"""Checking required follows on the platforms (REQ W-07): the follower account's follow
list, read through its adapter, must contain the followee account's ID."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from guanwei.channels.actions import record_follow_check
from guanwei.channels.models import RequiredFollow
from guanwei.publishing.adapters import get_adapter
from guanwei.publishing.adapters.base import AdapterError
from guanwei.publishing.credentials import settings_for


@dataclass
class FollowCheck:
    checked: int = 0
    violations: int = 0
    errors: int = 0


def check_required_follows(
    organisation_id: int | None = None, *, older_than: timedelta | None = None
) -> FollowCheck:
    """Check every required follow (of one organisation) not checked within
    ``older_than``. A follower or followee without an account ID, or a platform without
    follow lists, is reported as unchecked, not as a violation."""
    result = FollowCheck()
    follows = RequiredFollow.objects.select_related("follower", "followee")
    if organisation_id is not None:
        follows = follows.filter(follower__organisation_id=organisation_id)
    if older_than is not None:
        cutoff = timezone.now() - older_than
        follows = follows.filter(last_checked_at__isnull=True) | follows.filter(
            last_checked_at__lt=cutoff
        )
    # The follower's follow list, read once; None when it could not be read, so that every
    # follow of that follower is unchecked (an error), never a violation.
    cache: dict[int, set[str] | None] = {}
    for follow in follows:
        followee_id = follow.followee.account_id.strip()
        if not followee_id:
            result.errors += 1
            continue
        if follow.follower_id not in cache:
            try:
                adapter = get_adapter(follow.follower.platform, settings_for(follow.follower))
                cache[follow.follower_id] = set(adapter.fetch_follows())
            except AdapterError:
                cache[follow.follower_id] = None
        following = cache[follow.follower_id]
        if following is None:
            result.errors += 1
            continue
        satisfied = followee_id in following
        record_follow_check(follow, satisfied=satisfied)
        result.checked += 1
        result.violations += not satisfied
    return result
