"""A real Scrapyd for tests, and the project deployed to it as users deploy it (``scrapyd-deploy``).

``start_scrapyd(folder, env=...)`` starts ``scrapyd`` on a free local port with basic auth, its own eggs, logs,
items and dbs folders and a short poll interval, and yields a :class:`ScrapydServer`; the crawls it runs inherit
``env`` (``SINESYS_DATABASE_URL``, ``SINESYS_SECRET_KEY``...), exactly like a production Scrapyd service's
environment. ``deploy(server, project_dir)`` runs ``scrapyd-deploy`` there: it builds an egg from ``scrapy.cfg``
and ``setup.py`` and uploads it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

__all__ = ["ScrapydServer", "deploy", "start_scrapyd"]


@dataclasses.dataclass
class ScrapydServer:
    """A running Scrapyd: its URL, credentials and folders."""

    url: str
    username: str
    password: str
    folder: Path
    project: str = "sinesys"

    @property
    def logs_dir(self) -> Path:
        return self.folder / "logs"

    @property
    def items_dir(self) -> Path:
        return self.folder / "items"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, auth=(self.username, self.password), timeout=30)

    def call(self, method: str, endpoint: str, **kwargs: Any) -> dict[str, Any]:
        with self.client() as client:
            response = client.request(method, f"/{endpoint}", **kwargs)
        response.raise_for_status()
        return dict(response.json())

    def wait_job(self, job_id: str, *, timeout: float = 600) -> dict[str, Any]:
        """Poll ``listjobs.json`` until ``job_id`` is finished; return its entry."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.call("GET", "listjobs.json", params={"project": self.project})
            for job in jobs.get("finished", []):
                if job["id"] == job_id:
                    return dict(job)
            time.sleep(0.5)
        raise TimeoutError(f"Scrapyd job {job_id} did not finish in {timeout:.0f} s")

    def env(self) -> dict[str, str]:
        """The ``SINESYS_SCRAPYD_*`` settings pointing at this server."""
        return {
            "SINESYS_SCRAPYD_URL": self.url,
            "SINESYS_SCRAPYD_USERNAME": self.username,
            "SINESYS_SCRAPYD_PASSWORD": self.password,
            "SINESYS_SCRAPYD_PROJECT": self.project,
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def start_scrapyd(folder: Path, *, env: Mapping[str, str], timeout: float = 60) -> Iterator[ScrapydServer]:
    """Start Scrapyd in ``folder`` (its config file, eggs, logs, items and dbs live there); stop it at the end."""
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    server = ScrapydServer(f"http://127.0.0.1:{port}", "sinesys", secrets.token_urlsafe(12), folder)
    (folder / "scrapyd.conf").write_text(
        textwrap.dedent(
            f"""
            [scrapyd]
            bind_address = 127.0.0.1
            http_port = {port}
            username = {server.username}
            password = {server.password}
            eggs_dir = {folder / "eggs"}
            logs_dir = {server.logs_dir}
            items_dir = {server.items_dir}
            dbs_dir = {folder / "dbs"}
            poll_interval = 0.5
            max_proc = 4
            """
        ),
        encoding="utf-8",
    )
    log = open(folder / "scrapyd.out", "wb")  # noqa: SIM115 (closed when the server stops)
    scrapyd = Path(sys.executable).with_name("scrapyd")
    process = subprocess.Popen(
        [str(scrapyd)], cwd=folder, env=dict(env), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                server.call("GET", "daemonstatus.json")
                break
            except httpx.HTTPError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"scrapyd did not start: {(folder / 'scrapyd.out').read_text(errors='replace')[-2000:]}"
                    ) from None
                time.sleep(0.2)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
        log.close()


def deploy(server: ScrapydServer, project_dir: Path, *, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """``scrapyd-deploy scrapyd -p sinesys`` in ``project_dir`` (target ``[deploy:scrapyd]`` of its scrapy.cfg,
    whose URL and credentials come from ``SINESYS_SCRAPYD_*``), as an operator deploys."""
    scrapyd_deploy = Path(sys.executable).with_name("scrapyd-deploy")
    return subprocess.run(
        [str(scrapyd_deploy), "scrapyd", "-p", server.project],
        cwd=project_dir, env={**env, **server.env()}, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
