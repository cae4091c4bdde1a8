"""Scopes (``leitura < captura < admin``) and the principal a request runs as."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable

__all__ = ["Escopo", "Principal", "parse_escopos"]


class Escopo(enum.IntEnum):
    """What a caller may do; each scope includes the ones below it."""

    LEITURA = 1  # read
    CAPTURA = 2  # also start and cancel captures, manage schedules
    ADMIN = 3  # also manage lawyers, credentials and tribunals

    @property
    def nome(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Escopo:
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise ValueError(f"escopo desconhecido: {value!r} (use leitura, captura ou admin)") from None


def parse_escopos(values: str | Iterable[str]) -> list[str]:
    """``"leitura,captura"`` or a list -> the sorted distinct scope names; ``ValueError`` on an unknown one."""
    items = values.split(",") if isinstance(values, str) else list(values)
    found = {Escopo.parse(v) for v in items if str(v).strip()}
    if not found:
        raise ValueError("informe ao menos um escopo (leitura, captura ou admin)")
    return [e.nome for e in sorted(found)]


@dataclasses.dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: ``tipo`` (chave, jwt, sessao), a name for the history, and the scopes held."""

    tipo: str
    nome: str
    escopos: frozenset[Escopo]
    sessao_id: int | None = None

    @property
    def nivel(self) -> Escopo | None:
        return max(self.escopos) if self.escopos else None

    def pode(self, escopo: Escopo) -> bool:
        """Whether a scope at or above ``escopo`` is held."""
        return any(e >= escopo for e in self.escopos)

    @property
    def solicitante(self) -> str:
        """Recorded in the capture history as who asked (``chave:nome``, ``usuario:login``, ``jwt:sub``)."""
        return f"{self.tipo}:{self.nome}"
