"""List capture into PostgreSQL against the machine's limit: ``scrapy crawl acervo_geral`` vs a bare async client.

Starts a private PostgreSQL cluster (``sinesys_spiders.testing.postgres``) and ``sinesys sandbox --scale large``
(TRT3 only: the firm's main lawyer holds about 12,000 active cases at TRT3 1º grau and about 1,400 at 2º grau),
registers that lawyer's two credentials, then measures in one run:

- ``bare``: an ``httpx.AsyncClient`` with the same session cookies GETs the same pages the spider fetches
  (totalizadores, page 1 of agrupamento 1, then every other page with 16 requests in flight, as Scrapy's
  ``CONCURRENT_REQUESTS`` for a loopback tribunal) and neither parses nor stores them. Run twice; the warm run
  (the sandbox has already built and cached its pages) is the limit the spider is compared with.
- ``crawl``: ``scrapy crawl acervo_geral -a credenciais=N`` as an operator runs it, with its session already
  stored (a short ``audiencias`` crawl logs in first, so the browser is not part of the figure), on pages the
  sandbox has cached too. Cases per second are the stored cases over Scrapy's ``elapsed_time_seconds``; peak
  memory is the crawl process's peak RSS (``VmHWM``, polled every 0.1 s). ``BENCH_PROFILE=path`` runs the large
  crawl under cProfile (the figures of that run are then not comparable).
- ``scrapy_floor``: a bare Scrapy spider over the same pages (``_scrapy_floor.py``) that only fetches them, then
  also yields one plain item per page, then one per row, with no pipeline: the most a Scrapy crawl can reach here,
  and the price of Scrapy's per-item path that :class:`~sinesys_spiders.core.items.Lote` avoids.
- ``crawl_arquivados``: ``scrapy crawl arquivados`` of the same lawyer (about 30,000 archived cases), a third
  point for peak memory.
- ``where_the_time_goes``: the large crawl again without the upsert, then without the upsert and the raw log
  (items parsed and validated only), so the cost of each stage reads as a difference.

Writes ``benchmarks/results/list_capture.json``. The machines are shared (see the load average in the file), so
read the ratio of the same run, not absolute rates; the bare client runs before and after the crawls and the
limit is the mean of its two warm runs.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import func, select

from plugins.pje_trt.requests import TAMANHO_PAGINA, acervo_geral_url, totalizadores_url
from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.credenciais_input import NovaCredencial
from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db.engine import make_engine, make_session_factory, session_scope
from sinesys_spiders.core.db.migrate import upgrade
from sinesys_spiders.core.db.models import Processo
from sinesys_spiders.core.db.repositories.advogados import AdvogadosRepository
from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.testing.postgres import start_postgres
from sinesys_spiders.testing.sandbox_fixtures import DemoUser, SandboxClient, start_sandbox

RESULTS = Path(__file__).parent / "results" / "list_capture.json"
PROJECT_DIR = Path(__file__).resolve().parents[1]
CONCURRENCY = 16
PAGE = TAMANHO_PAGINA
_STAT = re.compile(r"'(elapsed_time_seconds|item_scraped_count|downloader/request_count)': ([\d.]+)")


async def _bare(cookies: dict[str, str], api_url: str, id_advogado: int) -> dict[str, Any]:
    """The spider's requests for acervo_geral, fetched and dropped: the fastest this machine serves them."""
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    headers = {"Accept": "application/json"}
    async with httpx.AsyncClient(cookies=cookies, headers=headers, limits=limits, timeout=120) as client:
        started = time.perf_counter()
        (await client.get(totalizadores_url(api_url, id_advogado))).raise_for_status()
        first = await client.get(acervo_geral_url(api_url, id_advogado, 1))
        first.raise_for_status()
        envelope = first.json()  # the page count, as the spider reads it
        pages = max(int(envelope["qtdPaginas"]), 1)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for page in range(2, pages + 1):
            queue.put_nowait(page)
        rows = len(envelope["resultado"])
        sizes = [len(first.content)]

        async def worker() -> None:
            while not queue.empty():
                page = queue.get_nowait()
                response = await client.get(acervo_geral_url(api_url, id_advogado, page))
                response.raise_for_status()
                sizes.append(len(response.content))

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    cases = int(envelope["totalRegistros"]) or rows
    return {
        "pages": pages,
        "cases": cases,
        "bytes": sum(sizes),
        "seconds": round(elapsed, 3),
        "cases_per_second": round(cases / elapsed, 1),
    }


def _scrapy_floor(cookies: dict[str, str], api_url: str, id_advogado: int, workdir: Path, cases: int) -> dict[str, Any]:
    """Scrapy alone over the same pages (``_scrapy_floor.py``): fetch only, one item per page, one item per row."""
    config = workdir / "floor.json"
    config.write_text(json.dumps({"cookies": cookies, "first": acervo_geral_url(api_url, id_advogado, 1)}))
    out: dict[str, Any] = {}
    for mode in ("fetch", "lote", "rows"):
        seconds = []
        for _ in range(2):  # the less disturbed of two
            argv = [sys.executable, str(Path(__file__).with_name("_scrapy_floor.py")), str(config), mode]
            proc = subprocess.run(argv, cwd=workdir, capture_output=True, text=True, timeout=600, check=False)
            stats = {k: float(v) for k, v in _STAT.findall(proc.stderr)}
            if proc.returncode != 0 or "elapsed_time_seconds" not in stats:
                raise RuntimeError(f"scrapy floor ({mode}) failed: {proc.stderr[-2000:]}")
            seconds.append(stats["elapsed_time_seconds"])
        best = min(seconds)
        out[mode] = {"seconds": round(best, 3), "cases_per_second": round(cases / best, 1)}
    return out


class _Setup:
    """A PostgreSQL database with the lawyer and credentials, tribunals pointed at the sandbox."""

    def __init__(self, database_url: str, sandbox: SandboxClient, workdir: Path) -> None:
        self.database_url = database_url
        self.sandbox = sandbox
        self.workdir = workdir
        self.secret_key = generate_key()
        self.engine = make_engine(database_url)
        self.factory = make_session_factory(self.engine)
        self.service = CredenciaisService(self.factory, Cipher.from_text(self.secret_key), cache_ttl=0)

    def credenciais(self, user: DemoUser, onde: list[tuple[str, str]]) -> list[int]:
        with session_scope(factory=self.factory) as session:
            advogado_id = AdvogadosRepository(session).add(nome_completo=user.nome, cpf=user.cpf).id
            for tribunal, grau in onde:
                TribunaisConfigRepository(session).set_override(
                    tribunal=tribunal, grau=grau, base_url=self.sandbox.base_url(tribunal), sso_url=self.sandbox.sso_url
                )
        return [
            self.service.add(
                NovaCredencial(
                    advogado_id=advogado_id,
                    tribunal=Tribunal(tribunal),
                    grau=Grau(grau),
                    senha=SecretStr(user.senha),
                    usuario=user.cpf,
                    totp_secret=SecretStr(user.totp_secret),
                )
            )
            for tribunal, grau in onde
        ]

    def crawl(
        self, spider: str, *args: str, profile: Path | None = None, settings: dict[str, str] | None = None
    ) -> dict[str, Any]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
        env.update(
            SINESYS_DATABASE_URL=self.database_url,
            SINESYS_VAR_DIR=str(self.workdir / "var"),
            SINESYS_SECRET_KEY=self.secret_key,
        )
        argv = [sys.executable]
        if profile is not None:
            argv += ["-m", "cProfile", "-o", str(profile)]
        argv += ["-m", "scrapy", "crawl", spider, "-s", "LOG_LEVEL=INFO"]
        for key, value in (settings or {}).items():
            argv += ["-s", f"{key}={value}"]
        for arg in args:
            argv += ["-a", arg]
        started = time.perf_counter()
        with tempfile.TemporaryFile("w+") as stderr:
            process = subprocess.Popen(
                argv, cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=stderr, text=True
            )
            peak_kb = 0
            while process.poll() is None:
                peak_kb = max(peak_kb, _vm_hwm_kb(process.pid))
                time.sleep(0.1)
            wall = time.perf_counter() - started
            stderr.seek(0)
            log = stderr.read()
        if process.returncode != 0:
            raise RuntimeError(f"{spider} exit {process.returncode}: {log[-3000:]}")
        stats = {k: float(v) for k, v in _STAT.findall(log)}
        stats["peak_rss_kb"] = peak_kb
        return {"wall_seconds": round(wall, 3), "stats": stats}

    def processos(self, grau: str) -> int:
        with self.factory() as session:
            return session.scalar(select(func.count()).select_from(Processo).where(Processo.grau == grau)) or 0


def _capture(
    setup: _Setup, credencial_id: int, grau: str, profile: Path | None = None, spider: str = "acervo_geral"
) -> dict[str, Any]:
    """Log in with a short crawl, then the measured list crawl; its rate and peak memory."""
    setup.crawl("audiencias", f"credenciais={credencial_id}", "data_inicio=2000-01-01", "data_fim=2000-01-02")
    before = setup.processos(grau)
    run = setup.crawl(spider, f"credenciais={credencial_id}", profile=profile)
    stored = setup.processos(grau) - before
    elapsed = run["stats"]["elapsed_time_seconds"]
    return {
        "cases_stored": stored,
        "items": int(run["stats"].get("item_scraped_count", 0)),
        "requests": int(run["stats"].get("downloader/request_count", 0)),
        "seconds": round(elapsed, 3),
        "process_wall_seconds": run["wall_seconds"],
        "cases_per_second": round(stored / elapsed, 1) if elapsed else None,
        "peak_rss_mb": round(run["stats"]["peak_rss_kb"] / 1024, 1),
    }


def _breakdown(setup: _Setup, credencial_id: int) -> dict[str, Any]:
    """The same large crawl again with pipelines switched off, to show where the time goes."""
    out: dict[str, Any] = {}
    variants = {
        "without_upsert": {"PERSISTENCIA_ENABLED": "False"},
        "without_upsert_and_raw_log": {"PERSISTENCIA_ENABLED": "False", "RAWLOG_ENABLED": "False"},
    }
    for name, settings in variants.items():
        runs = [setup.crawl("acervo_geral", f"credenciais={credencial_id}", settings=settings) for _ in range(2)]
        run = min(runs, key=lambda r: r["stats"]["elapsed_time_seconds"])  # the less disturbed of two
        elapsed = run["stats"]["elapsed_time_seconds"]
        items = int(run["stats"].get("item_scraped_count", 0))
        out[name] = {
            "seconds": round(elapsed, 3),
            "cases_per_second": round(items / elapsed, 1),
            "peak_rss_mb": round(run["stats"]["peak_rss_kb"] / 1024, 1),
        }
    return out


def _vm_hwm_kb(pid: int) -> int:
    """The process's peak resident set (``VmHWM``, kB) so far; 0 once it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^VmHWM:\s+(\d+) kB", text, re.M)
    return int(match.group(1)) if match else 0


def _wait_next_totp_step() -> None:
    """Let the plain-HTTP login's TOTP step pass, so the browser login never needs the same code."""
    time.sleep(30 - time.time() % 30 + 1)


def main() -> None:
    load_before = os.getloadavg()
    server = start_postgres()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-list-") as tmp:
            workdir = Path(tmp)
            (workdir / "var").mkdir()
            url = server.create_database("bench_list_capture")
            upgrade(url)
            started = time.perf_counter()
            with start_sandbox(workdir / "sandbox", scale="large", users=2, tribunais="TRT3", timeout=900) as sandbox:
                sandbox_ready_s = time.perf_counter() - started
                user = sandbox.users[0]
                setup = _Setup(url, sandbox, workdir)
                grande, pequena = setup.credenciais(user, [("TRT3", "primeiro_grau"), ("TRT3", "segundo_grau")])

                http = sandbox.login(user, "TRT3", "primeiro_grau")
                cookies = dict(http.cookies.items())
                http.close()
                api_url, id_adv = sandbox.api_url("TRT3"), user.ids_advogado["TRT3"]
                bare_cold = asyncio.run(_bare(cookies, api_url, id_adv))
                bare_warm = asyncio.run(_bare(cookies, api_url, id_adv))
                floor = _scrapy_floor(cookies, api_url, id_adv, workdir, bare_warm["cases"])
                _wait_next_totp_step()

                profile = os.environ.get("BENCH_PROFILE")  # a path: the large crawl under cProfile
                large = _capture(setup, grande, "primeiro_grau", Path(profile) if profile else None)
                again = setup.crawl("acervo_geral", f"credenciais={grande}")["stats"]
                segunda = {
                    "seconds": round(again["elapsed_time_seconds"], 3),
                    "cases_per_second": round(again.get("item_scraped_count", 0) / again["elapsed_time_seconds"], 1),
                    "peak_rss_mb": round(again["peak_rss_kb"] / 1024, 1),
                }
                # The crawl's login ended the bare client's session (one per user and tribunal): log in again.
                _wait_next_totp_step()
                http = sandbox.login(user, "TRT3", "primeiro_grau")
                bare_after = asyncio.run(_bare(dict(http.cookies.items()), api_url, id_adv))
                http.close()
                _wait_next_totp_step()
                small = _capture(setup, pequena, "segundo_grau")
                _wait_next_totp_step()
                arquivados = _capture(setup, grande, "primeiro_grau", spider="arquivados")
                breakdown = _breakdown(setup, grande)
                counters = sandbox.counters()
            setup.engine.dispose()
    finally:
        server.stop()

    limit = (bare_warm["cases_per_second"] + bare_after["cases_per_second"]) / 2
    ratio = large["cases_per_second"] / limit if large["cases_per_second"] else None
    load = os.getloadavg()
    result = {
        "benchmark": "list_capture",
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_1_5_15min_before": [round(x, 2) for x in load_before],
            "load_average_1_5_15min_after": [round(x, 2) for x in load],
        },
        "setup": {
            "sandbox": "scale large, TRT3, seed 42 (firm's main lawyer)",
            "sandbox_ready_seconds": round(sandbox_ready_s, 1),
            "database": "PostgreSQL (private cluster, durability off)",
            "concurrency": CONCURRENCY,
            "page_size": PAGE,
        },
        "bare_client": {"cold": bare_cold, "warm_before_crawl": bare_warm, "warm_after_crawl": bare_after},
        "bare_client_limit_cases_per_second": round(limit, 1),
        "scrapy_floor": {
            mode: {**figures, "ratio_to_bare_client": round(figures["cases_per_second"] / limit, 3)}
            for mode, figures in floor.items()
        },
        "crawl_acervo_geral": {
            "about_10000_cases": large,
            "about_10000_cases_second_run_nothing_written": segunda,
            "about_1000_cases": small,
        },
        "crawl_arquivados_about_30000_cases": arquivados,
        "where_the_time_goes_10000_cases": breakdown,
        "ratio_crawl_to_bare_client": round(ratio, 3) if ratio else None,
        "aim": {"ratio_at_least": 0.7, "memory": "does not grow with the number of cases"},
        "peak_rss_mb": {
            str(small["cases_stored"]): small["peak_rss_mb"],
            str(large["cases_stored"]): large["peak_rss_mb"],
            f"{arquivados['cases_stored']} (arquivados)": arquivados["peak_rss_mb"],
        },
        "sandbox_logins": sum(counters.get("logins", {}).values()),
    }
    if os.environ.get("BENCH_PROFILE"):
        print(json.dumps(result["crawl_acervo_geral"], indent=2))
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("ratio_crawl_to_bare_client", "peak_rss_mb")}, ensure_ascii=False))


if __name__ == "__main__":
    main()
