"""``sinesys db``: migrate the database, show its revision, encrypt the raw log's legacy pages."""

from __future__ import annotations

import click
from sqlalchemy.exc import SQLAlchemyError

from sinesys_spiders.cli._common import SinesysGroup, fail
from sinesys_spiders.cli._rawlog import RawLogReencryption
from sinesys_spiders.core.config import get_settings, mask_url
from sinesys_spiders.core.crypto import load_cipher
from sinesys_spiders.core.db.migrate import current, head, upgrade

__all__ = ["command", "db_group"]


def _url(url: str | None) -> str:
    return url or get_settings().effective_database_url


def _driver_error(exc: SQLAlchemyError, url: str) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return f"não foi possível usar o banco {mask_url(url)}: {reason}"


@click.group("db", cls=SinesysGroup)
def db_group() -> None:
    """The relational database (SINESYS_DATABASE_URL; default SQLite under var/)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@click.option("--url", default=None, help="Database URL instead of SINESYS_DATABASE_URL.")
def upgrade_command(revision: str, url: str | None) -> None:
    """Create or migrate the schema up to REVISION (creates var/ for SQLite)."""
    target = _url(url)
    try:
        upgrade(target, revision)
        reached = current(target)
    except ValueError as exc:
        fail(str(exc))
    except SQLAlchemyError as exc:
        fail(_driver_error(exc, target), code=1)
    click.echo(f"{mask_url(target)}: revisão {reached}")
    reselados = _reselar_credenciais(target)
    if reselados:
        click.echo(f"{reselados} credenciais re-cifradas vinculadas ao seu tribunal e grau")


def _reselar_credenciais(target: str) -> int:
    """Bind credential secrets written before issue 17 to their tribunal and grau, when the key is at hand.

    Without a key (no SINESYS_SECRET_KEY, no key file) nothing is done here: each credential is re-sealed the
    first time a capture reads it.
    """
    settings = get_settings()
    if settings.secret_key is None and not settings.effective_secret_key_file.exists():
        return 0
    from sinesys_spiders.core.credenciais import CredenciaisService
    from sinesys_spiders.core.db import get_session_factory

    return CredenciaisService(get_session_factory(target), load_cipher(settings), cache_ttl=0).reselar_legado()


@db_group.command("current")
@click.option("--url", default=None, help="Database URL instead of SINESYS_DATABASE_URL.")
def current_command(url: str | None) -> None:
    """Print the database's revision and whether it is the newest."""
    target = _url(url)
    try:
        revision = current(target)
    except SQLAlchemyError as exc:
        fail(_driver_error(exc, target), code=1)
    newest = head()
    if revision is None:
        click.echo(f"{mask_url(target)}: não migrado (rode `sinesys db upgrade`; a mais nova é {newest})")
    elif revision == newest:
        click.echo(f"{mask_url(target)}: revisão {revision} (a mais nova)")
    else:
        click.echo(f"{mask_url(target)}: revisão {revision} (a mais nova é {newest}; rode `sinesys db upgrade`)")


@db_group.command("encrypt-rawlog")
@click.option("--batch-size", default=200, show_default=True, type=click.IntRange(1, 10_000), help="Pages per batch.")
def encrypt_rawlog_command(batch_size: int) -> None:
    """Encrypt the raw-log pages stored in clear before revision 0003 (SQL or MongoDB), in batches.

    Safe to run at any time and again: pages already encrypted are left as they are.
    """
    settings = get_settings()
    cipher = load_cipher(settings)
    rawlog = RawLogReencryption(settings, cipher, cipher, batch_size=batch_size)
    rawlog.run()
    click.echo(rawlog.summary())
    if rawlog.warning():
        click.echo(rawlog.warning(), err=True)


command = db_group
