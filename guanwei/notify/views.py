"""The notices page (REQ X-04): a person's own notices, newest first; mark one or all read.
Thin: parse, call one action, respond. Another person's notice is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanwei.keyset import cursor_text, parse_cursor
from guanwei.notify import actions, queries
from guanwei.notify.models import Notice
from guanwei.orgs.access import get_for
from guanwei.orgs.pages import actor, current_org, page_context


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    unread_only = request.GET.get("unread") == "1"
    rows = queries.notices_for(
        user, unread_only=unread_only, before=parse_cursor(request.GET.get("before", ""))
    )
    return render(
        request,
        "notify/notices.html",
        page_context(
            request,
            current_org(request),
            rows=rows,
            unread_only=unread_only,
            next_cursor=cursor_text(rows[-1].created, rows[-1].pk)
            if len(rows) == queries.PAGE
            else "",
        ),
    )


def _back(request: HttpRequest) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("notices")


@login_required
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notice (its link on the notices page) is reading it: marked read for its
    addressee (audited once), then on to the object it names, or the notices page."""
    user = actor(request)
    notice = get_for(user, Notice, pk)
    actions.mark_read(notice, actor=user)
    return redirect(actions.safe_link(notice.link) or "notices")


@login_required
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_for(actor(request), Notice, pk)
    actions.mark_read(notice, actor=actor(request))
    return _back(request)


@login_required
@require_POST
def notice_read_all(request: HttpRequest) -> HttpResponse:
    n = actions.mark_all_read(actor=actor(request))
    messages.success(request, _("%(n)d notices marked read.") % {"n": n})
    return _back(request)
