"""Separation of duties in delegation (R-04, issue #9 §8): nobody arranges a deputy for
their own post, the consent is the executive leader's for the group leader's absence, and a
delegation lasts at most the pack's maximum (30 days by default)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from guanwei.content import actions as content
from guanwei.content.models import Post
from guanwei.core.errors import DomainError, PermissionDenied
from guanwei.testing.personas import channel, org, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import Delegation, RunStatus, StepRun
from guanwei.workflow.queries import publishable_revision

pytestmark = pytest.mark.django_db

R = "demo_real_estate"


def _executive_post() -> Post:
    """The executive leader (also an editor of 行政商务部) writes a post himself."""
    post = content.create_post(
        unit(R, "admin_commerce"),
        actor=person("re_zz_executive"),
        title="行业资讯",
        body="本周房地产行业资讯汇总。",
        category="column",
        subtype="",
        column="industry_news",
        channels=[channel(R, "company_weibo")],
        source="行政商务部",
    )
    wf.submit_for_review(post, actor=person("re_zz_executive"))
    return post


def _pending(post: Post) -> StepRun:
    return StepRun.objects.get(run__post=post, run__status=RunStatus.IN_PROGRESS, status="pending")


def _grant(**overrides: object) -> Delegation:
    fields: dict[str, object] = {
        "actor": person("re_zz_executive"),
        "chain_key": "review",
        "delegate": person("re_zz_deputy2"),
        "absent": person("re_zz_leader"),
        "ends_at": timezone.now() + timedelta(days=3),
        "reason": "组长出差",
    }
    fields.update(overrides)
    return wf.grant_delegation(org(R), **fields)  # type: ignore[arg-type]


def test_r04_the_author_cannot_arrange_a_deputy_for_his_pending_post() -> None:
    """R-04: the executive leader's own post is pending on the group review: he may not
    record consent for a deputy on that step (the issue's attack)."""
    post = _executive_post()
    with pytest.raises(PermissionDenied):
        wf.approve_step(_pending(post), actor=person("re_zz_executive"))
    with pytest.raises(DomainError):
        _grant()
    with pytest.raises(PermissionDenied):
        wf.approve_step(_pending(post), actor=person("re_zz_deputy2"))
    assert publishable_revision(post) is None


def test_r04_a_delegation_never_covers_its_granters_own_post() -> None:
    """R-04: consent given before the post was written does not let the deputy approve the
    granter's own post (the robust rule is checked when the delegation is used)."""
    _grant()
    post = _executive_post()
    with pytest.raises(PermissionDenied):
        wf.approve_step(_pending(post), actor=person("re_zz_deputy2"))
    assert publishable_revision(post) is None
    # Someone else's post: the same delegation works.
    other = content.create_post(
        unit(R, "investment_planning"),
        actor=person("re_ch_editor"),
        title="创意建筑",
        body="介绍一座获奖的创意建筑。",
        category="column",
        subtype="",
        column="creative_architecture",
        channels=[channel(R, "company_weibo")],
        source="投资策划部",
    )
    wf.submit_for_review(other, actor=person("re_ch_editor"))
    wf.approve_step(_pending(other), actor=person("re_zz_deputy2"))
    assert publishable_revision(other) is not None


def test_r04_consent_is_the_executive_leaders_for_the_group_leader() -> None:
    """R-04: the pack names whose absence a delegation covers (the group leader); the
    executive leader cannot hand his own review to a deputy and consent to it himself."""
    with pytest.raises(DomainError):
        _grant(absent=person("re_zz_executive"))
    with pytest.raises(PermissionDenied):
        _grant(actor=person("re_zz_leader"))


def test_r04_a_delegation_lasts_at_most_the_packs_maximum() -> None:
    """R-04: delegations to 2099 are refused; the real-estate pack allows 30 days."""
    far = timezone.now().replace(year=2099)
    with pytest.raises(DomainError):
        _grant(ends_at=far)
    with pytest.raises(DomainError):
        _grant(ends_at=timezone.now() + timedelta(days=31))
    assert _grant(ends_at=timezone.now() + timedelta(days=30) - timedelta(minutes=1))


def test_r04_an_overlong_delegation_already_stored_is_not_used() -> None:
    """R-04: a delegation to 2099 recorded before the limit existed grants nothing."""
    now = timezone.now()
    Delegation.objects.create(
        organisation=org(R),
        chain_key="review",
        step_key="group_review",
        unit=unit(R, "management_group"),
        delegate=person("re_zz_deputy2"),
        absent=person("re_zz_leader"),
        consent_by=person("re_zz_executive"),
        reason="组长出差",
        starts_at=now,
        ends_at=now.replace(year=2099),
    )
    post = content.create_post(
        unit(R, "investment_planning"),
        actor=person("re_ch_editor"),
        title="创意建筑",
        body="介绍一座获奖的创意建筑。",
        category="column",
        subtype="",
        column="creative_architecture",
        channels=[channel(R, "company_weibo")],
        source="投资策划部",
    )
    wf.submit_for_review(post, actor=person("re_ch_editor"))
    with pytest.raises(PermissionDenied):
        wf.approve_step(_pending(post), actor=person("re_zz_deputy2"))


def test_r04_the_delegation_page_offers_consent_only_to_the_executive_leader(client) -> None:  # type: ignore[no-untyped-def]
    """R-04: the form to record consent, and the revoke button, only for those who may."""
    d = _grant()
    client.force_login(person("re_zz_deputy2"))
    page = client.get("/review/delegations/").content.decode()
    assert 'id="delegation-form"' not in page and "撤销" not in page and "30 天" in page
    assert client.post("/review/delegations/", {}).status_code == 403
    client.force_login(person("re_zz_executive"))
    page = client.get("/review/delegations/").content.decode()
    assert 'id="delegation-form"' in page and f"/review/delegations/{d.pk}/revoke/" in page


def test_r04_the_pack_validates_the_delegation_limits(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """R-04: ``max_days`` is 1–366 and ``for_role`` is one of the step's roles, never the
    consenting role (docs/packs.md)."""
    from guanwei.packs.schema import PACKS_DIR, PackValidationError, load_pack_file

    text = (PACKS_DIR / "real-estate.toml").read_text(encoding="utf-8")
    good = load_pack_file(PACKS_DIR / "real-estate.toml")
    assert good.chains[0].delegation is not None and good.chains[0].delegation.max_days == 30
    for bad in ("max_days = 30", 'for_role = "group_leader"'):
        wrong = {
            "max_days = 30": "max_days = 3650",
            'for_role = "group_leader"': 'for_role = "executive_leader"',
        }[bad]
        path = tmp_path / "real-estate.toml"
        path.write_text(text.replace(bad, wrong), encoding="utf-8")
        with pytest.raises(PackValidationError):
            load_pack_file(path)
