"""The session manager: a valid session for a credential, logging in only when there is none.

``await manager.get(credencial_id)`` returns the stored session while it lives; otherwise it takes
the credential's lock (every process and spider waits for the same one login), looks again (the
holder may just have logged in), and logs in with the tribunal plugin's flow in a fresh browser.
``await manager.relogin(credencial_id, rejected_session_id)`` drops the rejected session (only if no
newer one replaced it) and does the same.

Retry policy (issue 4): wrong password, rejected codes, WAF blocks and maintenance pages are
permanent and remembered for the life of the manager (never retried automatically); timeouts and
network errors are retried a bounded number of times with exponential backoff and full jitter.

Those permanent failures are also recorded on the credential (``core.falhas_login``), so that the
next process does not start a browser for them: a wrong password or rejected codes are refused
until the credential is corrected, a WAF block or maintenance page until its cool-down passed
(then one new attempt). A successful login clears the record.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from sinesys_spiders.core.browser import BrowserChoice, resolve_browser
from sinesys_spiders.core.config import Settings, get_settings
from sinesys_spiders.core.credenciais import Credencial
from sinesys_spiders.core.errors import PermanentError, SinesysError, TimeoutError_, TransientError
from sinesys_spiders.core.falhas_login import (
    REMEMBERED,
    VIZINHAS,
    FalhaLogin,
    LoginCooldowns,
    LoginFailureStore,
    refusal,
    refusal_vizinha,
)
from sinesys_spiders.core.locks import LockBackend, hold
from sinesys_spiders.core.otp import OtpCodes, OtpProvider, first_step, otp_provider_for
from sinesys_spiders.core.sessions import SessaoTribunal, SessionStore
from sinesys_spiders.core.tribunais import LoginFlow, LoginTimeouts, PluginRegistry, TribunalEndpoint, login_flow_of
from sinesys_spiders.login.browser import NavegadorCompartilhado, login_page

__all__ = ["LoginRetry", "SessionManager", "StepOtp"]

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclasses.dataclass(frozen=True, slots=True)
class LoginRetry:
    """Bounded retries of transient login failures: ``attempts`` in all, full-jitter backoff."""

    attempts: int = 3
    base: float = 5.0
    cap: float = 60.0

    def delay(self, retry_number: int) -> float:
        """Full jitter: uniform in ``[0, min(cap, base * 2**n)]`` for the n-th retry (0-based)."""
        return random.uniform(0.0, min(self.cap, self.base * 2**retry_number))


class StepOtp:
    """The codes of one login, each time step recorded in the store before its code is handed out.

    ``turno`` is the SSO user's turn (the lock ``otp:advogado:<id>``): taken when the first code is chosen and held
    until :meth:`encerrar` (the end of the login), so no two logins of one user read the same last step, while the
    rest of their logins (the browser, the tribunal's page, the password form) run at the same time.
    """

    def __init__(
        self,
        credencial_id: int,
        provider: OtpProvider,
        store: SessionStore,
        *,
        irmas: Sequence[int] = (),
        clock: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
        turno: Callable[[], AbstractAsyncContextManager[Any]] | None = None,
    ) -> None:
        self._id = credencial_id
        #: Credentials that log in as the same SSO user share its codes (a code is accepted once, anywhere).
        self._ids = [credencial_id, *(i for i in irmas if i != credencial_id)]
        self._provider = provider
        self._store = store
        self._clock = clock
        self._sleep = sleep
        self._codes: OtpCodes | None = None
        self.passos: list[int] = []
        self._turno = turno
        self._pilha: contextlib.AsyncExitStack | None = None

    async def first(self) -> str:
        if self._turno is not None and self._pilha is None:
            pilha = contextlib.AsyncExitStack()
            await pilha.enter_async_context(self._turno())
            self._pilha = pilha
        used = [p for i in self._ids if (p := self._store.otp_ultimo_passo(i)) is not None]
        ultimo = max(used) if used else None
        passo, wait = first_step(self._clock(), ultimo, self._provider.period)
        if wait > 0:
            logger.info("credencial %s: waiting %.1f s for an unused OTP time step", self._id, wait)
            await self._sleep(wait + 0.05)
        codes = await self._provider.codes(passo=passo)
        for _ in range(2):  # a remote provider (2FAuth) may still be one step behind
            if codes.passo >= passo:
                break
            await self._sleep(max(0.0, passo * self._provider.period - self._clock()) + 0.2)
            codes = await self._provider.codes(passo=passo)
        if codes.passo < passo:
            raise TimeoutError_(f"credencial {self._id}: o provedor OTP não forneceu um código ainda não usado")
        self._record(codes.passo)
        self._codes = codes
        return codes.atual

    async def next(self) -> str | None:
        codes = self._codes
        if codes is None or codes.proximo is None:
            return None
        self._codes = dataclasses.replace(codes, proximo=None)
        self._record(codes.passo + 1)
        return codes.proximo

    async def encerrar(self) -> None:
        """The login is over: the SSO user's turn (if taken) goes to the next login."""
        pilha, self._pilha = self._pilha, None
        if pilha is not None:
            await pilha.aclose()

    def _record(self, passo: int) -> None:
        for credencial_id in self._ids:
            self._store.record_otp_step(credencial_id, passo)
        self.passos.append(passo)


class SessionManager:
    """Sessions per credential: stored ones reused, one login under the credential's lock otherwise."""

    def __init__(
        self,
        *,
        store: SessionStore,
        locks: LockBackend,
        credenciais: Callable[[int], Credencial],
        registry: PluginRegistry,
        irmas: Callable[[Credencial], Sequence[int]] | None = None,
        endpoint_for: Callable[[Any, Any], TribunalEndpoint] | None = None,
        browser: BrowserChoice | None = None,
        timeouts: LoginTimeouts | None = None,
        retry: LoginRetry | None = None,
        falhas_login: LoginFailureStore | None = None,
        cooldowns: LoginCooldowns | None = None,
        lock_ttl: float = 600.0,
        lock_timeout: float = 900.0,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        recheck: float = 5.0,
        navegador: NavegadorCompartilhado | None = None,
    ) -> None:
        self.store = store
        self.locks = locks
        self._credenciais = credenciais
        self._registry = registry
        self._irmas = irmas or (lambda credencial: [credencial.id])
        self._endpoint_for = endpoint_for or registry.endpoint
        self._browser = browser or resolve_browser(get_settings())
        #: One browser for this manager's logins (``None``: a browser of its own for each login).
        self.navegador = navegador
        self.timeouts = timeouts or LoginTimeouts()
        self.retry = retry or LoginRetry()
        #: Failures shared by every process (``None``: remembered by this manager only).
        self.falhas_login = falhas_login
        self.cooldowns = cooldowns or LoginCooldowns()
        self._lock_ttl = lock_ttl
        self._lock_timeout = lock_timeout
        self._sleep = sleep
        self._clock = clock
        #: A session read from the store is reused for ``recheck`` seconds (while valid) before it is read again:
        #: a list capture sends hundreds of requests a second, each needing its credential's session.
        self.recheck = recheck
        self._recentes: dict[int, tuple[SessaoTribunal, float]] = {}
        #: Permanent failures by credential: never retried by this manager.
        self.falhas: dict[int, SinesysError] = {}
        #: Logins this manager made (all processes: ``store.logins``), and their durations.
        self.logins = 0
        self.login_seconds: list[float] = []
        #: Added to the metadata of the locks this manager takes (a crawl puts its ``captura_id`` here, so the
        #: reaper frees them if the crawl dies while logging in).
        self.metadados_locks: dict[str, Any] = {}

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, *, registry: PluginRegistry | None = None, **kwargs: Any
    ) -> SessionManager:
        """A manager on the configured database (sessions and locks in Redis when SINESYS_REDIS_URL is set), key,
        browser and installed plugins."""
        from sinesys_spiders.core.credenciais import CredenciaisService
        from sinesys_spiders.core.crypto import load_cipher
        from sinesys_spiders.core.db.engine import get_session_factory
        from sinesys_spiders.core.endpoints import EndpointResolver
        from sinesys_spiders.core.falhas_login import SqlLoginFailureStore
        from sinesys_spiders.core.locks import open_locks
        from sinesys_spiders.core.sessions import open_session_store
        from sinesys_spiders.core.tribunais import get_registry

        settings = settings or get_settings()
        factory = get_session_factory(settings.effective_database_url)
        cipher = load_cipher(settings)
        registry = registry or get_registry()
        service = CredenciaisService(factory, cipher, cache_ttl=settings.credential_cache_ttl)
        resolver = EndpointResolver(factory, registry)

        def irmas(credencial: Credencial) -> list[int]:
            todas = service.for_advogado(credencial.advogado_id, active_only=False)
            return [c.id for c in todas if c.usuario == credencial.usuario]

        kwargs.setdefault("browser", resolve_browser(settings))
        kwargs.setdefault("navegador", NavegadorCompartilhado(kwargs["browser"]))
        kwargs.setdefault("falhas_login", SqlLoginFailureStore(factory))
        kwargs.setdefault("cooldowns", LoginCooldowns.from_settings(settings))
        return cls(
            store=open_session_store(settings, cipher=cipher),
            locks=open_locks(settings),
            credenciais=service.get,
            registry=registry,
            irmas=irmas,
            endpoint_for=lambda tribunal, grau: resolver.get(tribunal, grau).endpoint,
            **kwargs,
        )

    def __repr__(self) -> str:
        return f"SessionManager(store={self.store!r}, browser={self._browser.describe()!r})"

    # -- public --------------------------------------------------------------------------------

    async def get(self, credencial_id: int) -> SessaoTribunal:
        """The credential's valid session, from the store or from one new login."""
        self._raise_if_failed(credencial_id)
        recente = self._recentes.get(credencial_id)
        if recente is not None and time.monotonic() < recente[1] and recente[0].is_valid(self._now()):
            return recente[0]
        sessao = self.store.get(credencial_id)
        if sessao is not None:
            return self._lembrar(sessao)
        self._raise_if_recorded(credencial_id)  # before waiting for the lock or starting a browser
        async with hold(
            self.locks,
            f"login:credencial:{credencial_id}",
            ttl=self._lock_ttl,
            timeout=self._lock_timeout,
            poll=0.2,
            metadata={**self.metadados_locks, "credencial_id": credencial_id},
        ):
            self._raise_if_failed(credencial_id)
            sessao = self.store.get(credencial_id)  # the previous holder may have just logged in
            if sessao is not None:
                return self._lembrar(sessao)
            self._raise_if_recorded(credencial_id)  # another process may have just failed
            return self._lembrar(await self._login_with_retry(credencial_id))

    async def fechar(self) -> None:
        """Close the shared browser, if any (the crawl is over)."""
        if self.navegador is not None:
            await self.navegador.fechar()

    def _lembrar(self, sessao: SessaoTribunal) -> SessaoTribunal:
        self._recentes[sessao.credencial_id] = (sessao, time.monotonic() + self.recheck)
        return sessao

    async def relogin(self, credencial_id: int, rejected_session_id: str | None) -> SessaoTribunal:
        """Drop the rejected session (unless a newer one replaced it) and return a valid one."""
        self._recentes.pop(credencial_id, None)
        if self.store.invalidate(credencial_id, session_id=rejected_session_id):
            logger.info("credencial %s: session rejected by the tribunal, logging in again", credencial_id)
        return await self.get(credencial_id)

    def flow_for(self, credencial_id: int) -> LoginFlow:
        """The login flow of the plugin serving the credential's tribunal and grau."""
        credencial = self._credenciais(credencial_id)
        return login_flow_of(self._registry.plugin_for(credencial.tribunal, credencial.grau))

    def probe_url(self, credencial_id: int) -> str | None:
        """A URL that answers 200 only while the credential's session lives, if the plugin has one."""
        credencial = self._credenciais(credencial_id)
        flow = login_flow_of(self._registry.plugin_for(credencial.tribunal, credencial.grau))
        return flow.sessao_probe_url(self._endpoint_for(credencial.tribunal, credencial.grau))

    def fail(self, credencial_id: int, error: SinesysError) -> None:
        """Stop the credential for the rest of this manager's life (with its reason)."""
        self.falhas.setdefault(credencial_id, error)

    # -- login ---------------------------------------------------------------------------------

    def _raise_if_failed(self, credencial_id: int) -> None:
        error = self.falhas.get(credencial_id)
        if error is not None:
            raise error

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self._clock(), dt.UTC)

    def _raise_if_recorded(self, credencial_id: int) -> None:
        """Refuse a credential whose recorded login failure still stands (any process recorded it)."""
        if self.falhas_login is None:
            return
        falha = self.falhas_login.get(credencial_id)
        error = None
        if falha is not None:
            error = refusal(credencial_id, falha, now=self._now(), cooldowns=self.cooldowns)
            if error is None:
                logger.info("credencial %s: cool-down of %s over, trying one new login", credencial_id, falha.codigo)
        if error is None:
            error = self._refusal_vizinha(credencial_id)
        if error is None:
            return
        self.fail(credencial_id, error)
        logger.warning("credencial %s: login refused without trying: %s", credencial_id, error.code)
        raise error

    def _refusal_vizinha(self, credencial_id: int) -> SinesysError | None:
        """A WAF block at the credential's tribunal, or maintenance at its grau, recorded on another credential."""
        assert self.falhas_login is not None
        credencial = self._credenciais(credencial_id)
        tribunal, grau = str(credencial.tribunal), str(credencial.grau)
        for codigo, mesmo_grau in VIZINHAS.items():
            vizinha = self.falhas_login.latest(
                codigo, tribunal=tribunal, grau=grau if mesmo_grau else None, except_id=credencial_id
            )
            if vizinha is None:
                continue
            onde = f"{tribunal} {grau}" if mesmo_grau else tribunal
            error = refusal_vizinha(credencial_id, onde, vizinha, now=self._now(), cooldowns=self.cooldowns)
            if error is not None:
                return error
        return None

    def _record(self, credencial_id: int, error: SinesysError) -> None:
        if self.falhas_login is not None and error.code in REMEMBERED:
            self.falhas_login.record(credencial_id, FalhaLogin(error.code, error.message, self._now()))

    async def _login_with_retry(self, credencial_id: int) -> SessaoTribunal:
        attempt = 0
        while True:
            try:
                return await self._login_once(credencial_id)
            except PermanentError as exc:
                self.fail(credencial_id, exc)
                self._record(credencial_id, exc)
                logger.warning("credencial %s: login failed for good: %s", credencial_id, exc)
                raise
            except TransientError as exc:
                attempt += 1
                if attempt >= self.retry.attempts:
                    logger.warning("credencial %s: login failed after %d attempts: %s", credencial_id, attempt, exc)
                    raise
                delay = self.retry.delay(attempt - 1)
                logger.info(
                    "credencial %s: login attempt %d failed (%s), retrying in %.1f s",
                    credencial_id,
                    attempt,
                    exc.code,
                    delay,
                )
                await self._sleep(delay)

    async def _login_once(self, credencial_id: int) -> SessaoTribunal:
        credencial = self._credenciais(credencial_id)
        plugin = self._registry.plugin_for(credencial.tribunal, credencial.grau)
        flow = login_flow_of(plugin)
        endpoint = self._endpoint_for(credencial.tribunal, credencial.grau)
        otp = StepOtp(
            credencial_id,
            otp_provider_for(**credencial.otp_config()),
            self.store,
            irmas=self._irmas(credencial),
            clock=self._clock,
            sleep=self._sleep,
            # One code at a time per lawyer: their credentials share the SSO user and its one-time codes. The turn
            # is taken when the code is chosen (not for the whole login), so a lawyer's logins overlap up to there.
            turno=lambda: hold(
                self.locks,
                f"otp:advogado:{credencial.advogado_id}",
                ttl=self._lock_ttl,
                timeout=self._lock_timeout,
                poll=0.2,
                metadata={**self.metadados_locks, "credencial_id": credencial_id},
            ),
        )
        started = time.monotonic()
        try:
            pagina = self.navegador.pagina() if self.navegador is not None else login_page(self._browser)
            async with pagina as page:
                result = await flow.login(
                    page,
                    endpoint=endpoint,
                    usuario=credencial.usuario,
                    senha=credencial.senha.get_secret_value(),
                    otp=otp,
                    timeouts=self.timeouts,
                )
        finally:
            await otp.encerrar()
        sessao = SessaoTribunal.from_login(
            credencial_id=credencial_id,
            base_url=endpoint.base_url,
            id_advogado=result.identidade.id_advogado,
            cookies=result.cookies,
            claims=result.identidade.claims,
            token_expires_at=result.identidade.expires_at,
        )
        self.store.save(sessao)
        if self.falhas_login is not None and self.falhas_login.clear(credencial_id):
            logger.info("credencial %s: login succeeded, recorded login failure cleared", credencial_id)
        elapsed = time.monotonic() - started
        self.logins += 1
        self.login_seconds.append(elapsed)
        logger.info(
            "credencial %s: logged in at %s %s in %.1f s (%d cookies)",
            credencial_id,
            credencial.tribunal.value,
            credencial.grau.value,
            elapsed,
            len(result.cookies),
        )
        return sessao
