"""The demo's second half: the same captures through the REST API and the scheduler, as an operator runs them.

Only subprocesses and HTTP (a plugin may not import ``api`` or ``scheduler``):

1. ``sinesys api-keys create`` makes a service key (printed once, read from its stdout, never echoed);
2. ``sinesys api serve`` on a free loopback port; ``POST /api/captura/trt/acervo-geral`` starts a capture and
   ``GET /api/captura/historico/{id}`` is polled until it ends, as the frontend does;
3. ``sinesys agendamentos add`` creates a daily schedule for the next minute (Brasília), before the demo's first
   capture, and ``sinesys scheduler run``, started once the API's capture has ended, runs until that schedule has
   fired and its capture has ended (the schedule is usually due by then: no minute spent waiting for it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click
import httpx

from sinesys_spiders.core.domain import BRASILIA
from sinesys_spiders.core.processos import encerrar

__all__ = ["ResultadoServicos", "agendar", "pela_api", "pelo_agendador", "print_servicos"]

_CLI = [sys.executable, "-m", "sinesys_spiders.cli"]
_FIM = ("completed", "failed", "cancelled")


@dataclasses.dataclass
class ResultadoServicos:
    """What the API and the scheduler did, for the summary."""

    api_captura: int | None = None
    api_status: str | None = None
    api_porta: int | None = None
    agendamento: int | None = None
    agendado_para: str | None = None
    devido_em: dt.datetime | None = None
    agendamento_captura: int | None = None
    agendamento_status: str | None = None
    erros: list[str] = dataclasses.field(default_factory=list)


def _sinesys(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_CLI, *argv], env=env, capture_output=True, text=True, timeout=120, check=False)


def _porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _api(env: dict[str, str], var_dir: Path) -> Iterator[str]:
    porta = _porta_livre()
    click.echo(f"$ sinesys api serve --port {porta}")
    with (var_dir / "api.log").open("w") as log:
        proc = subprocess.Popen([*_CLI, "api", "serve", "--port", str(porta)], env=env, stdout=log,
                                stderr=subprocess.STDOUT)  # fmt: skip
        base = f"http://127.0.0.1:{porta}"
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                        break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise click.ClickException(f"a API não iniciou: veja {var_dir / 'api.log'}")
                time.sleep(0.3)
            yield base
        finally:
            encerrar(proc, 20)


def pela_api(env: dict[str, str], var_dir: Path, advogado_id: int, credencial: int, out: ResultadoServicos) -> None:
    """A service key, the API on a free port, one acervo_geral started over HTTP and polled until it ends."""
    click.echo("$ sinesys api-keys create --nome demo --escopos captura")
    criada = _sinesys(env, "api-keys", "create", "--nome", "demo", "--escopos", "captura")
    if criada.returncode != 0:
        out.erros.append(f"api-keys create: {criada.stderr.strip()[-300:]}")
        return
    chave = criada.stdout.strip().splitlines()[0]
    with _api(env, var_dir) as base, httpx.Client(base_url=base, headers={"x-service-api-key": chave},
                                                  timeout=30) as client:  # fmt: skip
        out.api_porta = int(base.rsplit(":", 1)[1])
        corpo = {"advogado_id": advogado_id, "credencial_ids": [credencial]}
        click.echo(f"$ POST {base}/api/captura/trt/acervo-geral {corpo}")
        iniciada = client.post("/api/captura/trt/acervo-geral", json=corpo)
        if iniciada.status_code != 200:
            out.erros.append(f"POST acervo-geral: HTTP {iniciada.status_code} {iniciada.text[:300]}")
            return
        out.api_captura = int(iniciada.json()["capture_id"])
        started, deadline = time.monotonic(), time.monotonic() + 300
        while True:
            captura = client.get(f"/api/captura/historico/{out.api_captura}").json()["data"]
            if captura["status"] in _FIM or time.monotonic() > deadline:
                break
            time.sleep(1)
        out.api_status = captura["status"]
        click.echo(f"  ... GET historico/{out.api_captura}: {out.api_status} in {time.monotonic() - started:.1f} s")


def _proximo_minuto() -> dt.datetime:
    agora = dt.datetime.now(BRASILIA)
    alvo = agora.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return alvo if (alvo - agora).total_seconds() >= 5 else alvo + dt.timedelta(minutes=1)


def _captura_do_agendamento(agendamento: int) -> int | None:
    """The capture the schedule's first run dispatched (read from the database, as the summary is)."""
    from sqlalchemy import select

    from sinesys_spiders.core.db import session_scope
    from sinesys_spiders.core.db.models import AgendamentoExecucao

    with session_scope() as session:
        query = select(AgendamentoExecucao.captura_id).where(
            AgendamentoExecucao.agendamento_id == agendamento, AgendamentoExecucao.captura_id.is_not(None)
        )
        return session.scalars(query).first()


def _status(captura_id: int) -> str:
    from sinesys_spiders.core.capturas_jobs import ServicoCapturas

    return ServicoCapturas.from_settings().obter(captura_id).status.value


def agendar(env: dict[str, str], advogado_id: int, credenciais: list[int], out: ResultadoServicos) -> None:
    """A daily pendentes schedule due at the next minute (:func:`pelo_agendador` runs the scheduler later)."""
    alvo = _proximo_minuto()
    horario = f"{alvo:%H:%M}"
    argv = ["agendamentos", "add", "--advogado", str(advogado_id), "--tipo-captura", "pendentes", "--credenciais",
            ",".join(map(str, credenciais)), "--periodicidade", "diario", "--horario", horario]  # fmt: skip
    click.echo("$ sinesys " + " ".join(argv))
    criado = _sinesys(env, *argv)
    if criado.returncode != 0:
        out.erros.append(f"agendamentos add: {criado.stderr.strip()[-300:]}")
        return
    out.agendamento, out.agendado_para, out.devido_em = int(criado.stdout.split()[0]), horario, alvo


def pelo_agendador(env: dict[str, str], var_dir: Path, out: ResultadoServicos) -> None:
    """The scheduler runs until the schedule :func:`agendar` made fires and its capture ends."""
    if out.agendamento is None or out.devido_em is None:
        return
    horario = out.agendado_para
    espera = max(0.0, (out.devido_em - dt.datetime.now(BRASILIA)).total_seconds())
    click.echo(f"$ sinesys scheduler run --intervalo 2   (schedule {out.agendamento} due {horario}, in {espera:.0f} s)")
    with (var_dir / "scheduler.log").open("w") as log:
        proc = subprocess.Popen([*_CLI, "scheduler", "run", "--intervalo", "2"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)  # fmt: skip
        try:
            started, deadline = time.monotonic(), time.monotonic() + espera + 300
            while time.monotonic() < deadline and proc.poll() is None:
                time.sleep(2)
                if out.agendamento_captura is None:
                    out.agendamento_captura = _captura_do_agendamento(out.agendamento)
                    continue
                out.agendamento_status = _status(out.agendamento_captura)
                if out.agendamento_status in _FIM:
                    break
        finally:
            encerrar(proc, 20)
    if out.agendamento_captura is None:
        out.erros.append(f"o agendamento {out.agendamento} não disparou (veja {var_dir / 'scheduler.log'})")
        return
    click.echo(f"  ... schedule {out.agendamento} fired: capture {out.agendamento_captura} "
               f"{out.agendamento_status} after {time.monotonic() - started:.1f} s")  # fmt: skip


def print_servicos(out: ResultadoServicos) -> None:
    """The summary's last part: the capture asked over HTTP and the one the schedule fired."""
    click.echo("\nAPI e agendador")
    if out.api_captura is not None:
        click.echo(f"  API (porta {out.api_porta}, chave de serviço 'demo'): POST /api/captura/trt/acervo-geral -> "
                   f"captura {out.api_captura}, {out.api_status}")  # fmt: skip
    if out.agendamento is not None:
        disparo = f"captura {out.agendamento_captura}, {out.agendamento_status}" if out.agendamento_captura else (
            "não disparou")  # fmt: skip
        click.echo(f"  agendamento {out.agendamento} (pendentes, diário às {out.agendado_para}): {disparo}")
    for erro in out.erros:
        click.echo(f"  falhou: {erro}")
