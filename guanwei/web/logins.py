"""Logins, lockout and session limits (issue 9 §10, §12; MLPS 2.0 level 3 §8.1.4.1).

* ``LockoutBackend`` — django-axes' check, first of ``AUTHENTICATION_BACKENDS``: a login
  name or an address with ``GUANWEI_LOCKOUT_FAILURES`` recent failures is refused before any
  password is hashed, on ``/login/`` and ``/admin/login/`` alike (both call ``authenticate``).
* ``lockout_response`` — what a locked person sees (Chinese, with the minutes left), HTTP 429.
* the receivers below put every failure, lockout, refusal, login, logout and session end in
  the audit log through ``orgs.actions.record_login_event``.
* ``SessionLimitsMiddleware`` — ends a session idle for ``GUANWEI_SESSION_IDLE_MINUTES`` or
  older than ``GUANWEI_SESSION_MAX_HOURS``; sends a person whose password someone else set
  to the password page first when ``GUANWEI_PASSWORD_CHANGE_AT_FIRST_LOGIN`` is on.
* ``password_change`` — the person's own password page.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.proxy import AxesProxyHandler
from axes.signals import user_locked_out
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from guanwei.audit.events import AuditAction
from guanwei.core.errors import DomainError
from guanwei.orgs import actions as org_actions
from guanwei.orgs.models import User

LOGIN_AT = "guanwei_login_at"  # session keys: when the person logged in, when last seen
SEEN_AT = "guanwei_seen_at"
SEEN_EVERY = 60.0  # seconds: the session is written at most once a minute for "last seen"


# ---------------------------------------------------------------- addresses and lockout


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind ``GUANWEI_PROXY_COUNT`` reverse proxies the
    address the outermost of them saw (the Nth entry from the right of X-Forwarded-For; the
    entries left of it are whatever the client sent and are not trusted)."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    hops = int(getattr(settings, "GUANWEI_PROXY_COUNT", 0))
    if hops > 0:
        forwarded = [
            part.strip()
            for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return remote


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check; it never logs anyone in (ModelBackend after it does). A
    refusal is marked on the request, so that the audit tells it from a wrong password."""

    def authenticate(
        self,
        request: HttpRequest,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        try:
            super().authenticate(request, username, password, **kwargs)
        except AxesBackendPermissionDenied:
            request.guanwei_refused_locked = True  # type: ignore[attr-defined]
            raise


def lock_state(request: HttpRequest, credentials: dict[str, Any] | None) -> tuple[datetime, str]:
    """When the lock on this request ends and what is locked ("username" or "ip_address").

    A lock holds while the failures less than the cool-off old add up to the limit, so it ends
    when the newest failures no longer do: walk the records newest first until the limit is
    reached; that record's time plus the cool-off is the end. The latest end of any locked
    parameter wins."""
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    cool_off = timedelta(minutes=settings.GUANWEI_LOCKOUT_MINUTES)
    limit = settings.AXES_FAILURE_LIMIT
    ends: list[tuple[datetime, str]] = []
    for parameter, attempts in zip(
        settings.AXES_LOCKOUT_PARAMETERS,
        handler.get_user_attempts(request, credentials),  # type: ignore[attr-defined]
        strict=False,
    ):
        total = 0
        for when, failures in attempts.order_by("-attempt_time").values_list(
            "attempt_time", "failures_since_start"
        ):
            total += failures
            if total >= limit:
                ends.append((when + cool_off, str(parameter)))
                break
    if not ends:
        return timezone.now() + cool_off, "username"
    return max(ends)


def minutes_left(until: datetime) -> int:
    return max(1, math.ceil((until - timezone.now()).total_seconds() / 60))


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page a locked person sees instead of the login form (AXES_LOCKOUT_CALLABLE)."""
    until, locked = lock_state(request, credentials)
    context = {
        "minutes": minutes_left(until),
        "until": timezone.localtime(until),
        "by_address": locked == "ip_address",
        "lockout_minutes": _whole(settings.GUANWEI_LOCKOUT_MINUTES),
        "failures": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "registration/locked.html", context, status=429)


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


# ---------------------------------------------------------------- the audit of login events


def _where(request: HttpRequest | None) -> dict[str, Any]:
    if request is None:
        return {"address": None, "path": ""}
    address = getattr(request, "axes_ip_address", None) or client_ip(request)
    return {"address": address, "path": request.path}


@receiver(user_login_failed, dispatch_uid="guanwei_login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    refused = bool(getattr(request, "guanwei_refused_locked", False))
    if refused and request is not None and not _first_refusal_this_minute(request, credentials):
        return
    org_actions.record_login_event(
        AuditAction.LOGIN_REFUSED_LOCKED if refused else AuditAction.LOGIN_FAILED,
        username=str(credentials.get("username") or ""),
        **_where(request),
    )


def _first_refusal_this_minute(request: HttpRequest, credentials: dict[str, Any]) -> bool:
    """Refusals during a lock are audited at most once a minute per locked name or address
    (this process): a script hammering a locked login must not flood the audit chain, whose
    appends are serialised. Failures before the lock are bounded by the lock itself."""
    _until, locked = lock_state(request, credentials)
    value = (
        getattr(request, "axes_ip_address", "")
        if locked == "ip_address"
        else str(credentials.get("username") or "")
    )
    digest = hashlib.sha256(f"{locked}:{value}".encode()).hexdigest()[:32]
    return bool(cache.add(f"guanwei:login-refused:{digest}", 1, timeout=60))


@receiver(user_locked_out, dispatch_uid="guanwei_locked_out")
def _locked_out(sender: Any, request: HttpRequest, username: str | None = None, **_: Any) -> None:
    if getattr(request, "guanwei_refused_locked", False):
        return  # a refusal during the lock, recorded as such above; not a new lock
    until, locked = lock_state(request, getattr(request, "axes_credentials", None))
    org_actions.record_login_event(
        AuditAction.LOGIN_LOCKED,
        username=username or "",
        detail={
            "locked": "address" if locked == "ip_address" else "login name",
            "failures": getattr(request, "axes_failures_since_start", None),
            "until": until.isoformat(),
        },
        **_where(request),
    )


@receiver(user_logged_in, dispatch_uid="guanwei_logged_in")
def _logged_in(sender: Any, request: HttpRequest | None, user: User, **_: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now
    org_actions.record_login_event(
        AuditAction.LOGIN_SUCCEEDED,
        username=user.get_username(),
        authenticated=user,
        **_where(request),
    )


@receiver(user_logged_out, dispatch_uid="guanwei_logged_out")
def _logged_out(sender: Any, request: HttpRequest | None, user: User | None, **_: Any) -> None:
    if user is None:
        return
    reason = getattr(request, "guanwei_logout_reason", "")
    org_actions.record_login_event(
        AuditAction.SESSION_EXPIRED if reason else AuditAction.LOGGED_OUT,
        username=user.get_username(),
        authenticated=user,
        detail={"reason": reason} if reason else None,
        **_where(request),
    )


# ---------------------------------------------------------------- session limits


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _is_poll(request: HttpRequest) -> bool:
    """A request the page makes by itself (the post page's send fragment polling every 2 s,
    ``hx-headers`` X-Guanwei-Poll): no activity of the person, so it never keeps an idle
    session alive."""
    return _is_htmx(request) and request.headers.get("X-Guanwei-Poll") == "1"


def _send_to(request: HttpRequest, url: str) -> HttpResponse:
    if _is_htmx(request):
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class SessionLimitsMiddleware:
    """Idle timeout and absolute lifetime of a logged-in session; the forced password change."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            ended = self._check(request)
            if ended is not None:
                return ended
            forced = self._forced_change(request, user)
            if forced is not None:
                return forced
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        now = time.time()
        login_at = session.get(LOGIN_AT)
        if login_at is None:  # a session from before these limits: they start now
            session[LOGIN_AT] = session[SEEN_AT] = now
            return None
        seen = float(session.get(SEEN_AT, login_at))
        reason = ""
        if now - float(login_at) >= settings.GUANWEI_SESSION_MAX_HOURS * 3600:
            reason = "absolute"
        elif now - seen >= settings.GUANWEI_SESSION_IDLE_MINUTES * 60:
            reason = "idle"
        if reason:
            request.guanwei_logout_reason = reason  # type: ignore[attr-defined]
            logout(request)
            query = {"ended": reason}
            if request.method == "GET" and not _is_htmx(request):
                query["next"] = request.get_full_path()
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "会话已结束，请重新登录。"}, status=401)
            return _send_to(request, f"{reverse('login')}?{urlencode(query)}")
        if now - seen >= SEEN_EVERY and not _is_poll(request):
            session[SEEN_AT] = now
        return None

    def _forced_change(self, request: HttpRequest, user: User) -> HttpResponse | None:
        if not (
            settings.GUANWEI_PASSWORD_CHANGE_AT_FIRST_LOGIN
            and getattr(user, "password_change_required", False)
        ):
            return None
        # the login's own steps (the second factor's code and enrolment, sec-mfa) come first:
        # the code page and 账号安全 pass, so the two gates never send a person in a circle;
        # 我的 API 令牌 (/account/tokens/) does not: a token made now would skip the change
        allowed = (
            reverse("password_change"),
            reverse("logout"),
            "/login/",
            "/account/two-factor/",
            "/i18n/",
            "/static/",
            "/" + settings.STATIC_URL.lstrip("/"),
        )
        if request.path.startswith(allowed):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "请先修改密码。"}, status=403)
        return _send_to(request, reverse("password_change"))


# ---------------------------------------------------------------- pages


class LoginView(auth_views.LoginView):
    """Django's login page, saying why the person was logged out when a session ended."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["session_ended"] = self.request.GET.get("ended", "")
        context["idle_minutes"] = _whole(settings.GUANWEI_SESSION_IDLE_MINUTES)
        context["max_hours"] = _whole(settings.GUANWEI_SESSION_MAX_HOURS)
        # issue #10 §1: the demo's 试用账号 (never in the production profile)
        from guanwei.packs.demo import try_as

        context["try_as"] = try_as()
        return context


class OwnPasswordForm(PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "原密码不正确，请重新输入。",
        "password_mismatch": "两次输入的新密码不一致。",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "原密码"
        self.fields["new_password1"].label = "新密码"
        self.fields["new_password2"].label = "再输入一次新密码"
        self.fields["new_password1"].help_text = ""
        for field in self.fields.values():
            field.widget = forms.PasswordInput(attrs=field.widget.attrs)


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """The person changes their own password (issue 9 §12): the old one, the new one twice,
    Django's validators (at least GUANWEI_PASSWORD_MIN_LENGTH characters); other sessions of
    the person end (the session hash changes), this one goes on."""
    user = request.user
    assert isinstance(user, User)
    form = OwnPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org_actions.change_own_password(user, form.cleaned_data["new_password1"], actor=user)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "密码已修改。请记住新密码，不要告诉他人。")
            return redirect("dashboard")
    forced = bool(
        settings.GUANWEI_PASSWORD_CHANGE_AT_FIRST_LOGIN
        and getattr(user, "password_change_required", False)
    )
    return render(
        request,
        "registration/password_change.html",
        {"form": form, "forced": forced, "min_length": settings.GUANWEI_PASSWORD_MIN_LENGTH},
    )
