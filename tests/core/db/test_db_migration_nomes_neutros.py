"""Migration 0005_i16 renames the PJE-named columns to neutral names and keeps every row (both back ends)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import inspect

from sinesys_spiders.core.db.engine import make_engine
from sinesys_spiders.core.db.migrate import alembic_config, current, head, upgrade
from sinesys_spiders.testing.db_fixtures import CreateDatabase

_AGORA = "2026-12-01 12:00:00+00:00"


def _linhas(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def _colunas(url: str, tabela: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns(tabela)}
    finally:
        engine.dispose()


def test_upgrade_keeps_rows_under_the_new_names_and_downgrade_restores_them(create_database: CreateDatabase) -> None:
    """A database at 0004_i13 with cases and catalogue rows keeps them, ids and payloads, across 0005 and back."""
    url = create_database(migrated=False)
    upgrade(url, "0004_i13")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO acervo (origem, id_pje, tribunal, grau, numero_processo, created_at, updated_at) "
                    "VALUES ('acervo_geral', 4242, 'TRT3', 'primeiro_grau', '0010001-23.2024.5.03.0001', :t, :t)"
                ),
                {"t": _AGORA},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO classes_judiciais (id_pje, tribunal, grau, descricao, dados_pje, created_at, "
                    "updated_at) VALUES (7, 'TRT3', 'primeiro_grau', 'Ação Trabalhista', :dados, :t, :t)"
                ),
                {"t": _AGORA, "dados": '{"id": 7, "sigla": "ATOrd"}'},
            )
    finally:
        engine.dispose()

    upgrade(url)
    assert current(url) == head()
    assert "id_externo" in _colunas(url, "acervo")
    assert "id_pje" not in _colunas(url, "acervo")
    assert {"id_advogado_externo"} <= _colunas(url, "sessoes")
    assert _linhas(url, "SELECT id_externo, numero_processo FROM acervo") == [(4242, "0010001-23.2024.5.03.0001")]
    [(id_externo, dados)] = _linhas(url, "SELECT id_externo, dados_origem FROM classes_judiciais")
    assert id_externo == 7
    assert "ATOrd" in str(dados)

    engine = make_engine(url)
    try:
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO acervo (origem, id_externo, tribunal, grau, numero_processo, created_at, "
                    "updated_at) VALUES ('acervo_geral', 4242, 'TRT3', 'primeiro_grau', "
                    "'0010001-23.2024.5.03.0001', :t, :t)"
                ),
                {"t": _AGORA},
            )
    finally:
        engine.dispose()

    command.downgrade(alembic_config(url), "0004_i13")
    assert "id_pje" in _colunas(url, "acervo")
    assert _linhas(url, "SELECT id_pje FROM acervo") == [(4242,)]
    assert "dados_pje" in _colunas(url, "classes_judiciais")
