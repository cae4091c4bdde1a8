"""The cases a per-case capture's workers share: any worker closes a case and gives its lock back, once."""

from __future__ import annotations

import asyncio
import logging

import pytest

from sinesys_spiders.core.estado_captura.processos_redis import ProcessosRedis
from sinesys_spiders.core.locks.redis import RedisLockBackend
from sinesys_spiders.core.redis_conexao import RedisConexao
from sinesys_spiders.spiders._casos import CasosEmVoo, chave_lock

pytestmark = pytest.mark.requires_redis


def _worker(redis_url: str, redis_prefix: str, *, ttl: float = 0.6) -> CasosEmVoo:
    """One worker's view of capture 7: its own connection and lock keeper, the capture's shared cases."""
    conexao = RedisConexao.from_url(redis_url, prefix=redis_prefix)
    backend = RedisLockBackend(conexao)
    casos = CasosEmVoo(lambda: backend, ttl=ttl)
    casos.compartilhar(ProcessosRedis(conexao, 7))
    return casos


async def test_a_case_one_worker_opened_is_closed_by_another_that_gives_its_lock_back(
    redis_url: str, redis_prefix: str, redis_conexao: RedisConexao, caplog: pytest.LogCaptureFixture
) -> None:
    """Worker A takes two cases' locks; worker B sees them open (it never starts them again) and handles the last
    answer of one: that case closes, B gives its lock back by A's owner token (another capture may take it at once),
    and A stops renewing it without calling it lost, while it keeps renewing the case still open."""
    caplog.set_level(logging.WARNING)
    a, b = _worker(redis_url, redis_prefix), _worker(redis_url, redis_prefix)
    try:
        assert await a.tomar([10, 11], 1, {"captura_id": 7}) == {10: "aberto", 11: "aberto"}
        assert await b.tomar([10, 12], 2, {"captura_id": 7}) == {10: "repetido", 12: "aberto"}
        a.adicionar(10, "r1")
        a.adicionar(11, "r2")
        b.concluir(10, "r1")  # B handled case 10's only request
        await asyncio.sleep(0.1)  # its release goes with the others of this turn, off the event loop

        outra_captura = RedisLockBackend(redis_conexao)
        assert outra_captura.try_acquire(chave_lock(10), ttl=5) is not None
        await asyncio.sleep(0.9)  # past A's TTL: A renewed what it still needs, forgot what B gave back
        assert chave_lock(10) not in a.locks
        assert chave_lock(11) in a.locks
        assert outra_captura.try_acquire(chave_lock(11), ttl=5) is None
        assert "perdido" not in caplog.text
        assert "expirou" not in caplog.text
    finally:
        a.fechar()
        b.fechar()
    assert outra_captura.try_acquire(chave_lock(11), ttl=5) is not None  # A gave the rest back at its close


async def test_a_case_whose_lock_another_run_holds_is_reported_blocked(
    redis_url: str, redis_prefix: str, redis_conexao: RedisConexao
) -> None:
    """A case locked by another capture is ``bloqueado`` and never opened; one never started is given back."""
    RedisLockBackend(redis_conexao).try_acquire(chave_lock(20), ttl=5)
    a = _worker(redis_url, redis_prefix)
    try:
        assert await a.tomar([20, 21], 1, {}) == {20: "bloqueado", 21: "aberto"}
        assert not a.estado.aberto(20)
        a.descartar(21)
        await asyncio.sleep(0.1)
        assert RedisLockBackend(redis_conexao).try_acquire(chave_lock(21), ttl=5) is not None
    finally:
        a.fechar()


async def test_the_cases_of_a_worker_that_died_are_taken_over_at_once(
    redis_url: str, redis_prefix: str, redis_conexao: RedisConexao
) -> None:
    """Worker A's case locks name its queue lease; A dies (its lease lapses) with one case in flight and one opened
    but never started. Worker B asking for them takes both locks over at once: the case in flight is ``retomado``
    (its requests are back in the queue; B gives its lock back when it closes), the other ``aberto`` (B starts it)."""
    lease_a = f"{redis_prefix}:fila:lease:a"
    redis_conexao.client.set(lease_a, "1", ex=60)
    a = _worker(redis_url, redis_prefix, ttl=60)
    b = _worker(redis_url, redis_prefix)
    try:
        assert await a.tomar([30, 31], 1, {"lease_worker": lease_a}) == {30: "aberto", 31: "aberto"}
        a.adicionar(30, "r1")
        assert await b.tomar([30, 31], 1, {}) == {30: "repetido", 31: "repetido"}  # A is alive: its cases

        redis_conexao.client.delete(lease_a)  # A was killed: its queue lease lapsed
        assert await b.tomar([30, 31], 1, {}) == {30: "retomado", 31: "aberto"}
        outra_captura = RedisLockBackend(redis_conexao)
        assert outra_captura.try_acquire(chave_lock(30), ttl=5) is None  # B holds it now
        b.concluir(30, "r1")  # B answered the request A had left in flight
        await asyncio.sleep(0.1)
        assert outra_captura.try_acquire(chave_lock(30), ttl=5) is not None
        assert chave_lock(31) in b.locks
    finally:
        b.fechar()
