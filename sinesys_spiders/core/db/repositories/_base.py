"""Shared pieces of the repositories."""

from __future__ import annotations

import enum
from typing import Any, Final

from sqlalchemy.orm import Session

__all__ = ["UNSET", "Repository", "Unset", "as_text"]


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
