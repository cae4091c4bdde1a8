"""Runners: where a capture's crawl runs (``local`` subprocess or ``scrapyd``), behind :class:`Runner`.

``open_runner(settings, nome=None)``: the named runner, else ``SINESYS_RUNNER``, else ``scrapyd`` when
``SINESYS_SCRAPYD_URL`` is set and ``local`` otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.runners.base import EstadoJob, JobRef, Runner, RunnerIndisponivel, spider_args
from sinesys_spiders.core.errors import EntradaInvalida

if TYPE_CHECKING:
    from sinesys_spiders.core.config import Settings

__all__ = ["RUNNERS", "EstadoJob", "JobRef", "Runner", "RunnerIndisponivel", "open_runner", "spider_args"]

RUNNERS = ("local", "scrapyd")


def open_runner(settings: Settings, nome: str | None = None) -> Runner:
    """The runner ``nome`` (``local`` | ``scrapyd``), or the configured default."""
    nome = nome or settings.runner or ("scrapyd" if settings.scrapyd_url else "local")
    if nome == "local":
        from scheduler.runners.local import LocalRunner

        return LocalRunner(settings)
    if nome == "scrapyd":
        from scheduler.runners.scrapyd import ScrapydRunner

        return ScrapydRunner(settings)
    raise EntradaInvalida(f"runner desconhecido: {nome!r} (use {', '.join(RUNNERS)})")
