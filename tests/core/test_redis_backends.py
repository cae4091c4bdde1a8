"""Locks and sessions in Redis (``SINESYS_REDIS_URL``): the same contracts as SQL, on a real ``redis-server``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from pydantic import SecretStr

from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.crypto import Cipher
from sinesys_spiders.core.errors import RedisIndisponivel
from sinesys_spiders.core.locks import META_LEASE_WORKER, SqlLockBackend, open_locks
from sinesys_spiders.core.locks.redis import RedisLockBackend
from sinesys_spiders.core.redis_conexao import RedisConexao
from sinesys_spiders.core.sessions import DEFAULT_IDLE_TTL, SessionStore, SqlSessionStore, open_session_store
from sinesys_spiders.core.sessions.redis import RedisSessionStore
from sinesys_spiders.testing.db_fixtures import on_sqlite, services_required
from sinesys_spiders.testing.locks_contract import LockBackendContract, LocksFactory
from sinesys_spiders.testing.redis_fixtures import RedisIndisponivelNoTeste, RedisServer, start_redis
from sinesys_spiders.testing.sessions_contract import SessionStoreContract, make_sessao

pytestmark = pytest.mark.requires_redis


class TestRedisLocks(LockBackendContract):
    """Redis keys with the owner token as value and a TTL always set, released and extended by Lua scripts."""

    @pytest.fixture
    def locks_factory(self, redis_url: str, redis_prefix: str, redis_conexao: RedisConexao) -> LocksFactory:
        return lambda: RedisLockBackend(RedisConexao.from_url(redis_url, prefix=redis_prefix))

    def test_every_lock_key_has_a_ttl(self, locks: RedisLockBackend, redis_conexao: RedisConexao) -> None:
        """A lock and its metadata never live without an expiry, so a crashed holder cannot block forever."""
        assert locks.try_acquire("k", ttl=30, metadata={"captura_id": 7}) is not None
        keys = list(redis_conexao.client.scan_iter(match=f"{redis_conexao.prefix}:*"))
        assert len(keys) == 2
        assert all(0 < redis_conexao.client.pttl(key) <= 30_000 for key in keys)
        assert locks.metadata("k")["captura_id"] == 7

    def test_the_locks_of_a_dead_capture_are_freed(self, locks: RedisLockBackend) -> None:
        """The reaper frees the locks a killed capture held (by the capture id in their metadata), not others'."""
        assert locks.try_acquire("sessao:a", ttl=60, metadata={"captura_id": 7}) is not None
        assert locks.try_acquire("captura:processo:1", ttl=60, metadata={"captura_id": 7}) is not None
        other = locks.try_acquire("sessao:b", ttl=60, metadata={"captura_id": 8})
        assert sorted(locks.release_of_captura(7)) == ["captura:processo:1", "sessao:a"]
        assert locks.try_acquire("sessao:a", ttl=60) is not None
        assert other is not None
        assert locks.release(other) is True

    def test_a_lock_whose_holder_worker_lease_lapsed_is_taken_over_at_once(
        self, locks_factory: LocksFactory, redis_conexao: RedisConexao
    ) -> None:
        """A lock taken by a worker of a capture names the worker's queue lease: while the lease lives the lock is
        the holder's for its whole TTL; once the lease lapses (the worker was killed mid-login), the next contender
        takes the lock over at once, and the dead holder's token can neither extend nor release it. A lease key
        outside this deployment's prefix is never trusted."""
        morto, contendor = locks_factory(), locks_factory()
        lease = redis_conexao.chave("captura", 1, "fila", "lease", "w1")
        redis_conexao.client.set(lease, "1", px=30_000)
        antigo = morto.try_acquire("login:credencial:3", ttl=600, metadata={META_LEASE_WORKER: lease})
        alheio = morto.try_acquire("login:credencial:4", ttl=600, metadata={META_LEASE_WORKER: "outro:lease"})
        assert antigo is not None
        assert alheio is not None
        assert contendor.try_acquire("login:credencial:3", ttl=600) is None  # the worker lives: its lock holds

        redis_conexao.client.delete(lease)  # the lease lapsed (nobody renewed it)
        novo = contendor.try_acquire("login:credencial:3", ttl=600, metadata={"credencial_id": 3})

        assert novo is not None
        assert contendor.try_acquire("login:credencial:4", ttl=600) is None
        assert morto.extend(antigo, ttl=600) is None
        assert morto.release(antigo) is False
        assert contendor.try_acquire("login:credencial:3", ttl=600) is None  # the new holder names no lease
        assert contendor.release(novo) is True


class TestRedisSessionStore(SessionStoreContract):
    """Redis hashes, the session sealed to a per-credential uuid."""

    @pytest.fixture
    def credencial_ids(self) -> list[int]:
        return [11, 12]

    @pytest.fixture
    def store_factory(
        self, redis_url: str, redis_prefix: str, redis_conexao: RedisConexao
    ) -> Callable[..., SessionStore]:
        def make(cipher: Cipher, idle_ttl: dt.timedelta | None = DEFAULT_IDLE_TTL) -> SessionStore:
            return RedisSessionStore(RedisConexao.from_url(redis_url, prefix=redis_prefix), cipher, idle_ttl=idle_ttl)

        return make

    @pytest.fixture
    def stored_bytes(self, redis_conexao: RedisConexao) -> Callable[[int], bytes]:
        def read(credencial_id: int) -> bytes:
            fields = redis_conexao.client.hgetall(redis_conexao.chave("sessao", credencial_id))
            return b"|".join(k + b"=" + v for k, v in fields.items())

        return read

    @pytest.fixture
    def copy_stored_session(self, redis_conexao: RedisConexao) -> Callable[[int, int], None]:
        def copy(source: int, target: int) -> None:
            client = redis_conexao.client
            dados = client.hget(redis_conexao.chave("sessao", source), "dados")
            client.hset(redis_conexao.chave("sessao", target), "dados", dados)

        return copy


@on_sqlite
def test_the_settings_choose_redis_or_sql(redis_url: str, redis_prefix: str, database_env: str, cipher: Cipher) -> None:
    """With SINESYS_REDIS_URL set, locks and sessions go to Redis; without it, to the SQL database."""
    com = Settings(redis_url=SecretStr(redis_url), redis_prefix=redis_prefix)
    assert isinstance(open_locks(com), RedisLockBackend)
    assert isinstance(open_session_store(com, cipher=cipher), RedisSessionStore)
    sem = Settings()
    assert isinstance(open_locks(sem), SqlLockBackend)
    assert isinstance(open_session_store(sem, cipher=cipher), SqlSessionStore)


def test_plain_auth_urls_work_too(redis_server: RedisServer, redis_prefix: str, cipher: Cipher) -> None:
    """A URL with only a password (Redis AUTH of the default user) reaches the same server."""
    store = RedisSessionStore(RedisConexao.from_url(redis_server.url(acl=False), prefix=redis_prefix), cipher)
    store.save(make_sessao(5))
    assert store.logins(5) == 1
    store.invalidate(5)


@pytest.mark.parametrize("why", ["wrong password", "nobody listening", "key outside the ACL"])
def test_an_unusable_redis_is_one_clear_error_without_the_password(
    redis_server: RedisServer, redis_prefix: str, why: str
) -> None:
    """A wrong password, a Redis that is down, or an ACL that denies the keys: ``REDIS_INDISPONIVEL``, and the
    password is in neither the message nor the repr."""
    url = redis_server.url()
    prefix = redis_prefix
    if why == "wrong password":
        url = url.replace(redis_server.acl_password, "senha-errada-123")
    elif why == "nobody listening":
        url = url.replace(f":{redis_server.port}/", ":1/")
    else:
        prefix = "outro-deploy"
    locks = RedisLockBackend(RedisConexao.from_url(url, prefix=prefix, socket_connect_timeout=2))
    with pytest.raises(RedisIndisponivel) as caught:
        locks.try_acquire("k", ttl=5)
    assert caught.value.code == "REDIS_INDISPONIVEL"
    for secret in (redis_server.acl_password, "senha-errada-123"):
        assert secret not in str(caught.value)
        assert secret not in repr(locks)


@pytest.fixture(scope="module")
def redis_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A ``redis-server`` that speaks only TLS, its certificate from a CA of the test's own."""
    try:
        server = start_redis(tmp_path_factory.mktemp("redis-tls"), tls=True)
    except RedisIndisponivelNoTeste as exc:
        if services_required():
            pytest.fail(f"Redis required (SINESYS_TEST_REQUIRE_SERVICES=1) but unavailable: {exc}")
        pytest.skip(f"Redis unavailable: {exc}")
    yield server
    server.stop()


def test_rediss_urls_speak_tls_with_a_checked_certificate(redis_tls: RedisServer, cipher: Cipher) -> None:
    """``rediss://`` with the deployment's CA: locks and sessions work over TLS; a plain ``redis://`` to the TLS
    port is one clear ``REDIS_INDISPONIVEL``, never a hang or a cleartext password."""
    conexao = RedisConexao.from_url(redis_tls.url(), prefix="tls")
    locks = RedisLockBackend(conexao)
    lease = locks.try_acquire("k", ttl=5)
    assert lease is not None
    assert locks.release(lease) is True
    store = RedisSessionStore(conexao, cipher)
    sessao = make_sessao(3)
    store.save(sessao)
    assert store.get(3) == sessao
    plain = redis_tls.url().replace("rediss://", "redis://").split("?")[0]
    with pytest.raises(RedisIndisponivel):
        RedisLockBackend(RedisConexao.from_url(plain, prefix="tls", socket_timeout=3)).try_acquire("k", ttl=5)
