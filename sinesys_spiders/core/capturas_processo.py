"""The per-case part of the capture contract (``partes``, ``timeline``): requests made for one case at a time.

A plugin's ``captura(tipo)`` may return a :class:`CapturaProcessoPlugin` for a per-case type. The spider
(``sinesys_spiders/spiders/_por_processo.py``) selects the cases from the database, takes the case's lock
(``captura:processo:{acervo.id}``) and then, for each case:

1. calls ``iniciar_processo(ctx, alvo, estado)`` and sends every :class:`~sinesys_spiders.core.capturas.Pedido`
   (``alvo`` travels in ``Pedido.dados["processo"]`` as plain values: :meth:`ProcessoAlvo.to_dados`);
2. hands each answer to ``processar(ctx, pedido, payload, estado)`` as for the list captures, with two
   differences: a 404 arrives as ``payload=None`` (the plugin says what it means), and the answers of the
   steps in ``etapas_binarias`` arrive as a :class:`RespostaBinaria` instead of parsed JSON;
3. a ``SinesysError`` raised for one case is that case's error (an
   :class:`~sinesys_spiders.core.items_processo.OcorrenciaProcesso`), not the credential's.

``estado`` (one dict per credential for the whole crawl, never sent anywhere) holds ``cpf_advogado`` (the
logged lawyer's CPF, for the party classification) and ``iniciada_em`` (when the credential started).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

from sinesys_spiders.core.capturas import ContextoCaptura, Pedido
from sinesys_spiders.core.domain import TipoCaptura

__all__ = ["CapturaProcessoPlugin", "ProcessoAlvo", "RespostaBinaria", "alvo_de"]


@dataclasses.dataclass(frozen=True, slots=True)
class ProcessoAlvo:
    """A case to capture: its ``acervo`` row, its id at the tribunal and number, and what is already stored of it."""

    processo_id: int
    id_externo: int
    numero_processo: str
    #: Ids of the documents already downloaded (an unchanged document is not downloaded twice).
    documentos_baixados: tuple[int, ...] = ()

    def to_dados(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["documentos_baixados"] = list(self.documentos_baixados)
        return out

    @classmethod
    def from_dados(cls, data: Mapping[str, Any]) -> ProcessoAlvo:
        return cls(
            processo_id=int(data["processo_id"]),
            id_externo=int(data["id_externo"]),
            numero_processo=str(data["numero_processo"]),
            documentos_baixados=tuple(int(i) for i in data.get("documentos_baixados") or ()),
        )


def alvo_de(pedido: Pedido) -> ProcessoAlvo:
    """The case a request belongs to."""
    return ProcessoAlvo.from_dados(pedido.dados["processo"])


@dataclasses.dataclass(frozen=True, slots=True)
class RespostaBinaria:
    """A binary answer (a PDF): the bytes as received and what the server said they are."""

    url: str
    status: int
    content_type: str
    body: bytes = dataclasses.field(repr=False)


@runtime_checkable
class CapturaProcessoPlugin(Protocol):
    """One per-case capture type of one tribunal family."""

    tipo: TipoCaptura
    #: Steps whose answers are bytes (:class:`RespostaBinaria`), not JSON.
    etapas_binarias: frozenset[str]

    def iniciar(self, ctx: ContextoCaptura) -> Iterable[Pedido]:
        """Nothing for a per-case capture: requests start per case (:meth:`iniciar_processo`)."""
        ...

    def iniciar_processo(self, ctx: ContextoCaptura, alvo: ProcessoAlvo, estado: dict[str, Any]) -> Iterable[Pedido]:
        """The first requests of one case."""
        ...

    def processar(self, ctx: ContextoCaptura, pedido: Pedido, payload: Any, estado: dict[str, Any]) -> Iterable[Any]:
        """Read one answer of a case: yield further :class:`Pedido` of the same case and items."""
        ...

    def verificar(self, ctx: ContextoCaptura, estado: dict[str, Any]) -> None:
        """Nothing to check across cases (each case is complete on its own)."""
        ...
