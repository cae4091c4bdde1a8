"""Browser logins outside a crawl, for ``daily_cycle``: the very login a crawl makes (Chromium, the plugin's flow, the
production pauses of :class:`~sinesys_spiders.core.tribunais.LoginTimeouts`), handed over as an ``httpx`` client.

:class:`LoginNavegador` logs a credential in again each time (its stored session is dropped first), as the existing
system does for every capture type and filter, and keeps how long each login took.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.browser import resolve_browser
from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.credenciais import CredenciaisService, Credencial
from sinesys_spiders.core.crypto import Cipher
from sinesys_spiders.core.endpoints import EndpointResolver
from sinesys_spiders.core.locks import SqlLockBackend
from sinesys_spiders.core.sessions import SqlSessionStore
from sinesys_spiders.core.tribunais import LoginTimeouts, get_registry
from sinesys_spiders.login.manager import SessionManager

__all__ = ["LoginNavegador"]


class LoginNavegador:
    """A new browser login of a credential on each :meth:`entrar`; ``segundos`` holds each login's duration."""

    def __init__(self, factory: sessionmaker[Session], cipher: Cipher) -> None:
        registry = get_registry()
        service = CredenciaisService(factory, cipher, cache_ttl=0)
        resolver = EndpointResolver(factory, registry)

        def irmas(credencial: Credencial) -> list[int]:
            todas = service.for_advogado(credencial.advogado_id, active_only=False)
            return [c.id for c in todas if c.usuario == credencial.usuario]

        self._store = SqlSessionStore(factory, cipher)
        self._manager = SessionManager(
            store=self._store,
            locks=SqlLockBackend(factory),
            credenciais=service.get,
            registry=registry,
            irmas=irmas,
            endpoint_for=lambda t, g: resolver.get(t, g).endpoint,
            browser=resolve_browser(Settings()),
            timeouts=LoginTimeouts(),  # a crawl's own: the production pauses
            recheck=0.0,
        )
        self.segundos: list[float] = []

    def entrar(self, credencial_id: int) -> httpx.Client:
        """Log in afresh in Chromium; a client carrying the new session's cookies."""
        self._store.invalidate(credencial_id)
        inicio = time.monotonic()
        sessao = asyncio.run(self._manager.get(credencial_id))
        self.segundos.append(time.monotonic() - inicio)
        cookies = httpx.Cookies()
        for cookie in sessao.cookies_for():
            cookies.set(cookie["name"], cookie["value"])
        return httpx.Client(cookies=cookies, timeout=30, follow_redirects=True)

    def mediana(self) -> float:
        return statistics.median(self.segundos) if self.segundos else 0.0
