"""``sinesys eproc-simulador``: serve the simulated eproc until interrupted (a ``sinesys.commands`` entry point).

It writes the users file (mode 0600: the demo users' passwords and TOTP secrets, the admin token and the URL of
every installation), then prints ``ready: <URL>`` on stdout once it accepts connections.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from pathlib import Path

import click

__all__ = ["simulador"]


@click.command("eproc-simulador")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8900, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option("--seed", default=7, show_default=True, type=int, help="Seed of the synthetic world.")
@click.option("--usuarios", default=4, show_default=True, type=click.IntRange(1, 200), help="Demo lawyers.")
@click.option("--totp-period", default=30, show_default=True, type=click.IntRange(1, 300), help="Seconds per step.")
@click.option("--users-file", default="var/eproc-usuarios.json", show_default=True, type=click.Path(dir_okay=False))
def simulador(host: str, port: int, seed: int, usuarios: int, totp_period: int, users_file: str) -> None:
    """Serve a simulated eproc (TRF4, TJSC, TJTO): login form, second factor, the lawyer's case list."""
    import uvicorn

    from sinesys_eproc.simulador.app import Simulador, criar_app
    from sinesys_eproc.simulador.dados import INSTALACOES, gerar_usuarios

    lista = gerar_usuarios(seed, usuarios, totp_period=totp_period)
    sim = Simulador(seed=seed, usuarios=lista, admin_token=secrets.token_urlsafe(24))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(256)
    base_url = f"http://{host}:{sock.getsockname()[1]}"
    info = {
        "base_url": base_url,
        "admin_url": f"{base_url}/_admin",
        "admin_token": sim.admin_token,
        "seed": seed,
        "instalacoes": [
            {"tribunal": i.tribunal, "grau": i.grau, "login_url": f"{base_url}{i.prefixo}/externo_controlador.php"}
            for i in INSTALACOES
        ],
        "users": [
            {"cpf": u.cpf, "senha": u.senha, "totp_secret": u.totp_secret, "nome": u.nome, "id_usuario": u.id_usuario}
            for u in lista
        ],
    }
    path = Path(users_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(info, fh, ensure_ascii=False, indent=2)
    config = uvicorn.Config(criar_app(sim), lifespan="off", log_level="warning", access_log=False)
    server = uvicorn.Server(config)

    import asyncio

    async def main() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.02)
        if server.started:
            click.echo(f"ready: {base_url}", nl=True)
        await task

    asyncio.run(main())
