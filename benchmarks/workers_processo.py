"""Workers on one per-case capture: throughput of a ``partes`` capture with 1 and with 2 workers.

One run, everything real, as :mod:`benchmarks.workers` (a private PostgreSQL cluster, a ``redis-server``, the sandbox
with a fixed API latency, the local runner, PJE-TRT's politeness of ``CONCORRENCIA`` requests at once per tribunal
and worker). Steps:

1. ``acervo_geral`` of the lawyer at ``--tribunais`` (one worker, no latency): the cases;
2. the latency profile on (``--latencia`` ms), then ``partes`` of the first ``--casos`` cases (``processos=...``,
   ``horas_para_recaptura=0``: every one captured again), with ``--workers 1`` and ``--workers 2`` alternated
   (``--rodadas`` rounds): wall time from ``iniciar`` to the capture's end, cases per second, and the sandbox's
   ``/partes`` answers (each case once: no request fetched twice).

The ratio is 2 workers' median throughput over 1 worker's, in the same run (the issue's aim: ≥ 1.7), from ``iniciar``
(process start-up and the last worker's wait are part of it) and from the capture's first API request.

Writes ``benchmarks/results/workers_processo.json``. Run: ``python -m benchmarks workers_processo`` (defaults), or
``python -m benchmarks.workers_processo --casos 300 --rodadas 1``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

from benchmarks.workers import CONCORRENCIA, _pedidos, ambiente, cabecalho, medianas, razoes

RESULTS = Path(__file__).parent / "results" / "workers_processo.json"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks workers_processo")
    parser.add_argument("--latencia", type=float, default=300.0, help="ms per API answer (fixed)")
    parser.add_argument("--rodadas", type=int, default=1, help="rounds of (1 worker, 2 workers)")
    parser.add_argument("--escala", default="large", help="sandbox scale (the first lawyer carries it)")
    parser.add_argument("--tribunais", default="TRT3", help="the lawyer's credentials, one per tribunal (1º grau)")
    parser.add_argument("--casos", type=int, default=600, help="cases per capture (the first of the acervo)")
    opts = parser.parse_args(argv or [])
    tribunais = [t.strip() for t in opts.tribunais.split(",") if t.strip()]
    carga_antes = os.getloadavg()

    with ambiente("bench_workers_processo", opts.escala, tribunais) as (sandbox, url, _, credenciais):
        acervo = _capturar(sandbox, credenciais, "acervo_geral", {}, workers=1)
        assert acervo["status"] == "completed", acervo
        processos = ",".join(str(i) for i in _primeiros(url, opts.casos))
        parametros = {"processos": processos, "horas_para_recaptura": 0}
        sandbox.set_faults({"name": "bench-workers-processo", "seed": 1, "targets": ["api"],
                            "latency": {"distribution": "fixed", "ms": opts.latencia}})  # fmt: skip
        corridas: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
        for _ in range(opts.rodadas):
            for workers in (1, 2):
                corridas[workers].append(_capturar(sandbox, credenciais, "partes", parametros, workers=workers))

    def resumo(runs: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            **{k: [r[k] for r in runs] for k in ("wall_s", "crawl_s", "cases", "partes_answers", "status")},
            **medianas(runs),
        }

    um, dois = resumo(corridas[1]), resumo(corridas[2])
    out = {
        "benchmark": "workers_processo",
        "what": f"partes of {opts.casos} cases of one lawyer at {','.join(tribunais)} ({opts.escala} scale), I/O bound "
        "by a fixed API latency: cases/s with 1 and 2 workers (local runner, sessions stored)",
        **cabecalho(carga_antes),
        "latency_ms": opts.latencia,
        "concurrency_per_tribunal_and_worker": CONCORRENCIA,
        "one_worker": um,
        "two_workers": dois,
        **razoes(um, dois),
        "aims": {"speedup_two_workers": 1.7},
    }
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))


def _partes(sandbox: Any) -> int:
    """The sandbox's ``/partes`` answers so far."""
    return sum(sum(s.values()) for k, s in sandbox.counters()["requests"].items() if k.endswith("/partes"))


def _capturar(sandbox: Any, credenciais: list[int], tipo: str, parametros: dict[str, Any], *, workers: int
              ) -> dict[str, Any]:  # fmt: skip
    """One capture through the local runner, timed from ``iniciar`` (and from its first API request) to its end."""
    from scheduler.capturas import iniciar_captura
    from sinesys_spiders.core.capturas_jobs import ServicoCapturas
    from sinesys_spiders.core.config import Settings

    settings = Settings()
    servico = ServicoCapturas.from_settings(settings)
    antes, partes = _pedidos(sandbox), _partes(sandbox)
    primeiro: float | None = None
    t0 = time.monotonic()
    captura_id = iniciar_captura(
        settings, tipo, advogado_id=None, credencial_ids=credenciais,
        parametros={**parametros, **({"workers": workers} if workers > 1 else {})}, origem="cli",
        solicitante="benchmark", runner="local",
    )  # fmt: skip
    while not (captura := servico.obter(captura_id)).terminada:
        if time.monotonic() - t0 > 3600:
            raise TimeoutError(f"captura {captura_id} did not end")
        if primeiro is None and _pedidos(sandbox) > antes:
            primeiro = time.monotonic()
        time.sleep(0.2)
    fim = time.monotonic()
    casos = sum(int(r.get("resultado", {}).get("processos_capturados", 0)) for r in captura.resultados)
    return {
        "wall_s": round(fim - t0, 2),
        "crawl_s": round(fim - (primeiro or t0), 2),
        "cases": casos,
        "partes_answers": _partes(sandbox) - partes,
        "status": captura.status.value,
        "captura_id": captura_id,
    }


def _primeiros(url: str, n: int) -> list[int]:
    from sqlalchemy import select

    from sinesys_spiders.core.db.engine import get_session_factory
    from sinesys_spiders.core.db.models import Processo

    with get_session_factory(url)() as session:
        return list(session.scalars(select(Processo.id).order_by(Processo.id).limit(n)))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
