"""Per-case crawl state: the same contract in memory (one process) and in Redis (N workers)."""

from __future__ import annotations

import pytest

from sinesys_spiders.core.estado_captura.processos import ProcessosMemoria
from sinesys_spiders.core.estado_captura.processos_redis import ProcessosRedis
from sinesys_spiders.core.redis_conexao import RedisConexao
from sinesys_spiders.testing.estado_processos_contract import EstadoProcessosContract, ProcessosFactory


class TestProcessosMemoria(EstadoProcessosContract):
    """Dicts of one process."""

    @pytest.fixture
    def processos_factory(self) -> ProcessosFactory:
        estado = ProcessosMemoria()
        return lambda: estado

    def test_the_same_request_asked_twice_is_counted_twice(self) -> None:
        """One process hands each request to its callback once: a case waits for both answers of a request asked
        twice (the duplicate filter is off in one process)."""
        estado = ProcessosMemoria()
        estado.abrir(1, {"credencial_id": 1})
        estado.adicionar(1, ["r1", "r1"])
        assert estado.concluir(1, "r1") is None
        assert estado.concluir(1, "r1") == {"credencial_id": 1}


@pytest.mark.requires_redis
class TestProcessosRedis(EstadoProcessosContract):
    """Keys of the capture in Redis, each handle on its own connection (as each worker)."""

    @pytest.fixture
    def processos_factory(self, redis_url: str, redis_prefix: str, redis_conexao: RedisConexao) -> ProcessosFactory:
        return lambda: ProcessosRedis(RedisConexao.from_url(redis_url, prefix=redis_prefix), 42)

    def test_every_key_has_a_ttl(self, processos_factory: ProcessosFactory, redis_conexao: RedisConexao) -> None:
        """A capture nobody cleaned up (every worker killed) leaves no key forever."""
        estado = processos_factory()
        estado.abrir(1, {"credencial_id": 1})
        estado.adicionar(1, ["r1"])
        estado.acumular(1, lambda r: r.update(casos=1))
        chaves = list(redis_conexao.client.scan_iter(match=f"{redis_conexao.prefix}:*"))
        assert len(chaves) == 4
        assert all(redis_conexao.client.ttl(k) > 0 for k in chaves)
