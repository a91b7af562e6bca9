"""Publishing pages: the post page with its schedule panel, the editorial calendar (week
and month, iCalendar export) and the holiday calendar. Thin: parse, call one action."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanwei.audit.actions import record_read
from guanwei.audit.events import AuditAction
from guanwei.channels.models import Channel, ChannelStatus
from guanwei.content.models import Post, PostStatus
from guanwei.orgs.access import get_for, may_see
from guanwei.orgs.errors import DomainError
from guanwei.orgs.pages import actor, current_org, page_context
from guanwei.orgs.permissions import can
from guanwei.publishing import actions, queries
from guanwei.publishing.calendar import is_workday, year_known, year_state
from guanwei.publishing.forms import CalendarDayForm, ScheduleForm
from guanwei.publishing.models import CalendarDay, IntentStatus, PublishIntent
from guanwei.publishing.slots import slot_times
from guanwei.workflow.queries import publishable_revision

HIDDEN = "（其他部门的稿件）"  # a taken slot of a post the person may not open


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _post(request: HttpRequest, pk: int) -> Post:
    from guanwei.content.views import _get_post

    return _get_post(request, pk)


def _refused(request: HttpRequest, pk: int, form: ScheduleForm) -> HttpResponse:
    """Back to the content room's post page with the bound form and its message."""
    from guanwei.content.views import post_page

    return post_page(request, pk, status=400, schedule_form=form)


@login_required
@require_POST
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(request, pk)
    revision = publishable_revision(post)
    expired = post.status == PostStatus.EXPIRED
    # Only the accounts this person may publish on are offered, and accepted (W-05).
    channels = queries.schedule_channels(
        revision or post.approved_revision or post.current_revision, actor(request)
    )
    form = ScheduleForm(request.POST, channels=channels, organisation_id=post.organisation_id)
    if not form.is_valid():
        return _refused(request, pk, form)
    when = form.cleaned_data["when"]
    at = form.cleaned_data.get("at") if when == "at" else None
    try:
        if expired:
            intents = actions.reschedule_expired(
                post,
                actor=actor(request),
                at=at,
                next_slot=when == "next_slot",
                channels=form.cleaned_data["channels"],
            )
        else:
            intents = actions.schedule_post(
                post,
                actor=actor(request),
                at=at,
                next_slot=when == "next_slot",
                channels=form.cleaned_data["channels"],
            )
    except DomainError as e:
        form.add_error(None, e.message)
        return _refused(request, pk, form)
    times = "、".join(
        f"{i.channel.name} {timezone.localtime(i.due_at):%m-%d %H:%M}" for i in intents
    )
    messages.success(request, _("Scheduled: %(times)s") % {"times": times})
    for warning in queries.limit_warnings(intents):  # E-04 soft maximum, with the count
        messages.warning(request, warning)
    return redirect("post_detail", pk=pk)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    intent = get_for(actor(request), PublishIntent.objects.select_related("post"), pk)
    try:
        actions.cancel_intent(intent, actor=actor(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Publication cancelled."))
    return redirect("post_detail", pk=intent.post_id)


@login_required
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The post page's live fragment (htmx polls it every 2 s while a send is under way):
    the intents with their attempts and causes, and the post's status badge out of band."""
    post = _post(request, pk)
    user = actor(request)
    may_schedule = can(user, "post.schedule")  # each account is asked (may_publish_on)
    context = {
        "post": post,
        "may_schedule": may_schedule,
        "fragment": True,
        **queries.post_progress(post, may_schedule=may_schedule, user=user),
    }
    response = render(request, "publishing/_intents.html", context)
    if not context["live"] and request.headers.get("HX-Request"):
        # The send settled: the whole page again, so its panel shows what can be done now
        # (the schedule form returns after a failure or a cancellation).
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """重新发布: a failed send of the approved version is scheduled again, now, on its
    account (``actions.schedule_post``; the failed intent stays on record)."""
    intent = get_for(actor(request), PublishIntent.objects.select_related("post", "channel"), pk)
    post = intent.post
    if intent.status != IntentStatus.FAILED:
        messages.error(request, _("Only a failed publication can be published again."))
        return redirect("post_detail", pk=post.pk)
    try:
        actions.schedule_post(post, actor=actor(request), channels=[intent.channel])
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Publishing again now."))
    return redirect("post_detail", pk=post.pk)


# ------------------------------------------------------------------ calendar (W-10, R-03, E-04)


def _week_start(raw: str, today: date) -> date:
    try:
        return datetime.strptime(raw + "-1", "%G-W%V-%u").date()
    except ValueError:
        return today - timedelta(days=today.weekday())


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    org = current_org(request)
    if org is None:
        raise Http404
    tz = _tz()
    today = timezone.localdate()
    view = request.GET.get("view", "week")
    if view == "month":
        first = today.replace(day=1)
        if request.GET.get("month"):
            try:
                first = datetime.strptime(request.GET["month"], "%Y-%m").date()
            except ValueError:
                pass
        start = first - timedelta(days=first.weekday())
        days = [start + timedelta(days=i) for i in range(42)]
    else:
        start = _week_start(request.GET.get("week", ""), today)
        days = [start + timedelta(days=i) for i in range(7)]
    channels = list(
        Channel.objects.filter(organisation=org, status=ChannelStatus.ACTIVE).select_related("unit")
    )
    wanted = request.GET.get("channel", "")
    if wanted:
        channels = [c for c in channels if str(c.pk) == wanted]
    unit_wanted = request.GET.get("unit", "")
    chosen = org.units.filter(pk=unit_wanted).first() if unit_wanted.isdigit() else None
    if chosen is not None:  # a unit and everything below it
        below = set(chosen.subtree().values_list("pk", flat=True))
        channels = [c for c in channels if c.unit_id in below]
    begin = datetime.combine(days[0], datetime.min.time(), tzinfo=tz)
    end = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    intents = (
        PublishIntent.objects.filter(channel__in=channels, due_at__gte=begin, due_at__lt=end)
        .exclude(status=IntentStatus.CANCELLED)
        .select_related("post", "channel")
    )
    cells: dict[tuple[int, date], list[dict[str, Any]]] = {}
    user = actor(request)
    placed: set[tuple[int, int]] = set()
    for intent in intents:
        local = timezone.localtime(intent.due_at)
        # the slot is taken for everyone; its post's title and link only for who may open it
        seen = may_see(user, intent)
        placed.add((intent.post_id, intent.channel_id))
        cells.setdefault((intent.channel_id, local.date()), []).append(
            {
                "time": local.strftime("%H:%M"),
                "title": intent.post.title if seen else HIDDEN,
                "post_id": intent.post_id if seen else None,
                "status": intent.status,
                "status_label": intent.get_status_display(),
                "batch": intent.post.week_plan_id if seen else None,
            }
        )
    _week_plan_entries(cells, placed, org.pk, channels, begin, end, user)
    for channel in channels:
        for moment, slot in slot_times(org.pk, channel, begin, len(days)):
            local = moment.astimezone(tz)
            entries = cells.setdefault((channel.pk, local.date()), [])
            hhmm = local.strftime("%H:%M")
            if not any(e["time"] == hhmm for e in entries):
                entries.append(
                    {
                        "time": hhmm,
                        "span": slot.span,
                        "title": slot.name,
                        "slot": True,
                        "optional": slot.optional,
                    }
                )
    rows = [
        (
            channel,
            [
                (day, sorted(cells.get((channel.pk, day), []), key=lambda e: e["time"]))
                for day in days
            ],
        )
        for channel in channels
    ]
    years = sorted({d.year for d in days})
    return render(
        request,
        "publishing/calendar.html",
        page_context(
            request,
            org,
            rows=rows,
            days=days,
            view=view,
            today=today,
            rest={d for d in days if not is_workday(d, organisation_id=org.pk)},
            unknown_years=[y for y in years if not year_known(y, organisation_id=org.pk)],
            prev_week=(start - timedelta(days=7)).strftime("%G-W%V"),
            next_week=(start + timedelta(days=7)).strftime("%G-W%V"),
            month=days[len(days) // 2].strftime("%Y-%m"),
            channel=wanted,
            channels=Channel.objects.filter(organisation=org, status=ChannelStatus.ACTIVE),
            unit=unit_wanted,
            units=org.units.filter(channels__isnull=False).distinct().order_by("path"),
        ),
    )


def _week_plan_entries(
    cells: dict[tuple[int, date], list[dict[str, Any]]],
    placed: set[tuple[int, int]],
    organisation_id: int,
    channels: list[Channel],
    begin: datetime,
    end: datetime,
    user: Any,
) -> None:
    """R-03: the days of a submitted week plan are on the calendar as the batch they are,
    at their planned time, before they are scheduled (waiting for review or for the
    account's publisher); once scheduled the intent above stands for them."""
    wanted = {c.pk for c in channels}
    posts = (
        Post.objects.filter(
            organisation_id=organisation_id,
            week_plan__isnull=False,
            current_revision__planned_at__gte=begin,
            current_revision__planned_at__lt=end,
        )
        .exclude(status__in=[PostStatus.DRAFT, PostStatus.REJECTED, PostStatus.WITHDRAWN])
        .select_related("current_revision", "unit")
        .prefetch_related("current_revision__channels")
        .order_by("week_plan_id", "pk")
    )
    # Asked once per plan, of its first day: its days share their unit, column and accounts,
    # and the plan's page shows every day to whoever may open one of them.
    plan_seen: dict[int, bool] = {}
    for post in posts:
        revision = post.current_revision
        assert revision is not None and revision.planned_at is not None
        local = timezone.localtime(revision.planned_at)
        assert post.week_plan_id is not None
        if post.week_plan_id not in plan_seen:
            plan_seen[post.week_plan_id] = may_see(user, post)
        seen = plan_seen[post.week_plan_id]
        for channel in revision.channels.all():
            if channel.pk not in wanted or (post.pk, channel.pk) in placed:
                continue
            cells.setdefault((channel.pk, local.date()), []).append(
                {
                    "time": local.strftime("%H:%M"),
                    "title": post.title if seen else HIDDEN,
                    "post_id": post.pk if seen else None,
                    "status": "planned",
                    "status_label": post.get_status_display(),
                    "batch": post.week_plan_id if seen else None,
                }
            )


@login_required
def calendar_ics(request: HttpRequest) -> HttpResponse:
    """The editorial calendar as iCalendar (RFC 5545), for Outlook / WPS / phones."""
    from icalendar import Calendar, Event

    org = current_org(request)
    if org is None:
        raise Http404
    cal = Calendar()
    user = actor(request)
    cal.add("prodid", "-//guanwei//editorial calendar//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{org.name} 发布日历")
    since = timezone.now() - timedelta(days=30)
    for intent in (
        PublishIntent.objects.filter(organisation=org, due_at__gte=since)
        .exclude(status=IntentStatus.CANCELLED)
        .select_related("post", "channel")[:2000]
    ):
        event = Event()
        event.add("uid", f"intent-{intent.pk}@guanwei")
        seen = may_see(user, intent)  # issue #9 §3: no other unit's titles in the feed
        event.add("summary", f"{intent.channel.name}：{intent.post.title if seen else HIDDEN}")
        event.add("dtstart", intent.due_at)
        event.add("dtend", intent.due_at + timedelta(minutes=15))
        event.add(
            "description",
            f"{intent.get_status_display()} · 稿件 {intent.post_id}" if seen else HIDDEN,
        )
        event.add("dtstamp", timezone.now())
        cal.add_component(event)
    record_read(
        AuditAction.CALENDAR_FEED_READ,
        actor=actor(request),
        object_type="organisation",
        object_id=org.pk,
        object_repr=f"{org.name} 发布日历",
        organisation_id=org.pk,
    )
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="guanwei.ics"'
    return response


@login_required
def holidays(request: HttpRequest) -> HttpResponse:
    """An administrator enters holidays and adjusted working days for a year the
    chinese-calendar library does not know yet (E-04)."""
    org = current_org(request)
    user = actor(request)
    if org is None:
        raise Http404
    may_edit = can(user, "pack.load", org)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_calendar_day(actor=user, organisation_id=org.pk, **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("holidays")
    year = timezone.localdate().year
    return render(
        request,
        "publishing/holidays.html",
        page_context(
            request,
            org,
            form=form,
            may_edit=may_edit,
            rows=CalendarDay.objects.filter(organisation=org, day__year__gte=year - 1),
            years=[year_state(y, organisation_id=org.pk) for y in (year, year + 1)],
        ),
    )


@login_required
@require_POST
def holidays_complete(request: HttpRequest) -> HttpResponse:
    """本年已录入完整: the year's holidays are all entered; the calendar's banner goes."""
    org = current_org(request)
    if org is None or not can(actor(request), "pack.load", org):
        raise Http404
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        messages.error(request, _("Choose the year."))
        return redirect("holidays")
    try:
        actions.complete_calendar_year(actor=actor(request), organisation_id=org.pk, year=year)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("%(year)d marked as entered in full.") % {"year": year})
    return redirect("holidays")


SITE_MARKER = ".guanwei-site"
# What a published site consists of (adapters/website.py writes nothing else): its index,
# its feeds, one page per post and the post's pictures, named by their sniffed type.
_SITE_PATH = re.compile(
    r"^(?:index\.html|feed\.rss|feed\.atom|posts/[A-Za-z0-9_-]{1,80}\.html"
    r"|posts/[A-Za-z0-9_-]{1,80}/[A-Za-z0-9_-]{1,80}\.(?:jpg|jpeg|png|gif|webp))$"
)
_SITE_TYPES = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".html": "text/html; charset=utf-8",
}


def site_root(channel: Channel) -> Path | None:
    """The directory guanwei serves for a website channel (issue #9 §1), or None.

    Only ``VAR_DIR/site/<org>/<channel>/``, only when the channel's ``site_dir`` names
    exactly that directory, no part of it is a symlink, and guanwei's website adapter made
    it (its marker file is there). A site kept anywhere else is served by the web server
    in front of guanwei, never by guanwei."""
    from guanwei.publishing.credentials import settings_for

    names = ("site", channel.organisation.key, channel.key)
    expected = Path(settings.VAR_DIR).resolve().joinpath(*names)
    as_given = Path(os.path.abspath(settings.VAR_DIR)).joinpath(*names)  # VAR_DIR may be a link
    configured = str(settings_for(channel).get("site_dir", "") or "")
    if not configured or not Path(configured).is_absolute():
        return None
    if Path(os.path.normpath(configured)) not in (expected, as_given):  # "..", elsewhere
        return None
    if expected.resolve() != expected or not expected.is_dir():  # a symlink on the way
        return None
    marker = expected / SITE_MARKER
    if marker.is_symlink() or not marker.is_file():
        return None
    return expected


def site_file(request: HttpRequest, org: str, channel: str, path: str = "") -> FileResponse:
    """The public website an organisation publishes through guanwei (C-01): its static
    pages and RSS/Atom feeds, read from the channel's site directory. No login: it is the
    public site; only the files the website adapter publishes are reachable (issue #9 §1),
    and they are served with the same headers as every other file (§2)."""
    from guanwei.core.files import harden, sniff

    found = get_object_or_404(
        Channel.objects.select_related("organisation", "settings"),
        organisation__key=org,
        key=channel,
        platform="website",
        status=ChannelStatus.ACTIVE,
    )
    root = site_root(found)
    relative = path or "index.html"
    if root is None or not _SITE_PATH.match(relative):
        raise Http404
    target = root / relative
    if target.resolve() != target or not target.is_file():  # a symlink planted inside
        raise Http404
    fh = target.open("rb")
    if target.suffix in _SITE_TYPES:
        content_type, picture = _SITE_TYPES[target.suffix], True
    else:  # a picture: its type from its bytes, whatever its name says
        kind = sniff(fh.read(64))
        fh.seek(0)
        if kind is None or not kind.picture:
            fh.close()
            raise Http404
        content_type, picture = kind.content_type, True
    response = FileResponse(fh, content_type=content_type)
    harden(response.headers, picture=picture)
    return response


@login_required
@require_POST
def follows_check(request: HttpRequest) -> HttpResponse:
    """Check the required follows on the platforms now (W-07)."""
    from guanwei.publishing.follows import check_required_follows

    org = current_org(request)
    if org is None or not can(actor(request), "follow.manage", org):
        raise Http404
    result = check_required_follows(org.pk)
    messages.info(
        request,
        _("Checked %(n)d follows: %(v)d missing, %(e)d could not be checked.")
        % {"n": result.checked, "v": result.violations, "e": result.errors},
    )
    return redirect("follow_list")
