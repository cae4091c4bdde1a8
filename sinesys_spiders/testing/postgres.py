"""A private, throw-away PostgreSQL cluster for tests (initdb + pg_ctl from the Debian package).

The server refuses to run as root, so as root every server command runs as the ``postgres`` user
(``runuser -u postgres --``) in a temporary folder owned by it. It listens on a free loopback port
with trust authentication, with durability off (tests do not need it), and is removed on stop.

Set ``SINESYS_TEST_POSTGRES_URL`` (an admin URL, e.g. ``postgresql://postgres@127.0.0.1:5432/postgres``)
to use an existing server instead of starting one.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

__all__ = ["PostgresServer", "PostgresUnavailable", "find_postgres_bin", "start_postgres"]

_PG_USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL can be started here (binaries or the ``postgres`` user missing, or start failed)."""


def find_postgres_bin() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` holding ``initdb`` and ``pg_ctl``, else ``initdb`` on PATH."""
    candidates = sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """A running server: ``admin_url``, ``url(dbname)``, ``create_database``, ``drop_database``, ``stop``."""

    def __init__(self, *, host: str, port: int, user: str, password: str | None = None) -> None:
        self.host = host
        self.port = port
        self.user = user
        self._password = password
        self._bin: Path | None = None
        self._root: Path | None = None

    def __repr__(self) -> str:
        return f"<PostgresServer {self.host}:{self.port}>"

    def url(self, dbname: str) -> str:
        """A SQLAlchemy URL (psycopg 3) for database ``dbname`` on this server."""
        auth = self.user if self._password is None else f"{self.user}:{self._password}"
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{dbname}"

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def _connect(self) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self._password,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        )

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create database ``name`` (optionally cloned from ``template``) and return its URL."""
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        with self._connect() as conn:
            if template:
                query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
                if conn.info.server_version >= 150000:  # a file copy beats WAL-logging a small template
                    query = query + sql.SQL(" STRATEGY FILE_COPY")
            conn.execute(query)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` even if connections are still open."""
        query = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        with self._connect() as conn:
            conn.execute(query)

    def ping(self) -> None:
        with self._connect() as conn:
            conn.execute("SELECT 1")

    # --- private cluster -------------------------------------------------------------------

    def _run(self, args: Sequence[str], *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        assert self._bin is not None
        command = [str(self._bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", _PG_USER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)

    def stop(self) -> None:
        """Stop a private cluster and delete its folder (no-op for an external server)."""
        if self._root is None:
            return
        data = self._root / "data"
        if (data / "postmaster.pid").exists():
            self._run(["pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop"], timeout=60)
        shutil.rmtree(self._root, ignore_errors=True)
        self._root = None


def _start_private(bin_dir: Path) -> PostgresServer:
    root = Path(tempfile.mkdtemp(prefix="sinesys-pg-"))
    if os.geteuid() == 0:
        try:
            pg = pwd.getpwnam(_PG_USER)
        except KeyError:
            shutil.rmtree(root, ignore_errors=True)
            raise PostgresUnavailable("running as root and there is no 'postgres' user to run the server") from None
        os.chown(root, pg.pw_uid, pg.pw_gid)
    server = PostgresServer(host="127.0.0.1", port=0, user=_PG_USER)
    server._bin = bin_dir
    server._root = root
    data, sockets, log = root / "data", root / "sock", root / "server.log"
    init = server._run(
        ["initdb", "-D", str(data), "-U", _PG_USER, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]
    )
    if init.returncode != 0:
        server.stop()
        raise PostgresUnavailable(f"initdb failed: {init.stderr.strip()[-500:]}")
    sockets.mkdir()
    if os.geteuid() == 0:
        pg = pwd.getpwnam(_PG_USER)
        os.chown(sockets, pg.pw_uid, pg.pw_gid)
    last_error = ""
    for _attempt in range(3):
        server.port = _free_port()
        options = (
            f"-p {server.port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        started = server._run(["pg_ctl", "-D", str(data), "-o", options, "-l", str(log), "-w", "-t", "60", "start"])
        if started.returncode == 0:
            return server
        with contextlib.suppress(OSError):
            last_error = log.read_text(errors="replace")[-500:]
        last_error = last_error or started.stderr.strip()[-500:]
    server.stop()
    raise PostgresUnavailable(f"pg_ctl start failed: {last_error}")


def start_postgres() -> PostgresServer:
    """An external server from ``SINESYS_TEST_POSTGRES_URL``, else a new private cluster."""
    external = os.environ.get("SINESYS_TEST_POSTGRES_URL")
    if external:
        url = make_url(external)
        server = PostgresServer(
            host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username or _PG_USER, password=url.password
        )
        try:
            server.ping()
        except psycopg.Error as exc:
            raise PostgresUnavailable(f"SINESYS_TEST_POSTGRES_URL is not reachable: {type(exc).__name__}") from None
        return server
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        raise PostgresUnavailable("PostgreSQL binaries not found (install the Debian package 'postgresql')")
    return _start_private(bin_dir)
