"""One page of a filtered query, and the list envelope's counters (``total, pagina, limite, totalPaginas``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.schemas.base import Paginacao, total_paginas

__all__ = ["contadores", "paginar"]


def paginar(
    session: Session, model: Any, conds: Sequence[Any], order_by: Sequence[Any], q: Paginacao
) -> tuple[Sequence[Any], int]:
    """The rows of page ``q.pagina`` and the total matching ``conds``."""
    total = session.scalar(select(func.count()).select_from(model).where(*conds)) or 0
    rows = session.scalars(select(model).where(*conds).order_by(*order_by).offset(q.offset).limit(q.limite)).all()
    return rows, int(total)


def contadores(q: Paginacao, total: int) -> dict[str, int]:
    return {"total": total, "pagina": q.pagina, "limite": q.limite, "totalPaginas": total_paginas(total, q.limite)}
