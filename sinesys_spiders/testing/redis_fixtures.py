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
from typing import Any

import pytest
import redis

from sinesys_spiders.core.processos import encerrar
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
    #: TLS only (``rediss://``): the CA that signed the server's certificate for 127.0.0.1.
    tls_ca: Path | None = None

    def url(self, *, acl: bool = True, db: int = 0) -> str:
        """``redis://sinesys:...@host:port/db`` (the ACL user) or ``redis://:...@host:port/db`` (AUTH); with TLS,
        ``rediss://...?ssl_ca_certs=CA`` (the certificate and the host name are checked)."""
        auth = f"{ACL_USER}:{self.acl_password}" if acl else f":{self.password}"
        if self.tls_ca is not None:
            return f"rediss://{auth}@{self.host}:{self.port}/{db}?ssl_ca_certs={self.tls_ca}"
        return f"redis://{auth}@{self.host}:{self.port}/{db}"

    def client(self) -> redis.Redis:
        if self.tls_ca is not None:
            return redis.Redis(
                host=self.host, port=self.port, password=self.password, ssl=True, ssl_ca_certs=str(self.tls_ca)
            )
        return redis.Redis(host=self.host, port=self.port, password=self.password)

    def start(self, *, timeout: float = 20.0) -> None:
        conf = self.folder / "redis.conf"
        tls: list[str] = []
        if self.tls_ca is not None:
            cert, key = _certificado(self.folder, self.tls_ca)
            tls = ["port 0", f"tls-port {self.port}", f"tls-cert-file {cert}", f"tls-key-file {key}"]
            tls += [f"tls-ca-cert-file {self.tls_ca}", "tls-auth-clients no"]
        conf.write_text(
            "\n".join(
                [
                    *(tls or [f"port {self.port}"]),
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
        encerrar(self.process)
        if self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None


def _certificado(folder: Path, ca_path: Path) -> tuple[Path, Path]:
    """A CA (written to ``ca_path``) and a server certificate for 127.0.0.1 signed by it; (cert, key) paths."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    agora = dt.datetime.now(dt.UTC)

    def _emitir(nome: str, chave: ec.EllipticCurvePrivateKey, emissor: x509.Name, assinante: Any, ca: bool) -> Any:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, nome)]))
            .issuer_name(emissor)
            .public_key(chave.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(agora - dt.timedelta(minutes=5))
            .not_valid_after(agora + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            alt = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
            builder = builder.add_extension(alt, critical=False)
        return builder.sign(assinante, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sinesys test CA")])
    ca_cert = _emitir("sinesys test CA", ca_key, ca_name, ca_key, True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _emitir("127.0.0.1", key, ca_name, ca_key, False)
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    (folder / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    )
    return folder / "server.pem", folder / "server.key"


def start_redis(folder: Path, *, tls: bool = False) -> RedisServer:
    """A new ``redis-server`` in ``folder`` on a free loopback port (retried if the port was taken meanwhile); with
    ``tls`` it speaks only TLS, with a certificate for 127.0.0.1 from a CA of its own (``server.tls_ca``)."""
    if shutil.which("redis-server") is None:
        raise RedisIndisponivelNoTeste("redis-server is not installed (Debian package redis-server)")
    folder.mkdir(parents=True, exist_ok=True)
    error: Exception | None = None
    for _ in range(3):
        server = RedisServer(
            folder=folder,
            port=_free_port(),
            password=secrets.token_hex(12),
            acl_password=secrets.token_hex(12),
            tls_ca=folder / "ca.pem" if tls else None,
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
