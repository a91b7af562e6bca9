"""Screening pages: paste text and see highlights; the organisation's lexicon."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanwei.orgs.access import get_for
from guanwei.orgs.errors import DomainError
from guanwei.orgs.pages import actor as _actor
from guanwei.orgs.pages import current_org as _current_org
from guanwei.orgs.pages import page_context as _ctx
from guanwei.orgs.permissions import can
from guanwei.orgs.rules import rules_for
from guanwei.screening import actions, queries
from guanwei.screening.access import may_open_lexicon
from guanwei.screening.forms import AllowPhraseForm, ImportForm, ScreenForm, TermForm
from guanwei.screening.models import LexiconAllowPhrase, LexiconTerm

LEXICON_PAGE = 200


@login_required
def screen_page(request: HttpRequest) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        return redirect("dashboard")
    kinds = rules_for(org.pk).channel_kinds
    form = ScreenForm(request.POST or None, kinds=kinds)
    view = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = queries.screen_text(
            org,
            data["text"],
            channel_kind=data["channel_kind"] or None,
            has_picture=data["has_picture"],
            source=data["source"],
            title=data["title"],
        )
        view = queries.result_view(data["text"], result, queries.explain_allowed(org, data["text"]))
    template = "screening/_result.html" if request.htmx else "screening/screen.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        _ctx(
            request,
            org,
            form=form,
            view=view,
            may_open_lexicon=may_open_lexicon(_actor(request), org),
        ),
    )


@login_required
def lexicon_page(request: HttpRequest) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        return redirect("dashboard")
    if not may_open_lexicon(_actor(request), org):
        raise Http404
    q = request.GET.get("q", "").strip()
    terms = LexiconTerm.objects.filter(organisation=org)
    if q:
        terms = terms.filter(term__contains=q)
    return render(
        request,
        "screening/lexicon.html",
        _ctx(
            request,
            org,
            terms=list(terms[:LEXICON_PAGE]),
            q=q,
            page_size=LEXICON_PAGE,
            can_manage=can(_actor(request), "lexicon.manage", org),
            term_form=TermForm(),
            import_form=ImportForm(),
            allow_form=AllowPhraseForm(),
            phrases=list(LexiconAllowPhrase.objects.filter(organisation=org)[:LEXICON_PAGE]),
        ),
    )


@login_required
@require_POST
def lexicon_add(request: HttpRequest) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        raise Http404
    form = TermForm(request.POST)
    if form.is_valid():
        try:
            actions.add_term(org, actor=_actor(request), **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("Term added; screening uses it from now on."))
    else:
        messages.error(request, _("Please fill in the term and its category."))
    return redirect("lexicon_page")


@login_required
@require_POST
def lexicon_import(request: HttpRequest) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        raise Http404
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a word list file to import."))
        return redirect("lexicon_page")
    try:
        lines = form.cleaned_data["file"].read().decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        messages.error(request, _("The file is not UTF-8 text; save it as UTF-8 and try again."))
        return redirect("lexicon_page")
    try:
        added = actions.import_terms(
            org,
            actor=_actor(request),
            lines=lines,
            category=form.cleaned_data["category"],
            severity=form.cleaned_data["severity"],
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("%(n)d terms imported.") % {"n": added})
    return redirect("lexicon_page")


@login_required
@require_POST
def lexicon_remove(request: HttpRequest, pk: int) -> HttpResponse:
    org = _current_org(request)
    row = get_for(_actor(request), LexiconTerm.objects.select_related("organisation"), pk)
    if org is None or row.organisation_id != org.pk:
        raise Http404
    try:
        actions.remove_term(row, actor=_actor(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Term removed."))
    return redirect("lexicon_page")


@login_required
@require_POST
def lexicon_allow_add(request: HttpRequest) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        raise Http404
    form = AllowPhraseForm(request.POST)
    if form.is_valid():
        try:
            actions.add_allow_phrase(org, actor=_actor(request), **form.cleaned_data)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("Allow-phrase added; screening passes it from now on."))
    else:
        messages.error(request, _("Please fill in the phrase."))
    return redirect("lexicon_page")


@login_required
@require_POST
def lexicon_allow_remove(request: HttpRequest, pk: int) -> HttpResponse:
    org = _current_org(request)
    if org is None:
        raise Http404
    found = get_for(_actor(request), LexiconAllowPhrase.objects.select_related("organisation"), pk)
    if found.organisation_id != org.pk:
        raise Http404
    try:
        actions.remove_allow_phrase(found, actor=_actor(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Allow-phrase removed."))
    return redirect("lexicon_page")
