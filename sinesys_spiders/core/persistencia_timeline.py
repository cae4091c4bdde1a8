"""Persistence of the ``timeline`` capture: items as rows and downloaded documents, one case per transaction.

- :func:`persistir_timeline`: a timeline's items into ``timeline_itens`` (new ones inserted, changed ones
  updated); stamps ``acervo.timeline_capturada_em``. The whole timeline goes to the timeline store
  (:mod:`sinesys_spiders.core.timelines`).
- :func:`persistir_documento`: a stored PDF's row in ``documentos`` (path, sha256, size, URL, time, credential);
  :func:`contar_documentos` how many a case has.

Every function works inside the caller's session (the caller commits) and returns counts; nothing here logs
personal data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sinesys_spiders.core.db.models import Documento, Processo, TimelineItem
from sinesys_spiders.core.documentos import DocumentoGuardado
from sinesys_spiders.core.items_processo import DocumentoBaixado, TimelineProcesso
from sinesys_spiders.core.persistence.campos import aplicar
from sinesys_spiders.core.timeutil import parse_pje_datetime, utcnow

__all__ = ["ResultadoTimeline", "contar_documentos", "persistir_documento", "persistir_timeline"]


@dataclasses.dataclass(slots=True)
class ResultadoTimeline:
    """Counts of one case's timeline: what PJE has, and what was new or changed since the last capture."""

    total_documentos: int = 0
    total_movimentos: int = 0
    novos_documentos: int = 0
    novos_movimentos: int = 0
    itens_atualizados: int = 0


def _item_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    data = raw.get("data")
    codigo = raw.get("codigoMovimentoCNJ")
    return {
        "titulo": raw.get("titulo"),
        "data": parse_pje_datetime(data) if isinstance(data, str) else None,
        "documento_sigiloso": raw.get("documentoSigiloso"),
        "id_signatario": raw.get("idSignatario"),
        "codigo_movimento_cnj": None if codigo is None else str(codigo)[:20],
        "dados_pje": dict(raw),
    }


def persistir_timeline(
    session: Session, item: TimelineProcesso, *, now: dt.datetime | None = None
) -> ResultadoTimeline:
    """Store a case's movements and documents as rows (new inserted, changed updated); stamp the case."""
    out = ResultadoTimeline(total_documentos=item.total_documentos, total_movimentos=item.total_movimentos)
    tribunal, grau = item.tribunal.value, item.grau.value
    existentes = {
        (row.tipo, row.id_pje): row
        for row in session.execute(
            select(TimelineItem).where(
                TimelineItem.tribunal == tribunal,
                TimelineItem.grau == grau,
                TimelineItem.id_processo_pje == item.id_processo_pje,
            )
        ).scalars()
    }
    for raw in item.itens:
        tipo = "documento" if raw.get("documento") else "movimento"
        values = _item_values(raw)
        row = existentes.get((tipo, int(raw["id"])))
        if row is None:
            row = TimelineItem(tribunal=tribunal, grau=grau, id_processo_pje=item.id_processo_pje,
                               id_pje=int(raw["id"]), tipo=tipo, **values)  # fmt: skip
            session.add(row)
            existentes[(tipo, int(raw["id"]))] = row
            if tipo == "documento":
                out.novos_documentos += 1
            else:
                out.novos_movimentos += 1
        elif aplicar(row, values):
            out.itens_atualizados += 1
    processo = session.get(Processo, item.processo_id)
    if processo is not None:
        processo.timeline_capturada_em = now or utcnow()
    session.flush()
    return out


def contar_documentos(session: Session, *, tribunal: str, grau: str, id_processo_pje: int) -> int:
    """How many documents of a case are stored."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Documento)
            .where(Documento.tribunal == tribunal, Documento.grau == grau, Documento.id_processo_pje == id_processo_pje)
        )
        or 0
    )


def persistir_documento(session: Session, item: DocumentoBaixado, guardado: DocumentoGuardado) -> bool:
    """The row of a stored PDF; ``True`` when new, ``False`` when it replaced an earlier download."""
    key = (
        Documento.tribunal == item.tribunal.value,
        Documento.grau == item.grau.value,
        Documento.id_processo_pje == item.id_processo_pje,
        Documento.id_documento_pje == item.id_documento_pje,
    )
    row = session.execute(select(Documento).where(*key)).scalar_one_or_none()
    values: dict[str, Any] = {
        "sha256": guardado.sha256,
        "tamanho": guardado.tamanho,
        "caminho": guardado.caminho,
        "url": item.url,
        "content_type": item.content_type,
        "md5_pje": item.md5_pje,
        "credencial_id": item.credencial_id,
        "baixado_em": item.baixado_em,
    }
    if row is None:
        session.add(Documento(tribunal=item.tribunal.value, grau=item.grau.value, id_processo_pje=item.id_processo_pje,
                              id_documento_pje=item.id_documento_pje, **values))  # fmt: skip
        session.flush()
        return True
    aplicar(row, values)
    session.flush()
    return False
