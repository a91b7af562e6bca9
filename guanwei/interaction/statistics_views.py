"""互动统计 (W-20, 第四条(四) 微博气象服务统计分析和效果评价): a month's figures per account —
comments received, taken down by the rules and by people, questions in and out of scope,
answered, on time and late (the oversight room's reply deadlines), the first-response
times — per expert, per topic, and the month's feedback; exported as CSV (UTF-8 with BOM,
escaped against formula injection, audited as a read). For the publishing unit's staff and
leaders; each sees only the accounts of his units (``queries.statistics_channels``)."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from guanwei.audit.actions import record_read
from guanwei.audit.events import AuditAction
from guanwei.channels.models import Channel
from guanwei.interaction import queries
from guanwei.interaction.feedback_views import csv_cell
from guanwei.orgs.models import Organisation
from guanwei.orgs.pages import actor, current_org, page_context


def _org(request: HttpRequest) -> Organisation:
    org = current_org(request)
    if org is None or not queries.may_open_statistics(actor(request), org):
        raise Http404
    return org


def _choice(request: HttpRequest, channels: list[Channel]) -> tuple[queries.Month, Channel | None]:
    """The month asked for (this month by default) and the account (all by default); an
    account the person may not read is not there for him (404)."""
    month = queries.month_of(request.GET.get("month", "")) or queries.this_month()
    raw = request.GET.get("account", "")
    if not raw:
        return month, None
    chosen = next((c for c in channels if str(c.pk) == raw), None)
    if chosen is None:
        raise Http404
    return month, chosen


def duration(minutes: int | None) -> str:
    """12 分钟, 3 小时 5 分钟, 26 小时; — when there is nothing to measure (hours, not days:
    the reply deadlines are in hours)."""
    if minutes is None:
        return "—"
    hours, mins = divmod(minutes, 60)
    if not hours:
        return f"{mins} 分钟"
    return f"{hours} 小时 {mins} 分钟" if mins else f"{hours} 小时"


@login_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    user = actor(request)
    channels = queries.statistics_channels(user, org)
    month, chosen = _choice(request, channels)
    figures = queries.interaction_statistics(user, org, month, [chosen] if chosen else channels)
    months = queries.recent_months()
    if month not in months:
        months.append(month)
    return render(
        request,
        "interaction/statistics.html",
        page_context(
            request,
            org,
            stats=figures,
            rows=[
                (f, duration(f.median_minutes), duration(f.p90_minutes)) for f in figures.accounts
            ],
            total=(
                figures.total,
                duration(figures.total.median_minutes),
                duration(figures.total.p90_minutes),
            ),
            channels=channels,
            chosen=chosen,
            months=months,
            month=month,
        ),
    )


ACCOUNT_HEADER: list[object] = [
    "账号",
    "收到评论留言",
    "规则隐藏",
    "人工隐藏",
    "规则删除",
    "人工删除",
    "答复范围内提问",
    "答复范围外提问",
    "已答复",
    "按时答复",
    "超时",
    "首次响应时间中位数（分钟）",
    "首次响应时间90%分位（分钟）",
    "当前未办结提问",
]


def _account_row(f: queries.AccountFigures) -> list[object]:
    return [
        csv_cell(f.name),
        f.received,
        f.hidden_by_rule,
        f.hidden_by_people,
        f.deleted_by_rule,
        f.deleted_by_people,
        f.questions_in,
        f.questions_out,
        f.answered,
        f.on_time,
        f.late,
        "" if f.median_minutes is None else f.median_minutes,
        "" if f.p90_minutes is None else f.p90_minutes,
        f.open_now,
    ]


def statistics_rows(stats: queries.Statistics) -> list[list[object]]:
    """The CSV's rows: one block per table of the page, each under its own heading; every
    text cell through ``csv_cell`` (account, person, topic and tag names are typed by
    people or come from the platforms)."""
    rows: list[list[object]] = [[f"互动统计 {stats.month.label}"], [], ["按账号"], ACCOUNT_HEADER]
    rows += [_account_row(f) for f in stats.accounts]
    rows.append(_account_row(stats.total))
    rows += [[], ["按答复人"], ["答复人", "分派提问", "已答复", "超时"]]
    rows += [[csv_cell(e.name), e.assigned, e.answered, e.late] for e in stats.experts]
    rows += [[], ["按话题"], ["话题", "提问数"]]
    rows += [[csv_cell(t.topic), t.questions] for t in stats.topics]
    rows += [[], ["意见反馈（按主题）"], ["账号", "主题", "条数", "平均满意度"]]
    rows += [
        [
            csv_cell(r.account),
            csv_cell(r.topic),
            r.count,
            "" if r.satisfaction is None else r.satisfaction,
        ]
        for r in stats.feedback_topics
    ]
    rows += [[], ["意见反馈（按标签）"], ["标签", "条数"]]
    rows += [[csv_cell(t.tag), t.count] for t in stats.feedback_tags]
    return rows


@login_required
def statistics_csv(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    user = actor(request)
    channels = queries.statistics_channels(user, org)
    month, chosen = _choice(request, channels)
    stats = queries.interaction_statistics(user, org, month, [chosen] if chosen else channels)
    rows = statistics_rows(stats)
    record_read(
        AuditAction.DATA_EXPORTED,
        actor=user,
        object_type="interaction_statistics",
        object_id=org.pk,
        object_repr=f"互动统计 {month.label}" + (f" {chosen.name}" if chosen else ""),
        organisation_id=org.pk,
        details={
            "month": month.key,
            "accounts": [f.channel.pk for f in stats.accounts if f.channel is not None],
            "rows": len(rows),
        },
    )
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"interaction-statistics-{month.key}" + (f"-{chosen.pk}" if chosen else "")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
