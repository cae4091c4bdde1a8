"""All models of Sinesys Captura, re-exported from their private area modules."""

from __future__ import annotations

from sinesys_spiders.core.db.base import Base
from sinesys_spiders.core.db.models._advogados import Advogado, Credencial
from sinesys_spiders.core.db.models._tribunais import TribunalConfig

__all__ = ["Advogado", "Base", "Credencial", "TribunalConfig"]
