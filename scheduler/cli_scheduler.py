"""``sinesys scheduler run``: the long-running scheduler process (any number on PostgreSQL, one on SQLite).

Stops gracefully on SIGTERM or Ctrl-C: the pass in progress finishes (a claimed run is dispatched or left to its
lease), then the process exits 0. Contributed to ``sinesys`` through the ``sinesys.commands`` entry point.
"""

from __future__ import annotations

import functools
import logging
import signal
import sys
import threading
from typing import Any

import click

from scheduler.agendamentos.agendador import Agendador, Passo
from scheduler.agendamentos.despacho import despachar_captura
from scheduler.agendamentos.retentativas import PoliticaRetentativas
from scheduler.capturas import despachar_pendentes
from sinesys_spiders.cli._common import fail
from sinesys_spiders.cli._inputs import OneLineGroup, session_factory
from sinesys_spiders.core.config import get_settings
from sinesys_spiders.core.errors import LockOcupado

__all__ = ["scheduler"]

logger = logging.getLogger("scheduler")


@click.group("scheduler", cls=OneLineGroup)
def scheduler() -> None:
    """The process that dispatches due schedules as capture jobs."""


@scheduler.command("run")
@click.option(
    "--intervalo", type=click.FloatRange(min=0.1), default=5.0, show_default=True, help="Seconds between passes."
)
@click.option(
    "--lease",
    type=click.FloatRange(min=1.0),
    default=120.0,
    show_default=True,
    help="Seconds a claimed run stays this scheduler's before another may take it.",
)
@click.option(
    "--lote", type=click.IntRange(min=1, max=500), default=20, show_default=True, help="Runs claimed per transaction."
)
@click.option("--runner", default=None, help="Runner of the capture jobs (default: the configured one).")
@click.option(
    "--tentativas",
    type=click.IntRange(min=1, max=10),
    default=3,
    show_default=True,
    help="Attempts per run for credentials failing with transient errors.",
)
@click.option("--once", is_flag=True, help="One pass, then exit.")
def run(intervalo: float, lease: float, lote: int, runner: str | None, tentativas: int, once: bool) -> None:
    """Dispatch due schedules until SIGTERM (or Ctrl-C)."""  # fmt: skip
    if not logging.getLogger().handlers or logging.getLogger().level > logging.INFO:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                            stream=sys.stderr, force=True)  # fmt: skip
    agendador = Agendador(
        session_factory(),
        despachar=functools.partial(despachar_captura, runner=runner),
        lease=lease,
        intervalo=intervalo,
        lote=lote,
        politica=PoliticaRetentativas(tentativas=tentativas),
        manutencao=functools.partial(despachar_pendentes, get_settings()),
    )
    parar = threading.Event()

    def _sinal(signum: int, _frame: Any) -> None:
        logger.info("scheduler %s: sinal %s recebido; encerrando após o passo atual", agendador.dono, signum)
        parar.set()

    signal.signal(signal.SIGTERM, _sinal)
    signal.signal(signal.SIGINT, _sinal)
    if once:
        parar.set()
        agendador.intervalo = 0.0

    def _log(passo: Passo) -> None:
        if passo.criadas or passo.despachadas or passo.falhas or passo.retentativas:
            logger.info(
                "scheduler %s: %s execuções criadas, %s despachadas, %s falhas, %s novas tentativas",
                agendador.dono, passo.criadas, passo.despachadas, passo.falhas, passo.retentativas,
            )  # fmt: skip

    logger.info("scheduler %s: em execução (passo a cada %.1f s, lease %.0f s)", agendador.dono, intervalo, lease)
    try:
        if once:
            try:
                _log(agendador.passo())
            finally:
                agendador.fechar()
        else:
            agendador.rodar(parar, ao_passar=_log)
    except LockOcupado as exc:
        fail(exc.message, code=1)
    logger.info("scheduler %s: encerrado", agendador.dono)
