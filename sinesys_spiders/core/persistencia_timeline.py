"""Persistence of the ``timeline`` capture: items as rows and downloaded documents, a batch of cases at a time.

- :func:`gravar_timelines`: what a capture stores of its timelines (the per-case pipeline and recovery both call
  it): :func:`persistir_timeline`, timelines' items into ``timeline_itens`` (new ones inserted, changed ones updated
  and versioned, unchanged ones not written), stamping ``acervo.timeline_capturada_em``; and
  :func:`salvar_timelines`, the whole timelines into the timeline store (:mod:`sinesys_spiders.core.timelines`), in
  the same transaction for the SQL store.
- :func:`persistir_documento`: stored PDFs' rows in ``documentos`` (path, sha256, size, URL, time, credential);
  :func:`contar_documentos` how many a case has.

The SQL is :class:`~sinesys_spiders.core.db.repositories.timeline.TimelineRepository`'s. Every function works inside
the caller's session (the caller commits) and returns counts; nothing here logs personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from sinesys_spiders.core.db.repositories.timeline import Caso, ResultadoTimeline, TimelineDoCaso, TimelineRepository
from sinesys_spiders.core.documentos import DocumentoGuardado
from sinesys_spiders.core.items_processo import DocumentoBaixado, TimelineProcesso
from sinesys_spiders.core.timelines import RegistroTimeline, SqlTimelineStore, TimelineStore

__all__ = [
    "ResultadoTimeline",
    "caso_de",
    "contar_documentos",
    "gravar_timelines",
    "persistir_documento",
    "persistir_timeline",
    "salvar_timelines",
]


def caso_de(item: TimelineProcesso | DocumentoBaixado) -> Caso:
    """The case of an item: ``(id_processo_externo, tribunal, grau)``."""
    return (item.id_processo_externo, item.tribunal.value, item.grau.value)


def gravar_timelines(
    session: Session, itens: Sequence[TimelineProcesso], store: TimelineStore, *, now: dt.datetime | None = None
) -> list[ResultadoTimeline]:
    """A capture's timelines stored: items as rows, cases stamped, whole timelines in the store; counts per case.

    With a SQL store everything is one transaction (the caller's); with another store the save happens inside it,
    so a store that fails leaves the cases unstamped (they are captured again).
    """
    out = persistir_timeline(session, itens, now=now)
    salvar_timelines(session, itens, store)
    return out


def salvar_timelines(session: Session, itens: Sequence[TimelineProcesso], store: TimelineStore) -> None:
    """The whole timelines into the timeline store, each with how many of its documents are stored."""
    baixados = contar_documentos(session, [caso_de(item) for item in itens])
    registros = [
        RegistroTimeline(
            id_processo_externo=item.id_processo_externo,
            tribunal=item.tribunal.value,
            grau=item.grau.value,
            capturado_em=item.capturado_em,
            timeline=item.bruta,
            total_documentos=item.total_documentos,
            total_movimentos=item.total_movimentos,
            total_documentos_baixados=baixados[caso_de(item)],
            advogado_id=item.advogado_id,
            processo_id=item.processo_id,
        )
        for item in itens
    ]
    if isinstance(store, SqlTimelineStore):
        store.save_many_in(session, registros)
    else:
        for registro in registros:
            store.save(registro)


def persistir_timeline(
    session: Session, itens: TimelineProcesso | Sequence[TimelineProcesso], *, now: dt.datetime | None = None
) -> list[ResultadoTimeline]:
    """Store cases' movements and documents as rows (new inserted, changed updated); stamp the cases."""
    lista = [itens] if isinstance(itens, TimelineProcesso) else list(itens)
    timelines = [
        TimelineDoCaso(
            item.processo_id,
            (item.id_processo_externo, item.tribunal.value, item.grau.value),
            item.itens,
            item.total_documentos,
            item.total_movimentos,
        )
        for item in lista
    ]
    captura_id = next((i.captura_id for i in lista if i.captura_id is not None), None)
    out = TimelineRepository(session).gravar_itens(timelines, now=now, captura_id=captura_id)
    session.flush()
    return out


def contar_documentos(session: Session, casos: Iterable[Caso]) -> dict[Caso, int]:
    """How many documents of each case (``(id_processo_externo, tribunal, grau)``) are stored."""
    return TimelineRepository(session).contar_documentos(casos)


def persistir_documento(
    session: Session, documentos: Sequence[tuple[DocumentoBaixado, DocumentoGuardado]]
) -> list[bool]:
    """The rows of stored PDFs; for each, ``True`` when new, ``False`` when it replaced an earlier download."""
    rows: list[dict[str, Any]] = [
        {
            "tribunal": item.tribunal.value,
            "grau": item.grau.value,
            "id_processo_externo": item.id_processo_externo,
            "id_documento_externo": item.id_documento_externo,
            "sha256": guardado.sha256,
            "tamanho": guardado.tamanho,
            "caminho": guardado.caminho,
            "url": item.url,
            "content_type": item.content_type,
            "md5_externo": item.md5_externo,
            "credencial_id": item.credencial_id,
            "baixado_em": item.baixado_em,
        }
        for item, guardado in documentos
    ]
    captura_id = next((i.captura_id for i, _ in documentos if i.captura_id is not None), None)
    outcomes = TimelineRepository(session).gravar_documentos(rows, captura_id=captura_id)
    session.flush()
    return [outcome == "inseridos" for outcome in outcomes]
