"""Captures as jobs through the ``local`` runner, end to end: `sinesys capturas` against the sandbox.

A capture started with ``sinesys capturas iniciar`` runs as a ``scrapy crawl`` subprocess, equals the sandbox's
ground truth and is recorded with its job; its history row is written only by the capture extension in the crawl;
``cancelar`` stops a running crawl cleanly; a crawl killed with SIGKILL is marked failed by the next process that
looks, and its locks are free for the next run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sinesys_spiders.core.db.models import CapturaLog, Lock
from sinesys_spiders.core.db.repositories import SessoesRepository
from sinesys_spiders.testing.db_fixtures import on_postgresql
from sinesys_spiders.testing.sandbox_fixtures import SandboxClient

PROJECT_DIR = Path(__file__).resolve().parents[2]

#: Every API answer takes 10 s: the crawl is still running when `capturas cancelar` (a fresh process, slow to start
#: on a loaded machine) reaches it; a stopping crawl cuts downloads in flight after SINESYS_PARADA_ESPERA.
LENTO = {"name": "lento", "seed": 1, "latency": {"distribution": "normal", "mean_ms": 10000, "stddev_ms": 10},
         "targets": ["api"]}  # fmt: skip
#: Every login page takes 20 s: a crawl is still logging in (holding its login lock) when the test kills it.
LOGIN_LENTO = {"name": "login-lento", "seed": 1, "slow_login_ms": 20000}

pytestmark = [pytest.mark.requires_browser, pytest.mark.slow, pytest.mark.e2e, on_postgresql]

#: Records, in every Python process started with it on PYTHONPATH, who wrote a capturas_log row: the innermost
#: frame of the project outside the core (the capture service's caller), per process kind.
_GUARD = textwrap.dedent(
    """
    import inspect, json, os, re, sys, threading
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    _WRITE = re.compile(r"^\\s*(INSERT INTO|UPDATE|DELETE FROM)\\s+capturas_log\\b", re.I)
    _ROOT = os.environ["T_PROJECT_DIR"] + os.sep
    _OUT = os.environ["T_WRITERS_FILE"]
    _lock = threading.Lock()

    def _writer():
        for frame in inspect.stack()[2:]:
            path = frame.filename
            if path.startswith(_ROOT) and "/.venv/" not in path and "/sinesys_spiders/core/" not in path:
                return path[len(_ROOT):]
        return "thread"

    @event.listens_for(Engine, "before_cursor_execute")
    def _record(conn, cursor, statement, parameters, context, executemany):
        if _WRITE.match(statement):
            kind = "crawl" if "scrapy.core.engine" in sys.modules else "cli"
            with _lock, open(_OUT, "a") as out:
                out.write(json.dumps([kind, _writer()]) + "\\n")
    """
)


@pytest.fixture(scope="module")
def local(captura_factory: Any, captura_sandbox: SandboxClient, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A database with user 1 on TRT9 and user 0 (firm-sized) on TRT5, and the writers guard on PYTHONPATH."""
    from sinesys_spiders.core.browser import resolve_browser
    from sinesys_spiders.core.config import Settings

    choice = resolve_browser(Settings())
    if choice.cdp_url is None and (choice.executable is None or not choice.executable.exists()):
        pytest.skip("no Chromium for Playwright")
    e2e = captura_factory()
    guard_dir = tmp_path_factory.mktemp("guard")
    (guard_dir / "sitecustomize.py").write_text(_GUARD, encoding="utf-8")
    e2e.writers_file = guard_dir / "writers.jsonl"
    e2e.extra_env = {
        "PYTHONPATH": str(guard_dir),
        "T_PROJECT_DIR": str(PROJECT_DIR),
        "T_WRITERS_FILE": str(e2e.writers_file),
    }
    e2e.pequena = e2e.credencial(captura_sandbox.users[1], "TRT9", "primeiro_grau")
    e2e.grande = e2e.credencial(captura_sandbox.users[0], "TRT5", "primeiro_grau")
    return e2e


def _sinesys(e2e: Any, *argv: str, **env: str) -> Any:
    return subprocess.run(
        [sys.executable, "-c", "from sinesys_spiders.cli import main; main()", *argv],
        cwd=PROJECT_DIR, env={**e2e.env, **e2e.extra_env, **env}, capture_output=True, text=True, timeout=900,
        check=False,
    )  # fmt: skip


def _show(e2e: Any, captura_id: int, **env: str) -> dict[str, Any]:
    result = _sinesys(e2e, "capturas", "show", str(captura_id), "--json", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _locks_of(e2e: Any, captura_id: int) -> list[str]:
    with e2e.factory() as session:
        return [lock.key for lock in session.scalars(select(Lock)) if lock.metadados.get("captura_id") == captura_id]


def _all_locks(e2e: Any) -> list[str]:
    with e2e.factory() as session:
        return list(session.scalars(select(Lock.key)))


def _terminada(e2e: Any, captura_id: int) -> str | None:
    """The capture's status and error if it already ended (a crawl that died at start), else ``None``."""
    with e2e.factory() as session:
        row = session.get(CapturaLog, captura_id)
        ended = row is not None and row.status in ("completed", "failed", "cancelled")
        return f"{row.status}: {row.erro}" if ended else None


def _until(what: str, check: Any, timeout: float = 300.0, *, e2e: Any = None, captura_id: int = 0) -> Any:
    """Poll ``check`` until it is true; with ``e2e``, stop at once if the capture already ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if e2e is not None and (fim := _terminada(e2e, captura_id)):
            raise AssertionError(f"the capture ended while waiting for {what}: {fim}")
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_local_capture_equals_ground_truth_and_only_the_extension_writes_its_row(
    local: Any, captura_sandbox: SandboxClient
) -> None:
    """`capturas iniciar --esperar` exits 0, stores the truth, records its job; in the crawl only the extension
    wrote the history row (a spider, middleware or pipeline writing it fails this test)."""
    local.writers_file.unlink(missing_ok=True)
    result = _sinesys(local, "capturas", "iniciar", "acervo_geral", "--credenciais", str(local.pequena), "--esperar")
    assert result.returncode == 0, result.stderr[-3000:]
    captura_id = int(result.stdout.split()[0])
    assert "completed" in result.stderr
    shown = _show(local, captura_id)
    assert (shown["status"], shown["origem"], shown["runner"]) == ("completed", "cli", "local")
    assert shown["job_id"].isdigit()
    assert shown["heartbeat_em"] is not None
    [resultado] = shown["resultado"]["resultados"]
    assert resultado["credencial_id"] == local.pequena
    truth = local.truth(captura_sandbox.users[1], [("TRT9", "primeiro_grau")])
    esperado = {k: v for k, v in truth["acervo"].items() if v["origem"] == "acervo_geral"}
    assert local.diferencas({"acervo": local.registros()["acervo"]}, {"acervo": esperado}) == []
    assert resultado["resultado"]["inseridos"] == len(esperado)
    writers = {tuple(json.loads(line)) for line in local.writers_file.read_text().splitlines()}
    assert {w for kind, w in writers if kind == "crawl"} <= {"sinesys_spiders/extensions/capturas.py", "thread"}
    assert ("crawl", "sinesys_spiders/extensions/capturas.py") in writers
    local.check_no_secrets(result.stdout + result.stderr)


def test_cancel_stops_the_crawl_and_frees_its_locks(local: Any, captura_sandbox: SandboxClient) -> None:
    """`capturas cancelar` on a running crawl: the process ends, the row is cancelled, its locks are released."""
    with captura_sandbox.faults_applied(LENTO):
        result = _sinesys(local, "capturas", "iniciar", "acervo_geral", "--credenciais", str(local.grande))
        assert result.returncode == 0, result.stderr
        captura_id = int(result.stdout.split()[0])
        _until("the crawl to hold its session turn", lambda: _locks_of(local, captura_id), e2e=local,
               captura_id=captura_id)  # fmt: skip
        pid = int(_show(local, captura_id)["job_id"])
        cancel = _sinesys(local, "capturas", "cancelar", str(captura_id))
        assert cancel.returncode == 0, cancel.stderr
        _until("the crawl to exit", lambda: not _alive(pid), timeout=120)
    shown = _show(local, captura_id)
    assert shown["status"] == "cancelled"
    assert "CAPTURA_CANCELADA" in shown["erro"]
    assert _locks_of(local, captura_id) == []
    again = _sinesys(local, "capturas", "cancelar", str(captura_id))
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1
    assert "já está cancelled" in again.stderr


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_killed_crawl_is_failed_by_the_next_look_and_its_locks_are_free(
    local: Any, captura_sandbox: SandboxClient
) -> None:
    """SIGKILL of a crawl (and its browser) in the middle of its login: the next `capturas show` fails it
    CAPTURA_INTERROMPIDA once its heartbeat lapsed, frees its locks (session turn, login and OTP locks), and the
    next capture of the same credential completes without waiting out the dead crawl's lock TTLs (10 min)."""
    with local.factory.begin() as session:  # no stored session to reuse: this crawl must log in
        SessoesRepository(session).invalidate(credencial_id=local.grande)
    with captura_sandbox.faults_applied(LOGIN_LENTO):
        result = _sinesys(local, "capturas", "iniciar", "acervo_geral", "--credenciais", str(local.grande))
        assert result.returncode == 0, result.stderr
        captura_id = int(result.stdout.split()[0])
        login = f"login:credencial:{local.grande}"
        _until("the crawl to hold its login lock", lambda: login in _all_locks(local), e2e=local,
               captura_id=captura_id)  # fmt: skip
        assert login in _locks_of(local, captura_id)  # named after its capture: the reaper can free it
        pid = int(_show(local, captura_id)["job_id"])
        os.killpg(pid, signal.SIGKILL)
        _until("the crawl to die", lambda: not _alive(pid), timeout=30)
    assert _show(local, captura_id)["status"] == "in_progress"  # its heartbeat is still fresh
    time.sleep(1.5)
    shown = _show(local, captura_id, SINESYS_CAPTURA_HEARTBEAT_LIMITE="1")
    assert shown["status"] == "failed"
    assert shown["resultado"]["erro"]["codigo"] == "CAPTURA_INTERROMPIDA"
    assert _locks_of(local, captura_id) == []
    assert _all_locks(local) == []  # nothing left for the next run to wait for
    nova = _sinesys(local, "capturas", "iniciar", "acervo_geral", "--credenciais", str(local.grande), "--esperar")
    assert nova.returncode == 0, nova.stderr[-3000:]
