"""credenciais: the last permanent login failure (code, message, time)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 02:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credenciais", schema=None) as batch_op:
        batch_op.add_column(sa.Column("falha_login_codigo", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("falha_login_mensagem", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("falha_login_em", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credenciais", schema=None) as batch_op:
        batch_op.drop_column("falha_login_em")
        batch_op.drop_column("falha_login_mensagem")
        batch_op.drop_column("falha_login_codigo")
