"""PJE-TRT request builders, pagination quirks and totalizador checks (pje-api.md §3)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest

from plugins.pje_trt.requests import (
    Envelope,
    FiltroPrazo,
    SituacaoAudiencia,
    acervo_geral_url,
    arquivados_url,
    check_acervo,
    check_pendentes,
    describe_request,
    page_url,
    pauta_url,
    pendentes_url,
    proximas_paginas,
    read_envelope,
    read_totalizadores,
    totalizadores_url,
)
from sinesys_spiders.core.errors import EntradaInvalida, RespostaInvalida, TotalizadorDivergente

API = "https://pje.trt3.jus.br/pje-comum-api/api"


def split(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", dict(parse_qsl(parts.query))


def test_totalizadores_url() -> None:
    """The counters come from the lawyer's panel with tipoPainelAdvogado=0."""
    assert totalizadores_url(API, 29203) == f"{API}/paineladvogado/29203/totalizadores?tipoPainelAdvogado=0"


def test_acervo_geral_url() -> None:
    """Active cases: agrupamento 1, paged with `pagina` and 100 rows per page."""
    path, query = split(acervo_geral_url(API + "/", 29203, 3))
    assert path == f"{API}/paineladvogado/29203/processos"
    assert query == {"idAgrupamentoProcessoTarefa": "1", "pagina": "3", "tamanhoPagina": "100"}


def test_arquivados_url() -> None:
    """Archived cases: agrupamento 5, tipoPainelAdvogado 5, newest first, `data` in epoch milliseconds."""
    when = dt.datetime(2025, 11, 20, 12, 0, tzinfo=dt.UTC)
    _, query = split(arquivados_url(API, 29203, 1, data=when))
    assert query == {
        "idAgrupamentoProcessoTarefa": "5",
        "pagina": "1",
        "tamanhoPagina": "100",
        "tipoPainelAdvogado": "5",
        "ordenacaoCrescente": "false",
        "data": str(int(when.timestamp() * 1000)),
    }


@pytest.mark.parametrize(("filtro", "agrupador"), [(FiltroPrazo.NO_PRAZO, "N"), (FiltroPrazo.SEM_PRAZO, "I")])
def test_pendentes_url(filtro: FiltroPrazo, agrupador: str) -> None:
    """Pendentes: agrupamento 2 with agrupadorExpediente N (no prazo) or I (sem prazo)."""
    _, query = split(pendentes_url(API, 29203, 2, filtro=filtro))
    assert query == {
        "idAgrupamentoProcessoTarefa": "2",
        "agrupadorExpediente": agrupador,
        "pagina": "2",
        "tamanhoPagina": "100",
        "tipoPainelAdvogado": "2",
        "idPainelAdvogadoEnum": "2",
        "ordenacaoCrescente": "false",
    }


def test_pauta_url_uses_numero_pagina() -> None:
    """The pauta pages with `numeroPagina`, not `pagina`, and filters by dates and codigoSituacao."""
    url = pauta_url(
        API, 4, data_inicio=dt.date(2026, 1, 1), data_fim=dt.date(2026, 12, 31), situacao=SituacaoAudiencia.DESIGNADA
    )
    path, query = split(url)
    assert path == f"{API}/pauta-usuarios-externos"
    assert query == {
        "dataInicio": "2026-01-01",
        "dataFim": "2026-12-31",
        "codigoSituacao": "M",
        "numeroPagina": "4",
        "tamanhoPagina": "100",
        "ordenacao": "asc",
    }
    assert "pagina" not in query


def test_bad_builder_input_is_refused() -> None:
    """Page 0, an inverted date range and unknown filters are refused with a clear message."""
    with pytest.raises(EntradaInvalida, match="página"):
        acervo_geral_url(API, 1, 0)
    with pytest.raises(EntradaInvalida, match="anterior"):
        pauta_url(API, data_inicio=dt.date(2026, 2, 1), data_fim=dt.date(2026, 1, 1), situacao=SituacaoAudiencia("C"))
    with pytest.raises(EntradaInvalida, match="no_prazo"):
        FiltroPrazo.parse("vencidos")
    with pytest.raises(EntradaInvalida, match="M, C ou F"):
        SituacaoAudiencia.parse("R")
    assert SituacaoAudiencia.parse(" f ") is SituacaoAudiencia.REALIZADA


def test_page_url_changes_only_the_page() -> None:
    """The next page keeps every other parameter, for both page parameter names."""
    url = pendentes_url(API, 7, filtro=FiltroPrazo.SEM_PRAZO)
    assert split(page_url(url, 5))[1] == {**split(url)[1], "pagina": "5"}
    pauta = pauta_url(
        API, data_inicio=dt.date(2026, 1, 1), data_fim=dt.date(2026, 1, 2), situacao=SituacaoAudiencia.REALIZADA
    )
    assert split(page_url(pauta, 2))[1]["numeroPagina"] == "2"


@pytest.mark.parametrize(
    ("payload", "pages"),
    [
        ({"pagina": 1, "tamanhoPagina": 100, "qtdPaginas": 0, "totalRegistros": 31, "resultado": [{"id": 1}] * 31}, 1),
        ({"pagina": 1, "tamanhoPagina": 100, "qtdPaginas": 1, "totalRegistros": 37, "resultado": [{"id": 1}] * 37}, 1),
        (
            {"pagina": 1, "tamanhoPagina": 100, "qtdPaginas": 3, "totalRegistros": 250, "resultado": [{"id": 1}] * 100},
            3,
        ),
        ({"pagina": 1, "tamanhoPagina": 100, "qtdPaginas": 0, "totalRegistros": 0, "resultado": []}, 0),
        ({"pagina": 1, "tamanhoPagina": 100, "qtdPaginas": 0, "totalRegistros": 0, "resultado": None}, 0),
    ],
)
def test_envelope_page_count_quirk(payload: dict, pages: int) -> None:
    """qtdPaginas 0 with rows means one page; an empty listing has none; the rest follow page 1."""
    envelope = read_envelope(payload)
    assert envelope.qtd_paginas == pages
    assert list(proximas_paginas(envelope)) == list(range(2, pages + 1))


@pytest.mark.parametrize("payload", [[], "x", {"resultado": "x"}, {"resultado": [1]}, {"qtdPaginas": "dois"}])
def test_not_an_envelope(payload: object) -> None:
    """Anything but PJE's envelope is a RespostaInvalida, never a crash in the spider."""
    with pytest.raises(RespostaInvalida):
        read_envelope(payload)


def test_totalizadores() -> None:
    """Counters are read by agrupamento id: 1 acervo, 2 pendentes, 5 arquivados."""
    payload = [
        {"quantidadeProcessos": 1119, "idAgrupamentoProcessoTarefa": 1, "nomeAgrupamentoTarefa": "Acervo Geral",
         "ordem": 1, "destaque": False},
        {"quantidadeProcessos": 46, "idAgrupamentoProcessoTarefa": 2,
         "nomeAgrupamentoTarefa": "Pendentes de Manifestação", "ordem": 2, "destaque": True},
        {"quantidadeProcessos": 8769, "idAgrupamentoProcessoTarefa": 5, "nomeAgrupamentoTarefa": "Arquivados",
         "ordem": 3, "destaque": False},
    ]  # fmt: skip
    assert read_totalizadores(payload) == {1: 1119, 2: 46, 5: 8769}
    with pytest.raises(RespostaInvalida):
        read_totalizadores({"x": 1})


def test_acervo_must_equal_its_counter() -> None:
    """Acervo fails on any difference, with PJE's message and both numbers kept."""
    check_acervo(1119, 1119)
    for captured in (1118, 1120):
        with pytest.raises(TotalizadorDivergente) as info:
            check_acervo(captured, 1119)
        assert info.value.message == f"Quantidade de processos ({captured}) não condiz com totalizador (1119)"
        assert (info.value.capturados, info.value.totalizador) == (captured, 1119)
        assert info.value.as_dict()["codigo"] == "TOTALIZADOR_DIVERGENTE"


def test_pendentes_may_be_fewer_than_the_counter() -> None:
    """Pendentes fail only when there are more rows than counter 2 (37 N + 9 I = 46 passes)."""
    check_pendentes(37 + 9, 46)
    check_pendentes(10, 46)
    with pytest.raises(TotalizadorDivergente) as info:
        check_pendentes(47, 46)
    assert (info.value.capturados, info.value.totalizador) == (47, 46)
    assert "47" in info.value.message
    assert "46" in info.value.message


def test_describe_request_keeps_path_and_query() -> None:
    """The raw log records the path and parameters of the request."""
    url = acervo_geral_url(API, 29203, 2)
    assert describe_request(url) == {
        "path": "/pje-comum-api/api/paineladvogado/29203/processos",
        "params": {"idAgrupamentoProcessoTarefa": "1", "pagina": "2", "tamanhoPagina": "100"},
    }
    assert isinstance(read_envelope({"resultado": []}), Envelope)


def test_describe_request_masks_secret_looking_parameters() -> None:
    """A token or password in a query string never reaches the raw log."""
    described = describe_request(f"{API}/x?pagina=1&access_token=abc.def&senhaUsuario=hunter2")
    assert described["params"] == {"pagina": "1", "access_token": "***", "senhaUsuario": "***"}


@pytest.mark.parametrize(
    ("payload", "contador"),
    [
        ({"qtdPaginas": 2_000_000, "totalRegistros": 250, "resultado": [{"id": 1}] * 100}, None),
        ({"qtdPaginas": 2_000_000, "resultado": [{"id": 1}] * 100}, None),
        ({"qtdPaginas": 50, "totalRegistros": 9_999_999, "resultado": [{"id": 1}] * 100}, 250),
        ({"qtdPaginas": 5, "totalRegistros": 250, "resultado": [{"id": 1}] * 100}, None),
    ],
)
def test_an_absurd_page_count_is_refused(payload: dict, contador: int | None) -> None:
    """qtdPaginas above what totalRegistros, the counter or the hard maximum allow: RESPOSTA_INVALIDA, no pages."""
    envelope = read_envelope({"pagina": 1, "tamanhoPagina": 100, **payload})
    with pytest.raises(RespostaInvalida, match="qtdPaginas") as info:
        proximas_paginas(envelope, contador=contador)
    assert info.value.code == "RESPOSTA_INVALIDA"


def test_a_page_count_within_the_totals_is_followed() -> None:
    """The usual answer (3 pages of 250 rows, counter 250) and one page of slack are followed."""
    envelope = read_envelope(
        {"pagina": 1, "tamanhoPagina": 100, "qtdPaginas": 4, "totalRegistros": 250, "resultado": [{"id": 1}] * 100}
    )
    assert list(proximas_paginas(envelope, contador=250)) == [2, 3, 4]
