"""Run the Alembic migrations shipped inside the package: ``upgrade(url)`` and ``current(url)``."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import pool
from sqlalchemy.engine import make_url

from sinesys_spiders.core.db.engine import make_engine, normalize_url
from sinesys_spiders.core.privado import pasta_privada

__all__ = ["ALEMBIC_INI", "alembic_config", "check_revision", "current", "ensure_sqlite_dir", "head", "upgrade"]

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration of the package, pointed at ``url`` (default: the settings' URL)."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.with_name("migrations")))
    if url is not None:
        config.attributes["url"] = url
    return config


def ensure_sqlite_dir(url: str) -> None:
    """Create the folder of a SQLite file URL (``var/`` by default); nothing for other back ends."""
    sa_url = make_url(normalize_url(url))
    if sa_url.get_backend_name() == "sqlite" and sa_url.database and sa_url.database != ":memory:":
        pasta_privada(Path(sa_url.database).parent)


def check_revision(revision: str) -> None:
    """Raise ``ValueError`` naming the known revisions when ``revision`` is not one of ours."""
    script = ScriptDirectory.from_config(alembic_config())
    try:
        found = script.get_revisions(revision)
    except (CommandError, RevisionError):
        found = ()
    if not found or any(r is None for r in found):
        known = ", ".join(r.revision for r in script.walk_revisions())
        raise ValueError(f"revisão desconhecida: {revision!r} (use head ou uma de: {known})")


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision`` (creating a SQLite file's folder)."""
    check_revision(revision)
    ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)


def head() -> str:
    """The newest revision shipped with the code.

    Read from the migration files themselves when the package runs from a zipped egg (a Scrapyd deployment),
    where Alembic cannot open its scripts folder.
    """
    if not ALEMBIC_INI.with_name("migrations").is_dir():
        return _head_from_resources()
    script = ScriptDirectory.from_config(alembic_config())
    revision = script.get_current_head()
    if revision is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError("no migrations found")
    return revision


_REVISION = re.compile(r"^revision(?:: str)? = ['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision(?:: [^=]+)? = ['\"]([^'\"]+)['\"]", re.M)


def _head_from_resources() -> str:
    versions = resources.files(__package__) / "migrations" / "versions"
    revisions, parents = set(), set()
    for entry in versions.iterdir():
        if entry.name.endswith(".py"):
            text = entry.read_text(encoding="utf-8")
            if found := _REVISION.search(text):
                revisions.add(found.group(1))
            if down := _DOWN.search(text):
                parents.add(down.group(1))
    heads = sorted(revisions - parents)
    if len(heads) != 1:  # pragma: no cover - the package always ships one head
        raise RuntimeError(f"migrations with {len(heads)} heads: {heads}")
    return heads[0]


def current(url: str) -> str | None:
    """The revision the database at ``url`` is at; ``None`` when it was never migrated.

    A SQLite file that does not exist is reported as never migrated, and is not created.
    """
    sa_url = make_url(normalize_url(url))
    is_file = sa_url.get_backend_name() == "sqlite" and sa_url.database and sa_url.database != ":memory:"
    if is_file and not Path(str(sa_url.database)).exists():
        return None
    engine = make_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
