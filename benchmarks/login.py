"""Login cost on the sandbox: time to a usable session, and logins per full daily cycle.

1. Login time, from browser start to a usable session: ``SessionManager.get`` on an empty store
   (Chromium launched, login.seam, SSO form, OTP, cookies read, session encrypted and stored), then
   one REST call with the session's cookies to prove it usable. Several runs, each with a fresh
   sandbox user (so no run waits for an unused TOTP step); median, min and max. Measured twice:
   without the human-like pauses (``LoginTimeouts.fast()``) and with the production defaults
   (2 s pauses between steps, as the real flow waits).
2. Logins per full daily cycle: the six capture types for two credentials, each capture run as a new
   session manager (as a new Scrapy process would be) on the same database. Logins are counted by
   the sandbox. The existing system's design logs in once per capture type and per deadline filter:
   7 per credential (``pendentes`` runs twice, N and I; pje-api.md §6).

Writes ``benchmarks/results/login.json``. Run: ``python -m benchmarks login``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from sinesys_spiders.core.browser import resolve_browser
from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.credenciais_input import NovaCredencial
from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db.engine import make_engine, make_session_factory, session_scope
from sinesys_spiders.core.db.migrate import upgrade
from sinesys_spiders.core.db.repositories.advogados import AdvogadosRepository
from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.endpoints import EndpointResolver
from sinesys_spiders.core.locks import SqlLockBackend
from sinesys_spiders.core.sessions import SqlSessionStore
from sinesys_spiders.core.tribunais import LoginTimeouts, get_registry
from sinesys_spiders.login.manager import SessionManager
from sinesys_spiders.testing.sandbox_fixtures import DemoUser, SandboxClient, start_sandbox

RESULTS = Path(__file__).parent / "results" / "login.json"
RUNS_FAST = 5
RUNS_DEFAULT = 2
TRIBUNAL = Tribunal("TRT3")
GRAU = Grau.PRIMEIRO_GRAU
#: The existing system: one login per capture type and per deadline filter (pendentes: N and I).
EXISTING_LOGINS_PER_CREDENTIAL = 7  # six capture types, pendentes twice (pje-api.md §6)


class _Bench:
    def __init__(self, sandbox: SandboxClient, url: str) -> None:
        self.sandbox = sandbox
        engine = make_engine(url)
        self.factory = make_session_factory(engine)
        self.cipher = Cipher.from_text(generate_key())
        self.service = CredenciaisService(self.factory, self.cipher)
        self.store = SqlSessionStore(self.factory, self.cipher)
        self.locks = SqlLockBackend(self.factory)
        self.registry = get_registry()
        self.browser = resolve_browser(Settings())
        with session_scope(factory=self.factory) as session:
            TribunaisConfigRepository(session).set_override(
                tribunal=TRIBUNAL, grau=GRAU, base_url=sandbox.base_url(TRIBUNAL), sso_url=sandbox.sso_url
            )

    def credencial(self, user: DemoUser) -> int:
        with session_scope(factory=self.factory) as session:
            advogado_id = AdvogadosRepository(session).add(nome_completo=user.nome, cpf=user.cpf).id
        return self.service.add(
            NovaCredencial(
                advogado_id=advogado_id,
                tribunal=TRIBUNAL,
                grau=GRAU,
                senha=SecretStr(user.senha),
                usuario=user.cpf,
                totp_secret=SecretStr(user.totp_secret),
            )
        )

    def manager(self, timeouts: LoginTimeouts) -> SessionManager:
        return SessionManager(
            store=self.store,
            locks=self.locks,
            credenciais=self.service.get,
            registry=self.registry,
            endpoint_for=lambda t, g: EndpointResolver(self.factory, self.registry).get(t, g).endpoint,
            browser=self.browser,
            timeouts=timeouts,
        )

    async def usable(self, manager: SessionManager, credencial_id: int) -> float:
        """Seconds from browser start to a session the REST API accepts."""
        started = time.perf_counter()
        sessao = await manager.get(credencial_id)
        cookies = {c["name"]: c["value"] for c in sessao.cookies_for()}
        url = f"{self.sandbox.api_url(TRIBUNAL)}/paineladvogado/{sessao.id_advogado}/totalizadores"
        async with httpx.AsyncClient(cookies=cookies, timeout=30) as client:
            response = await client.get(url, params={"tipoPainelAdvogado": 0})
        response.raise_for_status()
        return time.perf_counter() - started

    def logins(self, users: list[DemoUser]) -> int:
        table = self.sandbox.counters()["logins"]
        return sum(int(table.get(f"***.{u.cpf[3:6]}.{u.cpf[6:9]}-**", 0)) for u in users)


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(values), 3),
        "min_s": round(min(values), 3),
        "max_s": round(max(values), 3),
        "runs": len(values),
    }


async def _measure(bench: _Bench) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for label, timeouts, runs in (
        ("sem_pausas", LoginTimeouts.fast(), RUNS_FAST),
        ("pausas_de_producao", LoginTimeouts(), RUNS_DEFAULT),
    ):
        times = []
        for _ in range(runs):
            user = bench.sandbox.take_user()
            credencial_id = bench.credencial(user)
            times.append(await bench.usable(bench.manager(timeouts), credencial_id))
        out[label] = _summary(times)

    users = [bench.sandbox.take_user() for _ in range(2)]
    ids = [bench.credencial(user) for user in users]
    before = bench.logins(users)
    runs = 0
    # pendentes twice, like the existing design (combinada is ours: not part of it)
    for _tipo in [*(t for t in TipoCaptura if t is not TipoCaptura.COMBINADA), "pendentes_sem_prazo"]:
        for credencial_id in ids:
            await bench.usable(bench.manager(LoginTimeouts.fast()), credencial_id)  # a new process each time
            runs += 1
    ours = bench.logins(users) - before
    out["ciclo_diario"] = {
        "credenciais": len(ids),
        "execucoes_de_spider": runs,
        "logins_medidos": ours,
        "logins_por_credencial": ours / len(ids),
        "logins_por_credencial_sistema_existente": EXISTING_LOGINS_PER_CREDENTIAL,
        "logins_sistema_existente": EXISTING_LOGINS_PER_CREDENTIAL * len(ids),
    }
    return out


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-login-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.db'}"
        upgrade(url)
        with start_sandbox(folder / "sandbox", users=RUNS_FAST + RUNS_DEFAULT + 2) as sandbox:
            figures = asyncio.run(_measure(_Bench(sandbox, url)))
    result = {
        "benchmark": "login",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "tribunal": f"{TRIBUNAL.value} {GRAU.value} (sandbox)",
        "login_ate_sessao_utilizavel": {k: v for k, v in figures.items() if k != "ciclo_diario"},
        "ciclo_diario": figures["ciclo_diario"],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
