"""C-05 (with C-09/T-01's rule of who publishes on an account; found in review): a repost
duty is confirmed (已转发) by a publisher *of the duty's account* — 发布 and 安排发布 held
through a role in the account's unit or a unit named to publish on it — the same rule as
scheduling on it (``channels.scope.may_publish_on``). A role whose wider scope reaches the
account from another unit does not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from guanwei.channels.scope import may_publish_on
from guanwei.orgs.errors import PermissionDenied
from guanwei.orgs.models import Membership
from guanwei.orgs.permissions import can, forget_grants
from guanwei.oversight import actions
from guanwei.oversight.models import Deadline, DeadlineKind, DeadlineStatus
from guanwei.testing.personas import channel, org, person, unit

pytestmark = pytest.mark.django_db
R = "demo_real_estate"


def test_c05_a_repost_duty_is_confirmed_only_by_a_publisher_of_its_account() -> None:
    account = channel(R, "company_weibo")
    outsider = person("re_xm_editor")
    # 公司微博小组成员 (post.publish organisation-wide) held in the project's own unit
    Membership.objects.create(
        user=outsider,
        unit=unit(R, "project_culture_town"),
        role="group_member",
        granted_at=timezone.now(),
    )
    forget_grants(outsider)
    assert can(outsider, "post.publish", account) and not may_publish_on(outsider, account)
    now = timezone.now()
    duty = Deadline.objects.create(
        organisation=org(R),
        unit=account.unit,
        kind=DeadlineKind.SYNDICATION,
        key="redteam-c05",
        title="转发公司通知",
        channel=account,
        starts_at=now,
        due_at=now + timedelta(hours=24),
    )
    assert not actions.may_mark_syndicated(duty, outsider)
    with pytest.raises(PermissionDenied):
        actions.mark_syndicated(duty, actor=outsider, link="https://weibo.example/1")
    duty.refresh_from_db()
    assert duty.status == DeadlineStatus.OPEN
