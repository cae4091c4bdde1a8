"""The timeline of one case (movements and documents), its document metadata and PDFs, built on demand.

Items come from three sources, each with its own id slots (see :mod:`._carteira`): the base history drawn when the
case is created, one Intimação per expediente, and the items each advance step adds. Documents without
``idSignatario`` are unsigned; ``documentoSigiloso`` ones are secret: neither is downloadable (pje-api.md §5).
The list is returned newest first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import unicodedata
from typing import Any

from plugins.pje_trt.sandbox._carteira import ITEM_ARQUIVAMENTO, Carteira, Caso
from plugins.pje_trt.sandbox._data import MOVIMENTOS, TIPO_INTIMACAO, TIPOS_DOCUMENTO, nome_pessoa
from plugins.pje_trt.sandbox._gen_pdf import build_pdf
from plugins.pje_trt.sandbox._gen_time import Ts, fmt_ts, rand_ts

__all__ = ["Item", "documento_conteudo", "documento_metadata", "itens", "novo_item", "timeline_rows"]


@dataclasses.dataclass(frozen=True, slots=True)
class Item:
    slot: int
    id: int
    data: Ts
    documento: bool
    titulo: str
    tipo: tuple[int, str, str] | None  # (idTipo, tipo, código) of a document
    movimento: int | None  # codigoMovimentoCNJ of a movement
    sigiloso: bool
    id_signatario: int | None
    nome_signatario: str | None
    polo: str | None
    expediente: bool

    @property
    def baixavel(self) -> bool:
        """Signed and not secret: what a capture downloads."""
        return self.documento and self.id_signatario is not None and not self.sigiloso


def novo_item(carteira: Carteira, caso: Caso, slot: int, day: dt.date, salt: object) -> Item:
    ctx = carteira.ctx
    rng = ctx.rng("item", caso.idx, slot, salt)
    data = rand_ts(rng, day)
    if slot == 0:
        documento, tipo = True, TIPOS_DOCUMENTO[0]
    elif slot == 1:
        documento, tipo = False, None
    else:
        documento = rng.random() < 0.55
        tipo = rng.choice(TIPOS_DOCUMENTO[1:]) if documento else None
    if documento:
        assert tipo is not None
        assinado = rng.random() < 0.85
        nome, _ = nome_pessoa(rng)
        return Item(
            slot, ctx.item_id(caso, slot), data, True, tipo[1], tipo, None, rng.random() < 0.08,
            rng.randrange(10_000, 900_000) if assinado else None, nome if assinado else None,
            rng.choice(("ATIVO", "PASSIVO", None)), False,
        )  # fmt: skip
    codigo, titulo = MOVIMENTOS[0] if slot == 1 else rng.choice(MOVIMENTOS[1:])
    return Item(slot, ctx.item_id(caso, slot), data, False, titulo, None, codigo, False, None, None, None, False)


def itens(carteira: Carteira, caso: Caso) -> list[Item]:
    """Every item of the case, oldest first."""
    ctx = carteira.ctx
    rng = ctx.rng("timeline", caso.idx)
    n = rng.randrange(3, 9) if ctx.scale == "tiny" else rng.randrange(4, 31)
    inicio = caso.autuacao[0].date()
    fim = max(inicio, ctx.hoje - dt.timedelta(days=1))
    if caso.arquivamento and caso.arquivamento[0].date() <= ctx.hoje:  # archived before the world started
        fim = caso.arquivamento[0].date()
    if caso.criado_step:
        n, fim = 2, inicio
    span = (fim - inicio).days
    dias = sorted(inicio + dt.timedelta(days=rng.randrange(span + 1)) for _ in range(n))
    dias[0] = inicio
    out = [novo_item(carteira, caso, k, day, "base") for k, day in enumerate(dias)]
    if caso.arquivamento is not None:
        out.append(
            Item(ITEM_ARQUIVAMENTO, ctx.item_id(caso, ITEM_ARQUIVAMENTO), caso.arquivamento, False,
                 "Arquivados definitivamente os autos", None, 246, False, None, None, None, False)
        )  # fmt: skip
    for exp in (*carteira.expedientes, *carteira.encerrados):
        if exp.caso_idx == caso.idx:
            out.append(_intimacao(carteira, caso, exp.item_slot, exp.criacao))
    for step, slot in caso.extras:
        out.append(novo_item(carteira, caso, slot, ctx.hoje + dt.timedelta(days=step), step))
    out.sort(key=lambda i: (i.data[0], i.slot))
    return out


def _intimacao(carteira: Carteira, caso: Caso, slot: int, criacao: Ts) -> Item:
    rng = carteira.ctx.rng("intimacao", caso.idx, slot)
    nome, _ = nome_pessoa(rng)
    return Item(
        slot, carteira.ctx.item_id(caso, slot), criacao, True, TIPO_INTIMACAO[1], TIPO_INTIMACAO, None, False,
        rng.randrange(10_000, 900_000), nome, None, True,
    )  # fmt: skip


def _instancia(grau: str) -> int:
    return {"primeiro_grau": 1, "segundo_grau": 2}.get(grau, 3)


def timeline_rows(carteira: Carteira, caso: Caso) -> list[dict[str, Any]]:
    """The ``/timeline`` array: newest first."""
    ctx = carteira.ctx
    lista = itens(carteira, caso)
    rows = []
    for ordem, item in enumerate(lista, start=1):
        row: dict[str, Any] = {
            "id": item.id,
            "titulo": item.titulo,
            "data": fmt_ts(item.data),
            "documento": item.documento,
            "idUsuario": item.id_signatario or 0,
            "especializacoes": 0,
            "nomeResponsavel": item.nome_signatario or "",
            "tipoPolo": item.polo,
            "favorito": False,
            "ativo": True,
            "documentoSigiloso": item.sigiloso,
            "usuarioInterno": item.polo is None,
            "documentoApreciavel": item.documento and item.polo is not None,
            "expediente": item.expediente,
            "numeroOrdem": ordem,
            "codigoInstancia": _instancia(ctx.grau),
            "pendenciaDocInstanciaOrigem": False,
            "copia": False,
            "permiteCooperacaoJudiciaria": False,
            "dataJuntadaFutura": False,
        }
        if item.documento:
            assert item.tipo is not None
            row.update(
                idUnicoDocumento=_unico(item),
                idTipo=item.tipo[0],
                tipo=item.tipo[1],
                codigoDocumento=item.tipo[2],
                participacaoProcesso=item.polo,
                instancia=str(_instancia(ctx.grau)),
                papelUsuarioDocumento="Advogado" if item.polo else "Servidor",
                infoExpedientes={
                    "expediente": item.expediente,
                    "expedienteAberto": item.expediente,
                    "hasMandadoDevolucaoPendente": False,
                    "mandadoDistribuido": False,
                },
                anexos=[],
            )
            if item.id_signatario is not None:
                row["idSignatario"] = item.id_signatario
                row["nomeSignatario"] = item.nome_signatario
        else:
            row.update(
                codigoMovimentoCNJ=item.movimento,
                movimentoPermiteExclusao=False,
                movimentoPermiteRetificacao=False,
                movimentoFoiRetificado=False,
            )
        rows.append(row)
    rows.reverse()
    return rows


def _unico(item: Item) -> str:
    return f"{item.id * 2654435761 % 16**7:07x}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ascii_text.lower().replace(" ", "_")


def _find(carteira: Carteira, caso: Caso, id_documento: int) -> Item | None:
    for item in itens(carteira, caso):
        if item.id == id_documento and item.documento:
            return item
    return None


def _pdf(carteira: Carteira, caso: Caso, item: Item) -> bytes:
    ctx = carteira.ctx
    lines = [
        f"PODER JUDICIÁRIO - JUSTIÇA DO TRABALHO - {ctx.tribunal}",
        f"Processo {caso.numero_processo}",
        f"{caso.orgao.descricao}",
        "",
        f"{item.titulo} (documento {item.id})",
        f"Juntado em {fmt_ts(item.data)}",
        f"Assinado por {item.nome_signatario}" if item.id_signatario else "Documento não assinado",
        "",
        f"AUTOR: {caso.autor}",
        f"RÉU: {caso.re}",
    ]
    return build_pdf(lines, title=f"{item.titulo} {item.id}")


def documento_conteudo(carteira: Carteira, caso: Caso, id_documento: int) -> bytes | None:
    """The PDF of a document of ``caso`` (``None`` if the case has no such document)."""
    item = _find(carteira, caso, id_documento)
    return None if item is None else _pdf(carteira, caso, item)


def documento_metadata(carteira: Carteira, caso: Caso, id_documento: int) -> dict[str, Any] | None:
    item = _find(carteira, caso, id_documento)
    if item is None:
        return None
    assert item.tipo is not None
    pdf = _pdf(carteira, caso, item)
    juntado = fmt_ts(item.data)
    out: dict[str, Any] = {
        "id": item.id,
        "idUnicoDocumento": _unico(item),
        "identificadorUnico": f"{_unico(item)}{item.id:x}",
        "idTipoDocumento": item.tipo[0],
        "titulo": item.titulo,
        "tipo": item.tipo[1],
        "idTipo": item.tipo[0],
        "codigoTipoDocumento": item.tipo[2],
        "criador": item.nome_signatario or "SISTEMA",
        "signatario": item.nome_signatario,
        "idPessoaInclusao": item.id_signatario or 0,
        "criadoEm": juntado,
        "juntadoEm": juntado,
        "idProcesso": caso.id,
        "processoEmSegredo": caso.segredo,
        "assinado": item.id_signatario is not None,
        "apreciado": False,
        "sigiloso": item.sigiloso,
        "tipoArquivo": "PDF",
        "documentoApreciavel": item.polo is not None,
        "ativo": True,
        "numeroOrdem": item.slot + 1,
        "nomeArquivo": f"{_slug(item.titulo)}_{item.id}.pdf",
        "idBin": item.id + 7_000_000_000,
        "md5": hashlib.md5(pdf).hexdigest(),  # noqa: S324 - PJE's checksum, not security
        "dataInclusaoBin": juntado,
        "tamanho": len(pdf),
        "version": 1,
        "responder": False,
        "numComentariosNaoLidos": 0,
        "pendenteAnaliseMagistrado": False,
        "binario": True,
    }
    if item.id_signatario is not None:
        out["dadosAssinatura"] = {
            "signatario": item.nome_signatario,
            "commonName": f"{item.nome_signatario}:{item.id_signatario}",
            "emissor": "AC SERASA RFB v5",
            "data": juntado,
            "tipoAssinador": "PJE_OFFICE",
            "assinatura": hashlib.sha256(pdf).hexdigest(),
            "certChain": None,
        }
    return out
