"""The runner interface: start a capture's crawl somewhere, ask its state, cancel it.

A runner passes ids only (``captura_id``, credential or lawyer ids, spider options): never a secret. The crawl
finds everything else (credentials, sessions, configuration) through the settings of the process that runs it.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from sinesys_spiders.core.errors import TransientError

if TYPE_CHECKING:
    from sinesys_spiders.core.capturas_jobs import Captura

__all__ = ["EstadoJob", "JobRef", "Runner", "RunnerIndisponivel", "estado_de_varios", "spider_args", "workers_de"]


class RunnerIndisponivel(TransientError):
    """The runner cannot be reached or refused the job (Scrapyd down, bad credentials...)."""

    code = "RUNNER_INDISPONIVEL"


class EstadoJob(enum.StrEnum):
    """What a runner knows of a job."""

    PENDING = "pending"
    RUNNING = "running"
    FINISHED = "finished"
    #: The runner lists every job it has and this one is not among them: it ended long ago or was lost (a Scrapyd
    #: that forgot it); it will never start.
    GONE = "gone"
    #: The runner cannot see the job (a local job of another host): it may still start.
    UNKNOWN = "unknown"


@dataclasses.dataclass(frozen=True, slots=True)
class JobRef:
    """A job as its runner knows it."""

    runner: str
    job_id: str
    node: str | None = None

    @property
    def ids(self) -> list[str]:
        """The job ids of a capture run by N workers (recorded comma-separated), or the one job id."""
        return [j for j in self.job_id.split(",") if j]


@runtime_checkable
class Runner(Protocol):
    """Start, watch and cancel capture jobs (``local``: a subprocess; ``scrapyd``: Scrapyd's HTTP API)."""

    nome: str
    #: How many captures this runner runs at once; the next ones wait ``pending`` with a reason.
    limite: int

    def iniciar(self, captura: Captura) -> JobRef:
        """Start the capture's crawl; raise :class:`RunnerIndisponivel` when the runner cannot."""
        ...

    def estado(self, job: JobRef) -> EstadoJob:
        """The job's state as the runner sees it."""
        ...

    def estados(self, jobs: Sequence[JobRef]) -> dict[str, EstadoJob]:
        """The states of many jobs in one look (by job id): what a dispatcher asks at every pass."""
        ...

    def cancelar(self, job: JobRef) -> None:
        """Ask the job to stop (gracefully: the crawl closes, records its counts and frees its locks)."""
        ...


def _arg(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(_arg(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def spider_args(captura: Captura) -> dict[str, str]:
    """The spider arguments of a capture: its id, who to capture and its options (ids and plain values only)."""
    args: dict[str, str] = {"captura_id": str(captura.id)}
    if captura.credencial_ids:
        args["credenciais"] = _arg(captura.credencial_ids)
    elif captura.advogado_id is not None:
        args["advogado"] = str(captura.advogado_id)
    opcoes: Mapping[str, Any] = captura.parametros
    for key, value in opcoes.items():
        if key in args or key in {"credenciais", "advogado", "captura_id"} or value is None:
            continue
        args[key] = _arg(value)
    return args


def workers_de(captura: Captura) -> int:
    """How many workers the capture asked for (``--workers``; 1 by default)."""
    return max(1, int(captura.parametros.get("workers", 1) or 1))


def estado_de_varios(estados: list[EstadoJob]) -> EstadoJob:
    """The state of a capture's N jobs: running while any runs, pending while any waits, else finished (or gone)."""
    for estado in (EstadoJob.RUNNING, EstadoJob.PENDING, EstadoJob.FINISHED, EstadoJob.GONE):
        if estado in estados:
            return estado
    return EstadoJob.UNKNOWN
