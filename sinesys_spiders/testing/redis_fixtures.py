"""A real ``redis-server`` for tests: one per test session (per xdist worker), on a free loopback port.

``start_redis(folder)`` writes a configuration (no persistence, loopback only, a password for the default user
and an ACL user ``sinesys`` allowed only keys under ``t*``) and starts Debian's ``redis-server``;
:class:`RedisServer` gives URLs for either user, and can be stopped and started again on the same port (a Redis
restart). Fixtures: ``redis_server`` (session; missing ``redis-server`` is a skip, or an error when
``SINESYS_TEST_REQUIRE_SERVICES=1``), ``redis_url`` (the ACL user's URL) and ``redis_prefix`` (a key prefix of
the test's own, so tests never see each other's keys), ``redis_conexao`` (both together).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from sinesys_spiders.core.redis_conexao import RedisConexao
from sinesys_spiders.testing.db_fixtures import services_required

__all__ = ["RedisIndisponivelNoTeste", "RedisServer", "start_redis"]

_counter = itertools.count(1)
ACL_USER = "sinesys"


class RedisIndisponivelNoTeste(RuntimeError):
    """``redis-server`` is not installed or did not start."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclasses.dataclass
class RedisServer:
    """A running ``redis-server``: its port, the default user's and the ACL user's passwords."""

    folder: Path
    port: int
    password: str
    acl_password: str
    process: subprocess.Popen[bytes] | None = None
    host: str = "127.0.0.1"

    def url(self, *, acl: bool = True, db: int = 0) -> str:
        """``redis://sinesys:...@host:port/db`` (the ACL user) or ``redis://:...@host:port/db`` (AUTH)."""
        auth = f"{ACL_USER}:{self.acl_password}" if acl else f":{self.password}"
        return f"redis://{auth}@{self.host}:{self.port}/{db}"

    def client(self) -> redis.Redis:
        return redis.Redis(host=self.host, port=self.port, password=self.password)

    def start(self, *, timeout: float = 20.0) -> None:
        conf = self.folder / "redis.conf"
        conf.write_text(
            "\n".join(
                [
                    f"port {self.port}",
                    f"bind {self.host}",
                    "protected-mode yes",
                    'save ""',
                    "appendonly no",
                    f"dir {self.folder}",
                    f"requirepass {self.password}",
                    f"user {ACL_USER} on >{self.acl_password} ~t* +@all -@admin",
                    "loglevel warning",
                    f"logfile {self.folder / 'redis.log'}",
                    "",
                ]
            )
        )
        self.process = subprocess.Popen(["redis-server", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.client().ping():
                    return
            except redis.exceptions.ConnectionError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RedisIndisponivelNoTeste(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server (its data is gone: no persistence)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        if self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None


def start_redis(folder: Path) -> RedisServer:
    """A new ``redis-server`` in ``folder`` on a free loopback port (retried if the port was taken meanwhile)."""
    if shutil.which("redis-server") is None:
        raise RedisIndisponivelNoTeste("redis-server is not installed (Debian package redis-server)")
    folder.mkdir(parents=True, exist_ok=True)
    error: Exception | None = None
    for _ in range(3):
        server = RedisServer(
            folder=folder, port=_free_port(), password=secrets.token_hex(12), acl_password=secrets.token_hex(12)
        )
        try:
            server.start()
            return server
        except RedisIndisponivelNoTeste as exc:
            error = exc
    raise RedisIndisponivelNoTeste(str(error))


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A ``redis-server`` for the whole test session (this xdist worker's own)."""
    try:
        server = start_redis(tmp_path_factory.mktemp("redis"))
    except RedisIndisponivelNoTeste as exc:
        if services_required():
            pytest.fail(f"Redis required (SINESYS_TEST_REQUIRE_SERVICES=1) but unavailable: {exc}")
        pytest.skip(f"Redis unavailable: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The URL of the test Redis for the ACL user (what ``SINESYS_REDIS_URL`` holds in production)."""
    return redis_server.url()


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of this test's own (under the ACL user's ``t*`` keys)."""
    return f"t{os.environ.get('PYTEST_XDIST_WORKER', 'main')}p{os.getpid()}n{next(_counter)}"


@pytest.fixture
def redis_conexao(redis_url: str, redis_prefix: str) -> Iterator[RedisConexao]:
    """A connection to the test Redis with the test's prefix; its keys are deleted afterwards."""
    conexao = RedisConexao.from_url(redis_url, prefix=redis_prefix)
    yield conexao
    with contextlib.suppress(redis.exceptions.RedisError):
        keys = list(conexao.client.scan_iter(match=f"{redis_prefix}:*", count=1000))
        if keys:
            conexao.client.delete(*keys)
    conexao.client.close()
