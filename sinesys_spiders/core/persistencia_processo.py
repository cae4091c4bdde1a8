"""Persistence of the per-case captures: the cases to work on, and parties, a batch of cases per transaction.

- :func:`selecionar_processos`: the ``acervo`` rows a per-case capture works on (given ids, or every
  case of a lawyer at a tribunal and grau not captured within ``horas`` hours), with the documents
  already downloaded for each.
- :func:`persistir_partes`: :class:`~sinesys_spiders.core.items_processo.PartesProcesso` items, a batch at a time
  (:class:`~sinesys_spiders.core.db.repositories.partes.PartesRepository`), into
  ``partes`` (deduplicated by CPF, else CNPJ, else the tribunal's person id and tribunal), ``representantes`` (by
  CPF; OABs merged), ``enderecos`` (by tribunal id and entity), ``processo_partes`` and
  ``processo_parte_representantes``. The case's links are made to equal the answer: links no longer
  present are removed. Stamps ``acervo.partes_capturadas_em``.

Timelines and documents are persisted by :mod:`sinesys_spiders.core.persistencia_timeline`.

Every function works inside the caller's session (the caller commits) and returns counts; nothing
here logs personal data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sinesys_spiders.core.capturas_processo import ProcessoAlvo
from sinesys_spiders.core.db.consultas import em_ids
from sinesys_spiders.core.db.models import Documento, Processo
from sinesys_spiders.core.db.repositories.partes import PartesRepository, ResultadoPartes
from sinesys_spiders.core.items_processo import PartesProcesso
from sinesys_spiders.core.timeutil import utcnow

T = TypeVar("T")

__all__ = ["ResultadoPartes", "persistir_partes", "selecionar_processos"]

# -- selection ---------------------------------------------------------------------------------------


def selecionar_processos(
    session: Session,
    *,
    advogado_id: int,
    tribunal: str,
    grau: str,
    coluna: str,
    processos: Sequence[int] | None = None,
    horas: float = 24.0,
    now: dt.datetime | None = None,
    ids_externos: Sequence[int] | None = None,
) -> list[ProcessoAlvo]:
    """The cases to capture for one credential, oldest capture first.

    ``processos`` (``acervo`` ids) are taken whatever their last capture; without them, every case of
    the lawyer at ``tribunal`` and ``grau`` whose ``coluna`` (``partes_capturadas_em`` or
    ``timeline_capturada_em``) is empty or older than ``horas`` hours; ``ids_externos`` narrows those to the cases
    with these tribunal ids (the combined capture: the cases its hearings and notices named).
    """
    stamp = getattr(Processo, coluna)
    query = select(Processo.id, Processo.id_externo, Processo.numero_processo).where(
        Processo.tribunal == tribunal, Processo.grau == grau
    )
    if processos is not None:
        query = query.where(Processo.id.in_(list(processos)))
    else:
        limite = (now or utcnow()) - dt.timedelta(hours=horas)
        query = query.where(Processo.advogado_id == advogado_id, or_(stamp.is_(None), stamp < limite))
        if ids_externos is not None:
            query = query.where(em_ids(Processo.id_externo, list(ids_externos)))
    query = query.order_by(stamp.is_not(None), stamp, Processo.id)
    rows = session.execute(query).all()
    baixados = _documentos_por_processo(session, tribunal, grau, [r.id_externo for r in rows])
    return [
        ProcessoAlvo(
            processo_id=r.id,
            id_externo=int(r.id_externo),
            numero_processo=r.numero_processo,
            documentos_baixados=tuple(sorted(baixados.get(int(r.id_externo), ()))),
        )
        for r in rows
    ]


def _documentos_por_processo(session: Session, tribunal: str, grau: str, ids: Sequence[int]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        rows = session.execute(
            select(Documento.id_processo_externo, Documento.id_documento_externo).where(
                Documento.tribunal == tribunal, Documento.grau == grau, em_ids(Documento.id_processo_externo, chunk)
            )
        )
        for id_processo, id_documento in rows:
            out.setdefault(int(id_processo), set()).add(int(id_documento))
    return out


# -- parties -----------------------------------------------------------------------------------------


def persistir_partes(
    session: Session, itens: PartesProcesso | Sequence[PartesProcesso], *, now: dt.datetime | None = None
) -> list[ResultadoPartes]:
    """Store cases' parties, representatives, addresses and links in a few statements; the counts of each case.

    The cases' links equal the answer. A case given twice is stored twice, in order (the counts are those of
    storing the cases one after the other). See :class:`~sinesys_spiders.core.db.repositories.partes.PartesRepository`.
    """
    lista = [itens] if isinstance(itens, PartesProcesso) else list(itens)
    repo = PartesRepository(session)
    out: list[ResultadoPartes] = []
    for parte in _sem_repeticao(lista):
        captura_id = next((i.captura_id for i in parte if i.captura_id is not None), None)
        out += repo.gravar(parte, now=now, captura_id=captura_id)
    session.flush()
    return out


def _sem_repeticao(itens: list[T]) -> list[list[T]]:
    """Consecutive runs of items in which no case appears twice."""
    partes: list[list[T]] = [[]]
    vistos: set[int] = set()
    for item in itens:
        processo_id = item.processo_id  # type: ignore[attr-defined]
        if processo_id in vistos:
            partes.append([])
            vistos = set()
        partes[-1].append(item)
        vistos.add(processo_id)
    return [p for p in partes if p]
