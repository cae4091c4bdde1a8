"""The effective endpoint of a tribunal and grau: the plugin's default, with any database override."""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.db.engine import session_scope
from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.tribunais import PluginRegistry, TribunalEndpoint

__all__ = ["effective_endpoint"]


def effective_endpoint(
    registry: PluginRegistry, factory: sessionmaker[Session], tribunal: Tribunal, grau: Grau
) -> TribunalEndpoint:
    """``registry``'s endpoint with the ``tribunais_config`` override (base URL, paths) applied."""
    endpoint = registry.endpoint(tribunal, grau)
    with session_scope(factory=factory) as session:
        row = TribunaisConfigRepository(session).get(tribunal=tribunal, grau=grau)
        if row is None:
            return endpoint
        changes = {
            name: value
            for name in ("base_url", "login_path", "api_path")
            if (value := getattr(row, name)) not in (None, "")
        }
    if "base_url" in changes:
        changes["base_url"] = changes["base_url"].rstrip("/")
    return dataclasses.replace(endpoint, **changes)
