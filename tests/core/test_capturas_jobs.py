"""The capture service: creation with who asked, the job, heartbeat, cancel, the reaper freeing locks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine

from sinesys_spiders.core.capturas_jobs import CAPTURA_INTERROMPIDA, Origem, ServicoCapturas
from sinesys_spiders.core.config import reset_settings
from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.credenciais_input import NovaCredencial
from sinesys_spiders.core.db.engine import make_session_factory
from sinesys_spiders.core.domain import Grau, StatusCaptura, Tribunal
from sinesys_spiders.core.errors import EntradaInvalida, NaoEncontrado
from sinesys_spiders.core.historico import TransicaoInvalida
from sinesys_spiders.core.locks import SqlLockBackend
from sinesys_spiders.core.locks.redis import RedisLockBackend
from sinesys_spiders.core.redis_conexao import RedisConexao
from sinesys_spiders.core.timeutil import utcnow
from sinesys_spiders.testing.db_fixtures import on_sqlite


@pytest.fixture
def servico(engine: Engine) -> ServicoCapturas:
    return ServicoCapturas(make_session_factory(engine), heartbeat_limite=120.0)


@pytest.fixture
def credencial_id(credenciais_service: CredenciaisService, advogado_id: int) -> int:
    return credenciais_service.add(
        NovaCredencial(
            advogado_id=advogado_id, tribunal=Tribunal("TRT3"), grau=Grau("primeiro_grau"), senha=SecretStr("x")
        )
    )


def _nova(servico: ServicoCapturas, credencial_id: int) -> int:
    return servico.criar("pendentes", advogado_id=None, credencial_ids=[credencial_id], parametros={}, origem="cli")


def test_criar_records_who_asked_and_starts_pending(servico: ServicoCapturas, credencial_id: int) -> None:
    """A new capture is pending, with its origin, requester, schedule and options as given."""
    quando = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    captura_id = servico.criar(
        "acervo_geral",
        advogado_id=None,
        credencial_ids=[credencial_id],
        parametros={"tribunais": ["TRT3"]},
        origem="agendamento",
        solicitante="agendador",
        agendado_para=quando,
    )
    captura = servico.obter(captura_id)
    assert captura.status is StatusCaptura.PENDING
    assert captura.origem is Origem.AGENDAMENTO
    assert (captura.solicitante, captura.agendado_para, captura.credencial_ids) == (
        "agendador",
        quando,
        [credencial_id],
    )
    assert captura.parametros == {"tribunais": ["TRT3"]}
    capturas, total = servico.listar(status=["pending"], origem="agendamento")
    assert total == 1
    assert capturas[0].id == captura_id


def test_criar_refuses_unknown_ids_and_writes_nothing(servico: ServicoCapturas, credencial_id: int) -> None:
    """Unknown credential, lawyer, type or origin: a clear error and no row."""
    with pytest.raises(NaoEncontrado, match="credencial 999 não existe"):
        servico.criar("acervo_geral", advogado_id=None, credencial_ids=[999], parametros={}, origem="cli")
    with pytest.raises(NaoEncontrado, match="advogado 999"):
        servico.criar("acervo_geral", advogado_id=999, credencial_ids=[], parametros={}, origem="cli")
    with pytest.raises(EntradaInvalida, match="tipo de captura desconhecido"):
        servico.criar("nada", advogado_id=None, credencial_ids=[credencial_id], parametros={}, origem="cli")
    with pytest.raises(EntradaInvalida, match="origem desconhecida"):
        servico.criar("acervo_geral", advogado_id=None, credencial_ids=[credencial_id], parametros={}, origem="x")
    assert servico.listar()[1] == 0


def test_job_heartbeat_and_normal_end(servico: ServicoCapturas, credencial_id: int) -> None:
    """The job is recorded, the crawl starts it (in_progress with a heartbeat) and finishes it completed."""
    captura_id = servico.criar(
        "pendentes", advogado_id=None, credencial_ids=[credencial_id], parametros={}, origem="api"
    )
    assert servico.reservar(captura_id, runner="local")
    assert not servico.reservar(captura_id, runner="local")  # claimed once
    servico.registrar_job(captura_id, runner="local", job_id="4242", node="host-a")
    assert servico.ocupadas("local") == 1
    servico.iniciar(captura_id)
    captura = servico.obter(captura_id)
    assert (captura.status, captura.runner, captura.job_id, captura.node) == ("in_progress", "local", "4242", "host-a")
    assert captura.heartbeat_em is not None
    assert servico.heartbeat(captura_id) is False
    assert servico.concluir(captura_id, motivo="finished") is StatusCaptura.COMPLETED


def test_cancel_pending_at_once_and_running_at_close(servico: ServicoCapturas, credencial_id: int) -> None:
    """Cancelling a pending capture ends it; a running one is asked (heartbeat says so) and ends cancelled."""
    pendente = _nova(servico, credencial_id)
    assert servico.cancelar(pendente) is StatusCaptura.CANCELLED
    assert servico.obter(pendente).status is StatusCaptura.CANCELLED
    with pytest.raises(TransicaoInvalida, match="nada a cancelar"):
        servico.cancelar(pendente)
    rodando = _nova(servico, credencial_id)
    servico.iniciar(rodando)
    assert servico.cancelar(rodando) is StatusCaptura.IN_PROGRESS
    assert servico.heartbeat(rodando) is True
    assert servico.concluir(rodando, motivo="shutdown") is StatusCaptura.CANCELLED
    assert "CAPTURA_CANCELADA" in (servico.obter(rodando).erro or "")


def test_reap_fails_silent_capture_and_frees_its_locks(
    servico: ServicoCapturas, credencial_id: int, engine: Engine
) -> None:
    """A capture whose heartbeat stopped is failed CAPTURA_INTERROMPIDA and its locks are free for the next run."""
    captura_id = servico.criar(
        "pendentes", advogado_id=None, credencial_ids=[credencial_id], parametros={}, origem="cli"
    )
    servico.iniciar(captura_id)
    locks = SqlLockBackend(make_session_factory(engine))
    assert locks.try_acquire("sessao:advogado:1:TRT3", ttl=3600, metadata={"captura_id": captura_id})
    assert servico.reap() == []  # alive
    assert servico.reap(agora=utcnow() + dt.timedelta(seconds=121)) == [captura_id]
    captura = servico.obter(captura_id)
    assert captura.status is StatusCaptura.FAILED
    assert captura.resultado["erro"]["codigo"] == CAPTURA_INTERROMPIDA
    assert locks.try_acquire("sessao:advogado:1:TRT3", ttl=60) is not None


@pytest.fixture
def redis_env(monkeypatch: pytest.MonkeyPatch, redis_url: str, redis_conexao: RedisConexao) -> Iterator[None]:
    """SINESYS_REDIS_URL and SINESYS_REDIS_PREFIX of the test's Redis in the environment and the settings."""
    monkeypatch.setenv("SINESYS_REDIS_URL", redis_url)
    monkeypatch.setenv("SINESYS_REDIS_PREFIX", redis_conexao.prefix)
    reset_settings()
    yield
    monkeypatch.undo()
    reset_settings()


@on_sqlite
@pytest.mark.requires_redis
def test_reap_frees_the_locks_a_dead_capture_held_in_redis(
    servico: ServicoCapturas, credencial_id: int, redis_conexao: RedisConexao, redis_env: None
) -> None:
    """With the locks in Redis, the reaper frees the dead capture's locks there too (not another capture's), so
    the next run does not wait for their TTL."""
    captura_id = _nova(servico, credencial_id)
    servico.iniciar(captura_id)
    locks = RedisLockBackend(redis_conexao)
    assert locks.try_acquire("sessao:advogado:1:TRT3", ttl=3600, metadata={"captura_id": captura_id})
    other = locks.try_acquire("sessao:advogado:2:TRT3", ttl=3600, metadata={"captura_id": captura_id + 1})
    assert servico.reap(agora=utcnow() + dt.timedelta(seconds=121)) == [captura_id]
    assert locks.try_acquire("sessao:advogado:1:TRT3", ttl=60) is not None
    assert other is not None
    assert locks.release(other) is True
