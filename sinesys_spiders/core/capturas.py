"""The capture part of the tribunal plugin contract: what a plugin does for one capture type.

A plugin offers ``plugin.captura(tipo) -> CapturaPlugin | None``. The spider (one per capture type, in
``sinesys_spiders/spiders``) owns everything generic: credentials, sessions, history, Scrapy requests, retries;
the plugin owns the tribunal's URLs and payloads. They talk in plain, picklable data so that requests can be
queued by scrapy-redis:

1. For each credential with a live session, the spider calls ``iniciar(ctx)`` and sends every :class:`Pedido`.
2. For each answer it calls ``processar(ctx, pedido, payload, estado)``, which yields more :class:`Pedido`, items
   (including raw-log pages) for the pipelines, and may write numbers into ``estado`` (a dict the spider keeps per
   credential for the whole crawl).
3. When no request of the credential is left, the spider calls ``verificar(ctx, estado)``: the plugin raises a
   :class:`~sinesys_spiders.core.errors.SinesysError` (e.g. ``TotalizadorDivergente``) if the capture is not
   complete; the spider records it as that credential's error. Nothing already captured is discarded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.paginacao import JANELA_PADRAO

__all__ = ["CapturaPlugin", "CapturaReprocessavel", "ContextoCaptura", "Pedido"]


@dataclasses.dataclass(frozen=True, slots=True)
class ContextoCaptura:
    """Who captures what, where: stamped on every request of a credential (as a plain dict in ``meta``)."""

    tipo_captura: TipoCaptura
    credencial_id: int
    advogado_id: int
    tribunal: Tribunal
    grau: Grau
    #: The effective REST base (``https://pje.trt3.jus.br/pje-comum-api/api``, or an override).
    api_url: str
    #: The lawyer's id in this tribunal, read from the session (the JWT's ``id`` claim for PJE).
    id_advogado_externo: int
    captura_id: int | None = None
    #: Type-specific spider arguments as plain values (``filtros_prazo``, ``data_inicio``, ``situacao``...).
    parametros: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    #: Pages of one listing in flight at once (``SINESYS_PAGINAS_EM_VOO``): see :mod:`sinesys_spiders.core.paginacao`.
    janela_paginas: int = JANELA_PADRAO

    def to_meta(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["tipo_captura"] = self.tipo_captura.value
        out["tribunal"] = self.tribunal.value
        out["grau"] = self.grau.value
        out["parametros"] = dict(self.parametros)
        return out

    @classmethod
    def from_meta(cls, data: Mapping[str, Any]) -> ContextoCaptura:
        values = dict(data)
        values["tipo_captura"] = TipoCaptura(values["tipo_captura"])
        values["tribunal"] = Tribunal(values["tribunal"])
        values["grau"] = Grau(values["grau"])
        return cls(**values)


@dataclasses.dataclass(frozen=True, slots=True)
class Pedido:
    """A request the plugin wants made: URL, the step that will read the answer, and that step's state.

    ``dados`` must hold plain values only (it travels in ``Request.meta`` and may be pickled).
    """

    url: str
    etapa: str
    dados: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    headers: Mapping[str, str] = dataclasses.field(default_factory=lambda: {"Accept": "application/json"})
    prioridade: int = 0


@runtime_checkable
class CapturaPlugin(Protocol):
    """One capture type of one tribunal family."""

    tipo: TipoCaptura

    def iniciar(self, ctx: ContextoCaptura) -> Iterable[Pedido]:
        """The first requests for one credential."""
        ...

    def processar(self, ctx: ContextoCaptura, pedido: Pedido, payload: Any, estado: dict[str, Any]) -> Iterable[Any]:
        """Read one answer: yield further :class:`Pedido` and items; raise ``SinesysError`` on a bad answer."""
        ...

    def verificar(self, ctx: ContextoCaptura, estado: dict[str, Any]) -> None:
        """Called once every request of the credential is answered: raise if the capture is incomplete."""
        ...


@runtime_checkable
class CapturaReprocessavel(Protocol):
    """A capture that recovery can re-read (optional: a capture implementing it is recognised by ``isinstance``).

    ``reprocessar`` gives the items of one stored raw page as ``processar`` would, and never makes a request.
    """

    def reprocessar(
        self, ctx: ContextoCaptura, requisicao: Mapping[str, Any], payload: Any, estado: dict[str, Any]
    ) -> Iterable[Any]:
        """The items of a stored page (``requisicao``: the page's recorded request; ``payload``: its body)."""
        ...
