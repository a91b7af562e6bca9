"""Chinese first (X-06): the interface is Chinese unless the person chose English with the
language switch (a cookie); the browser's Accept-Language does not override it, so an
office PC with an English browser still shows the Chinese UI its colleagues see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SecurityHeadersMiddleware:
    """Issue #9 §16 (sec-deploy). `Cache-Control: no-store` on every answer except the
    anonymous public website: a signed-in page, a library file, an approval PDF or an API
    answer to a token is never kept by the browser's cache (a shared office PC's back
    button, its disk) nor by a proxy. And a `Permissions-Policy` on every answer switching
    off the browser features guanwei never uses (settings.GUANWEI_PERMISSIONS_POLICY)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.policy = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in settings.GUANWEI_PERMISSIONS_POLICY.items()
        )
        self.public_prefixes = tuple(settings.GUANWEI_PUBLIC_CACHEABLE_PREFIXES)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        public = (
            request.path_info.startswith(self.public_prefixes)
            and not (user is not None and user.is_authenticated)
            and "HTTP_AUTHORIZATION" not in request.META
            and not response.cookies
        )
        if not public:
            response["Cache-Control"] = "no-store"
            if "Expires" in response:
                del response["Expires"]
        if self.policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.policy
        return response


class RequestSizeLimitMiddleware:
    """Issue #9 §15 (sec-files). A request announcing a body larger than
    GUANWEI_MAX_REQUEST_BYTES (a 20 MB file and its form) is answered 413 before anything
    reads the body; waitress (``guanwei serve``) refuses it even earlier
    (``max_request_body_size``) and cuts a chunked body at the same size."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.GUANWEI_MAX_REQUEST_BYTES:
            from django.http import HttpResponse

            limit = settings.GUANWEI_MAX_UPLOAD_BYTES // (1024 * 1024)
            return HttpResponse(
                f'<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>文件太大</title>'
                f"<p>上传的内容太大：一个文件不能超过 {limit} MB。"
                f"请返回上一页，换一个较小的文件再试（已填写的内容请先复制保存）。</p></html>",
                status=413,
                content_type="text/html; charset=utf-8",
            )
        return self.get_response(request)


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
