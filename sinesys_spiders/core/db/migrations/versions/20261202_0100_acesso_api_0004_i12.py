"""API access: usuarios_api, chaves_api, sessoes_api; advogados.ativo

Revision ID: 0004_i12
Revises: 0004_i11
Create Date: 2026-12-02 01:00:00+00:00

Three new tables for the REST API's authentication (local users, service keys, cookie sessions) and a
``NOT NULL DEFAULT true`` flag on ``advogados`` (a catalogue change on PostgreSQL 11+, no table rewrite).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_i12"
down_revision: str | Sequence[str] | None = "0004_i11"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "usuarios_api",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("nome", sa.String(length=255), nullable=True),
        sa.Column("senha_hash", sa.String(length=255), nullable=False),
        sa.Column("escopos", _JSON, nullable=False),
        sa.Column("ativo", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usuarios_api")),
        sa.UniqueConstraint("login", name=op.f("uq_usuarios_api_login")),
    )
    op.create_table(
        "chaves_api",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nome", sa.String(length=100), nullable=False),
        sa.Column("prefixo", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("escopos", _JSON, nullable=False),
        sa.Column("criada_em", _TS, nullable=False),
        sa.Column("expira_em", _TS, nullable=True),
        sa.Column("revogada_em", _TS, nullable=True),
        sa.Column("ultimo_uso_em", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chaves_api")),
        sa.UniqueConstraint("nome", name=op.f("uq_chaves_api_nome")),
        sa.UniqueConstraint("prefixo", name=op.f("uq_chaves_api_prefixo")),
    )
    op.create_table(
        "sessoes_api",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("csrf_digest", sa.String(length=64), nullable=False),
        sa.Column("usuario_id", sa.Integer(), nullable=False),
        sa.Column("criada_em", _TS, nullable=False),
        sa.Column("ultimo_uso_em", _TS, nullable=False),
        sa.Column("expira_em", _TS, nullable=False),
        sa.Column("revogada_em", _TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["usuario_id"], ["usuarios_api.id"], name=op.f("fk_sessoes_api_usuario_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessoes_api")),
        sa.UniqueConstraint("digest", name=op.f("uq_sessoes_api_digest")),
    )
    op.create_index(op.f("ix_sessoes_api_usuario_id"), "sessoes_api", ["usuario_id"], unique=False)
    with op.batch_alter_table("advogados", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ativo", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("advogados", schema=None) as batch_op:
        batch_op.drop_column("ativo")
    op.drop_index(op.f("ix_sessoes_api_usuario_id"), table_name="sessoes_api")
    op.drop_table("sessoes_api")
    op.drop_table("chaves_api")
    op.drop_table("usuarios_api")
