"""Review pages: the post page's review panel, queues, decisions, filings, delegation,
printable forms. Thin: parse, call one action, respond."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanwei.audit.actions import record_read
from guanwei.audit.events import AuditAction
from guanwei.content.models import Post
from guanwei.documents.content_approval import PostFormData, content_approval_pdf
from guanwei.documents.layout import Decision as FormDecision
from guanwei.keyset import cursor_text, parse_cursor
from guanwei.orgs.access import get_for
from guanwei.orgs.errors import DomainError
from guanwei.orgs.models import Organisation
from guanwei.orgs.pages import actor, current_org, org_people, page_context
from guanwei.orgs.permissions import can
from guanwei.orgs.rules import rules_for
from guanwei.workflow import access, actions, queries
from guanwei.workflow.actions.application import may_archive, record_archived_copies
from guanwei.workflow.forms import ApproveForm, DelegationForm, RefuseRequestForm, RejectForm
from guanwei.workflow.models import (
    AccountApplication,
    AuthorisationRequest,
    AuthorisationStatus,
    Delegation,
    Filing,
    RunStatus,
    StepRun,
    StepStatus,
)


@login_required
@require_POST
def post_submit(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_for(actor(request), Post, pk)
    try:
        actions.submit_for_review(post, actor=actor(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Submitted for review."))
    return redirect("post_detail", pk=pk)


def _step(request: HttpRequest, pk: int) -> StepRun:
    return get_for(
        actor(request),
        StepRun.objects.select_related("run", "run__post", "run__submission", "unit"),
        pk,
    )


def _back(step: StepRun) -> HttpResponse:
    if step.run.post_id:
        return redirect("post_detail", pk=step.run.post_id)
    if step.run.authorisation_id:
        return redirect("authorisation_detail", pk=step.run.authorisation_id)
    if step.run.application_id:
        return redirect("application_detail", pk=step.run.application_id)
    return redirect("material_detail", pk=step.run.submission_id)


@login_required
@require_POST
def step_approve(request: HttpRequest, pk: int) -> HttpResponse:
    step = _step(request, pk)
    form = ApproveForm(request.POST)
    form.is_valid()
    try:
        actions.approve_step(
            step,
            actor=actor(request),
            comment=form.cleaned_data.get("comment", ""),
            acknowledge_hits=form.cleaned_data.get("acknowledge_hits", False),
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Approved."))
    return _back(step)


@login_required
@require_POST
def step_reject(request: HttpRequest, pk: int) -> HttpResponse:
    step = _step(request, pk)
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        actions.reject_step(step, actor=actor(request), reason=reason)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _refused_message(step))
    return _back(step)


def _refused_message(step: StepRun) -> str:
    """Who the refusal goes back to: the requester of a 附二 request (R-06), the officer of
    material, else the post's editor."""
    if step.run.authorisation_id:
        return str(_("Refused; the requester is told your reason."))
    if step.run.submission_id:
        return str(_("Returned to the provider with your reason."))
    return str(_("Returned to the editor with your reason."))


@login_required
@require_POST
def week_plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """R-03: the author submits the week plan's days not yet in review, together."""
    from guanwei.content.models import WeekPlan

    plan = get_for(actor(request), WeekPlan, pk)
    try:
        n = actions.submit_week_plan_days(plan, actor=actor(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Submitted %(n)d days of the week plan.") % {"n": n})
    return redirect("week_plan_detail", pk=plan.pk)


@login_required
@require_POST
def week_plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """R-03: the reviewer approves the whole week plan, or the days ticked."""
    from guanwei.content.models import WeekPlan

    plan = get_for(actor(request), WeekPlan, pk)
    chosen = None
    if not request.POST.get("all"):
        chosen = {int(x) for x in request.POST.getlist("post") if x.isdigit()}
    try:
        n = actions.approve_week_plan(
            plan,
            actor=actor(request),
            post_ids=chosen,
            comment=request.POST.get("comment", "")[:500],
            acknowledge_hits=request.POST.get("acknowledge_hits") == "1",
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Approved %(n)d days of the week plan.") % {"n": n})
    return redirect("week_plan_detail", pk=plan.pk)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """What waits for me, oldest first, with its age (keyset pages, no COUNT)."""
    org = current_org(request)
    user = actor(request)
    if org is None or not access.may_open_queue(user, org):
        raise Http404
    scope = request.GET.get("scope", "mine")
    after = parse_cursor(request.GET.get("after", ""))
    org_wide = org is not None and can(user, "report.view", org)
    if scope == "all" and org_wide and org is not None:
        items = queries.organisation_queue(org, after=after)
    else:
        scope = "mine"
        items = queries.review_queue(user, after=after)
    return render(
        request,
        "workflow/queue.html",
        page_context(
            request,
            org,
            items=items,
            scope=scope,
            org_wide=org_wide,
            next_after=cursor_text(*items[-1].cursor) if len(items) == queries.QUEUE_PAGE else "",
        ),
    )


@login_required
def filings(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """备案 (C-07): search by title or content hash; export as CSV."""
    org = current_org(request)
    if org is None or not access.may_open_filings(actor(request), org):
        raise Http404
    q = request.GET.get("q", "").strip()
    rows = Filing.objects.filter(organisation=org)
    if q:
        rows = rows.filter(
            Q(title__contains=q) | Q(content_hash__startswith=q) | Q(body__contains=q)
        )
    if request.GET.get("format") == "csv":
        record_read(
            AuditAction.DATA_EXPORTED,
            actor=actor(request),
            object_type="filings",
            object_id=org.pk,
            object_repr=f"{org.name} 备案记录",
            organisation_id=org.pk,
            details={"export": "filings.csv", "q": q},
        )
        return _filings_csv(rows)
    return render(
        request,
        "workflow/filings.html",
        page_context(request, org, filings=rows.select_related("post", "revision")[:100], q=q),
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A cell as text: one that starts like a spreadsheet formula is prefixed with ' so that
    Excel or WPS shows it and never runs it (user text: titles, names)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _filings_csv(rows: Any) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Any:
        yield "\ufeff"
        yield writer.writerow(
            ["备案时间", "稿件", "版本", "标题", "审核流程", "审核人", "内容哈希"]
        )
        for f in rows.select_related("revision").iterator():
            yield writer.writerow(
                _cell(value)
                for value in [
                    timezone.localtime(f.filed_at).strftime("%Y-%m-%d %H:%M"),
                    f.post_id,
                    f.revision.number,
                    f.title,
                    f.chain_name,
                    "；".join(f"{a['step']}:{a['name']}" for a in f.approvers),
                    f.content_hash,
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="filings.csv"'
    return response


@login_required
def post_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """发布内容审批表 (R-06 附一; C-09): the form filled from the data, with decisions."""
    # the post page's rule (orgs.access): no leak by PDF, drafts included
    post = get_for(
        actor(request), Post.objects.select_related("organisation", "unit", "created_by"), pk
    )
    run = post.runs.exclude(status=RunStatus.CANCELLED).order_by("-started_at").first()
    revision = run.revision if run and run.revision else post.current_revision
    assert revision is not None
    rules = rules_for(post.organisation_id)
    decisions: list[FormDecision] = []
    if run:
        decided = {d.step_id: d for d in queries.decisions_of(run)}
        for step in run.steps.order_by("index"):
            d = decided.get(step.pk)
            decisions.append(
                FormDecision(
                    step=step.name,
                    person=str(d.actor) if d else "",
                    title=d.actor.title if d else "",
                    decision=d.verdict if d else "",
                    comment=d.comment if d else "",
                    decided_at=d.created if d else None,
                    on_behalf_of=str(d.on_behalf_of) if d and d.on_behalf_of else "",
                )
            )
    material_decisions: list[FormDecision] = []
    for material in post.materials.all():
        material_run = material.runs.filter(status=RunStatus.APPROVED).first()
        for d in queries.decisions_of(material_run) if material_run else []:
            material_decisions.append(
                FormDecision(
                    step=f"{d.step.name}（素材：{material.title}）",
                    person=str(d.actor),
                    title=d.actor.title,
                    decision=d.verdict,
                    comment=d.comment,
                    decided_at=d.created,
                    on_behalf_of=str(d.on_behalf_of) if d.on_behalf_of else "",
                )
            )
    decisions = material_decisions + decisions
    column = rules.column(revision.column) if revision.column else None
    data = PostFormData(
        organisation=post.organisation.name,
        unit=post.unit.name,
        post_id=post.pk,
        revision=revision.number,
        title=revision.title,
        body=revision.body,
        category=(rules.category(revision.category) or {}).get("name", revision.category),
        column=column["hashtag"] if column else "",
        channels=tuple(c.name for c in revision.channels.all()),
        planned_at=revision.planned_at,
        author=str(revision.created_by),
        source=revision.source,
        content_hash=revision.content_hash,
        decisions=tuple(decisions),
        chain=run.chain_name if run else "",
        generated_at=timezone.now(),
        filed=bool(run and Filing.objects.filter(run=run).exists()),
    )
    record_read(
        AuditAction.FORM_PRINTED,
        actor=actor(request),
        object_type="post",
        object_id=post.pk,
        object_repr=revision.title,
        organisation_id=post.organisation_id,
        details={"form": "content_approval", "revision": revision.number},
    )
    response = HttpResponse(content_approval_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="post-{post.pk}-v{revision.number}.pdf"'
    )
    return response


@login_required
def delegations(request: HttpRequest) -> HttpResponse:
    """R-04: the executive leader records consent for a deputy."""
    org = current_org(request)
    if org is None or not access.may_open_delegations(actor(request), org):
        raise Http404
    rules = rules_for(org.pk)
    delegable = access.delegable_chains(org)
    chains = [(c["key"], c["name"]) for c in delegable]
    names = dict(chains)
    me = actor(request)
    # Only those the pack names may record consent: the form is shown to them alone.
    consent = queries.consent_chains(me, org, delegable)
    form = DelegationForm(
        request.POST or None,
        chains=[(k, n) for k, n in chains if k in consent],
        # only whom the pack's rule names (R-04: the deputies, for the usual reviewer), the
        # same test ``grant_delegation`` makes; nobody it would refuse
        people=_delegation_people(org, [c for c in delegable if c["key"] in consent], "to"),
        absent=_delegation_people(org, [c for c in delegable if c["key"] in consent], "for"),
    )
    if request.method == "POST" and not consent:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            actions.grant_delegation(org, actor=actor(request), **form.cleaned_data)
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("Delegation recorded."))
            return redirect("delegations")
    rows = (
        Delegation.objects.filter(organisation=org)
        .select_related("delegate", "absent", "consent_by")
        .order_by("-created")[:50]
    )
    return render(
        request,
        "workflow/delegations.html",
        page_context(
            request,
            org,
            form=form,
            rows=[
                (
                    d,
                    names.get(d.chain_key, d.chain_key),
                    me.pk in (d.consent_by_id, d.absent_id),
                )
                for d in rows
            ],
            chains=chains,
            # issue #10 §2: who stands in for whom, with whose consent, in the pack's words
            rules=[
                {
                    "chain": c["name"],
                    "deputy": rules.role_name(c["delegation"]["to_role"]),
                    "absent": rules.role_name(c["delegation"].get("for_role") or "")
                    or _("usual reviewer"),
                    "consent": rules.role_name(c["delegation"]["consent_role"]),
                }
                for c in delegable
            ],
            can_consent=bool(consent),
            max_days=sorted({queries.delegation_max_days(c) for c in delegable}),
            now=timezone.now(),
        ),
    )


def _delegation_people(org: Organisation, delegable: list[dict[str, Any]], side: str) -> Any:
    """The people holding a delegation rule's ``to_role`` (side "to") or the role a deputy
    stands in for (side "for": ``for_role``, else the step's roles), in the step's unit."""
    pairs = Q(pk__in=[])
    for chain in delegable:
        rule = chain["delegation"]
        step = next((s for s in chain["steps"] if s["key"] == rule["step"]), None)
        if step is None:
            continue
        if side == "to":
            roles = [rule["to_role"]]
        else:
            roles = [rule["for_role"]] if rule.get("for_role") else list(step["roles"])
        pairs |= Q(
            memberships__unit__organisation=org,
            memberships__unit__key=step["unit"],
            memberships__role__in=roles,
            memberships__revoked_at__isnull=True,
        )
    return org_people(org).filter(pairs).distinct()


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_for(actor(request), Delegation, pk)
    try:
        actions.revoke_delegation(row, actor=actor(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Delegation revoked."))
    return redirect("delegations")


# ------------------------------------------------------------------ 附二 authorisations


def _form_decisions(run: Any) -> list[FormDecision]:
    decided = {d.step_id: d for d in queries.decisions_of(run)}
    out: list[FormDecision] = []
    for step in run.steps.order_by("index"):
        d = decided.get(step.pk)
        out.append(
            FormDecision(
                step=step.name,
                person=str(d.actor) if d else "",
                title=d.actor.title if d else "",
                decision=d.verdict if d else "",
                comment=d.comment if d else "",
                decided_at=d.created if d else None,
                on_behalf_of=str(d.on_behalf_of) if d and d.on_behalf_of else "",
            )
        )
    return out


def _latest_run(item: Any, user: Any) -> dict[str, Any]:
    """The page context of a request's latest run (a 附二 authorisation, a 审批表
    application): its steps, each opinion, the pending step and whether ``user`` decides it."""
    run = item.runs.order_by("-started_at").first()
    pending = (
        run.steps.filter(status=StepStatus.PENDING).select_related("unit", "run").first()
        if run and run.status == RunStatus.IN_PROGRESS
        else None
    )
    return {
        "run": run,
        "steps": list(run.steps.order_by("index")) if run else [],
        "decisions": queries.decisions_of(run) if run else [],
        "pending": pending,
        "can_decide": queries.may_decide(pending, user),
    }


def _authorisation(request: HttpRequest, pk: int) -> AuthorisationRequest:
    return get_for(
        actor(request),
        AuthorisationRequest.objects.select_related(
            "channel", "channel__unit", "organisation", "requested_by"
        ),
        pk,
    )


@login_required
def authorisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """R-06: one 附二 request — what is asked, its chain with each opinion, the decision
    forms for the person whose step it is, the PDF once approved."""
    item = _authorisation(request, pk)
    return render(
        request,
        "workflow/authorisation_detail.html",
        page_context(
            request,
            item.organisation,
            item=item,
            **_latest_run(item, actor(request)),
            approve_form=ApproveForm(),
            reject_form=RefuseRequestForm(),
            printable=item.status == AuthorisationStatus.APPROVED,
        ),
    )


@login_required
def authorisation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """R-06: 官方微博授权审批表 with the chain's opinions — only once approved (a request
    still in review or refused has no form to print)."""
    from guanwei.documents.authorisation import AuthorisationFormData, authorisation_pdf

    item = _authorisation(request, pk)
    run = item.runs.filter(status=RunStatus.APPROVED).order_by("-started_at").first()
    if item.status != AuthorisationStatus.APPROVED or run is None:
        raise Http404
    data = AuthorisationFormData(
        organisation=item.organisation.name,
        account=item.channel.name,
        platform=item.channel.get_platform_display(),
        grantee=item.grantee,
        grantee_title=item.grantee_title,
        scope=item.scope,
        reason=item.reason,
        valid_from=item.valid_from,
        valid_until=item.valid_until,
        decisions=tuple(_form_decisions(run)),
        generated_at=timezone.now(),
        # issue #10 §2: the pack's form title and opinion rows, from the chain it went through
        title=run.chain.get("form_title") or run.chain_name,
        steps=tuple((s["name"], s.get("sign") or "签字：") for s in run.chain["steps"]),
    )
    record_read(
        AuditAction.FORM_PRINTED,
        actor=actor(request),
        object_type="authorisation",
        object_id=item.pk,
        object_repr=f"{item.channel.name} 授权 {item.grantee}",
        organisation_id=item.organisation_id,
        details={"form": "authorisation"},
    )
    response = HttpResponse(authorisation_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="authorisation-{item.pk}.pdf"'
    return response


# ------------------------------------------------------------------ 审批表 applications (C-02)


def _application(request: HttpRequest, pk: int) -> AccountApplication:
    return get_for(
        actor(request),
        AccountApplication.objects.select_related(
            "channel", "channel__unit", "organisation", "requested_by"
        ),
        pk,
    )


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """C-02, C-03 (college 第四条): one 审批表 — what is asked, its chain with each opinion,
    the decision forms for the person whose step it is, the PDF once approved."""
    item = _application(request, pk)
    context = _latest_run(item, actor(request))
    run = context["run"]
    return render(
        request,
        "workflow/application_detail.html",
        page_context(
            request,
            item.organisation,
            item=item,
            title=(run.chain.get("form_title") or run.chain_name) if run else "",
            **context,
            approve_form=ApproveForm(),
            reject_form=RejectForm(),
            printable=item.status == AuthorisationStatus.APPROVED,
            may_archive=may_archive(actor(request), item),
        ),
    )


@login_required
@require_POST
def application_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """此表一式两份: the approved form's two copies filed (decision 0033)."""
    item = _application(request, pk)
    try:
        record_archived_copies(item, actor=actor(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已登记存档：一式两份。")
    return redirect("application_detail", pk=item.pk)


@login_required
def application_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """C-02: the 审批表 with each step's decider, opinion and date from its run — only once
    approved (the form is what is filed, 一式两份)."""
    from guanwei.documents.account_application import (
        AccountApplicationData,
        account_application_pdf,
    )

    item = _application(request, pk)
    run = item.runs.filter(status=RunStatus.APPROVED).order_by("-started_at").first()
    if item.status != AuthorisationStatus.APPROVED or run is None:
        raise Http404
    channel = item.channel
    data = AccountApplicationData(
        organisation=item.organisation.name,
        department=channel.unit.name,
        applied_on=item.applied_on or timezone.localdate(item.created),
        account_number=item.account_number or channel.account_id,
        account_name=channel.name,
        account_id=channel.account_id,
        other_media=item.other_media,
        purpose=item.purpose,
        manager_name=item.manager_name,
        manager_title=item.manager_title,
        manager_phone=item.manager_phone,
        manager_qq=item.manager_qq,
        responsible_name=item.responsible_name,
        responsible_title=item.responsible_title,
        responsible_phone=item.responsible_phone,
        decisions=tuple(_form_decisions(run)),
        generated_at=timezone.now(),
        # the pack's form, from the chain it went through (issue #10 §2)
        title=run.chain.get("form_title") or run.chain_name,
        steps=tuple((s["name"], s.get("sign") or "签字：") for s in run.chain["steps"]),
        note=run.chain.get("form_note") or "",
    )
    record_read(
        AuditAction.FORM_PRINTED,
        actor=actor(request),
        object_type="application",
        object_id=item.pk,
        object_repr=f"{channel.name} 审批表",
        organisation_id=item.organisation_id,
        details={"form": "account_application"},
    )
    response = HttpResponse(account_application_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="application-{item.pk}.pdf"'
    return response
