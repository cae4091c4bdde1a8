"""Timelines of a batch of cases, their items as rows, and downloaded documents (:class:`TimelineRepository`).

- :meth:`~TimelineRepository.gravar_itens`: each case's movements and documents (read by the plugin:
  :class:`~sinesys_spiders.core.items_processo.ItemTimeline`) into ``timeline_itens`` on (tribunal, grau, case,
  tipo, the tribunal's id): new ones inserted, changed ones updated and versioned, unchanged ones not written;
  ``acervo.timeline_capturada_em`` stamped. Counts per case, as if written one case after the other.
- :meth:`~TimelineRepository.gravar_timelines`: whole timelines into the ``timelines`` table (the SQL timeline
  store), replacing the stored one of each case.
- :meth:`~TimelineRepository.gravar_documentos`: rows of stored PDFs in ``documentos``;
  :meth:`~TimelineRepository.contar_documentos`: how many each case has.

Every statement covers the whole batch (a few per table); the caller owns the transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, func, select, update

from sinesys_spiders.core.db.consultas import em_ids
from sinesys_spiders.core.db.models import Documento, Processo, Timeline, TimelineItem
from sinesys_spiders.core.db.repositories._base import Repository
from sinesys_spiders.core.db.repositories.lotes import LoteTabela
from sinesys_spiders.core.items_processo import ItemTimeline
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["ResultadoTimeline", "TimelineRepository"]

_ITENS: Table = TimelineItem.__table__  # type: ignore[assignment]
_TIMELINES: Table = Timeline.__table__  # type: ignore[assignment]
_DOCUMENTOS: Table = Documento.__table__  # type: ignore[assignment]

#: A case: (id_processo_externo, tribunal, grau).
Caso = tuple[int, str, str]


@dataclasses.dataclass(slots=True)
class ResultadoTimeline:
    """Counts of one case's timeline: what the tribunal has, and what was new or changed since the last capture."""

    total_documentos: int = 0
    total_movimentos: int = 0
    novos_documentos: int = 0
    novos_movimentos: int = 0
    itens_atualizados: int = 0


def _item_values(item: ItemTimeline) -> dict[str, Any]:
    return {
        "titulo": item.titulo,
        "data": item.data,
        "documento_sigiloso": item.documento_sigiloso,
        "id_signatario": item.id_signatario,
        "codigo_movimento_cnj": item.codigo_movimento_cnj,
        "dados_origem": item.dados_origem,
    }


@dataclasses.dataclass(frozen=True, slots=True)
class TimelineDoCaso:
    """What :meth:`TimelineRepository.gravar_itens` needs of one case's timeline."""

    processo_id: int
    caso: Caso
    itens: Sequence[ItemTimeline]
    total_documentos: int
    total_movimentos: int


def _por_tribunal(casos: Iterable[Caso]) -> dict[tuple[str, str], set[int]]:
    out: dict[tuple[str, str], set[int]] = {}
    for id_externo, tribunal, grau in casos:
        out.setdefault((tribunal, grau), set()).add(int(id_externo))
    return out


class TimelineRepository(Repository):
    """Store timelines, their items and documents for many cases at once."""

    def gravar_itens(
        self, timelines: Sequence[TimelineDoCaso], *, now: dt.datetime | None = None, captura_id: int | None = None
    ) -> list[ResultadoTimeline]:
        """Store each case's items as rows and stamp the cases; the counts of each case, in order."""
        lote = LoteTabela(self.session, _ITENS, ("tribunal", "grau", "id_processo_externo", "tipo", "id_externo"),
                          captura_id=captura_id)  # fmt: skip
        c = _ITENS.c
        for (tribunal, grau), ids in _por_tribunal(t.caso for t in timelines).items():
            lote.ler_em("id_processo_externo", ids, c.tribunal == tribunal, c.grau == grau)
        outs = []
        for timeline in timelines:
            out = ResultadoTimeline(total_documentos=timeline.total_documentos,
                                    total_movimentos=timeline.total_movimentos)  # fmt: skip
            id_processo, tribunal, grau = timeline.caso
            for item in timeline.itens:
                tipo = item.tipo
                outcome = lote.registrar((tribunal, grau, id_processo, tipo, item.id_externo), _item_values(item))
                if outcome == "inseridos":
                    if tipo == "documento":
                        out.novos_documentos += 1
                    else:
                        out.novos_movimentos += 1
                elif outcome == "atualizados":
                    out.itens_atualizados += 1
            outs.append(out)
        lote.gravar()
        processos = [t.processo_id for t in timelines]
        if processos:
            self.session.execute(
                update(Processo).where(em_ids(Processo.id, processos)).values(timeline_capturada_em=now or utcnow())
            )
        return outs

    def contar_documentos(self, casos: Iterable[Caso]) -> dict[Caso, int]:
        """How many documents each case has stored (cases without any: 0)."""
        casos = set(casos)
        out = dict.fromkeys(casos, 0)
        c = _DOCUMENTOS.c
        for (tribunal, grau), ids in _por_tribunal(casos).items():
            query = (
                select(c.id_processo_externo, func.count())
                .where(c.tribunal == tribunal, c.grau == grau, em_ids(c.id_processo_externo, ids))
                .group_by(c.id_processo_externo)
            )
            for id_processo, total in self.session.execute(query):
                out[(int(id_processo), tribunal, grau)] = int(total)
        return out

    def gravar_timelines(self, registros: Sequence[Mapping[str, Any]]) -> None:
        """Whole timelines into ``timelines`` (keys ``id_processo_externo``, ``tribunal``, ``grau``), replacing each."""
        lote = LoteTabela(self.session, _TIMELINES, ("id_processo_externo", "tribunal", "grau"))
        c = _TIMELINES.c
        for (tribunal, grau), ids in _por_tribunal(
            (r["id_processo_externo"], r["tribunal"], r["grau"]) for r in registros
        ).items():
            lote.ler_em("id_processo_externo", ids, c.tribunal == tribunal, c.grau == grau)
        for registro in registros:
            valores = {k: v for k, v in registro.items() if k not in lote.chave}
            lote.registrar(lote.key(registro), valores)
        lote.gravar(versionar=False)  # a snapshot store: the newest capture replaces the last one

    def gravar_documentos(self, documentos: Sequence[Mapping[str, Any]], *, captura_id: int | None = None) -> list[str]:
        """Rows of stored PDFs (the ``documentos`` columns); for each, ``inseridos``, ``atualizados``..."""
        chave = ("tribunal", "grau", "id_processo_externo", "id_documento_externo")
        lote = LoteTabela(self.session, _DOCUMENTOS, chave, captura_id=captura_id)
        c = _DOCUMENTOS.c
        for (tribunal, grau), ids in _por_tribunal(
            (d["id_processo_externo"], d["tribunal"], d["grau"]) for d in documentos
        ).items():
            lote.ler_em("id_processo_externo", ids, c.tribunal == tribunal, c.grau == grau)
        out = [lote.registrar(lote.key(d), {k: v for k, v in d.items() if k not in lote.chave}) for d in documentos]
        lote.gravar()
        return out
