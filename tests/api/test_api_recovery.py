"""The recovery routes over RecoveryService: list, gap analysis, elements and reprocess; no party's CPF out."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sinesys_spiders.core.capturas_jobs import ServicoCapturas
from sinesys_spiders.core.crypto import Cipher
from sinesys_spiders.core.db.models import Parte, Processo
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.testing.canary import CANARIES, CANARY_CPF, CANARY_CPF_FORMATADO
from sinesys_spiders.testing.rawlog_contract import make_entry, partes_payload

pytestmark = pytest.mark.requires_postgres

NUMERO = "0010702-80.2025.5.03.0111"


def _sem_documentos(response: httpx.Response) -> None:
    for name, value in CANARIES.items():
        assert value not in response.text, name
    assert "11.222.333/0001-81" not in response.text  # the other party's CNPJ
    assert "11222333000181" not in response.text


@pytest.fixture(scope="module")
def paginas(settings: Any, factory: Any, dados: dict[str, Any]) -> dict[str, Any]:
    """A capture with two raw pages of TRT3 1º grau: the case list (one case) and that case's parties (a person
    with the canary CPF, a company with a CNPJ); nothing of them stored yet, so everything is a gap."""
    credencial = dados["credenciais"][0]
    captura_id = ServicoCapturas(factory).criar(
        "acervo_geral", advogado_id=dados["advogado"], credencial_ids=[credencial], parametros={}, origem="cli"
    )
    comum = {"captura_id": captura_id, "advogado_id": dados["advogado"], "credencial_id": credencial}
    acervo = make_entry(**comum)
    partes = make_entry(
        **comum,
        tipo_captura=TipoCaptura.PARTES,
        tribunal=Tribunal("TRT3"),
        grau=Grau.PRIMEIRO_GRAU,
        requisicao={
            "path": "/pje-comum-api/api/processos/id/2345678/partes",
            "params": {},
            "processo_id": 1,
            "numero_processo": NUMERO,
        },
        payload_bruto=partes_payload(),
    )
    store = SqlRawLogStore(factory, cipher=Cipher.from_text(settings.secret_key.get_secret_value()))
    store.append_many([acervo, partes])
    return {"captura": captura_id, "acervo": acervo.raw_log_id, "partes": partes.raw_log_id}


async def test_the_list_filters_pages_and_counts_the_raw_log(client, como, paginas):
    """GET recovery: the seed's item fields, filters by capture, type and status, statistics with gaps."""
    response = await client.get(
        f"/api/captura/recovery?captura_log_id={paginas['captura']}&incluir_estatisticas=true", headers=como("leitura")
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["total"] == 2
    assert {i["id"] for i in data["logs"]} == {paginas["acervo"], paginas["partes"]}
    item = next(i for i in data["logs"] if i["id"] == paginas["partes"])
    assert {"id", "capturaLogId", "tipoCaptura", "status", "trt", "grau", "advogadoId", "criadoEm",
            "numeroProcesso", "erro"} <= set(item)  # fmt: skip
    assert (item["tipoCaptura"], item["trt"], item["status"]) == ("partes", "TRT3", "success")
    est = data["estatisticas"]
    assert est["porStatus"] == {"success": 2}
    assert est["gaps"]["parte"] == 2
    assert est["gaps"]["processo"] == 1
    so_partes = await client.get("/api/captura/recovery?tipo_captura=partes&limite=1", headers=como("leitura"))
    assert [i["id"] for i in so_partes.json()["data"]["logs"]] == [paginas["partes"]]
    assert "estatisticas" not in so_partes.json()["data"] or so_partes.json()["data"]["estatisticas"] is None
    for bad in ("status=talvez", "limite=101", "data_inicio=ontem", "trt=TRT99"):
        refused = await client.get(f"/api/captura/recovery?{bad}", headers=como("leitura"))
        assert refused.status_code == 400, bad
        assert refused.json()["detalhes"][0]["campo"] == bad.split("=")[0]
    _sem_documentos(response)


async def test_one_entry_shows_its_gaps_and_elements_with_documents_masked(client, como, paginas):
    """GET recovery/{id}: expected vs stored and the missing parties; /elementos: every element, no payload,
    no party's CPF or CNPJ in any field."""
    response = await client.get(f"/api/captura/recovery/{paginas['partes']}", headers=como("leitura"))
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["totais"]["parte"] == {"esperados": 2, "persistidos": 0, "faltantes": 2}
    assert len(data["gaps"]["partesFaltantes"]) == 2
    assert data["payloadDisponivel"] is True
    _sem_documentos(response)
    elementos = await client.get(f"/api/captura/recovery/{paginas['partes']}/elementos", headers=como("leitura"))
    assert elementos.status_code == 200, elementos.text
    lista = elementos.json()["data"]["elementos"]
    partes = [e for e in lista if e["tipo"] == "parte"]
    assert {e["statusPersistencia"] for e in partes} == {"faltando"}
    assert all(e["dadosBrutos"] is None for e in lista)
    assert partes[0]["contexto"]["numero_processo"] == NUMERO
    _sem_documentos(elementos)
    for path in ("nao-existe", "x" * 65, "nao-existe/elementos"):
        missing = await client.get(f"/api/captura/recovery/{path}", headers=como("leitura"))
        assert missing.status_code == 404, path


async def test_reprocess_stores_the_gaps_from_the_raw_log_as_the_caller(client, como, paginas, factory):
    """POST reprocess (scope captura) re-persists the capture's pages: the case, then its parties; the run is a
    capture of origin recovery; cadastro_pje and a body naming both or neither target are 400."""
    corpo = {"capturaLogId": paginas["captura"], "filtros": {"apenasGaps": True, "forcarAtualizacao": False}}
    leitura = await client.post("/api/captura/recovery/reprocess", json=corpo, headers=como("leitura"))
    assert leitura.status_code == 403
    cadastro = await client.post(
        "/api/captura/recovery/reprocess", json={**corpo, "tiposElementos": ["parte", "cadastro_pje"]},
        headers=como("captura"),
    )  # fmt: skip
    assert cadastro.status_code == 400
    assert cadastro.json()["detalhes"][0]["campo"] == "tiposElementos"
    ambos = await client.post(
        "/api/captura/recovery/reprocess", json={**corpo, "rawLogIds": [paginas["acervo"]]}, headers=como("captura")
    )
    assert ambos.status_code == 400
    desconhecida = await client.post(
        "/api/captura/recovery/reprocess", json={"capturaLogId": 999999}, headers=como("captura")
    )
    assert desconhecida.status_code == 404

    response = await client.post("/api/captura/recovery/reprocess", json=corpo, headers=como("captura"))
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["sucesso"] is True, data
    assert (data["totalDocumentos"], data["totalErros"]) == (2, 0)
    assert data["inseridos"] >= 3  # the case and its two parties
    _sem_documentos(response)
    with factory() as session:
        assert session.query(Processo).filter_by(numero_processo=NUMERO).count() == 1
        assert session.query(Parte).filter(Parte.cpf == CANARY_CPF).count() == 1  # stored, never answered
        recovery = ServicoCapturas(factory).obter(data["capturaIds"][0])
        assert (recovery.origem, recovery.solicitante) == ("recovery", "chave:teste-captura")
    depois = await client.get(f"/api/captura/recovery/{paginas['partes']}", headers=como("leitura"))
    assert depois.json()["data"]["gaps"]["partesFaltantes"] == []
    assert CANARY_CPF_FORMATADO not in depois.text


def test_masking_covers_every_form_of_a_document_and_leaves_case_numbers_alone():
    """Any CPF/CNPJ in a text (digits or formatted) is masked; a document field masked whole; a case number and
    our own ids are left as they are."""
    from api.mascaras import sem_documentos

    dados = {
        "id": "39053344705",
        "erro": f"falhou {CANARY_CPF} / 11222333000181",
        "contexto": {"numero_processo": NUMERO, "documento": "XYZ", "nota": CANARY_CPF_FORMATADO},
    }
    limpo = sem_documentos(dados)
    assert limpo["id"] == "39053344705"
    assert limpo["erro"] == "falhou 390.***.***-05 / 11.***.***/****-81"
    assert limpo["contexto"] == {"numero_processo": NUMERO, "documento": "***", "nota": "390.***.***-05"}
