"""Counts per credential during a crawl: filled by the pipelines, flushed into the history at the end.

The pipelines of one crawl share one :class:`ContadoresCaptura` (``pipelines._contexto.contadores``); the history
pipeline writes it into the ``capturas_log`` row with :meth:`ContadoresCaptura.flush`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sinesys_spiders.core.historico import CONTAGENS, MAX_ERROS_ITENS, HistoricoService

__all__ = ["ContadoresCaptura"]


def _text(value: Any) -> str:
    return str(getattr(value, "value", value))


@dataclasses.dataclass(slots=True)
class _Credencial:
    tribunal: str
    grau: str
    contagem: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(CONTAGENS, 0))
    erros_itens: list[dict[str, Any]] = dataclasses.field(default_factory=list)


class ContadoresCaptura:
    """Counts per credential during a crawl (filled by the pipelines, flushed into the history)."""

    def __init__(self) -> None:
        self._por_credencial: dict[int, _Credencial] = {}

    def _get(self, credencial_id: int, tribunal: Any, grau: Any) -> _Credencial:
        entry = self._por_credencial.get(credencial_id)
        if entry is None:
            entry = self._por_credencial[credencial_id] = _Credencial(_text(tribunal), _text(grau))
        return entry

    def add(self, credencial_id: int, tribunal: Any, grau: Any, **counts: int) -> None:
        """Add counts (``inseridos=3, inalterados=1``...) to a credential."""
        entry = self._get(credencial_id, tribunal, grau)
        for key, value in counts.items():
            if key not in CONTAGENS:
                raise KeyError(f"contagem desconhecida: {key}")
            entry.contagem[key] += value

    def add_item_error(self, credencial_id: int, tribunal: Any, grau: Any, *, id_externo: Any, motivo: str) -> None:
        """One item could not be stored: count it and keep its reason (up to :data:`MAX_ERROS_ITENS`)."""
        entry = self._get(credencial_id, tribunal, grau)
        entry.contagem["erros"] += 1
        if len(entry.erros_itens) < MAX_ERROS_ITENS:
            entry.erros_itens.append({"id_externo": id_externo, "motivo": motivo})

    def credenciais(self) -> list[int]:
        return sorted(self._por_credencial)

    def contagem(self, credencial_id: int) -> dict[str, int]:
        entry = self._por_credencial.get(credencial_id)
        return dict(entry.contagem) if entry else dict.fromkeys(CONTAGENS, 0)

    def flush(self, service: HistoricoService, captura_id: int) -> None:
        """Record every credential's counts into the history row, then forget them."""
        for credencial_id in self.credenciais():
            entry = self._por_credencial[credencial_id]
            service.record_result(
                captura_id,
                credencial_id=credencial_id,
                tribunal=entry.tribunal,
                grau=entry.grau,
                contagem=entry.contagem,
                erros_itens=entry.erros_itens,
            )
        self._por_credencial.clear()
