"""Migrations build the schema from nothing, and the models equal what they build."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from sinesys_spiders.core.db.engine import make_engine
from sinesys_spiders.core.db.migrate import current, head, upgrade
from sinesys_spiders.core.db.models import Base
from sinesys_spiders.testing.db_fixtures import CreateDatabase


def test_upgrade_from_empty_to_head(create_database: CreateDatabase) -> None:
    """An empty database migrates to head and then holds every table of the models."""
    url = create_database(migrated=False)
    assert current(url) is None
    upgrade(url)
    assert current(url) == head()
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    """Running upgrade on a database already at head changes nothing."""
    upgrade(database_url)
    assert current(database_url) == head()


def test_models_equal_migrations(engine: Engine) -> None:
    """Alembic finds no difference between the models and the migrated schema (types and defaults too)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_constraint_names_are_explicit_and_fit_postgres(engine: Engine) -> None:
    """Every constraint and index has a convention name PostgreSQL keeps whole (63 characters)."""
    names = []
    for table in Base.metadata.sorted_tables:
        names += [str(c.name) for c in table.constraints] + [str(i.name) for i in table.indexes]
    assert all(name and name != "None" for name in names)
    assert max(len(name) for name in names) <= 63
    reflected = inspect(engine)
    assert {uq["name"] for uq in reflected.get_unique_constraints("expedientes")} == {"uq_expedientes_chave"}
