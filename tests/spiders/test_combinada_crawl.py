"""The combined capture against the sandbox, on two workers: every part equals the ground truth, with one login per
credential.

A lawyer with three credentials (TRT3 1º and 2º grau, which share one PJE session, and TRT5 1º grau), the cases of
their panels in ``acervo`` (from the ground truth), no stored session: one capture (``sinesys capturas iniciar
combinada --workers 2``, two crawls sharing it through Redis) captures the hearings designadas (today..+365),
realizadas (yesterday) and canceladas (today..+365), the pendentes of both filters, and then the partes and timeline
of every case those named. The sandbox counts the logins. (One process runs it in ``test_robustez``.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from sinesys_spiders.core.db.engine import session_scope
from sinesys_spiders.core.db.models import Processo, ProcessoParte, Timeline, TimelineItem
from sinesys_spiders.core.domain import BRASILIA
from sinesys_spiders.testing.redis_fixtures import RedisServer
from sinesys_spiders.testing.registros import db_registros
from sinesys_spiders.testing.sandbox_fixtures import TEST_TOTP_PERIOD, SandboxClient, start_sandbox
from tests.spiders.conftest import CapturaE2E, _diferencas

pytestmark = [pytest.mark.e2e, pytest.mark.requires_redis]

ONDE = (("TRT3", "primeiro_grau"), ("TRT3", "segundo_grau"), ("TRT5", "primeiro_grau"))


@pytest.fixture(scope="module")
def db_backend() -> str:
    """One back end is enough here: the crawl is what is under test."""
    return "postgresql"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxClient]:
    """Short TOTP steps: the lawyer's logins at TRT3 and TRT5 each need a step of their own."""
    folder = tmp_path_factory.mktemp("combinada")
    with start_sandbox(folder, scale="small", users=2, tribunais="TRT3,TRT5", totp_period=TEST_TOTP_PERIOD) as client:
        yield client


def _dia(iso: str) -> dt.date:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(BRASILIA).date()


def _esperado(sandbox: SandboxClient, cpf: str) -> tuple[dict[str, dict[Any, Any]], dict[tuple[str, str], set[int]]]:
    """The rows the combined capture must store, and per (tribunal, grau) the PJE ids of the cases named."""
    hoje = dt.datetime.now(BRASILIA).date()
    ontem, ano = hoje - dt.timedelta(days=1), hoje + dt.timedelta(days=365)
    janelas = {"designada": (hoje, ano), "realizada": (ontem, ontem), "cancelada": (hoje, ano)}
    out: dict[str, dict[Any, Any]] = {"expedientes": {}, "audiencias": {}}
    casos: dict[tuple[str, str], set[int]] = {}
    for tribunal, grau in ONDE:
        bloco = sandbox.truth(tribunal=tribunal, grau=grau, cpf=cpf)["tribunais"][tribunal][grau][cpf]
        nomeados = casos.setdefault((tribunal, grau), set())
        for filtro in ("no_prazo", "sem_prazo"):
            for e in bloco["pendentes"][filtro]:
                out["expedientes"][(tribunal, grau, e["id_externo"], e["id_documento"])] = e
                nomeados.add(e["id_externo"])
        for situacao, (inicio, fim) in janelas.items():
            for a in bloco["audiencias"][situacao]:
                if inicio <= _dia(a["data_inicio"]) <= fim:
                    out["audiencias"][(tribunal, grau, a["id_externo"])] = a
                    nomeados.add(a["id_processo"])
    return out, casos


def _acervo(e2e: CapturaE2E, cpf: str, advogado_id: int, credenciais: dict[tuple[str, str], int]) -> None:
    with session_scope(factory=e2e.factory) as session:
        for (tribunal, grau), credencial_id in credenciais.items():
            bloco = e2e.sandbox.truth(tribunal=tribunal, grau=grau, cpf=cpf)["tribunais"][tribunal][grau][cpf]
            for lista, origem in (("acervo_geral", "acervo_geral"), ("arquivados", "arquivado")):
                for caso in bloco[lista]:
                    session.add(Processo(
                        id_externo=caso["id_externo"], tribunal=tribunal, grau=grau,
                        numero_processo=caso["numero_processo"],
                        numero=caso["numero"], origem=origem, advogado_id=advogado_id, credencial_id=credencial_id,
                    ))  # fmt: skip


def test_combinada_equals_the_ground_truth_with_one_login_per_credential(
    sandbox: SandboxClient, database_url: str, tmp_path: Path, redis_server: RedisServer, redis_prefix: str
) -> None:
    """On two workers: hearings, pendentes, and the partes and timeline of every case they named equal the sandbox's
    truth, each fetched once; each credential logged in exactly once; the history shows each part's counts per
    credential, recorded once."""
    e2e = CapturaE2E(sandbox=sandbox, database_url=database_url, workdir=tmp_path)
    e2e.extra_env = {"SINESYS_REDIS_URL": redis_server.url(), "SINESYS_REDIS_PREFIX": redis_prefix,
                     "SINESYS_RUNNER_LOCAL_MAX": "4"}  # fmt: skip
    try:
        user = sandbox.take_user()
        credenciais = {(t, g): e2e.credencial(user, t, g) for t, g in ONDE}
        _acervo(e2e, user.cpf, e2e.advogado(user), credenciais)
        esperado, casos = _esperado(sandbox, user.cpf)
        sandbox.reset_counters()
        result = e2e.run("-c", "from sinesys_spiders.cli import main; main()", "capturas", "iniciar", "combinada",
                         "--credenciais", ",".join(map(str, credenciais.values())), "--workers", "2",
                         "--runner", "local", "--esperar", "--intervalo", "0.5")  # fmt: skip
        assert result.returncode == 0, result.stderr[-4000:]
        captura_id = int(result.stdout.split()[0])
        e2e.check_no_secrets(result.stdout + result.stderr)
        counters = sandbox.counters()
        assert sum(counters["logins"].values()) == len(credenciais)
        pedidos = {k: sum(s.values()) for k, s in counters["requests"].items() if k.endswith(("/partes", "/timeline"))}

        registros = db_registros(e2e.factory)
        assert _diferencas({k: registros[k] for k in esperado}, esperado) == []
        nomeados_todos = 0
        with e2e.factory() as session:
            for (tribunal, grau), ids in casos.items():
                no_acervo = set(session.scalars(select(Processo.id_externo).where(
                    Processo.tribunal == tribunal, Processo.grau == grau)).all())  # fmt: skip
                nomeados = sorted(ids & no_acervo)
                truth_partes = sandbox.truth(tribunal=tribunal, grau=grau, cpf=user.cpf, tipo="partes")
                partes = {c["id_processo"]: len(c["partes"])
                          for c in truth_partes["tribunais"][tribunal][grau][user.cpf]["partes"]
                          if c["id_processo"] in nomeados}  # fmt: skip
                guardadas = dict(session.execute(
                    select(Processo.id_externo, func.count(ProcessoParte.id))
                    .join(ProcessoParte, ProcessoParte.processo_id == Processo.id)
                    .where(Processo.tribunal == tribunal, Processo.grau == grau).group_by(Processo.id_externo)
                ).all())  # fmt: skip
                assert guardadas == {k: v for k, v in partes.items() if v}, (tribunal, grau)
                truth_tl = sandbox.truth(tribunal=tribunal, grau=grau, cpf=user.cpf, tipo="timeline")
                itens = {c["id_processo"]: len(c["itens"])
                         for c in truth_tl["tribunais"][tribunal][grau][user.cpf]["timeline"]
                         if c["id_processo"] in nomeados}  # fmt: skip
                com_timeline = set(session.scalars(select(Timeline.id_processo_externo).where(
                    Timeline.tribunal == tribunal, Timeline.grau == grau)).all())  # fmt: skip
                assert com_timeline == set(nomeados), (tribunal, grau)
                guardados = dict(session.execute(
                    select(TimelineItem.id_processo_externo, func.count(TimelineItem.id))
                    .where(TimelineItem.tribunal == tribunal, TimelineItem.grau == grau)
                    .group_by(TimelineItem.id_processo_externo)
                ).all())  # fmt: skip
                assert guardados == {k: v for k, v in itens.items() if v}, (tribunal, grau)
                nomeados_todos += len(nomeados)
        assert sorted(pedidos.values()) == [nomeados_todos, nomeados_todos]  # every case fetched once per part

        resumo = e2e.resumo(captura_id)
        assert resumo.status == "completed"
        assert sorted(e["credencial_id"] for e in resumo.resultados) == sorted(credenciais.values())
        for entrada in resumo.resultados:
            partes = entrada["resultado"]["combinada"]
            tribunal, grau = entrada["tribunal"], entrada["grau"]
            audiencias = [k for k in esperado["audiencias"] if k[:2] == (tribunal, grau)]
            assert sum(partes[p] for p in partes if p.startswith("audiencias_")) == len(audiencias)
            expedientes = [k for k in esperado["expedientes"] if k[:2] == (tribunal, grau)]
            assert partes["pendentes_no_prazo"] + partes["pendentes_sem_prazo"] == len(expedientes)
    finally:
        e2e.close()
