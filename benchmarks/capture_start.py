"""Overhead of starting a capture through each runner: from ``iniciar`` to the first request at the sandbox.

Three ways to start the same ``acervo_geral`` capture of one credential (its session already stored, so the first
request a crawl sends is a PJE API call, not a login):

- ``bare``: ``python -m scrapy crawl acervo_geral -a credenciais=N`` started by hand (subprocess), the floor;
- ``local``: ``scheduler.capturas.iniciar_captura(..., runner="local")`` (validation, the row, a subprocess);
- ``scrapyd``: ``iniciar_captura(..., runner="scrapyd")`` against a real Scrapyd (poll_interval 0.5 s) with the
  project deployed by ``scrapyd-deploy``.

The clock starts just before the call (or the ``Popen``) and stops when the sandbox's request counter moves
(polled every 10 ms); ``iniciar_returns_s`` is how long ``iniciar_captura`` itself took (what an API caller
waits). Each run waits for its capture to end before the next; the three ways are interleaved round by round.
Median, min, max, and the overhead of each runner over ``bare`` (median against median).

Writes ``benchmarks/results/capture_start.json``. Run: ``python -m benchmarks capture_start``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr

RESULTS = Path(__file__).parent / "results" / "capture_start.json"
PROJECT_DIR = Path(__file__).resolve().parents[1]
RUNS = 4
TRIBUNAL, GRAU = "TRT3", "primeiro_grau"


def _requests(sandbox: Any) -> int:
    return sum(sandbox.counters()["requests_by_tribunal"].values())


def _until_request(sandbox: Any, before: int, t0: float, timeout: float = 300) -> float:
    while _requests(sandbox) == before:
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError("no request reached the sandbox")
        time.sleep(0.01)
    return time.perf_counter() - t0


def _until_done(servico: Any, captura_id: int, timeout: float = 600) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        captura = servico.obter(captura_id)
        if captura.terminada:
            return captura.status.value
        time.sleep(0.2)
    raise TimeoutError(f"captura {captura_id} did not end")


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(values), 3),
        "min_s": round(min(values), 3),
        "max_s": round(max(values), 3),
        "runs": [round(v, 3) for v in values],
    }


def main() -> None:
    from sinesys_spiders.core.config import Settings, reset_settings
    from sinesys_spiders.core.crypto import generate_key
    from sinesys_spiders.testing.sandbox_fixtures import start_sandbox
    from sinesys_spiders.testing.scrapyd import deploy, start_scrapyd

    with tempfile.TemporaryDirectory(prefix="bench-capture-start-") as tmp:
        folder = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
        env.update(
            SINESYS_VAR_DIR=str(folder / "var"),
            SINESYS_DATABASE_URL=f"sqlite:///{folder / 'sinesys.db'}",
            SINESYS_SECRET_KEY=generate_key(),
            SINESYS_LOG_LEVEL="INFO",
        )
        os.environ.update({k: v for k, v in env.items() if k.startswith("SINESYS_")})
        reset_settings()
        with start_sandbox(folder / "sandbox", scale="small", users=4, tribunais=TRIBUNAL) as sandbox:
            credencial_id = _setup(sandbox, env["SINESYS_DATABASE_URL"])
            bare_cmd = [sys.executable, "-m", "scrapy", "crawl", "acervo_geral", "-a", f"credenciais={credencial_id}"]
            primeira = subprocess.run(bare_cmd, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
            if primeira.returncode != 0:  # the first one logs in (the others reuse its session)
                raise RuntimeError(f"first crawl failed: {primeira.stderr[-3000:]}")
            tempos: dict[str, list[float]] = {"bare_scrapy_crawl": [], "local": [], "scrapyd": []}
            retorno: dict[str, list[float]] = {"local": [], "scrapyd": []}
            status: dict[str, list[str]] = {"local": [], "scrapyd": []}
            with start_scrapyd(folder / "scrapyd", env=env) as server:
                t0 = time.perf_counter()
                result = deploy(server, PROJECT_DIR, env=env)
                assert result.returncode == 0, result.stderr[-2000:]
                deploy_s = time.perf_counter() - t0
                os.environ.update(server.env())
                reset_settings()
                settings = Settings()
                for _ in range(RUNS):  # the three ways interleaved, so the machine's load drifts over all of them
                    before = _requests(sandbox)
                    t0 = time.perf_counter()
                    process = subprocess.Popen(
                        bare_cmd, cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                    )
                    tempos["bare_scrapy_crawl"].append(_until_request(sandbox, before, t0))
                    process.wait()
                    for runner in ("local", "scrapyd"):
                        primeiro, devolvido, fim = _runner(sandbox, settings, credencial_id, runner)
                        tempos[runner].append(primeiro)
                        retorno[runner].append(devolvido)
                        status[runner].append(fim)
            figures: dict[str, Any] = {name: _stats(values) for name, values in tempos.items()}
            for runner in ("local", "scrapyd"):
                figures[runner]["iniciar_returns_s"] = _stats(retorno[runner])
                figures[runner]["status"] = status[runner]
                figures[runner]["overhead_vs_bare_s"] = round(
                    figures[runner]["median_s"] - figures["bare_scrapy_crawl"]["median_s"], 3
                )
            figures["scrapyd"]["deploy_s"] = round(deploy_s, 1)
    out = {
        "benchmark": "capture_start",
        "what": "seconds from starting a capture to its first request at the sandbox (session already stored)",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "note": "2 shared CPU cores, busy with other work while measured: compare the ways, not absolute figures",
        **figures,
    }
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))


def _runner(sandbox: Any, settings: Any, credencial_id: int, runner: str) -> tuple[float, float, str]:
    """One capture through ``runner``: (seconds to the first request, seconds until iniciar returned, status)."""
    from scheduler.capturas import iniciar_captura
    from sinesys_spiders.core.capturas_jobs import ServicoCapturas

    before = _requests(sandbox)
    t0 = time.perf_counter()
    captura_id = iniciar_captura(
        settings, "acervo_geral", advogado_id=None, credencial_ids=[credencial_id], parametros={},
        origem="cli", solicitante="benchmark", runner=runner,
    )  # fmt: skip
    devolvido = time.perf_counter() - t0
    primeiro = _until_request(sandbox, before, t0)
    return primeiro, devolvido, _until_done(ServicoCapturas.from_settings(settings), captura_id)


def _setup(sandbox: Any, url: str) -> int:
    from sinesys_spiders.core.credenciais import CredenciaisService
    from sinesys_spiders.core.credenciais_input import NovaCredencial
    from sinesys_spiders.core.db.engine import get_session_factory, session_scope
    from sinesys_spiders.core.db.migrate import upgrade
    from sinesys_spiders.core.db.repositories.advogados import AdvogadosRepository
    from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository
    from sinesys_spiders.core.domain import Grau, Tribunal

    upgrade(url)
    factory = get_session_factory(url)
    user = sandbox.users[0]
    with session_scope(factory=factory) as session:
        TribunaisConfigRepository(session).set_override(
            tribunal=TRIBUNAL, grau=GRAU, base_url=sandbox.base_url(TRIBUNAL), sso_url=sandbox.sso_url
        )
        advogado_id = AdvogadosRepository(session).add(nome_completo=user.nome, cpf=user.cpf).id
    return CredenciaisService.from_settings().add(
        NovaCredencial(
            advogado_id=advogado_id, tribunal=Tribunal(TRIBUNAL), grau=Grau(GRAU), senha=SecretStr(user.senha),
            usuario=user.cpf, totp_secret=SecretStr(user.totp_secret),
        )
    )  # fmt: skip


if __name__ == "__main__":
    main()
