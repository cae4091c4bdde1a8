"""Small helpers shared by the persistence modules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["aplicar"]


def aplicar(row: Any, values: Mapping[str, Any]) -> bool:
    """Set ``values`` on ``row``; return whether any attribute changed (an unchanged row is not written)."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed
