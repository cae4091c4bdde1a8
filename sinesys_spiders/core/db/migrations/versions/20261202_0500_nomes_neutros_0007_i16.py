"""neutral names, second part: the remaining ``*_pje`` columns become ``*_externo`` (``alterado_origem_em``)

Revision ID: 0007_i16
Revises: 0006_i17
Create Date: 2026-12-02 05:00:00+00:00

The case, person, document, municipality and catalogue ids a tribunal plugin fills are named for no tribunal
system (``id_processo_externo``, ``id_pessoa_externo``, ``id_documento_externo``, ``md5_externo``,
``orgao_julgador_id_externo``...), and ``enderecos.alterado_pje_em`` becomes ``alterado_origem_em``. Only renames:
rows are kept. Columns are renamed in place on both back ends (no table rewrite; CHECK and index expressions
follow the column). On PostgreSQL the unique constraint and the partial unique index are renamed in the catalogue;
on SQLite ``timelines`` is rebuilt by Alembic's batch mode (with its data) to rename its constraint, and the partial
unique index of ``partes`` is dropped before and created again after.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_i16"
down_revision: str | Sequence[str] | None = "0006_i17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, old column, new column) for every renamed column.
COLUNAS: tuple[tuple[str, str, str], ...] = (
    ("partes", "id_pessoa_pje", "id_pessoa_externo"),
    ("representantes", "id_pessoa_pje", "id_pessoa_externo"),
    ("enderecos", "id_municipio_pje", "id_municipio_externo"),
    ("enderecos", "alterado_pje_em", "alterado_origem_em"),
    ("processo_partes", "id_pessoa_pje", "id_pessoa_externo"),
    ("timelines", "id_processo_pje", "id_processo_externo"),
    ("timeline_itens", "id_processo_pje", "id_processo_externo"),
    ("documentos", "id_processo_pje", "id_processo_externo"),
    ("documentos", "id_documento_pje", "id_documento_externo"),
    ("documentos", "md5_pje", "md5_externo"),
    ("salas_audiencia", "orgao_julgador_id_pje", "orgao_julgador_id_externo"),
    ("audiencias", "id_processo_pje", "id_processo_externo"),
)

#: (table, old name, new name, columns after the rename) of every unique constraint named after a renamed column.
UNICAS: tuple[tuple[str, str, str, list[str]], ...] = (
    (
        "timelines",
        "uq_timelines_id_processo_pje",
        "uq_timelines_id_processo_externo",
        ["id_processo_externo", "tribunal", "grau"],
    ),
)

#: The partial unique index of ``partes`` (parties with neither CPF nor CNPJ are keyed by person id and tribunal).
_SEM_DOCUMENTO = "cpf IS NULL AND cnpj IS NULL"
_INDICE_PARTES = ("uq_partes_id_pessoa_pje_tribunal", "uq_partes_id_pessoa_externo_tribunal")


def _renomear(tabela: str, colunas: dict[str, str], unicas: list[tuple[str, str, list[str]]]) -> None:
    """Rename one table's columns and unique constraints (``colunas``: old -> new)."""
    if op.get_bind().dialect.name == "postgresql":
        for velho, novo in colunas.items():
            op.alter_column(tabela, velho, new_column_name=novo)
        for velho, novo, _ in unicas:
            op.execute(f'ALTER TABLE "{tabela}" RENAME CONSTRAINT "{velho}" TO "{novo}"')
        return
    # SQLite (3.25+) renames a column in place and rewrites the CHECK and index expressions that name it (a batch
    # rebuild would copy the ``partes`` CHECK with the old column name); a rebuild then renames the constraints.
    for velho, novo in colunas.items():
        op.execute(f'ALTER TABLE "{tabela}" RENAME COLUMN "{velho}" TO "{novo}"')
    if not unicas:
        return
    with op.batch_alter_table(tabela, schema=None, recreate="always") as batch_op:
        for velho, novo, cols in unicas:
            batch_op.drop_constraint(velho, type_="unique")
            batch_op.create_unique_constraint(novo, cols)


def _migrar(*, para_frente: bool) -> None:
    velho_ix, novo_ix = _INDICE_PARTES if para_frente else _INDICE_PARTES[::-1]
    coluna_ix = "id_pessoa_externo" if para_frente else "id_pessoa_pje"
    postgresql = op.get_bind().dialect.name == "postgresql"
    if not postgresql:
        op.drop_index(velho_ix, table_name="partes")
    for tabela in dict.fromkeys(t for t, _, _ in COLUNAS):
        colunas = {v: n for t, v, n in COLUNAS if t == tabela}
        unicas = [(v, n, c) for t, v, n, c in UNICAS if t == tabela]
        if not para_frente:
            volta = {n: v for v, n in colunas.items()}
            unicas = [(n, v, [volta.get(x, x) for x in c]) for v, n, c in unicas]
            colunas = volta
        _renomear(tabela, colunas, unicas)
    if postgresql:
        op.execute(f'ALTER INDEX "{velho_ix}" RENAME TO "{novo_ix}"')
    else:
        op.create_index(novo_ix, "partes", [coluna_ix, "tribunal"], unique=True, sqlite_where=sa.text(_SEM_DOCUMENTO))


def upgrade() -> None:
    _migrar(para_frente=True)


def downgrade() -> None:
    _migrar(para_frente=False)
