"""Reports of harmful content (有害信息报告, C-10): report, triage, handle, close; the
reporter reads the outcome. Views parse, fetch through the access rule, call one action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from guanwei.core.errors import DomainError
from guanwei.interaction import actions
from guanwei.interaction.models import HarmReport, ReportStatus
from guanwei.interaction.queries import may_open_reports, may_read_all_reports
from guanwei.orgs.access import get_for
from guanwei.orgs.pages import actor, current_org, page_context

OPEN = (ReportStatus.NEW, ReportStatus.HANDLING)

REPORTS_PAGE = 50


def overdue(r: HarmReport) -> bool:
    """Past its deadline: still open after it, or closed after it."""
    if r.due_at is None:
        return False
    end = r.closed_at or timezone.now()
    return end > r.due_at


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    org = current_org(request)
    if org is None or not may_open_reports(user, org):
        raise Http404
    typed = {"link": "", "description": ""}
    if request.method == "POST":
        typed = {
            "link": request.POST.get("link", ""),
            "description": request.POST.get("description", ""),
        }
        try:
            shot = actions.check_screenshot(request.FILES.get("screenshot"))
            r = actions.report_harm(
                org,
                actor=user,
                link=typed["link"],
                description=typed["description"],
                screenshot=shot,
            )
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已报告舆情办，处置结果会通知您。")
            return redirect("report_detail", pk=r.pk)
    office = actions.may_handle_reports(user, org)
    reads_all = may_read_all_reports(user, org)
    rows = HarmReport.objects.filter(organisation=org).select_related(
        "reporter", "reporter_unit", "handler"
    )
    if not reads_all:
        rows = rows.filter(reporter=user)
    before = request.GET.get("before", "")
    if before.isascii() and before.isdigit():
        rows = rows.filter(pk__lt=int(before))  # keyset paging: newest first, by id
    page = list(rows.order_by("-id")[: REPORTS_PAGE + 1])
    more = page[REPORTS_PAGE - 1].pk if len(page) > REPORTS_PAGE else None
    listed = [(r, overdue(r) and r.status in OPEN) for r in page[:REPORTS_PAGE]]
    return render(
        request,
        "interaction/report_list.html",
        page_context(
            request,
            org,
            rows=listed,
            more=more,
            office=office,
            reads_all=reads_all,
            may_report=actions.may_report_harm(user, org),
            typed=typed,
        ),
    )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    r = get_for(user, HarmReport.objects.select_related("reporter", "reporter_unit", "handler"), pk)
    return render(
        request,
        "interaction/report_detail.html",
        page_context(
            request,
            r.organisation,
            r=r,
            office=actions.may_handle_reports(user, r.organisation),
            late=overdue(r),
        ),
    )


@login_required
def report_screenshot(request: HttpRequest, pk: int) -> FileResponse:
    """The screenshot, as a picture only (typed from its bytes when it was reported)."""
    from guanwei.core.files import harden, kind_of_name

    r = get_for(actor(request), HarmReport, pk)
    if not r.screenshot:
        raise Http404
    stored = (r.screenshot.name or "file").rsplit("/", 1)[-1]
    kind = kind_of_name(stored)
    if kind is None or not kind.picture:
        raise Http404
    response = FileResponse(r.screenshot.open("rb"), content_type=kind.content_type)
    harden(response.headers, picture=True, filename=stored)
    return response


def _decide(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    user = actor(request)
    r = get_for(user, HarmReport, pk)
    text = request.POST.get("text", "")
    try:
        if what == "accept":
            actions.accept_report(r, actor=user)
            messages.success(request, "已受理，进入处置。")
        elif what == "dismiss":
            actions.dismiss_report(r, actor=user, reason=text)
            messages.success(request, "已作不予处置，报告人会收到通知。")
        else:
            actions.close_report(r, actor=user, outcome=text)
            messages.success(request, "已办结，报告人会收到通知。")
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("report_detail", pk=pk)


@login_required
@require_POST
def report_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "accept")


@login_required
@require_POST
def report_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "dismiss")


@login_required
@require_POST
def report_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "close")
