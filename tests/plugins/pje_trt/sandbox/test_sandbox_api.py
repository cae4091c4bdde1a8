"""The sandbox's REST API: real paths, envelopes, field types and the quirks of pje-api.md §3; cookie-only auth."""

from __future__ import annotations

import contextlib
import re
from typing import Any

import httpx
import pytest

from sinesys_spiders.testing.sandbox_fixtures import SandboxClient

CNJ = re.compile(r"^\d{7}-\d{2}\.\d{4}\.5\.\d{2}\.\d{4}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$")
ENVELOPE = {"pagina", "tamanhoPagina", "qtdPaginas", "totalRegistros", "resultado"}
PROCESSO_TYPES = {
    "id": int,
    "descricaoOrgaoJulgador": str,
    "classeJudicial": str,
    "numero": int,
    "numeroProcesso": str,
    "segredoDeJustica": bool,
    "codigoStatusProcesso": str,
    "prioridadeProcessual": int,
    "nomeParteAutora": str,
    "qtdeParteAutora": int,
    "nomeParteRe": str,
    "qtdeParteRe": int,
    "dataAutuacao": str,
    "juizoDigital": bool,
    "temAssociacao": bool,
}


def _all_pages(client: httpx.Client, url: str, params: dict[str, Any], page_param: str = "pagina") -> list[dict]:
    rows: list[dict] = []
    page = 1
    while True:
        body = client.get(url, params={**params, page_param: page, "tamanhoPagina": 100}).json()
        rows += body["resultado"]
        if page >= max(body["qtdPaginas"], 1):
            return rows
        page += 1


def _timestamps(value: Any) -> list[str]:
    """Every string that looks like a PJE date-time inside ``value``."""
    if isinstance(value, dict):
        return [t for v in value.values() for t in _timestamps(v)]
    if isinstance(value, list):
        return [t for v in value for t in _timestamps(v)]
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}T", value):
        return [value]
    return []


@pytest.fixture(scope="module")
def trt3(pje_sandbox: SandboxClient):
    """A lawyer logged into TRT3 1º grau for the whole module, with the acervo rows.

    The other tests of this module log other users in: a new login of the same user at TRT3 would end
    this session, as at the real PJE.
    """
    user = pje_sandbox.users[0]
    client = pje_sandbox.login(user, "TRT3", "primeiro_grau")
    id_adv = user.ids_advogado["TRT3"]
    api = pje_sandbox.api_url("TRT3")
    acervo = _all_pages(client, f"{api}/paineladvogado/{id_adv}/processos", {"idAgrupamentoProcessoTarefa": 1})
    yield {"user": user, "client": client, "id": id_adv, "api": api, "acervo": acervo}
    client.close()


def test_totalizadores_shape_and_counts_match_the_lists(trt3):
    """Counters 1, 2 and 5 in order; acervo = rows of agrupamento 1; pendentes = rows N + rows I."""
    client, api, id_adv = trt3["client"], trt3["api"], trt3["id"]
    body = client.get(f"{api}/paineladvogado/{id_adv}/totalizadores", params={"tipoPainelAdvogado": 0}).json()
    assert [t["idAgrupamentoProcessoTarefa"] for t in body] == [1, 2, 5]
    assert [t["ordem"] for t in body] == [1, 2, 3]
    assert [t["nomeAgrupamentoTarefa"] for t in body] == ["Acervo Geral", "Pendentes de Manifestação", "Arquivados"]
    counts = {t["idAgrupamentoProcessoTarefa"]: t["quantidadeProcessos"] for t in body}
    assert all(isinstance(t["destaque"], bool) for t in body)
    assert counts[1] == len(trt3["acervo"])
    url = f"{api}/paineladvogado/{id_adv}/processos"
    pendentes = sum(
        len(_all_pages(client, url, {"idAgrupamentoProcessoTarefa": 2, "agrupadorExpediente": a})) for a in "NI"
    )
    assert counts[2] == pendentes
    assert counts[5] == len(_all_pages(client, url, {"idAgrupamentoProcessoTarefa": 5, "tipoPainelAdvogado": 5}))


def test_acervo_rows_have_the_real_fields_and_types(trt3):
    """Each acervo row has pje-api.md's Processo fields and types, a valid CNJ and zone-less timestamps."""
    assert trt3["acervo"], "the tiny world gives TRT3's lawyer some cases"
    for row in trt3["acervo"]:
        for field, kind in PROCESSO_TYPES.items():
            assert isinstance(row[field], kind), field
        assert CNJ.match(row["numeroProcesso"])
        assert row["numero"] == int(row["numeroProcesso"][:7])
        assert "dataProximaAudiencia" in row
    stamps = _timestamps(trt3["acervo"])
    assert stamps
    assert all(TIMESTAMP.match(s) for s in stamps)


def test_names_padded_and_fraction_digits_vary(pje_sandbox: SandboxClient, trt3):
    """Quirks: some names are right-padded with spaces; timestamps carry from 0 to 6 fraction digits."""
    rows = trt3["acervo"]
    names = [r["nomeParteAutora"] for r in rows] + [r["nomeParteRe"] for r in rows]
    assert any(n != n.rstrip() for n in names)
    fractions = {len(s.partition(".")[2]) for s in _timestamps(rows)}
    assert len(fractions) >= 3
    assert fractions <= set(range(7))


def test_pagination_envelope_and_page_size_cap(trt3):
    """Painel pages by pagina/tamanhoPagina; tamanhoPagina above 100 is capped; past the end is empty."""
    client, api, id_adv = trt3["client"], trt3["api"], trt3["id"]
    url = f"{api}/paineladvogado/{id_adv}/processos"
    total = len(trt3["acervo"])
    body = client.get(url, params={"idAgrupamentoProcessoTarefa": 1, "pagina": 1, "tamanhoPagina": 5}).json()
    assert set(body) == ENVELOPE
    assert body["tamanhoPagina"] == 5
    assert body["totalRegistros"] == total
    assert body["qtdPaginas"] == -(-total // 5)
    assert body["resultado"] == trt3["acervo"][:5]
    capped = client.get(url, params={"idAgrupamentoProcessoTarefa": 1, "pagina": 1, "tamanhoPagina": 500}).json()
    assert capped["tamanhoPagina"] == 100
    assert len(capped["resultado"]) == min(total, 100)
    past = client.get(url, params={"idAgrupamentoProcessoTarefa": 1, "pagina": 999, "tamanhoPagina": 100}).json()
    assert past["resultado"] == []
    one_page = client.get(url, params={"idAgrupamentoProcessoTarefa": 1, "pagina": 1, "tamanhoPagina": 100}).json()
    if 0 < total <= 100:
        assert one_page["qtdPaginas"] == 1  # painel: 1 (the pauta says 0)


def test_find_by_numero_processo(trt3):
    """numeroProcesso filters the painel down to that case."""
    row = trt3["acervo"][0]
    body = (
        trt3["client"]
        .get(
            f"{trt3['api']}/paineladvogado/{trt3['id']}/processos",
            params={"idAgrupamentoProcessoTarefa": 1, "numeroProcesso": row["numeroProcesso"], "tipoPainelAdvogado": 1},
        )
        .json()
    )
    assert [r["id"] for r in body["resultado"]] == [row["id"]]


def test_pendentes_one_row_per_expediente(pje_sandbox: SandboxClient):
    """Pendentes add the expediente fields; a case with several expedientes repeats (same id, other idDocumento)."""
    repeated = False
    for user in pje_sandbox.users[1:]:
        for tribunal in ("TRT3",):
            if tribunal not in user.ids_advogado:
                continue
            with contextlib.closing(pje_sandbox.login(user, tribunal, "primeiro_grau")) as client:
                url = f"{pje_sandbox.api_url(tribunal)}/paineladvogado/{user.ids_advogado[tribunal]}/processos"
                rows = [
                    r
                    for a in "NI"
                    for r in _all_pages(client, url, {"idAgrupamentoProcessoTarefa": 2, "agrupadorExpediente": a})
                ]
            for row in rows:
                assert isinstance(row["idDocumento"], int)
                assert isinstance(row["prazoVencido"], bool)
                assert TIMESTAMP.match(row["dataCriacaoExpediente"])
                assert "siglaOrgaoJulgador" in row
            ids = [r["id"] for r in rows]
            keys = {(r["id"], r["idDocumento"]) for r in rows}
            assert len(keys) == len(rows)
            repeated = repeated or len(set(ids)) < len(ids)
        if repeated:
            break
    assert repeated


def _pick(pje_sandbox: SandboxClient, trt3, tipo: str, predicate) -> tuple[Any, Any]:
    """The first TRT3 1º grau lawyer whose ground truth of ``tipo`` satisfies ``predicate``, logged in."""
    truth = pje_sandbox.truth(tribunal="TRT3", grau="primeiro_grau", tipo=tipo)
    by_cpf = truth["tribunais"]["TRT3"]["primeiro_grau"]
    ordered = [trt3["user"]] + [u for u in pje_sandbox.users if u.cpf != trt3["user"].cpf]
    for user in ordered:
        if predicate(by_cpf[user.cpf][tipo]):
            if user.cpf == trt3["user"].cpf:
                return user, trt3["client"]
            return user, pje_sandbox.login(user, "TRT3", "primeiro_grau")
    pytest.fail(f"no TRT3 lawyer of the tiny world has such {tipo}")


def test_pauta_envelope_quirk_and_shape(pje_sandbox: SandboxClient, trt3):
    """The pauta pages by numeroPagina; qtdPaginas is 0 when everything fits one page; hearings have their fields."""
    _user, client = _pick(pje_sandbox, trt3, "audiencias", lambda a: len(a["designada"]) >= 2)
    api = trt3["api"]
    year = int(pje_sandbox.info["today"][:4])
    params = {"dataInicio": f"{year - 2}-01-01", "dataFim": f"{year + 2}-12-31", "codigoSituacao": "M"}
    body = client.get(f"{api}/pauta-usuarios-externos", params={**params, "numeroPagina": 1, "tamanhoPagina": 100})
    data = body.json()
    assert set(data) == ENVELOPE
    assert 2 <= data["totalRegistros"] <= 100
    assert data["qtdPaginas"] == 0
    hearing = data["resultado"][0]
    for field in ("id", "dataInicio", "dataFim", "salaAudiencia", "status", "statusDescricao", "processo", "tipo"):
        assert field in hearing
    assert {"horaInicial", "horaFinal"} <= set(hearing["pautaAudienciaHorario"])
    assert all(h["status"] == "M" for h in data["resultado"])
    one = client.get(f"{api}/pauta-usuarios-externos", params={**params, "numeroPagina": 2, "tamanhoPagina": 1}).json()
    assert one["qtdPaginas"] == data["totalRegistros"]
    assert one["resultado"] == data["resultado"][1:2]
    desc = client.get(f"{api}/pauta-usuarios-externos", params={**params, "ordenacao": "desc"}).json()
    assert desc["resultado"] == data["resultado"][::-1]


@pytest.mark.parametrize(
    "params",
    [
        {"dataInicio": "2026-13-01", "dataFim": "2026-12-31"},
        {"dataFim": "2026-12-31"},
        {"dataInicio": "2026-01-01", "dataFim": "2026-12-31", "codigoSituacao": "X"},
        {"dataInicio": "2026-01-01", "dataFim": "2026-12-31", "numeroPagina": "um"},
    ],
)
def test_pauta_bad_parameters_get_400_json(trt3, params):
    """A bad or missing parameter gets 400 with a JSON error naming it."""
    response = trt3["client"].get(f"{trt3['api']}/pauta-usuarios-externos", params=params)
    assert response.status_code == 400
    assert response.json()["mensagem"]


def test_painel_bad_parameter_gets_400_and_unknown_ones_are_ignored(trt3):
    """pagina=abc is 400; a parameter PJE does not know is ignored."""
    url = f"{trt3['api']}/paineladvogado/{trt3['id']}/processos"
    assert trt3["client"].get(url, params={"idAgrupamentoProcessoTarefa": 1, "pagina": "abc"}).status_code == 400
    assert trt3["client"].get(url, params={"idAgrupamentoProcessoTarefa": 1, "foo": "bar"}).status_code == 200


def test_partes_object_shape_and_404_for_a_case_without_parties(pje_sandbox: SandboxClient, trt3):
    """Partes: {ATIVO, PASSIVO, TERCEIROS} with representatives and addresses at TRT3; 404 for a case with none."""
    client, api = trt3["client"], trt3["api"]
    statuses = {}
    sample = None
    for row in trt3["acervo"]:
        response = client.get(f"{api}/processos/id/{row['id']}/partes", params={"retornaEndereco": "true"})
        statuses[row["id"]] = response.status_code
        if response.status_code == 200 and sample is None:
            sample = response.json()
    assert set(statuses.values()) <= {200, 404}, statuses
    assert sample is not None
    assert set(sample) == {"ATIVO", "PASSIVO", "TERCEIROS"}
    parte = sample["ATIVO"][0]
    for field in ("id", "idPessoa", "polo", "tipo", "idTipoParte", "nome", "documento", "tipoDocumento"):
        assert field in parte
    representantes = [r for p in sample["ATIVO"] + sample["PASSIVO"] for r in p.get("representantes", [])]
    assert any(re.match(r"^[A-Z]{2}\d+", r.get("numeroOab", "")) for r in representantes)


def test_partes_404_for_a_case_without_parties(pje_sandbox: SandboxClient, trt3):
    """A case with no parties answers 404 (the capture then records none)."""
    user, client = _pick(pje_sandbox, trt3, "partes", lambda casos: any(c["sem_partes"] for c in casos))
    truth = pje_sandbox.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf, tipo="partes")
    casos = truth["tribunais"]["TRT3"]["primeiro_grau"][user.cpf]["partes"]
    empty = next(c["id_processo"] for c in casos if c["sem_partes"])
    full = next(c["id_processo"] for c in casos if not c["sem_partes"])
    response = client.get(f"{trt3['api']}/processos/id/{empty}/partes")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert client.get(f"{trt3['api']}/processos/id/{full}/partes").status_code == 200


def test_partes_is_a_plain_array_at_some_tribunals(pje_sandbox: SandboxClient):
    """At TRT2 the partes endpoint answers a plain array instead of the object."""
    user = pje_sandbox.users[1]
    with contextlib.closing(pje_sandbox.login(user, "TRT2", "primeiro_grau")) as client:
        api = pje_sandbox.api_url("TRT2")
        rows = _all_pages(
            client, f"{api}/paineladvogado/{user.ids_advogado['TRT2']}/processos", {"idAgrupamentoProcessoTarefa": 1}
        )
        bodies = [client.get(f"{api}/processos/id/{r['id']}/partes") for r in rows[:10]]
    shapes = {type(b.json()).__name__ for b in bodies if b.status_code == 200}
    assert shapes == {"list"}


def test_timeline_documents_and_pdf(trt3):
    """Timeline is a plain array; a document's metadata comes from /documentos/id; /conteudo is a real PDF."""
    client, api = trt3["client"], trt3["api"]
    for row in trt3["acervo"]:
        timeline = client.get(
            f"{api}/processos/id/{row['id']}/timeline",
            params={"somenteDocumentosAssinados": "false", "buscarMovimentos": "true", "buscarDocumentos": "true"},
        )
        assert timeline.status_code == 200
        items = timeline.json()
        assert isinstance(items, list)
        docs = [i for i in items if i.get("documento")]
        if docs:
            break
    else:
        pytest.fail("no case of TRT3's lawyer has documents")
    assert all(isinstance(i["id"], int) and "titulo" in i and TIMESTAMP.match(i["data"]) for i in items)
    doc = docs[0]
    base = f"{api}/processos/id/{row['id']}/documentos/id/{doc['id']}"
    meta = client.get(base, params={"incluirAssinatura": "false", "incluirAnexos": "false", "grau": 1})
    assert meta.status_code == 200
    assert meta.json()["id"] == doc["id"]
    pdf = client.get(f"{base}/conteudo", params={"incluirCapa": "false", "incluirAssinatura": "true", "grau": 1})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.get(f"{api}/processos/id/{row['id']}/documentos/id/1").status_code == 404
    assert client.get(base, params={"grau": 3}).status_code == 400


def test_perfis_gives_the_lawyer_id(trt3, pje_sandbox: SandboxClient):
    """/pje-seguranca/api/token/perfis lists the ADVOGADO profile whose idPerfil is the lawyer id."""
    response = trt3["client"].get(pje_sandbox.base_url("TRT3") + "/pje-seguranca/api/token/perfis")
    perfis = response.json()
    advogado = [p for p in perfis if p["identificadorPapel"] == "ADVOGADO"]
    assert [p["idPerfil"] for p in advogado] == [trt3["id"]]


def test_keep_alive_needs_a_session(trt3, pje_sandbox: SandboxClient):
    """sincronia/sessao answers 200 with a session and 401 without one."""
    url = pje_sandbox.base_url("TRT3") + "/primeirograu/seam/resource/rest/api/sincronia/sessao"
    assert trt3["client"].get(url).status_code == 200
    assert httpx.get(url).status_code == 401


def test_bearer_header_is_refused_even_with_a_valid_token(trt3):
    """Cookie-only auth: the same JWT sent as Authorization: Bearer gets 401."""
    token = trt3["client"].cookies["access_token"]
    url = f"{trt3['api']}/paineladvogado/{trt3['id']}/totalizadores"
    assert httpx.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, cookies={"access_token": token + "x"}).status_code == 401


def test_cookies_of_one_tribunal_are_refused_by_another(trt3, pje_sandbox: SandboxClient):
    """TRT3's access_token sent to TRT5 gets 401: sessions are kept apart per tribunal."""
    token = trt3["client"].cookies["access_token"]
    user = trt3["user"]
    other = next(t for t in ("TRT5", "TRT1", "TRT2") if t in user.ids_advogado)
    url = f"{pje_sandbox.api_url(other)}/paineladvogado/{user.ids_advogado[other]}/totalizadores"
    assert httpx.get(url, cookies={"access_token": token}).status_code == 401


def test_another_lawyers_panel_and_cases_are_forbidden(trt3, pje_sandbox: SandboxClient):
    """Another lawyer's id in paineladvogado/{id} gets 403, and so does a case that is not the lawyer's."""
    client, api = trt3["client"], trt3["api"]
    assert client.get(f"{api}/paineladvogado/{trt3['id'] + 1}/totalizadores").status_code == 403
    mine = {r["id"] for r in trt3["acervo"]}
    other = pje_sandbox.users[2]
    with contextlib.closing(pje_sandbox.login(other, "TRT3", "primeiro_grau")) as other_client:
        theirs = _all_pages(
            other_client,
            f"{api}/paineladvogado/{other.ids_advogado['TRT3']}/processos",
            {"idAgrupamentoProcessoTarefa": 1},
        )
    foreign = next(r["id"] for r in theirs if r["id"] not in mine)
    assert client.get(f"{api}/processos/id/{foreign}/partes").status_code == 403
    assert client.get(f"{api}/processos/id/{foreign}/timeline").status_code == 403
