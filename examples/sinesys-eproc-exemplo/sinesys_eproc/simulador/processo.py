"""Run the simulator as a subprocess for tests, and talk to its admin API.

``iniciar_simulador(pasta)`` starts ``sinesys eproc-simulador --port 0`` and yields a :class:`ClienteSimulador`
(the demo users, URLs, counters, session expiry and the ground truth) until the ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from sinesys_eproc.simulador.app import ADMIN_HEADER

__all__ = ["ClienteSimulador", "UsuarioDemo", "iniciar_simulador"]


@dataclasses.dataclass(frozen=True)
class UsuarioDemo:
    cpf: str = dataclasses.field(repr=False)
    senha: str = dataclasses.field(repr=False)
    totp_secret: str = dataclasses.field(repr=False)
    nome: str
    id_usuario: int


class ClienteSimulador:
    """What a test needs from a running simulator."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info
        self.base_url: str = info["base_url"]
        self.usuarios = [UsuarioDemo(**u) for u in info["users"]]
        self._admin = httpx.Client(
            base_url=info["admin_url"] + "/", headers={ADMIN_HEADER: info["admin_token"]}, timeout=30
        )

    def close(self) -> None:
        self._admin.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._admin.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    def contadores(self, cpf: str | None = None) -> dict[str, int]:
        """``logins``, ``otp_aceitos``, ``otp_recusados``, ``senhas_recusadas``, ``requisicoes_api`` (of one user)."""
        return dict(self._call("GET", "contadores", params={"cpf": cpf} if cpf else {}))

    def expirar_sessoes(self) -> int:
        return int(self._call("POST", "sessoes/expirar")["encerradas"])

    def verdade(self, *, tribunal: str | None = None, grau: str | None = None, cpf: str | None = None) -> Any:
        params = {k: v for k, v in {"tribunal": tribunal, "grau": grau, "cpf": cpf}.items() if v}
        return self._call("GET", "verdade", params=params)


@contextlib.contextmanager
def iniciar_simulador(
    pasta: Path, *, usuarios: int = 4, seed: int = 7, totp_period: int = 30
) -> Iterator[ClienteSimulador]:
    """``sinesys eproc-simulador --port 0`` in ``pasta`` until the block ends."""
    pasta.mkdir(parents=True, exist_ok=True)
    users_file = pasta / "eproc-usuarios.json"
    comando = [sys.executable, "-c", "from sinesys_spiders.cli import main; main()", "eproc-simulador",
               "--port", "0", "--seed", str(seed), "--usuarios", str(usuarios),
               "--totp-period", str(totp_period), "--users-file", str(users_file)]  # fmt: skip
    stderr = (pasta / "eproc-simulador.log").open("w")
    processo = subprocess.Popen(comando, cwd=pasta, stdout=subprocess.PIPE, stderr=stderr, text=True)
    cliente = None
    try:
        assert processo.stdout is not None
        inicio = time.monotonic()
        linha = processo.stdout.readline()
        if not linha.startswith("ready: "):
            erro = (pasta / "eproc-simulador.log").read_text()[-2000:]
            raise RuntimeError(f"o simulador não ficou pronto em {time.monotonic() - inicio:.0f} s: {erro}")
        cliente = ClienteSimulador(json.loads(users_file.read_text(encoding="utf-8")))
        yield cliente
    finally:
        if cliente is not None:
            cliente.close()
        processo.terminate()
        try:
            processo.wait(timeout=10)
        except subprocess.TimeoutExpired:
            processo.kill()
            processo.wait()
        stderr.close()
