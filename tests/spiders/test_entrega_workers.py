"""A capture's workers hand a lawyer's session turn over to each other instead of freeing it (real redis-server).

A worker that leaves (one job's SIGTERM) or dies (``kill -9``: its queue lease lapses) while a credential it
started still has work in the shared queue must not let another capture use that lawyer's session meanwhile: the
turn lock names the capture's liveness, which keeps other captures out while any worker of the capture lives, and a
surviving worker takes the turn over and renews it until the credential ends.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import scrapy

from sinesys_spiders.core.credenciais import CredencialResumo, OtpKind
from sinesys_spiders.core.locks import META_LEASE_CAPTURA, META_LEASE_WORKER
from sinesys_spiders.core.locks.redis import RedisLockBackend
from sinesys_spiders.core.redis_conexao import RedisConexao
from sinesys_spiders.spiders._turnos import TurnosSessao, chave_sessao, sessao_de
from sinesys_spiders.workers.fila import FilaComArrendamento

pytestmark = pytest.mark.requires_redis


class _Spider(scrapy.Spider):
    name = "entrega"


def _fila(conexao: RedisConexao, captura_id: int, worker: str) -> FilaComArrendamento:
    fila = FilaComArrendamento(
        conexao.client, _Spider(), conexao.chave("captura", captura_id, "fila"), worker=worker, lease_ttl=30.0
    )
    fila.registrar()
    return fila


def _metadata(fila: FilaComArrendamento, captura_id: int) -> dict[str, Any]:
    return {"captura_id": captura_id, META_LEASE_WORKER: fila.chave_lease, META_LEASE_CAPTURA: fila.chave_vivos}


def test_a_leaving_worker_hands_the_session_turn_over_and_no_other_capture_gets_it_meanwhile(
    redis_conexao: RedisConexao,
) -> None:
    """Worker 1 leaves with the credential unfinished: the turn stays taken (another capture is refused it), worker
    2 of the same capture takes it over and keeps it; once worker 2 is gone too (killed, and the capture's liveness
    lapsed) or gives it back, the other capture gets it."""
    backend = RedisLockBackend(redis_conexao)
    credencial = CredencialResumo(5, 77, "TRT3", "primeiro_grau", "***", OtpKind.TOTP, True)
    chave = chave_sessao(credencial.advogado_id, sessao_de(credencial))
    um, dois, alheia = _fila(redis_conexao, 1, "w1"), _fila(redis_conexao, 1, "w2"), _fila(redis_conexao, 2, "x1")

    async def cenario() -> None:
        t1, t2, t3 = (TurnosSessao(lambda: backend, ttl=30.0) for _ in range(3))
        assert await t1.tomar(credencial, espera=None, metadata=_metadata(um, 1))

        t1.entregar(credencial.id)  # worker 1 leaves (SIGTERM) while the credential still has work
        t1.fechar()
        um.sair()
        assert not await t3.tomar(credencial, espera=None, metadata=_metadata(alheia, 2))

        assert await t2.retomar(credencial, metadata=_metadata(dois, 1))
        assert (backend.metadata(chave) or {}).get(META_LEASE_WORKER) == dois.chave_lease
        assert await t2.tomar(credencial, espera=None, metadata=_metadata(dois, 1))  # held: no second take
        assert not await t3.tomar(credencial, espera=None, metadata=_metadata(alheia, 2))

        redis_conexao.client.delete(dois.chave_lease)  # worker 2 killed: another of the capture could take over,
        assert not await t3.tomar(credencial, espera=None, metadata=_metadata(alheia, 2))  # but no other capture
        redis_conexao.client.delete(dois.chave_vivos)  # and once no worker of the capture lives, it may
        assert await t3.tomar(credencial, espera=None, metadata=_metadata(alheia, 2))
        t2.fechar()
        t3.fechar()

    asyncio.run(cenario())


def test_a_stalled_worker_whose_turn_another_worker_of_the_capture_took_over_does_not_fail_the_credential(
    redis_conexao: RedisConexao,
) -> None:
    """A worker whose reactor stalled past its lease finds its session turn renewal refused: when another worker of
    the same capture holds the turn now (it carries the credential on), the credential is not failed; when the turn
    is gone to another capture (or free), it really was lost and fails with ``LOCK_PERDIDO``."""
    from scrapy.signalmanager import SignalManager

    from sinesys_spiders import sinais
    from sinesys_spiders.core.estado_captura.redis import EstadoRedis
    from sinesys_spiders.spiders.acervo_geral import AcervoGeralSpider

    class _Crawler:
        def __init__(self) -> None:
            self.signals = SignalManager(self)
            self.falhas: dict[int, str] = {}
            self.signals.connect(self._falhou, signal=sinais.credencial_falhou)

        def _falhou(self, credencial_id: int, error: Any, **_: Any) -> None:
            self.falhas[credencial_id] = error.code

    backend = RedisLockBackend(redis_conexao)
    credencial = CredencialResumo(5, 77, "TRT3", "primeiro_grau", "***", OtpKind.TOTP, True)
    chave = chave_sessao(credencial.advogado_id, sessao_de(credencial))
    spider = AcervoGeralSpider(credenciais="5", captura_id=1)
    spider.crawler = _Crawler()  # type: ignore[assignment]
    spider.locks = backend
    spider.estado_credenciais = EstadoRedis(redis_conexao, 1)
    spider._credenciais = [credencial]

    outro = backend.try_acquire(chave, ttl=30, metadata={"captura_id": 1})  # another worker of this capture
    assert outro is not None
    spider._turno_perdido(credencial.id, None)
    assert spider.crawler.falhas == {}  # type: ignore[attr-defined]

    backend.release(outro)
    assert backend.try_acquire(chave, ttl=30, metadata={"captura_id": 2}) is not None  # another capture's now
    spider._turno_perdido(credencial.id, None)
    assert spider.crawler.falhas == {5: "LOCK_PERDIDO"}  # type: ignore[attr-defined]


def test_a_surviving_worker_takes_over_the_turn_of_a_started_credential_whose_starter_left(
    redis_conexao: RedisConexao,
) -> None:
    """The spider's periodic look (``_retomar_turnos``) takes over the turn of a started, unfinished credential
    whose starter left, and leaves alone one still being started (its takeover path takes the turn) or ended."""
    from sinesys_spiders.core.estado_captura.redis import EstadoRedis
    from sinesys_spiders.spiders.acervo_geral import AcervoGeralSpider

    backend = RedisLockBackend(redis_conexao)
    credenciais = [CredencialResumo(n, 80 + n, "TRT3", "primeiro_grau", "***", OtpKind.TOTP, True) for n in (1, 2, 3)]
    um, dois = _fila(redis_conexao, 6, "w1"), _fila(redis_conexao, 6, "w2")
    estado = EstadoRedis(redis_conexao, 6)
    spider = AcervoGeralSpider(credenciais="1,2,3", captura_id=6)
    spider.locks = backend
    spider.estado_credenciais = estado
    spider._credenciais = credenciais
    spider.fila = dois

    async def cenario() -> None:
        saindo = TurnosSessao(lambda: backend, ttl=30.0)
        for credencial in credenciais:
            assert estado.reivindicar(credencial.id, "w1")
            assert await saindo.tomar(credencial, espera=None, metadata=_metadata(um, 6))
            saindo.entregar(credencial.id)
        saindo.fechar()
        estado.marcar_iniciando(1, False)  # started: its first requests are in the queue
        estado.terminar(3)  # ended meanwhile (credential 2 is still being started)
        await spider._retomar_turnos()
        assert spider._turnos.credenciais() == []  # worker 1 is alive: nothing to take over
        um.sair()
        await spider._retomar_turnos()
        assert spider._turnos.credenciais() == [1]
        chave = chave_sessao(81, sessao_de(credenciais[0]))
        assert (backend.metadata(chave) or {}).get(META_LEASE_WORKER) == dois.chave_lease
        spider._turnos.fechar()

    asyncio.run(cenario())
