"""PJE-TRT parsers: real-shaped rows (pje-api.md §3) become typed items pointing at their raw page."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from plugins.pje_trt.parsers import ContextoPagina, parse_pagina
from plugins.pje_trt.requests import FiltroPrazo, acervo_geral_url, pendentes_url
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.errors import EntradaInvalida, RespostaInvalida
from sinesys_spiders.core.items import Audiencia, Expediente, ItemInvalido, Processo

UTC = dt.UTC
API = "https://pje.trt3.jus.br/pje-comum-api/api"

PROCESSO_ROW: dict[str, Any] = {
    "id": 2345678,
    "descricaoOrgaoJulgador": "22ª VARA DO TRABALHO DE BELO HORIZONTE",
    "classeJudicial": "ATOrd",
    "numero": 10702,
    "numeroProcesso": "0010702-80.2025.5.03.0111",
    "segredoDeJustica": False,
    "codigoStatusProcesso": "DISTRIBUIDO",
    "prioridadeProcessual": 0,
    "nomeParteAutora": "MARIA APARECIDA DOS SANTOS                    ",
    "qtdeParteAutora": 1,
    "nomeParteRe": "CONSTRUTORA HORIZONTE LTDA      ",
    "qtdeParteRe": 2,
    "dataAutuacao": "2025-07-11T11:12:15.261",
    "juizoDigital": True,
    "dataArquivamento": None,
    "dataProximaAudiencia": None,
    "temAssociacao": False,
}

PENDENTE_2G_ROW: dict[str, Any] = {
    **PROCESSO_ROW,
    "idDocumento": 198765432,
    "dataCienciaParte": "2025-11-10T10:00:00",
    "dataPrazoLegalParte": "2025-11-17T23:59:59.999999",
    "dataCriacaoExpediente": "2025-11-07T15:30:12.5",
    "prazoVencido": False,
    "siglaOrgaoJulgador": "GDRJ30",
    "descricaoOrgaoJulgadorColegiado": "04ª Turma                 ",
    "nomeRelator": "DESEMBARGADORA ANA BEATRIZ      ",
}

AUDIENCIA_ROW: dict[str, Any] = {
    "id": 4321987,
    "dataInicio": "2026-03-04T09:30:00",
    "dataFim": "2026-03-04T09:40:00",
    "salaAudiencia": {"nome": "Sala 1 - Principal   ", "id": 881},
    "status": "M",
    "statusDescricao": "Designada",
    "processo": {
        "id": 2345678,
        "numero": "0010702-80.2025.5.03.0111",
        "classeJudicial": {"id": 1234, "codigo": "985", "descricao": "AÇÃO TRABALHISTA - RITO ORDINÁRIO",
                           "sigla": "ATOrd", "requerProcessoReferenciaCodigo": False, "controlaValorCausa": True,
                           "podeIncluirAutoridade": False, "ativo": True, "idClasseJudicialPai": None,
                           "possuiFilhos": False},
        "segredoDeJustica": False,
        "juizoDigital": True,
        "orgaoJulgador": {"id": 55, "descricao": "22ª VARA DO TRABALHO DE BELO HORIZONTE", "cejusc": False,
                          "ativo": True, "postoAvancado": False, "novoOrgaoJulgador": False,
                          "codigoServentiaCnj": 4321},
    },
    "tipo": {"id": 7, "descricao": "Una por videoconferência", "codigo": "UNA", "isVirtual": True},
    "designada": True,
    "emAndamento": False,
    "documentoAtivo": False,
    "poloAtivo": {"nome": "MARIA APARECIDA DOS SANTOS   ", "polo": "ativo", "poloEnum": "ATIVO",
                  "representaVarios": False},
    "poloPassivo": {"nome": "CONSTRUTORA HORIZONTE LTDA", "polo": "passivo", "poloEnum": "PASSIVO",
                    "representaVarios": True, "cnpj": "12.345.678/0001-90"},
    "pautaAudienciaHorario": {"id": 99, "horaInicial": "09:30:00", "horaFinal": "09:40:00"},
    "urlAudienciaVirtual": "https://zoom.example/j/123",
    "idProcesso": 2345678,
    "nrProcesso": "0010702-80.2025.5.03.0111",
}  # fmt: skip


def envelope(rows: list[dict[str, Any]], qtd: int = 1) -> dict[str, Any]:
    return {"pagina": 1, "tamanhoPagina": 100, "qtdPaginas": qtd, "totalRegistros": len(rows), "resultado": rows}


def contexto(tipo: TipoCaptura, grau: Grau = Grau.PRIMEIRO_GRAU, filtro: FiltroPrazo | None = None) -> ContextoPagina:
    return ContextoPagina(
        tipo_captura=tipo,
        tribunal=Tribunal("TRT3"),
        grau=grau,
        advogado_id=7,
        credencial_id=11,
        captura_id=42,
        filtro=filtro,
    )


def test_acervo_row_becomes_a_processo() -> None:
    """Every Processo field lands in snake_case, names trimmed, dates in UTC, provenance stamped."""
    page = parse_pagina(envelope([PROCESSO_ROW]), contexto(TipoCaptura.ACERVO_GERAL), url=acervo_geral_url(API, 29203))
    [item] = page.itens
    assert isinstance(item, Processo)
    assert item.id_externo == 2345678
    assert item.numero_processo == "0010702-80.2025.5.03.0111"
    assert item.origem == "acervo_geral"
    assert item.nome_parte_autora == "MARIA APARECIDA DOS SANTOS"
    assert item.nome_parte_re == "CONSTRUTORA HORIZONTE LTDA"
    assert item.data_autuacao == dt.datetime(2025, 7, 11, 14, 12, 15, 261000, tzinfo=UTC)
    assert item.codigo_status_processo == "DISTRIBUIDO"
    assert (item.qtde_parte_autora, item.qtde_parte_re, item.juizo_digital) == (1, 2, True)
    assert (item.tribunal, item.grau, item.advogado_id, item.credencial_id, item.captura_id) == (
        Tribunal("TRT3"), Grau.PRIMEIRO_GRAU, 7, 11, 42,
    )  # fmt: skip
    assert item.raw_ref == page.bruta.raw_log_id


def test_arquivados_are_processos_with_origem_arquivado() -> None:
    """An archived case is a Processo marked arquivado, with its archive date."""
    row = {**PROCESSO_ROW, "dataArquivamento": "2025-09-01T10:00:00"}
    page = parse_pagina(envelope([row]), contexto(TipoCaptura.ARQUIVADOS), url=acervo_geral_url(API, 1))
    [item] = page.validos
    assert isinstance(item, Processo)
    assert item.origem == "arquivado"
    assert item.data_arquivamento == dt.datetime(2025, 9, 1, 13, 0, tzinfo=UTC)


def test_numero_comes_from_the_cnj_number_when_missing() -> None:
    """A row without `numero` (or with 0) gets it from the CNJ number, never a silent 0."""
    row = {k: v for k, v in PROCESSO_ROW.items() if k != "numero"}
    [item] = parse_pagina(envelope([row]), contexto(TipoCaptura.ACERVO_GERAL), url=acervo_geral_url(API, 1)).validos
    assert isinstance(item, Processo)
    assert item.numero == 10702
    [zero] = parse_pagina(
        envelope([{**PROCESSO_ROW, "numero": 0}]), contexto(TipoCaptura.ACERVO_GERAL), url=acervo_geral_url(API, 1)
    ).validos
    assert isinstance(zero, Processo)
    assert zero.numero == 10702


def test_second_grau_pendente_keeps_colegiado_relator_and_deadline() -> None:
    """A 2º grau pendente keeps turma, relator, document id, deadline (6 fraction digits) and its filter."""
    url = pendentes_url(API, 29203, filtro=FiltroPrazo.NO_PRAZO)
    page = parse_pagina(
        envelope([PENDENTE_2G_ROW]), contexto(TipoCaptura.PENDENTES, Grau.SEGUNDO_GRAU, FiltroPrazo.NO_PRAZO), url=url
    )
    [item] = page.validos
    assert isinstance(item, Expediente)
    assert item.grau == Grau.SEGUNDO_GRAU
    assert item.agrupador == "N"
    assert item.id_documento == 198765432
    assert item.descricao_orgao_julgador_colegiado == "04ª Turma"
    assert item.nome_relator == "DESEMBARGADORA ANA BEATRIZ"
    assert item.data_prazo_legal_parte == dt.datetime(2025, 11, 18, 2, 59, 59, 999999, tzinfo=UTC)
    assert item.data_criacao_expediente == dt.datetime(2025, 11, 7, 18, 30, 12, 500000, tzinfo=UTC)
    assert item.sigla_orgao_julgador == "GDRJ30"


def test_one_case_with_two_expedientes_gives_two_items() -> None:
    """The same case id repeats with another idDocumento: two expedientes with distinct keys."""
    other = {**PENDENTE_2G_ROW, "idDocumento": 198765499}
    page = parse_pagina(
        envelope([PENDENTE_2G_ROW, other]),
        contexto(TipoCaptura.PENDENTES, filtro=FiltroPrazo.SEM_PRAZO),
        url=pendentes_url(API, 1, filtro=FiltroPrazo.SEM_PRAZO),
    )
    keys = {item.natural_key() for item in page.validos}
    assert len(keys) == 2
    assert all(isinstance(i, Expediente) and i.agrupador == "I" for i in page.validos)


def test_pendentes_need_their_filter() -> None:
    """A pendentes page without its prazo filter is a programming error caught early."""
    with pytest.raises(EntradaInvalida):
        contexto(TipoCaptura.PENDENTES)


def test_audiencia_is_flattened() -> None:
    """A hearing's nested process, class, órgão, room, type and parties become flat fields."""
    page = parse_pagina(
        envelope([AUDIENCIA_ROW], qtd=0),
        contexto(TipoCaptura.AUDIENCIAS),
        url=f"{API}/pauta-usuarios-externos?numeroPagina=1",
    )
    [item] = page.validos
    assert isinstance(item, Audiencia)
    assert page.envelope.qtd_paginas == 1
    assert item.id_externo == 4321987
    assert item.numero_processo == "0010702-80.2025.5.03.0111"
    assert item.id_processo_externo == 2345678
    assert item.data_inicio == dt.datetime(2026, 3, 4, 12, 30, tzinfo=UTC)
    assert item.hora_inicio == dt.time(9, 30)
    assert item.hora_fim == dt.time(9, 40)
    assert (item.sala_audiencia_nome, item.sala_audiencia_id_externo) == ("Sala 1 - Principal", 881)
    assert (item.tipo_descricao, item.tipo_is_virtual, item.modalidade) == ("Una por videoconferência", True, "virtual")
    assert (item.orgao_julgador_id_externo, item.classe_judicial_sigla) == (55, "ATOrd")
    assert item.polo_ativo_nome == "MARIA APARECIDA DOS SANTOS"
    assert item.status == "M"
    assert item.designada is True


def test_presencial_hearing() -> None:
    """Without a URL or a virtual type, a hearing in a room is presencial."""
    row = copy.deepcopy(AUDIENCIA_ROW)
    row["urlAudienciaVirtual"] = None
    row["tipo"] = {"id": 8, "descricao": "Instrução", "codigo": "INS", "isVirtual": False}
    [item] = parse_pagina(envelope([row]), contexto(TipoCaptura.AUDIENCIAS), url=f"{API}/pauta").validos
    assert isinstance(item, Audiencia)
    assert item.modalidade == "presencial"
    assert item.url_audiencia_virtual is None


def test_a_bad_row_is_reported_and_the_rest_kept() -> None:
    """A row with a broken CNJ number becomes an ItemInvalido with its reason; the good rows go on."""
    bad = {**PROCESSO_ROW, "id": 999, "numeroProcesso": "sem-numero"}
    page = parse_pagina(envelope([PROCESSO_ROW, bad]), contexto(TipoCaptura.ACERVO_GERAL), url=acervo_geral_url(API, 1))
    assert len(page.validos) == 1
    [invalido] = page.invalidos
    assert isinstance(invalido, ItemInvalido)
    assert invalido.id_externo == 999
    assert invalido.credencial_id == 11
    assert "numero_processo" in invalido.motivo
    assert invalido.raw_ref == page.bruta.raw_log_id


def test_raw_page_entry() -> None:
    """The raw entry holds the payload as received and the request's path and query."""
    payload = envelope([PROCESSO_ROW])
    url = acervo_geral_url(API, 29203, 1)
    page = parse_pagina(payload, contexto(TipoCaptura.ACERVO_GERAL), url=url)
    assert page.bruta.payload_bruto == payload
    assert page.bruta.requisicao["params"]["pagina"] == "1"
    assert page.bruta.tipo_captura is TipoCaptura.ACERVO_GERAL
    assert (page.bruta.credencial_id, page.bruta.captura_id, page.bruta.status) == (11, 42, "success")


def test_not_an_envelope_is_refused() -> None:
    """An HTML login page or a bare list is a RespostaInvalida, not items."""
    with pytest.raises(RespostaInvalida):
        parse_pagina([PROCESSO_ROW], contexto(TipoCaptura.ACERVO_GERAL), url=acervo_geral_url(API, 1))


# -- against the sandbox's world: real shapes, and its ground truth -----------------------------------

#: Ground-truth field -> item field, where the names differ (audiências keep PJE ids apart).
AUDIENCIA_TRUTH_FIELDS = {
    "id_processo": "id_processo_externo",
    "sala_audiencia_id": "sala_audiencia_id_externo",
    "tipo_audiencia": "tipo_descricao",
    "orgao_julgador_id": "orgao_julgador_id_externo",
    "classe_judicial_id": "classe_judicial_id_externo",
    "classe_judicial": "classe_judicial_sigla",
}
SITUACOES = {"designada": "M", "cancelada": "C", "realizada": "F"}


def _normalized(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.time):
        return value.isoformat()
    return getattr(value, "value", value)


def _compare(truth_rows: list[dict[str, Any]], items: list[Any], rename: dict[str, str] | None = None) -> None:
    rename = rename or {}
    assert len(items) == len(truth_rows)
    by_key = {(i.id_externo, getattr(i, "id_documento", None)): i for i in items}
    assert len(by_key) == len(items), "duplicated natural keys"
    for expected in truth_rows:
        item = by_key[(expected["id_externo"], expected.get("id_documento"))]
        for field, value in expected.items():
            assert _normalized(getattr(item, rename.get(field, field))) == value, (field, expected["id_externo"])


def _items(world: Any, tipo: TipoCaptura, tribunal: str, grau: str, rows: list[dict[str, Any]], **kw: Any) -> list:
    contexto = ContextoPagina(
        tipo_captura=tipo, tribunal=Tribunal(tribunal), grau=Grau(grau), advogado_id=1, credencial_id=1, **kw
    )
    page = parse_pagina(envelope(rows, qtd=0), contexto, url=f"{API}/x?pagina=1")
    assert page.invalidos == []
    return page.validos


def test_parsers_match_the_sandbox_ground_truth() -> None:
    """Parsed acervo, arquivados, pendentes (N and I) and pauta rows equal the world's ground truth, field by field."""
    from plugins.pje_trt.sandbox.world import World

    world = World.generate(seed=7, scale="small", users=2, tribunais=["TRT3", "TRT5"])
    truth = world.truth()
    checked = 0
    for tribunal, graus in truth["tribunais"].items():
        for grau, por_cpf in graus.items():
            for bloco in por_cpf.values():
                adv = bloco["id_advogado"]
                for tipo, agrupamento in ((TipoCaptura.ACERVO_GERAL, 1), (TipoCaptura.ARQUIVADOS, 5)):
                    rows = world.painel(tribunal, grau, adv, agrupamento)
                    _compare(bloco[tipo.value], _items(world, tipo, tribunal, grau, rows))
                for filtro in FiltroPrazo:
                    rows = world.painel(tribunal, grau, adv, 2, filtro.agrupador)
                    items = _items(world, TipoCaptura.PENDENTES, tribunal, grau, rows, filtro=filtro)
                    _compare(bloco["pendentes"][filtro.value], items)
                for situacao, codigo in SITUACOES.items():
                    rows = world.pauta(tribunal, grau, adv, dt.date(2000, 1, 1), dt.date(2100, 1, 1), codigo)
                    items = _items(world, TipoCaptura.AUDIENCIAS, tribunal, grau, rows)
                    _compare(bloco["audiencias"][situacao], items, AUDIENCIA_TRUTH_FIELDS)
                checked += 1
    assert checked == 8  # 2 tribunals x 2 graus x 2 lawyers
