"""Write different values to many rows in one statement (the dispatcher's answers).

Django's ``bulk_update`` builds a ``CASE WHEN pk = … THEN …`` expression per row and field
and resolves each one in Python; for a batch of answers (remote id, link, error per
intent) that was a third of a dispatcher's busy time (docs/benchmarks.md). Here the values
travel as one derived table joined on the primary key:

    UPDATE t SET a = v.c1, b = v.c2
    FROM (SELECT %s AS c0, %s AS c1, %s AS c2 UNION ALL SELECT %s, %s, %s …) AS v
    WHERE t.id = v.c0

which PostgreSQL and SQLite (≥ 3.33) both run. Values are prepared by each field
(``get_db_prep_save``), so they are stored exactly as ``save()`` would store them; on
PostgreSQL each is cast to its column's base type (a bare ``NULL`` there has none) without
the length (``varchar``, not ``varchar(128)``: an explicit cast to ``varchar(n)`` cuts a
longer value silently, the assignment to the column refuses it as ``save()`` does).

At most :data:`CHUNK` rows per statement: SQLite refuses a compound SELECT of more than 500
terms, PostgreSQL a statement of more than 65,535 parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection
from django.db.models import Field, Model

CHUNK = 400  # rows per statement (below SQLite's 500 compound SELECT terms)
MAX_PARAMS = 60_000  # below PostgreSQL's 65,535 parameters per statement
_LENGTH = re.compile(r"\([^)]*\)")


def update_rows(model: type[Model], rows: Mapping[Any, Mapping[str, Any]]) -> int:
    """Set, for each primary key in ``rows``, the fields named in its mapping. Rows with
    the same field names share one statement. Returns the number of rows written."""
    groups: dict[tuple[str, ...], list[tuple[Any, Mapping[str, Any]]]] = {}
    for pk, values in rows.items():
        if values:
            groups.setdefault(tuple(sorted(values)), []).append((pk, values))
    written = 0
    for names, members in groups.items():
        size = max(1, min(CHUNK, MAX_PARAMS // (len(names) + 1)))
        for start in range(0, len(members), size):
            written += _update_group(model, names, members[start : start + size])
    return written


def _update_group(
    model: type[Model], names: Iterable[str], members: list[tuple[Any, Mapping[str, Any]]]
) -> int:
    meta = model._meta
    quote = connection.ops.quote_name
    pk_field = meta.pk
    assert pk_field is not None
    fields: list[Field[Any, Any]] = []
    for name in names:
        field = meta.get_field(name)
        assert isinstance(field, Field), name  # a concrete column, not a reverse relation
        fields.append(field)
    columns = [pk_field, *fields]
    postgres = connection.vendor == "postgresql"

    def cell(field: Any, n: int, named: bool) -> str:
        base = _LENGTH.sub("", str(field.cast_db_type(connection))).strip()
        value = f"CAST(%s AS {base})" if postgres else "%s"
        return f"{value} AS {quote(f'c{n}')}" if named else value

    selects = [
        "SELECT " + ", ".join(cell(f, n, named=not i) for n, f in enumerate(columns))
        for i in range(len(members))
    ]
    params: list[Any] = []
    for pk, values in members:
        params.append(pk_field.get_db_prep_save(pk, connection))
        for field in fields:
            params.append(field.get_db_prep_save(values[field.name], connection))
    table = quote(meta.db_table)
    sets = ", ".join(
        f"{quote(str(f.column))} = v.{quote(f'c{n}')}" for n, f in enumerate(fields, start=1)
    )
    pk_column = quote(str(pk_field.column))
    # UPDATE first (not WITH …): SQLite's driver counts the rows only for a statement that
    # starts with UPDATE.
    sql = (
        f"UPDATE {table} SET {sets} FROM ({' UNION ALL '.join(selects)}) AS v "
        f"WHERE {table}.{pk_column} = v.{quote('c0')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
