"""``sinesys tribunais``: the tribunals and graus of the installed plugins, and their URL overrides."""

from __future__ import annotations

import click

from sinesys_spiders.cli._common import echo_json, fail
from sinesys_spiders.cli._inputs import OneLineGroup, parse_tribunal_grau
from sinesys_spiders.core.endpoints import EndpointEfetivo, EndpointResolver
from sinesys_spiders.core.errors import EntradaInvalida

__all__ = ["command"]


def _as_dict(item: EndpointEfetivo) -> dict[str, object]:
    ep = item.endpoint
    return {
        "tribunal": ep.tribunal.value,
        "grau": ep.grau.value,
        "plugin": item.plugin,
        "nome": ep.nome,
        "base_url": ep.base_url,
        "login_url": ep.login_url,
        "api_url": ep.api_url,
        "sso_url": item.sso_url,
        "override": list(item.overridden),
        "padrao_base_url": item.padrao.base_url,
    }


@click.group("tribunais", cls=OneLineGroup)
def command() -> None:
    """Tribunals and graus served by the installed plugins, and URL overrides (e.g. the sandbox)."""


@command.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_(as_json: bool) -> None:
    """List every tribunal and grau with its effective URLs; overrides are marked with *."""
    items = EndpointResolver.from_settings().all()
    if as_json:
        echo_json([_as_dict(item) for item in items])
        return
    click.echo(f"{'TRIBUNAL':<9} {'GRAU':<18} {'PLUGIN':<8} {'':1} LOGIN / API")
    for item in items:
        ep = item.endpoint
        mark = "*" if item.is_overridden else " "
        click.echo(f"{ep.tribunal.value:<9} {ep.grau.value:<18} {item.plugin:<8} {mark} {ep.login_url}  {ep.api_url}")
    overridden = sum(1 for item in items if item.is_overridden)
    click.echo(f"{len(items)} tribunais/graus; {overridden} com override (*)")


@command.command("set-url")
@click.argument("tribunal")
@click.option("--grau", required=True, help="primeiro_grau, segundo_grau or tribunal_superior.")
@click.option("--base-url", help="Scheme and host, e.g. http://127.0.0.1:8765 (the sandbox).")
@click.option("--login-path", help="Path of the login page, e.g. /primeirograu/login.seam.")
@click.option("--api-path", help="REST prefix, e.g. /pje-comum-api/api.")
@click.option("--sso-url", help="SSO (Keycloak) base URL.")
def set_url(
    tribunal: str,
    grau: str,
    base_url: str | None,
    login_path: str | None,
    api_path: str | None,
    sso_url: str | None,
) -> None:
    """Point a tribunal and grau at other URLs (stored in the database, used by every capture)."""
    trib, gr = parse_tribunal_grau(tribunal, grau)
    values = {
        key: value
        for key, value in {
            "base_url": base_url,
            "login_path": login_path,
            "api_path": api_path,
            "sso_url": sso_url,
        }.items()
        if value is not None
    }
    try:
        item = EndpointResolver.from_settings().set_override(trib, gr, **values)
    except EntradaInvalida as exc:
        fail(exc.message)
    click.echo(f"{trib.value} {gr.value}: {item.endpoint.login_url} (override: {', '.join(item.overridden)})")


@command.command("unset-url")
@click.argument("tribunal")
@click.option("--grau", required=True, help="primeiro_grau, segundo_grau or tribunal_superior.")
def unset_url(tribunal: str, grau: str) -> None:
    """Go back to the plugin's default URLs for a tribunal and grau."""
    trib, gr = parse_tribunal_grau(tribunal, grau)
    resolver = EndpointResolver.from_settings()
    had = resolver.unset_override(trib, gr)
    item = resolver.get(trib, gr)
    state = "override removido" if had else "não havia override"
    click.echo(f"{trib.value} {gr.value}: {state}; {item.endpoint.login_url}")
