"""R-06 附二: the authorisation request's page speaks of a request, not of a post (issue 10
leftovers): refusing it sends it back to the person who asked, not "to the editor"."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.testing.personas import channel, person
from guanwei.workflow.models import AuthorisationRequest

pytestmark = pytest.mark.django_db
R = "demo_real_estate"
POST_WORDS = ("退回撰稿人", "退回编辑", "稿件")


def _as(username: str) -> Client:
    c = Client()
    c.force_login(person(username))
    return c


def _request() -> AuthorisationRequest:
    ch = channel(R, "company_weibo")
    answer = _as("re_zz_member1").post(
        f"/channels/{ch.pk}/authorisation/",
        {
            "grantee": "赵磊",
            "grantee_title": "行政商务部专员",
            "scope": "日常发布",
            "reason": "运营专员休假期间代为发布",
        },
    )
    assert answer.status_code == 302
    return AuthorisationRequest.objects.get(channel=ch)


def _review_panel(html: str) -> str:
    return html.split('id="review-panel"')[1].split("</section>")[0]


def test_r06_the_authorisation_page_refuses_in_its_own_words() -> None:
    """R-06: the executive leader's refusal form on the 附二 request names the requester,
    not the editor of a post (the reject form's 理由（退回撰稿人）)."""
    req = _request()
    executive = _as("re_zz_executive")
    panel = _review_panel(executive.get(f"/review/authorisations/{req.pk}/").content.decode())
    assert 'id="reject-form"' in panel
    assert "申请人" in panel
    for word in POST_WORDS:
        assert word not in panel, word


def test_r06_refusing_an_authorisation_says_it_went_back_to_the_requester() -> None:
    """R-06: the refusal's answers (an empty reason, then a reason) speak of the request."""
    req = _request()
    step = req.runs.get().steps.get(index=0)
    executive = _as("re_zz_executive")
    empty = executive.post(f"/review/steps/{step.pk}/reject/", {"reason": ""}, follow=True)
    said = " ".join(str(m) for m in empty.context["messages"])
    assert said and not any(w in said for w in POST_WORDS), said
    done = executive.post(f"/review/steps/{step.pk}/reject/", {"reason": "范围过宽"}, follow=True)
    said = " ".join(str(m) for m in done.context["messages"])
    assert "申请人" in said and not any(w in said for w in ("编辑", "撰稿人", "稿件")), said
