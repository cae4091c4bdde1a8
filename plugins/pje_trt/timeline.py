"""PJE-TRT timelines (``/processos/id/{id}/timeline``) and document PDFs (``.../documentos/id/{d}/conteudo``).

The timeline is a plain array of movements (``documento: false``) and documents (``documento: true``),
newest first (pje-api.md §3). A document is downloaded only when it is signed (``idSignatario``) and
not secret (``documentoSigiloso`` false) — the filters ``apenas_assinados`` and
``apenas_nao_sigilosos``, both on by default — and the answer must be a PDF (it starts with ``%PDF``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from plugins.pje_trt.dados_origem import CAMPOS_ITEM_TIMELINE
from plugins.pje_trt.tribunais import grau_numero
from sinesys_spiders.plugin import Grau, ItemTimeline, RespostaInvalida, reduzir

__all__ = [
    "check_pdf",
    "contar",
    "conteudo_url",
    "documentos_baixaveis",
    "ler_timeline",
    "timeline_url",
]


def timeline_url(api_url: str, id_processo: int) -> str:
    """Every movement and document of a case (signed or not)."""
    query = urlencode({"somenteDocumentosAssinados": "false", "buscarMovimentos": "true", "buscarDocumentos": "true"})
    return f"{api_url.rstrip('/')}/processos/id/{int(id_processo)}/timeline?{query}"


def conteudo_url(api_url: str, id_processo: int, id_documento: int, grau: Grau) -> str:
    """The signed PDF of one document (no cover page)."""
    query = urlencode({"incluirCapa": "false", "incluirAssinatura": "true", "grau": grau_numero(grau)})
    return f"{api_url.rstrip('/')}/processos/id/{int(id_processo)}/documentos/id/{int(id_documento)}/conteudo?{query}"


def _item(row: Mapping[str, Any]) -> ItemTimeline:
    """One PJE timeline entry read into the neutral item (``documento`` true: a document, else a movement)."""
    codigo = row.get("codigoMovimentoCNJ")
    data = row.get("data")
    return ItemTimeline.model_validate(
        {
            "id_externo": int(row["id"]),
            "tipo": "documento" if row.get("documento") else "movimento",
            "titulo": row.get("titulo"),
            "data": data if isinstance(data, str) else None,
            "documento_sigiloso": row.get("documentoSigiloso"),
            "id_signatario": row.get("idSignatario"),
            "codigo_movimento_cnj": None if codigo is None else str(codigo)[:20],
            "dados_origem": reduzir(row, CAMPOS_ITEM_TIMELINE),
        }
    )


def ler_timeline(payload: Any) -> list[ItemTimeline]:
    """The timeline's items, read; ``RespostaInvalida`` when it is not an array of objects with ``id`` or an item
    does not read (an id, date or signer that is not what PJE sends)."""
    if not isinstance(payload, list):
        raise RespostaInvalida("timeline: lista esperada")
    for row in payload:
        if not isinstance(row, Mapping) or row.get("id") is None:
            raise RespostaInvalida("timeline: item sem id")
    try:
        return [_item(row) for row in payload]
    except (ValueError, TypeError) as exc:  # pydantic's ValidationError is a ValueError
        raise RespostaInvalida(f"timeline: item ilegível ({type(exc).__name__})") from None


def contar(itens: Iterable[ItemTimeline]) -> tuple[int, int]:
    """(documents, movements) of a timeline."""
    lista = list(itens)
    documentos = sum(1 for item in lista if item.tipo == "documento")
    return documentos, len(lista) - documentos


def documentos_baixaveis(
    itens: Iterable[ItemTimeline], *, apenas_assinados: bool = True, apenas_nao_sigilosos: bool = True
) -> list[int]:
    """Ids of the documents to download: signed (``idSignatario``) and not secret, unless told otherwise."""
    out = []
    for item in itens:
        if item.tipo != "documento":
            continue
        if apenas_assinados and not item.id_signatario:
            continue
        if apenas_nao_sigilosos and item.documento_sigiloso:
            continue
        out.append(item.id_externo)
    return out


def check_pdf(body: bytes, *, id_documento: int) -> None:
    """``RespostaInvalida`` unless ``body`` is a PDF (``%PDF`` at the start, leading blanks allowed)."""
    if not body.lstrip()[:4] == b"%PDF":
        raise RespostaInvalida(f"documento {id_documento}: a resposta não é um PDF ({len(body)} bytes)")
