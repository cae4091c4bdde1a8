"""Repositories: data access only, one class per area, each over a ``Session`` the caller owns."""

from __future__ import annotations

from sinesys_spiders.core.db.repositories._base import UNSET, Unset
from sinesys_spiders.core.db.repositories.advogados import AdvogadosRepository
from sinesys_spiders.core.db.repositories.credenciais import CredenciaisRepository, new_credencial_uuid
from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository

__all__ = [
    "UNSET",
    "AdvogadosRepository",
    "CredenciaisRepository",
    "TribunaisConfigRepository",
    "Unset",
    "new_credencial_uuid",
]
