"""Per-tribunal and grau overrides of the plugin's defaults (``tribunais_config``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sinesys_spiders.core.db.base import Base
from sinesys_spiders.core.db.types import JSONType, UTCDateTime
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["TribunalConfig"]


class TribunalConfig(Base):
    """URL overrides (``None`` = the plugin's default) and ``opcoes`` (concurrency, delay, timeouts)."""

    __tablename__ = "tribunais_config"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tribunal: Mapped[str] = mapped_column(String(8), nullable=False)
    grau: Mapped[str] = mapped_column(String(20), nullable=False)
    base_url: Mapped[str | None] = mapped_column(String(500))
    login_path: Mapped[str | None] = mapped_column(String(500))
    api_path: Mapped[str | None] = mapped_column(String(500))
    sso_url: Mapped[str | None] = mapped_column(String(500))
    opcoes: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("tribunal", "grau"),)

    def __repr__(self) -> str:
        return f"<TribunalConfig {self.tribunal}/{self.grau}>"
