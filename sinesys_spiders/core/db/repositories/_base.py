"""Shared pieces of the repositories."""

from __future__ import annotations

import enum
from typing import Any, Final

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

__all__ = ["UNSET", "Repository", "Unset", "as_text", "insert_ignoring_conflicts"]


class Unset(enum.Enum):
    """Marks a keyword argument the caller did not pass (``None`` is a value: it clears the column)."""

    UNSET = "UNSET"


UNSET: Final = Unset.UNSET


def as_text(value: Any) -> str:
    """A tribunal, grau or status as stored: the enum value or the string itself."""
    return value.value if isinstance(value, enum.Enum) else str(value)


class Repository:
    """Data access over one ``Session``; the caller owns the transaction (commit or roll back)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _apply(self, row: Any, **changes: Any) -> bool:
        """Set the columns whose value is not ``UNSET``; return whether one changed."""
        changed = False
        for name, value in changes.items():
            if value is UNSET:
                continue
            if getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
        return changed


def insert_ignoring_conflicts(
    session: Session, model: Any, values: dict[str, Any], *, index_elements: list[str]
) -> Insert:
    """``INSERT ... ON CONFLICT (index_elements) DO NOTHING`` for the session's back end.

    ``values`` are keyed by column name. The statement returns the primary key of the row it
    inserted, so ``session.execute(stmt).first() is not None`` says whether the row went in (the
    driver's ``rowcount`` is unreliable for this statement).
    """
    dialect = session.get_bind().dialect.name
    table = getattr(model, "__table__", model)
    if dialect == "postgresql":
        statement: Insert = (
            postgresql.insert(table).values(values).on_conflict_do_nothing(index_elements=index_elements)
        )
    elif dialect == "sqlite":
        statement = sqlite.insert(table).values(values).on_conflict_do_nothing(index_elements=index_elements)
    else:
        raise NotImplementedError(f"back end sem suporte: {dialect}")
    return statement.returning(*table.primary_key.columns)
