"""Per-credential crawl state: the same contract in memory (one process) and in Redis (N workers)."""

from __future__ import annotations

import pytest

from sinesys_spiders.core.estado_captura import EstadoMemoria
from sinesys_spiders.core.estado_captura.redis import EstadoRedis
from sinesys_spiders.core.redis_conexao import RedisConexao
from sinesys_spiders.testing.estado_contract import EstadoCredenciaisContract, EstadoFactory


class TestEstadoMemoria(EstadoCredenciaisContract):
    """Dicts of one process."""

    @pytest.fixture
    def estado_factory(self) -> EstadoFactory:
        estado = EstadoMemoria()
        return lambda: estado


@pytest.mark.requires_redis
class TestEstadoRedis(EstadoCredenciaisContract):
    """Keys of the capture in Redis, each handle on its own connection (as each worker)."""

    @pytest.fixture
    def estado_factory(self, redis_url: str, redis_prefix: str, redis_conexao: RedisConexao) -> EstadoFactory:
        return lambda: EstadoRedis(RedisConexao.from_url(redis_url, prefix=redis_prefix), 42)

    def test_every_key_has_a_ttl(self, estado_factory: EstadoFactory, redis_conexao: RedisConexao) -> None:
        """A capture nobody cleaned up (every worker killed) leaves no key forever."""
        estado = estado_factory()
        estado.reivindicar(1, "w1")
        estado.adicionar_pendentes(1, ["r1"])
        estado.alterar(1, lambda e: e.update(linhas=1), request_id="r1")
        estado.registrar_falha(1, "X", "y")
        chaves = list(redis_conexao.client.scan_iter(match=f"{redis_conexao.prefix}:*"))
        assert len(chaves) == 6  # dono, iniciando, pendentes, estado, aplicados, falha
        assert all(redis_conexao.client.ttl(k) > 0 for k in chaves)
