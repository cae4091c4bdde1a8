"""Timeline pages in recovery: their gaps (items, the case's whole timeline, downloadable documents) and re-storing.

A ``timeline`` page of the raw log holds one case's timeline as the tribunal sent it, plus the download filters its
capture ran with. Its plugin reads it again into the case's
:class:`~sinesys_spiders.core.items_processo.TimelineProcesso` and the document requests the capture would make
(never sent). Against the database and the stores:

- ``timeline_item``: each movement and document of the timeline, a ``timeline_itens`` row on (tribunal, grau,
  case, tipo, tribunal id);
- ``timeline``: the case's whole timeline in the timeline store (SQL ``timelines`` or MongoDB ``timeline``);
- ``documento``: each downloadable document (signed, not secret, per the page's filters; only when its capture
  downloaded documents): its ``documentos`` row **and** its PDF in the document store.

Re-storing goes through the capture's own storing path
(:func:`~sinesys_spiders.core.persistencia_timeline.persistir_timeline`,
:func:`~sinesys_spiders.core.persistencia_timeline.salvar_timelines`,
:func:`~sinesys_spiders.core.persistencia_timeline.persistir_documento`). A document's row is restored from the PDF
kept in the document store, read by the plugin's own PDF check; a PDF that is not in the store (or is not the one
the row names) cannot be restored without the tribunal: it stays missing with :data:`BINARIO_AUSENTE` and the way
to get it (a new ``timeline`` capture with ``baixar_documentos=true``). Recovery never downloads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sinesys_spiders.core.capturas import Pedido
from sinesys_spiders.core.db.models import Documento, TimelineItem
from sinesys_spiders.core.documentos import DocumentoGuardado, DocumentStore
from sinesys_spiders.core.items_processo import DocumentoBaixado, ItemTimeline, OcorrenciaProcesso, TimelineProcesso
from sinesys_spiders.core.persistencia_timeline import (
    caso_de,
    contar_documentos,
    persistir_documento,
    persistir_timeline,
    salvar_timelines,
)
from sinesys_spiders.core.recovery.lacunas import Lacunas
from sinesys_spiders.core.recovery.modelos import ElementoRecuperavel
from sinesys_spiders.core.timelines import TimelineStore

__all__ = [
    "BINARIO_AUSENTE",
    "TIPOS_TIMELINE",
    "DocumentoEsperado",
    "GravacaoTimeline",
    "LacunasTimeline",
    "documento_lido",
    "gravar_timeline",
    "lacunas_timeline",
]

#: The element types of a timeline page.
TIPOS_TIMELINE = ("timeline", "timeline_item", "documento")
#: The reason of a document whose PDF only the tribunal has now.
BINARIO_AUSENTE = "BINARIO_AUSENTE"
_SEM_BINARIO = (
    f"{BINARIO_AUSENTE}: o PDF não está no armazenamento de documentos e só o tribunal o tem "
    "(recovery não baixa: rode uma nova captura timeline com baixar_documentos=true)"
)

#: Reads a stored PDF through the plugin's own check: the document's item (or its error).
LerDocumento = Callable[[Pedido, bytes], DocumentoBaixado | OcorrenciaProcesso | None]


@dataclasses.dataclass(slots=True)
class DocumentoEsperado:
    """A downloadable document of the page: its request (never sent), where its PDF goes, what is stored."""

    id_documento: int
    pedido: Pedido
    caminho: str
    linha: Documento | None
    no_armazenamento: bool

    @property
    def presente(self) -> bool:
        return self.linha is not None and self.no_armazenamento


@dataclasses.dataclass(slots=True)
class LacunasTimeline:
    """A timeline page's gaps, and what re-storing needs: the missing items and every downloadable document."""

    lacunas: Lacunas
    item: TimelineProcesso
    itens_faltantes: list[ItemTimeline]
    #: When the stored whole timeline was captured (``None``: none stored).
    timeline_capturada_em: dt.datetime | None
    documentos: list[DocumentoEsperado]

    @property
    def timeline_presente(self) -> bool:
        return self.timeline_capturada_em is not None


def lacunas_timeline(session: Session, item: TimelineProcesso, pedidos: Sequence[Pedido], timelines: TimelineStore,
                     documentos: DocumentStore) -> LacunasTimeline:  # fmt: skip
    """The page's items, whole timeline and downloadable documents against the database and the stores."""
    out = Lacunas()
    id_processo, tribunal, grau = caso_de(item)
    caso = {"numero_processo": item.numero_processo, "id_processo_externo": id_processo}
    stored = timelines.get(id_processo, tribunal, grau)
    out.conta("timeline", stored is not None, ElementoRecuperavel(
        tipo="timeline", identificador=f"id_processo_externo:{id_processo}", nome=item.numero_processo, contexto=caso,
    ))  # fmt: skip
    c = TimelineItem
    linhas = {
        (tipo, int(id_externo))
        for tipo, id_externo in session.execute(
            select(c.tipo, c.id_externo).where(
                c.tribunal == tribunal, c.grau == grau, c.id_processo_externo == id_processo
            )
        )
    }
    faltantes: list[ItemTimeline] = []
    vistos: set[tuple[str, int]] = set()
    for raw in item.itens:
        chave = (raw.tipo, raw.id_externo)
        if chave in vistos:  # the same item twice in one answer: stored once
            continue
        vistos.add(chave)
        elemento = ElementoRecuperavel(tipo="timeline_item", identificador=f"{chave[0]}:{chave[1]}",
                                       nome=raw.titulo, contexto={**caso, "tipo": chave[0]})  # fmt: skip
        if not out.conta("timeline_item", chave in linhas, elemento):
            faltantes.append(raw)
    d = Documento
    guardados = {
        int(row.id_documento_externo): row
        for row in session.scalars(
            select(d).where(d.tribunal == tribunal, d.grau == grau, d.id_processo_externo == id_processo)
        )
    }
    titulos = {raw.id_externo: raw.titulo for raw in item.itens if raw.tipo == "documento"}
    esperados = []
    for pedido in pedidos:
        id_documento = int(pedido.dados["id_documento"])
        linha = guardados.get(id_documento)
        caminho = linha.caminho if linha is not None else documentos.caminho(
            tribunal=tribunal, grau=grau, id_processo=id_processo, id_documento=id_documento)  # fmt: skip
        esperado = DocumentoEsperado(id_documento, pedido, caminho, linha, documentos.exists(caminho))
        esperados.append(esperado)
        erro = None if esperado.no_armazenamento else _SEM_BINARIO
        out.conta("documento", esperado.presente, ElementoRecuperavel(
            tipo="documento", identificador=f"id_documento:{id_documento}", nome=titulos.get(id_documento),
            erro=erro, contexto={**caso, "linha": linha is not None, "pdf": esperado.no_armazenamento},
        ))  # fmt: skip
    return LacunasTimeline(out, item, faltantes, stored.capturado_em if stored else None, esperados)


@dataclasses.dataclass(slots=True)
class GravacaoTimeline:
    """What re-storing a timeline page did; ``depois``: store updates to run once the page's transaction committed."""

    elementos: int = 0
    inseridos: int = 0
    atualizados: int = 0
    inalterados: int = 0
    erros: list[str] = dataclasses.field(default_factory=list)
    depois: list[Callable[[], Any]] = dataclasses.field(default_factory=list)


def gravar_timeline(session: Session, lt: LacunasTimeline, *, tipos: Sequence[str], forcar: bool,
                    timelines: TimelineStore, documentos: DocumentStore, ler_documento: LerDocumento,
                    baixado_em: dt.datetime) -> GravacaoTimeline:  # fmt: skip
    """Re-store a timeline page's gaps of ``tipos`` (``forcar``: every element of those types), inside ``session``."""
    out = GravacaoTimeline()
    item = lt.item
    if "timeline_item" in tipos:
        itens = list(item.itens) if forcar else lt.itens_faltantes
        if itens:
            [r] = persistir_timeline(session, item.model_copy(update={"itens": itens}), now=item.capturado_em)
            novos = r.novos_documentos + r.novos_movimentos
            out.elementos += len(itens)
            out.inseridos += novos
            out.atualizados += r.itens_atualizados
            out.inalterados += len(itens) - novos - r.itens_atualizados
    restaurados = 0
    if "documento" in tipos:
        for doc in lt.documentos:
            if doc.presente and not forcar:
                continue
            out.elementos += 1
            if not doc.no_armazenamento:
                out.erros.append(f"documento {doc.id_documento}: {_SEM_BINARIO}")
                continue
            conteudo = documentos.get(doc.caminho)
            guardado = DocumentoGuardado(doc.caminho, hashlib.sha256(conteudo).hexdigest(), len(conteudo))
            if doc.linha is not None and doc.linha.sha256 != guardado.sha256:
                out.erros.append(f"documento {doc.id_documento}: o PDF armazenado não é o da linha (sha256 difere); "
                                 f"{_SEM_BINARIO}")  # fmt: skip
                continue
            if doc.linha is not None and forcar:
                out.inalterados += 1
                continue
            lido = ler_documento(doc.pedido, conteudo)
            if not isinstance(lido, DocumentoBaixado):
                motivo = lido.mensagem if isinstance(lido, OcorrenciaProcesso) else "não lido"
                out.erros.append(f"documento {doc.id_documento}: {motivo}")
                continue
            [novo] = persistir_documento(session, [(lido.model_copy(update={"baixado_em": baixado_em}), guardado)])
            restaurados += 1
            out.inseridos += int(novo)
            out.atualizados += int(not novo)
    precisa = forcar or not lt.timeline_presente
    if "timeline" in tipos and precisa:
        out.elementos += 1
        antes = lt.timeline_capturada_em
        if antes is not None and antes >= item.capturado_em:  # a newer capture's timeline stays
            out.inalterados += 1
        else:
            salvar_timelines(session, [item], timelines)
            out.inseridos += int(antes is None)
            out.atualizados += int(antes is not None)
    elif restaurados and lt.timeline_presente:
        total = contar_documentos(session, [caso_de(item)])[caso_de(item)]
        out.depois.append(lambda: timelines.set_documentos_baixados(*caso_de(item), total))
    return out


def documento_lido(produzidos: Sequence[Any]) -> DocumentoBaixado | OcorrenciaProcesso | None:
    """The document item (or its error) among what the plugin produced for a PDF."""
    for produced in produzidos:
        if isinstance(produced, DocumentoBaixado | OcorrenciaProcesso):
            return produced
    return None
