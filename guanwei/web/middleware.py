"""Chinese first (X-06): the interface is Chinese unless the person chose English with the
language switch (a cookie); the browser's Accept-Language does not override it, so an
office PC with an English browser still shows the Chinese UI its colleagues see."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SecondFactorMiddleware:
    """The second step of the login (issue #9 §11), after Django's and django-otp's
    middleware: a person who has enrolled an authenticator but has not typed a code in this
    session is sent to the code page; under GUANWEI_MFA=required a person whose roles need a
    second factor and who has none is sent to enrolment. Everything else waits, the Django
    admin and the session-authenticated API included (the API answers 403)."""

    CODE_PATH = "/login/code/"
    SETUP_PATH = "/account/two-factor/setup/"
    OPEN_PREFIXES = ("/static/", "/i18n/", "/logout/", "/login/", "/site/")

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        redirect_to = self._gate(request)
        if redirect_to is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "请先完成两步验证。"}, status=403)
        target = f"{redirect_to}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)

    def _gate(self, request: HttpRequest) -> str | None:
        from guanwei.orgs import second_factor

        user = request.user
        if not user.is_authenticated or second_factor.mode() == "off":
            return None
        if user.is_verified():  # type: ignore[union-attr,attr-defined]
            return None
        path = request.path
        if path.startswith(self.OPEN_PREFIXES) and path != self.CODE_PATH:
            return None
        if second_factor.has_second_factor(user):  # type: ignore[arg-type]
            return None if path == self.CODE_PATH else self.CODE_PATH
        if path in (self.CODE_PATH, self.SETUP_PATH):
            return None
        if second_factor.must_enrol(user):  # type: ignore[arg-type]
            return self.SETUP_PATH
        return None
