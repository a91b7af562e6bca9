"""Response headers every page carries (issue #9 §16): nothing a signed-in person sees is
kept by the browser's or a proxy's cache (`Cache-Control: no-store` on every authenticated
page, file and API answer), and a `Permissions-Policy` switches off the browser features
guanwei never uses (camera, microphone, geolocation …) on every response."""

from __future__ import annotations

import hashlib
import secrets

import pytest
from django.core.files.base import ContentFile
from django.test import Client, RequestFactory

from guanwei.content.models import Asset
from guanwei.orgs.models import ApiToken
from guanwei.testing.personas import org, person, unit

pytestmark = pytest.mark.django_db


def _not_stored(response: object) -> bool:
    header = response.headers.get("Cache-Control", "")  # type: ignore[attr-defined]
    directives = {d.strip().split("=", 1)[0] for d in header.split(",")}
    return "no-store" in directives and "public" not in directives


def _policy(response: object) -> dict[str, str]:
    header = response.headers.get("Permissions-Policy", "")  # type: ignore[attr-defined]
    return dict(item.strip().split("=", 1) for item in header.split(",") if "=" in item)


@pytest.mark.parametrize("url", ["/", "/content/posts/", "/api/docs", "/admin/"])
def test_authenticated_pages_are_not_stored_by_any_cache(client: Client, url: str) -> None:
    client.force_login(person("kj_editor"))  # the post list is for who writes or reviews
    response = client.get(url, follow=False)
    assert response.status_code in (200, 302), response.status_code
    assert _not_stored(response), response.headers.get("Cache-Control")


def test_authenticated_files_are_not_stored_by_any_cache(client: Client, settings: object) -> None:
    editor = person("kj_editor")
    asset = Asset(
        organisation=org("demo_weather"),
        unit=unit("demo_weather", "city_tech_centre"),
        kind=Asset.Kind.FILE,
        title="附件",
        sha256="0" * 64,
        uploaded_by=editor,
    )
    asset.file.save("note.txt", ContentFile(b"internal"), save=True)
    client.force_login(editor)
    response = client.get(f"/content/assets/{asset.pk}/file")
    assert response.status_code == 200
    assert _not_stored(response), response.headers.get("Cache-Control")


def test_api_answers_to_a_token_are_not_stored_by_any_cache(client: Client) -> None:
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=person("kj_editor"), name="t", digest=hashlib.sha256(token.encode()).hexdigest()
    )
    response = client.get(
        "/api/v1/orgs/organisations/demo_weather/units",
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert _not_stored(response), response.headers.get("Cache-Control")


def test_the_login_page_is_not_stored_either(client: Client) -> None:
    """The login form carries a CSRF token: never in a shared cache either."""
    response = client.get("/login/")
    assert response.status_code == 200
    assert _not_stored(response), response.headers.get("Cache-Control")


@pytest.mark.parametrize("url", ["/login/", "/", "/api/docs", "/no-such-page/"])
def test_every_response_carries_a_permissions_policy(client: Client, url: str) -> None:
    client.force_login(person("gw_admin"))
    policy = _policy(client.get(url))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy.get(feature) == "()", (feature, policy)


def test_the_anonymous_public_website_stays_cacheable(rf: RequestFactory) -> None:
    """/site/… is the organisation's public website: proxies may cache its pages and feeds
    (unless the answer sets a cookie or the caller is signed in)."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from guanwei.web.middleware import SecurityHeadersMiddleware

    middleware = SecurityHeadersMiddleware(lambda request: HttpResponse("<h1>公开</h1>"))
    request = rf.get("/site/demo_weather/website/index.html")
    request.user = AnonymousUser()
    response = middleware(request)
    assert not _not_stored(response)
    assert _policy(response).get("camera") == "()"
    request.user = person("kj_editor")
    assert _not_stored(middleware(request))
    assert _not_stored(middleware(rf.get("/content/posts/")))
