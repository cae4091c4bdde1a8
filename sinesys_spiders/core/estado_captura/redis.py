"""Per-credential crawl state in Redis: shared by the N workers of one capture.

Keys (``{SINESYS_REDIS_PREFIX}:captura:{id}:cred:{credencial}:...``, all removed by :meth:`EstadoRedis.limpar`
when the capture ends, and given a TTL of a week in case nobody does): ``dono`` (the worker that started it),
``iniciando`` (set with ``dono``, in one script), ``pendentes`` (a hash: request id -> copies queued or held; the
workers' queue counts a copy in the script that queues its request and uncounts it in the one that acknowledges it,
the id leaving with its last copy, :mod:`sinesys_spiders.workers.fila`), ``contexto`` and ``estado`` (JSON),
``aplicados`` (the request ids whose answer changed ``estado``), ``falha`` (JSON, set once), ``terminada``.

The plugin's state is changed optimistically: ``WATCH`` the state, read it, run the change, write it back in a
``MULTI`` with the request id added to ``aplicados``; a concurrent change by another worker makes ``EXEC`` fail
and the change runs again on the new state. Every call raises ``RedisIndisponivel`` when Redis is out of reach.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import redis

from sinesys_spiders.core.redis_conexao import RedisConexao

__all__ = ["EstadoRedis"]

T = TypeVar("T")

#: Seconds the keys of a capture outlive their last change when nobody removes them.
TTL_CHAVES = 7 * 24 * 3600

# Claim a credential (KEYS: dono, iniciando; ARGV: worker, the dead worker taken over from or '', TTL): the owner
# and the "starting" mark are set together, so a worker that dies right after its claim leaves a credential that
# says it was being started (another worker takes it over), never one owned and silently never started.
_REIVINDICAR = """
local dono = redis.call('GET', KEYS[1])
if ARGV[2] == '' then
  if dono == ARGV[1] then return 1 end
  if dono then return 0 end
elseif dono ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[3]))
redis.call('SET', KEYS[2], '1', 'EX', tonumber(ARGV[3]))
return 1
"""

# One copy of a pending request handled (KEYS: the pending hash; ARGV: request id): the id leaves with its last copy.
_CONCLUIR_PENDENTE = """
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return redis.call('HLEN', KEYS[1])
"""


class EstadoRedis:
    """The state of one capture's credentials in Redis (see the module docstring)."""

    compartilhado = True

    def __init__(self, conexao: RedisConexao, captura_id: int) -> None:
        self.conexao = conexao
        self.client = conexao.client
        self.base = conexao.chave("captura", int(captura_id), "cred")

    def _k(self, credencial_id: int, nome: str) -> str:
        return f"{self.base}:{int(credencial_id)}:{nome}"

    def chave_pendentes(self, credencial_id: int) -> str:
        """The key of the credential's pending hash (the workers' queue counts and uncounts its requests' copies)."""
        return self._k(credencial_id, "pendentes")

    def reivindicar(self, credencial_id: int, worker: str) -> bool:
        chaves = [self._k(credencial_id, "dono"), self._k(credencial_id, "iniciando")]
        with self.conexao.erros():
            return bool(self.client.eval(_REIVINDICAR, 2, *chaves, worker, "", TTL_CHAVES))

    def retomar(self, credencial_id: int, de: str, para: str) -> bool:
        chaves = [self._k(credencial_id, "dono"), self._k(credencial_id, "iniciando")]
        with self.conexao.erros():
            return bool(self.client.eval(_REIVINDICAR, 2, *chaves, para, de, TTL_CHAVES))

    def dono(self, credencial_id: int) -> str | None:
        with self.conexao.erros():
            return _texto(self.client.get(self._k(credencial_id, "dono")))

    def liberar_dono(self, credencial_id: int, worker: str) -> bool:
        chave = self._k(credencial_id, "dono")
        with self.conexao.erros():
            script = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
            return bool(self.client.eval(script, 1, chave, worker))

    def marcar_iniciando(self, credencial_id: int, iniciando: bool) -> None:
        chave = self._k(credencial_id, "iniciando")
        with self.conexao.erros():
            if iniciando:
                self.client.set(chave, "1", ex=TTL_CHAVES)
            else:
                self.client.delete(chave)

    def iniciando(self, credencial_id: int) -> bool:
        with self.conexao.erros():
            return bool(self.client.exists(self._k(credencial_id, "iniciando")))

    def adicionar_pendentes(self, credencial_id: int, ids: list[str]) -> None:
        if not ids:
            return
        chave = self._k(credencial_id, "pendentes")
        with self.conexao.erros():
            pipe = self.client.pipeline(transaction=True)
            for request_id in ids:
                pipe.hincrby(chave, request_id, 1)
            pipe.expire(chave, TTL_CHAVES)
            pipe.execute()

    def concluir_pendente(self, credencial_id: int, request_id: str) -> int:
        chave = self._k(credencial_id, "pendentes")
        with self.conexao.erros():
            return int(self.client.eval(_CONCLUIR_PENDENTE, 1, chave, request_id))

    def pendentes(self, credencial_id: int) -> int:
        with self.conexao.erros():
            return int(self.client.hlen(self._k(credencial_id, "pendentes")))

    def guardar_contexto(self, credencial_id: int, contexto: dict[str, Any]) -> None:
        with self.conexao.erros():
            self.client.set(self._k(credencial_id, "contexto"), json.dumps(contexto), ex=TTL_CHAVES)

    def contexto(self, credencial_id: int) -> dict[str, Any] | None:
        with self.conexao.erros():
            valor = self.client.get(self._k(credencial_id, "contexto"))
        return None if valor is None else dict(json.loads(valor))

    def estado(self, credencial_id: int) -> dict[str, Any]:
        with self.conexao.erros():
            valor = self.client.get(self._k(credencial_id, "estado"))
        return {} if valor is None else dict(json.loads(valor))

    def alterar(self, credencial_id: int, funcao: Callable[[dict[str, Any]], T], *, request_id: str | None = None) -> T:
        chave, aplicados = self._k(credencial_id, "estado"), self._k(credencial_id, "aplicados")
        with self.conexao.erros(), self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(chave, aplicados)  # type: ignore[no-untyped-call]
                    valor = pipe.get(chave)
                    estado = {} if valor is None else dict(json.loads(valor))
                    if request_id is not None and pipe.sismember(aplicados, request_id):
                        pipe.unwatch()
                        return funcao(estado)  # applied before (by a worker that died): a throwaway copy
                    resultado = funcao(estado)
                    pipe.multi()
                    pipe.set(chave, json.dumps(estado), ex=TTL_CHAVES)
                    if request_id is not None:
                        pipe.sadd(aplicados, request_id)
                        pipe.expire(aplicados, TTL_CHAVES)
                    pipe.execute()
                    return resultado
                except redis.WatchError:
                    continue  # another worker changed it meanwhile: run again on the new state

    def registrar_falha(self, credencial_id: int, codigo: str, mensagem: str) -> bool:
        valor = json.dumps({"codigo": codigo, "mensagem": mensagem})
        with self.conexao.erros():
            return bool(self.client.set(self._k(credencial_id, "falha"), valor, nx=True, ex=TTL_CHAVES))

    def falha(self, credencial_id: int) -> tuple[str, str] | None:
        with self.conexao.erros():
            valor = self.client.get(self._k(credencial_id, "falha"))
        if valor is None:
            return None
        dados = json.loads(valor)
        return str(dados["codigo"]), str(dados["mensagem"])

    def terminar(self, credencial_id: int) -> bool:
        with self.conexao.erros():
            return bool(self.client.set(self._k(credencial_id, "terminada"), "1", nx=True, ex=TTL_CHAVES))

    def terminada(self, credencial_id: int) -> bool:
        with self.conexao.erros():
            return bool(self.client.exists(self._k(credencial_id, "terminada")))

    def situacoes(self, credencial_ids: list[int]) -> dict[int, tuple[str | None, bool, bool]]:
        """Each credential's (``dono``, ``iniciando``, ``terminada``), in one round trip."""
        with self.conexao.erros():
            pipe = self.client.pipeline(transaction=False)
            for credencial_id in credencial_ids:
                pipe.get(self._k(credencial_id, "dono"))
                pipe.exists(self._k(credencial_id, "iniciando"))
                pipe.exists(self._k(credencial_id, "terminada"))
            valores = pipe.execute()
        return {
            c: (_texto(valores[3 * i]), bool(valores[3 * i + 1]), bool(valores[3 * i + 2]))
            for i, c in enumerate(credencial_ids)
        }

    def limpar(self) -> None:
        with self.conexao.erros():
            chaves = list(self.client.scan_iter(match=f"{self.base}:*", count=500))
            if chaves:
                self.client.delete(*chaves)


def _texto(valor: Any) -> str | None:
    if valor is None:
        return None
    return valor.decode() if isinstance(valor, bytes) else str(valor)
