"""API tokens get an expiry, a scope and a revocation time (issue #9 §14). Tokens made
before this had full rights: they keep the write scope and expire 90 days after they were
created."""

import datetime

from django.db import migrations, models

import guanwei.orgs.models


def _expire_old_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    ApiToken = apps.get_model("orgs", "ApiToken")
    for token in ApiToken.objects.all():
        token.expires_at = token.created + datetime.timedelta(days=90)
        token.scope = "write"
        token.save(update_fields=["expires_at", "scope"])


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "只读"), ("write", "读写")],
                default="read",
                max_length=8,
                verbose_name="权限范围",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="有效期至"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="撤销时间"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="use_recorded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="last_used",
            field=models.DateTimeField(blank=True, null=True, verbose_name="最近使用"),
        ),
        migrations.RunPython(_expire_old_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(
                default=guanwei.orgs.models.default_token_expiry, verbose_name="有效期至"
            ),
        ),
    ]
