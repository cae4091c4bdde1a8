"""A firm's daily cycle with the real spiders: logins and time for the six capture types, two credentials.

Runs, as an operator would, ``scrapy crawl`` of ``acervo_geral``, ``arquivados``, ``pendentes``, ``audiencias``,
``partes`` and ``timeline`` (each a new Scrapy process) for two credentials of one lawyer on two tribunals, against
the sandbox, on a fresh SQLite database. The sandbox counts the logins. The existing system's design logs in once
per capture type and per deadline filter: 7 per credential (pje-api.md §6), 14 for this cycle.

Writes ``benchmarks/results/daily_cycle.json``. Run: ``python -m benchmarks daily_cycle``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.credenciais_input import NovaCredencial
from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db.engine import make_engine, make_session_factory, session_scope
from sinesys_spiders.core.db.migrate import upgrade
from sinesys_spiders.core.db.repositories import AdvogadosRepository, TribunaisConfigRepository
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.testing.sandbox_fixtures import start_sandbox

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "daily_cycle.json"
SPIDERS = ("acervo_geral", "arquivados", "pendentes", "audiencias", "partes", "timeline")
ONDE = (("TRT3", "primeiro_grau"), ("TRT5", "primeiro_grau"))
EXISTING_SYSTEM_LOGINS_PER_CREDENTIAL = 7


def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="daily-cycle-") as tmp:
        work = Path(tmp)
        with start_sandbox(work / "sandbox", scale="small", users=2, tribunais="TRT3,TRT5") as sandbox:
            url = f"sqlite:///{work / 'sinesys.db'}"
            upgrade(url)
            key = generate_key()
            factory = make_session_factory(make_engine(url))
            user = sandbox.users[0]
            with session_scope(factory=factory) as session:
                advogado_id = AdvogadosRepository(session).add(nome_completo=user.nome, cpf=user.cpf).id
                for tribunal, grau in ONDE:
                    TribunaisConfigRepository(session).set_override(
                        tribunal=tribunal, grau=grau, base_url=sandbox.base_url(tribunal), sso_url=sandbox.sso_url
                    )
            service = CredenciaisService(factory, Cipher.from_text(key), cache_ttl=0)
            ids = [
                service.add(
                    NovaCredencial(
                        advogado_id=advogado_id, tribunal=Tribunal(t), grau=Grau(g), senha=SecretStr(user.senha),
                        usuario=user.cpf, totp_secret=SecretStr(user.totp_secret),
                    )
                )
                for t, g in ONDE
            ]  # fmt: skip
            env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
            env.update(SINESYS_DATABASE_URL=url, SINESYS_SECRET_KEY=key, SINESYS_VAR_DIR=str(work / "var"))
            sandbox.reset_counters()
            runs = []
            started = time.monotonic()
            for spider in SPIDERS:
                t0 = time.monotonic()
                proc = subprocess.run(
                    [sys.executable, "-m", "scrapy", "crawl", spider, "-a", "credenciais=" + ",".join(map(str, ids)),
                     "-s", "LOG_LEVEL=WARNING"],
                    cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False,
                )  # fmt: skip
                logins = sum(sandbox.counters()["logins"].values())
                runs.append(
                    {"spider": spider, "exit": proc.returncode, "seconds": round(time.monotonic() - t0, 2),
                     "logins_so_far": logins}
                )  # fmt: skip
            total_logins = sum(sandbox.counters()["logins"].values())
    figures = {
        "benchmark": "daily_cycle",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "setup": {
            "sandbox": "scale small, seed 42",
            "credentials": [f"{t} {g}" for t, g in ONDE],
            "database": "SQLite",
        },
        "runs": runs,
        "cycle_seconds": round(time.monotonic() - started, 2),
        "logins": total_logins,
        "logins_per_credential": total_logins / len(ONDE),
        "existing_system_logins": EXISTING_SYSTEM_LOGINS_PER_CREDENTIAL * len(ONDE),
        "ratio_existing_over_ours": round(EXISTING_SYSTEM_LOGINS_PER_CREDENTIAL * len(ONDE) / max(total_logins, 1), 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
