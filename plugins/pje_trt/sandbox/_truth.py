"""Ground-truth records: what a correct capture stores, built from the world's own records.

Normalization (pje-api.md §5): snake_case keys, strings trimmed, PJE's zone-less times read as America/Sao_Paulo
and written as ISO 8601 in UTC, ``id`` renamed ``id_externo``, plus the natural key ``tribunal``, ``grau``. The schema
is documented in :mod:`plugins.pje_trt.sandbox.world`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from plugins.pje_trt.sandbox._carteira import Audiencia, Carteira, Caso, Expediente
from plugins.pje_trt.sandbox._data import CLASSES, TIPOS_AUDIENCIA
from plugins.pje_trt.sandbox._gen_partes import ESPECIAIS
from plugins.pje_trt.sandbox._gen_time import to_utc_iso
from plugins.pje_trt.sandbox._gen_timeline import Item, itens
from plugins.pje_trt.sandbox._render import SITUACAO_AUDIENCIA, prazo_vencido, url_virtual

__all__ = ["audiencia", "pendente", "por_tipo", "processo", "timeline", "tipo_especial"]


def processo(carteira: Carteira, caso: Caso) -> dict[str, Any]:
    ctx = carteira.ctx
    return {
        "id_externo": caso.id,
        "tribunal": ctx.tribunal,
        "grau": ctx.grau,
        "numero_processo": caso.numero_processo,
        "numero": caso.numero,
        "descricao_orgao_julgador": caso.orgao.descricao,
        "classe_judicial": caso.classe,
        "segredo_de_justica": caso.segredo,
        "codigo_status_processo": "DISTRIBUIDO",
        "prioridade_processual": caso.prioridade,
        "nome_parte_autora": caso.autor,
        "qtde_parte_autora": caso.qtde_autor,
        "nome_parte_re": caso.re,
        "qtde_parte_re": caso.qtde_re,
        "data_autuacao": to_utc_iso(caso.autuacao),
        "juizo_digital": caso.juizo_digital,
        "data_arquivamento": to_utc_iso(caso.arquivamento),
        "data_proxima_audiencia": None,
        "tem_associacao": caso.tem_associacao,
    }


def pendente(carteira: Carteira, exp: Expediente, hoje: dt.date) -> dict[str, Any]:
    caso = carteira.casos[exp.caso_idx]
    out = processo(carteira, caso)
    out.update(
        id_documento=exp.id_documento,
        data_ciencia_parte=to_utc_iso(exp.ciencia),
        data_prazo_legal_parte=to_utc_iso(exp.prazo),
        data_criacao_expediente=to_utc_iso(exp.criacao),
        prazo_vencido=prazo_vencido(exp, hoje),
        sigla_orgao_julgador=caso.orgao.sigla,
    )
    if caso.orgao.colegiado is not None:
        out["descricao_orgao_julgador_colegiado"] = caso.orgao.colegiado
        out["nome_relator"] = caso.orgao.relator
    return out


def audiencia(carteira: Carteira, aud: Audiencia) -> dict[str, Any]:
    ctx = carteira.ctx
    caso = carteira.casos[aud.caso_idx]
    _tid, tipo_desc, _cod, virtual = TIPOS_AUDIENCIA[aud.tipo]
    fim = aud.inicio + dt.timedelta(minutes=aud.minutos)
    sala_id, sala_nome = caso.orgao.salas[aud.sala]
    url = url_virtual(aud) if virtual else None
    return {
        "id_externo": aud.id,
        "tribunal": ctx.tribunal,
        "grau": ctx.grau,
        "numero_processo": caso.numero_processo,
        "id_processo": caso.id,
        "data_inicio": to_utc_iso(aud.inicio),
        "data_fim": to_utc_iso(fim),
        "hora_inicio": aud.inicio.strftime("%H:%M:%S"),
        "hora_fim": fim.strftime("%H:%M:%S"),
        "status": aud.status,
        "status_descricao": SITUACAO_AUDIENCIA[aud.status],
        "designada": aud.status == "M",
        "em_andamento": False,
        "documento_ativo": aud.status == "F",
        "sala_audiencia_id": sala_id,
        "sala_audiencia_nome": sala_nome,
        "tipo_audiencia": tipo_desc,
        "tipo_is_virtual": virtual,
        "modalidade": "virtual" if url or "videoconfer" in tipo_desc.lower() else "presencial",
        "url_audiencia_virtual": url,
        "orgao_julgador_id": caso.orgao.id,
        "orgao_julgador_descricao": caso.orgao.descricao,
        "classe_judicial_id": CLASSES[caso.classe][0],
        "classe_judicial": caso.classe,
        "polo_ativo_nome": caso.autor,
        "polo_passivo_nome": caso.re,
    }


def tipo_especial(tipo: str) -> bool:
    """Whether a party type is one of pje-api.md §5's special types (classified ``terceiro``)."""
    import unicodedata

    key = unicodedata.normalize("NFKD", tipo).encode("ascii", "ignore").decode().upper().strip()
    key = re.sub(r"\s+", "_", key)
    return any(key.startswith(prefix) for prefix in ESPECIAIS)


def _digits(value: str | None) -> str | None:
    return re.sub(r"\D", "", value) if value else None


def _endereco(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if not raw:
        return None
    return {
        "id_externo": raw["id"],
        "logradouro": raw["logradouro"],
        "numero": raw["numero"],
        "complemento": raw["complemento"],
        "bairro": raw["bairro"],
        "municipio": raw["municipio"],
        "municipio_ibge": raw["municipioIbge"],
        "estado_sigla": raw["estado"]["sigla"],
        "pais_codigo": raw["pais"]["codigo"],
        "cep": _digits(raw["nroCep"]),
    }


def _pessoa(raw: dict[str, Any]) -> dict[str, Any]:
    pj = raw["tipoPessoa"] == "J"
    doc = _digits(raw["documento"])
    return {
        "id_externo": raw["id"],
        "id_pessoa": raw["idPessoa"],
        "nome": raw["nome"].strip(),
        "tipo_pessoa": "pj" if pj else "pf",
        "cpf": None if pj else doc,
        "cnpj": doc if pj else None,
        "polo": raw["polo"],
        "tipo": raw["tipo"],
        "id_tipo_parte": raw["idTipoParte"],
        "emails": list(raw["emails"]),
        "endereco": _endereco(raw.get("endereco")),
    }


def _partes_do_caso(
    carteira: Carteira, caso: Caso, raw: dict[str, list[dict[str, Any]]] | None, cpf: str
) -> dict[str, Any]:
    """The case's parties, each classified relative to the lawyer ``cpf`` (pje-api.md §5)."""
    out: dict[str, Any] = {
        "id_processo": caso.id,
        "numero_processo": caso.numero_processo,
        "tribunal": carteira.ctx.tribunal,
        "grau": carteira.ctx.grau,
        "sem_partes": raw is None,
        "partes": [],
    }
    for polo in ("ATIVO", "PASSIVO", "TERCEIROS"):
        for parte in (raw or {}).get(polo, []):
            row = _pessoa(parte)
            reps = []
            for rep in parte["representantes"]:
                oab = rep["numeroOab"]
                reps.append(
                    {
                        **_pessoa(rep),
                        "oabs": [{"numero": oab[2:], "uf": oab[:2]}],
                        "situacao_oab": rep["situacaoOab"],
                    }
                )
            if tipo_especial(parte["tipo"]):
                classificacao = "terceiro"
            elif any(r["cpf"] == cpf for r in reps):
                classificacao = "cliente"
            else:
                classificacao = "parte_contraria"
            row.update(
                principal=parte["principal"],
                ordem=parte["ordem"],
                classificacao=classificacao,
                representantes=reps,
            )
            out["partes"].append(row)
    return out


def timeline(carteira: Carteira, caso: Caso, lista: list[Item]) -> dict[str, Any]:
    docs = [i for i in lista if i.documento]
    return {
        "id_processo": caso.id,
        "numero_processo": caso.numero_processo,
        "tribunal": carteira.ctx.tribunal,
        "grau": carteira.ctx.grau,
        "total_documentos": len(docs),
        "total_movimentos": len(lista) - len(docs),
        "documentos_baixaveis": sorted(i.id for i in docs if i.baixavel),
        "itens": [
            {
                "id_externo": i.id,
                "titulo": i.titulo,
                "data": to_utc_iso(i.data),
                "documento": i.documento,
                "documento_sigiloso": i.sigiloso,
                "id_signatario": i.id_signatario,
            }
            for i in sorted(lista, key=lambda i: (i.data[0], i.slot), reverse=True)
        ],
    }


def por_tipo(
    carteira: Carteira,
    tipo: str,
    *,
    cpf: str,
    hoje: dt.date,
    id_processo: int | None,
    partes: Callable[[Caso], dict[str, list[dict[str, Any]]] | None],
) -> Any:
    """One capture type's truth for one carteira; ``partes`` builds a case's raw parties."""
    if tipo == "totalizadores":
        ativos = len(carteira.ativos())
        return {
            "acervo_geral": ativos,
            "pendentes": len(carteira.expedientes),
            "arquivados": len(carteira.casos) - ativos,
        }
    if tipo == "acervo_geral":
        return [processo(carteira, c) for c in carteira.ativos()]
    if tipo == "arquivados":
        return [processo(carteira, c) for c in carteira.arquivados()]
    if tipo == "pendentes":
        return {
            nome: [pendente(carteira, e, hoje) for e in carteira.expedientes if e.agrupador == grupo]
            for nome, grupo in (("no_prazo", "N"), ("sem_prazo", "I"))
        }
    if tipo == "audiencias":
        return {
            nome: [audiencia(carteira, a) for a in carteira.audiencias if a.status == codigo]
            for nome, codigo in (("designada", "M"), ("cancelada", "C"), ("realizada", "F"))
        }
    casos = [c for c in carteira.casos if id_processo is None or c.id == id_processo]
    if tipo == "partes":
        return [_partes_do_caso(carteira, c, partes(c), cpf) for c in casos]
    if tipo == "timeline":
        return [timeline(carteira, c, itens(carteira, c)) for c in casos]
    raise ValueError(f"tipo desconhecido: {tipo!r}")
