"""The activities pages (互动活动, W-08, T-06): plan, approve, check readiness, start and
finish. Views parse, fetch through the access rule, call one action and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from guanwei.channels.models import Channel
from guanwei.core.errors import DomainError
from guanwei.interaction import actions, queries
from guanwei.interaction.models import Activity, ActivityStatus, ActivityStep, Visibility
from guanwei.orgs.access import get_for
from guanwei.orgs.models import Organisation, User
from guanwei.orgs.pages import actor, current_org, org_people, page_context


def _org(request: HttpRequest) -> Organisation:
    org = current_org(request)
    if org is None or not queries.may_open_activities(actor(request), org):
        raise Http404
    return org


def _plannable(user: User, org: Organisation) -> list[Channel]:
    return [
        c
        for c in Channel.objects.filter(organisation=org).select_related("unit").order_by("pk")
        if actions.may_plan_activity(user, c)
    ]


class ActivityForm(forms.Form):
    channel = forms.ModelChoiceField(queryset=Channel.objects.none(), label="开展账号")
    rule_key = forms.ChoiceField(label="活动规定")
    kind = forms.ChoiceField(label="活动类型")
    title = forms.CharField(label="活动名称", max_length=200)
    description = forms.CharField(label="活动内容", widget=forms.Textarea, required=False)
    starts_at = forms.DateTimeField(
        label="开始时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="结束时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    major_weather = forms.BooleanField(label="重大天气过程期间", required=False)
    staff = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), label="值班人员（写明姓名）", required=False
    )
    prepared_answers = forms.CharField(label="预备答复口径", widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, org: Organisation, channels: list[Channel], **kw: Any):
        super().__init__(*args, **kw)
        rules = actions.activity_rules(org.pk)
        f: Any = self.fields
        f["channel"].queryset = Channel.objects.filter(pk__in=[c.pk for c in channels])
        f["rule_key"].choices = [(r["key"], r.get("name") or r["key"]) for r in rules]
        kinds: list[str] = []
        for r in rules:
            kinds += [k for k in r.get("types") or actions.ACTIVITY_KINDS if k not in kinds]
        f["kind"].choices = [(k, actions.ACTIVITY_KINDS.get(k, k)) for k in kinds]
        if not any(r.get("consent_from") for r in rules):
            del self.fields["major_weather"]
        people = org_people(org)
        f["staff"].queryset = people
        f["staff"].label_from_instance = str


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    user = actor(request)
    rows = list(queries.activities_for(user, org))
    return render(
        request,
        "interaction/activity_list.html",
        page_context(
            request,
            org,
            rows=rows,
            may_plan=bool(_plannable(user, org)) and bool(actions.activity_rules(org.pk)),
        ),
    )


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    user = actor(request)
    channels = _plannable(user, org)
    if not channels or not actions.activity_rules(org.pk):
        raise Http404
    form = ActivityForm(request.POST or None, org=org, channels=channels)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            a = actions.plan_activity(
                d["channel"],
                actor=user,
                rule_key=d["rule_key"],
                kind=d["kind"],
                title=d["title"],
                description=d["description"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                major_weather=bool(d.get("major_weather")),
                staff=d["staff"],
                prepared_answers=d["prepared_answers"],
            )
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, "活动已保存为草稿。完成准备后提交审批。")
            return redirect("activity_detail", pk=a.pk)
    return render(request, "interaction/activity_form.html", page_context(request, org, form=form))


def _local(value: datetime) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(value):%Y-%m-%dT%H:%M}"


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    a = get_for(user, Activity.objects.select_related("channel", "unit", "created_by"), pk)
    org = a.organisation
    may_plan = actions.may_plan_activity(user, a.channel)
    steps = list(a.steps.select_related("unit", "decided_by").order_by("position", "id"))
    for s in steps:
        s.activity = a
    decidable = {s.pk for s in steps if actions.may_decide_step(user, s)}
    return render(
        request,
        "interaction/activity_detail.html",
        page_context(
            request,
            org,
            a=a,
            rule_name=queries.activity_rule_name(a),  # W-08: only where it applies
            planned=queries.planned_step_names(a) if a.status == ActivityStatus.DRAFT else [],
            kind_name=actions.ACTIVITY_KINDS.get(a.kind, a.kind),
            steps=steps,
            decidable=decidable,
            checklist=actions.readiness(a),
            missing=actions.missing_to_start(a),
            may_plan=may_plan,
            editable=may_plan
            and a.status
            in (
                ActivityStatus.DRAFT,
                ActivityStatus.REJECTED,
                ActivityStatus.IN_REVIEW,
                ActivityStatus.APPROVED,
            ),
            people=org_people(org) if may_plan else [],
            staff_ids={u.pk for u in a.staff.all()},
            starts=_local(a.starts_at),
            ends=_local(a.ends_at),
            # Hidden or deleted comments are not shown again here (the inbox keeps them).
            comments=a.comments.filter(visibility=Visibility.VISIBLE).order_by("-created_at")[:50],
        ),
    )


def _act(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    user = actor(request)
    a = get_for(user, Activity, pk)
    try:
        if what == "submit":
            actions.submit_activity(a, actor=user)
            messages.success(request, "已提交审批。")
        elif what == "start":
            actions.start_activity(a, actor=user)
            messages.success(request, "活动已开始：期间账号收到的评论归入本活动。")
        elif what == "finish":
            actions.finish_activity(a, actor=user)
            messages.success(request, "活动已结束。")
        elif what == "cancel":
            actions.cancel_activity(a, actor=user, reason=request.POST.get("reason", ""))
            messages.success(request, "活动已取消。")
        elif what == "readiness":
            ids = request.POST.getlist("staff")
            if not all(i.isascii() and i.isdigit() for i in ids):
                raise DomainError("值班人员的选择无效，请重新选择。")
            # Only people of this organisation can be on duty for its activity.
            staff = org_people(a.organisation).filter(pk__in=[int(i) for i in ids])
            actions.update_activity(
                a,
                actor=user,
                staff=staff,
                prepared_answers=request.POST.get("prepared_answers", ""),
            )
            messages.success(request, "准备情况已保存。")
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("activity_detail", pk=pk)


@login_required
@require_POST
def activity_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "submit")


@login_required
@require_POST
def activity_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "start")


@login_required
@require_POST
def activity_finish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "finish")


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "cancel")


@login_required
@require_POST
def activity_readiness(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "readiness")


@login_required
@require_POST
def activity_step_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    step = get_for(user, ActivityStep.objects.select_related("activity", "unit"), pk)
    approve = request.POST.get("decision") == "approve"
    try:
        actions.decide_activity_step(
            step, actor=user, approve=approve, reason=request.POST.get("reason", "")
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已批准。" if approve else "已退回。")
    return redirect("activity_detail", pk=step.activity_id)
