"""Captures through Scrapyd, as users deploy it: a real Scrapyd on a free port, the project uploaded as an egg by
``scrapyd-deploy``, jobs scheduled straight through Scrapyd's HTTP API and through ``sinesys capturas``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from sinesys_spiders.core.credenciais_input import NovaCredencial
from sinesys_spiders.core.db.models import Lock
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.testing.canary import CANARY_SENHA, CANARY_TOTP_SECRET, find_canaries
from sinesys_spiders.testing.db_fixtures import on_postgresql
from sinesys_spiders.testing.sandbox_fixtures import SandboxClient
from sinesys_spiders.testing.scrapyd import ScrapydServer, deploy, start_scrapyd

PROJECT_DIR = Path(__file__).resolve().parents[2]

#: Every API answer takes ~4 s: a crawl is still running when the test cancels or kills it.
LENTO = {"name": "lento", "seed": 1, "latency": {"distribution": "normal", "mean_ms": 4000, "stddev_ms": 10},
         "targets": ["api"]}  # fmt: skip

pytestmark = [
    pytest.mark.requires_browser,
    pytest.mark.requires_scrapyd,
    pytest.mark.slow,
    pytest.mark.e2e,
    on_postgresql,
]


@pytest.fixture(scope="module")
def implantado(
    captura_factory: Any, captura_sandbox: SandboxClient, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, ScrapydServer]]:
    """A database with two sandbox users' credentials, a Scrapyd whose environment points at it, the project
    deployed with scrapyd-deploy; plus a canary credential (its password and TOTP secret must never leak)."""
    from sinesys_spiders.core.browser import resolve_browser
    from sinesys_spiders.core.config import Settings

    choice = resolve_browser(Settings())
    if choice.cdp_url is None and (choice.executable is None or not choice.executable.exists()):
        pytest.skip("no Chromium for Playwright")
    e2e = captura_factory()
    e2e.pequena = e2e.credencial(captura_sandbox.users[2], "TRT9", "primeiro_grau")
    e2e.grande = e2e.credencial(captura_sandbox.users[0], "TRT5", "primeiro_grau")
    e2e.canario = e2e.service.add(
        NovaCredencial(
            advogado_id=e2e.advogado(captura_sandbox.users[3]),
            tribunal=Tribunal("TST"),
            grau=Grau("tribunal_superior"),
            senha=SecretStr(CANARY_SENHA),
            usuario=captura_sandbox.users[3].cpf,
            totp_secret=SecretStr(CANARY_TOTP_SECRET),
        )
    )
    with start_scrapyd(tmp_path_factory.mktemp("scrapyd"), env=e2e.env) as server:
        result = deploy(server, PROJECT_DIR, env=e2e.env)
        assert result.returncode == 0, result.stderr[-3000:]
        assert '"status": "ok"' in result.stdout
        yield e2e, server


def _sinesys(e2e: Any, server: ScrapydServer, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from sinesys_spiders.cli import main; main()", *argv],
        cwd=PROJECT_DIR, env={**e2e.env, **server.env()}, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip


def _show(e2e: Any, server: ScrapydServer, captura_id: int) -> dict[str, Any]:
    result = _sinesys(e2e, server, "capturas", "show", str(captura_id), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_listspiders_lists_every_capture_spider(implantado: tuple[Any, ScrapydServer]) -> None:
    """The deployed egg exposes every capture type's spider."""
    _, server = implantado
    spiders = server.call("GET", "listspiders.json", params={"project": server.project})["spiders"]
    assert sorted(spiders) == sorted(t.value for t in TipoCaptura)


def test_job_scheduled_through_schedule_json_captures_and_is_recorded(
    implantado: tuple[Any, ScrapydServer], captura_sandbox: SandboxClient
) -> None:
    """schedule.json (project, spider=acervo_geral, credenciais=...) stores the ground truth and records its
    history: completed, runner scrapyd, Scrapyd's job id."""
    e2e, server = implantado
    before = e2e._last_captura()
    job = server.call(
        "POST", "schedule.json", data={"project": server.project, "spider": "acervo_geral", "credenciais": e2e.pequena}
    )
    assert job["status"] == "ok"
    server.wait_job(job["jobid"])
    captura_id = e2e._last_captura()
    assert captura_id != before
    shown = _show(e2e, server, captura_id)
    assert (shown["status"], shown["runner"], shown["job_id"]) == ("completed", "scrapyd", job["jobid"])
    truth = e2e.truth(captura_sandbox.users[2], [("TRT9", "primeiro_grau")])
    esperado = {k: v for k, v in truth["acervo"].items() if v["origem"] == "acervo_geral"}
    guardado = {k: v for k, v in e2e.registros()["acervo"].items() if k[0] == "TRT9"}
    assert e2e.diferencas({"acervo": guardado}, {"acervo": esperado}) == []
    [resultado] = shown["resultado"]["resultados"]
    assert resultado["resultado"]["inseridos"] == len(esperado)


def test_capturas_iniciar_through_scrapyd(implantado: tuple[Any, ScrapydServer]) -> None:
    """`capturas iniciar --runner scrapyd --esperar` exits 0; the capture names its Scrapyd job; ids only in
    the job's arguments."""
    e2e, server = implantado
    result = _sinesys(e2e, server, "capturas", "iniciar", "pendentes", "--credenciais", str(e2e.pequena),
                      "--runner", "scrapyd", "--esperar", "--intervalo", "0.5")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    captura_id = int(result.stdout.split()[0])
    shown = _show(e2e, server, captura_id)
    assert (shown["status"], shown["runner"]) == ("completed", "scrapyd")
    status = server.call("GET", "status.json", params={"job": shown["job_id"], "project": server.project})
    assert status["currstate"] == "finished"


def _locks_of(e2e: Any, captura_id: int) -> list[str]:
    with e2e.factory() as session:
        return [lock.key for lock in session.scalars(select(Lock)) if lock.metadados.get("captura_id") == captura_id]


def test_cancel_through_scrapyd(implantado: tuple[Any, ScrapydServer], captura_sandbox: SandboxClient) -> None:
    """`capturas cancelar` of a Scrapyd job: cancel.json, the crawl closes, the row is cancelled, locks free."""
    e2e, server = implantado
    with captura_sandbox.faults_applied(LENTO):
        result = _sinesys(e2e, server, "capturas", "iniciar", "acervo_geral", "--credenciais", str(e2e.grande),
                          "--runner", "scrapyd")  # fmt: skip
        assert result.returncode == 0, result.stderr
        captura_id = int(result.stdout.split()[0])
        deadline = time.monotonic() + 300
        while not _locks_of(e2e, captura_id):
            assert time.monotonic() < deadline, "the crawl never took its session turn"
            time.sleep(0.3)
        cancel = _sinesys(e2e, server, "capturas", "cancelar", str(captura_id))
        assert cancel.returncode == 0, cancel.stderr
        server.wait_job(_show(e2e, server, captura_id)["job_id"], timeout=120)
    shown = _show(e2e, server, captura_id)
    assert shown["status"] == "cancelled"
    assert _locks_of(e2e, captura_id) == []


def test_canary_secrets_absent_from_scrapyd(implantado: tuple[Any, ScrapydServer]) -> None:
    """Jobs of the canary credential, one scheduled straight through schedule.json and one through the capture
    facade's Scrapyd runner (the path of the API and the scheduler): no canary secret in Scrapyd's job list,
    its logs or items folders, nor in what `capturas show --json` says of the capture."""
    e2e, server = implantado
    job = server.call(
        "POST", "schedule.json", data={"project": server.project, "spider": "acervo_geral", "credenciais": e2e.canario}
    )
    server.wait_job(job["jobid"])
    iniciada = _sinesys(e2e, server, "capturas", "iniciar", "acervo_geral", "--credenciais", str(e2e.canario),
                        "--runner", "scrapyd", "--esperar", "--intervalo", "0.5")  # fmt: skip
    captura_id = int(iniciada.stdout.split()[0])
    shown = _show(e2e, server, captura_id)
    assert shown["runner"] == "scrapyd"
    server.wait_job(shown["job_id"])
    listed = json.dumps(server.call("GET", "listjobs.json", params={"project": server.project}))
    assert shown["job_id"] in listed
    files = [p for d in (server.logs_dir, server.items_dir) if d.exists() for p in d.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files)
    for name, text in (("listjobs", listed), ("capturas show", json.dumps(shown)),
                       ("capturas iniciar", iniciada.stdout + iniciada.stderr)):  # fmt: skip
        assert find_canaries(text) == [], name
    for path in files:
        assert find_canaries(path.read_bytes()) == [], path.name
