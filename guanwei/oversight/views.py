"""Deadline pages: what is due, met and breached; register a repost; issue a correction."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanwei.content.models import Post
from guanwei.orgs.errors import DomainError
from guanwei.oversight import actions
from guanwei.oversight.models import Deadline, DeadlineStatus
from guanwei.web.helpers import actor, current_org, page_context, visible


@login_required
def deadlines(request: HttpRequest) -> HttpResponse:
    org = current_org(request)
    if org is None:
        raise Http404
    status = request.GET.get("status", "open")
    rows = Deadline.objects.filter(organisation=org).select_related("channel", "post")
    if status in DeadlineStatus.values:
        rows = rows.filter(status=status)
    rows = rows.order_by("-due_at" if status != "open" else "due_at")[:200]
    return render(
        request,
        "oversight/deadlines.html",
        page_context(request, org, rows=rows, status=status, statuses=DeadlineStatus.choices),
    )


@login_required
@require_POST
def syndicated(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = get_object_or_404(Deadline, pk=pk)
    visible(request, deadline.organisation_id)
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
    post = get_object_or_404(Post, pk=pk)
    visible(request, post.organisation_id)
    try:
        actions.issue_correction(post, actor=actor(request), note=request.POST.get("note", ""))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Correction issued: the publishing unit has 10 minutes."))
    return redirect("post_detail", pk=pk)
