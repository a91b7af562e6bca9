"""W-16, T-08, R-05, C-11: no secret value in an audit record, a log line or a page. The
demo's set-up path (``connect_demo_channels`` → ``set_demo_channel_settings``) writes every
demo account's tokens and app secrets; then the audit log, everything logged meanwhile and
the pages an administrator sees are searched for them."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from guanwei.audit.models import AuditRecord
from guanwei.channels.models import Channel
from guanwei.cli import FakeAddresses, connect_demo_channels
from guanwei.orgs.models import User
from guanwei.publishing.credentials import SECRET_SETTINGS, settings_for
from guanwei.publishing.models import ChannelSettings
from guanwei.vault.models import Secret

pytestmark = pytest.mark.django_db


def test_w16_no_secret_in_audit_logs_or_pages(tmp_path: Path, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    assert connect_demo_channels(tmp_path, fakes=FakeAddresses("127.0.0.1", 18101, 18102)) > 0
    channels = list(
        Channel.objects.select_related("settings").filter(platform__in=["weibo", "wechat"])
    )
    secrets = {
        v for ch in channels for k, v in settings_for(ch).items() if k in SECRET_SETTINGS and v
    }
    assert len(secrets) >= len(channels)  # each account its own token or app secret
    # the JSON records hold none; the vault holds them sealed
    assert not any(set(r.values) & SECRET_SETTINGS for r in ChannelSettings.objects.all())
    assert Secret.objects.count() == len(secrets)

    audit = json.dumps(
        [
            [r.object_repr, r.before, r.after]
            for r in AuditRecord.objects.order_by("seq").only("object_repr", "before", "after")
        ],
        ensure_ascii=False,
        default=str,
    )
    assert '"***"' in audit  # the settings changes were audited, masked
    fake_accounts = (tmp_path / "fake-accounts.json").read_text(encoding="utf-8")
    assert all(s in fake_accounts for s in secrets)  # the fakes' own file: the check bites

    root = User.objects.create_superuser("root_vault", password="x" * 16)
    client = Client()
    client.force_login(root)
    pages = []
    for url in ["/audit/", "/channels/", *(f"/channels/{ch.pk}/" for ch in channels[:6])]:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        pages.append(response.content.decode("utf-8"))

    for secret in secrets:
        assert secret not in audit
        assert secret not in caplog.text
        for page in pages:
            assert secret not in page
