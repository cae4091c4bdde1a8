"""The start/cancel facade without crawling: bad input writes nothing, a full runner leaves a capture pending with
its reason, a job that died before starting its crawl fails its capture, a pending capture cancels at once."""

from __future__ import annotations

import socket
import time

import pytest
from pydantic import SecretStr

from scheduler.capturas import cancelar_captura, despachar_pendentes, iniciar_captura
from scheduler.runners import RunnerIndisponivel
from sinesys_spiders.core.capturas_jobs import ServicoCapturas
from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.credenciais_input import NovaCredencial
from sinesys_spiders.core.domain import Grau, StatusCaptura, Tribunal
from sinesys_spiders.core.errors import EntradaInvalida, NaoEncontrado


@pytest.fixture
def settings(database_url: str, tmp_path) -> Settings:
    return Settings(database_url=database_url, var_dir=tmp_path, runner_local_max=1)


@pytest.fixture
def credencial_id(credenciais_service: CredenciaisService, advogado_id: int) -> int:
    return credenciais_service.add(
        NovaCredencial(
            advogado_id=advogado_id, tribunal=Tribunal("TRT3"), grau=Grau("primeiro_grau"), senha=SecretStr("x")
        )
    )


def _iniciar(settings: Settings, credencial_ids: list[int], **kwargs) -> int:
    return iniciar_captura(
        settings, "acervo_geral", advogado_id=None, credencial_ids=credencial_ids, origem="api", **kwargs
    )


def test_bad_input_writes_nothing(settings: Settings, credencial_id: int) -> None:
    """Unknown credential, option, runner or type, or Scrapyd unreachable: a clear error and no capture row."""
    with pytest.raises(NaoEncontrado, match="credencial 404"):
        _iniciar(settings, [404], parametros={})
    with pytest.raises(EntradaInvalida, match="foo"):
        _iniciar(settings, [credencial_id], parametros={"foo": "bar"})
    with pytest.raises(EntradaInvalida, match="runner desconhecido"):
        _iniciar(settings, [credencial_id], parametros={}, runner="nuvem")
    with pytest.raises(EntradaInvalida, match="tipo de captura desconhecido"):
        iniciar_captura(settings, "nada", advogado_id=None, credencial_ids=[1], parametros={}, origem="cli")
    down = settings.model_copy(update={"scrapyd_url": "http://127.0.0.1:9"})
    with pytest.raises(RunnerIndisponivel, match="Scrapyd inacessível"):
        _iniciar(down, [credencial_id], parametros={}, runner="scrapyd")
    assert ServicoCapturas.from_settings(settings).listar()[1] == 0


def test_workers_need_redis(settings: Settings, credencial_id: int) -> None:
    """``--workers 2`` without ``SINESYS_REDIS_URL``, or fewer than one worker, is one clear error and no row."""
    with pytest.raises(EntradaInvalida, match="SINESYS_REDIS_URL"):
        _iniciar(settings, [credencial_id], parametros={"workers": 2}, runner="local")
    with pytest.raises(EntradaInvalida, match="workers"):
        _iniciar(settings, [credencial_id], parametros={"workers": 0}, runner="local")
    assert ServicoCapturas.from_settings(settings).listar()[1] == 0


def test_full_runner_leaves_the_capture_pending_with_its_reason(settings: Settings, credencial_id: int) -> None:
    """With the local runner's one slot taken, a new capture is pending and says why; cancelling it ends it."""
    servico = ServicoCapturas.from_settings(settings)
    ocupante = servico.criar("acervo_geral", advogado_id=None, credencial_ids=[credencial_id], parametros={},
                             origem="cli")  # fmt: skip
    servico.iniciar(ocupante, runner="local", job_id="1", node=socket.gethostname())  # pid 1: alive, never ours
    captura_id = _iniciar(settings, [credencial_id], parametros={"tribunais": "TRT3"}, runner="local")
    captura = servico.obter(captura_id)
    assert captura.status is StatusCaptura.PENDING
    assert captura.job_id is None
    assert "aguardando vaga no runner local (1 de 1" in (captura.motivo_pendente or "")
    assert (captura.origem.value, captura.parametros) == ("api", {"tribunais": "TRT3"})
    assert cancelar_captura(settings, captura_id) is StatusCaptura.CANCELLED
    assert servico.obter(captura_id).status is StatusCaptura.CANCELLED
    assert despachar_pendentes(settings) == []


def test_job_that_died_before_starting_fails_its_capture(settings: Settings, credencial_id: int) -> None:
    """A capture whose local job is gone without ever starting the crawl is failed by the next look, at once (the
    runner knows the job ended: no wait for the heartbeat limit)."""
    servico = ServicoCapturas.from_settings(settings)
    assert servico.heartbeat_limite >= 60
    captura_id = servico.criar("acervo_geral", advogado_id=None, credencial_ids=[credencial_id], parametros={},
                               origem="cli")  # fmt: skip
    assert servico.reservar(captura_id, runner="local")
    servico.registrar_job(captura_id, runner="local", job_id="4194304", node=socket.gethostname())  # no such pid
    despachar_pendentes(settings)
    captura = servico.obter(captura_id)
    assert captura.status is StatusCaptura.FAILED
    assert captura.resultado["erro"]["codigo"] == "CAPTURA_INTERROMPIDA"


def test_job_the_runner_cannot_see_is_failed_only_after_the_heartbeat_limit(
    settings: Settings, credencial_id: int
) -> None:
    """A local job of another host may still start: its capture stays pending until the heartbeat limit passed,
    then the next look fails it."""
    servico = ServicoCapturas.from_settings(settings)
    captura_id = servico.criar("acervo_geral", advogado_id=None, credencial_ids=[credencial_id], parametros={},
                               origem="cli")  # fmt: skip
    assert servico.reservar(captura_id, runner="local")
    servico.registrar_job(captura_id, runner="local", job_id="4194304", node="outro-host")
    despachar_pendentes(settings)
    assert servico.obter(captura_id).status is StatusCaptura.PENDING
    time.sleep(0.1)
    despachar_pendentes(settings.model_copy(update={"captura_heartbeat_limite": 0.05}))
    captura = servico.obter(captura_id)
    assert captura.status is StatusCaptura.FAILED
    assert captura.resultado["erro"]["codigo"] == "CAPTURA_INTERROMPIDA"
