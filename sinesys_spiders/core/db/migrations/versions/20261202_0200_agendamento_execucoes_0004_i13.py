"""agendamento_execucoes: one row per schedule run (schedule, scheduled time, attempt), claimed with a lease

Revision ID: 0004_i13
Revises: 0004_i12
Create Date: 2026-12-02 02:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_i13"
down_revision: str | Sequence[str] | None = "0004_i12"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agendamento_execucoes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agendamento_id", sa.Integer(), nullable=False),
        sa.Column("agendado_para", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tentativa", sa.Integer(), nullable=False),
        sa.Column(
            "credencial_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("atrasada", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("manual", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("nao_antes_de", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dono", sa.String(length=64), nullable=True),
        sa.Column("reivindicada_ate", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reivindicacoes", sa.Integer(), nullable=False),
        sa.Column("captura_id", sa.Integer(), nullable=True),
        sa.Column("despachada_em", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erro", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pendente', 'reivindicada', 'despachada', 'concluida', 'falhou')",
            name=op.f("ck_agendamento_execucoes_status"),
        ),
        sa.ForeignKeyConstraint(
            ["agendamento_id"], ["agendamentos.id"], name=op.f("fk_agendamento_execucoes_agendamento_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["captura_id"], ["capturas_log.id"], name=op.f("fk_agendamento_execucoes_captura_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agendamento_execucoes")),
        sa.UniqueConstraint("agendamento_id", "agendado_para", "tentativa", name="uq_agendamento_execucoes_vez"),
    )  # fmt: skip
    op.create_index("ix_agendamento_execucoes_status_nao_antes_de", "agendamento_execucoes", ["status", "nao_antes_de"])


def downgrade() -> None:
    op.drop_index("ix_agendamento_execucoes_status_nao_antes_de", table_name="agendamento_execucoes")
    op.drop_table("agendamento_execucoes")
