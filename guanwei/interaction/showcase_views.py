"""精选问答 (REQ E-05): on 互动台 who handles an account's comments marks an answered
comment as representative (and unmarks it); the page lists them per account, and
生成帖子 turns the ticked ones into a draft post through the content room's
``create_post`` — then the normal editorial flow (submit, review, schedule)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from guanwei.core.errors import DomainError
from guanwei.interaction import actions, queries
from guanwei.interaction.models import Comment
from guanwei.orgs.access import get_for
from guanwei.orgs.models import Organisation
from guanwei.orgs.pages import actor, current_org, page_context
from guanwei.orgs.permissions import can
from guanwei.orgs.rules import rules_for


def _org(request: HttpRequest) -> Organisation:
    org = current_org(request)
    if org is None or not queries.showcase_units(actor(request), org):
        raise Http404
    return org


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = reverse(default)
    return redirect(target)


@login_required
@require_POST
def comment_representative(request: HttpRequest, pk: int) -> HttpResponse:
    """选为精选问答 / 取消精选 (``op`` mark | unmark) from 互动台 or this page."""
    user = actor(request)
    comment = get_for(user, Comment.objects.select_related("unit", "channel"), pk)
    try:
        if request.POST.get("op") == "unmark":
            actions.unmark_representative(comment, actor=user)
            messages.success(request, "已取消精选。")
        else:
            actions.mark_representative(comment, actor=user)
            messages.success(request, "已选为精选问答。")
    except DomainError as e:
        messages.error(request, e.message)
    return _back(request, "inbox")


@login_required
def showcase(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    user = actor(request)
    items = queries.representative_for(user, org)
    answers = queries.answers_for(items)
    groups: list[dict[str, Any]] = []
    for c in items:
        if not groups or groups[-1]["channel"].pk != c.channel_id:
            groups.append(
                {
                    "channel": c.channel,
                    "rows": [],
                    "may_draft": can(user, "post.create", c.channel.unit),
                }
            )
        groups[-1]["rows"].append({"c": c, "answer": answers.get(c.pk, "")})
    rules = rules_for(org.pk)
    context = page_context(
        request,
        org,
        groups=groups,
        categories=rules.categories,
        columns=rules.columns,
        default_category=actions.showcase_category(org.pk),
        here=request.get_full_path(),
    )
    return render(request, "interaction/showcase.html", context)


@login_required
@require_POST
def showcase_post(request: HttpRequest) -> HttpResponse:
    """生成帖子: the ticked representative Q&A of one account into a draft post."""
    org = _org(request)
    user = actor(request)
    ids = {int(x) for x in request.POST.getlist("comment") if x.isascii() and x.isdigit()}
    if not ids:
        messages.error(request, "请至少勾选一条精选问答。")
        return redirect("showcase")
    if len(ids) > actions.MAX_SHOWCASE_ITEMS:
        messages.error(request, f"一篇稿件最多收入 {actions.MAX_SHOWCASE_ITEMS} 条精选问答。")
        return redirect("showcase")
    chosen = [get_for(user, Comment.objects.select_related("unit", "channel"), pk) for pk in ids]
    if any(c.organisation_id != org.pk for c in chosen):
        raise Http404
    try:
        post = actions.draft_post_from_representative(
            chosen,
            actor=user,
            title=request.POST.get("title", "")[:200],
            category=request.POST.get("category", ""),
            column=request.POST.get("column", ""),
        )
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("showcase")
    messages.success(request, "已生成稿件草稿：请检查修改后提交审核。")
    return redirect("post_detail", pk=post.pk)
