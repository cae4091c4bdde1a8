"""The ``sinesys`` command line.

Each sub-command group lives in its own module and is added here; tribunal plugins contribute
more commands through the ``sinesys.commands`` entry-point group (e.g. ``sinesys sandbox``).

Conventions: secrets are never read from argv (interactive prompt or JSON on stdin/file only);
bad input is one clear line on stderr and exit status 2, with nothing written.
"""

from __future__ import annotations

import logging
import sys

import click

from sinesys_spiders.cli._common import SinesysGroup

__all__ = ["main"]


@click.group(
    cls=type("RootGroup", (SinesysGroup,), {"plugin_group": "sinesys.commands"}),
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages to stderr.")
def main(verbose: bool) -> None:
    """Sinesys Captura: capture a lawyer's cases from Brazil's court systems."""
    from sinesys_spiders.core.logsafe import install
    from sinesys_spiders.core.privado import forcar_umask

    install()  # values from a tribunal or a user never forge a log line
    forcar_umask()  # the database, documents, key and logs it creates are owner-only (0600/0700)
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _add_builtin_commands() -> None:
    from sinesys_spiders.cli import config

    main.add_command(config.config)
    for module_name in ("db", "advogados", "credenciais", "tribunais", "historico", "recovery", "plugin"):
        try:
            module = __import__(f"sinesys_spiders.cli.{module_name}", fromlist=["command"])
        except ModuleNotFoundError as exc:
            if exc.name != f"sinesys_spiders.cli.{module_name}":
                raise
            continue
        main.add_command(module.command)


_add_builtin_commands()
