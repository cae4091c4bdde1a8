"""Cost of the credential path: AES-GCM per value, ``get`` uncached and cached, key rotation per row.

Runs on a fresh migrated SQLite file (or ``SINESYS_BENCH_DATABASE_URL``, e.g. a PostgreSQL database
at head). Writes ``benchmarks/results/credenciais.json``.

Run: ``python -m benchmarks credenciais`` (or ``python benchmarks/credenciais.py [N]``).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "credenciais.json"
N_CREDENCIAIS = 1000
N_CRYPTO = 20_000


def _per_op(seconds: float, n: int) -> float:
    return round(seconds / n * 1e6, 2)


def measure(n: int = N_CREDENCIAIS) -> dict:
    from sinesys_spiders.core.credenciais import CredenciaisService, NovaCredencial
    from sinesys_spiders.core.crypto import Cipher, credencial_aad, generate_key, sessao_aad
    from sinesys_spiders.core.db import make_engine, make_session_factory, session_scope
    from sinesys_spiders.core.db.migrate import upgrade
    from sinesys_spiders.core.db.models import Sessao
    from sinesys_spiders.core.db.repositories import AdvogadosRepository
    from sinesys_spiders.core.tribunais import get_registry

    cipher = Cipher.from_text(generate_key())
    aad = credencial_aad("00000000-0000-0000-0000-000000000000", "senha")
    start = time.perf_counter()
    blobs = [cipher.encrypt("uma-senha-de-tamanho-comum", aad=aad) for _ in range(N_CRYPTO)]
    encrypt = time.perf_counter() - start
    start = time.perf_counter()
    for blob in blobs:
        cipher.decrypt(blob, aad=aad)
    decrypt = time.perf_counter() - start

    folder = tempfile.mkdtemp(prefix="bench-cred-")
    url = os.environ.get("SINESYS_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with session_scope(factory=factory) as session:
        repo = AdvogadosRepository(session)
        advogados = [repo.add(nome_completo=f"A{i}", cpf=f"{i:011d}").id for i in range(1, n // 25 + 2)]
    service = CredenciaisService(factory, cipher, cache_ttl=300)
    pairs = [(e.tribunal, e.grau) for e in get_registry().endpoints()]
    novas = [
        NovaCredencial.from_values(
            advogado_id=advogados[i // len(pairs)],
            tribunal=pairs[i % len(pairs)][0],
            grau=pairs[i % len(pairs)][1],
            senha=f"senha-{i}",
            totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        )
        for i in range(n)
    ]
    start = time.perf_counter()
    ids = service.add_many(novas)
    add_many = time.perf_counter() - start
    with session_scope(factory=factory) as session:
        for credencial_id in ids:
            row = Sessao(credencial_id=credencial_id, dados_cifrados=b"x")
            session.add(row)
            session.flush()
            row.dados_cifrados = cipher.encrypt(b'{"cookies": {"access_token": "x"}}', aad=sessao_aad(row.uuid))

    start = time.perf_counter()
    for credencial_id in ids:
        service.get(credencial_id)
    get_uncached = time.perf_counter() - start
    start = time.perf_counter()
    for credencial_id in ids:
        service.get(credencial_id)
    get_cached = time.perf_counter() - start

    new = Cipher.from_text(generate_key())
    start = time.perf_counter()
    report = service.rotate_key(cipher, new)
    rotate = time.perf_counter() - start
    engine.dispose()
    return {
        "backend": url.split(":", 1)[0],
        "credenciais": n,
        "aes_gcm_encrypt_us": _per_op(encrypt, N_CRYPTO),
        "aes_gcm_decrypt_us": _per_op(decrypt, N_CRYPTO),
        "add_many_ms_per_credencial": round(add_many / n * 1e3, 3),
        "get_uncached_ms": round(get_uncached / n * 1e3, 3),
        "get_cached_us": _per_op(get_cached, n),
        "rotate_key_s": round(rotate, 3),
        "rotate_key_ms_per_row": round(rotate / (report.credenciais + report.sessoes) * 1e3, 3),
        "rotated": {"credenciais": report.credenciais, "sessoes": report.sessoes},
    }


def main(n: int = N_CREDENCIAIS) -> None:
    figures = {"python": platform.python_version(), "cpus": os.cpu_count(), **measure(n)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else N_CREDENCIAIS)
