"""The shared request queue of a capture run by N workers: scrapy-redis, with no request lost when a worker dies.

Stock scrapy-redis pops a request out of Redis and forgets it: a worker killed with requests in flight loses
them. :class:`FilaComArrendamento` (a scrapy-redis ``PriorityQueue``) moves each request it pops, in one atomic
Lua script, from the queue into its worker's *processing* hash (``{fila}:processando:{worker}``, the pickled
request and its score), where it stays until the worker has handled its answer or failure
(:meth:`FilaComArrendamento.concluir`). Every worker holds a lease (``{fila}:lease:{worker}``, a key with a TTL
of ``SINESYS_FILA_LEASE_TTL`` seconds, default 30, renewed every third of it); when a worker's lease lapses
(the process died, its machine was lost, its reactor hung longer than the TTL), the next worker that looks
(:meth:`~FilaComArrendamento.recuperar`, run with every renewal) moves every request of that worker's
processing hash back into the queue, with its priority, in one Lua script. A request is thus fetched again
after a crash, never lost.

Queuing (:meth:`FilaComArrendamento.enfileirar`) is one Lua script too: the duplicate filter's ``SADD``, the push,
the request id added to its credential's pending set and, for a request popped before and queued again (a retry),
its old processing entry dropped. Acknowledging (:meth:`FilaComArrendamento.concluir`) drops the processing entry
and, only if it was still there, the pending id, in one script. So a worker killed at any instant leaves neither a
pending request that no queue holds nor a fingerprint marked seen whose request was never queued (the request
produced again by the worker that takes over would be dropped as a duplicate, and the credential never end).

The queue's keys are ``{SINESYS_REDIS_PREFIX}:captura:{id}:fila`` (one per deployment and per capture): N
workers with the same capture id share one queue and one duplicate filter.

Requests are pickled (scrapy-redis's serializer): anyone who can write to this Redis can run code in every
worker. Give the workers a Redis of their own, with a password or an ACL user, on a private network or TLS.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from typing import TYPE_CHECKING, Any

from scrapy_redis.queue import PriorityQueue  # type: ignore[import-untyped]

from sinesys_spiders.core.errors import RedisIndisponivel

if TYPE_CHECKING:
    import redis
    from scrapy import Request, Spider

__all__ = ["CHAVE_RID", "CHAVE_TOKEN", "TTL_PENDENTES", "FilaComArrendamento", "id_worker"]

logger = logging.getLogger(__name__)

#: ``request.meta`` key of the token of a popped request (its field in the processing hash).
CHAVE_TOKEN = "sinesys_fila_token"  # noqa: S105 - a meta key, not a secret
#: ``request.meta`` key of a request's stable id (credential, URL, step and data): its entry in its credential's
#: pending set (the same request asked again after a crash has the same id).
CHAVE_RID = "sinesys_rid"

# Pop the first request (lowest score) into the worker's processing hash: ``{token, data}`` or nil. A worker
# whose lease lapsed pops nothing until it renewed (joined again): another worker may already have dropped it from
# the workers set, and a processing hash no member of that set owns would never be given back if it then died.
# KEYS: queue, processing hash, the worker's lease; ARGV: the processing hash's TTL.
_POP = """
if redis.call('EXISTS', KEYS[3]) == 0 then return nil end
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return nil end
redis.call('ZREM', KEYS[1], r[1])
local token = redis.sha1hex(r[1])
redis.call('HSET', KEYS[2], token, r[2] .. ':' .. r[1])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[1]))
return {token, r[1]}
"""

# Queue a request, in one step: mark its fingerprint seen (unless ``dont_filter``: a retry, a redirect, a replay),
# push it, add its request id to its credential's pending set, and (a request popped before and queued again) drop
# its old entry from the worker's processing hash. A worker killed at any point leaves all of it or none of it.
# KEYS: dupefilter, queue, pending set (or the queue key: no credential), processing hash;
# ARGV: fingerprint, score, data, request id ('' = none), old token ('' = none), dont_filter ('1'), keys' TTL.
_ENFILEIRAR = """
if ARGV[6] ~= '1' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[7]))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[7]))
if ARGV[4] ~= '' then
  redis.call('SADD', KEYS[3], ARGV[4])
  redis.call('EXPIRE', KEYS[3], tonumber(ARGV[7]))
end
if ARGV[5] ~= '' then redis.call('HDEL', KEYS[4], ARGV[5]) end
return 1
"""

# A request was handled (its answer's rows durably written, or its failure recorded): it leaves the worker's
# processing hash and, only if it was still there (a worker whose lease lapsed has lost it to the queue, where
# another worker will handle it), its credential's pending set. Returns the pending requests left, or -1.
# KEYS: processing hash, pending set (or the processing hash: no credential); ARGV: token, request id ('' = none).
_CONCLUIR = """
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return -1 end
if ARGV[2] == '' then return -1 end
redis.call('SREM', KEYS[2], ARGV[2])
return redis.call('SCARD', KEYS[2])
"""

# Move processing hashes back into the queue, with their scores: the one of a worker leaving (ARGV[2]), or those
# of every worker whose lease lapsed (ARGV[2] = ''). Returns how many requests went back.
# KEYS: queue, workers set; ARGV: the queue key (prefix of the per-worker keys), the worker leaving or ''.
_DEVOLVER = """
local function devolver(w)
  local proc = ARGV[1] .. ':processando:' .. w
  local kv = redis.call('HGETALL', proc)
  for i = 2, #kv, 2 do
    local v = kv[i]
    local sep = string.find(v, ':', 1, true)
    redis.call('ZADD', KEYS[1], tonumber(string.sub(v, 1, sep - 1)), string.sub(v, sep + 1))
  end
  redis.call('DEL', proc, ARGV[1] .. ':lease:' .. w)
  redis.call('SREM', KEYS[2], w)
  return #kv / 2
end
if ARGV[2] ~= '' then return devolver(ARGV[2]) end
local movidos = 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[1] .. ':lease:' .. w) == 0 then movidos = movidos + devolver(w) end
end
return movidos
"""

# The capture's mark (KEYS[1]): set by the first worker that joins, read by every other; a worker that finds it
# gone or changed knows Redis lost the capture's state (restarted without persistence, or from an older snapshot)
# while the client reconnected silently. ARGV: a new mark, its TTL.
_MARCA = """
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
  return ARGV[1]
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return v
"""

#: Seconds a capture's queue keys (queue, duplicate filter, workers set, processing hashes, pending sets) outlive
#: their last change when nobody removes them (every worker of the capture killed: the last one never cleans up).
TTL_PENDENTES = 7 * 24 * 3600


def id_worker() -> str:
    """A worker's id: host, process and a random part (a restarted process is a new worker)."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"


class FilaComArrendamento(PriorityQueue):
    """scrapy-redis's priority queue, whose popped requests stay in a processing hash under the worker's lease."""

    def __init__(
        self,
        server: redis.Redis,
        spider: Spider,
        key: str,
        serializer: Any = None,
        *,
        worker: str | None = None,
        lease_ttl: float = 30.0,
    ) -> None:
        super().__init__(server, spider, key, serializer)
        self.worker = worker or id_worker()
        self.lease_ttl = lease_ttl
        self.chave_workers = f"{self.key}:workers"
        self.chave_lease = f"{self.key}:lease:{self.worker}"
        self.chave_processando = f"{self.key}:processando:{self.worker}"
        self.chave_marca = f"{self.key}:marca"
        #: The capture's mark this worker saw when it first joined (see ``_MARCA``).
        self.marca: str | None = None
        self._pop = server.register_script(_POP)
        self._enfileirar = server.register_script(_ENFILEIRAR)
        self._concluir = server.register_script(_CONCLUIR)
        self._devolver = server.register_script(_DEVOLVER)
        self._marca = server.register_script(_MARCA)

    # -- the worker's lease --------------------------------------------------------------------------

    def registrar(self) -> None:
        """Join the queue's workers, with a fresh lease (``RedisIndisponivel`` if Redis lost the capture's state)."""
        self._conferir_marca()
        pipe = self.server.pipeline()
        pipe.set(self.chave_lease, "1", px=int(self.lease_ttl * 1000))
        pipe.sadd(self.chave_workers, self.worker)
        pipe.expire(self.chave_workers, TTL_PENDENTES)
        pipe.execute()

    def renovar(self) -> bool:
        """Renew the lease; ``False`` if it had lapsed (then its requests may have gone back: it joins again)."""
        pipe = self.server.pipeline(transaction=False)
        pipe.set(self.chave_lease, "1", px=int(self.lease_ttl * 1000), xx=True)
        pipe.expire(self.chave_workers, TTL_PENDENTES)
        renovado = pipe.execute()[0]
        self._conferir_marca()
        if renovado:
            return True
        logger.warning("fila %s: o lease do worker %s expirou; seus pedidos voltaram à fila", self.key, self.worker)
        self.registrar()
        return False

    def _conferir_marca(self) -> None:
        marca = self._marca(keys=[self.chave_marca], args=[secrets.token_hex(8), TTL_PENDENTES])
        marca = marca.decode() if isinstance(marca, bytes) else str(marca)
        if self.marca is None:
            self.marca = marca
        elif marca != self.marca:
            raise RedisIndisponivel(
                "o Redis perdeu o estado da captura (reiniciado sem persistência ou de um snapshot antigo)"
            )

    def recuperar(self) -> int:
        """Move the requests of every worker whose lease lapsed back into the queue; return how many."""
        movidos = int(self._devolver(keys=[self.key, self.chave_workers], args=[self.key, ""]))
        if movidos:
            logger.warning("fila %s: %d pedido(s) de workers sem lease voltaram à fila", self.key, movidos)
        return movidos

    def vivo(self, worker: str) -> bool:
        """Whether ``worker`` still holds its lease."""
        return bool(self.server.exists(f"{self.key}:lease:{worker}"))

    def sair(self) -> int:
        """Leave the queue (a graceful close): requests still in flight go back to it; return how many."""
        return int(self._devolver(keys=[self.key, self.chave_workers], args=[self.key, self.worker]))

    # -- requests ------------------------------------------------------------------------------------

    def pop(self, timeout: int = 0) -> Request | None:
        resultado = self._pop(keys=[self.key, self.chave_processando, self.chave_lease], args=[TTL_PENDENTES])
        if not resultado:
            return None
        token, data = resultado
        request = self._decode_request(data)
        request.meta[CHAVE_TOKEN] = token.decode() if isinstance(token, bytes) else str(token)
        return request

    def enfileirar(
        self,
        request: Request,
        *,
        dupefilter: str,
        fingerprint: str,
        pendentes: str | None = None,
        request_id: str | None = None,
        token_antigo: str | None = None,
    ) -> bool:
        """Queue ``request`` atomically (see ``_ENFILEIRAR``); ``False`` if the duplicate filter dropped it.

        ``pendentes``/``request_id``: its credential's pending set and its id there; ``token_antigo``: its entry in
        this worker's processing hash when it was popped before (a retry, a redirect, a replay after a new login).
        """
        data = self._encode_request(request)
        queued = self._enfileirar(
            keys=[dupefilter, self.key, pendentes or self.key, self.chave_processando],
            args=[
                fingerprint,
                -request.priority,
                data,
                (request_id or "") if pendentes else "",
                token_antigo or "",
                "1" if request.dont_filter else "0",
                TTL_PENDENTES,
            ],
        )
        return bool(queued)

    def concluir(self, token: str | None, *, pendentes: str | None = None, request_id: str | None = None) -> int:
        """The request of ``token`` was handled: it leaves the processing hash and (``pendentes``/``request_id``)
        its credential's pending set, atomically. Returns the credential's pending requests left, or -1 when there
        is no credential or the token was no longer this worker's (its lease lapsed: the request went back)."""
        if not token:
            return -1
        restantes = self._concluir(
            keys=[self.chave_processando, pendentes or self.chave_processando],
            args=[token, request_id if pendentes and request_id else ""],
        )
        return int(restantes)

    def em_andamento(self) -> int:
        """Requests popped and not yet handled, by every worker that holds the queue."""
        total = 0
        for worker in self.server.smembers(self.chave_workers):
            nome = worker.decode() if isinstance(worker, bytes) else worker
            total += int(self.server.hlen(f"{self.key}:processando:{nome}"))
        return total

    def clear(self) -> None:
        """Remove the queue and every worker's processing hash and lease (the capture is over)."""
        chaves = [self.key, self.chave_workers, self.chave_marca]
        chaves += [k for k in self.server.scan_iter(match=f"{self.key}:processando:*", count=500)]
        chaves += [k for k in self.server.scan_iter(match=f"{self.key}:lease:*", count=500)]
        self.server.delete(*chaves)
