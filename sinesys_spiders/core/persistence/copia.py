"""New rows in bulk through PostgreSQL's ``COPY``: the upsert's inserts, ten times cheaper than one INSERT per row.

SQLAlchemy sends an ``executemany`` INSERT as one statement per row (pipelined by psycopg); for the first capture of
a lawyer with 12,000 cases that is most of the crawl's time. :func:`copy_rows` streams the same rows with ``COPY ...
FROM STDIN`` inside the caller's transaction, converting every value with the column type's own bind processor
(aware datetimes to UTC, JSON columns to ``jsonb``), so what is stored is what the INSERT would have stored.

It answers ``False`` (and writes nothing) where it does not apply: another database or driver, rows with different
columns, or a column whose Python-side default the rows leave out. The caller then INSERTs as usual. A ``COPY`` that
fails (a key another worker inserted meanwhile) raises; the caller rolls its savepoint back and inserts row by row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import sqltypes
from sqlalchemy.types import TypeEngine

__all__ = ["CopiaRecusada", "copy_rows"]


class CopiaRecusada(Exception):
    """The database refused the ``COPY`` (e.g. a key inserted meanwhile); the transaction needs its savepoint back."""


def _processor(type_: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """What the INSERT would send for a value of this column type, as COPY text input.

    The column type's bind processor, called on non-null values. JSON columns are the exception: with psycopg,
    SQLAlchemy leaves JSON to the driver's adapters, which COPY does not use (a list would become a PostgreSQL
    array); they are serialized here, ``None`` as JSON ``null`` as SQLAlchemy stores it by default.
    """
    impl = type_.dialect_impl(dialect)
    if isinstance(impl, sqltypes.JSON):
        serialize = getattr(dialect, "_json_serializer", None) or json.dumps
        if impl.none_as_null:
            return lambda value: None if value is None else serialize(value)
        return serialize
    process = type_.bind_processor(dialect)
    if process is None:
        return None
    return lambda value: None if value is None else process(value)


def copy_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> bool:
    """``COPY`` ``rows`` into ``table`` in the session's transaction; ``False`` if COPY does not apply here."""
    if not rows:
        return True
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return False
    names = list(rows[0])
    if any(len(row) != len(names) for row in rows) or any(name not in table.c for name in names):
        return False
    missing = [c for c in table.columns if c.name not in names and c.default is not None]
    if any(not c.default.is_scalar for c in missing):  # type: ignore[union-attr]
        return False
    constants = {c.name: c.default.arg for c in missing}  # type: ignore[union-attr]
    columns = [*names, *constants]
    processors = [_processor(table.c[name].type, dialect) for name in columns]
    preparer = dialect.identifier_preparer
    sql = f"COPY {preparer.format_table(table)} ({', '.join(preparer.quote(name) for name in columns)}) FROM STDIN"
    fixed = list(constants.values())
    driver = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
            for row in rows:
                values = [row[name] for name in names] + fixed
                copy.write_row([v if p is None else p(v) for p, v in zip(processors, values, strict=True)])
    except Exception as exc:  # the driver's own error (not wrapped by SQLAlchemy): the message may quote values
        raise CopiaRecusada(f"COPY em {table.name} recusado ({type(exc).__name__})") from None
    return True
