"""Input helpers of the ``advogados``, ``credenciais`` and ``tribunais`` commands."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.cli._common import SinesysGroup, fail
from sinesys_spiders.core.config import get_settings
from sinesys_spiders.core.db import get_session_factory
from sinesys_spiders.core.domain import Grau, Tribunal, check_tribunal_grau, parse_grau

__all__ = ["DB_ID", "OneLineGroup", "parse_tribunal_grau", "session_factory"]

#: A row id: 1 up to the largest signed 64-bit integer (PostgreSQL ``bigint``, SQLite's INTEGER).
DB_ID = click.IntRange(1, 2**63 - 1)


class OneLineGroup(SinesysGroup):
    """A command group whose usage errors (missing or unknown option, bad value) are one line on stderr."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            fail(exc.format_message().replace("\n", " "))


def parse_tribunal_grau(tribunal: str, grau: str) -> tuple[Tribunal, Grau]:
    """A tribunal and a grau that exists there, or one line on stderr and exit 2."""
    try:
        parsed = Tribunal.parse(tribunal)
        parsed_grau = parse_grau(grau)
        check_tribunal_grau(parsed, parsed_grau)
    except ValueError as exc:
        fail(str(exc))
    return parsed, parsed_grau


def session_factory() -> sessionmaker[Session]:
    """The session factory of the configured database."""
    return get_session_factory(get_settings().effective_database_url)
