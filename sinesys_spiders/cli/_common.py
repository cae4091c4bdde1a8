"""Shared pieces of the command line: the error convention and small output helpers."""

from __future__ import annotations

import json
import sys
from importlib.metadata import entry_points
from typing import Any, NoReturn

import click
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from sinesys_spiders.core.config import get_settings, mask_url_text
from sinesys_spiders.core.errors import SinesysError

__all__ = ["SinesysGroup", "describe_settings_error", "echo_json", "fail"]


def fail(message: str, *, code: int = 2) -> NoReturn:
    """Print one line on stderr and exit non-zero."""
    click.echo(f"erro: {message}", err=True)
    sys.exit(code)


class SinesysGroup(click.Group):
    """A click group that turns project errors into one clear line on stderr.

    The root group also offers the commands that plugins register under the ``sinesys.commands``
    entry-point group, loaded only when invoked (so ``sinesys --help`` stays fast).
    """

    plugin_group: str | None = None

    def _plugin_entry_points(self) -> dict[str, Any]:
        if not self.plugin_group:
            return {}
        return {ep.name: ep for ep in entry_points(group=self.plugin_group)}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._plugin_entry_points()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        ep = self._plugin_entry_points().get(cmd_name)
        if ep is None:
            return None
        try:
            loaded: click.Command = ep.load()
            return loaded
        except Exception as exc:  # a broken plugin must not break the whole command line
            click.echo(f"aviso: o comando {cmd_name!r} do plugin ({ep.value}) não carregou: {exc}", err=True)
            return None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SinesysError as exc:
            fail(f"{exc.code}: {exc.message}")
        except click.Abort:  # a prompt met the end of its input (no terminal) or Ctrl-C
            click.echo(err=True)  # end the prompt's line
            fail(
                "entrada interrompida: os segredos são pedidos em um terminal; "
                "sem terminal use `sinesys credenciais import --from-json -`",
                code=1,
            )
        except OverflowError:  # a number no database column holds, from anywhere it was not checked first
            fail("número grande demais")
        except ValidationError as exc:  # the SINESYS_* settings
            fail(f"configuração inválida: {describe_settings_error(exc)}")
        except DBAPIError as exc:
            url = mask_url_text(get_settings().effective_database_url)
            kind = "não migrado" if _is_missing_table(exc) else "inacessível"
            fail(
                f"banco de dados {kind} ({url}): {type(exc.orig or exc).__name__}; "
                "confira SINESYS_DATABASE_URL e rode `sinesys db upgrade`"
            )


def _is_missing_table(exc: DBAPIError) -> bool:
    text = str(exc.orig or "").lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def describe_settings_error(exc: ValidationError) -> str:
    """``SINESYS_FIELD: what is wrong`` for each bad setting, never the value given."""
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"])
        parts.append(f"SINESYS_{field.upper()}: {err['msg']}")
    return "; ".join(parts)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
