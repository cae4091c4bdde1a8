"""The ``local`` runner: each capture is a ``scrapy crawl`` subprocess on this machine (the embedded default).

The crawl runs detached from the process that started it (its own session), so a CLI that exits or an API
worker that restarts does not stop it; its log goes to ``{var_dir}/logs/capturas/{captura_id}.log``. The job id
is the process id and the node this host's name (``--workers N``: N crawls, logs ``{captura_id}-w{n}.log``, their
pids recorded comma-separated). Cancel sends SIGTERM: Scrapy closes the spider gracefully, the
capture extension records the counts, marks the capture ``cancelled`` and the spider frees its locks.

Settings: ``SINESYS_RUNNER_LOCAL_MAX`` (captures at once, default 2).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scheduler.runners.base import EstadoJob, JobRef, RunnerIndisponivel, estado_de_varios, spider_args, workers_de

if TYPE_CHECKING:
    from sinesys_spiders.core.capturas_jobs import Captura
    from sinesys_spiders.core.config import Settings

__all__ = ["LocalRunner"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped by its parent) is not running
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


class LocalRunner:
    """Run captures as ``scrapy crawl`` subprocesses of this host."""

    nome = "local"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limite = settings.runner_local_max
        self.node = socket.gethostname()
        self.log_dir = (settings.var_dir / "logs" / "capturas").resolve()

    def comando(self, captura: Captura) -> list[str]:
        """The command line of the capture's crawl (ids and options only, never a secret)."""
        cmd = [sys.executable, "-m", "scrapy", "crawl", captura.tipo_captura]
        for key, value in spider_args(captura).items():
            cmd += ["-a", f"{key}={value}"]
        return cmd

    def iniciar(self, captura: Captura) -> JobRef:
        """Start the capture's crawl; with ``--workers N``, N crawls on the same capture (their pids recorded)."""
        n = workers_de(captura)
        pids: list[str] = []
        try:
            for i in range(n):
                pids.append(self._iniciar_um(captura, f"{captura.id}" if n == 1 else f"{captura.id}-w{i + 1}"))
        except RunnerIndisponivel:
            for pid in pids:  # nothing half-started: the workers already up are stopped
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGTERM)
            raise
        return JobRef(runner=self.nome, job_id=",".join(pids), node=self.node)

    def _iniciar_um(self, captura: Captura, nome_log: str) -> str:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.log_dir / f"{nome_log}.log"
        env = dict(os.environ)
        env["SCRAPY_SETTINGS_MODULE"] = "sinesys_spiders.settings"
        with open(log_path, "ab") as log:
            try:
                process = subprocess.Popen(
                    [*self.comando(captura), "-s", f"LOG_FILE={log_path}"],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    start_new_session=True,
                )
            except OSError as exc:
                raise RunnerIndisponivel(f"não foi possível iniciar o crawl local ({type(exc).__name__})") from None
        # Reap the child when it ends, so a long-lived parent (the API, the scheduler) keeps no zombies.
        threading.Thread(target=process.wait, name=f"captura-{captura.id}", daemon=True).start()
        return str(process.pid)

    def estado(self, job: JobRef) -> EstadoJob:
        if job.node not in (None, self.node) or not job.ids or not all(j.isdigit() for j in job.ids):
            return EstadoJob.UNKNOWN
        return estado_de_varios([EstadoJob.RUNNING if _alive(int(j)) else EstadoJob.FINISHED for j in job.ids])

    def estados(self, jobs: Sequence[JobRef]) -> dict[str, EstadoJob]:
        return {job.job_id: self.estado(job) for job in jobs}

    def cancelar(self, job: JobRef) -> None:
        if job.node not in (None, self.node):
            raise RunnerIndisponivel(f"o job {job.job_id} roda em {job.node}, não neste host")
        for pid in job.ids:
            if pid.isdigit():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGTERM)  # Scrapy: graceful shutdown (spider closed, reason shutdown)
