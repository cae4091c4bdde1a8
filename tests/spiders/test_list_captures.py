"""The four list captures end to end: `scrapy crawl` against the sandbox into PostgreSQL.

One sandbox for the module (a firm-sized lawyer: several pages on TRT5, a small TRT9 and the TST) and one database
whose stored sessions every test reuses, so logins stay few. An end-to-end crawl runs once, on PostgreSQL; the storage
code it goes through (upsert, versions, history, sessions) is proven on SQLite too by its own tests (tests/core,
tests/pipelines), and ``tests/test_demo.py`` crawls into SQLite end to end. The tests run in order: the first capture,
a second one that changes nothing, one after the world advanced, then the failure cases.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sinesys_spiders.core.db.models import RegistroVersao
from sinesys_spiders.testing.db_fixtures import on_postgresql
from sinesys_spiders.testing.sandbox_fixtures import DemoUser, SandboxClient

pytestmark = [pytest.mark.requires_browser, pytest.mark.slow, pytest.mark.e2e, on_postgresql]

ONDE = (("TRT5", "primeiro_grau"), ("TRT9", "primeiro_grau"), ("TST", "tribunal_superior"))
FAULTS = {
    "name": "e2e-faults",
    "seed": 5,
    "error_rates": {"500": 0.04, "502": 0.03, "503": 0.03},
    "rate_limit": 0.03,
    "retry_after": 1,
    "session_expiry": {"after_requests": 8, "times": 1},
}


Registros = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


@dataclasses.dataclass
class Principal:
    e2e: Any  # conftest.CapturaE2E
    user: DemoUser
    credenciais: list[int]


def _needs_chromium() -> None:
    from sinesys_spiders.core.browser import resolve_browser
    from sinesys_spiders.core.config import Settings

    choice = resolve_browser(Settings())
    if choice.cdp_url is None and (choice.executable is None or not choice.executable.exists()):
        pytest.skip("no Chromium for Playwright")


@pytest.fixture(scope="module")
def principal(captura_factory: Any, captura_sandbox: SandboxClient) -> Principal:
    """The firm's main lawyer (user 0) with credentials on TRT5 1º, TRT9 1º and the TST, in this back end's DB."""
    _needs_chromium()
    e2e = captura_factory()
    user = captura_sandbox.users[0]
    return Principal(e2e, user, [e2e.credencial(user, t, g) for t, g in ONDE])


def _totais(e2e: Any, crawls: list[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for crawl in crawls:
        for key, value in e2e.resumo(crawl.captura_id).totais.items():
            out[key] = out.get(key, 0) + value
    return out


def _logins(sandbox: SandboxClient) -> int:
    return sum(sandbox.counters()["logins"].values())


def _changes(before: Registros, after: Registros) -> tuple[int, int]:
    novos = sum(len(after[t].keys() - before[t].keys()) for t in after)
    mudados = sum(1 for t in after for k in after[t].keys() & before[t].keys() if after[t][k] != before[t][k])
    return novos, mudados


def test_first_capture_equals_ground_truth(principal: Principal, tmp_path: Path):
    """Every case, expediente and hearing of the truth is stored once, field by field; -O gives one line each."""
    e2e = principal.e2e
    truth = e2e.truth(principal.user, ONDE)
    crawls = e2e.crawl_all(principal.credenciais, output_dir=tmp_path)
    exported: dict[str, list[dict[str, Any]]] = {}
    for crawl in crawls:
        exported.setdefault(crawl.spider, []).extend(crawl.exported())

    assert e2e.diferencas(e2e.registros(), truth) == []
    assert e2e.contagens() == {t: len(rows) for t, rows in truth.items()}, "duplicated rows"
    for crawl in crawls:
        resumo = e2e.resumo(crawl.captura_id)
        assert resumo.status == "completed", resumo.resultado
        assert sorted(r["credencial_id"] for r in resumo.resultados if "resultado" in r) == principal.credenciais
    totais = _totais(e2e, crawls)
    assert (totais["inseridos"], totais["atualizados"], totais["erros"]) == (sum(e2e.contagens().values()), 0, 0)

    por_spider = {
        "acervo_geral": {("acervo", k) for k, v in truth["acervo"].items() if v["origem"] == "acervo_geral"},
        "arquivados": {("acervo", k) for k, v in truth["acervo"].items() if v["origem"] == "arquivado"},
        "pendentes": {("expedientes", k) for k in truth["expedientes"]},
        "audiencias": {("audiencias", k) for k in truth["audiencias"]},
    }
    for spider, items in exported.items():
        tabela = next(iter(por_spider[spider]))[0]
        keys = [
            (i["tribunal"], i["grau"], i["id_externo"], i["id_documento"])
            if tabela == "expedientes"
            else (i["tribunal"], i["grau"], i["id_externo"])
            for i in items
        ]
        assert len(keys) == len(set(keys)), f"{spider}: a record exported twice"
        assert {(tabela, k) for k in keys} == por_spider[spider]
        assert all(i["credencial_id"] in principal.credenciais and i["advogado_id"] for i in items)


def test_second_run_changes_nothing_and_logs_in_zero_times(principal: Principal, captura_sandbox: SandboxClient):
    """A second morning run reuses the stored sessions (no login) and writes nothing: 0 inserted, 0 updated."""
    e2e = principal.e2e
    antes = e2e.contagens()
    logins = _logins(captura_sandbox)
    crawls = e2e.crawl_all(principal.credenciais)
    assert _logins(captura_sandbox) == logins
    for crawl in crawls:
        shown = e2e.historico_show(crawl.captura_id)
        totais = shown["resultado"]["totais"]
        assert shown["status"] == "completed"
        assert (totais["inseridos"], totais["atualizados"], totais["erros"]) == (0, 0, 0), crawl.spider
    assert _totais(e2e, crawls)["inalterados"] == sum(antes.values())
    assert e2e.contagens() == antes


def test_after_advance_exactly_the_changes_with_previous_versions(principal: Principal, captura_sandbox: SandboxClient):
    """After the world moves on, exactly its new and changed records are written; old versions are kept."""
    e2e = principal.e2e
    before = e2e.truth(principal.user, ONDE)
    versoes_antes = _versoes(e2e)
    captura_sandbox.advance(steps=5)
    after = e2e.truth(principal.user, ONDE)
    novos, mudados = _changes(before, after)
    assert novos, "the world added nothing"
    assert mudados, "the world changed nothing"

    totais = _totais(e2e, e2e.crawl_all(principal.credenciais))
    assert (totais["inseridos"], totais["atualizados"], totais["erros"]) == (novos, mudados, 0)
    problems = e2e.diferencas(e2e.registros(), after)
    # Answered expedientes leave the list but stay stored: the only extra rows allowed.
    assert [
        p for p in problems if not (p[0] == "extra" and p[1] == "expedientes" and p[2] in before["expedientes"])
    ] == []
    versoes = _versoes(e2e)[len(versoes_antes) :]
    assert len(versoes) == mudados
    assert all(campos for campos, _anterior in versoes), "a version without its changed fields"
    assert all(anterior for _campos, anterior in versoes), "a version without the previous row"


def _versoes(e2e: Any) -> list[tuple[Any, Any]]:
    with e2e.factory() as session:
        rows = session.scalars(select(RegistroVersao).order_by(RegistroVersao.id)).all()
        return [(row.campos_alterados, row.versao) for row in rows]


def test_fault_profile_gives_the_same_database(captura_factory: Any, captura_sandbox: SandboxClient):
    """With 5xx, 429 + Retry-After and a session expiry the capture ends with the same database as without."""
    _needs_chromium()
    e2e = captura_factory()
    e2e.extra_env["SINESYS_RETRY_BASE_DELAY"] = "0.05"  # every retry kept, Retry-After honoured; less back-off waiting
    user = captura_sandbox.users[0]
    credenciais = [e2e.credencial(user, t, g) for t, g in ONDE]
    truth = e2e.truth(user, ONDE)
    captura_sandbox.reset_counters()
    with captura_sandbox.faults_applied(FAULTS):
        crawls = e2e.crawl_all(credenciais)
        injected = captura_sandbox.counters()["faults_injected"]
    assert injected.get("rate_limit"), injected
    assert injected.get("session_expiry"), injected
    assert sum(v for k, v in injected.items() if k.startswith("http_5")), injected
    for crawl in crawls:
        assert e2e.resumo(crawl.captura_id).status == "completed", e2e.resumo(crawl.captura_id).resultado
    assert e2e.diferencas(e2e.registros(), truth) == []
    assert e2e.contagens() == {t: len(rows) for t, rows in truth.items()}


def test_wrong_password_fails_with_senha_invalida_while_the_other_completes(
    principal: Principal, captura_sandbox: SandboxClient
):
    """A credential with a wrong password is recorded as SENHA_INVALIDA; the other credential still completes."""
    e2e = principal.e2e
    errada = e2e.credencial(captura_sandbox.users[2], "TRT9", "primeiro_grau", senha="senha-errada-123")
    boa = principal.credenciais[0]
    crawl = e2e.crawl("acervo_geral", f"credenciais={boa},{errada}")
    resultados = {r["credencial_id"]: r for r in e2e.historico_show(crawl.captura_id)["resultado"]["resultados"]}
    assert resultados[errada]["erro"]["codigo"] == "SENHA_INVALIDA", resultados[errada]
    assert "resultado" not in resultados[errada]
    assert "erro" not in resultados[boa]
    assert resultados[boa]["resultado"]["erros"] == 0


def test_totalizador_mismatch_is_the_credentials_error_with_both_numbers(
    principal: Principal, captura_sandbox: SandboxClient
):
    """A counter that disagrees with its list fails that credential with both numbers; the others complete."""
    e2e = principal.e2e
    trt5, trt9, _tst = principal.credenciais
    truth = e2e.truth(principal.user, ONDE[:1])
    acervo = sum(1 for v in truth["acervo"].values() if v["origem"] == "acervo_geral")
    pendentes = len(truth["expedientes"])
    ids = f"credenciais={trt5},{trt9}"
    profile = {"name": "totalizador", "tribunais": {"TRT5": {"totalizadores": {"1": 3, "2": -1}}}}
    with captura_sandbox.faults_applied(profile):
        crawls = {spider: e2e.crawl(spider, ids) for spider in ("acervo_geral", "pendentes")}
    esperado = {
        "acervo_geral": f"Quantidade de processos ({acervo}) não condiz com totalizador ({acervo + 3})",
        "pendentes": f"Quantidade de expedientes ({pendentes}) excede o totalizador ({pendentes - 1})",
    }
    for spider, crawl in crawls.items():
        resultados = {r["credencial_id"]: r for r in e2e.resumo(crawl.captura_id).resultados}
        assert resultados[trt5]["erro"]["codigo"] == "TOTALIZADOR_DIVERGENTE", resultados[trt5]
        assert resultados[trt5]["erro"]["mensagem"] == esperado[spider]
        assert "erro" not in resultados[trt9], resultados[trt9]
