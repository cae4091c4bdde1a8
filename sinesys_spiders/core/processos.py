"""Stopping a child process the framework, its demo or its fixtures started (a sandbox, Redis, Chromium, uvicorn)."""

from __future__ import annotations

import subprocess
from typing import Any

__all__ = ["encerrar"]


def encerrar(processo: subprocess.Popen[Any], espera: float = 10.0) -> None:
    """SIGTERM, up to ``espera`` seconds for a clean exit, then SIGKILL; the process is always reaped."""
    processo.terminate()
    try:
        processo.wait(timeout=espera)
    except subprocess.TimeoutExpired:
        processo.kill()
        processo.wait()
