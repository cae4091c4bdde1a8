"""Locks and sessions on the SQL database and on Redis: the cost of one call, and a lock handed among processes.

Per back end (SQLite file, ``SINESYS_BENCH_DATABASE_URL`` if set, and a local ``redis-server``): the mean time of
``try_acquire`` + ``release``, of ``extend``, of a session ``get`` and ``save``, and how many times per second one
lock changes hands when 20 processes want it at once. Writes ``benchmarks/results/locks_sessions.json``.

Run: ``python -m benchmarks locks_sessions``.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "locks_sessions.json"
N = 500
PROCESSOS = 20
VEZES = 10  # turns of each process


def _ms(seconds: float, n: int) -> float:
    return round(seconds / n * 1000, 3)


def _disputa(factory: Callable[[], Any], out: str) -> None:
    from sinesys_spiders.core.locks import acquire

    backend = factory()

    async def run() -> None:
        for _ in range(VEZES):
            lease = await acquire(backend, "disputado", ttl=30, timeout=600, poll=0.002)
            backend.release(lease)

    asyncio.run(run())
    Path(out).write_text("ok")


def _medir(nome: str, locks_factory: Callable[[], Any], store: Any, folder: Path) -> dict[str, Any]:
    from sinesys_spiders.testing.sessions_contract import make_sessao

    locks = locks_factory()
    start = time.perf_counter()
    for i in range(N):
        lease = locks.try_acquire(f"k{i % 10}", ttl=30)
        locks.release(lease)
    acquire_release = time.perf_counter() - start
    lease = locks.try_acquire("estendido", ttl=30)
    start = time.perf_counter()
    for _ in range(N):
        lease = locks.extend(lease, ttl=30)
    extend = time.perf_counter() - start

    start = time.perf_counter()
    for i in range(N // 5):
        store.save(make_sessao(1 + i % 10))
    save = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(N):
        store.get(1 + i % 10)
    get = time.perf_counter() - start

    ctx = multiprocessing.get_context("fork")
    outs = [str(folder / f"{nome}-{n}") for n in range(PROCESSOS)]
    children = [ctx.Process(target=_disputa, args=(locks_factory, out)) for out in outs]
    start = time.perf_counter()
    for child in children:
        child.start()
    for child in children:
        child.join()
    disputa = time.perf_counter() - start
    assert all(Path(out).exists() for out in outs)
    return {
        "acquire_release_ms": _ms(acquire_release, N),
        "extend_ms": _ms(extend, N),
        "session_save_ms": _ms(save, N // 5),
        "session_get_ms": _ms(get, N),
        "contended_handovers_per_s": round(PROCESSOS * VEZES / disputa, 1),
    }


def measure() -> dict[str, Any]:
    from sinesys_spiders.core.crypto import Cipher, generate_key
    from sinesys_spiders.core.db import make_engine, make_session_factory, session_scope
    from sinesys_spiders.core.db.migrate import upgrade
    from sinesys_spiders.core.db.repositories import AdvogadosRepository
    from sinesys_spiders.core.locks import SqlLockBackend
    from sinesys_spiders.core.locks.redis import RedisLockBackend
    from sinesys_spiders.core.redis_conexao import RedisConexao
    from sinesys_spiders.core.sessions import SqlSessionStore
    from sinesys_spiders.core.sessions.redis import RedisSessionStore
    from sinesys_spiders.testing.redis_fixtures import start_redis

    folder = Path(tempfile.mkdtemp(prefix="bench-locks-"))
    cipher = Cipher.from_text(generate_key())
    figures: dict[str, Any] = {"python": platform.python_version(), "cpus": os.cpu_count(), "n": N}
    figures["processos"] = PROCESSOS

    url = os.environ.get("SINESYS_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    with session_scope(factory=factory) as session:
        advogado = AdvogadosRepository(session).add(nome_completo="A", cpf="52998224725").id
    from sinesys_spiders.core.credenciais import CredenciaisService, NovaCredencial
    from sinesys_spiders.core.tribunais import get_registry

    service = CredenciaisService(factory, cipher)
    pares = [(e.tribunal, e.grau) for e in get_registry().endpoints()][:10]
    service.add_many(
        [
            NovaCredencial.from_values(
                advogado_id=advogado, tribunal=t, grau=g, senha="x", totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
            )
            for t, g in pares
        ]
    )
    sql = url.split(":", 1)[0].split("+")[0]
    figures[sql] = _medir(
        sql, lambda: SqlLockBackend(make_session_factory(make_engine(url))), SqlSessionStore(factory, cipher), folder
    )

    server = start_redis(folder / "redis")
    try:
        redis_url = server.url()
        figures["redis"] = _medir(
            "redis",
            lambda: RedisLockBackend(RedisConexao.from_url(redis_url, prefix="tbench")),
            RedisSessionStore(RedisConexao.from_url(redis_url, prefix="tbench"), cipher),
            folder,
        )
    finally:
        server.stop()
    return figures


def main() -> None:
    figures = measure()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
