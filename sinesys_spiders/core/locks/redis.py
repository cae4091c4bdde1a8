"""Locks in Redis (``SINESYS_REDIS_URL``): one key per lock, its value the owner token, its TTL always set.

Acquiring is ``SET key owner NX PX ttl`` (with the lock's metadata in a sibling key of the same TTL, set by the
same script); release and extend are Lua scripts that act only when the stored token is the caller's, so a
holder whose lock lapsed and was taken over can neither free nor prolong the new holder's lock. Redis expires
the key by itself: a crashed holder blocks the others for at most its TTL.

A holder that runs in a worker of a capture (:mod:`sinesys_spiders.workers`) names its worker's queue lease in the
lock's metadata (``lease_worker``, :data:`~sinesys_spiders.core.locks.base.META_LEASE_WORKER`): once that lease
lapses (the worker was killed, ``SINESYS_FILA_LEASE_TTL``), the next acquirer takes the lock over at once, in the
acquire script, instead of waiting for the lock's own TTL (a login lock's is 600 s). Only a lease key under this
deployment's prefix counts. A session turn or case lock also names its capture's liveness key (``lease_captura``,
:data:`~sinesys_spiders.core.locks.base.META_LEASE_CAPTURA`, renewed by every live worker of the capture): while it
exists only a worker of that capture takes the lock over (another capture waits as for any held lock).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from sinesys_spiders.core.locks.base import META_LEASE_CAPTURA, Lease
from sinesys_spiders.core.redis_conexao import RedisConexao
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["RedisLockBackend"]

# Take the lock if it is free; or if its holder declared the lease of the worker it runs in (metadata
# ``lease_worker``, a key under this deployment's prefix, ARGV[4]) and that lease lapsed: the holder died, and the
# lock is taken over at once instead of after its TTL (the old owner token then fails every extend and release).
# A holder that also declared its capture's liveness (``lease_captura``) is taken over only by a worker of the same
# capture (ARGV[5]) while any worker of that capture is alive: the capture still works on what the lock guards.
_ACQUIRE = """
if not redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local meta = redis.call('get', KEYS[2])
  if not meta then return 0 end
  local ok, dados = pcall(cjson.decode, meta)
  if not ok or type(dados) ~= 'table' then return 0 end
  local lease = dados['lease_worker']
  if type(lease) ~= 'string' or string.sub(lease, 1, #ARGV[4]) ~= ARGV[4] then return 0 end
  if redis.call('exists', lease) == 1 then return 0 end
  local captura = dados['lease_captura']
  if type(captura) == 'string' and captura ~= ARGV[5] and string.sub(captura, 1, #ARGV[4]) == ARGV[4]
     and redis.call('exists', captura) == 1 then return 0 end
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
redis.call('set', KEYS[2], ARGV[3], 'PX', ARGV[2])
return 1
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('del', KEYS[1], KEYS[2])
  return 1
end
return 0
"""
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('pexpire', KEYS[1], ARGV[2])
  redis.call('pexpire', KEYS[2], ARGV[2])
  return 1
end
return 0
"""


def _ms(ttl: float) -> int:
    if ttl <= 0:
        raise ValueError("ttl do lock deve ser positivo")
    return max(1, int(ttl * 1000))


class RedisLockBackend:
    """Locks as Redis keys ``{prefix}:lock:{key}`` with the owner token as value."""

    def __init__(self, conexao: RedisConexao) -> None:
        self._conexao = conexao
        client = conexao.client
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)
        self._extend = client.register_script(_EXTEND)

    def __repr__(self) -> str:
        return f"RedisLockBackend({self._conexao!r})"

    def _keys(self, key: str) -> list[str]:
        return [self._conexao.chave("lock", key), self._conexao.chave("lock-meta", key)]

    def try_acquire(self, key: str, *, ttl: float, metadata: Mapping[str, Any] | None = None) -> Lease | None:
        ms = _ms(ttl)
        now = utcnow()
        owner = secrets.token_hex(16)
        meta = json.dumps({**dict(metadata or {}), "criado_em": now.isoformat()}, default=str)
        with self._conexao.erros():
            captura = str(dict(metadata or {}).get(META_LEASE_CAPTURA) or "")
            taken = self._acquire(keys=self._keys(key), args=[owner, ms, meta, self._conexao.chave(""), captura])
        if not taken:
            return None
        return Lease(key=key, owner=owner, expires_at=now + dt.timedelta(milliseconds=ms))

    def release(self, lease: Lease) -> bool:
        with self._conexao.erros():
            return bool(self._release(keys=self._keys(lease.key), args=[lease.owner]))

    def release_many(self, leases: Sequence[Lease]) -> list[bool]:
        """Every release in one round trip (a pipeline of the owner-checking script)."""
        if not leases:
            return []
        with self._conexao.erros():
            pipe = self._conexao.client.pipeline(transaction=False)
            for lease in leases:
                self._release(keys=self._keys(lease.key), args=[lease.owner], client=pipe)
            return [bool(answer) for answer in pipe.execute()]

    def extend(self, lease: Lease, *, ttl: float) -> Lease | None:
        ms = _ms(ttl)
        now = utcnow()
        with self._conexao.erros():
            if not self._extend(keys=self._keys(lease.key), args=[lease.owner, ms]):
                return None
        return dataclasses.replace(lease, expires_at=now + dt.timedelta(milliseconds=ms))

    def metadata(self, key: str) -> dict[str, Any] | None:
        """What the holder of ``key`` recorded when it took it (``None`` if the lock is free)."""
        with self._conexao.erros():
            raw = self._conexao.client.get(self._keys(key)[1])
        return None if raw is None else dict(json.loads(raw))

    def release_of_captura(self, captura_id: int) -> list[str]:
        """Free every lock whose metadata names ``captura_id`` (a capture that died); return their keys."""
        prefixo = self._conexao.chave("lock-meta", "")
        freed: list[str] = []
        with self._conexao.erros():
            client = self._conexao.client
            for meta_key in client.scan_iter(match=f"{prefixo}*", count=500):
                raw = client.get(meta_key)
                if raw is None or json.loads(raw).get("captura_id") != captura_id:
                    continue
                key = meta_key.decode()[len(prefixo) :]
                client.delete(*self._keys(key))
                freed.append(key)
        return freed
