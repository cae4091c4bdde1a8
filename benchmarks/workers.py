"""Workers on one capture: throughput of an ``acervo_geral`` capture with 1 and with 2 workers, logins per credential.

One run, everything real: a private PostgreSQL cluster, a ``redis-server``, the sandbox (``--escala``, default
large: the first lawyer has hundreds of list pages at ``--tribunais``, default TRT3) with a latency
profile on its API answers (``--latencia`` ms, fixed) so that the capture is I/O bound, and the local runner
(``sinesys capturas iniciar ... --workers N``). Steps:

1. ``--workers 2`` from cold (no stored session): the sandbox's logins per credential (aim: 1);
2. ``--workers 1`` and ``--workers 2`` alternated (``--rodadas`` rounds, sessions stored, the database emptied of
   captured rows before each run so every case is inserted again): wall time from ``iniciar`` to the capture's
   end, and cases (acervo rows) per second.

Each tribunal's override asks for ``CONCORRENCIA`` (2) requests at once (``tribunais_config.opcoes``), PJE-TRT's
politeness, and the politeness is **per worker**: two workers send up to twice as many requests at once to a
tribunal (the budget is not shared across workers). Scrapy's slot lets bursts through (a slot holding 16 requests
had 4 to 12 transferring, about 8 on average), so one worker downloads about 8 pages at once. A listing keeps one
window of pages (``SINESYS_PAGINAS_EM_VOO``, 16) in flight per worker, and a worker takes no more than its share
of a short queue: before both, one worker took the whole window into its own slot and the other idled (2 workers
measured 0.9-1.0x of 1).

Each run records where its wall time goes (``phases_s``): start-up (``iniciar`` to the first API request: process
start, imports, claiming the credential, its stored session), requests (first to last API request: totalizadores
and page 1 one after the other, then the pages in windows) and end (last request to the capture's end: the last
batch flushed and acknowledged, the workers' close, the last worker finishing the row).

The ratio is 2 workers' median throughput over 1 worker's, measured in the same run (aim ≥ 1.7): from ``iniciar``
(process start-up, about 8 s per ``scrapy crawl`` here, and the last worker's wait for the other are part of it, as
an operator sees it) and from the capture's first API request at the sandbox.

Writes ``benchmarks/results/workers.json`` (``--saida`` another file) with the load average before and after the
run. Run: ``python -m benchmarks workers`` (defaults), or ``python -m benchmarks.workers --latencia 2000 --rodadas 1
--saida benchmarks/results/workers_latencia2000.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import SecretStr

RESULTS = Path(__file__).parent / "results" / "workers.json"
GRAU = "primeiro_grau"
#: Requests at once per tribunal and worker: PJE-TRT's real politeness (the sandbox would otherwise get all of
#: ``CONCURRENT_REQUESTS``, and one process would already overlap every page of this capture).
CONCORRENCIA = 2


def _masked(cpf: str) -> str:
    return f"***.{cpf[3:6]}.{cpf[6:9]}-**"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks workers")
    parser.add_argument("--latencia", type=float, default=300.0, help="ms per API answer (fixed)")
    parser.add_argument("--rodadas", type=int, default=2, help="rounds of (1 worker, 2 workers)")
    parser.add_argument("--escala", default="large", help="sandbox scale (the first lawyer carries it)")
    parser.add_argument("--tribunais", default="TRT3", help="the lawyer's credentials, one per tribunal (1º grau)")
    parser.add_argument("--saida", default=str(RESULTS), help="the results file (JSON)")
    opts = parser.parse_args(argv or [])
    carga_antes = os.getloadavg()
    tribunais = [t.strip() for t in opts.tribunais.split(",") if t.strip()]

    with ambiente("bench_workers", opts.escala, tribunais) as (sandbox, url, user, credenciais):
        sandbox.set_faults({"name": "bench-workers", "seed": 1, "targets": ["api"],
                            "latency": {"distribution": "fixed", "ms": opts.latencia}})  # fmt: skip
        antes = sandbox.counters()["logins"].get(_masked(user.cpf), 0)
        frio = _capturar(sandbox, url, credenciais, workers=2)
        logins = sandbox.counters()["logins"].get(_masked(user.cpf), 0) - antes
        corridas: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
        for _ in range(opts.rodadas):
            for workers in (1, 2):
                _esvaziar(url)
                corridas[workers].append(_capturar(sandbox, url, credenciais, workers=workers))

    def resumo(runs: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "wall_s": [r["wall_s"] for r in runs],
            "crawl_s": [r["crawl_s"] for r in runs],
            "phases_s": [r["phases_s"] for r in runs],
            "requests": [r["requests"] for r in runs],
            "cases": [r["cases"] for r in runs],
            "status": [r["status"] for r in runs],
            **medianas(runs),
        }

    um, dois = resumo(corridas[1]), resumo(corridas[2])
    out = {
        "benchmark": "workers",
        "what": f"acervo_geral of one lawyer at {','.join(tribunais)} ({opts.escala} scale), I/O bound by a fixed API "
        "latency: cases/s with 1 and 2 workers (local runner, sessions stored), logins per credential with 2 workers "
        "from cold",
        **cabecalho(carga_antes),
        "latency_ms": opts.latencia,
        "concurrency_per_tribunal_and_worker": CONCORRENCIA,
        "credentials": len(credenciais),
        "cold_two_workers": {**frio, "logins": logins, "logins_per_credential": round(logins / len(credenciais), 2)},
        "one_worker": um,
        "two_workers": dois,
        **razoes(um, dois),
        "aims": {"speedup_two_workers": 1.7, "logins_per_credential": 1},
    }
    Path(opts.saida).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))


@contextlib.contextmanager
def ambiente(nome: str, escala: str, tribunais: list[str]) -> Iterator[tuple[Any, str, Any, list[int]]]:
    """A private PostgreSQL database (``nome``), a ``redis-server``, the workers' environment and the sandbox with
    one lawyer holding a credential per tribunal: ``(sandbox, database url, lawyer, credential ids)``."""
    from sinesys_spiders.core.config import reset_settings
    from sinesys_spiders.core.crypto import generate_key
    from sinesys_spiders.core.db.migrate import upgrade
    from sinesys_spiders.testing.postgres import start_postgres
    from sinesys_spiders.testing.redis_fixtures import start_redis
    from sinesys_spiders.testing.sandbox_fixtures import TEST_TOTP_PERIOD, start_sandbox

    with tempfile.TemporaryDirectory(prefix=f"{nome}-") as tmp:
        work = Path(tmp)
        pg = start_postgres()
        redis_server = start_redis(work / "redis")
        try:
            url = pg.create_database(nome)
            upgrade(url)
            os.environ.update(
                SINESYS_DATABASE_URL=url,
                SINESYS_VAR_DIR=str(work / "var"),
                SINESYS_SECRET_KEY=generate_key(),
                SINESYS_REDIS_URL=redis_server.url(),
                SINESYS_REDIS_PREFIX="tbench",
                SINESYS_FILA_LEASE_TTL="3",
                SINESYS_RUNNER_LOCAL_MAX="4",
                SINESYS_LOG_LEVEL="INFO",
            )
            reset_settings()
            with start_sandbox(work / "sandbox", scale=escala, users=1, tribunais=",".join(tribunais),
                               totp_period=TEST_TOTP_PERIOD) as sandbox:  # fmt: skip
                user, credenciais = _setup(sandbox, url, tribunais)
                yield sandbox, url, user, credenciais
        finally:
            redis_server.stop()
            pg.stop()


def cabecalho(carga_antes: tuple[float, float, float]) -> dict[str, Any]:
    """The results' date, machine, note and load average (before the run, and now)."""
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "note": "2 shared CPU cores, busy with other work while measured: compare within this run",
        "load_average_1_5_15": {
            "before": [round(x, 2) for x in carga_antes],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
    }


def medianas(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Median cases per second of ``runs``, from ``iniciar`` and from the capture's first request."""
    return {
        "median_cases_per_s": round(statistics.median(r["cases"] / r["wall_s"] for r in runs), 2),
        "median_cases_per_s_from_first_request": round(statistics.median(r["cases"] / r["crawl_s"] for r in runs), 2),
    }


def razoes(um: dict[str, Any], dois: dict[str, Any]) -> dict[str, float]:
    """2 workers' median throughput over 1 worker's (the issue's aim: at least 1.7)."""
    return {
        "speedup_two_workers": round(dois["median_cases_per_s"] / um["median_cases_per_s"], 2),
        "speedup_two_workers_from_first_request": round(
            dois["median_cases_per_s_from_first_request"] / um["median_cases_per_s_from_first_request"], 2
        ),
    }


def _pedidos(sandbox: Any) -> int:
    return sum(sandbox.counters()["requests_by_tribunal"].values())


def _capturar(sandbox: Any, url: str, credenciais: list[int], *, workers: int) -> dict[str, Any]:
    """One capture through the local runner, timed from ``iniciar`` (and from its first API request) to its end."""
    from scheduler.capturas import iniciar_captura
    from sinesys_spiders.core.capturas_jobs import ServicoCapturas
    from sinesys_spiders.core.config import Settings

    settings = Settings()
    servico = ServicoCapturas.from_settings(settings)
    antes = _pedidos(sandbox)
    primeiro: float | None = None
    ultimo, visto = 0.0, antes  # when the sandbox last saw a new API request, and how many it had then
    t0 = time.monotonic()
    captura_id = iniciar_captura(
        settings, "acervo_geral", advogado_id=None, credencial_ids=credenciais,
        parametros={"workers": workers} if workers > 1 else {}, origem="cli", solicitante="benchmark", runner="local",
    )  # fmt: skip
    while not (captura := servico.obter(captura_id)).terminada:
        if time.monotonic() - t0 > 1800:
            raise TimeoutError(f"captura {captura_id} did not end")
        agora = _pedidos(sandbox)
        if primeiro is None and agora > antes:
            primeiro = time.monotonic()
        if agora > visto:
            ultimo, visto = time.monotonic(), agora
        time.sleep(0.2)
    fim = time.monotonic()
    return {
        "wall_s": round(fim - t0, 2),
        "crawl_s": round(fim - (primeiro or t0), 2),
        # where the wall time goes: start-up to the first API request, requests, the last request to the end
        "phases_s": {
            "start": round((primeiro or t0) - t0, 2),
            "requests": round((ultimo or fim) - (primeiro or t0), 2),
            "end": round(fim - (ultimo or fim), 2),
        },
        "requests": _pedidos(sandbox) - antes,
        "cases": _casos(url),
        "status": captura.status.value,
        "captura_id": captura_id,
    }


def _casos(url: str) -> int:
    from sqlalchemy import func, select

    from sinesys_spiders.core.db.engine import get_session_factory
    from sinesys_spiders.core.db.models import Processo

    with get_session_factory(url)() as session:
        return int(session.scalar(select(func.count()).select_from(Processo)) or 0)


def _esvaziar(url: str) -> None:
    """Delete the captured cases, so that the next capture inserts every one again."""
    from sqlalchemy import delete

    from sinesys_spiders.core.db.engine import get_session_factory
    from sinesys_spiders.core.db.models import Processo

    with get_session_factory(url).begin() as session:
        session.execute(delete(Processo))


def _setup(sandbox: Any, url: str, tribunais: list[str]) -> tuple[Any, list[int]]:
    from sinesys_spiders.core.credenciais import CredenciaisService
    from sinesys_spiders.core.credenciais_input import NovaCredencial
    from sinesys_spiders.core.db.engine import get_session_factory, session_scope
    from sinesys_spiders.core.db.repositories.advogados import AdvogadosRepository
    from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository
    from sinesys_spiders.core.domain import Grau, Tribunal

    factory = get_session_factory(url)
    user = sandbox.users[0]
    with session_scope(factory=factory) as session:
        for tribunal in tribunais:
            TribunaisConfigRepository(session).set_override(
                tribunal=tribunal,
                grau=GRAU,
                base_url=sandbox.base_url(tribunal),
                sso_url=sandbox.sso_url,
                opcoes={"concurrency": CONCORRENCIA, "delay": 0.0, "jitter": 0.0},
            )
        advogado_id = AdvogadosRepository(session).add(nome_completo=user.nome, cpf=user.cpf).id
    service = CredenciaisService.from_settings()
    ids = [
        service.add(
            NovaCredencial(
                advogado_id=advogado_id,
                tribunal=Tribunal(tribunal),
                grau=Grau(GRAU),
                senha=SecretStr(user.senha),
                usuario=user.cpf,
                totp_secret=SecretStr(user.totp_secret),
            )
        )
        for tribunal in tribunais
    ]
    return user, ids


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
