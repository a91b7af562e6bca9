"""Deadline pages: what is due, met and breached; register a repost; issue a correction."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanwei.content.actions import revision_fields
from guanwei.content.forms import PostForm
from guanwei.content.models import Post
from guanwei.orgs.access import get_for
from guanwei.orgs.errors import DomainError
from guanwei.orgs.pages import actor, current_org, page_context
from guanwei.orgs.rules import rules_for
from guanwei.oversight import actions, queries
from guanwei.oversight.models import Deadline, DeadlineKind, DeadlineStatus, owed_q

MINE = "mine"


@login_required
def deadlines(request: HttpRequest) -> HttpResponse:
    org = current_org(request)
    if org is None:
        raise Http404
    status = request.GET.get("status", "open")
    one = request.GET.get("d", "")
    if status == MINE and not one.isdigit():  # 我的时限: what the dashboard counts (W-10)
        rows: Any = [m.deadline for m in queries.deadlines_for(actor(request), org)]
    else:
        rows = Deadline.objects.filter(organisation=org).select_related("channel", "post")
        if one.isdigit():  # a notice's link: this deadline, whatever its status now
            rows = rows.filter(pk=int(one))
            status = ""
        elif status == DeadlineStatus.OPEN:  # what is to do: a breached correction stays (W-11)
            rows = rows.filter(owed_q())
        elif status in DeadlineStatus.values:
            rows = rows.filter(status=status)
        rows = list(rows.order_by("-due_at" if status != "open" else "due_at")[:200])
    # C-05: the 已转发 form only on the rows of the accounts the person publishes to
    confirmable = {
        d.pk
        for d in rows
        if d.kind == DeadlineKind.SYNDICATION
        and d.status == DeadlineStatus.OPEN
        and actions.may_mark_syndicated(d, actor(request))
    }
    from guanwei.oversight.quotas import quota_progress

    for row in rows:  # E-04: the day's quota as progress (1/3)
        row.progress = quota_progress(row) if row.status == DeadlineStatus.OPEN else ""
    return render(
        request,
        "oversight/deadlines.html",
        page_context(
            request,
            org,
            rows=rows,
            confirmable=confirmable,
            status=status,
            statuses=[(MINE, _("Mine")), *DeadlineStatus.choices],
        ),
    )


@login_required
@require_POST
def syndicated(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = get_for(actor(request), Deadline, pk)
    try:
        actions.mark_syndicated(deadline, actor=actor(request), link=request.POST.get("link", ""))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Repost recorded."))
    return redirect("deadlines")


@login_required
@require_POST
def correction(request: HttpRequest, pk: int) -> HttpResponse:
    """The Observatory issues a correction notice on the published post (W-11)."""
    post = get_for(actor(request), Post, pk)
    try:
        deadline = actions.issue_correction(
            post, actor=actor(request), text=request.POST.get("text", "")
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("Correction notice issued: the publishing unit must publish it by %(time)s.")
            % {"time": f"{timezone.localtime(deadline.due_at):%H:%M}"},
        )
    return redirect(reverse("post_detail", args=[pk]) + "#corrections")


@login_required
def correction_new(request: HttpRequest, pk: int) -> HttpResponse:
    """做订正 (W-11): the correction post's form, prefilled from the original and the
    notice; saving submits it to the pack's correction chain."""
    deadline = get_for(
        actor(request),
        Deadline.objects.select_related("post", "post__unit", "post__current_revision").filter(
            kind=DeadlineKind.CORRECTION
        ),
        pk,
    )
    user = actor(request)
    original = deadline.post
    assert original is not None
    made = queries.correction_of(deadline)
    if made is not None:
        messages.info(request, _("The correction for this notice has been made already."))
        return redirect("post_detail", pk=made.pk)
    if not queries.may_make_correction(user, deadline):
        raise Http404
    revision = original.current_revision
    assert revision is not None
    initial = {
        **revision_fields(revision),
        "title": f"【订正】{original.title}"[:200],
        "body": deadline.detail,
        "planned_at": None,
    }
    org = original.organisation
    rules = rules_for(org.pk)
    form = PostForm(
        request.POST or None,
        organisation=org,
        rules=rules,
        units=[original.unit],
        initial=initial,
    )
    form.fields.pop("planned_at")
    # issue #10 §2: who issues corrections, in the pack's words (气象台 in the weather pack)
    issuer_type = queries.correction_rule(org.pk).get("from_unit_type")
    issuer = rules.unit_type_name(issuer_type) if issuer_type else ""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                post, refused = actions.make_correction(deadline, actor=user, **form.cleaned_data)
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                if refused:
                    messages.error(
                        request,
                        _("The correction was saved but could not be submitted: %(why)s")
                        % {"why": refused},
                    )
                else:
                    messages.success(
                        request,
                        _("Correction submitted for the fast review; it goes out once approved."),
                    )
                return redirect("post_detail", pk=post.pk)
    return render(
        request,
        "oversight/correction_form.html",
        page_context(
            request,
            org,
            form=form,
            deadline=deadline,
            original=original,
            revision=revision,
            issuer=issuer,
        ),
        status=status,
    )
