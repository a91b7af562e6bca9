"""Post revisions are immutable: the database refuses UPDATE (DESIGN invariant 1)."""

from django.db import migrations

UP = {
    "sqlite": [
        """CREATE TRIGGER post_revision_no_update BEFORE UPDATE ON content_postrevision
           BEGIN SELECT RAISE(ABORT, 'post revisions are immutable'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION post_revision_refuse_update() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'post revisions are immutable'; END;
           $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER post_revision_no_update BEFORE UPDATE ON content_postrevision
           FOR EACH ROW EXECUTE FUNCTION post_revision_refuse_update()""",
    ],
}
DOWN = {
    "sqlite": ["DROP TRIGGER IF EXISTS post_revision_no_update"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS post_revision_no_update ON content_postrevision",
        "DROP FUNCTION IF EXISTS post_revision_refuse_update()",
    ],
}


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("content", "0001_initial")]

    operations = [migrations.RunPython(_run(UP), _run(DOWN))]
