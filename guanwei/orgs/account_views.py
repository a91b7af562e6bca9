"""The person's own security pages (issue #9 §11, §14): 账号安全 (two factors: enrol by QR
code, recovery codes, stop) and 我的 API 令牌 (list, create — shown once — and revoke).
Thin: parse, call one action, respond."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from guanwei.core.errors import DomainError
from guanwei.orgs import actions as org_actions
from guanwei.orgs import second_factor
from guanwei.orgs.access import get_for
from guanwei.orgs.models import ApiToken
from guanwei.orgs.pages import actor as _actor
from guanwei.orgs.pages import current_org as _current_org
from guanwei.orgs.pages import page_context as _ctx


def safe_next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return "/"


@login_required
def security(request: HttpRequest) -> HttpResponse:
    person = _actor(request)
    return render(
        request,
        "orgs/account_security.html",
        _ctx(
            request,
            _current_org(request),
            enrolled=second_factor.has_second_factor(person),
            device=second_factor.authenticator(person),
            codes_left=second_factor.recovery_codes_left(person),
            required=second_factor.must_enrol(person),
            mode=second_factor.mode(),
        ),
    )


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: a QR code (drawn on the server) and the secret as text; the person types
    the first code from the app; ten recovery codes are then shown once."""
    person = _actor(request)
    if second_factor.has_second_factor(person) and not person.is_verified():  # type: ignore[attr-defined]
        return redirect("login_code")
    error = ""
    if request.method == "POST":
        try:
            device, codes = org_actions.confirm_totp_enrolment(
                person,
                actor=person,
                device_id=int(request.POST.get("device") or 0),
                code=request.POST.get("code", ""),
            )
        except DomainError as exc:
            error = exc.message
        else:
            otp_login(request, device)
            return render(
                request,
                "orgs/account_recovery_codes.html",
                _ctx(
                    request, _current_org(request), codes=codes, next=safe_next(request), new=True
                ),
            )
    device = None
    wanted = request.POST.get("device")
    if wanted and wanted.isdigit():
        device = TOTPDevice.objects.filter(pk=int(wanted), user=person, confirmed=False).first()
    if device is None:
        device = org_actions.begin_totp_enrolment(person)
    required = second_factor.must_enrol(person)
    enrolled = second_factor.has_second_factor(person)
    return render(
        request,
        "orgs/account_setup.html",
        _ctx(
            request,
            _current_org(request),
            device=device,
            qr=second_factor.qr_svg(device.config_url),
            secret=second_factor.pretty_secret(device),
            error=error,
            required=required,
            second_step=required and not enrolled,  # nothing else to click before it
            next=safe_next(request),
        ),
        status=400 if error else 200,
    )


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    person = _actor(request)
    try:
        codes = org_actions.regenerate_recovery_codes(person, actor=person)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("account_security")
    return render(
        request,
        "orgs/account_recovery_codes.html",
        _ctx(request, _current_org(request), codes=codes, next="/account/two-factor/", new=False),
    )


@login_required
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    person = _actor(request)
    try:
        org_actions.remove_second_factor(person, actor=person)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已停用两步验证。")
    return redirect("account_security")


# ---------------------------------------------------------------- 我的 API 令牌


def _tokens_page(request: HttpRequest, **extra: object) -> HttpResponse:
    person = _actor(request)
    now = timezone.now()
    tokens = [
        (t, t.is_live(now)) for t in ApiToken.objects.filter(user=person).order_by("-created")
    ]
    status = 400 if extra.get("error") else 200
    return render(
        request,
        "orgs/account_tokens.html",
        _ctx(
            request,
            _current_org(request),
            tokens=tokens,
            now=now,
            max_days=org_actions.API_TOKEN_MAX_DAYS,
            **extra,
        ),
        status=status,
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _tokens_page(request)
    person = _actor(request)
    try:
        days = int(request.POST.get("days") or 90)
        token, plaintext = org_actions.create_api_token(
            person,
            actor=person,
            name=request.POST.get("name", ""),
            scope=request.POST.get("scope", ApiToken.SCOPE_READ),
            days=days,
        )
    except ValueError:
        return _tokens_page(request, error="有效期请填写天数。")
    except DomainError as exc:
        return _tokens_page(request, error=exc.message)
    # shown once, in this response only (never stored in plaintext, never redirected)
    return _tokens_page(request, created=token, plaintext=plaintext)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_for(_actor(request), ApiToken.objects.select_related("user"), pk)  # its owner
    try:
        org_actions.revoke_api_token(token, actor=_actor(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已撤销令牌“{token.name}”。")
    return redirect("account_tokens")
