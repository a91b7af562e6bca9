"""Issue #9 §4: a calendar entry belongs to one organisation.

Entries made before were global (every organisation's calendar). Each goes to the
organisation whose administrator last set it (the audit log names it); an entry with no
such record — made outside the app — is kept for every organisation, so no calendar
changes by this migration."""

import django.db.models.deletion
from django.db import migrations, models


def assign_owners(apps, schema_editor):
    CalendarDay = apps.get_model("publishing", "CalendarDay")
    Organisation = apps.get_model("orgs", "Organisation")
    AuditRecord = apps.get_model("audit", "AuditRecord")
    org_ids = list(Organisation.objects.values_list("pk", flat=True))
    for entry in list(CalendarDay.objects.filter(organisation__isnull=True)):
        owner = (
            AuditRecord.objects.filter(object_type="calendar_day", object_id=str(entry.day))
            .exclude(organisation_id__isnull=True)
            .order_by("-seq")
            .values_list("organisation_id", flat=True)
            .first()
        )
        if owner in org_ids:
            entry.organisation_id = owner
            entry.save(update_fields=["organisation"])
            continue
        for org_id in org_ids:
            CalendarDay.objects.create(
                organisation_id=org_id, day=entry.day, workday=entry.workday, note=entry.note
            )
        entry.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_action_without_choices"),
        ("orgs", "0001_initial"),
        ("publishing", "0002_publish_once_active_remote_id"),
    ]

    operations = [
        migrations.AlterField(
            model_name="calendarday",
            name="day",
            field=models.DateField(),
        ),
        migrations.AddField(
            model_name="calendarday",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="calendar_days",
                to="orgs.organisation",
            ),
        ),
        migrations.RunPython(assign_owners, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="calendarday",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="calendar_days",
                to="orgs.organisation",
            ),
        ),
        migrations.AddConstraint(
            model_name="calendarday",
            constraint=models.UniqueConstraint(
                fields=("organisation", "day"), name="calendar_day_per_org"
            ),
        ),
    ]
