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
from django.utils import timezone

COPY_FROM = 50


def copy_value(field: models.Field[Any, Any], obj: models.Model) -> Any:
    """What COPY writes for ``field`` of ``obj``: the attribute as it is for plain
    values (COPY adapts str, int, bool, float, datetime and None itself); JSON as jsonb;
    an enum member as its value; a field that computes its value on save through the
    field (``auto_now_add``: the attribute is set on the object, as a save would)."""
    return copy_rows([field], [obj])[0][0]


def copy_rows(
    fields: Sequence[models.Field[Any, Any]], objs: Sequence[models.Model]
) -> list[list[Any]]:
    """Each object's row for COPY (``copy_value`` of each field), the kind of each field
    decided once for the batch: this runs for every value of a fetched batch."""
    from psycopg.types.json import Jsonb

    names = [f.attname for f in fields]
    json = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    # a nullable JSON field's None is SQL NULL, as bulk_create writes it (not jsonb 'null')
    json_null = {i for i in json if fields[i].null}
    stamps = [i for i, f in enumerate(fields) if isinstance(f, models.DateTimeField)]
    zone = timezone.get_current_timezone()
    computed = [
        (i, f)
        for i, f in enumerate(fields)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    Enum = enum.Enum
    rows = []
    for obj in objs:
        values = obj.__dict__
        row = [
            v.value if isinstance(v, Enum) else v
            for v in (values[n] if n in values else getattr(obj, n) for n in names)
        ]
        for i in json:
            if not (row[i] is None and i in json_null):
                row[i] = Jsonb(row[i])
        for i in stamps:  # a naive time is local time, as bulk_create reads it
            if row[i] is not None and timezone.is_naive(row[i]):
                row[i] = timezone.make_aware(row[i], zone)
        for i, f in computed:
            row[i] = f.get_db_prep_save(f.pre_save(obj, True), connection)
        rows.append(row)
    return rows


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
