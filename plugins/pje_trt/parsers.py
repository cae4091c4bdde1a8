"""Parsers from PJE-TRT's JSON answers to typed items (pje-api.md §3).

One call per fetched page: :func:`parse_pagina` reads the envelope, builds the page's raw-log entry
(:class:`~sinesys_spiders.core.items.PaginaBruta`) and one item per row, each item pointing at the
raw entry through ``raw_ref``. A row that does not validate becomes an
:class:`~sinesys_spiders.core.items.ItemInvalido` with its reason (the validation pipeline records
it as an error); one bad row never loses the rest of the page.

The row mappers (:func:`processo_fields`, :func:`expediente_fields`, :func:`audiencia_fields`) turn
camelCase into the items' snake_case fields; normalization (trimming, dates to aware UTC) is the
items' own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import ValidationError

from plugins.pje_trt.requests import Envelope, FiltroPrazo, describe_request, read_envelope
from sinesys_spiders.plugin import (
    Audiencia,
    EntradaInvalida,
    Expediente,
    Grau,
    ItemCaptura,
    ItemInvalido,
    PaginaBruta,
    Processo,
    TipoCaptura,
    Tribunal,
    describe_validation_error,
)

__all__ = [
    "ContextoPagina",
    "PaginaParseada",
    "audiencia_fields",
    "expediente_fields",
    "parse_pagina",
    "parse_row",
    "processo_fields",
]

#: PJE's ``Processo`` fields (advocate panel) -> item fields.
PROCESSO_CAMPOS: dict[str, str] = {
    "id": "id_externo",
    "numeroProcesso": "numero_processo",
    "numero": "numero",
    "descricaoOrgaoJulgador": "descricao_orgao_julgador",
    "classeJudicial": "classe_judicial",
    "segredoDeJustica": "segredo_de_justica",
    "codigoStatusProcesso": "codigo_status_processo",
    "prioridadeProcessual": "prioridade_processual",
    "nomeParteAutora": "nome_parte_autora",
    "qtdeParteAutora": "qtde_parte_autora",
    "nomeParteRe": "nome_parte_re",
    "qtdeParteRe": "qtde_parte_re",
    "dataAutuacao": "data_autuacao",
    "juizoDigital": "juizo_digital",
    "dataArquivamento": "data_arquivamento",
    "dataProximaAudiencia": "data_proxima_audiencia",
    "temAssociacao": "tem_associacao",
}

#: The fields a pendente adds to a ``Processo`` (2º grau adds the colegiado and the relator).
EXPEDIENTE_CAMPOS: dict[str, str] = {
    **PROCESSO_CAMPOS,
    "idDocumento": "id_documento",
    "dataCienciaParte": "data_ciencia_parte",
    "dataPrazoLegalParte": "data_prazo_legal_parte",
    "dataCriacaoExpediente": "data_criacao_expediente",
    "prazoVencido": "prazo_vencido",
    "siglaOrgaoJulgador": "sigla_orgao_julgador",
    "descricaoOrgaoJulgadorColegiado": "descricao_orgao_julgador_colegiado",
    "nomeRelator": "nome_relator",
}

_ORIGEM: dict[TipoCaptura, Literal["acervo_geral", "arquivado"]] = {
    TipoCaptura.ACERVO_GERAL: "acervo_geral",
    TipoCaptura.ARQUIVADOS: "arquivado",
}


@dataclasses.dataclass(frozen=True, slots=True)
class ContextoPagina:
    """Who fetched a page, and for what: stamped on every item of the page."""

    tipo_captura: TipoCaptura
    tribunal: Tribunal
    grau: Grau
    advogado_id: int
    credencial_id: int
    captura_id: int | None = None
    #: The pendentes filter the page was fetched with (``None`` for the other types).
    filtro: FiltroPrazo | None = None

    def __post_init__(self) -> None:
        if self.tipo_captura is TipoCaptura.PENDENTES and self.filtro is None:
            raise EntradaInvalida("pendentes: informe o filtro de prazo da página (no_prazo ou sem_prazo)")
        if self.tipo_captura not in (*_ORIGEM, TipoCaptura.PENDENTES, TipoCaptura.AUDIENCIAS):
            raise EntradaInvalida(f"tipo de captura sem parser de lista: {self.tipo_captura.value}")

    def common(self) -> dict[str, Any]:
        return {
            "tribunal": self.tribunal,
            "grau": self.grau,
            "advogado_id": self.advogado_id,
            "credencial_id": self.credencial_id,
            "captura_id": self.captura_id,
        }


@dataclasses.dataclass(slots=True)
class PaginaParseada:
    """A parsed page: its envelope (for pagination), its raw-log entry, and its items."""

    envelope: Envelope
    bruta: PaginaBruta
    itens: list[ItemCaptura | ItemInvalido]

    @property
    def validos(self) -> list[ItemCaptura]:
        return [item for item in self.itens if isinstance(item, ItemCaptura)]

    @property
    def invalidos(self) -> list[ItemInvalido]:
        return [item for item in self.itens if isinstance(item, ItemInvalido)]


def _map(row: Mapping[str, Any], campos: Mapping[str, str]) -> dict[str, Any]:
    return {dest: row[src] for src, dest in campos.items() if src in row}


def _classe_sigla(value: Any) -> Any:
    if isinstance(value, Mapping):  # some answers nest the class as an object
        return value.get("sigla") or value.get("descricao")
    return value


def _numero_from_cnj(numero_processo: Any) -> int | None:
    if isinstance(numero_processo, str) and numero_processo.strip()[:7].isdigit():
        return int(numero_processo.strip()[:7])
    return None


def processo_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``Processo`` row -> item fields (``numero`` read from the CNJ number when PJE omits it)."""
    out = _map(row, PROCESSO_CAMPOS)
    if "classe_judicial" in out:
        out["classe_judicial"] = _classe_sigla(out["classe_judicial"])
    if out.get("numero") in (None, 0):
        numero = _numero_from_cnj(out.get("numero_processo"))
        if numero is not None:
            out["numero"] = numero
    return out


def expediente_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """A pendente row -> item fields (a ``Processo`` plus the expediente's own)."""
    out = processo_fields(row)
    out.update(_map(row, {k: v for k, v in EXPEDIENTE_CAMPOS.items() if k not in PROCESSO_CAMPOS}))
    return out


def _obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _modalidade(url: Any, tipo: Mapping[str, Any], sala_nome: Any) -> str | None:
    descricao = str(tipo.get("descricao") or "").lower()
    if (isinstance(url, str) and url.strip()) or tipo.get("isVirtual") or "videoconfer" in descricao:
        return "virtual"
    if isinstance(sala_nome, str) and sala_nome.strip():
        return "presencial"
    return None


def audiencia_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """A pauta row -> flat item fields (``processo``, ``tipo``, ``salaAudiencia``... unnested)."""
    processo = _obj(row.get("processo"))
    classe = _obj(processo.get("classeJudicial"))
    orgao = _obj(processo.get("orgaoJulgador"))
    sala = _obj(row.get("salaAudiencia"))
    tipo = _obj(row.get("tipo"))
    horario = _obj(row.get("pautaAudienciaHorario"))
    numero_processo = row.get("nrProcesso") or processo.get("numero")
    out: dict[str, Any] = {
        "id_externo": row.get("id"),
        "numero_processo": numero_processo,
        "id_processo_externo": row.get("idProcesso", processo.get("id")),
        "data_inicio": row.get("dataInicio"),
        "data_fim": row.get("dataFim"),
        "hora_inicio": horario.get("horaInicial"),
        "hora_fim": horario.get("horaFinal"),
        "status": row.get("status"),
        "status_descricao": row.get("statusDescricao"),
        "designada": row.get("designada"),
        "em_andamento": row.get("emAndamento"),
        "documento_ativo": row.get("documentoAtivo"),
        "sala_audiencia_id_externo": sala.get("id"),
        "sala_audiencia_nome": sala.get("nome"),
        "tipo_audiencia_id_externo": tipo.get("id"),
        "tipo_codigo": tipo.get("codigo"),
        "tipo_descricao": tipo.get("descricao"),
        "tipo_is_virtual": tipo.get("isVirtual"),
        "orgao_julgador_id_externo": orgao.get("id"),
        "orgao_julgador_descricao": orgao.get("descricao"),
        "classe_judicial_id_externo": classe.get("id"),
        "classe_judicial_sigla": classe.get("sigla"),
        "classe_judicial_descricao": classe.get("descricao"),
        "segredo_de_justica": processo.get("segredoDeJustica"),
        "juizo_digital": processo.get("juizoDigital"),
        "polo_ativo_nome": _obj(row.get("poloAtivo")).get("nome"),
        "polo_passivo_nome": _obj(row.get("poloPassivo")).get("nome"),
        "url_audiencia_virtual": row.get("urlAudienciaVirtual"),
        "prioridades": row.get("prioridades"),
        "modalidade": _modalidade(row.get("urlAudienciaVirtual"), tipo, sala.get("nome")),
    }
    # A JSON null for a field with a default (booleans) means "not said": keep the default.
    return {key: value for key, value in out.items() if value is not None}


def parse_row(row: Mapping[str, Any], contexto: ContextoPagina, *, raw_ref: str | None = None) -> ItemCaptura:
    """One row -> its item; raise ``pydantic.ValidationError`` when the row does not validate."""
    tipo = contexto.tipo_captura
    base = {**contexto.common(), "raw_ref": raw_ref}
    if tipo is TipoCaptura.AUDIENCIAS:
        return Audiencia(**base, **audiencia_fields(row))
    if tipo is TipoCaptura.PENDENTES:
        assert contexto.filtro is not None  # checked by ContextoPagina
        return Expediente(**base, **_sem_nulos(expediente_fields(row)), agrupador=contexto.filtro.agrupador)
    return Processo(**base, **_sem_nulos(processo_fields(row)), origem=_ORIGEM[tipo])


def _sem_nulos(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def parse_pagina(payload: Any, contexto: ContextoPagina, *, url: str) -> PaginaParseada:
    """A fetched page -> envelope, raw-log entry and items; raise ``RespostaInvalida`` if not an envelope.

    ``url`` is the request's URL; the raw entry keeps its path and query (never cookies).
    """
    envelope = read_envelope(payload)
    bruta = PaginaBruta(
        captura_id=contexto.captura_id,
        tipo_captura=contexto.tipo_captura,
        advogado_id=contexto.advogado_id,
        credencial_id=contexto.credencial_id,
        tribunal=contexto.tribunal,
        grau=contexto.grau,
        requisicao=describe_request(url),
        payload_bruto=payload,
    )
    itens: list[ItemCaptura | ItemInvalido] = []
    for row in envelope.resultado:
        try:
            itens.append(parse_row(row, contexto, raw_ref=bruta.raw_log_id))
        except ValidationError as exc:
            itens.append(
                ItemInvalido(
                    tipo_captura=contexto.tipo_captura,
                    tribunal=contexto.tribunal,
                    grau=contexto.grau,
                    credencial_id=contexto.credencial_id,
                    captura_id=contexto.captura_id,
                    id_externo=row.get("id") if isinstance(row.get("id"), int | str) else None,
                    motivo=describe_validation_error(exc),
                    raw_ref=bruta.raw_log_id,
                )
            )
    return PaginaParseada(envelope=envelope, bruta=bruta, itens=itens)
