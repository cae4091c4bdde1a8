"""Time and peak memory to generate the sandbox world at each scale.

Each scale runs in a fresh interpreter (so peak RSS is that scale's own) and measures: ``World.generate`` (lazy),
materializing every carteira (all cases, expedientes and hearings of every lawyer, tribunal and grau), building the
full list-capture truth, and the per-case lazy parts (parties and timeline) for a sample of cases. A baseline in
the same run (building as many small dicts from a seeded RNG as there are cases) turns times into ratios that mean
something on a noisy shared machine. Writes ``benchmarks/results/sandbox_generation.json``.

Run: ``python -m benchmarks sandbox_generation`` (or ``python benchmarks/sandbox_generation.py [SCALE ...]``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "sandbox_generation.json"
SCALES = ("tiny", "small", "firm", "large")
SEED = 42
USERS = 2
TODAY = dt.date(2026, 11, 24)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _baseline(n: int) -> float:
    """Seconds to build ``n`` small dicts from a seeded RNG: the machine's speed for this kind of work."""
    start = time.perf_counter()
    rng = random.Random(SEED)
    rows = [{"id": i, "a": rng.random(), "b": rng.randrange(10**7), "c": str(rng.random())} for i in range(n)]
    elapsed = time.perf_counter() - start
    del rows
    return elapsed


def measure(scale: str) -> dict:
    """Measure one scale in this process."""
    from plugins.pje_trt.sandbox.world import World

    rss_before = _rss_mb()
    t0 = time.perf_counter()
    world = World.generate(seed=SEED, scale=scale, users=USERS, today=TODAY)
    t1 = time.perf_counter()
    cases = world.materialize()
    t2 = time.perf_counter()
    rss_world = _rss_mb() - rss_before
    truth = world.truth()
    t3 = time.perf_counter()
    truth_bytes = len(json.dumps(truth, ensure_ascii=False))
    rows = sum(
        len(b["acervo_geral"]) + len(b["arquivados"]) + sum(len(v) for v in b["pendentes"].values())
        for graus in truth["tribunais"].values()
        for por_cpf in graus.values()
        for b in por_cpf.values()
    )
    del truth
    main = world.users[0]
    sample = [r["id"] for r in world.painel("TRT3", "primeiro_grau", main.ids_advogado["TRT3"], 1)[:200]]
    t4 = time.perf_counter()
    for case in sample:
        world.partes("TRT3", "primeiro_grau", case)
        world.timeline("TRT3", "primeiro_grau", case)
    t5 = time.perf_counter()
    generation = t2 - t0
    baseline = _baseline(cases)
    return {
        "scale": scale,
        "users": USERS,
        "cases": cases,
        "truth_rows": rows,
        "truth_json_mb": round(truth_bytes / 2**20, 2),
        "generate_s": round(t1 - t0, 4),
        "materialize_s": round(t2 - t1, 3),
        "generation_total_s": round(generation, 3),
        "truth_s": round(t3 - t2, 3),
        "cases_per_s": round(cases / generation) if generation else None,
        "per_case_partes_timeline_ms": round((t5 - t4) / max(1, len(sample)) * 1000, 3),
        "baseline_same_count_dicts_s": round(baseline, 4),
        "generation_vs_baseline": round(generation / baseline, 1) if baseline else None,
        "peak_rss_mb": round(_rss_mb(), 1),
        "world_rss_growth_mb": round(rss_world, 1),
        "peak_rss_growth_with_truth_mb": round(_rss_mb() - rss_before, 1),
    }


def main(scales: list[str] | None = None) -> dict:
    """Measure each scale in a child interpreter and write the results file."""
    figures = []
    for scale in scales or SCALES:
        out = subprocess.run(
            [sys.executable, __file__, "--one", scale],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{scale:>6}: {result['cases']:>7} cases in {result['generation_total_s']:.2f} s "
            f"({result['generation_vs_baseline']}x baseline), truth {result['truth_s']:.2f} s, "
            f"peak RSS {result['peak_rss_mb']} MB",
            flush=True,
        )
        figures.append(result)
    data = {
        "benchmark": "sandbox_generation",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "seed": SEED,
        "scales": figures,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        print(json.dumps(measure(sys.argv[2])))
    else:
        main(sys.argv[1:] or None)
