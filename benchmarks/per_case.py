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
   requests in flight (the spiders' own ``CONCURRENT_REQUESTS``), nothing parsed or stored;
4. the CPU of the crawl processes (user + system, from the kernel's accounting of the finished child) per case;
5. where that CPU goes, per stage: each crawl once more under ``py-spy`` (sampling every thread; samples of a
   thread waiting, :data:`ESPERAS`, left out), every sample attributed to the first stage of :data:`ETAPAS` its
   stack passes through, and the measured CPU per case shared out in proportion.

Steps 1, 4 and 5 run twice in the same run, from the same database snapshot: ``antes`` is the tree of commit
``--antes`` (default :data:`ANTES`, the per-case path before issue 19), unpacked with ``git archive`` and put
first on ``PYTHONPATH``; ``depois`` is this tree. ``--sem-antes`` skips the former, ``--sem-perfil`` the
profiles (also skipped when ``py-spy`` is not installed: ``pip install -e .[bench]``).

Writes ``benchmarks/results/per_case.json``. Machines are shared: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime
import io
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tarfile
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
from sinesys_spiders.core.sessions import SessaoTribunal, SqlSessionStore
from sinesys_spiders.testing.sandbox_fixtures import SandboxClient, start_sandbox

RESULTS = Path(__file__).parent / "results" / "per_case.json"
PROJECT = Path(__file__).resolve().parents[1]
TRIBUNAL, GRAU = "TRT3", "primeiro_grau"
PACING_S = 0.3
SEQUENTIAL_SAMPLE = 40
CONCURRENCY = 16
#: The per-case path before issue 19 (row by row through the ORM, one case per transaction).
ANTES = "b6c51cbfec2dfe129eca4f2f3eee327a834c976b"
#: Stages of a crawl, checked in this order against each sampled stack (a substring of a frame's file or function).
ETAPAS: list[tuple[str, tuple[str, ...]]] = [
    ("locks (taken, renewed, released)", ("_arrendamentos.py", "/core/locks", "repositories/locks.py")),
    ("raw log (compression, encryption, marks)", ("pipelines/rawlog.py", "/core/rawlog/")),
    ("history counts", ("pipelines/historico.py", "core/historico.py", "capturas_log")),
    ("storing: parties", ("persistir_partes", "persistencia_partes", "gravar_partes")),
    (
        "storing: timeline and documents",
        ("persistir_timeline", "timelines.py", "persistir_documento", "contar_documentos", "gravar_timelines"),
    ),
    (
        "storing: other (upsert engine, pipeline, selection)",
        ("pipelines/processo.py", "/core/persistence/", "upsert", "selecionar_processos"),
    ),
    ("validation (pipeline)", ("pipelines/validacao.py",)),
    ("JSON parsing", ("_payload ", "json/decoder.py")),
    ("plugin: classification and items", ("plugins/pje_trt/",)),
    ("Scrapy and Twisted (request/response, engine, signals)", ("scrapy/", "twisted/", "scrapy_")),
]


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
            SessaoTribunal.from_login(
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
                    {"id_externo": c["id_externo"], "tribunal": TRIBUNAL, "grau": GRAU,
                     "numero_processo": c["numero_processo"],
                     "numero": c["numero"], "origem": "acervo_geral", "advogado_id": self.advogado_id,
                     "credencial_id": self.credencial_id}
                    for c in self.casos
                ],
            )  # fmt: skip

        self.engine.dispose()
        self.snapshot = workdir / "snapshot.db"
        shutil.copyfile(workdir / "sinesys.db", self.snapshot)

    def restore(self, tree: Path = PROJECT) -> None:
        """Back to the database as it was before any crawl (the same first capture for every variant).

        For an older tree, the database is marked at that tree's migration head: migrations since then only add
        nullable columns and tables, which the older code does not read.
        """
        self.engine.dispose()
        shutil.copyfile(self.snapshot, self.workdir / "sinesys.db")
        if tree != PROJECT:
            from alembic.script import ScriptDirectory

            head = ScriptDirectory(str(tree / "sinesys_spiders" / "core" / "db" / "migrations")).get_current_head()
            with sqlite3.connect(self.workdir / "sinesys.db") as db:
                db.execute("UPDATE alembic_version SET version_num = ?", (head,))

    def crawl(self, spider: str, *args: str, tree: Path = PROJECT, perfil: Path | None = None) -> dict[str, Any]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
        env.update(SINESYS_DATABASE_URL=self.url, SINESYS_VAR_DIR=str(self.workdir / "var"),
                   SINESYS_SECRET_KEY=self.secret_key, SINESYS_LOG_LEVEL="WARNING")  # fmt: skip
        if tree != PROJECT:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tree), env.get("PYTHONPATH")]))
        argv = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"credenciais={self.credencial_id}"]
        for arg in args:
            argv += ["-a", arg]
        if perfil is not None:
            argv = ["py-spy", "record", "--format", "raw", "--threads", "--rate", "100", "-o", str(perfil),
                    "--", *argv]  # fmt: skip
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode != 0:
            raise RuntimeError(f"{spider} falhou: {result.stderr[-2000:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        out: dict[str, Any] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "resultado": None}
        resumos = HistoricoService(self.factory).list(limit=1, tipo_captura=spider)
        entries = [e for r in resumos for e in r.resultados if e["credencial_id"] == self.credencial_id]
        if entries:
            out["resultado"] = entries[0]["resultado"]
            # A case not stored is in the history with its reason: the status, a credential's failure and the first
            # reasons go with the figures, so a run that lost cases says so.
            out["status"] = resumos[0].status
            if entries[0].get("erro"):
                out["erro_credencial"] = entries[0]["erro"]
            if entries[0].get("erros_itens"):
                out["erros_itens"] = entries[0]["erros_itens"][:5]
        elif perfil is None:
            raise RuntimeError(f"{spider}: nenhum resultado no histórico: {result.stderr[-2000:]}")
        else:  # a profiled run only needs its samples
            out["stderr"] = result.stderr[-1000:]
        return out


def _arvore(commit: str, destino: Path, repo: Path = PROJECT) -> Path:
    """The project's tree at ``commit`` (from the git repository ``repo``), unpacked into ``destino``."""
    data = subprocess.run(["git", "archive", commit], cwd=repo, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(destino, filter="data")
    return destino


#: Innermost frames of a thread that waits (py-spy cannot tell idle threads apart in this container).
ESPERAS = ("_worker (concurrent/futures/thread.py", "Condition.wait (", "Event.wait (", "EpollSelector.select (",
           "_PollLikeSelector.select (", "Thread.join (")  # fmt: skip


def _etapas(perfil: Path) -> dict[str, int]:
    """Busy samples per stage of a ``py-spy --format raw`` file (one line per stack: ``frames;... count``)."""
    out: collections.Counter[str] = collections.Counter()
    for line in perfil.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        folha = stack.rsplit(";", 1)[-1]
        if not count.isdigit() or ";" not in stack or folha.startswith(ESPERAS):
            continue
        etapa = next((nome for nome, marcas in ETAPAS if any(m in stack for m in marcas)), "other (interpreter, ...)")
        out[etapa] += int(count)
    return dict(out)


def _perfil_ms(amostras: dict[str, int], cpu_ms_por_processo: float) -> dict[str, float]:
    """The CPU ms per case of each stage: its share of the samples times the measured CPU per case."""
    total = sum(amostras.values()) or 1
    ordem = sorted(amostras.items(), key=lambda kv: -kv[1])
    return {nome: round(cpu_ms_por_processo * n / total, 2) for nome, n in ordem}


def _variante(mundo: _Mundo, n: int, tree: Path, perfis: Path | None) -> dict[str, Any]:
    """``partes`` then ``timeline`` on every case from the snapshot; then again under the profiler."""
    mundo.restore(tree)
    partes = mundo.crawl("partes", tree=tree)
    timeline = mundo.crawl("timeline", tree=tree)
    wall = partes["wall_s"] + timeline["wall_s"]
    cpu = partes["cpu_s"] + timeline["cpu_s"]
    out: dict[str, Any] = {
        "partes": partes,
        "timeline": timeline,
        "segundos_wall": round(wall, 2),
        "processos_por_segundo_wall": round(n / wall, 2),
        "cpu_ms_por_processo": round(cpu * 1000 / n, 2),
        "cpu_ms_por_processo_partes": round(partes["cpu_s"] * 1000 / n, 2),
        "cpu_ms_por_processo_timeline": round(timeline["cpu_s"] * 1000 / n, 2),
        # Cases of the acervo a crawl did not store (each one is an error with its reason in the history).
        "processos_nao_gravados": {
            nome: n - int((crawl["resultado"] or {}).get("processos_capturados", 0))
            for nome, crawl in (("partes", partes), ("timeline", timeline))
        },
    }
    if perfis is not None:
        mundo.restore(tree)
        perfil: dict[str, Any] = {}
        for spider in ("partes", "timeline"):
            arquivo = perfis / f"{tree.name}-{spider}.txt"
            mundo.crawl(spider, tree=tree, perfil=arquivo)
            perfil[spider] = _perfil_ms(_etapas(arquivo), out[f"cpu_ms_por_processo_{spider}"])
        out["perfil_cpu_ms_por_processo"] = perfil
    return out


def _urls(api: str, id_externo: int) -> tuple[str, str]:
    return (
        f"{api}/processos/id/{id_externo}/partes?retornaEndereco=true",
        f"{api}/processos/id/{id_externo}/timeline?somenteDocumentosAssinados=false&buscarMovimentos=true"
        "&buscarDocumentos=true",
    )


async def _sequencial(api: str, cookies: dict[str, str], ids: list[int]) -> float:
    """The existing system's pacing: per case partes ∥ timeline, then 300 ms; seconds for ``ids``."""
    async with httpx.AsyncClient(cookies=cookies, timeout=60) as client:
        started = time.perf_counter()
        for id_externo in ids:
            await asyncio.gather(*(client.get(u) for u in _urls(api, id_externo)))
            await asyncio.sleep(PACING_S)
        return time.perf_counter() - started


async def _limite(api: str, cookies: dict[str, str], ids: list[int]) -> tuple[float, dict[int, int]]:
    """Both requests of every case, CONCURRENCY in flight, nothing parsed: seconds and statuses."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for id_externo in ids:
        for url in _urls(api, id_externo):
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


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.per_case")
    parser.add_argument("--antes", default=ANTES, help="commit of the 'before' tree (default: %(default)s)")
    parser.add_argument("--sem-antes", action="store_true", help="measure this tree only")
    parser.add_argument("--repo", type=Path, default=PROJECT, help="git repository of --antes (default: this tree)")
    parser.add_argument("--sem-perfil", action="store_true", help="no per-stage profile")
    parser.add_argument("--sem-depois", action="store_true", help="measure the 'before' tree only")
    parser.add_argument("--saida", type=Path, default=RESULTS, help="results file (default: %(default)s)")
    opts = parser.parse_args(argv if argv is not None else [])
    perfilar = not opts.sem_perfil and shutil.which("py-spy") is not None
    load_before = round(os.getloadavg()[0], 2)
    variantes: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="sinesys-bench-per-case-") as tmp:
        workdir = Path(tmp)
        perfis = workdir / "perfis" if perfilar else None
        if perfis is not None:
            perfis.mkdir()
        with start_sandbox(workdir / "sandbox", scale="firm", users=1, tribunais=TRIBUNAL) as sandbox:
            mundo = _Mundo(sandbox, workdir)
            n = len(mundo.casos)
            ids = [int(c["id_externo"]) for c in mundo.casos]
            api = sandbox.api_url(TRIBUNAL)
            asyncio.run(_limite(api, mundo.cookies, ids))  # warms the sandbox's caches
            limite_s, statuses = asyncio.run(_limite(api, mundo.cookies, ids))
            sequencial_s = asyncio.run(_sequencial(api, mundo.cookies, ids[:SEQUENTIAL_SAMPLE]))
            if not opts.sem_antes:
                antes = _arvore(opts.antes, workdir / "antes", opts.repo)
                variantes["antes"] = {"commit": opts.antes, **_variante(mundo, n, antes, perfis)}
            if not opts.sem_depois:
                variantes["depois"] = _variante(mundo, n, PROJECT, perfis)
            limite2_s, _ = asyncio.run(_limite(api, mundo.cookies, ids))  # the limit again, after the crawls
            mundo.engine.dispose()
    limite_pps = n / min(limite_s, limite2_s)
    for variante in variantes.values():
        variante["razao_vs_limite_cliente_puro"] = round(variante["processos_por_segundo_wall"] / limite_pps, 3)
    figures: dict[str, Any] = {
        "benchmark": "per_case",
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "loadavg_1m_antes": load_before,
            "loadavg_1m": round(os.getloadavg()[0], 2),
        },
        "acervo": {"tribunal": f"{TRIBUNAL} {GRAU} (sandbox, scale firm)", "processos": n},
        "spiders_partes_mais_timeline": variantes,
        "sistema_existente_sequencial_300ms": {
            "amostra_processos": SEQUENTIAL_SAMPLE,
            "segundos_amostra": round(sequencial_s, 2),
            "processos_por_segundo": round(SEQUENTIAL_SAMPLE / sequencial_s, 2),
            "segundos_estimados_acervo": round(sequencial_s / SEQUENTIAL_SAMPLE * n, 1),
        },
        "limite_cliente_puro": {
            "concorrencia": CONCURRENCY,
            "requisicoes": 2 * n,
            "segundos_antes_e_depois_das_spiders": [round(limite_s, 2), round(limite2_s, 2)],
            "processos_por_segundo": round(limite_pps, 2),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
        },
        "perfil": "py-spy (all threads, idle samples left out)" if perfilar else None,
    }
    opts.saida.parent.mkdir(parents=True, exist_ok=True)
    opts.saida.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
