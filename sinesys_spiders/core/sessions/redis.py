"""Sessions in Redis (``SINESYS_REDIS_URL``): one hash per credential, ``{prefix}:sessao:{credencial_id}``.

Fields: ``uuid`` (random, made once per credential: the associated data the session is sealed to, as the SQL
row's uuid), ``dados`` (the session, AES-GCM under ``SINESYS_SECRET_KEY``), ``expires_at`` and ``last_used``
(epoch seconds), ``logins`` and ``otp`` (the last TOTP step, only ever raised, by a script). Invalidating a given
session is a compare-and-delete script on the sealed bytes, so a late rejection of an old session never drops a
newer one. The hash lives ``RETENCAO`` after its last write (longer than any session and any TOTP window).
"""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib

from sinesys_spiders.core.crypto import Cipher, sessao_aad
from sinesys_spiders.core.errors import ChaveInvalida
from sinesys_spiders.core.redis_conexao import RedisConexao
from sinesys_spiders.core.sessions.base import DEFAULT_IDLE_TTL, SessaoTribunal
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["RedisSessionStore"]

#: A credential's hash is kept this long after its last write (its OTP step and login count with it).
RETENCAO = dt.timedelta(days=7)

_SAVE = """
if redis.call('hget', KEYS[1], 'uuid') ~= ARGV[1] then return 0 end
redis.call('hset', KEYS[1], 'dados', ARGV[2], 'expires_at', ARGV[3], 'id_advogado', ARGV[4], 'last_used', ARGV[5])
redis.call('hincrby', KEYS[1], 'logins', 1)
redis.call('expire', KEYS[1], ARGV[6])
return 1
"""
_INVALIDATE = """
local dados = redis.call('hget', KEYS[1], 'dados')
if not dados then return 0 end
if ARGV[1] ~= '' and dados ~= ARGV[1] then return 0 end
redis.call('hdel', KEYS[1], 'dados', 'expires_at', 'id_advogado')
return 1
"""
_TOUCH = """
if redis.call('exists', KEYS[1]) == 1 then redis.call('hset', KEYS[1], 'last_used', ARGV[1]) end
return 0
"""
_OTP = """
local atual = tonumber(redis.call('hget', KEYS[1], 'otp'))
if atual == nil or atual < tonumber(ARGV[1]) then
  redis.call('hset', KEYS[1], 'otp', ARGV[1])
  redis.call('expire', KEYS[1], ARGV[2])
  return 1
end
return 0
"""


class RedisSessionStore:
    """Sessions in Redis hashes, encrypted and bound to a per-credential uuid (the ``SessionStore`` protocol)."""

    def __init__(
        self, conexao: RedisConexao, cipher: Cipher, *, idle_ttl: dt.timedelta | None = DEFAULT_IDLE_TTL
    ) -> None:
        self._conexao = conexao
        self._cipher = cipher
        self._idle_ttl = idle_ttl
        client = conexao.client
        self._save = client.register_script(_SAVE)
        self._invalidate = client.register_script(_INVALIDATE)
        self._touch = client.register_script(_TOUCH)
        self._otp = client.register_script(_OTP)

    def __repr__(self) -> str:
        return f"RedisSessionStore({self._conexao!r}, cipher={self._cipher!r})"

    def _key(self, credencial_id: int) -> str:
        return self._conexao.chave("sessao", int(credencial_id))

    def get(self, credencial_id: int) -> SessaoTribunal | None:
        now = utcnow()
        key = self._key(credencial_id)
        with self._conexao.erros():
            row_uuid, dados, expires_at, last_used = self._conexao.client.hmget(
                key, ["uuid", "dados", "expires_at", "last_used"]
            )
        if dados is None or row_uuid is None:
            return None
        if expires_at is not None and float(expires_at) <= now.timestamp():
            return None
        if (
            self._idle_ttl is not None
            and last_used is not None
            and float(last_used) + self._idle_ttl.total_seconds() <= now.timestamp()
        ):
            return None
        sessao = self._decrypt(credencial_id, _texto(row_uuid), _bytes(dados))
        if sessao is None:  # altered or misplaced under this very key: a new login replaces it
            with self._conexao.erros():
                self._invalidate(keys=[key], args=[dados])
            return None
        return sessao if sessao.is_valid(now) else None

    def save(self, sessao: SessaoTribunal) -> None:
        key = self._key(sessao.credencial_id)
        retencao = int(RETENCAO.total_seconds())
        with self._conexao.erros():
            for _ in range(5):  # the hash may lapse between reading its uuid and writing: read it again
                client = self._conexao.client
                client.hsetnx(key, "uuid", uuidlib.uuid4().hex)
                row_uuid = client.hget(key, "uuid")
                if row_uuid is None:
                    continue
                dados = self._cipher.encrypt(sessao.to_json(), aad=sessao_aad(_texto(row_uuid)))
                args = [row_uuid, dados, sessao.expires_at.timestamp(), sessao.id_advogado, utcnow().timestamp()]
                if self._save(keys=[key], args=[*args, retencao]):
                    return
        raise RuntimeError(f"não foi possível gravar a sessão da credencial {sessao.credencial_id}")

    def invalidate(self, credencial_id: int, *, session_id: str | None = None) -> bool:
        key = self._key(credencial_id)
        with self._conexao.erros():
            row_uuid, dados = self._conexao.client.hmget(key, ["uuid", "dados"])
        if dados is None or row_uuid is None:
            return False
        if session_id is not None:
            stored = self._decrypt(credencial_id, _texto(row_uuid), _bytes(dados))
            if stored is not None and stored.session_id != session_id:
                return False  # a newer session replaced the rejected one: keep it
        with self._conexao.erros():
            return bool(self._invalidate(keys=[key], args=[dados if session_id is not None else b""]))

    def touch(self, credencial_id: int) -> None:
        with self._conexao.erros():
            self._touch(keys=[self._key(credencial_id)], args=[utcnow().timestamp()])

    def otp_ultimo_passo(self, credencial_id: int) -> int | None:
        with self._conexao.erros():
            passo = self._conexao.client.hget(self._key(credencial_id), "otp")
        return None if passo is None else int(passo)

    def record_otp_step(self, credencial_id: int, passo: int) -> None:
        with self._conexao.erros():
            self._otp(keys=[self._key(credencial_id)], args=[int(passo), int(RETENCAO.total_seconds())])

    def logins(self, credencial_id: int) -> int:
        with self._conexao.erros():
            logins = self._conexao.client.hget(self._key(credencial_id), "logins")
        return 0 if logins is None else int(logins)

    def _decrypt(self, credencial_id: int, row_uuid: str, dados: bytes) -> SessaoTribunal | None:
        """The stored session; ``None`` if it was altered under this key (another key raises ``ChaveInvalida``:
        a wrong ``SINESYS_SECRET_KEY`` stops the capture, it never deletes what the right key can read)."""
        what = f"a sessão da credencial {credencial_id}"
        aad = sessao_aad(row_uuid)
        if not self._cipher.owns(dados):
            self._cipher.decrypt_text(dados, aad=aad, what=what)  # raises, says why
        try:
            text = self._cipher.decrypt_text(dados, aad=aad, what=what)
        except ChaveInvalida:
            return None
        return SessaoTribunal.from_json(text)


# The client answers bytes (no ``decode_responses``); redis-py types its replies as ``bytes | str``.
def _bytes(valor: bytes | str) -> bytes:
    return valor if isinstance(valor, bytes) else valor.encode()


def _texto(valor: bytes | str) -> str:
    return valor.decode() if isinstance(valor, bytes) else valor
