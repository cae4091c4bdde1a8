"""``sinesys config``: inspect the effective settings."""

from __future__ import annotations

import click

from sinesys_spiders.cli._common import SinesysGroup, echo_json
from sinesys_spiders.core.config import get_settings


@click.group(cls=SinesysGroup)
def config() -> None:
    """Inspect the configuration (environment SINESYS_* and .env)."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of aligned text.")
def show(as_json: bool) -> None:
    """Print the effective settings with every secret masked."""
    values = get_settings().masked()
    if as_json:
        echo_json(values)
        return
    width = max(len(k) for k in values)
    for key in sorted(values):
        shown = "-" if values[key] is None else values[key]
        click.echo(f"{key.ljust(width)}  {shown}")
