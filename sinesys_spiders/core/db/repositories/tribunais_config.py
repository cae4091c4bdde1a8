"""Data access for ``tribunais_config``: per tribunal and grau overrides of the plugin's URLs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from sinesys_spiders.core.db.models import TribunalConfig
from sinesys_spiders.core.db.repositories._base import UNSET, Repository, Unset, as_text
from sinesys_spiders.core.domain import Grau, Tribunal

__all__ = ["TribunaisConfigRepository"]


class TribunaisConfigRepository(Repository):
    """Set, read, list and clear overrides."""

    def get(self, *, tribunal: Tribunal | str, grau: Grau | str) -> TribunalConfig | None:
        query = select(TribunalConfig).where(
            TribunalConfig.tribunal == as_text(tribunal), TribunalConfig.grau == as_text(grau)
        )
        return self.session.scalars(query).one_or_none()

    def set_override(
        self,
        *,
        tribunal: Tribunal | str,
        grau: Grau | str,
        base_url: str | Unset | None = UNSET,
        login_path: str | Unset | None = UNSET,
        api_path: str | Unset | None = UNSET,
        sso_url: str | Unset | None = UNSET,
        opcoes: dict[str, Any] | Unset = UNSET,
    ) -> TribunalConfig:
        """Create or change the override of one tribunal and grau; unpassed fields keep their value."""
        row = self.get(tribunal=tribunal, grau=grau)
        if row is None:
            row = TribunalConfig(tribunal=as_text(tribunal), grau=as_text(grau), opcoes={})
            self.session.add(row)
        self._apply(
            row,
            base_url=base_url,
            login_path=login_path,
            api_path=api_path,
            sso_url=sso_url,
            opcoes=opcoes if opcoes is UNSET else dict(opcoes),
        )
        self.session.flush()
        return row

    def list(self) -> Sequence[TribunalConfig]:
        """Every override, ordered by tribunal and grau."""
        query = select(TribunalConfig).order_by(TribunalConfig.tribunal, TribunalConfig.grau)
        return self.session.scalars(query).all()

    def clear(self, *, tribunal: Tribunal | str, grau: Grau | str) -> bool:
        """Remove the override (back to the plugin's defaults); ``False`` if there was none."""
        row = self.get(tribunal=tribunal, grau=grau)
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True
