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


@pytest.mark.django_db
def test_w18_while_the_rules_delete_is_on_the_wire_nobody_undoes_or_repeats_it(
    fakes: FakePlatforms, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim moves the row to 删除中 (deleting): a person's 取消隐藏 or delete meanwhile is
    refused with a Chinese message, and the sweep does not take it again before
    ``RETRY_AFTER`` — the rule's call is made once and its COMMENT_DELETED recorded (review
    of 7ba9a82: an undo during the call lost the delete and its record)."""
    from guanwei.core.errors import InvalidChange

    intent = _wechat(fakes)
    manager = person("col_xx_manager")
    during: list[str] = []
    real = WeChatAdapter.delete_comment

    def person_tries(self: WeChatAdapter, *args: Any, **kwargs: Any) -> Any:
        c = Comment.objects.get(intent=intent, text=PROHIBITED)
        assert c.platform_todo == "deleting"
        for act in (moderation.unhide_comment, moderation.delete_comment):
            with pytest.raises(InvalidChange, match="正在平台上执行"):
                act(c, actor=manager, reason="人工")
            during.append(act.__name__)
        assert moderation.carry_out() == 0  # a sweep now: claimed just now, not taken
        return real(self, *args, **kwargs)

    monkeypatch.setattr(WeChatAdapter, "delete_comment", person_tries)
    _say(fakes, intent, PROHIBITED)
    assert _fetch() == 1
    assert during == ["unhide_comment", "delete_comment"]
    c = Comment.objects.get(intent=intent, text=PROHIBITED)
    assert c.visibility == Visibility.DELETED and c.platform_todo == ""
    assert (
        AuditRecord.objects.filter(action=AuditAction.COMMENT_DELETED, object_id=str(c.pk)).count()
        == 1
    )


@pytest.mark.django_db
def test_w18_a_claim_left_by_a_fetcher_killed_during_the_call_is_taken_again_later(
    fakes: FakePlatforms, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed on the wire: the row stays 删除中; the sweep takes it again only after
    ``RETRY_AFTER``, and then deletes it."""
    intent = _wechat(fakes)

    def killed(self: WeChatAdapter, *args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt  # stands for SIGKILL: nothing after the claim runs

    monkeypatch.setattr(WeChatAdapter, "delete_comment", killed)
    _say(fakes, intent, PROHIBITED)
    with pytest.raises(KeyboardInterrupt):
        _fetch()
    monkeypatch.undo()
    c = Comment.objects.get(intent=intent, text=PROHIBITED)
    assert c.platform_todo == "deleting" and c.visibility == Visibility.HIDDEN
    assert moderation.carry_out() == 0
    assert moderation.carry_out(now=timezone.now() + moderation.RETRY_AFTER * 2) == 1
    c.refresh_from_db()
    assert c.visibility == Visibility.DELETED and c.remote_id not in _on_platform(intent)
