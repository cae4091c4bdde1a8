"""Carteira records rendered as PJE JSON rows (camelCase, padded names, zone-less timestamps), pje-api.md §3."""

from __future__ import annotations

import datetime as dt
from typing import Any

from plugins.pje_trt.sandbox._carteira import Audiencia, Carteira, Caso, Expediente
from plugins.pje_trt.sandbox._data import CLASSES, TIPOS_AUDIENCIA
from plugins.pje_trt.sandbox._gen_docs import formatar_cnpj, formatar_cpf
from plugins.pje_trt.sandbox._gen_time import fmt_ts

__all__ = [
    "SITUACAO_AUDIENCIA",
    "audiencia_row",
    "pendente_row",
    "processo_row",
    "totalizadores",
]

#: codigoSituacao -> statusDescricao
SITUACAO_AUDIENCIA = {"M": "Designada", "C": "Cancelada", "F": "Realizada"}


def processo_row(caso: Caso) -> dict[str, Any]:
    """A row of the painel (agrupamentos 1 and 5)."""
    return {
        "id": caso.id,
        "descricaoOrgaoJulgador": caso.orgao.descricao + " " * caso.orgao_pad,
        "classeJudicial": caso.classe,
        "numero": caso.numero,
        "numeroProcesso": caso.numero_processo,
        "segredoDeJustica": caso.segredo,
        "codigoStatusProcesso": "DISTRIBUIDO",
        "prioridadeProcessual": caso.prioridade,
        "nomeParteAutora": caso.autor + " " * caso.autor_pad,
        "qtdeParteAutora": caso.qtde_autor,
        "nomeParteRe": caso.re + " " * caso.re_pad,
        "qtdeParteRe": caso.qtde_re,
        "dataAutuacao": fmt_ts(caso.autuacao),
        "juizoDigital": caso.juizo_digital,
        "dataArquivamento": fmt_ts(caso.arquivamento),
        "dataProximaAudiencia": None,
        "temAssociacao": caso.tem_associacao,
    }


def prazo_vencido(exp: Expediente, hoje: dt.date) -> bool:
    return exp.prazo is not None and exp.prazo[0].date() < hoje


def pendente_row(carteira: Carteira, exp: Expediente, hoje: dt.date) -> dict[str, Any]:
    """A row of agrupamento 2: the case plus one expediente (2º grau and TST add the turma and the relator)."""
    caso = carteira.casos[exp.caso_idx]
    row = processo_row(caso)
    row.update(
        idDocumento=exp.id_documento,
        dataCienciaParte=fmt_ts(exp.ciencia),
        dataPrazoLegalParte=fmt_ts(exp.prazo),
        dataCriacaoExpediente=fmt_ts(exp.criacao),
        prazoVencido=prazo_vencido(exp, hoje),
        siglaOrgaoJulgador=caso.orgao.sigla,
    )
    if caso.orgao.colegiado is not None:
        row["descricaoOrgaoJulgadorColegiado"] = caso.orgao.colegiado
        row["nomeRelator"] = caso.orgao.relator
    return row


def _polo(nome: str, polo: str, doc: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "nome": nome,
        "polo": polo.lower(),
        "poloEnum": polo,
        "representaVarios": False,
    }
    if len(doc) == 11:
        out["cpf"] = formatar_cpf(doc)
    else:
        out["cnpj"] = formatar_cnpj(doc)
    return out


def audiencia_row(carteira: Carteira, aud: Audiencia) -> dict[str, Any]:
    """A row of ``pauta-usuarios-externos`` with the full nested shape."""
    caso = carteira.casos[aud.caso_idx]
    orgao = caso.orgao
    tipo_id, tipo_desc, tipo_cod, virtual = TIPOS_AUDIENCIA[aud.tipo]
    classe_id, classe_cod, classe_desc = CLASSES[caso.classe]
    fim = aud.inicio + dt.timedelta(minutes=aud.minutos)
    sala_id, sala_nome = orgao.salas[aud.sala]
    row: dict[str, Any] = {
        "id": aud.id,
        "dataInicio": fmt_ts((aud.inicio, aud.digits)),
        "dataFim": fmt_ts((fim, aud.digits)),
        "salaAudiencia": {"nome": sala_nome, "id": sala_id},
        "status": aud.status,
        "statusDescricao": SITUACAO_AUDIENCIA[aud.status],
        "processo": {
            "id": caso.id,
            "numero": caso.numero_processo,
            "classeJudicial": {
                "id": classe_id,
                "codigo": classe_cod,
                "descricao": classe_desc,
                "sigla": caso.classe,
                "requerProcessoReferenciaCodigo": False,
                "controlaValorCausa": True,
                "podeIncluirAutoridade": False,
                "pisoValorCausa": None,
                "tetoValorCausa": None,
                "ativo": True,
                "idClasseJudicialPai": None,
                "possuiFilhos": False,
            },
            "segredoDeJustica": caso.segredo,
            "juizoDigital": caso.juizo_digital,
            "orgaoJulgador": {
                "id": orgao.id,
                "descricao": orgao.descricao,
                "cejusc": False,
                "ativo": True,
                "postoAvancado": False,
                "novoOrgaoJulgador": False,
                "codigoServentiaCnj": orgao.codigo_serventia,
            },
        },
        "tipo": {"id": tipo_id, "descricao": tipo_desc, "codigo": tipo_cod, "isVirtual": virtual},
        "designada": aud.status == "M",
        "emAndamento": False,
        "documentoAtivo": aud.status == "F",
        "poloAtivo": _polo(caso.autor + " " * caso.autor_pad, "ATIVO", caso.autor_cpf),
        "poloPassivo": _polo(caso.re + " " * caso.re_pad, "PASSIVO", caso.re_doc),
        "pautaAudienciaHorario": {
            "id": aud.pauta_id,
            "horaInicial": aud.inicio.strftime("%H:%M:%S"),
            "horaFinal": fim.strftime("%H:%M:%S"),
        },
        "prioridades": ["Prioridade processual"] if caso.prioridade else [],
        "urlAudienciaVirtual": url_virtual(aud) if virtual else None,
        "idProcesso": caso.id,
        "nrProcesso": caso.numero_processo,
    }
    return row


def url_virtual(aud: Audiencia) -> str:
    return f"https://trt.jus.br/sala-virtual/{aud.id:x}"


def totalizadores(acervo: int, pendentes: int, arquivados: int) -> list[dict[str, Any]]:
    """The painel's counters: 1 Acervo Geral, 2 Pendentes de Manifestação, 5 Arquivados."""
    return [
        {
            "quantidadeProcessos": acervo,
            "idAgrupamentoProcessoTarefa": 1,
            "nomeAgrupamentoTarefa": "Acervo Geral",
            "ordem": 1,
            "destaque": False,
        },
        {
            "quantidadeProcessos": pendentes,
            "idAgrupamentoProcessoTarefa": 2,
            "nomeAgrupamentoTarefa": "Pendentes de Manifestação",
            "ordem": 2,
            "destaque": True,
        },
        {
            "quantidadeProcessos": arquivados,
            "idAgrupamentoProcessoTarefa": 5,
            "nomeAgrupamentoTarefa": "Arquivados",
            "ordem": 3,
            "destaque": False,
        },
    ]
