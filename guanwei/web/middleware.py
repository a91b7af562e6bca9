"""Chinese first (X-06): the interface is Chinese unless the person chose English with the
language switch (a cookie); the browser's Accept-Language does not override it, so an
office PC with an English browser still shows the Chinese UI its colleagues see."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
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
