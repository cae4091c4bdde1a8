"""captura_logs_brutos: payloads encrypted at rest (payload_cifrado); payload_bruto becomes legacy

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 04:00:00+00:00

Adds the nullable ``payload_cifrado`` (bytea / BLOB) and lets the legacy clear ``payload_bruto`` be NULL:
on PostgreSQL both are catalogue changes, with no rewrite of a large raw log. The migration cannot
encrypt the existing rows (it has no key): they stay readable as they are, and ``sinesys db
encrypt-rawlog`` (or ``sinesys credenciais rotate-key``) encrypts them afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("captura_logs_brutos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload_cifrado", sa.LargeBinary(), nullable=True))
        batch_op.alter_column("payload_bruto", existing_type=_JSON, nullable=True)


def downgrade() -> None:
    encrypted = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM captura_logs_brutos WHERE payload_cifrado IS NOT NULL")
    )
    if encrypted:
        raise RuntimeError(
            f"o log bruto tem {encrypted} página(s) cifrada(s), que a revisão 0002 não sabe guardar; "
            "apague-as (ou mantenha a revisão 0003) antes de voltar"
        )
    op.execute(sa.text("UPDATE captura_logs_brutos SET payload_bruto = 'null' WHERE payload_bruto IS NULL"))
    with op.batch_alter_table("captura_logs_brutos", schema=None) as batch_op:
        batch_op.alter_column("payload_bruto", existing_type=_JSON, nullable=False)
        batch_op.drop_column("payload_cifrado")
