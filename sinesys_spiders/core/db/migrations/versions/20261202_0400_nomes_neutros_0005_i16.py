"""neutral names: id_pje -> id_externo, dados_pje -> dados_origem, sessoes.id_advogado_pje -> id_advogado_externo

Revision ID: 0005_i16
Revises: 0004_i13
Create Date: 2026-12-02 04:00:00+00:00

The columns a tribunal plugin fills are named for no tribunal system: ``id_externo`` is the record's id in the
tribunal's system, ``dados_origem`` the record as the tribunal answered it. Rows are kept: on PostgreSQL the
columns, unique constraints and indexes are renamed in the catalogue (no table rewrite); on SQLite each table is
rebuilt by Alembic's batch mode with its data.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005_i16"
down_revision: str | Sequence[str] | None = "0004_i13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, old column, new column) for every renamed column.
COLUNAS: tuple[tuple[str, str, str], ...] = (
    ("classes_judiciais", "id_pje", "id_externo"),
    ("classes_judiciais", "dados_pje", "dados_origem"),
    ("enderecos", "id_pje", "id_externo"),
    ("enderecos", "dados_pje", "dados_origem"),
    ("orgaos_julgadores", "id_pje", "id_externo"),
    ("orgaos_julgadores", "dados_pje", "dados_origem"),
    ("partes", "dados_pje", "dados_origem"),
    ("representantes", "dados_pje", "dados_origem"),
    ("timeline_itens", "id_pje", "id_externo"),
    ("timeline_itens", "dados_pje", "dados_origem"),
    ("tipos_audiencia", "id_pje", "id_externo"),
    ("salas_audiencia", "id_pje", "id_externo"),
    ("sessoes", "id_advogado_pje", "id_advogado_externo"),
    ("acervo", "id_pje", "id_externo"),
    ("audiencias", "id_pje", "id_externo"),
    ("expedientes", "id_pje", "id_externo"),
    ("processo_partes", "id_pje", "id_externo"),
    ("processo_partes", "dados_pje", "dados_origem"),
)

#: (table, old name, new name, columns after the rename) of every unique constraint named after a renamed column.
UNICAS: tuple[tuple[str, str, str, list[str]], ...] = tuple(
    (tabela, f"uq_{tabela}_id_pje", f"uq_{tabela}_id_externo", ["id_externo", *resto])
    for tabela, resto in (
        ("classes_judiciais", ["tribunal", "grau"]),
        ("enderecos", ["entidade_tipo", "entidade_id"]),
        ("orgaos_julgadores", ["tribunal", "grau"]),
        ("acervo", ["tribunal", "grau", "numero_processo"]),
        ("audiencias", ["tribunal", "grau"]),
    )
)

#: (table, old name, new name, columns after the rename) of every index named after a renamed column.
INDICES: tuple[tuple[str, str, str, list[str]], ...] = (
    (
        "acervo",
        "ix_acervo_tribunal_grau_id_pje",
        "ix_acervo_tribunal_grau_id_externo",
        ["tribunal", "grau", "id_externo"],
    ),
)


_Renomes = list[tuple[str, str, list[str]]]


def _renomear(tabela: str, colunas: dict[str, str], unicas: _Renomes, indices: _Renomes) -> None:
    """Rename one table's columns, unique constraints and indexes (``colunas``: old -> new)."""
    if op.get_bind().dialect.name == "postgresql":
        for velho, novo in colunas.items():
            op.alter_column(tabela, velho, new_column_name=novo)
        for velho, novo, _ in unicas:
            op.execute(f'ALTER TABLE "{tabela}" RENAME CONSTRAINT "{velho}" TO "{novo}"')
        for velho, novo, _ in indices:
            op.execute(f'ALTER INDEX "{velho}" RENAME TO "{novo}"')
        return
    with op.batch_alter_table(tabela, schema=None, recreate="always") as batch_op:
        for velho, novo in colunas.items():
            batch_op.alter_column(velho, new_column_name=novo)
    if not unicas and not indices:
        return
    # A second rebuild: the first one carried the constraints over under their old names.
    with op.batch_alter_table(tabela, schema=None, recreate="always") as batch_op:
        for velho, novo, cols in unicas:
            batch_op.drop_constraint(velho, type_="unique")
            batch_op.create_unique_constraint(novo, cols)
        for velho, novo, cols in indices:
            batch_op.drop_index(velho)
            batch_op.create_index(novo, cols, unique=False)


def _migrar(*, para_frente: bool) -> None:
    tabelas = list(dict.fromkeys(t for t, _, _ in COLUNAS))
    for tabela in tabelas:
        colunas = {v: n for t, v, n in COLUNAS if t == tabela}
        unicas = [(v, n, c) for t, v, n, c in UNICAS if t == tabela]
        indices = [(v, n, c) for t, v, n, c in INDICES if t == tabela]
        if not para_frente:
            volta = {n: v for v, n in colunas.items()}
            unicas = [(n, v, [volta.get(x, x) for x in c]) for v, n, c in unicas]
            indices = [(n, v, [volta.get(x, x) for x in c]) for v, n, c in indices]
            colunas = volta
        _renomear(tabela, colunas, unicas, indices)


def upgrade() -> None:
    _migrar(para_frente=True)


def downgrade() -> None:
    _migrar(para_frente=False)
