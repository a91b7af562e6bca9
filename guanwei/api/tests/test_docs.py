"""`/api/docs` works under the site's CSP (X-01): Swagger UI comes from the installed
django-ninja's own static files, never from a CDN, and no script is inline."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_x01_the_api_docs_use_only_same_origin_scripts_that_are_served() -> None:
    client = Client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    sources = [m.group(1) for attrs, _ in scripts if (m := re.search(r'src="([^"]+)"', attrs))]
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources), sources
    for attrs, body in scripts:
        if "src=" not in attrs:  # only data blocks may be inline, never code
            assert 'type="application/json"' in attrs and body.strip(), attrs
    styles = re.findall(r'<link\b[^>]*href="([^"]+)"', html)
    for url in sources + styles:
        assert url.startswith("/") and not url.startswith("//"), f"not same-origin: {url}"
        served = client.get(url)
        assert served.status_code == 200, url
        assert len(served.getvalue()) > 100, url
