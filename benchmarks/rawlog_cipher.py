"""Cost of encrypting the raw log at rest: per page, per batch written, per page re-encrypted, and its size.

Pages are the sandbox's own: a 100-row ``acervo_geral`` page of TRT3 1º grau (about 50 KB of JSON, what the
list capture writes about 120 of per second) and a ``partes`` page. Measures, per page:

- ``codec``: ``json.dumps`` alone (what the clear JSON column also paid), then seal (JSON + zlib + AES-GCM) and
  open (AES-GCM + zlib + ``json.loads``), with the size and time of each zlib level (0 = no compression);
- ``append_many``: batches of 20 pages (``RAWLOG_BATCH_SIZE``) through ``SqlRawLogStore`` against the same
  rows inserted the pre-0003 way (clear JSON in ``payload_bruto``), on SQLite and PostgreSQL, with the table
  size of each;
- ``reencrypt``: ``RawLogStore.reencrypt`` pages/s for a key rotation and for legacy clear pages
  (``sinesys db encrypt-rawlog``), on SQLite, PostgreSQL and MongoDB-on-mongomock (the last is an in-process
  fake: its figure says nothing of a real server).

Writes ``benchmarks/results/rawlog_cipher.json``. Run: ``python -m benchmarks rawlog_cipher`` (pages per back end:
``BENCH_RAWLOG_PAGES``, default 3000) or ``python benchmarks/rawlog_cipher.py [N_PAGES]``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "rawlog_cipher.json"
N_PAGES = 3000
N_CODEC = 300
BATCH = 20


def _ms(fn: Callable[[], Any], n: int = N_CODEC) -> float:
    """Median milliseconds of one call over ``n`` calls (5 rounds)."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n // 5):
            fn()
        rounds.append((time.perf_counter() - start) / (n // 5) * 1e3)
    return round(statistics.median(rounds), 4)


def _pages() -> tuple[dict[str, Any], Any]:
    from plugins.pje_trt.sandbox.world import World

    world = World.generate(seed=3, scale="firm", users=1, tribunais=["TRT3"], today=dt.date(2026, 11, 24))
    adv = world.users[0].ids_advogado["TRT3"]
    rows = world.painel("TRT3", "primeiro_grau", adv, 1)[:100]
    lista = {"pagina": 1, "tamanhoPagina": 100, "qtdPaginas": 12, "totalRegistros": 1153, "resultado": rows}
    partes = world.partes("TRT3", "primeiro_grau", rows[0]["id"])
    return lista, partes


def _codec(payload: Any) -> dict[str, Any]:
    from sinesys_spiders.core.crypto import Cipher, generate_key
    from sinesys_spiders.core.rawlog.cifra import open_payload, seal_payload

    cipher = Cipher.from_text(generate_key())
    raw_log_id = "00000000-0000-4000-8000-000000000000"
    data = json.dumps(payload, separators=(",", ":")).encode()
    blob = seal_payload(cipher, raw_log_id, payload)
    assert blob is not None
    levels = {}
    for level in (0, 1, 3, 6, 9):
        packed = zlib.compress(data, level)
        levels[str(level)] = {
            "bytes": len(packed),
            "ratio": round(len(data) / len(packed), 2),
            "compress_ms": _ms(lambda level=level: zlib.compress(data, level)),
            "decompress_ms": _ms(lambda packed=packed: zlib.decompress(packed)),
        }
    return {
        "json_bytes": len(data),
        "stored_bytes": len(blob),
        "json_dumps_ms": _ms(lambda: json.dumps(payload)),
        "json_loads_ms": _ms(lambda: json.loads(data)),
        "aes_gcm_encrypt_ms": _ms(lambda: cipher.encrypt(data, aad=b"x")),
        "seal_ms": _ms(lambda: seal_payload(cipher, raw_log_id, payload)),
        "open_ms": _ms(lambda: open_payload(cipher, raw_log_id, blob)),
        "zlib_levels": levels,
    }


def _size(engine: Any) -> int:
    from sqlalchemy import text

    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return int(conn.scalar(text("SELECT pg_total_relation_size('captura_logs_brutos')")))
        return int(conn.scalar(text("SELECT sum(pgsize) FROM dbstat WHERE name = 'captura_logs_brutos'")))


def _sql(url: str, page: dict[str, Any], n: int) -> dict[str, Any]:
    from sqlalchemy import delete, insert

    from sinesys_spiders.core.crypto import Cipher, generate_key
    from sinesys_spiders.core.db.engine import make_engine, make_session_factory
    from sinesys_spiders.core.db.migrate import upgrade
    from sinesys_spiders.core.db.models import CapturaLogBruto
    from sinesys_spiders.core.items import PaginaBruta
    from sinesys_spiders.core.rawlog.base import campos_registro
    from sinesys_spiders.core.rawlog.sql import SqlRawLogStore

    upgrade(url)
    engine = make_engine(url)
    table = CapturaLogBruto.__table__
    old, new = Cipher.from_text(generate_key()), Cipher.from_text(generate_key())
    store = SqlRawLogStore(make_session_factory(engine), cipher=old)

    def entries() -> list[PaginaBruta]:
        return [PaginaBruta(tipo_captura="acervo_geral", tribunal="TRT3", grau="primeiro_grau", payload_bruto=page)
                for _ in range(n)]  # fmt: skip

    out: dict[str, Any] = {"pages": n}
    try:
        store.append_many(entries()[:BATCH])  # warm up connections and statement caches, then start empty
        with engine.begin() as conn:
            conn.execute(delete(table))
        clear = entries()
        start = time.perf_counter()
        for i in range(0, n, BATCH):
            rows = [campos_registro(e, old) | {"payload_cifrado": None, "payload_bruto": e.payload_bruto}
                    for e in clear[i : i + BATCH]]  # fmt: skip
            with engine.begin() as conn:
                conn.execute(insert(table), rows)
        out["append_clear_pages_per_s"] = round(n / (time.perf_counter() - start))
        out["table_bytes_clear"] = _size(engine)
        start = time.perf_counter()
        progress = list(store.reencrypt(old, old))[-1]
        out["encrypt_legacy_pages_per_s"] = round(progress.legado / (time.perf_counter() - start))
        with engine.begin() as conn:
            conn.execute(delete(table))
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM FULL captura_logs_brutos")
        else:
            with engine.connect() as conn:
                conn.exec_driver_sql("VACUUM")

        sealed = entries()
        start = time.perf_counter()
        for i in range(0, n, BATCH):
            store.append_many(sealed[i : i + BATCH])
        out["append_encrypted_pages_per_s"] = round(n / (time.perf_counter() - start))
        out["table_bytes_encrypted"] = _size(engine)
        start = time.perf_counter()
        progress = list(store.reencrypt(old, new))[-1]
        out["rotate_pages_per_s"] = round(progress.recifradas / (time.perf_counter() - start))
        reader = SqlRawLogStore(make_session_factory(engine), cipher=new)
        start = time.perf_counter()
        listed = reader.list(limit=100)
        out["list_100_ms"] = round((time.perf_counter() - start) * 1e3, 1)
        assert all(r.payload_bruto == page for r in listed)
    finally:
        engine.dispose()
    return out


def _mongo(page: dict[str, Any], n: int) -> dict[str, Any]:
    import mongomock

    from sinesys_spiders.core.crypto import Cipher, generate_key
    from sinesys_spiders.core.items import PaginaBruta
    from sinesys_spiders.core.rawlog.mongo import COLLECTION, MongoRawLogStore

    old, new = Cipher.from_text(generate_key()), Cipher.from_text(generate_key())
    store = MongoRawLogStore(mongomock.MongoClient(tz_aware=True)["b"][COLLECTION], cipher=old)
    entries = [PaginaBruta(tipo_captura="acervo_geral", tribunal="TRT3", grau="primeiro_grau", payload_bruto=page)
               for _ in range(n)]  # fmt: skip
    for i in range(0, n, BATCH):
        store.append_many(entries[i : i + BATCH])
    start = time.perf_counter()
    progress = list(store.reencrypt(old, new))[-1]
    return {"pages": n, "rotate_pages_per_s_on_mongomock": round(progress.recifradas / (time.perf_counter() - start))}


def measure(n: int = N_PAGES) -> dict[str, Any]:
    from sinesys_spiders.testing.postgres import start_postgres

    lista, partes = _pages()
    result: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "codec_list_page": _codec(lista),
        "codec_partes_page": _codec(partes),
    }
    with tempfile.TemporaryDirectory(prefix="bench-rawlog-") as folder:
        result["sqlite"] = _sql(f"sqlite:///{folder}/bench.db", lista, n)
    server = start_postgres()
    try:
        result["postgresql"] = _sql(server.create_database("bench_rawlog_cipher"), lista, n)
    finally:
        server.stop()
    result["mongomock"] = _mongo(lista, min(n, 1000))
    return result


def main(n: int | None = None) -> None:
    result = measure(n or int(os.environ.get("BENCH_RAWLOG_PAGES", N_PAGES)))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else None)
