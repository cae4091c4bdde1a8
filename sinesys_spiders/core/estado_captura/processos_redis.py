"""Per-case crawl state in Redis: shared by the N workers of one capture.

Keys (``{SINESYS_REDIS_PREFIX}:captura:{id}:proc:...``, removed by :meth:`ProcessosRedis.limpar` when the capture
ends, and given a TTL of a week in case nobody does): ``caso:{acervo id}`` (the open case's record, JSON) and
``caso:{acervo id}:tokens`` (a set: what of it is in flight, so an answer handled again after a worker's crash counts
once), ``resultado:{credencial}`` (JSON) and ``resultados`` (the credentials that have one).

Opening and closing a case are Lua scripts (atomic: exactly one caller gets the record of a case it closed); a
credential's result is changed optimistically (``WATCH``, read, change, ``MULTI``/``EXEC``, again if another worker
changed it meanwhile). Every call raises ``RedisIndisponivel`` when Redis is out of reach.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import redis

from sinesys_spiders.core.estado_captura.redis import TTL_CHAVES
from sinesys_spiders.core.redis_conexao import RedisConexao

__all__ = ["ProcessosRedis"]

T = TypeVar("T")

_ABRIR = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""

_RETOMAR = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return redis.call('SCARD', KEYS[2])
"""

_ADICIONAR = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SADD', KEYS[2], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[2], ARGV[1])
return 1
"""

_CONCLUIR = """
local registro = redis.call('GET', KEYS[1])
if not registro then return false end
redis.call('SREM', KEYS[2], ARGV[1])
if redis.call('SCARD', KEYS[2]) > 0 then return false end
redis.call('DEL', KEYS[1], KEYS[2])
return registro
"""

_DESCARTAR = """
local registro = redis.call('GET', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2])
return registro
"""


class ProcessosRedis:
    """The per-case state of one capture in Redis (see the module docstring)."""

    compartilhado = True

    def __init__(self, conexao: RedisConexao, captura_id: int) -> None:
        self.conexao = conexao
        self.client = conexao.client
        self.base = conexao.chave("captura", int(captura_id), "proc")
        self._abrir = self.client.register_script(_ABRIR)
        self._retomar = self.client.register_script(_RETOMAR)
        self._adicionar = self.client.register_script(_ADICIONAR)
        self._concluir = self.client.register_script(_CONCLUIR)
        self._descartar = self.client.register_script(_DESCARTAR)

    def _caso(self, processo_id: int) -> list[str]:
        chave = f"{self.base}:caso:{int(processo_id)}"
        return [chave, f"{chave}:tokens"]

    def abrir(self, processo_id: int, registro: dict[str, Any]) -> bool:
        with self.conexao.erros():
            return bool(self._abrir(keys=self._caso(processo_id), args=[json.dumps(registro), TTL_CHAVES]))

    def retomar(self, processo_id: int, registro: dict[str, Any]) -> int | None:
        with self.conexao.erros():
            em_voo = int(self._retomar(keys=self._caso(processo_id), args=[json.dumps(registro), TTL_CHAVES]))
        return None if em_voo < 0 else em_voo

    def aberto(self, processo_id: int) -> bool:
        with self.conexao.erros():
            return bool(self.client.exists(self._caso(processo_id)[0]))

    def abertos(self, processo_ids: list[int]) -> set[int]:
        if not processo_ids:
            return set()
        with self.conexao.erros():
            pipe = self.client.pipeline(transaction=False)
            for processo_id in processo_ids:
                pipe.exists(self._caso(processo_id)[0])
            existe = pipe.execute()
        return {p for p, e in zip(processo_ids, existe, strict=True) if e}

    def adicionar(self, processo_id: int, tokens: list[str]) -> None:
        if not tokens:
            return
        with self.conexao.erros():
            self._adicionar(keys=self._caso(processo_id), args=[TTL_CHAVES, *tokens])

    def concluir(self, processo_id: int, token: str) -> dict[str, Any] | None:
        with self.conexao.erros():
            registro = self._concluir(keys=self._caso(processo_id), args=[token])
        return None if not registro else dict(json.loads(registro))

    def descartar(self, processo_id: int) -> dict[str, Any] | None:
        with self.conexao.erros():
            registro = self._descartar(keys=self._caso(processo_id))
        return None if not registro else dict(json.loads(registro))

    def acumular(
        self, credencial_id: int, funcao: Callable[[dict[str, Any]], T], *, marca: str | None = None
    ) -> T | None:
        chave, todos = f"{self.base}:resultado:{int(credencial_id)}", f"{self.base}:resultados"
        marcas = f"{self.base}:marcas"  # the contributions already added (workers.contagem)
        with self.conexao.erros(), self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(chave, marcas)  # type: ignore[no-untyped-call]
                    if marca is not None and pipe.sismember(marcas, marca):
                        pipe.unwatch()
                        return None
                    valor = pipe.get(chave)
                    resultado = {} if valor is None else dict(json.loads(valor))
                    saida = funcao(resultado)
                    pipe.multi()
                    pipe.set(chave, json.dumps(resultado, default=str), ex=TTL_CHAVES)
                    pipe.sadd(todos, int(credencial_id))
                    pipe.expire(todos, TTL_CHAVES)
                    if marca is not None:
                        pipe.sadd(marcas, marca)
                        pipe.expire(marcas, TTL_CHAVES)
                    pipe.execute()
                    return saida
                except redis.WatchError:
                    continue  # another worker changed it meanwhile: run again on the new result

    def resultados(self) -> dict[int, dict[str, Any]]:
        with self.conexao.erros():
            ids = sorted(int(i) for i in self.client.smembers(f"{self.base}:resultados"))
            valores = self.client.mget([f"{self.base}:resultado:{i}" for i in ids]) if ids else []
        return {i: dict(json.loads(v)) for i, v in zip(ids, valores, strict=True) if v is not None}

    def limpar(self) -> None:
        with self.conexao.erros():
            chaves = list(self.client.scan_iter(match=f"{self.base}:*", count=500))
            if chaves:
                self.client.delete(*chaves)
