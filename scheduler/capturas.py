"""Start and cancel captures: the facade the CLI, the API and the scheduler call.

``iniciar_captura`` validates the request (type, spider options, lawyer and credential ids, runner), creates the
capture (``pending``), hands it to a runner and returns its id at once; when the runner has no free slot the capture
stays ``pending`` with the reason, and :func:`despachar_pendentes` (called by every ``iniciar_captura``, by
``sinesys capturas`` and by the scheduler's loop) starts it later. Every entry point first reaps captures whose
crawl died (:meth:`ServicoCapturas.reap`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from scheduler.runners import EstadoJob, JobRef, Runner, RunnerIndisponivel, open_runner
from sinesys_spiders.core.capturas_jobs import CAPTURA_INTERROMPIDA, RESERVADO, Captura, Origem, ServicoCapturas
from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.domain import StatusCaptura
from sinesys_spiders.core.errors import EntradaInvalida
from sinesys_spiders.core.timeutil import utcnow
from sinesys_spiders.core.tribunais import get_registry
from sinesys_spiders.params import describe_validation_error, modelo_parametros

__all__ = ["cancelar_captura", "despachar_pendentes", "iniciar_captura", "validar_parametros"]

logger = logging.getLogger(__name__)


def validar_parametros(
    tipo_captura: str, *, advogado_id: int | None, credencial_ids: Iterable[int], parametros: Mapping[str, Any]
) -> dict[str, Any]:
    """The spider options as the spider will read them (JSON values); :class:`EntradaInvalida` when invalid."""
    instalados = get_registry().tipos_captura()
    tipo = next((t for t in instalados if t.value == tipo_captura), None)
    if tipo is None:  # the types the installed plugins capture
        aceitos = ", ".join(t.value for t in instalados)
        raise EntradaInvalida(f"tipo de captura desconhecido: {tipo_captura!r} (use {aceitos})")
    reservados = {"captura_id", "credenciais", "advogado"} & set(parametros)
    if reservados:
        raise EntradaInvalida(f"parâmetro reservado: {', '.join(sorted(reservados))}")
    ids = list(credencial_ids)
    model = modelo_parametros(tipo.value)
    try:
        model(**parametros, credenciais=ids or None, advogado=None if ids else advogado_id)
    except ValidationError as exc:
        raise EntradaInvalida(describe_validation_error(exc)) from None
    except TypeError as exc:
        raise EntradaInvalida(f"parâmetros inválidos ({exc})") from None
    return dict(parametros)


def iniciar_captura(
    settings: Settings,
    tipo_captura: str,
    *,
    advogado_id: int | None,
    credencial_ids: Iterable[int],
    parametros: Mapping[str, Any],
    origem: Origem | str,
    solicitante: str | None = None,
    runner: str | None = None,
    agendamento_id: int | None = None,
    agendado_para: dt.datetime | None = None,
) -> int:
    """Create a capture and dispatch it; return its id (it runs, or waits ``pending`` for a slot).

    Bad input (unknown type, option, lawyer, credential or runner) and an unreachable runner raise before anything
    is written, with one clear message.
    """
    ids = sorted({int(i) for i in credencial_ids})
    opcoes = validar_parametros(tipo_captura, advogado_id=advogado_id, credencial_ids=ids, parametros=parametros)
    _validar_workers(settings, tipo_captura, opcoes)
    executor = open_runner(settings, runner)
    servico = ServicoCapturas.from_settings(settings)
    servico.reap()
    _verificar(executor)
    captura_id = servico.criar(
        tipo_captura,
        advogado_id=advogado_id,
        credencial_ids=ids,
        parametros=opcoes,
        origem=origem,
        solicitante=solicitante,
        agendamento_id=agendamento_id,
        agendado_para=agendado_para,
    )
    try:
        _despachar(servico, executor, servico.obter(captura_id))
    except RunnerIndisponivel:
        servico.descartar(captura_id)
        raise
    despachar_pendentes(settings, servico=servico)
    return captura_id


def _validar_workers(settings: Settings, tipo_captura: str, opcoes: Mapping[str, Any]) -> None:
    workers = int(opcoes.get("workers", 1) or 1)
    if workers < 2:
        return
    if settings.redis_url is None or not settings.redis_url.get_secret_value():
        raise EntradaInvalida(
            "--workers precisa de SINESYS_REDIS_URL (a fila e o estado compartilhados ficam no Redis)"
        )


def _verificar(executor: Runner) -> None:
    disponivel = getattr(executor, "disponivel", None)
    if disponivel is not None:
        disponivel()


def _despachar(servico: ServicoCapturas, executor: Runner, captura: Captura) -> bool:
    """Start ``captura`` on ``executor`` if it has a free slot; else leave it pending with the reason."""
    ocupadas = servico.ocupadas(executor.nome)
    if ocupadas >= executor.limite:
        motivo = f"aguardando vaga no runner {executor.nome} ({ocupadas} de {executor.limite} capturas em andamento)"
        servico.aguardar_vaga(captura.id, runner=executor.nome, motivo=motivo)
        return False
    if not servico.reservar(captura.id, runner=executor.nome):
        return False  # another process is starting it
    try:
        job = executor.iniciar(captura)
    except RunnerIndisponivel as exc:
        servico.aguardar_vaga(captura.id, runner=executor.nome, motivo=exc.message)
        raise
    servico.registrar_job(captura.id, runner=job.runner, job_id=job.job_id, node=job.node)
    logger.info("captura %s: job %s no runner %s", captura.id, job.job_id, job.runner)
    return True


def despachar_pendentes(settings: Settings, *, servico: ServicoCapturas | None = None) -> list[int]:
    """Reap dead captures, then start the pending ones that now have a slot on their runner; return those started."""
    servico = servico or ServicoCapturas.from_settings(settings)
    servico.reap()
    runners: dict[str, Runner] = {}
    _jobs_perdidos(settings, servico, runners)
    iniciadas: list[int] = []
    for captura in servico.pendentes_sem_job():
        if captura.cancelamento_pedido_em is not None:
            continue
        nome = captura.runner or settings.runner or ("scrapyd" if settings.scrapyd_url else "local")
        try:
            executor = runners.get(nome) or runners.setdefault(nome, open_runner(settings, nome))
            if _despachar(servico, executor, captura):
                iniciadas.append(captura.id)
        except (RunnerIndisponivel, EntradaInvalida) as exc:
            logger.warning("captura %s continua pendente: %s", captura.id, exc)
    return iniciadas


def _jobs_perdidos(settings: Settings, servico: ServicoCapturas, runners: dict[str, Runner]) -> None:
    """A pending capture whose job ended (or is gone) without starting its crawl is failed at once, its runner asked
    once per look for all its jobs (Scrapyd: one ``listjobs.json``); one whose job the runner cannot see (a local job
    of another host, which may still start) once it has stayed so for ``heartbeat_limite`` seconds."""
    agora = utcnow()
    antigas = {
        c.id for c in servico.pendentes_com_job(desde_antes_de=agora - dt.timedelta(seconds=servico.heartbeat_limite))
    }
    por_runner: dict[str, list[Captura]] = {}
    for captura in servico.pendentes_com_job(desde_antes_de=agora):
        if captura.runner and captura.job_id:
            por_runner.setdefault(captura.runner, []).append(captura)
    for nome, capturas in por_runner.items():
        try:
            executor = runners.get(nome) or runners.setdefault(nome, open_runner(settings, nome))
            estados = executor.estados([JobRef(nome, c.job_id, c.node) for c in capturas if c.job_id])
        except (RunnerIndisponivel, EntradaInvalida):
            continue
        for captura in capturas:
            estado = estados.get(str(captura.job_id), EstadoJob.UNKNOWN)
            perdido = estado in (EstadoJob.FINISHED, EstadoJob.GONE) or (
                estado is EstadoJob.UNKNOWN and captura.id in antigas
            )
            if perdido and servico.obter(captura.id).status is StatusCaptura.PENDING:
                mensagem = f"o job {captura.job_id} ({nome}) terminou sem iniciar a captura; veja o log do job"
                servico.fail(captura.id, {"codigo": CAPTURA_INTERROMPIDA, "mensagem": mensagem})
                logger.warning("captura %s: %s", captura.id, mensagem)


def cancelar_captura(settings: Settings, captura_id: int) -> StatusCaptura:
    """Cancel a capture: ``pending`` → ``cancelled`` at once; ``in_progress`` → its job is asked to stop and the
    crawl marks it ``cancelled`` when it closes (or the reaper does, if the crawl is already gone).

    A capture already finished raises :class:`~sinesys_spiders.core.historico.TransicaoInvalida`.
    """
    servico = ServicoCapturas.from_settings(settings)
    servico.reap()
    antes = servico.obter(captura_id)
    status = servico.cancelar(captura_id)
    if antes.runner and antes.job_id and antes.job_id != RESERVADO:
        job = JobRef(runner=antes.runner, job_id=antes.job_id, node=antes.node)
        try:
            open_runner(settings, antes.runner).cancelar(job)
        except RunnerIndisponivel as exc:  # a running crawl still sees the cancel at its next heartbeat
            logger.warning("captura %s: %s; o crawl encerra no próximo heartbeat", captura_id, exc)
    return status
