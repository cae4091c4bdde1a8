"""Captures as jobs: one owner of a capture's life (DESIGN.md §8).

:class:`ServicoCapturas` creates a capture (its ``capturas_log`` row), records the job that runs it, keeps its
heartbeat, cancels it, finishes it and reaps the ones whose crawl died::

    servico = ServicoCapturas.from_settings()
    captura_id = servico.criar("acervo_geral", advogado_id=None, credencial_ids=[1, 2], parametros={},
                               origem="cli")                              # pending
    servico.registrar_job(captura_id, runner="local", job_id="4242", node="host")
    servico.iniciar(captura_id)               # in_progress (the crawl's extension calls it)
    servico.heartbeat(captura_id)             # every SINESYS_CAPTURA_HEARTBEAT s; True = cancel asked
    servico.concluir(captura_id, motivo="finished")   # completed | failed | cancelled
    servico.cancelar(captura_id)              # pending -> cancelled; in_progress -> cancel asked
    servico.reap()                            # no heartbeat for SINESYS_CAPTURA_HEARTBEAT_LIMITE s -> failed

Life cycle: ``pending → in_progress → completed | failed | cancelled`` (a pending capture may also be cancelled or
failed). During a crawl the only writer of the row is the Scrapy extension ``sinesys_spiders.extensions.capturas``.
"""

from sinesys_spiders.core.capturas_jobs._consultas import RESERVADO
from sinesys_spiders.core.capturas_jobs._modelo import (
    CAPTURA_CANCELADA,
    CAPTURA_INTERROMPIDA,
    TERMINAIS,
    Captura,
    Origem,
)
from sinesys_spiders.core.capturas_jobs._servico import ServicoCapturas

__all__ = [
    "CAPTURA_CANCELADA",
    "CAPTURA_INTERROMPIDA",
    "RESERVADO",
    "TERMINAIS",
    "Captura",
    "Origem",
    "ServicoCapturas",
]
