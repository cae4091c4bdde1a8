"""Authenticated data requests: the credential's session cookies in, an expired session replaced.

A request that carries ``meta["credencial_id"]`` gets the credential's stored session (or one new
login, see :class:`~sinesys_spiders.login.SessionManager`) and goes out through Scrapy's ordinary
HTTP downloader in the cookie jar of that session (``meta["cookiejar"] = "sessao:<id>:<session>"``,
seeded with the session's cookies on its first request; Scrapy's ``CookiesMiddleware`` keeps it up
to date from ``Set-Cookie``). Data requests never go through the browser.

A response that means the session expired (401/403, a redirect to the login, or a 200 that is the
login page; the plugin decides; a 403 is first checked against the plugin's keep-alive URL, as PJE
also answers 403 for a single case the lawyer may not see) invalidates the session, logs in once
more and replays the request. If the replayed request is rejected again, the credential fails with
``SESSAO_EXPIRADA``: its requests are dropped with :class:`CredencialFalhou` (an ``IgnoreRequest``;
errbacks receive it) and the spider's ``credencial_falhou(credencial_id, error)`` is called if it
has one. Login failures (``SENHA_INVALIDA``, ``OTP_INVALIDO``, ``BLOQUEIO_WAF``, ...) stop the
credential the same way. Items already yielded are untouched.

Settings: ``SESSION_ENABLED`` (default on), ``SESSION_MAX_RELOGINS`` (per credential and crawl,
default 3), ``SESSION_TOUCH_INTERVAL`` (seconds between idle-time updates in the store, default 60).
Per request: ``meta["credencial_id"]`` (an int), ``meta["sessao_skip"]`` to leave it alone.
Stats: ``sessao/relogins``, ``sessao/expiradas``, ``sessao/falhas/<CODIGO>``.

The spider and the middleware share one manager: :func:`session_manager_for` (the spider's
``session_manager`` attribute if it has one, else one built from the project's settings).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from scrapy import Request as ScrapyRequest
from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured

from sinesys_spiders import sinais
from sinesys_spiders.core.errors import SessaoExpirada, SinesysError

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from sinesys_spiders.core.tribunais import LoginFlow
    from sinesys_spiders.login.manager import SessionManager

__all__ = ["CredencialFalhou", "SessionMiddleware", "session_manager_for"]

logger = logging.getLogger(__name__)

META_CREDENCIAL = "credencial_id"
META_SESSAO = "sessao_id"
META_RELOGIN = "sessao_relogin"


def session_manager_for(crawler: Crawler) -> SessionManager:
    """The session manager of a crawl, shared by its spider and this middleware.

    The spider's ``session_manager`` attribute when it has one (tests, benchmarks), else one built
    from the project's settings on first use and kept on the crawler. A spider calls
    ``await session_manager_for(self.crawler).get(credencial_id)`` to learn the session's lawyer id.
    """
    manager = getattr(crawler.spider, "session_manager", None)
    if manager is None:
        manager = getattr(crawler, "_sinesys_session_manager", None)
    if manager is None:
        from sinesys_spiders.login.manager import SessionManager

        manager = SessionManager.from_settings()
        crawler._sinesys_session_manager = manager  # type: ignore[attr-defined]
    return manager


class CredencialFalhou(IgnoreRequest):
    """A request dropped because its credential failed (login refused, session rejected twice)."""

    def __init__(self, credencial_id: int, error: SinesysError) -> None:
        super().__init__(f"credencial {credencial_id}: {error}")
        self.credencial_id = credencial_id
        self.error = error


class SessionMiddleware:
    """Session cookies per credential, and one re-login when the tribunal rejects the session."""

    def __init__(self, crawler: Crawler, *, max_relogins: int = 3, touch_interval: float = 60.0) -> None:
        self.crawler = crawler
        self.max_relogins = max_relogins
        self.touch_interval = touch_interval
        self._manager: SessionManager | None = None
        self._seeded: set[str] = set()
        self._flows: dict[int, LoginFlow] = {}
        self._relogins: dict[int, int] = {}
        self._renewed: dict[int, set[str]] = {}
        self._touched: dict[int, float] = {}
        self._probes: dict[int, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("SESSION_ENABLED", True):
            raise NotConfigured
        middleware = cls(
            crawler,
            max_relogins=settings.getint("SESSION_MAX_RELOGINS", 3),
            touch_interval=settings.getfloat("SESSION_TOUCH_INTERVAL", 60.0),
        )
        crawler.signals.connect(middleware._spider_closed, signal=signals.spider_closed)
        return middleware

    async def _spider_closed(self) -> None:
        """The crawl is over: the session manager's shared browser is closed."""
        manager = (  # only a manager that exists: none is built to be closed
            self._manager
            or getattr(self.crawler, "_sinesys_session_manager", None)
            or getattr(self.crawler.spider, "_session_manager", None)
        )
        if manager is not None and hasattr(manager, "fechar"):
            await manager.fechar()

    @property
    def manager(self) -> SessionManager:
        if self._manager is None:
            self._manager = session_manager_for(self.crawler)
        return self._manager

    # -- requests ------------------------------------------------------------------------------

    async def process_request(self, request: Request) -> None:
        credencial_id = request.meta.get(META_CREDENCIAL)
        if credencial_id is None or request.meta.get("sessao_skip"):
            return
        try:
            sessao = await self.manager.get(int(credencial_id))
        except SinesysError as exc:
            self._fail(int(credencial_id), exc)
            raise CredencialFalhou(int(credencial_id), exc) from None
        jar = f"sessao:{credencial_id}:{sessao.session_id}"
        request.meta["cookiejar"] = jar
        request.meta[META_SESSAO] = sessao.session_id
        if jar not in self._seeded:
            self._seeded.add(jar)
            # Scrapy annotates cookie dicts as its ``VerboseCookie`` TypedDict; these carry the same keys.
            request.cookies = sessao.cookies_for(request.url)  # type: ignore[assignment]

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        credencial_id = request.meta.get(META_CREDENCIAL)
        if credencial_id is None or request.meta.get("sessao_skip"):
            return response
        credencial_id = int(credencial_id)
        if not self._expired(credencial_id, response) or await self._alive_despite_403(request, response):
            self._touch(credencial_id)
            return response
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("sessao/expiradas")
        relogins = self._relogins.get(credencial_id, 0)
        if request.meta.get(META_RELOGIN) or relogins >= self.max_relogins:
            error = SessaoExpirada(
                f"a sessão da credencial {credencial_id} foi recusada de novo após novo login (HTTP {response.status})"
            )
            self._fail(credencial_id, error)
            raise CredencialFalhou(credencial_id, error)
        try:
            sessao = await self.manager.relogin(credencial_id, request.meta.get(META_SESSAO))
        except SinesysError as exc:
            self._fail(credencial_id, exc)
            raise CredencialFalhou(credencial_id, exc) from None
        # Concurrent rejections of one session share one new session: count it once.
        renewed = self._renewed.setdefault(credencial_id, set())
        if sessao.session_id not in renewed:
            renewed.add(sessao.session_id)
            self._relogins[credencial_id] = self._relogins.get(credencial_id, 0) + 1
            if stats is not None:
                stats.inc_value("sessao/relogins")
        logger.info("credencial %s: replaying %s with a new session", credencial_id, request.url)
        meta = {k: v for k, v in request.meta.items() if k not in ("cookiejar", META_SESSAO)}
        meta[META_RELOGIN] = 1
        return request.replace(meta=meta, dont_filter=True)

    # -- helpers -------------------------------------------------------------------------------

    def _expired(self, credencial_id: int, response: Response) -> bool:
        flow = self._flow(credencial_id)
        location = response.headers.get(b"Location")
        url = (
            response.urljoin(location.decode("latin-1")) if location and 300 <= response.status < 400 else response.url
        )
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        return flow.sessao_expirada(status=response.status, url=url, content_type=content_type, body=response.body)

    async def _alive_despite_403(self, request: Request, response: Response) -> bool:
        """A 403 may refuse one resource only: ask the plugin's keep-alive URL whether the session lives."""
        if response.status != 403 or "cookiejar" not in request.meta:
            return False
        url = self._probes.get(int(request.meta[META_CREDENCIAL]), "")
        if url == "":
            url = self._probes[int(request.meta[META_CREDENCIAL])] = self.manager.probe_url(
                int(request.meta[META_CREDENCIAL])
            )
        if not url:
            return False
        probe = ScrapyRequest(
            url,
            dont_filter=True,
            headers={"Accept": "application/json"},
            meta={
                "cookiejar": request.meta["cookiejar"],
                "sessao_skip": True,
                "dont_retry": True,
                "handle_httpstatus_all": True,
                "dont_redirect": True,
            },
        )
        assert self.crawler.engine is not None
        answer = await self.crawler.engine.download_async(probe)
        alive = answer.status == 200
        if alive:
            logger.debug("403 on %s with a live session: a refusal of that resource, not an expiry", request.url)
        return alive

    def _flow(self, credencial_id: int) -> LoginFlow:
        flow = self._flows.get(credencial_id)
        if flow is None:
            flow = self._flows[credencial_id] = self.manager.flow_for(credencial_id)
        return flow

    def _touch(self, credencial_id: int) -> None:
        now = time.monotonic()
        if now - self._touched.get(credencial_id, 0.0) >= self.touch_interval:
            self._touched[credencial_id] = now
            self.manager.store.touch(credencial_id)

    def _fail(self, credencial_id: int, error: SinesysError) -> None:
        first = credencial_id not in self.manager.falhas
        self.manager.fail(credencial_id, error)
        if not first:
            return
        logger.warning("credencial %s failed: %s", credencial_id, error)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"sessao/falhas/{error.code}")
        if isinstance(self.crawler.spider, sinais.RegistraFalhas):
            self.crawler.spider.credencial_falhou(credencial_id, error)
