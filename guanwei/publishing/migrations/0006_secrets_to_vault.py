"""Move the secrets out of ``ChannelSettings.values`` into the vault, sealed (decision
0031): each ``SECRET_SETTINGS`` key becomes a vault ``Secret`` under the master key from
``GUANWEI_VAULT_KEY`` / ``GUANWEI_VAULT_KEY_FILE`` (the dev key file outside production)
and leaves the JSON. Backwards: the secrets are opened and written back to the JSON."""

import uuid

from django.db import migrations

SECRETS = ("access_token", "secret", "appsecret", "password", "refresh_token")


def forwards(apps, schema_editor):
    from django.conf import settings

    from guanwei.vault import crypto, sealing
    from guanwei.vault.keys import master_key

    ChannelSettings = apps.get_model("publishing", "ChannelSettings")
    Secret = apps.get_model("vault", "Secret")
    rows = [r for r in ChannelSettings.objects.all() if any(k in r.values for k in SECRETS)]
    if not rows:
        return
    master = master_key()
    cipher = crypto.cipher_for(settings.GUANWEI_VAULT_CIPHER)
    for row in rows:
        values = dict(row.values)
        for name in SECRETS:
            if name not in values:
                continue
            value = str(values.pop(name) or "")
            if not value or Secret.objects.filter(channel_id=row.channel_id, name=name).exists():
                continue
            ref = uuid.uuid4()
            Secret.objects.create(
                ref=ref,
                channel_id=row.channel_id,
                name=name,
                **sealing.sealed_fields(
                    master,
                    ref=ref,
                    channel_id=row.channel_id,
                    name=name,
                    value=value,
                    cipher=cipher,
                ),
            )
        row.values = values
        row.save(update_fields=["values"])


def backwards(apps, schema_editor):
    from guanwei.vault import sealing
    from guanwei.vault.keys import master_key

    ChannelSettings = apps.get_model("publishing", "ChannelSettings")
    Secret = apps.get_model("vault", "Secret")
    secrets = list(Secret.objects.filter(name__in=SECRETS))
    if not secrets:
        return
    master = master_key()
    for secret in secrets:
        row, _ = ChannelSettings.objects.get_or_create(channel_id=secret.channel_id)
        row.values = {**row.values, secret.name: sealing.open_row(secret, master)}
        row.save(update_fields=["values"])
        secret.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0005_retraction"),
        ("vault", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
