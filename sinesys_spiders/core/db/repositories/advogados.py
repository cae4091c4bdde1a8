"""Data access for ``advogados``."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from sinesys_spiders.core.db.models import Advogado
from sinesys_spiders.core.db.repositories._base import UNSET, Repository, Unset

__all__ = ["AdvogadosRepository"]


class AdvogadosRepository(Repository):
    """Add, read and list lawyers."""

    def add(self, *, nome_completo: str, cpf: str, oabs: list[dict[str, Any]] | None = None) -> Advogado:
        """Insert a lawyer (``cpf``: 11 digits) and flush, so its ``id`` is known."""
        row = Advogado(nome_completo=nome_completo, cpf=cpf, oabs=list(oabs or []))
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, *, advogado_id: int) -> Advogado | None:
        return self.session.get(Advogado, advogado_id)

    def by_cpf(self, *, cpf: str) -> Advogado | None:
        return self.session.scalars(select(Advogado).where(Advogado.cpf == cpf)).one_or_none()

    def list(self, *, limit: int | None = None, offset: int = 0) -> Sequence[Advogado]:
        """Lawyers ordered by id."""
        query = select(Advogado).order_by(Advogado.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return self.session.scalars(query).all()

    def update(
        self,
        *,
        advogado_id: int,
        nome_completo: str | Unset = UNSET,
        oabs: builtins.list[dict[str, Any]] | Unset = UNSET,  # `list` is the method here
    ) -> Advogado | None:
        """Change the given fields; ``None`` when the lawyer does not exist."""
        row = self.get(advogado_id=advogado_id)
        if row is None:
            return None
        if self._apply(row, nome_completo=nome_completo, oabs=oabs if oabs is UNSET else list(oabs)):
            self.session.flush()
        return row

    def delete(self, *, advogado_id: int) -> bool:
        """Delete a lawyer (and, by cascade, their credentials); ``False`` if absent."""
        row = self.get(advogado_id=advogado_id)
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True
