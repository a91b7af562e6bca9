"""Drop box, material and post pages. Thin: parse, call one action, respond."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanwei.content import access, actions, panels, queries
from guanwei.content.forms import (
    WEEKDAYS_ZH,
    AssetForm,
    DeclineForm,
    ExternalForm,
    MaterialForm,
    PostForm,
    ResubmitForm,
    TextForm,
    WeekPlanForm,
)
from guanwei.content.models import (
    Asset,
    Post,
    PostStatus,
    Submission,
    SubmissionStatus,
    Text,
    WeekPlan,
)
from guanwei.keyset import cursor_text, parse_cursor
from guanwei.orgs.access import get_for, may_see
from guanwei.orgs.errors import DomainError
from guanwei.orgs.models import Organisation
from guanwei.orgs.pages import actor, current_org, page_context
from guanwei.orgs.permissions import can
from guanwei.orgs.rules import rules_for


def _org(request: HttpRequest) -> Organisation:
    org = current_org(request)
    if org is None:
        raise Http404
    return org


def _cursor(request: HttpRequest) -> tuple[datetime, int] | None:
    return parse_cursor(request.GET.get("before", ""))


# ------------------------------------------------------------------ drop box


def _material_step(organisation_id: int) -> str:
    """The name of the pack's material review step (提供单位分管领导审定), "" if none."""
    for chain in rules_for(organisation_id).chains:
        if chain["applies_to"] == "material" and chain["steps"]:
            return str(chain["steps"][0]["name"])
    return ""


def _statuses(organisation_id: int) -> list[tuple[str, str]]:
    """The drop box's status filter; 待分管领导审定 only where the pack has a material chain,
    in its step's words (issue #10 §2)."""
    step = _material_step(organisation_id)
    out = []
    for value, label in SubmissionStatus.choices:
        if value == SubmissionStatus.AWAITING_LEADER:
            if not step:
                continue
            label = f"待{step}"
        out.append((value, str(label)))
    return out


@login_required
def dropbox(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    user = actor(request)
    if not access.may_open_dropbox(user, org):
        raise Http404
    units = queries.units_where(user, org, "dropbox.manage")
    status = request.GET.get("status", "")
    items = queries.inbox(units, status=status, before=_cursor(request)) if units else []
    mine = list(queries.my_submissions(user).select_related("provider_unit")[:20])
    return render(
        request,
        "content/dropbox.html",
        page_context(
            request,
            org,
            items=items,
            units=units,
            status=status,
            statuses=_statuses(org.pk),
            mine=mine,
            resubmittable={s.pk for s in mine if queries.may_resubmit_material(user, s)},
            can_submit=bool(queries.units_where(user, org, "material.submit")),
            can_record_external=bool(units),
            next_cursor=cursor_text(items[-1].created, items[-1].pk)
            if len(items) == queries.PAGE
            else "",
        ),
    )


def _material_form(request: HttpRequest, org: Organisation, data: Any = None) -> MaterialForm:
    user = actor(request)
    units = [u.pk for u in queries.units_where(user, org, "material.submit")]
    return MaterialForm(
        data,
        request.FILES or None,
        units=org.units.filter(pk__in=units),
        drop_boxes=queries.drop_boxes(org),
        assets=Asset.objects.filter(organisation=org, unit_id__in=units),
    )


def _checked_token(data: dict[str, Any]) -> str:
    """Names the exact text the provider was shown the hits of (title, body, source)."""
    blob = "\x1f".join(str(data.get(k, "")) for k in ("title", "body", "source"))
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


@login_required
def material_new(request: HttpRequest) -> HttpResponse:
    """Send material. The provider sees the screening hits first: 检查 shows them with the
    form kept; 发送 with review hits not yet shown shows them and asks to send again; a
    block-severity hit is refused by the action, the form kept (C-06)."""
    org = _org(request)
    if not queries.units_where(actor(request), org, "material.submit"):
        # issue 10 §5: only those who may submit see the form (not an empty unit list)
        messages.error(request, _("You may not send material from any unit."))
        return redirect("dropbox")
    form = _material_form(request, org, request.POST or None)
    status = 200
    screened: dict[str, Any] | None = None
    token = ""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            screened, token, look_first = _look_before_sending(request, org, data)
            if look_first:
                return render(
                    request,
                    "content/material_form.html",
                    page_context(
                        request,
                        org,
                        form=form,
                        screened=screened,
                        token=token,
                        material_step=_material_step(org.pk),
                    ),
                )
            try:
                item = actions.submit_material(
                    form.cleaned_data["provider_unit"],
                    actor=actor(request),
                    drop_box=form.cleaned_data["drop_box"],
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    source=form.cleaned_data["source"],
                    assets=form.cleaned_data["assets"],
                )
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, _("Material sent."))
                return redirect("material_detail", pk=item.pk)
    return render(
        request,
        "content/material_form.html",
        page_context(
            request,
            org,
            form=form,
            screened=screened,
            token=token,
            material_step=_material_step(org.pk),
        ),
        status=status,
    )


@login_required
def material_external(request: HttpRequest) -> HttpResponse:
    """E-07: record a contribution that came from outside (in the edu-software pack: a
    student's, teacher's or parent's private message) into a drop box one runs, marked
    external: who sent it, by which channel; the page names them in the pack's words, or
    in neutral ones (issue 10 §2). Only for those who run a drop box; kept whatever it
    says (screened, the editor sees the hits)."""
    org = _org(request)
    user = actor(request)
    boxes = queries.units_where(user, org, "dropbox.manage")
    if not boxes:
        raise Http404
    form = ExternalForm(
        request.POST or None,
        drop_boxes=org.units.filter(pk__in=[u.pk for u in boxes]),
        assets=Asset.objects.filter(organisation=org, unit__in=boxes),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = actions.submit_external(
                    data["drop_box"],
                    actor=user,
                    name=data["name"],
                    contact=data["contact"],
                    via=data["via"],
                    title=data["title"],
                    body=data["body"],
                    assets=data["assets"],
                )
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, _("The contribution is in the drop box."))
                return redirect("material_detail", pk=item.pk)
    return render(
        request,
        "content/material_external.html",
        page_context(request, org, form=form, pack_name=rules_for(org.pk).contribution_name()),
        status=status,
    )


def _look_before_sending(
    request: HttpRequest, org: Organisation, data: dict[str, Any]
) -> tuple[dict[str, Any], str, bool]:
    """The hits, the token of the text they were shown for, and whether the provider must
    look first: 检查 was pressed, or there are review hits not yet shown for this text (a
    warning asks to send again). Sending material and sending it again share it."""
    screened, verdict = _screened_preview(org, data)
    token = _checked_token(data)
    checking = "check" in request.POST
    unseen = verdict == "review" and request.POST.get("checked") != token
    if unseen and not checking:
        messages.warning(
            request, _("Please look at the marked words; send again if the material is right.")
        )
    return screened, token, checking or unseen


def _screened_preview(org: Organisation, data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The hits the provider sees before sending (the same engine and packs as at send)."""
    from guanwei.screening import queries as screening

    text = actions.screened_text(data["title"], data["body"])
    result = screening.screen_text(
        org,
        text,
        source=data["source"],
        title=data["title"],
        has_picture=bool(data.get("assets")),  # E-01: the pictures sent with it count
    )
    screened = screening.result_view(text, result)
    screened["segments"] = screening.segments(text, screened["rows"], len(data["title"]) + 1)
    return screened, result.verdict


@login_required
def material_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改后重新报送 (W-15): the provider edits material their leader returned, seeing the
    reason, checks it (检查 shows the hits) and sends it again; screened as at first send."""
    user = actor(request)
    item = get_for(
        user, Submission.objects.select_related("drop_box", "provider_unit", "organisation"), pk
    )
    if not queries.may_resubmit_material(user, item):
        raise Http404
    org = item.organisation
    initial = {"title": item.title, "body": item.body, "source": item.source}
    form = ResubmitForm(request.POST or None, initial=initial)
    status = 200
    screened: dict[str, Any] | None = None
    token = ""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            screened, token, look_first = _look_before_sending(request, org, data)
            if look_first:
                status = 200
            else:
                try:
                    actions.resubmit_material(
                        item,
                        actor=user,
                        title=data["title"],
                        body=data["body"],
                        source=data["source"],
                    )
                except DomainError as e:
                    form.add_error(None, e.message)
                else:
                    messages.success(request, _("Material sent again."))
                    return redirect("material_detail", pk=item.pk)
    return render(
        request,
        "content/material_edit.html",
        page_context(request, org, item=item, form=form, screened=screened, token=token),
        status=status,
    )


@login_required
def material_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = actor(request)
    item = get_for(
        user,
        Submission.objects.select_related("drop_box", "provider_unit", "submitted_by", "post"),
        pk,
    )
    manages = can(user, "dropbox.manage", item.drop_box)
    from guanwei.screening import queries as screening
    from guanwei.workflow.queries import may_decide

    runs = item.runs.prefetch_related("steps__decisions__actor").order_by("started_at")
    deciding = {
        s.pk for r in runs for s in r.steps.all() if s.status == "pending" and may_decide(s, user)
    }
    return render(
        request,
        "content/material_detail.html",
        page_context(
            request,
            item.drop_box.organisation,
            item=item,
            manages=manages,
            may_resubmit=queries.may_resubmit_material(user, item),
            runs=runs,
            deciding=deciding,
            decline_form=DeclineForm(),
            screened=screening.verdict_view(
                screening.latest_verdict("submission", item.pk),
                actions.screened_text(item.title, item.body),
                len(item.title) + 1,
            ),
        ),
    )


@login_required
@require_POST
def material_take(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_for(actor(request), Submission, pk)
    try:
        actions.take_submission(item, actor=actor(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Material taken."))
    return redirect("material_detail", pk=pk)


@login_required
@require_POST
def material_decline(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_for(actor(request), Submission, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give the reason; the provider will see it."))
        return redirect("material_detail", pk=pk)
    try:
        actions.decline_submission(item, actor=actor(request), reason=form.cleaned_data["reason"])
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Material declined; the provider sees the reason."))
    return redirect("material_detail", pk=pk)


# ------------------------------------------------------------------ posts


@login_required
def post_list(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    user = actor(request)
    if not access.may_open_post_list(user, org):
        raise Http404
    units = access.post_list_units(user, org)
    status = request.GET.get("status", "")
    # issue 10 (T-01, C-09): also the posts of other units on the accounts one runs
    from guanwei.channels.scope import accounts_seen_by
    from guanwei.publishing.queries import waiting_for_accounts

    accounts = accounts_seen_by(user, org)
    posts = (
        queries.posts_for(org, units, status=status, before=_cursor(request), accounts=accounts)
        if units or accounts
        else []
    )
    return render(
        request,
        "content/post_list.html",
        page_context(
            request,
            org,
            posts=posts,
            status=status,
            statuses=PostStatus.choices,
            can_create=any(can(user, "post.create", u) for u in units),
            has_columns=bool(rules_for(org.pk).columns),  # R-03 周计划
            from_material=queries.published_from_material(user, org),
            waiting=waiting_for_accounts(user, org),
            next_cursor=cursor_text(posts[-1].created, posts[-1].pk)
            if len(posts) == queries.PAGE
            else "",
        ),
    )


def _editable_units(request: HttpRequest, org: Organisation) -> list[Any]:
    return queries.units_where(actor(request), org, "post.create")


@login_required
def post_new(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    units = _editable_units(request, org)
    if not units:
        messages.error(request, _("You may not write posts in any unit."))
        return redirect("post_list")
    rules = rules_for(org.pk)
    material_ids = [int(x) for x in request.GET.getlist("material") if x.isdigit()]
    # Only material the writer may open fills the form (issue #9 §3: no prefill by id).
    materials = [
        m
        for m in Submission.objects.filter(pk__in=material_ids, organisation=org).select_related(
            "drop_box", "provider_unit", "post"
        )
        if may_see(actor(request), m)
    ]
    initial: dict[str, Any] = {}
    if materials:
        initial = {
            "title": materials[0].title,
            "body": "\n\n".join(m.body for m in materials),
            "source": "；".join(dict.fromkeys(m.source for m in materials if m.source)),
            "assets": [a.pk for m in materials for a in m.assets.all()],
        }
    elif (text := _library_text(request, org)) is not None:  # E-02: a draft from the library
        initial = {"title": text.title, "body": text.body, "source": text.source}
    form = PostForm(
        request.POST or None,
        organisation=org,
        rules=rules,
        units=units,
        providers=[m.provider_unit for m in materials],
        materials=materials,
        initial=initial,
        user=actor(request),
    )
    unit_choice = request.POST.get("unit") or request.GET.get("unit") or str(units[0].pk)
    status = 200
    if request.method == "POST":
        status = 400
        unit = next((u for u in units if str(u.pk) == unit_choice), None)
        if unit is None:
            form.add_error(None, _("Choose a unit you may write for."))
        elif form.is_valid():
            try:
                post = actions.create_post(
                    unit, actor=actor(request), materials=materials, **form.cleaned_data
                )
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, _("Post saved as version 1."))
                return redirect("post_detail", pk=post.pk)
    return render(
        request,
        "content/post_form.html",
        page_context(
            request,
            org,
            form=form,
            units=units,
            unit_choice=unit_choice,
            materials=materials,
            post=None,
        ),
        status=status,
    )


def _library_text(request: HttpRequest, org: Organisation) -> Text | None:
    """The library text ``?text=`` names, if the writer may open it (no prefill by id)."""
    pk = request.GET.get("text", "")
    text = (
        Text.objects.filter(pk=pk, organisation=org).select_related("unit").first()
        if pk.isdigit()
        else None
    )
    return text if text is not None and may_see(actor(request), text) else None


def _get_post(request: HttpRequest, pk: int, permission: str | None = None) -> Post:
    """The post if the person may see it (and hold ``permission`` on it), else 404."""
    return get_for(
        actor(request),
        Post.objects.select_related(
            "unit", "organisation", "current_revision", "created_by", "corrects"
        ),
        pk,
        permission,
    )


def post_page(request: HttpRequest, pk: int, *, status: int = 200, **forms: Any) -> HttpResponse:
    """The post page (稿件页): the content room's facts and text, then the panels the other
    rooms registered (review, publishing, corrections — see ``content.panels``). Views of
    those rooms that refuse a POST call this with their bound form (``forms``) and 400."""
    post = _get_post(request, pk)
    user = actor(request)
    revision = post.current_revision
    assert revision is not None
    rules = rules_for(post.organisation_id)
    base = page_context(
        request,
        post.organisation,
        **queries.post_facts(post, revision),
        category_name=rules.category_name(revision.category),
        subtype_name=rules.subtype_name(revision.category, revision.subtype),
        sensitive_label=rules.flag_label("sensitive"),
        emergency_label=rules.flag_label("emergency"),
        can_edit=can(user, "post.create", post.unit)
        and post.status not in (PostStatus.PUBLISHED, PostStatus.WITHDRAWN),
    )
    templates, context = panels.collect(post, user, base, forms)
    context["panels"] = templates
    return render(request, "content/post_detail.html", context, status=status)


post_detail = login_required(post_page)


@login_required
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _get_post(request, pk, "post.create")  # the form is for its writers only
    org = post.organisation
    rev = post.current_revision
    assert rev is not None
    initial = actions.revision_fields(rev)
    form = PostForm(
        request.POST or None,
        organisation=org,
        rules=rules_for(org.pk),
        units=[post.unit],
        providers=[m.provider_unit for m in post.materials.select_related("provider_unit")],
        materials=post.materials.prefetch_related("assets"),
        initial=initial,
        user=actor(request),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                new = actions.revise_post(post, actor=actor(request), **form.cleaned_data)
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, _("Saved as version %(n)d.") % {"n": new.number})
                return redirect("post_detail", pk=post.pk)
    return render(
        request,
        "content/post_form.html",
        page_context(
            request,
            org,
            form=form,
            units=[post.unit],
            unit_choice=str(post.unit_id),
            materials=[],
            post=post,
        ),
        status=status,
    )


@login_required
def post_diff(request: HttpRequest, pk: int, a: int, b: int) -> HttpResponse:
    post = _get_post(request, pk)
    old = get_object_or_404(post.revisions, number=a)
    new = get_object_or_404(post.revisions, number=b)
    return render(
        request,
        "content/post_diff.html",
        page_context(
            request,
            post.organisation,
            post=post,
            old=old,
            new=new,
            lines=queries.revision_diff(old, new),
        ),
    )


# ------------------------------------------------------------------ asset library (E-02)


@login_required
def asset_library(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    user = actor(request)
    units = access.library_units(user, org)
    if not units:
        raise Http404
    form = AssetForm(request.POST or None, request.FILES or None)
    status = 200
    chosen = request.POST.get("unit", "")
    if request.method == "POST":
        unit = next((u for u in units if str(u.pk) == request.POST.get("unit")), None)
        if unit is None or not form.is_valid():
            messages.error(request, _("Choose a file and a unit."))
        else:
            try:
                actions.upload_asset(
                    unit,
                    actor=user,
                    upload=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                )
            except DomainError as e:  # the reason next to the file; title and unit kept
                form.add_error("file", e.message)
                status = 400
            else:
                messages.success(request, _("Added to the library."))
                return redirect("asset_library")
    assets = Asset.objects.filter(organisation=org, unit__in=units).select_related("unit")[:200]
    return render(
        request,
        "content/assets.html",
        page_context(
            request,
            org,
            assets=assets,
            form=form,
            units=units,
            chosen=chosen,
        ),
        status=status,
    )


@login_required
def asset_file(request: HttpRequest, pk: int) -> FileResponse:
    """Library files are served only to people of the organisation (no public media).

    Never run (issue #9 §2): the type comes from the stored name guanwei generated from
    the sniffed bytes (an older file stored under its uploader's name is an
    ``application/octet-stream`` download); nosniff and CSP sandbox on every file, and
    anything that is not a picture is downloaded."""
    from guanwei.core.files import OCTET, harden, kind_of_name

    asset = get_for(actor(request), Asset.objects.select_related("unit"), pk)
    stored = (asset.file.name or "file").rsplit("/", 1)[-1]
    kind = kind_of_name(stored)
    picture = kind is not None and kind.picture and asset.kind == Asset.Kind.IMAGE
    response = FileResponse(
        asset.file.open("rb"), content_type=kind.content_type if kind else OCTET
    )
    harden(response.headers, picture=picture, filename=stored)
    return response


# ------------------------------------------------------------------ R-03 周计划


@login_required
def week_plan_new(request: HttpRequest) -> HttpResponse:
    """A column's week on one form (R-03): Monday to Sunday, one row a day with its text,
    picture and time; submitted together for review."""
    from guanwei.workflow import actions as review

    org = _org(request)
    units = _editable_units(request, org)
    if not units:
        messages.error(request, _("You may not write posts in any unit."))
        return redirect("post_list")
    rules = rules_for(org.pk)
    initial = {"column": request.GET.get("column", ""), "week": request.GET.get("week", "")}
    form = WeekPlanForm(
        request.POST or None,
        request.FILES or None,
        organisation=org,
        rules=rules,
        units=units,
        initial=initial,
    )
    unit_choice = request.POST.get("unit") or str(units[0].pk)
    status = 200
    if request.method == "POST":
        status = 400
        unit = next((u for u in units if str(u.pk) == unit_choice), None)
        if unit is None:
            form.add_error(None, _("Choose a unit you may write for."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                days = []
                for i in range(7):
                    upload = data.get(f"picture_{i}")
                    # checked here (decoding takes time), stored by the plan's action
                    pictures = (
                        [actions.check_upload(unit, actor=actor(request), upload=upload)]
                        if upload
                        else []
                    )
                    days.append(
                        {
                            "body": data.get(f"body_{i}", ""),
                            "at": data.get(f"at_{i}"),
                            "pictures": pictures,
                        }
                    )
                plan, not_yet = review.submit_week_plan(
                    unit,
                    actor=actor(request),
                    column=data["column"],
                    week_start=data["week"],
                    channels=data["channels"],
                    days=days,
                )
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                if not_yet:
                    messages.warning(
                        request,
                        _("Week plan saved, not yet submitted: %(reason)s") % {"reason": not_yet},
                    )
                else:
                    messages.success(request, _("Week plan submitted for review: seven posts."))
                return redirect("week_plan_detail", pk=plan.pk)
    return render(
        request,
        "content/week_plan_form.html",
        page_context(request, org, form=form, units=units, unit_choice=unit_choice),
        status=status,
    )


@login_required
def week_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The week at a glance (R-03): each day's time, text, pictures and status; for its
    reviewer, approve all or the days ticked."""
    from guanwei.workflow.actions import pending_steps
    from guanwei.workflow.actions.decisions import check_decider

    user = actor(request)
    plan = get_for(user, WeekPlan.objects.select_related("unit", "organisation"), pk)
    rules = rules_for(plan.organisation_id)
    posts = list(
        plan.posts.select_related("current_revision").prefetch_related("current_revision__assets")
    )
    mine = set()
    hints = False
    for step in pending_steps(plan):
        try:
            check_decider(step, user)
        except DomainError:
            continue
        mine.add(step.run.post_id)
        hints = hints or step.run.screening_verdict == "review"
    rows = [
        {
            "post": p,
            "revision": p.current_revision,
            "name": WEEKDAYS_ZH[i] if i < 7 else "",
            "day": plan.week_start + timedelta(days=i),
            "mine": p.pk in mine,
        }
        for i, p in enumerate(sorted(posts, key=lambda p: p.pk))
    ]
    column = rules.column(plan.column) or {}
    return render(
        request,
        "content/week_plan_detail.html",
        page_context(
            request,
            plan.organisation,
            plan=plan,
            rows=rows,
            column=column,
            may_review=bool(mine),
            hints=hints,
            may_submit=can(user, "post.create", plan.unit)
            and any(
                p.status in (PostStatus.DRAFT, PostStatus.REJECTED, PostStatus.EXPIRED)
                for p in posts
            ),
        ),
    )


# ------------------------------------------------------------------ content library (E-02)


@login_required
def text_library(request: HttpRequest) -> HttpResponse:
    """内容库: texts prepared ahead, beside the picture library. Search by words of the
    title or text; 用此文字写稿 starts a post draft from one; add one below."""
    from guanwei.content.access import LIBRARY

    org = _org(request)
    user = actor(request)
    readable = [u for u in org.units.all() if any(can(user, p, u) for p in LIBRARY)]
    writable = [
        u for u in readable if can(user, "post.create", u) or can(user, "material.submit", u)
    ]
    if not readable:
        raise Http404
    form = TextForm(request.POST or None)
    status = 200
    chosen = request.POST.get("unit", "")
    if request.method == "POST":
        status = 400
        unit = next((u for u in writable if str(u.pk) == chosen), None)
        if unit is None:
            form.add_error(None, _("Choose a unit you may write for."))
        elif form.is_valid():
            try:
                actions.save_library_text(unit, actor=user, **form.cleaned_data)
            except DomainError as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, _("Saved to the content library."))
                return redirect("text_library")
    q = request.GET.get("q", "").strip()
    texts = Text.objects.filter(organisation=org, unit__in=readable).select_related(
        "unit", "created_by"
    )
    if q:
        from django.db.models import Q

        texts = texts.filter(Q(title__icontains=q) | Q(body__icontains=q))
    return render(
        request,
        "content/texts.html",
        page_context(
            request,
            org,
            texts=texts[:200],
            q=q,
            form=form,
            units=writable,
            chosen=chosen,
            can_write_posts=bool(queries.units_where(user, org, "post.create")),
        ),
        status=status,
    )
