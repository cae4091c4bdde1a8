"""Every route of api-seed.md and the onboarding routes: success shapes, error cases, no secret out."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import httpx
import pytest
from starlette.routing import Route

from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.crypto import Cipher
from sinesys_spiders.core.db.models import CapturaLog
from sinesys_spiders.core.domain import BRASILIA
from sinesys_spiders.testing.canary import CANARIES, CANARY_SENHA_2, CANARY_TWOFAUTH_TOKEN
from sinesys_spiders.testing.credenciais_fixtures import ADVOGADO_CPF

pytestmark = pytest.mark.requires_postgres


def _sem_segredos(response: httpx.Response) -> None:
    for name, value in CANARIES.items():
        assert value not in response.text, name


@pytest.fixture(scope="module")
def capturas(factory: Any, dados: dict[str, Any]) -> list[int]:
    """Five history rows of two lawyers, types and statuses."""
    now = dt.datetime.now(dt.UTC)
    specs = [
        ("acervo_geral", dados["advogado"], "completed"),
        ("acervo_geral", dados["advogado"], "failed"),
        ("audiencias", dados["advogado"], "in_progress"),
        ("pendentes", dados["advogado2"], "completed"),
        ("partes", dados["advogado2"], "pending"),
    ]
    with factory.begin() as session:
        rows = [
            CapturaLog(
                tipo_captura=t,
                advogado_id=a,
                credencial_ids=[1],
                status=s,
                parametros={},
                resultado={"credenciais_processadas": 1},
                iniciado_em=now,
                created_at=now - dt.timedelta(days=i),
            )
            for i, (t, a, s) in enumerate(specs)
        ]
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


async def test_credenciais_lists_credentials_with_their_lawyer_and_no_secret(client, como, dados):
    """The seed's shape; the lawyer's CPF masked for leitura and whole for admin; never a secret."""
    response = await client.get("/api/captura/credenciais", headers=como("leitura"))
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == {"credenciais", "tribunais_disponiveis", "graus_disponiveis"}
    first = next(c for c in data["credenciais"] if c["id"] == dados["credenciais"][0])
    assert set(first) == {
        "id", "advogado_id", "advogado_nome", "advogado_cpf", "advogado_oab", "advogado_uf_oab",
        "tribunal", "grau", "active", "created_at", "updated_at",
    }  # fmt: skip
    assert first["advogado_cpf"] == "529.***.***-25"
    assert first["advogado_oab"] == "123456"
    assert "TRT3" in data["tribunais_disponiveis"]
    assert data["graus_disponiveis"][0] == "primeiro_grau"
    _sem_segredos(response)
    admin = await client.get("/api/captura/credenciais", headers=como("admin"))
    assert ADVOGADO_CPF in admin.text
    _sem_segredos(admin)
    inativas = await client.get("/api/captura/credenciais?active=false", headers=como("leitura"))
    assert all(not c["active"] for c in inativas.json()["data"]["credenciais"])
    bad = await client.get("/api/captura/credenciais?active=talvez", headers=como("leitura"))
    assert bad.status_code == 400
    assert bad.json()["detalhes"] == [{"campo": "active", "motivo": "deve ser true ou false"}]


async def test_credenciais_mapa_groups_active_credentials_by_lawyer_and_tribunal(client, como, dados):
    """One entry per lawyer, tribunals inside, credentials per grau."""
    response = await client.get("/api/captura/credenciais-mapa", headers=como("leitura"))
    advogados = {a["advogado_id"]: a for a in response.json()["data"]["advogados"]}
    mine = advogados[dados["advogado"]]
    assert [t["tribunal"] for t in mine["tribunais"]] == ["TRT3"]
    assert {c["grau"] for c in mine["tribunais"][0]["credenciais"]} >= {"primeiro_grau", "segundo_grau"}
    _sem_segredos(response)


async def test_onboarding_a_lawyer_and_a_credential_encrypts_the_secrets_and_never_returns_them(
    client, como, settings, factory, caplog
):
    """Create, update, disable and enable a lawyer and a credential; secrets only go in."""
    caplog.set_level(logging.DEBUG)
    novo = {"nome_completo": "Clara Nova", "cpf": "935.411.347-80", "oabs": [{"numero": "999", "uf": "SP"}]}
    created = await client.post("/api/captura/advogados", json=novo, headers=como("admin"))
    assert created.status_code == 201
    adv = created.json()["data"]
    assert adv["cpf"] == "93541134780"
    assert adv["ativo"] is True
    dup = await client.post("/api/captura/advogados", json=novo, headers=como("admin"))
    assert dup.status_code == 400
    body = {
        "advogado_id": adv["id"],
        "tribunal": "TRT15",
        "grau": "primeiro_grau",
        "senha": CANARY_SENHA_2,
        "twofauth": {"url": "https://2fa.example.com", "token": CANARY_TWOFAUTH_TOKEN, "account_id": 3},
    }
    cred = await client.post("/api/captura/credenciais", json=body, headers=como("admin"))
    assert cred.status_code == 201, cred.text
    cred_id = cred.json()["data"]["id"]
    _sem_segredos(cred)
    service = CredenciaisService(factory, Cipher.from_text(settings.secret_key.get_secret_value()))
    stored = service.get(cred_id)
    assert stored.senha.get_secret_value() == CANARY_SENHA_2
    assert stored.twofauth is not None
    changed = await client.put(
        f"/api/captura/credenciais/{cred_id}", json={"senha": "nova-senha-1"}, headers=como("admin")
    )
    assert changed.status_code == 200
    service.invalidate()
    assert service.get(cred_id).senha.get_secret_value() == "nova-senha-1"
    off = await client.post(f"/api/captura/credenciais/{cred_id}/desativar", headers=como("admin"))
    assert off.json()["data"]["active"] is False
    on = await client.post(f"/api/captura/credenciais/{cred_id}/ativar", headers=como("admin"))
    assert on.json()["data"]["active"] is True
    renamed = await client.put(
        f"/api/captura/advogados/{adv['id']}", json={"nome_completo": "Clara N."}, headers=como("admin")
    )
    assert renamed.json()["data"]["nome_completo"] == "Clara N."
    off = await client.post(f"/api/captura/advogados/{adv['id']}/desativar", headers=como("admin"))
    assert off.json()["data"]["ativo"] is False
    listed = await client.get("/api/captura/advogados?ativo=false", headers=como("leitura"))
    assert [a["id"] for a in listed.json()["data"]["advogados"]] == [adv["id"]]
    assert listed.json()["data"]["advogados"][0]["cpf"] == "935.***.***-80"
    on = await client.post(f"/api/captura/advogados/{adv['id']}/ativar", headers=como("admin"))
    assert on.json()["data"]["ativo"] is True
    for value in CANARIES.values():
        assert value not in caplog.text


@pytest.mark.parametrize(
    ("body", "campo"),
    [
        ({"tribunal": "TRT99", "grau": "primeiro_grau", "senha": "s"}, "tribunal"),
        ({"tribunal": "TRT3", "grau": "quinto_grau", "senha": "s"}, "grau"),
        ({"tribunal": "TRT3", "grau": "primeiro_grau", "senha": "s", "totp_secret": "não-base32"}, "totp_secret"),
        ({"tribunal": "TRT3", "grau": "primeiro_grau"}, "senha"),
        ({"tribunal": "TRT3", "grau": "primeiro_grau", "senha": "s", "extra": 1}, "extra"),
    ],
)
async def test_a_bad_credential_is_400_naming_the_field_in_portuguese_and_never_the_value(
    client, como, dados, body, campo
):
    """Each refused field comes back with its reason; the refused value does not."""
    response = await client.post(
        "/api/captura/credenciais", json={"advogado_id": dados["advogado2"], **body}, headers=como("admin")
    )
    assert response.status_code == 400
    campos = [d["campo"] for d in response.json()["detalhes"]]
    assert campo in campos
    assert "não-base32" not in response.text


async def test_unknown_ids_are_404(client, como):
    """Lawyers, credentials, schedules, captures and tribunals that do not exist."""
    for method, path in [
        ("GET", "/api/captura/advogados/999999"),
        ("PUT", "/api/captura/credenciais/999999"),
        ("POST", "/api/captura/credenciais/999999/ativar"),
        ("GET", "/api/captura/agendamentos/999999"),
        ("DELETE", "/api/captura/agendamentos/999999"),
        ("GET", "/api/captura/historico/999999"),
        ("GET", "/api/captura/historico/99999999999999"),
        ("GET", "/api/captura/tribunais/TRT99-primeiro_grau"),
    ]:
        response = await client.request(method, path, json={} if method == "PUT" else None, headers=como("admin"))
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["success"] is False


async def test_historico_is_filtered_and_paged_as_the_frontend_expects(client, como, capturas, dados):
    """Filters by type, lawyer, status and dates; pages with total and totalPaginas."""
    response = await client.get("/api/captura/historico?limite=2&pagina=1", headers=como("leitura"))
    data = response.json()["data"]
    assert data["limite"] == 2
    assert data["pagina"] == 1
    assert data["total"] >= 5
    assert data["totalPaginas"] == -(-data["total"] // 2)
    item = data["capturas"][0]
    assert {"id", "tipo_captura", "advogado_id", "credencial_ids", "status", "resultado", "erro", "iniciado_em",
            "concluido_em"} <= set(item)  # fmt: skip
    filtrado = await client.get(
        f"/api/captura/historico?tipo_captura=acervo_geral&advogado_id={dados['advogado']}&status=failed",
        headers=como("leitura"),
    )
    assert [c["id"] for c in filtrado.json()["data"]["capturas"]] == [capturas[1]]
    hoje = dt.datetime.now(BRASILIA).date().isoformat()  # dates are Brasília days
    recentes = await client.get(f"/api/captura/historico?data_inicio={hoje}", headers=como("leitura"))
    assert capturas[0] in [c["id"] for c in recentes.json()["data"]["capturas"]]
    assert capturas[4] not in [c["id"] for c in recentes.json()["data"]["capturas"]]
    one = await client.get(f"/api/captura/historico/{capturas[2]}", headers=como("leitura"))
    assert one.json()["data"]["status"] == "in_progress"
    for bad in ("limite=101", "pagina=0", "status=desconhecido", "data_inicio=ontem", "advogado_id=x"):
        response = await client.get(f"/api/captura/historico?{bad}", headers=como("leitura"))
        assert response.status_code == 400, bad
        assert response.json()["detalhes"][0]["campo"] == bad.split("=")[0]


async def test_agendamentos_crud_with_validation(client, como, dados):
    """Create (201, proxima_execucao), list with filters, read, change, delete; bad input is 400 per field."""
    body = {
        "tipo_captura": "pendentes",
        "advogado_id": dados["advogado"],
        "credencial_ids": dados["credenciais"],
        "periodicidade": "diario",
        "horario": "07:00",
        "parametros_extras": {"filtrosPrazo": ["no_prazo"]},
    }
    created = await client.post("/api/captura/agendamentos", json=body, headers=como("captura"))
    assert created.status_code == 201, created.text
    ag = created.json()["data"]
    assert ag["ativo"] is True
    assert ag["proxima_execucao"]
    assert ag["created_at"]
    assert ag["updated_at"]
    proxima = dt.datetime.fromisoformat(ag["proxima_execucao"])
    assert proxima > dt.datetime.now(dt.UTC)
    listed = await client.get(
        f"/api/captura/agendamentos?advogado_id={dados['advogado']}&ativo=true&ordenar_por=id&ordem=desc",
        headers=como("leitura"),
    )
    assert ag["id"] in [a["id"] for a in listed.json()["data"]["agendamentos"]]
    changed = await client.put(
        f"/api/captura/agendamentos/{ag['id']}",
        json={"periodicidade": "a_cada_N_dias", "dias_intervalo": 3, "horario": "22:30"},
        headers=como("captura"),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["dias_intervalo"] == 3
    assert changed.json()["data"]["horario"] == "22:30"
    assert (await client.delete(f"/api/captura/agendamentos/{ag['id']}", headers=como("captura"))).status_code == 200
    gone = await client.get(f"/api/captura/agendamentos/{ag['id']}", headers=como("leitura"))
    assert gone.status_code == 404

    missing = await client.post("/api/captura/agendamentos", json={}, headers=como("captura"))
    assert missing.status_code == 400
    campos = {d["campo"] for d in missing.json()["detalhes"]}
    assert campos == {"tipo_captura", "advogado_id", "credencial_ids", "periodicidade", "horario"}
    assert {d["motivo"] for d in missing.json()["detalhes"]} == {"obrigatório"}
    sem_intervalo = await client.post(
        "/api/captura/agendamentos", json={**body, "periodicidade": "a_cada_N_dias"}, headers=como("captura")
    )
    assert sem_intervalo.status_code == 400
    assert "dias_intervalo" in sem_intervalo.text
    alheio = await client.post(
        "/api/captura/agendamentos",
        json={**body, "parametros_extras": {"dataInicio": "2026-02-01", "dataFim": "2026-01-01"}},
        headers=como("captura"),
    )
    assert alheio.status_code == 400  # dates reversed, and pendentes takes no dates: refused when saved
    assert alheio.json()["detalhes"][0]["campo"] == "parametros_extras"
    hora = await client.post("/api/captura/agendamentos", json={**body, "horario": "25:00"}, headers=como("captura"))
    assert hora.json()["detalhes"][0]["campo"] == "horario"
    vazio = await client.post("/api/captura/agendamentos", json={**body, "credencial_ids": []}, headers=como("captura"))
    assert vazio.json()["detalhes"][0]["campo"] == "credencial_ids"
    alheia = await client.post(
        "/api/captura/agendamentos",
        json={**body, "credencial_ids": [dados["credencial_alheia"]]},
        headers=como("captura"),
    )
    assert alheia.status_code == 400
    assert alheia.json()["detalhes"] == {
        "advogado_id": dados["advogado"],
        "credencial_ids": [dados["credencial_alheia"]],
    }


async def test_start_routes_check_the_ids_before_anything_is_created(client, como, dados, factory):
    """Another lawyer's credential is 400 with the ids; an unknown one 404 with the ids; nothing written."""
    with factory() as session:
        before = session.query(CapturaLog).count()
    for path in ("acervo-geral", "arquivados", "audiencias", "pendentes-manifestacao", "partes", "combinada"):
        alheia = await client.post(
            f"/api/captura/trt/{path}",
            json={"advogado_id": dados["advogado"], "credencial_ids": [dados["credencial_alheia"]]},
            headers=como("captura"),
        )
        assert alheia.status_code == 400, path
        assert alheia.json()["detalhes"]["credencial_ids"] == [dados["credencial_alheia"]]
        unknown = await client.post(
            f"/api/captura/trt/{path}",
            json={"advogado_id": dados["advogado"], "credencial_ids": [999999]},
            headers=como("captura"),
        )
        assert unknown.status_code == 404
        assert unknown.json()["detalhes"] == {"credencial_ids": [999999]}
    bad_dates = await client.post(
        "/api/captura/trt/audiencias",
        json={"advogado_id": 1, "credencial_ids": [1], "dataInicio": "2026-02-01", "dataFim": "2026-01-01"},
        headers=como("captura"),
    )
    assert bad_dates.status_code == 400
    assert "dataFim" in bad_dates.text
    timeline = await client.post(
        "/api/captura/trt/timeline",
        json={"trtCodigo": "TRT7", "grau": "primeiro_grau", "processoId": "123", "advogadoId": dados["advogado"]},
        headers=como("captura"),
    )
    assert timeline.status_code == 404
    with factory() as session:
        assert session.query(CapturaLog).count() == before


async def test_tribunais_lists_reads_and_overrides_urls(client, como):
    """Every tribunal and grau of the plugins; admin points one at other URLs; bad URLs are 400."""
    response = await client.get("/api/captura/tribunais", headers=como("leitura"))
    ids = [t["id"] for t in response.json()["data"]["tribunais"]]
    assert "TRT3-primeiro_grau" in ids
    assert len(ids) >= 48
    one = await client.get("/api/captura/tribunais/TRT3-primeiro_grau", headers=como("leitura"))
    assert one.json()["data"]["override"] == []
    put = await client.put(
        "/api/captura/tribunais/TRT3-primeiro_grau", json={"base_url": "http://127.0.0.1:9"}, headers=como("admin")
    )
    assert put.status_code == 200, put.text
    assert put.json()["data"]["base_url"] == "http://127.0.0.1:9"
    assert put.json()["data"]["override"] == ["base_url"]
    bad = await client.put(
        "/api/captura/tribunais/TRT3-primeiro_grau", json={"base_url": "ftp://x"}, headers=como("admin")
    )
    assert bad.status_code == 400


async def test_a_body_over_the_limit_is_413_and_bad_json_is_400(client, como, app):
    """The size limit holds with and without Content-Length."""
    big = b'{"x": "' + b"a" * (app.state.api_settings.max_body + 10) + b'"}'
    response = await client.post(
        "/api/captura/agendamentos", content=big, headers={**como("captura"), "content-type": "application/json"}
    )
    assert response.status_code == 413

    async def chunks():
        for _ in range(20):
            yield b"a" * 100_000

    streamed = await client.post("/api/captura/agendamentos", content=chunks(), headers=como("captura"))
    assert streamed.status_code == 413
    bad = await client.post(
        "/api/captura/agendamentos", content=b"{nope", headers={**como("captura"), "content-type": "application/json"}
    )
    assert bad.status_code == 400
    assert bad.json()["detalhes"] == [{"campo": "corpo", "motivo": "JSON inválido"}]


async def test_an_unexpected_error_is_500_with_an_id_that_is_in_the_log_and_no_traceback(app, client, como, caplog):
    """The answer has only an error id; the log line has the same id."""

    async def boom(request):
        raise RuntimeError(f"segredo {CANARY_SENHA_2}")

    app.router.routes.append(Route("/api/teste-erro", boom))
    try:
        response = await client.get("/api/teste-erro", headers=como("leitura"))
    finally:
        app.router.routes.pop()
    assert response.status_code == 500
    body = response.json()
    assert set(body) == {"success", "error", "error_id"}
    assert "Traceback" not in response.text
    assert CANARY_SENHA_2 not in response.text
    assert body["error_id"] in caplog.text
    assert CANARY_SENHA_2 not in caplog.text


async def test_cancelling_a_pending_capture_ends_it_and_a_finished_one_is_409(client, como, dados, factory):
    """POST historico/{id}/cancelar goes through the capture service: pending -> cancelled; finished -> 409."""
    from sinesys_spiders.core.capturas_jobs import ServicoCapturas

    servico = ServicoCapturas(factory)
    captura_id = servico.criar(
        "acervo_geral", advogado_id=dados["advogado"], credencial_ids=dados["credenciais"], parametros={},
        origem="api", solicitante="chave:teste",
    )  # fmt: skip
    assert (
        await client.post(f"/api/captura/historico/{captura_id}/cancelar", headers=como("leitura"))
    ).status_code == 403
    response = await client.post(f"/api/captura/historico/{captura_id}/cancelar", headers=como("captura"))
    assert response.status_code == 200, response.text
    one = await client.get(f"/api/captura/historico/{captura_id}", headers=como("leitura"))
    assert one.json()["data"]["status"] == "cancelled"
    again = await client.post(f"/api/captura/historico/{captura_id}/cancelar", headers=como("captura"))
    assert again.status_code == 409
    missing = await client.post("/api/captura/historico/999999/cancelar", headers=como("captura"))
    assert missing.status_code == 404


async def test_an_unreachable_runner_is_503_and_leaves_no_capture_behind(
    settings, api_settings, chaves, dados, factory
):
    """Start routes and executar answer 503 when the runner cannot take the job; no history row stays."""
    from api.app import create_app

    sem_runner = settings.model_copy(update={"runner": "scrapyd", "scrapyd_url": "http://127.0.0.1:9"})
    app = create_app(sem_runner, api_settings=api_settings)
    headers = {"x-service-api-key": chaves["captura"]}
    with factory() as session:
        before = session.query(CapturaLog).count()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        body = {"advogado_id": dados["advogado"], "credencial_ids": dados["credenciais"]}
        started = await c.post("/api/captura/trt/acervo-geral", json=body, headers=headers)
        assert started.status_code == 503, started.text
        ag = await c.post(
            "/api/captura/agendamentos",
            json={**body, "tipo_captura": "arquivados", "periodicidade": "diario", "horario": "06:00"},
            headers=headers,
        )
        executar = await c.post(f"/api/captura/agendamentos/{ag.json()['data']['id']}/executar", headers=headers)
        assert executar.status_code == 503
    with factory() as session:
        assert session.query(CapturaLog).count() == before
