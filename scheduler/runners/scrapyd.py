"""The ``scrapyd`` runner: captures as Scrapyd jobs, through Scrapyd's HTTP API.

``schedule.json`` (project, spider, ``captura_id`` and the spider arguments: ids and options, never a secret),
``status.json`` for one job's state, ``listjobs.json`` for all of them in one call (a job it does not list is gone:
Scrapyd lists every pending, running and recently finished job of the project), ``cancel.json`` to stop (Scrapyd
sends the crawl SIGTERM, Scrapy closes it gracefully and the capture extension marks the capture ``cancelled``).

Settings: ``SINESYS_SCRAPYD_URL``, ``SINESYS_SCRAPYD_PROJECT`` (default ``sinesys``), ``SINESYS_SCRAPYD_USERNAME``
and ``SINESYS_SCRAPYD_PASSWORD`` (basic auth), ``SINESYS_RUNNER_SCRAPYD_MAX`` (captures at once, default 8).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx

from scheduler.runners.base import EstadoJob, JobRef, RunnerIndisponivel, estado_de_varios, spider_args, workers_de
from sinesys_spiders.core.config import mask_url
from sinesys_spiders.core.errors import ConfiguracaoInvalida

if TYPE_CHECKING:
    from sinesys_spiders.core.capturas_jobs import Captura
    from sinesys_spiders.core.config import Settings

__all__ = ["ScrapydRunner"]

_ESTADOS = {"pending": EstadoJob.PENDING, "running": EstadoJob.RUNNING, "finished": EstadoJob.FINISHED}


class ScrapydRunner:
    """Schedule, watch and cancel captures on a Scrapyd server."""

    nome = "scrapyd"

    def __init__(self, settings: Settings, *, timeout: float = 10.0) -> None:
        if not settings.scrapyd_url:
            raise ConfiguracaoInvalida("runner scrapyd: defina SINESYS_SCRAPYD_URL")
        self.url = settings.scrapyd_url.rstrip("/")
        self.project = settings.scrapyd_project
        self.limite = settings.runner_scrapyd_max
        auth = None
        if settings.scrapyd_username:
            password = settings.scrapyd_password.get_secret_value() if settings.scrapyd_password else ""
            auth = httpx.BasicAuth(settings.scrapyd_username, password)
        self._client = httpx.Client(base_url=self.url, auth=auth, timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, endpoint: str, **kwargs: Any) -> dict[str, Any]:
        where = mask_url(self.url)
        try:
            response = self._client.request(method, f"/{endpoint}", **kwargs)
        except httpx.HTTPError as exc:
            raise RunnerIndisponivel(f"Scrapyd inacessível em {where} ({type(exc).__name__})") from None
        if response.status_code == 401:
            raise RunnerIndisponivel(f"Scrapyd em {where} recusou o acesso (SINESYS_SCRAPYD_USERNAME/PASSWORD)")
        try:
            body = response.json()
        except ValueError:
            status = response.status_code
            raise RunnerIndisponivel(f"Scrapyd em {where}: resposta inválida a {endpoint} (HTTP {status})") from None
        if body.get("status") != "ok":
            mensagem = str(body.get("message", "erro")).strip().splitlines()[-1:] or ["erro"]
            raise RunnerIndisponivel(f"Scrapyd em {where} recusou {endpoint}: {mensagem[0][:200]}")
        return dict(body)

    def disponivel(self) -> None:
        """Raise :class:`RunnerIndisponivel` when Scrapyd cannot be reached (``daemonstatus.json``)."""
        self._call("GET", "daemonstatus.json")

    def spiders(self) -> list[str]:
        """The spiders of the deployed project (``listspiders.json``)."""
        return list(self._call("GET", "listspiders.json", params={"project": self.project})["spiders"])

    def iniciar(self, captura: Captura) -> JobRef:
        """Schedule the capture's job; with ``--workers N``, N jobs on the same capture (ids comma-separated)."""
        data = {"project": self.project, "spider": captura.tipo_captura, **spider_args(captura)}
        ids: list[str] = []
        node = None
        try:
            for _ in range(workers_de(captura)):
                body = self._call("POST", "schedule.json", data=data)
                ids.append(str(body["jobid"]))
                node = node or body.get("node_name")
        except RunnerIndisponivel:
            for job_id in ids:  # nothing half-scheduled
                with contextlib.suppress(RunnerIndisponivel):
                    self._call("POST", "cancel.json", data={"project": self.project, "job": job_id})
            raise
        return JobRef(runner=self.nome, job_id=",".join(ids), node=node)

    def estado(self, job: JobRef) -> EstadoJob:
        if len(job.ids) > 1:
            return estado_de_varios([self.estado(JobRef(job.runner, j, job.node)) for j in job.ids])
        try:
            body = self._call("GET", "status.json", params={"job": job.job_id, "project": self.project})
            return _ESTADOS.get(str(body.get("currstate")), EstadoJob.UNKNOWN)
        except RunnerIndisponivel:
            return self.estados([job])[job.job_id]

    def estados(self, jobs: Sequence[JobRef]) -> dict[str, EstadoJob]:
        body = self._call("GET", "listjobs.json", params={"project": self.project})
        conhecidos = {str(j.get("id")): estado for key, estado in _ESTADOS.items() for j in body.get(key, [])}
        return {job.job_id: estado_de_varios([conhecidos.get(j, EstadoJob.GONE) for j in job.ids]) for job in jobs}

    def cancelar(self, job: JobRef) -> None:
        for job_id in job.ids:
            self._call("POST", "cancel.json", data={"project": self.project, "job": job_id})
