"""A rule's platform calls are made after the batch commits (W-18; issue 11 §2): a fetched
batch's delete (or WeChat hide) is decided in the store's transaction — the comment hidden
here at once, the call queued, audited — and made after the commit through the same
settle step as a person's delete. A fetcher killed in between, or a platform that answers
5xx, leaves the call queued for the housekeeping sweep; nothing is called twice, nothing
is lost. Over real HTTP to the fake WeChat (the college's prohibited-content rule)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.interaction import fetch, moderation
from guanwei.interaction.models import Comment, Visibility
from guanwei.interaction.tests.test_fetch_to_inbox import _fetch, _wechat
from guanwei.publishing.adapters import get_adapter
from guanwei.publishing.adapters.wechat import WeChatAdapter
from guanwei.publishing.credentials import settings_for
from guanwei.publishing.fakes import FakePlatforms
from guanwei.publishing.models import PublishIntent
from guanwei.testing.personas import person

PROHIBITED = "法轮功大法好"


def _say(fakes: FakePlatforms, intent: PublishIntent, *texts: str) -> None:
    msg = int(intent.remote_id.split(":")[-1])
    for text in texts:
        fakes.control("wechat", add_comment={"msg_data_id": msg, "content": text})


def _on_platform(intent: PublishIntent) -> set[str]:
    adapter = get_adapter("wechat", settings_for(intent.channel))
    return {c.remote_id for c in adapter.fetch_comments(intent.remote_id)}


@pytest.mark.django_db
def test_w18_a_rules_delete_is_made_after_the_batch_commits_not_inside_it(
    fakes: FakePlatforms, monkeypatch: pytest.MonkeyPatch
) -> None:
    """W-18: the platform's delete is called with no transaction of the product's open —
    only the test's own, around everything (on 3fc9cf4 it was called inside the store's,
    holding the cursor's lock for the length of the call)."""
    intent = _wechat(fakes)
    outside = len(connection.atomic_blocks)  # the test case's transaction
    seen: list[int] = []
    real = WeChatAdapter.delete_comment

    def spy(self: WeChatAdapter, *args: Any, **kwargs: Any) -> Any:
        seen.append(len(connection.atomic_blocks))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(WeChatAdapter, "delete_comment", spy)
    _say(fakes, intent, PROHIBITED, "老师辛苦了")
    assert _fetch() == 2
    assert seen == [outside]
    c = Comment.objects.get(intent=intent, text=PROHIBITED)
    assert c.visibility == Visibility.DELETED and c.platform_todo == ""
    assert c.remote_id not in _on_platform(intent)
    actions = list(
        AuditRecord.objects.filter(object_type="comment", object_id=str(c.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[0] == AuditAction.COMMENT_PLATFORM_QUEUED  # decided with the batch
    assert actions[-1] == AuditAction.COMMENT_DELETED  # made after it
    assert actions.count(AuditAction.COMMENT_DELETED) == 1


@pytest.mark.django_db
def test_w18_a_fetcher_killed_after_its_commit_leaves_the_delete_to_the_sweep(
    fakes: FakePlatforms, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch committed, the fetcher died before calling: the comment is hidden here,
    the delete queued; the next housekeeping pass (two minutes on) makes it, once."""
    intent = _wechat(fakes)
    monkeypatch.setattr(moderation, "carry_out", lambda *a, **k: 0)  # died before calling
    _say(fakes, intent, PROHIBITED)
    assert _fetch() == 1
    c = Comment.objects.get(intent=intent, text=PROHIBITED)
    assert c.visibility == Visibility.HIDDEN and c.platform_todo == "delete"
    assert c.remote_id in _on_platform(intent)
    monkeypatch.undo()

    assert moderation.carry_out() == 0  # too soon: it may still be the fetcher's
    later = timezone.now() + moderation.RETRY_AFTER + timedelta(seconds=1)
    fetch.fetch_due(now=later)
    c.refresh_from_db()
    assert c.visibility == Visibility.DELETED and c.platform_todo == ""
    assert c.remote_id not in _on_platform(intent)
    assert moderation.carry_out(now=later + moderation.RETRY_AFTER * 2) == 0  # once
    assert (
        AuditRecord.objects.filter(action=AuditAction.COMMENT_DELETED, object_id=str(c.pk)).count()
        == 1
    )


@pytest.mark.django_db
def test_w18_a_5xx_keeps_the_delete_queued_and_a_person_can_still_undo_it(
    fakes: FakePlatforms,
) -> None:
    """A platform 5xx: the delete stays queued (hidden here), tried again by the sweep; a
    person who restores the comment before then cancels it — it is never deleted."""
    intent = _wechat(fakes)
    fakes.control("wechat", fail_next=1, status=503, path="comment/delete")
    _say(fakes, intent, PROHIBITED)
    assert _fetch() == 1
    c = Comment.objects.get(intent=intent, text=PROHIBITED)
    assert c.visibility == Visibility.HIDDEN and c.platform_todo == "delete"
    assert c.remote_id in _on_platform(intent)

    moderation.unhide_comment(c, actor=person("col_xx_manager"), reason="误判，恢复")
    c.refresh_from_db()
    assert c.visibility == Visibility.VISIBLE and c.platform_todo == ""
    later = timezone.now() + moderation.RETRY_AFTER * 3
    assert moderation.carry_out(now=later) == 0
    c.refresh_from_db()
    assert c.visibility == Visibility.VISIBLE and c.remote_id in _on_platform(intent)


@pytest.mark.django_db
def test_w18_the_inbox_says_a_delete_is_still_to_be_made_on_the_platform(
    fakes: FakePlatforms,
) -> None:
    """The publisher sees 待在平台删除 on a comment whose queued delete has not been made
    (the platform answered 503), and 取消隐藏 to undo it."""
    from django.test import Client
    from django.urls import reverse

    intent = _wechat(fakes)
    fakes.control("wechat", fail_next=1, status=503, path="comment/delete")
    _say(fakes, intent, PROHIBITED)
    assert _fetch() == 1
    client = Client()
    client.force_login(person("col_xx_manager"))
    page = client.get(reverse("inbox")).content.decode()
    assert "待在平台删除" in page and "取消隐藏" in page
