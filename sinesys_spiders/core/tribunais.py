"""The tribunal plugin contract and its registry.

A tribunal plugin is a package that registers an object under the entry-point group
``sinesys.tribunais``::

    entry_points={"sinesys.tribunais": ["pje_trt = plugins.pje_trt.plugin:PjeTrtPlugin"]}

The entry point names a class (instantiated with no arguments) or an instance. The first-party
PJE-TRT plugin registers exactly this way, so nothing in ``core`` imports ``plugins``.

The contract grows with the capture path; today it is the tribunal table (which tribunals and
graus a plugin serves, at which URLs). The effective URL of a tribunal and grau is the plugin's
default unless the database holds an override (``sinesys tribunais set-url``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping, Sequence
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.errors import ConfiguracaoInvalida

__all__ = [
    "ENTRY_POINT_GROUP",
    "Identidade",
    "LoginCapable",
    "LoginFlow",
    "LoginResult",
    "LoginTimeouts",
    "OtpSource",
    "PluginRegistry",
    "TribunalEndpoint",
    "TribunalPlugin",
    "get_registry",
    "login_flow_of",
]

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "sinesys.tribunais"


@dataclasses.dataclass(frozen=True, slots=True)
class TribunalEndpoint:
    """Where one tribunal and grau is reached.

    ``base_url`` is the scheme and host (``https://pje.trt3.jus.br``); ``login_path`` the path of
    the login page (``/primeirograu/login.seam``); ``api_path`` the REST prefix
    (``/pje-comum-api/api``); ``sso_url`` the single sign-on server where the password and codes
    may be typed (``https://sso.cloud.pje.jus.br``; ``None``: the plugin logs in on the tribunal's host).
    """

    tribunal: Tribunal
    grau: Grau
    sistema: str
    base_url: str
    login_path: str
    api_path: str
    nome: str = ""
    uf: str | None = None
    sso_url: str | None = None

    @property
    def login_url(self) -> str:
        return self.base_url.rstrip("/") + self.login_path

    @property
    def api_url(self) -> str:
        return self.base_url.rstrip("/") + self.api_path

    def with_base_url(self, base_url: str) -> TribunalEndpoint:
        """The same endpoint at another base URL (an override, e.g. the sandbox)."""
        return dataclasses.replace(self, base_url=base_url.rstrip("/"))


@runtime_checkable
class TribunalPlugin(Protocol):
    """What a tribunal family (PJE-TRT, eproc, ...) provides to the framework."""

    #: Short stable name, also the entry point's name (``pje_trt``).
    name: str
    #: The system the plugin speaks (``PJE``).
    sistema: str

    def endpoints(self) -> Sequence[TribunalEndpoint]:
        """Every tribunal and grau this plugin serves, with its default URLs."""
        ...


class PluginRegistry:
    """Plugins by name, and the plugin serving each tribunal and grau."""

    def __init__(self, plugins: Iterable[TribunalPlugin] = ()) -> None:
        self._plugins: dict[str, TribunalPlugin] = {}
        self._by_key: dict[tuple[Tribunal, Grau], tuple[TribunalPlugin, TribunalEndpoint]] = {}
        for plugin in plugins:
            self.register(plugin)

    def register(self, plugin: TribunalPlugin) -> None:
        if not isinstance(plugin, TribunalPlugin):
            raise ConfiguracaoInvalida(f"plugin {plugin!r} does not implement TribunalPlugin")
        if plugin.name in self._plugins:
            raise ConfiguracaoInvalida(f"two tribunal plugins are named {plugin.name!r}")
        self._plugins[plugin.name] = plugin
        for endpoint in plugin.endpoints():
            key = (endpoint.tribunal, endpoint.grau)
            if key in self._by_key:
                other = self._by_key[key][0].name
                raise ConfiguracaoInvalida(
                    f"{endpoint.tribunal} {endpoint.grau} is served by both {other!r} and {plugin.name!r}"
                )
            self._by_key[key] = (plugin, endpoint)

    @property
    def plugins(self) -> dict[str, TribunalPlugin]:
        return dict(self._plugins)

    def endpoints(self) -> list[TribunalEndpoint]:
        """Every endpoint of every plugin, in tribunal order, 1º before 2º grau."""
        items = [endpoint for _, endpoint in self._by_key.values()]
        return sorted(items, key=lambda e: (e.tribunal.ordem, list(Grau).index(e.grau)))

    def plugin_for(self, tribunal: Tribunal, grau: Grau) -> TribunalPlugin:
        return self._lookup(tribunal, grau)[0]

    def endpoint(self, tribunal: Tribunal, grau: Grau) -> TribunalEndpoint:
        """The plugin's default endpoint (database overrides are applied by the caller)."""
        return self._lookup(tribunal, grau)[1]

    def _lookup(self, tribunal: Tribunal, grau: Grau) -> tuple[TribunalPlugin, TribunalEndpoint]:
        try:
            return self._by_key[(tribunal, grau)]
        except KeyError:
            raise ConfiguracaoInvalida(
                f"no tribunal plugin serves {tribunal} {grau}; installed: {sorted(self._plugins)}"
            ) from None

    @classmethod
    def from_entry_points(cls, group: str = ENTRY_POINT_GROUP) -> PluginRegistry:
        registry = cls()
        for ep in sorted(entry_points(group=group), key=lambda e: e.name):
            obj = ep.load()
            plugin = obj() if isinstance(obj, type) else obj
            registry.register(plugin)
            logger.debug("tribunal plugin %s loaded from %s", ep.name, ep.value)
        return registry


_registry: PluginRegistry | None = None


def get_registry() -> PluginRegistry:
    """The process-wide registry of installed plugins (loaded once from entry points)."""
    global _registry
    if _registry is None:
        _registry = PluginRegistry.from_entry_points()
    return _registry


# --- The login part of the contract (DESIGN.md §3 step 2) -------------------------------------
#
# A plugin that logs in exposes a ``login_flow`` attribute (see :class:`LoginCapable`). The flow
# drives a browser page it receives (typed ``Any`` here: ``core`` does not import Playwright), asks
# the session manager for one-time codes through :class:`OtpSource`, and returns the browser
# context's cookies with the session's identity. It also tells an expired session from a data
# response, for the session middleware.


@dataclasses.dataclass(frozen=True, slots=True)
class LoginTimeouts:
    """Seconds a login waits for each step (defaults from the real PJE, pje-api.md §1).

    ``pause`` is the human-like pause between steps (the real flow waits 2-3 s); tests use 0.
    """

    page_load: float = 60.0
    sso_button: float = 20.0
    sso_button_tries: int = 3
    redirect: float = 60.0
    form_submit: float = 120.0
    otp_field: float = 30.0
    landing: float = 120.0
    cookie: float = 20.0
    pause: float = 2.0

    @classmethod
    def fast(cls, scale: float = 0.25) -> LoginTimeouts:
        """Short timeouts and no pauses (sandbox, tests, benchmarks)."""
        return cls(
            page_load=60.0 * scale,
            sso_button=20.0 * scale,
            sso_button_tries=2,
            redirect=60.0 * scale,
            form_submit=120.0 * scale,
            otp_field=30.0 * scale,
            landing=120.0 * scale,
            cookie=20.0 * scale,
            pause=0.0,
        )


@runtime_checkable
class OtpSource(Protocol):
    """One-time codes for one login, handed to the flow by the session manager.

    Each call records the time step it returns before returning it, so a code is never sent twice.
    """

    async def first(self) -> str:
        """The code to submit first."""
        ...

    async def next(self) -> str | None:
        """The code of the following step, after the first was rejected; ``None`` if there is none."""
        ...


@dataclasses.dataclass(frozen=True, slots=True)
class Identidade:
    """Who the session belongs to, read from the session's token: the lawyer id and the claims."""

    id_advogado: int
    claims: dict[str, object] = dataclasses.field(repr=False)
    expires_at: float | None = None  # Unix time of the token's ``exp``


@dataclasses.dataclass(frozen=True, slots=True)
class LoginResult:
    """A logged-in browser context: every cookie (including those set by XHR) and the identity."""

    cookies: list[dict[str, object]] = dataclasses.field(repr=False)
    identidade: Identidade
    landing_url: str = ""


@runtime_checkable
class LoginFlow(Protocol):
    """How a tribunal family logs in, reads the session's identity and recognises an expired session."""

    async def login(
        self,
        page: Any,
        *,
        endpoint: TribunalEndpoint,
        usuario: str,
        senha: str,
        otp: OtpSource,
        timeouts: LoginTimeouts,
    ) -> LoginResult:
        """Log in on ``page`` (a Playwright page) and return the session; raise ``core.errors``."""
        ...

    def identidade(self, cookies: Sequence[Mapping[str, object]]) -> Identidade:
        """The session's identity (lawyer id, claims, expiry) from its cookies."""
        ...

    def sessao_expirada(self, *, status: int, url: str, content_type: str, body: bytes) -> bool:
        """Whether a response to a data request means the session expired or was rejected."""
        ...


@runtime_checkable
class LoginCapable(Protocol):
    """A :class:`TribunalPlugin` that can log in."""

    login_flow: LoginFlow


def login_flow_of(plugin: TribunalPlugin) -> LoginFlow:
    """The plugin's login flow; ``ConfiguracaoInvalida`` when the plugin cannot log in."""
    flow = getattr(plugin, "login_flow", None)
    if flow is None or not isinstance(flow, LoginFlow):
        raise ConfiguracaoInvalida(f"tribunal plugin {plugin.name!r} has no login flow")
    return flow
