"""The production profile needs a vault master key (decision 0031): an error, not a warning."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from guanwei.vault.keys import VaultKeyError, configured, master_key


@checks.register(checks.Tags.security)
def vault_key_configured(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not settings.GUANWEI_PRODUCTION:
        return []
    if not configured():
        return [
            checks.Error(
                "GUANWEI_ENV=production without a vault master key (生产环境未配置保险库主密钥).",
                hint="Set GUANWEI_VAULT_KEY_FILE to a 0600 file made by `guanwei vault new-key` "
                "(docs/deploy.md 密钥与凭据).",
                id="guanwei.vault.E001",
            )
        ]
    try:
        master_key()
    except VaultKeyError as e:
        return [checks.Error(str(e), id="guanwei.vault.E002")]
    return []
