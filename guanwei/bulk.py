"""Many new rows at once, for the paths that store hundreds per transaction (a fetched
batch of comments, its audit records, its questions' reply deadlines and notices).

On PostgreSQL a batch of :data:`COPY_FROM` rows or more goes in by ``COPY … FROM STDIN``
with its ids taken from the table's sequence first: Django's ``bulk_create`` spends most
of its time building the statement's bound parameters (for 500 audit records, several
times the cost of writing them). Smaller batches, and every other database, use
``bulk_create``. Either way the objects come back with their ids set, in the order
given. The caller's transaction holds; a unique or foreign-key violation raises
Django's ``IntegrityError`` as ``bulk_create`` would."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from django.db import connection, models

COPY_FROM = 50


def copy_value(field: models.Field[Any, Any], obj: models.Model) -> Any:
    """What COPY writes for ``field`` of ``obj``: the attribute as it is for plain
    values (COPY adapts str, int, bool, float, datetime and None itself); JSON as jsonb;
    an enum member as its value; a field that computes its value on save through the
    field (``auto_now_add``: the attribute is set on the object, as a save would)."""
    from psycopg.types.json import Jsonb

    if isinstance(field, models.JSONField):
        return Jsonb(getattr(obj, field.attname))
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return field.get_db_prep_save(field.pre_save(obj, True), connection)
    value = getattr(obj, field.attname)
    return value.value if isinstance(value, enum.Enum) else value


def copy_rows(
    fields: Sequence[models.Field[Any, Any]], objs: Sequence[models.Model]
) -> list[list[Any]]:
    return [[copy_value(f, o) for f in fields] for o in objs]


def insert_many[M: models.Model](model: type[M], objs: Sequence[M]) -> list[M]:
    """Insert ``objs`` (new, unsaved) in the caller's transaction; returns them with ids."""
    objs = list(objs)
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM:
        return model._default_manager.bulk_create(objs)
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    table = str(meta.db_table)
    with connection.cursor() as cursor:  # Django's: the connection opened, errors wrapped
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk_value in zip(objs, ids, strict=True):
        obj.pk = pk_value
    fields = list(meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    rows = copy_rows(fields, objs)
    import psycopg

    raw = connection.connection
    assert raw is not None
    with connection.wrap_database_errors:
        cur = psycopg.Cursor(raw)
        try:
            with cur.copy(
                f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cur.close()
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
