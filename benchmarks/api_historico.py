"""The history routes under load: ``GET /api/captura/historico`` (filtered, paged) and ``/historico/{id}``
against a trivial route of the same app returning a static JSON body of the same size.

PostgreSQL (a private cluster, or ``SINESYS_BENCH_POSTGRES_URL`` as an admin URL) with 100,000 history rows;
one uvicorn process (``benchmarks._api_app``); 50 concurrent clients with a service key; p50, p99 and
throughput per route. Aim: p99 of the history routes within 3x the static route's. Writes
``benchmarks/results/api_historico.json``.

Run: ``python -m benchmarks api_historico`` (or ``python benchmarks/api_historico.py [ROWS] [REQUESTS]``).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "api_historico.json"
ROWS = 100_000
ADVOGADOS = 20
CLIENTS = 50
REQUESTS = 3000  # per route


def _seed(url: str, rows: int) -> str:
    """Lawyers, 100k history rows spread over a year, and a leitura key; return the key."""
    import datetime as dt

    from sqlalchemy import insert

    from api.auth.chaves import ChavesService
    from sinesys_spiders.core.db import make_engine, make_session_factory
    from sinesys_spiders.core.db.migrate import upgrade
    from sinesys_spiders.core.db.models import Advogado, CapturaLog

    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        advs = [Advogado(nome_completo=f"Advogado {i}", cpf=f"{i:011d}", oabs=[]) for i in range(1, ADVOGADOS + 1)]
        session.add_all(advs)
        session.flush()
        adv_ids = [a.id for a in advs]
    rng = random.Random(7)
    tipos = ["acervo_geral", "arquivados", "audiencias", "pendentes", "partes"]
    status = ["completed"] * 8 + ["failed", "cancelled"]
    agora = dt.datetime.now(dt.UTC)
    batch: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for i in range(rows):
            inicio = agora - dt.timedelta(minutes=rows - i)
            resultado = {
                "credenciais_processadas": 2,
                "totais": {"inseridos": rng.randint(0, 50), "atualizados": 3, "inalterados": 400, "duplicados": 0,
                           "erros": 0},
                "resultados": [
                    {"credencial_id": c, "tribunal": "TRT3", "grau": "primeiro_grau",
                     "resultado": {"inseridos": 5, "atualizados": 1, "inalterados": 200, "duplicados": 0, "erros": 0}}
                    for c in (1, 2)
                ],
            }  # fmt: skip
            batch.append(
                {
                    "tipo_captura": rng.choice(tipos),
                    "advogado_id": rng.choice(adv_ids),
                    "credencial_ids": [1, 2],
                    "status": rng.choice(status),
                    "parametros": {},
                    "resultado": resultado,
                    "iniciado_em": inicio,
                    "concluido_em": inicio + dt.timedelta(seconds=90),
                    "created_at": inicio,
                    "updated_at": inicio,
                    "origem": "agendamento",
                }
            )
            if len(batch) == 5000:
                conn.execute(insert(CapturaLog), batch)
                batch.clear()
        if batch:
            conn.execute(insert(CapturaLog), batch)
        conn.exec_driver_sql("ANALYZE capturas_log")
    key = ChavesService(factory).criar("benchmark", "leitura")[1]
    engine.dispose()
    return key


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(url: str, workdir: Path, sizes: list[int]) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
    env.update(
        SINESYS_DATABASE_URL=url,
        SINESYS_VAR_DIR=str(workdir),
        SINESYS_SECRET_KEY="A" * 43 + "=",
        BENCH_STATIC_BYTES=",".join(map(str, sizes)),
    )
    command = [sys.executable, "-m", "uvicorn", "benchmarks._api_app:app", "--port", str(port), "--log-level",
               "warning", "--no-access-log"]  # fmt: skip
    log = (workdir / f"uvicorn-{port}.log").open("wb")
    process = subprocess.Popen(command, env=env, cwd=Path(__file__).parents[1], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("uvicorn did not start")


async def _load(base: str, key: str, paths: list[str], requests: int) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[str] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(paths[i % len(paths)])
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, headers={"x-service-api-key": key}, limits=limits, timeout=60) as c:

        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                path = queue.get_nowait()
                start = time.perf_counter()
                try:
                    response = await c.get(path)
                except httpx.TransportError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "throughput_rps": round(len(latencies) / elapsed, 1),
    }


def measure(rows: int = ROWS, requests: int = REQUESTS) -> dict[str, Any]:
    import httpx

    from sinesys_spiders.testing.postgres import PostgresServer, start_postgres

    server: PostgresServer | None = None
    admin = os.environ.get("SINESYS_BENCH_POSTGRES_URL")
    if admin is None:
        server = start_postgres()
    workdir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    print(f"workdir: {workdir}", flush=True)
    process = None
    try:
        if server is not None:
            url = server.create_database("bench_api_historico")
        else:
            url = admin.rsplit("/", 1)[0] + "/bench_api_historico"
            import psycopg

            with psycopg.connect(admin.replace("+psycopg", ""), autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS bench_api_historico WITH (FORCE)")
                conn.execute("CREATE DATABASE bench_api_historico")
        t0 = time.perf_counter()
        key = _seed(url, rows)
        seed_s = time.perf_counter() - t0
        rng = random.Random(11)
        lista = [
            f"/api/captura/historico?advogado_id={rng.randint(1, ADVOGADOS)}&status=completed"
            f"&pagina={rng.randint(1, 20)}&limite=50"
            for _ in range(200)
        ]
        uma = [f"/api/captura/historico/{rng.randint(1, rows)}" for _ in range(500)]
        # size the static bodies like the real answers
        process, base = _serve(url, workdir, [1000])
        headers = {"x-service-api-key": key}
        size_lista = len(httpx.get(base + lista[0], headers=headers).content)
        size_uma = len(httpx.get(base + uma[0], headers=headers).content)
        process.terminate()
        process.wait()
        process, base = _serve(url, workdir, [size_lista, size_uma])
        out: dict[str, Any] = {}
        asyncio.run(_load(base, key, ["/api/health"], 300))  # warm-up
        for name, paths in (
            ("historico_lista", lista),
            (f"estatico_{size_lista}_bytes", [f"/api/bench/estatico?bytes={size_lista}"]),
            ("historico_um", uma),
            (f"estatico_{size_uma}_bytes", [f"/api/bench/estatico?bytes={size_uma}"]),
        ):
            out[name] = asyncio.run(_load(base, key, paths, requests))
            print(name, out[name], flush=True)
        return {
            "rows": rows,
            "clients": CLIENTS,
            "requests_per_route": requests,
            "seed_seconds": round(seed_s, 1),
            "body_bytes": {"historico_lista": size_lista, "historico_um": size_uma},
            "routes": out,
            "p99_ratio": {
                "historico_lista": round(
                    out["historico_lista"]["p99_ms"] / out[f"estatico_{size_lista}_bytes"]["p99_ms"], 2
                ),
                "historico_um": round(out["historico_um"]["p99_ms"] / out[f"estatico_{size_uma}_bytes"]["p99_ms"], 2),
            },
            "server": "uvicorn, 1 worker; clients in another process on the same host",
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average_1m": round(os.getloadavg()[0], 1),
            },
        }
    finally:
        if process is not None:
            process.terminate()
            process.wait()
        if server is not None:
            server.stop()


def main() -> None:
    args = [int(a) for a in sys.argv[1:3] if a.isdigit()]
    result = measure(*args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
