"""Per-case captures on a firm-sized acervo: ``partes`` plus ``timeline``, in cases per second.

Starts ``sinesys sandbox`` (scale firm, TRT3 only: the main lawyer has ~1,200 active cases at 1º grau),
registers that lawyer, a credential, a stored session (plain-HTTP login) and the active cases as ``acervo``
rows in a fresh SQLite database, then measures, once each:

1. ``scrapy crawl partes`` and ``scrapy crawl timeline`` on every case (wall time of the processes, and the
   spiders' own ``duracao_ms`` from the history), with the project's default settings (a loopback tribunal
   gets ``CONCURRENT_REQUESTS`` in its slot, no delay);
2. the existing system's sequential pacing: per case ``partes`` and ``timeline`` in parallel, then 300 ms
   (pje-api.md §6), with a bare client, on a sample of cases (and its rate extrapolated);
3. the bare-client limit of the sandbox: the same two requests per case with an ``httpx.AsyncClient`` at 16
   requests in flight, nothing parsed or stored.

Writes ``benchmarks/results/per_case.json``. Machines are shared: compare the ratios of one run.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import insert

from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.credenciais_input import NovaCredencial
from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db.engine import make_engine, make_session_factory, session_scope
from sinesys_spiders.core.db.migrate import upgrade
from sinesys_spiders.core.db.models import Processo
from sinesys_spiders.core.db.repositories.advogados import AdvogadosRepository
from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.historico import HistoricoService
from sinesys_spiders.core.sessions import SessaoPje, SqlSessionStore
from sinesys_spiders.testing.sandbox_fixtures import SandboxClient, start_sandbox

RESULTS = Path(__file__).parent / "results" / "per_case.json"
PROJECT = Path(__file__).resolve().parents[1]
TRIBUNAL, GRAU = "TRT3", "primeiro_grau"
PACING_S = 0.3
SEQUENTIAL_SAMPLE = 40
CONCURRENCY = 16


class _Mundo:
    """The database, credential and session of the benchmark."""

    def __init__(self, sandbox: SandboxClient, workdir: Path) -> None:
        self.sandbox = sandbox
        self.workdir = workdir
        self.url = f"sqlite:///{workdir / 'sinesys.db'}"
        upgrade(self.url)
        self.engine = make_engine(self.url)
        self.factory = make_session_factory(self.engine)
        self.secret_key = generate_key()
        cipher = Cipher.from_text(self.secret_key)
        self.user = sandbox.users[0]
        with session_scope(factory=self.factory) as session:
            self.advogado_id = AdvogadosRepository(session).add(nome_completo=self.user.nome, cpf=self.user.cpf).id
            TribunaisConfigRepository(session).set_override(
                tribunal=TRIBUNAL, grau=GRAU, base_url=sandbox.base_url(TRIBUNAL), sso_url=sandbox.sso_url
            )
        self.credencial_id = CredenciaisService(self.factory, cipher, cache_ttl=0).add(
            NovaCredencial(
                advogado_id=self.advogado_id, tribunal=Tribunal(TRIBUNAL), grau=Grau(GRAU),
                senha=SecretStr(self.user.senha), usuario=self.user.cpf, totp_secret=SecretStr(self.user.totp_secret),
            )
        )  # fmt: skip
        http = sandbox.login(self.user, TRIBUNAL, GRAU)
        self.cookies = {c.name: c.value for c in http.cookies.jar if c.domain.lstrip(".") in sandbox.base_url(TRIBUNAL)}
        jar = [{"name": c.name, "value": c.value, "domain": c.domain, "path": c.path or "/"} for c in http.cookies.jar]
        http.close()
        id_adv = self.user.ids_advogado[TRIBUNAL]
        SqlSessionStore(self.factory, cipher).save(
            SessaoPje.from_login(
                credencial_id=self.credencial_id,
                base_url=sandbox.base_url(TRIBUNAL),
                id_advogado=id_adv,
                cookies=jar,
                claims={"id": id_adv},
            )
        )
        truth = sandbox.truth(tribunal=TRIBUNAL, grau=GRAU, cpf=self.user.cpf, tipo="acervo_geral")
        self.casos = truth["tribunais"][TRIBUNAL][GRAU][self.user.cpf]["acervo_geral"]
        with self.factory.begin() as session:
            session.execute(
                insert(Processo),
                [
                    {"id_pje": c["id_pje"], "tribunal": TRIBUNAL, "grau": GRAU, "numero_processo": c["numero_processo"],
                     "numero": c["numero"], "origem": "acervo_geral", "advogado_id": self.advogado_id,
                     "credencial_id": self.credencial_id}
                    for c in self.casos
                ],
            )  # fmt: skip

    def crawl(self, spider: str, *args: str) -> dict[str, Any]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
        env.update(SINESYS_DATABASE_URL=self.url, SINESYS_VAR_DIR=str(self.workdir / "var"),
                   SINESYS_SECRET_KEY=self.secret_key, SINESYS_LOG_LEVEL="WARNING")  # fmt: skip
        argv = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"credenciais={self.credencial_id}"]
        for arg in args:
            argv += ["-a", arg]
        started = time.perf_counter()
        result = subprocess.run(argv, cwd=PROJECT, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(f"{spider} falhou: {result.stderr[-2000:]}")
        [resumo] = HistoricoService(self.factory).list(limit=1, tipo_captura=spider)
        [entry] = [e for e in resumo.resultados if e["credencial_id"] == self.credencial_id]
        return {"wall_s": round(wall, 3), "resultado": entry["resultado"]}


def _urls(api: str, id_pje: int) -> tuple[str, str]:
    return (
        f"{api}/processos/id/{id_pje}/partes?retornaEndereco=true",
        f"{api}/processos/id/{id_pje}/timeline?somenteDocumentosAssinados=false&buscarMovimentos=true"
        "&buscarDocumentos=true",
    )


async def _sequencial(api: str, cookies: dict[str, str], ids: list[int]) -> float:
    """The existing system's pacing: per case partes ∥ timeline, then 300 ms; seconds for ``ids``."""
    async with httpx.AsyncClient(cookies=cookies, timeout=60) as client:
        started = time.perf_counter()
        for id_pje in ids:
            await asyncio.gather(*(client.get(u) for u in _urls(api, id_pje)))
            await asyncio.sleep(PACING_S)
        return time.perf_counter() - started


async def _limite(api: str, cookies: dict[str, str], ids: list[int]) -> tuple[float, dict[int, int]]:
    """Both requests of every case, CONCURRENCY in flight, nothing parsed: seconds and statuses."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for id_pje in ids:
        for url in _urls(api, id_pje):
            queue.put_nowait(url)
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(cookies=cookies, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while not queue.empty():
                response = await client.get(queue.get_nowait())
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return time.perf_counter() - started, statuses


def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sinesys-bench-per-case-") as tmp:
        workdir = Path(tmp)
        with start_sandbox(workdir / "sandbox", scale="firm", users=1, tribunais=TRIBUNAL) as sandbox:
            mundo = _Mundo(sandbox, workdir)
            n = len(mundo.casos)
            ids = [int(c["id_pje"]) for c in mundo.casos]
            api = sandbox.api_url(TRIBUNAL)
            limite_s, statuses = asyncio.run(_limite(api, mundo.cookies, ids))  # also warms the sandbox's caches
            sequencial_s = asyncio.run(_sequencial(api, mundo.cookies, ids[:SEQUENTIAL_SAMPLE]))
            partes = mundo.crawl("partes")
            timeline = mundo.crawl("timeline")
            mundo.engine.dispose()
    spiders_s = partes["wall_s"] + timeline["wall_s"]
    spiders_internos_s = (partes["resultado"]["duracao_ms"] + timeline["resultado"]["duracao_ms"]) / 1000
    figures: dict[str, Any] = {
        "benchmark": "per_case",
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "loadavg_1m": round(os.getloadavg()[0], 2),
        },
        "acervo": {"tribunal": f"{TRIBUNAL} {GRAU} (sandbox, scale firm)", "processos": n},
        "spiders_partes_mais_timeline": {
            "partes": partes,
            "timeline": timeline,
            "segundos_wall": round(spiders_s, 2),
            "processos_por_segundo_wall": round(n / spiders_s, 2),
            "segundos_das_spiders": round(spiders_internos_s, 2),
            "processos_por_segundo_das_spiders": round(n / spiders_internos_s, 2),
        },
        "sistema_existente_sequencial_300ms": {
            "amostra_processos": SEQUENTIAL_SAMPLE,
            "segundos_amostra": round(sequencial_s, 2),
            "processos_por_segundo": round(SEQUENTIAL_SAMPLE / sequencial_s, 2),
            "segundos_estimados_acervo": round(sequencial_s / SEQUENTIAL_SAMPLE * n, 1),
        },
        "limite_cliente_puro": {
            "concorrencia": CONCURRENCY,
            "requisicoes": 2 * n,
            "segundos": round(limite_s, 2),
            "processos_por_segundo": round(n / limite_s, 2),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
        },
    }
    figures["razoes"] = {
        "spiders_vs_sequencial": round(
            figures["spiders_partes_mais_timeline"]["processos_por_segundo_wall"]
            / figures["sistema_existente_sequencial_300ms"]["processos_por_segundo"],
            1,
        ),
        "spiders_vs_limite_cliente_puro": round(
            figures["spiders_partes_mais_timeline"]["processos_por_segundo_wall"]
            / figures["limite_cliente_puro"]["processos_por_segundo"],
            2,
        ),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return figures


if __name__ == "__main__":
    main()
