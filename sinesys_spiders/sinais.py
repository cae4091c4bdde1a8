"""What a crawl's components report to the capture extension (the one writer of the ``capturas_log`` row).

Spiders, middlewares and pipelines never write the row: they send these signals (``crawler.signals.send_catch_log``)
or count into the crawl's :func:`contadores`, and :class:`~sinesys_spiders.extensions.capturas.CapturaExtension`
records them:

- :data:`credencial_falhou` (``credencial_id``, ``tribunal``, ``grau``, ``error``): a credential failed (login
  refused, blocked, incomplete capture...); the others go on;
- :data:`resultado_credencial` (``captura_id``, ``credencial_id``, ``tribunal``, ``grau``, ``contagem``,
  ``erros_itens``, ``extra``): a credential's result computed by a component (the per-case pipeline);
- :data:`captura_falhou` (``error``): the whole run failed (no case to capture...); recorded when the crawl closes;
- :data:`processos_selecionados` (``credencial_id``, ``tipo_captura``, ``tribunal``, ``grau``, ``captura_id``,
  ``iniciada_em``, ``alvos``): the cases a per-case spider chose for a credential, sent before any of them is asked
  for; the per-case pipeline reports, at the close, every one of them that ended neither stored, nor skipped, nor
  with an error of its own as an error (never silently missing);
- :data:`ultimo_worker` (``captura_id``): sent by the capture extension of a capture's last worker (``-a workers=N``)
  before it finishes the capture; a component that keeps results in the capture's shared state (the per-case
  pipeline) reports them now, once for the whole capture, with :data:`resultado_credencial`.

:func:`contadores` is the per-credential count the list pipelines fill (inserted, updated, unchanged, errors...).
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from sinesys_spiders.core.historico_contadores import ContadoresCaptura, ContadoresRedis
from sinesys_spiders.core.redis_conexao import abrir_redis

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from sinesys_spiders.core.errors import SinesysError

__all__ = [
    "RegistraFalhas",
    "captura_falhou",
    "contadores",
    "credencial_falhou",
    "processos_selecionados",
    "resultado_credencial",
    "ultimo_worker",
]


@runtime_checkable
class RegistraFalhas(Protocol):
    """A spider that records a credential's failure itself (every capture spider): the session middleware calls it
    so the spider stops that credential and sends :data:`credencial_falhou` once."""

    def credencial_falhou(self, credencial_id: int, error: SinesysError) -> None: ...


credencial_falhou = object()
resultado_credencial = object()
captura_falhou = object()
processos_selecionados = object()
ultimo_worker = object()

_contadores: weakref.WeakKeyDictionary[Crawler, ContadoresCaptura] = weakref.WeakKeyDictionary()


def contadores(crawler: Crawler) -> ContadoresCaptura:
    """The counters of ``crawler``'s capture (created on first use; in Redis for a capture run by N workers)."""
    found = _contadores.get(crawler)
    if found is None:
        captura_workers = crawler.settings.getint("CAPTURA_WORKERS_ID") if crawler.settings else 0
        conexao = abrir_redis() if captura_workers else None
        found = ContadoresRedis(conexao, captura_workers) if conexao is not None else ContadoresCaptura()
        _contadores[crawler] = found
    return found
