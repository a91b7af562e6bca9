"""舆情关注 (REQ E-06): the organisation's watched topics and hashtags, the comment and
repost volume on its posts per day (an inline SVG chart and the same figures as a
table: no script, nothing from outside — the CSP stays as it is), the most active
commenters and the opinion leaders, and each account's verification (加V) as the platform
last said. The readings come from the scheduler pass and ``guanwei interaction watch``
(``interaction.watchlist.refresh``); the page never calls a platform."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from guanwei.core.errors import DomainError
from guanwei.interaction import actions, watchlist
from guanwei.interaction.models import AccountCheck, WatchTopic
from guanwei.orgs.access import get_for
from guanwei.orgs.models import Organisation
from guanwei.orgs.pages import actor, current_org, page_context
from guanwei.orgs.rules import rules_for

VERIFIED_KINDS = {0: "个人认证（橙V）"}  # Weibo verified_type; 1..7: bodies (蓝V)


def verification_label(check: AccountCheck | None, supported: bool) -> str:
    if not supported:
        return "平台未提供"
    if check is None:
        return "尚未读取"
    if not check.verified:
        return "未认证"
    if check.verified_type is not None and 1 <= check.verified_type <= 7:
        return "已认证（蓝V）"
    kind = VERIFIED_KINDS.get(check.verified_type) if check.verified_type is not None else None
    return f"已认证（{kind}）" if kind else "已认证"


def _org(request: HttpRequest) -> Organisation:
    org = current_org(request)
    if org is None or not watchlist.may_open_watch(actor(request), org):
        raise Http404
    return org


@login_required
def watch(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    user = actor(request)
    channels = watchlist.watch_channels(user, org)
    ids = [c.pk for c in channels]
    topics = list(WatchTopic.objects.filter(organisation=org))
    try:
        chosen_id = int(request.GET.get("topic") or 0)
    except ValueError:
        chosen_id = 0
    topic = next((t for t in topics if t.pk == chosen_id), None)
    days = watchlist.volume(topic, ids)
    since = timezone.now() - timedelta(days=watchlist.WATCH_DAYS)
    comments = watchlist.topic_comments(topic, ids, since)
    rows = watchlist.accounts(channels)
    accounts = [
        {
            "row": a,
            "label": verification_label(a.check, a.supported),
            "verified": bool(a.check and a.check.verified),
        }
        for a in rows
    ]
    checked = [a.check.checked_at for a in rows if a.check]
    context = page_context(
        request,
        org,
        topics=topics,
        topic=topic,
        days=days,
        chart=watchlist.chart(days),
        total_comments=sum(d.comments for d in days),
        total_reposts=sum(d.reposts for d in days),
        commenters=watchlist.active_commenters(comments, channels),
        leaders=watchlist.opinion_leaders(comments, channels, since),
        accounts=accounts,
        checked_at=max(checked) if checked else None,
        window_days=watchlist.WATCH_DAYS,
        may_manage=actions.may_manage_watch(user, org),
        example=next(  # the organisation's own hashtag as the example, never another's
            (c["hashtag"] for c in rules_for(org.pk).columns if c.get("hashtag")), "#话题#"
        ),
    )
    return render(request, "interaction/watch.html", context)


def _words(raw: str) -> list[str]:
    for sep in ("，", "、", ";", "；", "\n"):
        raw = raw.replace(sep, ",")
    return [w for w in raw.split(",") if w.strip()]


@login_required
@require_POST
def watch_topic_add(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    name = request.POST.get("name", "")
    try:
        actions.add_watch_topic(
            org,
            actor=actor(request),
            name=name,
            keywords=_words(request.POST.get("keywords", "")),
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已关注“{name.strip()}”。")
    return redirect("watch")


@login_required
@require_POST
def watch_topic_remove(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_for(actor(request), WatchTopic.objects.select_related("organisation"), pk)
    try:
        actions.remove_watch_topic(topic, actor=actor(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已取消关注“{topic.name}”。")
    return redirect("watch")
