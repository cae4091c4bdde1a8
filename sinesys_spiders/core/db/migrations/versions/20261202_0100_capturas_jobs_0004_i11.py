"""capturas_log: captures as jobs (who asked, the job that runs it, heartbeat, cancel) and status cancelled

Revision ID: 0004_i11
Revises: 0003
Create Date: 2026-12-02 01:00:00+00:00

Adds nullable columns (``origem`` has a server default, so existing rows read ``cli``) and widens the status check
to ``cancelled``. On PostgreSQL every change is a catalogue change, with no rewrite of a long history; SQLite
rebuilds the table (batch mode).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_i11"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUS_OLD = "status IN ('pending', 'in_progress', 'completed', 'failed')"
_STATUS_NEW = "status IN ('pending', 'in_progress', 'completed', 'failed', 'cancelled')"
_ORIGEM = "origem IN ('cli', 'api', 'agendamento', 'recovery')"


def upgrade() -> None:
    with op.batch_alter_table("capturas_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origem", sa.String(length=20), server_default="cli", nullable=False))
        batch_op.add_column(sa.Column("solicitante", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("agendamento_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("agendado_para", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("runner", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("job_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("node", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_em", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("motivo_pendente", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("cancelamento_pedido_em", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_capturas_log_agendamento_id"),
            "agendamentos",
            ["agendamento_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_capturas_log_agendamento_id"), ["agendamento_id"], unique=False)
        batch_op.create_index("ix_capturas_log_status_heartbeat_em", ["status", "heartbeat_em"], unique=False)
        batch_op.drop_constraint(batch_op.f("ck_capturas_log_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_capturas_log_status"), _STATUS_NEW)
        batch_op.create_check_constraint(batch_op.f("ck_capturas_log_origem"), _ORIGEM)


def downgrade() -> None:
    cancelled = op.get_bind().scalar(sa.text("SELECT count(*) FROM capturas_log WHERE status = 'cancelled'"))
    if cancelled:
        raise RuntimeError(
            f"{cancelled} capturas canceladas: a revisão 0003 não conhece o status cancelled; "
            "mude-as para failed antes de voltar"
        )
    with op.batch_alter_table("capturas_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_capturas_log_origem"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_capturas_log_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_capturas_log_status"), _STATUS_OLD)
        batch_op.drop_index("ix_capturas_log_status_heartbeat_em")
        batch_op.drop_index(batch_op.f("ix_capturas_log_agendamento_id"))
        batch_op.drop_constraint(batch_op.f("fk_capturas_log_agendamento_id"), type_="foreignkey")
        for column in (
            "cancelamento_pedido_em",
            "motivo_pendente",
            "heartbeat_em",
            "node",
            "job_id",
            "runner",
            "agendado_para",
            "agendamento_id",
            "solicitante",
            "origem",
        ):
            batch_op.drop_column(column)
