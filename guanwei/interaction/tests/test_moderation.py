"""Moderation rules and actions (W-18): first matching enabled rule wins; hide, delete on
the platform, escalate to the leader, label, assign, mark reviewed, over real HTTP to the
fakes; undo where the platform allows; refused for who does not moderate comments."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from django.utils import timezone

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.core.errors import InvalidChange, PermissionDenied
from guanwei.interaction import moderation, rules
from guanwei.interaction.models import Comment, ItemStatus, ModerationRule, Visibility
from guanwei.notify.models import Notice
from guanwei.publishing.adapters import get_adapter
from guanwei.publishing.fakes import FakePlatforms, demo_settings
from guanwei.publishing.models import ChannelSettings
from guanwei.testing.personas import channel, org, person

pytestmark = pytest.mark.django_db
W, C = "demo_weather", "demo_college"
_n = itertools.count(1)


def _connect(fakes: FakePlatforms, o: str, key: str, platform: str) -> Any:
    ch = channel(o, key)
    values = demo_settings(fakes)[platform]
    ChannelSettings.objects.update_or_create(channel=ch, defaults={"values": values})
    return get_adapter(platform, values)


def _stored(o: str, key: str, remote_post: str, remote: Any, **kw: Any) -> Comment:
    ch = channel(o, key)
    return Comment.objects.create(
        organisation_id=ch.organisation_id,
        unit_id=ch.unit_id,
        channel=ch,
        remote_id=remote.remote_id,
        remote_post_id=remote_post,
        author_name=remote.author,
        text=remote.text,
        created_at=remote.created_at,
        fetched_at=timezone.now(),
        **kw,
    )


def _rule(o: str, key: str, position: int, conditions: dict, actions: list, **kw: Any) -> Any:
    return ModerationRule.objects.create(
        organisation=org(o),
        key=key,
        name=kw.pop("name", key),
        position=position,
        conditions=conditions,
        actions=actions,
        req="W-18",
        **kw,
    )


def _wechat_post(adapter: Any) -> str:
    return adapter.recent_posts(5)[0].remote_id


# ------------------------------------------------------------------ matching (pure)


def _facts(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "text": "",
        "categories": set(),
        "verdict": "",
        "author_id": "",
        "author_name": "",
        "has_link": False,
        "only_emoji": False,
        "length": 0,
        "post": "",
        "channel": "",
        "source": "comment",
        "scope": "none",
    }
    base.update(kw)
    return base


def test_w18_first_enabled_matching_rule_by_position_wins() -> None:
    """W-18, property-style: over random rule lists, ``match`` returns the enabled rule with
    the lowest position among those whose conditions hold; disabled rules never match."""
    rnd = random.Random(18)
    keywords = ["反动", "广告", "谢谢", "下雨"]
    for _ in range(300):
        rule_list = [
            ModerationRule(
                pk=i + 1,
                key=f"r{i}",
                position=rnd.randint(1, 5),
                enabled=rnd.random() < 0.7,
                conditions={"keywords": rnd.sample(keywords, rnd.randint(1, 2))},
            )
            for i in range(rnd.randint(0, 6))
        ]
        text = "".join(rnd.sample(keywords, rnd.randint(0, 2)))
        got = rules.match(rule_list, _facts(text=text, length=len(text)))
        holding = [
            r for r in rule_list if r.enabled and any(k in text for k in r.conditions["keywords"])
        ]
        want = min(holding, key=lambda r: (r.position, r.pk)) if holding else None
        assert got is want


def test_w18_each_condition_kind() -> None:
    def one(cond: dict, **facts: Any) -> bool:
        r = ModerationRule(pk=1, key="x", conditions=cond)
        return rules.match([r], _facts(**facts)) is r

    assert one({"categories": ["reactionary"]}, categories={"reactionary", "abuse"})
    assert not one({"categories": ["reactionary"]}, categories={"abuse"})
    assert one({"verdicts": ["block"]}, verdict="block")
    assert one({"authors": ["水军1号"]}, author_name="水军1号")
    assert one({"has_link": True}, has_link=True) and not one({"has_link": True})
    assert one({"min_length": 5, "max_length": 10}, length=7)
    assert not one({"max_length": 10}, length=11)
    assert one({"channels": ["city_weibo"], "posts": ["9"]}, channel="city_weibo", post="9")
    assert one({"sources": ["message"], "scopes": ["out"]}, source="message", scope="out")
    assert one({}, text="anything")
    assert rules.only_emoji("😀😀 [doge]") and not rules.only_emoji("好😀")
    assert not rules.only_emoji("")


# ------------------------------------------------------------------ actions over HTTP


def test_w18_delete_on_wechat_is_gone_from_the_fake_and_cannot_be_undone(
    fakes: FakePlatforms,
) -> None:
    """W-18: delete goes through the adapter (comment/delete); the fake no longer lists it;
    audited with the reason; undo is refused (WeChat's delete is not undoable)."""
    adapter = _connect(fakes, C, "info_wechat", "wechat")
    post = _wechat_post(adapter)
    first = adapter.fetch_comments(post)[0]
    c = _stored(C, "info_wechat", post, first)
    out = moderation.delete_comment(c, actor=person("col_xx_manager"), reason="恶意攻击")
    assert out.on_platform
    assert first.remote_id not in {x.remote_id for x in adapter.fetch_comments(post)}
    c.refresh_from_db()
    assert c.visibility == Visibility.DELETED
    rec = AuditRecord.objects.filter(action=AuditAction.COMMENT_DELETED).last()
    assert rec is not None and (rec.after or {})["reason"] == "恶意攻击"
    with pytest.raises(InvalidChange, match="不可撤销"):
        moderation.unhide_comment(c, actor=person("col_xx_manager"), reason="误删")


def test_w18_hide_on_wechat_takes_it_out_of_featured_and_undo_puts_it_back(
    fakes: FakePlatforms,
) -> None:
    adapter = _connect(fakes, C, "info_wechat", "wechat")
    post = _wechat_post(adapter)
    remote = adapter.fetch_comments(post)[0]
    adapter.unhide_comment(post, remote.remote_id)  # featured to start with
    c = _stored(C, "info_wechat", post, remote)

    def elected() -> list[Any]:
        return [c for a in fakes.wechat.data.articles.values() for c in a.comments if c.elected]

    assert any(str(x.id) == remote.remote_id for x in elected())
    out = moderation.hide_comment(c, actor=person("col_xx_manager"), reason="广告")
    assert out.on_platform and not any(str(x.id) == remote.remote_id for x in elected())
    moderation.unhide_comment(c, actor=person("col_xx_manager"), reason="误判")
    assert any(str(x.id) == remote.remote_id for x in elected())
    c.refresh_from_db()
    assert c.visibility == Visibility.VISIBLE


def test_w18_weibo_has_no_hide_so_it_hides_in_the_product_only_and_says_so(
    fakes: FakePlatforms,
) -> None:
    adapter = _connect(fakes, W, "city_weibo", "weibo")
    post = adapter.recent_posts(5)[-1].remote_id
    remote = adapter.fetch_comments(post)[0]
    c = _stored(W, "city_weibo", post, remote)
    out = moderation.hide_comment(c, actor=person("kj_publisher"), reason="广告")
    assert not out.on_platform and "仅在本系统" in out.message
    assert remote.remote_id in {x.remote_id for x in adapter.fetch_comments(post)}


def test_w18_weibo_refuses_deleting_a_strangers_comment_and_it_is_hidden_instead(
    fakes: FakePlatforms,
) -> None:
    """W-18: Weibo's comments/destroy deletes only the account's own comments (20203); the
    refusal is recorded and the comment hidden in the product, the person told why."""
    adapter = _connect(fakes, W, "city_weibo", "weibo")
    post = adapter.recent_posts(5)[-1].remote_id
    remote = adapter.fetch_comments(post)[0]
    c = _stored(W, "city_weibo", post, remote)
    out = moderation.delete_comment(c, actor=person("kj_publisher"), reason="恶意")
    assert not out.on_platform and "手动" in out.message
    c.refresh_from_db()
    assert c.visibility == Visibility.HIDDEN
    assert AuditRecord.objects.filter(action=AuditAction.COMMENT_DELETE_REFUSED).exists()


def test_w18_who_does_not_moderate_comments_is_refused(fakes: FakePlatforms) -> None:
    adapter = _connect(fakes, C, "info_wechat", "wechat")
    post = _wechat_post(adapter)
    c = _stored(C, "info_wechat", post, adapter.fetch_comments(post)[0])
    outsider = person("kj_publisher")  # another organisation's publisher
    for act in (moderation.delete_comment, moderation.hide_comment, moderation.mark_reviewed):
        with pytest.raises(PermissionDenied):
            act(c, actor=outsider, reason="x")
    assert len(adapter.fetch_comments(post)) == 2


# ------------------------------------------------------------------ rules end to end


def test_w18_a_rule_deletes_one_comment_and_another_escalates_one_to_the_leader(
    fakes: FakePlatforms,
) -> None:
    """W-18 end to end over real HTTP: the extreme comment is deleted on WeChat by the
    first rule; the malicious one is escalated to the leader (notice, 已上报领导) by the
    second; a disabled rule before them does nothing."""
    adapter = _connect(fakes, C, "info_wechat", "wechat")
    post = _wechat_post(adapter)
    remotes = adapter.fetch_comments(post)
    extreme = _stored(C, "info_wechat", post, remotes[0], hits=[{"category": "extreme"}])
    malicious = _stored(
        C, "info_wechat", post, remotes[1], verdict="review", hits=[{"category": "abuse"}]
    )
    _rule(C, "off", 1, {}, [{"do": "delete"}], enabled=False)
    _rule(C, "extreme", 2, {"categories": ["extreme"]}, [{"do": "delete"}])
    leader_roles = ["supervising_leader", "propaganda_head", "party_secretary"]
    _rule(
        C,
        "abuse",
        3,
        {"verdicts": ["review"]},
        [{"do": "escalate", "roles": leader_roles}, {"do": "label", "label": "恶意"}],
    )
    rules.apply_many([extreme, malicious])
    extreme.refresh_from_db()
    # decided in the batch's transaction: hidden here, the platform's delete queued
    assert extreme.visibility == Visibility.HIDDEN and extreme.platform_todo == "delete"
    assert extreme.remote_id in {x.remote_id for x in adapter.fetch_comments(post)}
    assert moderation.carry_out([extreme.pk, malicious.pk]) == 1  # after the commit
    extreme.refresh_from_db()
    malicious.refresh_from_db()
    assert extreme.visibility == Visibility.DELETED and extreme.rule_key == "extreme"
    assert extreme.platform_todo == ""
    left = {x.remote_id for x in adapter.fetch_comments(post)}
    assert extreme.remote_id not in left and malicious.remote_id in left
    assert malicious.status == ItemStatus.ESCALATED and malicious.escalated_to_id
    assert malicious.labels == ["恶意"]
    assert Notice.objects.filter(user_id=malicious.escalated_to_id).exists()
    rec = AuditRecord.objects.filter(action=AuditAction.COMMENT_DELETED).last()
    assert rec is not None and rec.actor_id is None and rec.actor_name == "system"


def test_w18_the_packs_moderation_rules_are_rows_once_the_pack_is_loaded() -> None:
    """W-18: loading a pack puts its [[moderation]] rules in force for the organisation
    (the loader's ``pack_loaded`` signal; packs does not import interaction)."""
    got = ModerationRule.objects.filter(organisation=org(W), from_pack=True)
    keys = set(got.values_list("key", flat=True))
    assert {"w18-reactionary-delete", "w18-malicious-escalate"} <= keys
    first = got.order_by("position").first()
    assert first is not None and first.req == "W-18"
    assert [a["do"] for a in first.actions][:2] == ["delete", "escalate"]
    assert ModerationRule.objects.filter(organisation=org(C), req__contains="C-10").exists()
