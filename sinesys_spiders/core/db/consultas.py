"""Query helpers shared by the repositories and the upsert."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, bindparam
from sqlalchemy.orm import QueryableAttribute

__all__ = ["em_ids"]


def em_ids(column: ColumnElement[Any] | QueryableAttribute[Any], ids: Iterable[int]) -> ColumnElement[bool]:
    """``column IN (1, 2, 3)`` with the integers written into the SQL, not bound one by one.

    SQLAlchemy binds each value of an ``IN`` list as its own ``%(p)s::BIGINT`` parameter. Once psycopg prepares
    such a statement, PostgreSQL plans it generically and evaluates the cast of every parameter for every row it
    filters: 150 ms instead of 5 ms for 500 ids over a tribunal's 12,000 cases. Integer ids are safe to inline (they
    are never personal data, and only ``int`` values are accepted); text values must keep using ``in_``.
    """
    values = sorted({int(value) for value in ids})
    param = bindparam(None, values, expanding=True, literal_execute=True, type_=column.type)
    return column.in_(param)
