"""The vault (decision 0031): W-16, T-08, R-05, C-11 — an account's passwords, tokens and
app secrets are stored only encrypted, each under its own data key bound to its row, the
data keys wrapped by a master key that lives outside the database."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from guanwei.audit.events import AuditAction
from guanwei.audit.models import AuditRecord
from guanwei.cli import main
from guanwei.orgs.permissions import SYSTEM
from guanwei.publishing.credentials import settings_for
from guanwei.publishing.models import ChannelSettings
from guanwei.testing.personas import channel, person
from guanwei.vault import actions, crypto, queries
from guanwei.vault.keys import MasterKey, encode, master_key, read_key_file, write_key_file
from guanwei.vault.models import Secret

pytestmark = pytest.mark.django_db

TOKEN = "weibo-token-Zq8-not-for-anyone"
APPSECRET = "wx-appsecret-77c1d0e5f3b2"


def _key(settings: Any) -> MasterKey:
    key = crypto.new_key()
    settings.GUANWEI_VAULT_KEY = encode(key)
    settings.GUANWEI_VAULT_KEY_FILE = ""
    return master_key()


def _weibo() -> Any:
    ch = channel("demo_weather", "city_weibo")
    ChannelSettings.objects.update_or_create(
        channel=ch, defaults={"values": {"uid": "2001", "base_url": "http://127.0.0.1:1"}}
    )
    actions.store_secrets(ch, {"access_token": TOKEN}, actor=SYSTEM)
    return ch


def _fresh(ch: Any) -> Any:
    return type(ch).objects.select_related("settings").get(pk=ch.pk)


def test_w16_settings_for_merges_the_sealed_secrets(settings: Any) -> None:
    """W-16: the adapter's settings are the JSON record's values and the vault's secrets,
    decrypted; the JSON record holds no secret."""
    _key(settings)
    ch = _weibo()
    assert dict(settings_for(_fresh(ch))) == {
        "uid": "2001",
        "base_url": "http://127.0.0.1:1",
        "access_token": TOKEN,
    }
    assert "access_token" not in ChannelSettings.objects.get(channel=ch).values


def test_w16_the_database_holds_no_plaintext(settings: Any) -> None:
    """W-16: neither the ciphertext nor the wrapped key contains the value; the row names
    its cipher and its master key's id, not the key."""
    master = _key(settings)
    ch = _weibo()
    actions.store_secrets(ch, {"secret": APPSECRET}, actor=SYSTEM)
    for row in Secret.objects.filter(channel=ch):
        blob = bytes(row.ciphertext) + bytes(row.wrapped_key)
        for plain in (TOKEN, APPSECRET):
            assert plain.encode() not in blob
        assert master.key not in blob
        assert row.key_id == master.id
        assert row.cipher == crypto.AES_GCM


def test_w16_a_tampered_ciphertext_does_not_open(settings: Any) -> None:
    _key(settings)
    ch = _weibo()
    row = Secret.objects.get(channel=ch)
    blob = bytearray(row.ciphertext)
    blob[-1] ^= 0x80
    Secret.objects.filter(pk=row.pk).update(ciphertext=bytes(blob))
    with pytest.raises(queries.SecretUnreadable):
        settings_for(_fresh(ch))


def test_w16_ciphertexts_swapped_between_rows_do_not_open(settings: Any) -> None:
    """C-11: a value (with its wrapped key) copied onto another account's row, or onto
    another name of the same account, does not open there."""
    _key(settings)
    weibo = _weibo()
    wechat = channel("demo_college", "school_wechat")
    actions.store_secrets(wechat, {"secret": APPSECRET, "password": "pw-1"}, actor=SYSTEM)
    a = Secret.objects.get(channel=weibo, name="access_token")
    b = Secret.objects.get(channel=wechat, name="secret")
    c = Secret.objects.get(channel=wechat, name="password")
    Secret.objects.filter(pk=b.pk).update(ciphertext=a.ciphertext, wrapped_key=a.wrapped_key)
    Secret.objects.filter(pk=c.pk).update(ciphertext=b.ciphertext)
    with pytest.raises(queries.SecretUnreadable):
        queries.secrets_for(wechat)
    count, failures = queries.check_secrets()
    assert count == 3
    assert sorted(f.name for f in failures) == ["password", "secret"]


def test_w16_a_wrong_master_key_fails_loudly(settings: Any) -> None:
    """W-16: under another master key nothing opens, and the error says so in Chinese and
    English without showing a value."""
    _key(settings)
    ch = _weibo()
    _key(settings)  # another key
    with pytest.raises(queries.SecretUnreadable) as e:
        settings_for(_fresh(ch))
    assert "无法用当前主密钥解密" in str(e.value) and "does not open" in str(e.value)
    assert TOKEN not in str(e.value)


def test_w16_storing_the_same_value_again_changes_nothing(settings: Any) -> None:
    _key(settings)
    ch = _weibo()
    before = Secret.objects.get(channel=ch)
    assert actions.store_secrets(ch, {"access_token": TOKEN}, actor=SYSTEM) == []
    assert Secret.objects.get(channel=ch).ref == before.ref
    assert actions.store_secrets(ch, {"access_token": TOKEN + "2"}, actor=SYSTEM)
    after = Secret.objects.get(channel=ch)
    assert after.ref != before.ref  # a new value: a new data key and a new row binding
    assert queries.secrets_for(ch) == {"access_token": TOKEN + "2"}
    assert actions.store_secrets(ch, {"access_token": ""}, actor=SYSTEM) == ["access_token"]
    assert not Secret.objects.filter(channel=ch).exists()


def test_w16_sm4_round_trip(settings: Any) -> None:
    """GUANWEI_VAULT_CIPHER=sm4: sealed with SM4 (GCM where available), opened again."""
    _key(settings)
    settings.GUANWEI_VAULT_CIPHER = "sm4"
    ch = _weibo()
    row = Secret.objects.get(channel=ch)
    assert row.cipher == crypto.cipher_for("sm4")
    assert TOKEN.encode() not in bytes(row.ciphertext)
    assert queries.secrets_for(ch) == {"access_token": TOKEN}


def test_w16_sm4_cbc_hmac_round_trip(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the installed cryptography has no SM4-GCM, SM4-CBC with an HMAC is used."""
    monkeypatch.setattr(crypto, "sm4_gcm_available", lambda: False)
    _key(settings)
    settings.GUANWEI_VAULT_CIPHER = "sm4"
    ch = _weibo()
    assert Secret.objects.get(channel=ch).cipher == crypto.SM4_CBC_HMAC
    assert queries.secrets_for(ch) == {"access_token": TOKEN}


def test_w16_rotate_key_rewraps_and_the_old_key_no_longer_opens(settings: Any) -> None:
    """rotate-key: every data key re-wrapped under the new key in one go, the values not
    re-encrypted; afterwards the old key opens nothing, the new one everything. Audited."""
    old = _key(settings)
    ch = _weibo()
    actions.store_secrets(
        channel("demo_college", "school_wechat"), {"secret": APPSECRET}, actor=SYSTEM
    )
    ciphertexts = dict(Secret.objects.values_list("pk", "ciphertext"))
    new_raw = crypto.new_key()
    new = MasterKey(new_raw, crypto.key_id(new_raw), "test")
    assert actions.rotate_master_key(new, actor=SYSTEM) == 2
    assert {bytes(v) for v in ciphertexts.values()} == {
        bytes(v) for v in Secret.objects.values_list("ciphertext", flat=True)
    }
    assert set(Secret.objects.values_list("key_id", flat=True)) == {new.id}
    _, failures = queries.check_secrets(old)
    assert len(failures) == 2
    settings.GUANWEI_VAULT_KEY = encode(new_raw)
    assert queries.secrets_for(ch) == {"access_token": TOKEN}
    rec = AuditRecord.objects.filter(action=AuditAction.VAULT_KEY_ROTATED).latest("seq")
    assert rec.before == {"key_id": old.id} and rec.after == {"key_id": new.id, "secrets": 2}


def test_w16_rotate_key_with_a_wrong_current_key_writes_nothing(settings: Any) -> None:
    """A wrong current key fails loudly before anything is written: every row is as it was
    and the right key still opens everything."""
    _key(settings)
    ch = _weibo()
    actions.store_secrets(
        channel("demo_college", "school_wechat"), {"secret": APPSECRET}, actor=SYSTEM
    )
    right = master_key()
    rows = list(Secret.objects.order_by("pk").values_list("key_id", "wrapped_key", "ciphertext"))
    wrong_raw, new_raw = crypto.new_key(), crypto.new_key()
    wrong = MasterKey(wrong_raw, right.id, "wrong")  # even claiming the right id
    new = MasterKey(new_raw, crypto.key_id(new_raw), "new")
    with pytest.raises(actions.VaultKeyMismatch):
        actions.rotate_master_key(new, actor=SYSTEM, current=wrong)
    assert (
        list(Secret.objects.order_by("pk").values_list("key_id", "wrapped_key", "ciphertext"))
        == rows
    )
    assert not AuditRecord.objects.filter(action=AuditAction.VAULT_KEY_ROTATED).exists()
    assert queries.secrets_for(ch) == {"access_token": TOKEN}


def test_w16_one_unreadable_row_stops_rotate_key_before_any_write(settings: Any) -> None:
    _key(settings)
    _weibo()
    actions.store_secrets(
        channel("demo_college", "school_wechat"), {"secret": APPSECRET}, actor=SYSTEM
    )
    last = Secret.objects.latest("pk")
    Secret.objects.filter(pk=last.pk).update(wrapped_key=b"\x00" * 60)
    before = list(Secret.objects.order_by("pk").values_list("key_id", "wrapped_key"))
    new_raw = crypto.new_key()
    with pytest.raises(actions.VaultKeyMismatch):
        actions.rotate_master_key(MasterKey(new_raw, crypto.key_id(new_raw), "n"), actor=SYSTEM)
    assert list(Secret.objects.order_by("pk").values_list("key_id", "wrapped_key")) == before


def test_cli_check_and_rotate_key(settings: Any, tmp_path: Path, capsys: Any) -> None:
    """`guanwei vault check` exits 0 when every secret opens and 1 (Chinese and English)
    when one does not; `guanwei vault rotate-key --new-key-file` re-wraps; `new-key` writes
    a 0600 file and never over an existing one."""
    _key(settings)
    ch = _weibo()
    path = tmp_path / "new-key"
    assert main(["vault", "new-key", "--out", str(path)]) == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert main(["vault", "new-key", "--out", str(path)]) == 1
    assert main(["vault", "check"]) == 0
    assert "保险库核验通过" in capsys.readouterr().out
    assert main(["vault", "rotate-key", "--new-key-file", str(path)]) == 0
    assert main(["vault", "check"]) == 1
    err = capsys.readouterr().err
    assert "保险库核验失败" in err and "Vault check failed" in err and TOKEN not in err
    settings.GUANWEI_VAULT_KEY = ""
    settings.GUANWEI_VAULT_KEY_FILE = str(path)
    assert main(["vault", "check"]) == 0
    assert queries.secrets_for(ch) == {"access_token": TOKEN}


def test_the_dev_key_file_is_made_once_0600(settings: Any, tmp_path: Path) -> None:
    """Outside production, with no key configured, var/vault-key.txt is made once, 0600."""
    settings.VAR_DIR = tmp_path
    settings.GUANWEI_VAULT_KEY = settings.GUANWEI_VAULT_KEY_FILE = ""
    first = master_key()
    path = tmp_path / "vault-key.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert master_key().id == first.id
    assert read_key_file(path).key == first.key


def test_production_never_makes_a_key_file(settings: Any, tmp_path: Path) -> None:
    from guanwei.vault.checks import vault_key_configured
    from guanwei.vault.keys import VaultKeyError

    settings.VAR_DIR = tmp_path
    settings.GUANWEI_PRODUCTION = True
    settings.GUANWEI_VAULT_KEY = settings.GUANWEI_VAULT_KEY_FILE = ""
    with pytest.raises(VaultKeyError):
        master_key()
    assert not (tmp_path / "vault-key.txt").exists()
    assert [e.id for e in vault_key_configured()] == ["guanwei.vault.E001"]
    settings.GUANWEI_VAULT_KEY = "bm90LWEta2V5"
    assert [e.id for e in vault_key_configured()] == ["guanwei.vault.E002"]
    write_key_file(tmp_path / "k", os.urandom(32))
    settings.GUANWEI_VAULT_KEY, settings.GUANWEI_VAULT_KEY_FILE = "", str(tmp_path / "k")
    assert vault_key_configured() == []
    assert base64.b64decode((tmp_path / "k").read_text())


def test_w16_the_migration_moves_plaintext_secrets_into_the_vault(settings: Any) -> None:
    """The data migration: plaintext secrets in ChannelSettings.values become sealed vault
    secrets and leave the JSON; the non-secret values stay; settings_for is unchanged."""
    import importlib

    from django.apps import apps

    _key(settings)
    ch = channel("demo_college", "school_wechat")
    values = {"appid": "wx1", "secret": APPSECRET, "base_url": "http://x", "password": "pw"}
    ChannelSettings.objects.update_or_create(channel=ch, defaults={"values": values})
    assert dict(settings_for(_fresh(ch))) == values  # read as before, not yet moved
    migration = importlib.import_module("guanwei.publishing.migrations.0006_secrets_to_vault")
    migration.forwards(apps, None)
    assert ChannelSettings.objects.get(channel=ch).values == {
        "appid": "wx1",
        "base_url": "http://x",
    }
    assert sorted(Secret.objects.filter(channel=ch).values_list("name", flat=True)) == [
        "password",
        "secret",
    ]
    assert dict(settings_for(_fresh(ch))) == values
    migration.backwards(apps, None)
    assert ChannelSettings.objects.get(channel=ch).values == values
    assert not Secret.objects.filter(channel=ch).exists()


def test_w16_t08_require_rotation_and_mark_rotated_are_audited(settings: Any) -> None:
    """W-16, T-08: a change of the people who know the password makes it due now; the
    custodian's change clears it; both in the audit log, no secret in either."""
    from guanwei.orgs.errors import InvalidChange

    ch = channel("demo_weather", "city_weibo")
    admin = person("gw_admin")
    row = actions.require_rotation(ch, reason="管理员变更", actor=admin)
    assert queries.rotation_due(ch) == row and row.required_by == admin
    actions.mark_rotated(ch, actor=admin)
    assert queries.rotation_due(ch) is None
    with pytest.raises(InvalidChange):
        actions.mark_rotated(ch, actor=admin)
    seen = list(
        AuditRecord.objects.filter(object_type="channel", object_id=str(ch.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert seen[-2:] == [AuditAction.SECRET_ROTATION_DUE, AuditAction.SECRET_ROTATED]


def test_w16_the_application_approval_reaches_the_vault() -> None:
    """The 审批表's change of people calls the vault's require_rotation (no longer pending)."""
    from guanwei.workflow.actions import application

    ch = channel("demo_weather", "city_weibo")

    class _Form:
        pk = 7

    assert application._require_rotation(ch, actor=person("gw_admin"), application=_Form())  # type: ignore[arg-type]
    assert "#7" in queries.rotation_due(ch).reason  # type: ignore[union-attr]


def test_w16_cli_rotate_key_under_a_wrong_current_key_writes_nothing(
    settings: Any, tmp_path: Path, capsys: Any
) -> None:
    """`guanwei vault rotate-key` run with the wrong key configured as current: exit 1, the
    secret it could not open named in Chinese and English, every row as it was."""
    right = _key(settings)
    ch = _weibo()
    rows = list(Secret.objects.values_list("key_id", "wrapped_key", "ciphertext"))
    _key(settings)  # the wrong key is now "current"
    path = tmp_path / "next-key"
    write_key_file(path, crypto.new_key())
    assert main(["vault", "rotate-key", "--new-key-file", str(path)]) == 1
    err = capsys.readouterr().err
    assert "未做任何修改" in err and "nothing was written" in err and TOKEN not in err
    assert list(Secret.objects.values_list("key_id", "wrapped_key", "ciphertext")) == rows
    settings.GUANWEI_VAULT_KEY = encode(right.key)
    assert queries.secrets_for(ch) == {"access_token": TOKEN}


def test_w16_cli_check_names_plaintext_left_in_the_settings(settings: Any, capsys: Any) -> None:
    """A secret written into the JSON record around the vault makes `vault check` fail."""
    _key(settings)
    ch = _weibo()
    ChannelSettings.objects.filter(channel=ch).update(values={"uid": "1", "password": "pw"})
    assert main(["vault", "check"]) == 1
    err = capsys.readouterr().err
    assert "明文凭据" in err and "plaintext secrets" in err and "password" in err
    assert "pw\n" not in err


def test_w16_a_batch_reads_its_secrets_in_one_query(
    settings: Any, django_assert_num_queries: Any
) -> None:
    """A dispatcher's batch: one vault query for all its accounts, then each request's
    settings without another; an account whose secret does not open is left to raise at
    its own call, not for the whole batch."""
    from guanwei.publishing.credentials import preload_secrets

    _key(settings)
    ch = _weibo()
    other = channel("demo_weather", "county_a_weibo")
    actions.store_secrets(other, {"access_token": "county-token-1"}, actor=SYSTEM)
    bad = channel("demo_weather", "county_b_weibo")
    actions.store_secrets(bad, {"access_token": APPSECRET}, actor=SYSTEM)
    Secret.objects.filter(channel=bad).update(ciphertext=b"\x00" * 40)
    batch = [_fresh(ch), _fresh(other), _fresh(bad)]
    with django_assert_num_queries(1):
        preload_secrets(batch)
        assert settings_for(batch[0])["access_token"] == TOKEN
        assert settings_for(batch[1])["access_token"] == "county-token-1"
    with pytest.raises(queries.SecretUnreadable):
        settings_for(batch[2])
