"""A firm's daily cycle: (a) the existing system's design replayed, (b) ``combinada`` under the scheduler, (c) the
politeness lower bound. Wall time and logins of each, on one sandbox with a latency profile.

Set-up: ``--advogados`` lawyers (default 10), each with a credential at every tribunal of ``--tribunais`` (default
TRT3,TRT5,TRT9) in both graus; their cases in ``acervo`` (from the sandbox's ground truth); every API request of the
sandbox delayed uniformly in ``--latencia`` ms (default 150-400); TOTP steps of ``SINESYS_TEST_TOTP_PERIOD`` seconds
(3 by default: on a loaded machine a browser login may not submit a 3-second code in time, so 6 is safer); each
tribunal polite at 2 requests at once (``tribunais_config.opcoes``), on PostgreSQL. Every arm logs in as a real run
must: in Chromium, through the plugin's flow, with the production pauses (the real PJE has no plain HTTP login).

- (b) one ``combinada`` schedule per lawyer, due now; ``sinesys scheduler run --once`` dispatches them through the
  local runner (one crawl per lawyer at once); the cycle ends when the last capture ends. Its logins' durations are
  read from the crawls' logs.
- Then ``--amostra-logins`` browser logins one after another on the now idle machine: the login time of (a) and (c).
- (a) the existing design on the same requests (:mod:`benchmarks._existente`): credentials one after another, a
  login per capture type and filter (7 per credential), its pauses. With ``--a-logins navegador`` every one of its
  logins is a real browser login (about 7 x 60 x 13 s = 1.5 h more at the default scale); with ``medido`` (the
  default) the replay logs in over HTTP, and its wall time counts each login at the median browser login measured
  in the sample instead (the replay is strictly sequential, so the sum is exact up to that median).
- (c) per tribunal, the requests it served in (b) divided by its allowed concurrency, times the mean request time
  measured in (a) (one request at a time), plus one browser login per credential of a lawyer at that tribunal (1º
  then 2º grau, one after the other: they share a session); the busiest tribunal's figure.

Writes ``benchmarks/results/daily_cycle.json``. Run: ``python -m benchmarks.daily_cycle [--advogados N ...]``
(``python -m benchmarks daily_cycle`` runs the defaults).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select

from benchmarks._existente import Credencial, replay
from benchmarks._login_navegador import LoginNavegador
from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.credenciais_input import NovaCredencial
from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db.engine import make_engine, make_session_factory, session_scope
from sinesys_spiders.core.db.migrate import upgrade
from sinesys_spiders.core.db.models import CapturaLog, Processo
from sinesys_spiders.core.db.repositories import AdvogadosRepository, AgendamentosRepository, TribunaisConfigRepository
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.timeutil import utcnow
from sinesys_spiders.testing.postgres import start_postgres
from sinesys_spiders.testing.registros import casos_nomeados
from sinesys_spiders.testing.sandbox_fixtures import TEST_TOTP_PERIOD, SandboxClient, start_sandbox

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "daily_cycle.json"
GRAUS = ("primeiro_grau", "segundo_grau")
CONCORRENCIA = 2


def _preparar(sandbox: SandboxClient, url: str, key: str, advogados: int, tribunais: list[str]) -> dict[str, Any]:
    """Lawyers, credentials (every tribunal, both graus), overrides, acervo; the replay's credentials."""
    factory = make_session_factory(make_engine(url))
    service = CredenciaisService(factory, Cipher.from_text(key), cache_ttl=0)
    por_advogado: dict[int, list[int]] = {}
    replay_creds: list[Credencial] = []
    with session_scope(factory=factory) as session:
        for t in tribunais:
            for g in GRAUS:
                TribunaisConfigRepository(session).set_override(
                    tribunal=t, grau=g, base_url=sandbox.base_url(t), sso_url=sandbox.sso_url,
                    opcoes={"concurrency": CONCORRENCIA, "delay": 0.0},
                )  # fmt: skip
    for user in sandbox.users[:advogados]:
        with session_scope(factory=factory) as session:
            advogado_id = AdvogadosRepository(session).add(nome_completo=user.nome, cpf=user.cpf).id
        for t in tribunais:
            for g in GRAUS:
                cid = service.add(NovaCredencial(
                    advogado_id=advogado_id, tribunal=Tribunal(t), grau=Grau(g), senha=SecretStr(user.senha),
                    usuario=user.cpf, totp_secret=SecretStr(user.totp_secret)))  # fmt: skip
                por_advogado.setdefault(advogado_id, []).append(cid)
                bloco = sandbox.truth(tribunal=t, grau=g, cpf=user.cpf)["tribunais"][t][g][user.cpf]
                with session_scope(factory=factory) as session:
                    for lista, origem in (("acervo_geral", "acervo_geral"), ("arquivados", "arquivado")):
                        for caso in bloco[lista]:
                            session.add(
                                Processo(
                                    id_externo=caso["id_externo"],
                                    tribunal=t,
                                    grau=g,
                                    numero_processo=caso["numero_processo"],
                                    numero=caso["numero"],
                                    origem=origem,
                                    advogado_id=advogado_id,
                                    credencial_id=cid,
                                )
                            )
                casos = casos_nomeados(bloco)
                replay_creds.append(Credencial(user, t, g, tuple(sorted(casos)), cid))
    return {"factory": factory, "por_advogado": por_advogado, "replay": replay_creds}


_LOGIN = re.compile(r"credencial \d+: logged in at \S+ \S+ in ([0-9.]+) s")


def _logins_dos_logs(work: Path) -> list[float]:
    """Each login's duration in (b), from the crawls' logs (the session manager logs it)."""
    out: list[float] = []
    for log in (work / "var" / "logs" / "capturas").glob("*.log"):
        out += [float(x) for x in _LOGIN.findall(log.read_text(encoding="utf-8", errors="replace"))]
    return out


def _combinada(sandbox: SandboxClient, url: str, key: str, work: Path, prep: dict[str, Any]) -> dict[str, Any]:
    factory = prep["factory"]
    with session_scope(factory=factory) as session:
        repo = AgendamentosRepository(session)
        for advogado_id, ids in prep["por_advogado"].items():
            repo.add(tipo_captura="combinada", periodicidade="diario", advogado_id=advogado_id, credencial_ids=ids,
                     horario="06:00", proxima_execucao=utcnow() - dt.timedelta(seconds=1))  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
    env.update(SINESYS_DATABASE_URL=url, SINESYS_SECRET_KEY=key, SINESYS_VAR_DIR=str(work / "var"),
               SINESYS_RUNNER_LOCAL_MAX=str(len(prep["por_advogado"])))  # fmt: skip
    sandbox.reset_counters()
    inicio, t0 = utcnow(), time.monotonic()
    subprocess.run([sys.executable, "-m", "sinesys_spiders.cli", "scheduler", "run", "--once", "--runner", "local"],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)  # fmt: skip
    while True:
        with factory() as session:
            rows = session.scalars(select(CapturaLog).where(CapturaLog.created_at >= inicio)).all()
            if rows and all(r.status in ("completed", "failed", "cancelled") for r in rows):
                break
        if time.monotonic() - t0 > 7200:
            raise TimeoutError("the combined captures did not finish in 2 h")
        time.sleep(1.0)
    fim = max(r.concluido_em for r in rows if r.concluido_em)
    contadores = sandbox.counters()
    logins = _logins_dos_logs(work)
    return {
        "seconds": round((fim - inicio).total_seconds(), 1),
        "logins": sum(contadores["logins"].values()),
        "login_seconds_median": round(statistics.median(logins), 2) if logins else None,
        "login_seconds_max": round(max(logins), 2) if logins else None,
        "crawls_at_once": len(prep["por_advogado"]),
        "captures": {r.status: sum(x.status == r.status for x in rows) for r in rows},
        "requests_by_tribunal": dict(contadores.get("requests_by_tribunal", {})),
    }


def _existente(sandbox: SandboxClient, prep: dict[str, Any], navegador: LoginNavegador, modo: str) -> dict[str, Any]:
    """(a): the replay with browser logins (``navegador``), or with HTTP ones counted at the measured browser login."""
    sandbox.reset_counters()
    if modo == "navegador":
        a = replay(sandbox, prep["replay"], entrar=lambda c: navegador.entrar(c.credencial_id))
        a["login_mode"] = "browser, every login"
        return a
    a = replay(sandbox, prep["replay"])
    login_nav = navegador.mediana()
    a["seconds_replayed_with_http_logins"] = a["seconds"]
    a["seconds"] = round(a["seconds"] - a["login_seconds_total"] + a["logins"] * login_nav, 1)
    a["login_mode"] = "replayed with HTTP logins; each counted at the median browser login of the sample"
    a["login_seconds_total"] = round(a["logins"] * login_nav, 1)
    return a


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="daily_cycle")
    parser.add_argument("--advogados", type=int, default=10)
    parser.add_argument("--tribunais", default="TRT3,TRT5,TRT9")
    parser.add_argument("--scale", default="small")
    parser.add_argument("--latencia", default="150-400", help="min-max ms added to each API request")
    parser.add_argument("--amostra-logins", type=int, default=6, help="browser logins timed one after another")
    parser.add_argument("--a-logins", choices=("medido", "navegador"), default="medido",
                        help="(a): HTTP logins counted at the measured browser login, or browser logins")  # fmt: skip
    opts = parser.parse_args(argv or [])
    tribunais = [t.strip() for t in opts.tribunais.split(",")]
    lat_min, lat_max = (float(x) for x in opts.latencia.split("-"))
    with tempfile.TemporaryDirectory(prefix="daily-cycle-") as tmp:
        work = Path(tmp)
        server = start_postgres()
        try:
            url = server.create_database("daily_cycle")
            upgrade(url)
            key = generate_key()
            with start_sandbox(work / "sandbox", scale=opts.scale, users=opts.advogados, tribunais=opts.tribunais,
                               totp_period=TEST_TOTP_PERIOD) as sandbox:  # fmt: skip
                latencia_perfil = {"distribution": "uniform", "min_ms": lat_min, "max_ms": lat_max}
                sandbox.set_faults({"name": "daily-cycle", "seed": 1, "targets": ["api"], "latency": latencia_perfil})
                prep = _preparar(sandbox, url, key, opts.advogados, tribunais)
                b = _combinada(sandbox, url, key, work, prep)
                navegador = LoginNavegador(prep["factory"], Cipher.from_text(key))
                for c in prep["replay"][: opts.amostra_logins]:
                    navegador.entrar(c.credencial_id).close()
                amostra = list(navegador.segundos)
                a = _existente(sandbox, prep, navegador, opts.a_logins)
        finally:
            server.stop()
    login_nav = statistics.median(amostra)
    por_tribunal = b["requests_by_tribunal"]
    pedido = a["request_seconds_mean"]
    c = max(n / CONCORRENCIA * pedido + len(GRAUS) * login_nav for n in por_tribunal.values()) if por_tribunal else 0
    figures = {
        "benchmark": "daily_cycle",
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "setup": {
            "advogados": opts.advogados,
            "tribunais": tribunais,
            "graus": list(GRAUS),
            "scale": opts.scale,
            "credentials": len(prep["replay"]),
            "latency_ms": [lat_min, lat_max],
            "concurrency_per_tribunal": CONCORRENCIA,
            "database": "PostgreSQL",
            "login": "Chromium, the plugin's flow, production pauses (LoginTimeouts())",
            "totp_period_s": TEST_TOTP_PERIOD,
        },
        "browser_login_sample": {
            "seconds": [round(x, 2) for x in amostra],
            "median_s": round(login_nav, 2),
            "note": "one after another, after (b), before (a)",
        },
        "a_existing_design": a,
        "b_combinada_scheduler": b,
        "c_politeness_lower_bound": {
            "seconds": round(c, 1),
            "request_seconds_mean": pedido,
            "login_seconds": round(login_nav, 2),
            "busiest_tribunal_requests": max(por_tribunal.values()) if por_tribunal else 0,
        },
        "a_over_b": round(a["seconds"] / b["seconds"], 1) if b["seconds"] else None,
        "b_over_c": round(b["seconds"] / c, 2) if c else None,
        "aims": {"a_over_b_at_least": 10, "b_over_c_at_most": 1.3},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
