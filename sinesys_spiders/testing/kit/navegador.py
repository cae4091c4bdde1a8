"""One headless Chromium shared by the kit's crawls, reached over CDP (``SINESYS_BROWSER_CDP_URL``).

Every login otherwise launches and closes a Chromium of its own (``sinesys_spiders.login.browser``); the kit's
captures log in four times, so it starts one browser for the class and its crawls connect to it, each login in
a fresh context of its own, as a deployment with a browser service does. Without a Chromium binary on the machine
(Playwright's bundled browser only) there is nothing to share: the crawls launch their own.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from sinesys_spiders.core.browser import SYSTEM_CHROMIUM_PATHS
from sinesys_spiders.core.processos import encerrar

__all__ = ["chromium_cdp"]


def _executavel() -> Path | None:
    for candidato in SYSTEM_CHROMIUM_PATHS:
        if Path(candidato).exists():
            return Path(candidato)
    found = shutil.which("chromium")
    return Path(found) if found else None


@contextlib.contextmanager
def chromium_cdp(pasta: Path, *, timeout: float = 60) -> Iterator[str | None]:
    """A headless Chromium with its DevTools on a free loopback port; yields its CDP URL (``None``: no binary)."""
    executavel = _executavel()
    if executavel is None:
        yield None
        return
    perfil = pasta / "perfil"
    processo = subprocess.Popen(
        [
            str(executavel),
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={perfil}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield _url(processo, perfil / "DevToolsActivePort", timeout)
    finally:
        encerrar(processo)


def _url(processo: subprocess.Popen[bytes], porta_arquivo: Path, timeout: float) -> str:
    """The browser's CDP URL once ``/json/version`` answers (the port Chromium wrote to its profile)."""
    limite = time.monotonic() + timeout
    while time.monotonic() < limite:
        if processo.poll() is not None:
            raise RuntimeError(f"Chromium saiu ao iniciar (código {processo.returncode})")
        linhas = porta_arquivo.read_text().splitlines() if porta_arquivo.exists() else []
        if linhas and linhas[0].strip().isdigit():
            url = f"http://127.0.0.1:{linhas[0].strip()}"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/json/version", timeout=2).status_code == 200:
                    return url
        time.sleep(0.1)
    raise RuntimeError(f"Chromium não abriu o DevTools em {timeout:.0f} s")
