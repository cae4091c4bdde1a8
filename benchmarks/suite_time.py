"""How long the whole test suite takes, where the time goes, and its slowest tests.

Runs the suite as ``scripts/test.sh`` does (pytest-xdist workers taking whole files, services required) and
records: wall time, CPU time of pytest and everything it started (workers, crawls, sandboxes, Chromium,
PostgreSQL), the outcome counts, the load average before and after (a busy machine inflates wall time, not
CPU time), the time per test file (the longest file bounds the wall time of a ``--dist loadfile`` run) and
the slowest tests. The issue-18 target: under 15 minutes on 2 cores for ``.ci/run``.

Writes ``benchmarks/results/suite_time.json`` and, from a run where every test passed, ``tests/duracoes.json`` (the
seconds of each file of 3 s or more, which ``tests/conftest.py`` hands out longest first). Run:
``python -m benchmarks suite_time`` (a full suite run, tens of minutes); ``SINESYS_TEST_WORKERS`` sets the workers
as for ``scripts/test.sh``.
"""

from __future__ import annotations

import collections
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results" / "suite_time.json"
DURACOES = ROOT / "tests" / "duracoes.json"


def _workers() -> str:
    return os.environ.get("SINESYS_TEST_WORKERS") or str(max(3, len(os.sched_getaffinity(0)) + 1))


def _arquivo(classname: str) -> str:
    """The test file of a JUnit ``classname`` (``tests.x.test_y`` or ``tests.x.test_y.TestClass``)."""
    partes = classname.split(".")
    for n in range(len(partes), 0, -1):
        path = "/".join(partes[:n]) + ".py"
        if (ROOT / path).exists():
            return path
    return classname.replace(".", "/") + ".py"


def _cases(report: Path) -> list[dict[str, Any]]:
    cases = []
    for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = child.tag
        path = case.get("file") or _arquivo(case.get("classname", ""))
        cases.append(
            {"id": f"{path}::{case.get('name')}", "file": path, "s": float(case.get("time", 0)), "outcome": outcome}
        )
    return cases


def main() -> None:
    workers = _workers()
    env = {**os.environ, "SINESYS_TEST_REQUIRE_SERVICES": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as scripts/test.sh: bytecode cached during the run
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"]
        command += ["-n", workers, "--dist", "loadfile", "--no-loadscope-reorder"]
        load_before = os.getloadavg()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        result = subprocess.run(command, cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL)
        wall = time.monotonic() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cases = _cases(report) if report.exists() else []
    per_file: dict[str, float] = collections.defaultdict(float)
    for case in cases:
        per_file[case["file"]] += case["s"]
    figures = {
        "python": platform.python_version(),
        "cpus": len(os.sched_getaffinity(0)),
        "workers": int(workers),
        "exit_status": result.returncode,
        "wall_s": round(wall, 1),
        "cpu_s": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 1),
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "tests": dict(collections.Counter(case["outcome"] for case in cases)),
        "slowest_files_s": dict(sorted(((f, round(s, 1)) for f, s in per_file.items()), key=lambda x: -x[1])[:15]),
        "slowest_tests_s": {c["id"]: round(c["s"], 1) for c in sorted(cases, key=lambda c: -c["s"])[:20]},
    }
    if result.returncode == 0:
        duracoes = {f: round(s) for f, s in sorted(per_file.items(), key=lambda x: -x[1]) if s >= 3}
        DURACOES.write_text(json.dumps(duracoes, indent=1) + "\n", encoding="utf-8")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({k: figures[k] for k in ("workers", "wall_s", "cpu_s", "tests")}))


if __name__ == "__main__":
    main()
