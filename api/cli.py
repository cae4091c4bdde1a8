"""``sinesys api serve``, ``sinesys api-keys`` and ``sinesys usuarios`` (``sinesys.commands`` entry points).

Heavy imports stay inside the commands so that ``sinesys --help`` stays fast.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from sinesys_spiders.cli._common import SinesysGroup, echo_json, fail

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from api.auth.usuarios import UsuariosService

__all__ = ["api", "api_keys", "usuarios"]


def _factory() -> sessionmaker[Session]:
    from sinesys_spiders.core.config import get_settings
    from sinesys_spiders.core.db import get_session_factory

    return get_session_factory(get_settings().effective_database_url)


@click.group("api", cls=SinesysGroup)
def api() -> None:
    """The REST API the frontend speaks."""


@api.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--proxy-headers/--no-proxy-headers", default=False, help="Trust X-Forwarded-* from the proxy.")
def serve(host: str, port: int, workers: int, proxy_headers: bool) -> None:
    """Serve the API with uvicorn (behind a TLS proxy in production)."""
    import uvicorn

    from api.app import create_app

    create_app()  # fail here, with one line, on bad settings or keys
    uvicorn.run(
        "api.asgi:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=proxy_headers,
        server_header=False,
        log_level="info",
    )


@click.group("api-keys", cls=SinesysGroup)
def api_keys() -> None:
    """Service keys for x-service-api-key (scripts, the scheduler, other services)."""


@api_keys.command("create")
@click.option("--nome", required=True, help="A name for whoever uses the key (recorded in the history).")
@click.option("--escopos", required=True, help="leitura, captura and/or admin, comma-separated.")
@click.option("--expira-em", "expira_em", type=int, default=None, help="Expire after this many days.")
def create(nome: str, escopos: str, expira_em: int | None) -> None:
    """Create a key and print it once (only its digest is stored)."""
    from api.auth.chaves import ChavesService

    resumo, chave = ChavesService(_factory()).criar(nome, escopos, expira_em_dias=expira_em)
    click.echo(chave)
    expira = resumo.expira_em.isoformat() if resumo.expira_em else "nunca"
    click.echo(
        f"chave {resumo.nome!r} ({', '.join(resumo.escopos)}; expira: {expira}). "
        "Guarde-a agora: não será mostrada de novo.",
        err=True,
    )


@api_keys.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_keys(as_json: bool) -> None:
    """List keys (name, prefix, scopes, state, last use); never the keys themselves."""
    from api.auth.chaves import ChavesService

    chaves = ChavesService(_factory()).listar()
    rows: list[dict[str, Any]] = [
        {
            "id": c.id,
            "nome": c.nome,
            "prefixo": c.prefixo,
            "escopos": c.escopos,
            "estado": c.estado(),
            "criada_em": c.criada_em.isoformat(),
            "expira_em": c.expira_em.isoformat() if c.expira_em else None,
            "ultimo_uso_em": c.ultimo_uso_em.isoformat() if c.ultimo_uso_em else None,
        }
        for c in chaves
    ]
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        click.echo(
            f"{r['id']:>4} {r['nome']:<24} {r['prefixo']:<18} {','.join(r['escopos']):<22} {r['estado']:<9} "
            f"último uso: {r['ultimo_uso_em'] or '-'}"
        )
    click.echo(f"{len(rows)} chave(s)")


@api_keys.command("revoke")
@click.argument("chave")
def revoke(chave: str) -> None:
    """Revoke a key by name, id or prefix (snk_xxxxxxxxxxxx)."""
    from api.auth.chaves import ChavesService

    resumo = ChavesService(_factory()).revogar(chave)
    click.echo(f"chave {resumo.nome!r} revogada")


@click.group("usuarios", cls=SinesysGroup)
def usuarios() -> None:
    """Local users of the web frontend (cookie sessions)."""


def _service() -> UsuariosService:
    from api.auth.usuarios import UsuariosService

    return UsuariosService(_factory())


@usuarios.command("add")
@click.argument("login")
@click.option("--escopo", required=True, type=click.Choice(["leitura", "captura", "admin"]), help="What they may do.")
@click.option("--nome", default=None, help="Full name (display only).")
@click.option("--senha-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def add(login: str, escopo: str, nome: str | None, senha_stdin: bool) -> None:
    """Add a user; the password is asked for (twice) or read from stdin, never an argument."""
    if senha_stdin:
        senha = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        senha = click.prompt("Senha", hide_input=True, confirmation_prompt="Repita a senha")
    else:
        fail("sem terminal: passe a senha em --senha-stdin")
    user = _service().adicionar(login, senha, escopo, nome=nome)
    click.echo(f"usuário {user.login!r} criado ({', '.join(user.escopos)})")


@usuarios.command("list")
def list_users() -> None:
    """List users with their scopes and whether they are active."""
    users = _service().listar()
    for u in users:
        click.echo(f"{u.id:>4} {u.login:<32} {','.join(u.escopos):<10} {'ativo' if u.ativo else 'desativado'}")
    click.echo(f"{len(users)} usuário(s)")


@usuarios.command("disable")
@click.argument("login")
def disable(login: str) -> None:
    """Disable a user and end their sessions."""
    _service().definir_ativo(login, False)
    click.echo(f"usuário {login!r} desativado; sessões encerradas")


@usuarios.command("enable")
@click.argument("login")
def enable(login: str) -> None:
    """Enable a user again."""
    _service().definir_ativo(login, True)
    click.echo(f"usuário {login!r} reativado")
