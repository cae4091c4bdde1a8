"""The tribunal plugin contract and its registry.

A tribunal plugin (one tribunal family: PJE-TRT, eproc, e-SAJ...) is a package that registers an object under the
entry-point group ``sinesys.tribunais``::

    entry_points={"sinesys.tribunais": ["pje_trt = plugins.pje_trt.plugin:PjeTrtPlugin"]}

The entry point names a class (instantiated with no arguments) or an instance. The first-party PJE-TRT plugin
registers exactly this way, so nothing in ``core`` imports ``plugins``. Plugin authors import this contract from
:mod:`sinesys_spiders.plugin`.

:class:`TribunalPlugin` declares every hook the framework calls. The required ones are the plugin's name and system,
its tribunal table (:meth:`~TribunalPlugin.endpoints`) and its login flow; the others have documented defaults,
which a plugin inherits by subclassing :class:`TribunalPlugin` (a plugin that does not subclass it must define
every hook). Core knows no tribunal system: tribunal codes and graus are the values the installed plugins declare
(:class:`PluginRegistry` validates them); capture types are those the plugins capture; a capture type's extra
arguments, the rows of a raw page, which credentials share one session and the politeness toward real hosts come
from the plugin serving the tribunal. The effective URL of a tribunal and grau is the plugin's default unless the
database holds an override (``sinesys tribunais set-url``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.errors import ConfiguracaoInvalida
from sinesys_spiders.core.login_contrato import Identidade, LoginFlow, LoginResult, LoginTimeouts, OtpSource
from sinesys_spiders.core.logsafe import ecoar

if TYPE_CHECKING:
    from pydantic import BaseModel

    from sinesys_spiders.core.capturas import CapturaPlugin
    from sinesys_spiders.core.items import PaginaBruta

__all__ = [
    "ENTRY_POINT_GROUP",
    "Cortesia",
    "Identidade",
    "LoginFlow",
    "LoginResult",
    "LoginTimeouts",
    "OtpSource",
    "ParteCombinada",
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


@dataclasses.dataclass(frozen=True, slots=True)
class Cortesia:
    """Politeness toward a real tribunal host: requests at once, seconds between them, and their jitter (±50%: 0.5).

    A loopback host (a simulator) gets none; ``SINESYS_TRIBUNAL_CONCURRENCY`` / ``SINESYS_TRIBUNAL_DELAY`` and the
    per-tribunal ``tribunais_config.opcoes`` override the plugin's values.
    """

    concurrency: int = 2
    delay: float = 0.5
    jitter: float = 0.5


@dataclasses.dataclass(frozen=True, slots=True)
class ParteCombinada:
    """One list part of the combined daily capture: its name, the capture type, and that type's arguments."""

    nome: str
    tipo: TipoCaptura
    parametros: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@runtime_checkable
class TribunalPlugin(Protocol):
    """What a tribunal family (PJE-TRT, eproc, ...) provides to the framework: every hook the framework calls.

    Required: :attr:`name`, :attr:`sistema`, :attr:`login_flow` and :meth:`endpoints`. Every other hook has the
    default written here; subclass this class to inherit them.
    """

    #: Short stable name, also the entry point's name (``pje_trt``).
    name: str
    #: The system the plugin speaks (``PJE``).
    sistema: str
    #: How the plugin logs in (:class:`~sinesys_spiders.core.login_contrato.LoginFlow`).
    login_flow: LoginFlow
    #: Politeness toward the plugin's real hosts (default: 2 requests at once, 0.5 s apart, ±50%).
    cortesia: Cortesia = Cortesia()

    def endpoints(self) -> Sequence[TribunalEndpoint]:
        """Every tribunal and grau this plugin serves, with its default URLs, in the order lists show them."""
        ...

    def captura(self, tipo: TipoCaptura) -> CapturaPlugin | None:
        """The plugin's part of capture type ``tipo`` (``core.capturas``); default ``None``: not captured."""
        return None

    def parametros(self, tipo: TipoCaptura) -> type[BaseModel] | None:
        """The arguments model of capture type ``tipo``: a subclass of that type's framework model
        (``sinesys_spiders.params``) adding the plugin's own arguments. Default ``None``: the framework's only."""
        return None

    def linhas(self, pagina: PaginaBruta) -> int:
        """How many rows (future items) a raw page of a list capture holds; default: the length of a JSON list
        payload, else 0. The raw log marks a page processed once that many rows reached an outcome."""
        return len(pagina.payload_bruto) if isinstance(pagina.payload_bruto, list) else 0

    def chave_sessao(self, tribunal: Tribunal, grau: Grau) -> str:
        """Which of a lawyer's credentials share one session: those whose key is equal (keys are global: include
        the tribunal code, which no other plugin serves).

        Default ``"{tribunal}:{grau}"``: each grau its own session. Credentials sharing a session run one after
        the other, within a crawl and across processes (logging into one would end the other's session)."""
        return f"{tribunal.value}:{grau.value}"

    def ler_tribunal(self, texto: str) -> Tribunal | None:
        """The code of one of this plugin's tribunals typed as ``texto`` (default: the code, any case); ``None``
        when it is none of them."""
        codigo = texto.strip().upper()
        return next((e.tribunal for e in self.endpoints() if e.tribunal.value.upper() == codigo), None)

    def plano_combinada(self, hoje: dt.date) -> Sequence[ParteCombinada]:
        """The list parts of the combined daily capture on ``hoje`` (Brasília); default: none."""
        return ()


def login_flow_of(plugin: TribunalPlugin) -> LoginFlow:
    """The plugin's login flow; ``ConfiguracaoInvalida`` when it is not a :class:`LoginFlow`."""
    if not isinstance(plugin.login_flow, LoginFlow):
        raise ConfiguracaoInvalida(f"tribunal plugin {plugin.name!r} has no login flow")
    return plugin.login_flow


class PluginRegistry:
    """Plugins by name, the plugin serving each tribunal and grau, and the codes and graus they declare."""

    def __init__(self, plugins: Iterable[TribunalPlugin] = ()) -> None:
        self._plugins: dict[str, TribunalPlugin] = {}
        self._by_key: dict[tuple[str, str], tuple[TribunalPlugin, TribunalEndpoint]] = {}
        self._graus: dict[str, tuple[Grau, ...]] = {}
        self._ordem_graus: dict[str, int] = {}
        for plugin in plugins:
            self.register(plugin)

    def register(self, plugin: TribunalPlugin) -> None:
        if not isinstance(plugin, TribunalPlugin):
            faltam = [m for m in _MEMBROS if not hasattr(plugin, m)]
            raise ConfiguracaoInvalida(
                f"plugin {plugin!r} does not implement TribunalPlugin (missing: {', '.join(faltam)}; "
                "subclass sinesys_spiders.plugin.TribunalPlugin to inherit the optional hooks)"
            )
        if plugin.name in self._plugins:
            raise ConfiguracaoInvalida(f"two tribunal plugins are named {plugin.name!r}")
        login_flow_of(plugin)
        novos: dict[tuple[str, str], tuple[TribunalPlugin, TribunalEndpoint]] = {}
        for endpoint in plugin.endpoints():
            key = (endpoint.tribunal.value, endpoint.grau.value)
            dono = self._by_key.get(key) or novos.get(key)
            if dono is not None:
                raise ConfiguracaoInvalida(
                    f"{endpoint.tribunal.value} {endpoint.grau.value} is served by both {dono[0].name!r} and "
                    f"{plugin.name!r}"
                )
            novos[key] = (plugin, dataclasses.replace(endpoint, tribunal=Tribunal(key[0]), grau=Grau(key[1])))
        self._plugins[plugin.name] = plugin
        for key, value in novos.items():
            self._by_key[key] = value
            self._graus[key[0]] = (*self._graus.get(key[0], ()), Grau(key[1]))
            self._ordem_graus.setdefault(key[1], len(self._ordem_graus))

    @property
    def plugins(self) -> dict[str, TribunalPlugin]:
        return dict(self._plugins)

    def endpoints(self) -> list[TribunalEndpoint]:
        """Every endpoint of every plugin, in tribunal order, graus in the order the plugins declare them."""
        return [endpoint for _, endpoint in self._by_key.values()]

    def plugin_for(self, tribunal: Tribunal | str, grau: Grau | str) -> TribunalPlugin:
        return self._lookup(tribunal, grau)[0]

    def endpoint(self, tribunal: Tribunal | str, grau: Grau | str) -> TribunalEndpoint:
        """The plugin's default endpoint (database overrides are applied by the caller)."""
        return self._lookup(tribunal, grau)[1]

    def _lookup(self, tribunal: Tribunal | str, grau: Grau | str) -> tuple[TribunalPlugin, TribunalEndpoint]:
        try:
            return self._by_key[(str.__str__(tribunal), str.__str__(grau))]
        except KeyError:
            raise ConfiguracaoInvalida(
                f"no tribunal plugin serves {ecoar(tribunal)} {ecoar(grau)}; installed: {sorted(self._plugins)}"
            ) from None

    # -- the codes and graus the plugins declare ------------------------------------------------------

    def tribunais(self) -> list[Tribunal]:
        """Every tribunal code, in the order the plugins declare them."""
        return [Tribunal(t) for t in self._graus]

    def graus(self, tribunal: Tribunal | str) -> tuple[Grau, ...]:
        """The graus served at ``tribunal`` (none for a tribunal no plugin serves)."""
        return self._graus.get(str.__str__(tribunal), ())

    def ordem(self, tribunal: Tribunal | str) -> int:
        """The tribunal's place in lists (after every declared one when no plugin serves it)."""
        codigo = str.__str__(tribunal)
        for i, t in enumerate(self._graus):
            if t == codigo:
                return i
        return len(self._graus)

    def ordem_grau(self, grau: Grau | str) -> int:
        """The grau's place in lists (1º before 2º: the order in which the plugins first declare them)."""
        return self._ordem_graus.get(str.__str__(grau), len(self._ordem_graus))

    def ler_tribunal(self, texto: str) -> Tribunal:
        """The tribunal ``texto`` names, read by the plugins; ``ValueError`` listing the installed ones otherwise."""
        for plugin in self._plugins.values():
            codigo = plugin.ler_tribunal(texto)
            if codigo is not None and str.__str__(codigo) in self._graus:
                return Tribunal(str.__str__(codigo))
        raise ValueError(f"tribunal desconhecido: {ecoar(texto)} (use {self._resumo_tribunais()})")

    def ler_grau(self, texto: str) -> Grau:
        """The grau ``texto`` names; ``ValueError`` listing the declared graus otherwise."""
        nome = texto.strip().lower()
        if nome in self._ordem_graus:
            return Grau(nome)
        raise ValueError(f"grau desconhecido: {ecoar(texto)} (use {', '.join(self._ordem_graus) or 'nenhum'})")

    def _resumo_tribunais(self) -> str:
        codigos = list(self._graus)
        if not codigos:
            return "nenhum plugin de tribunal instalado"
        if len(codigos) == 1:
            return codigos[0]
        if len(codigos) <= 6:
            return f"{', '.join(codigos[:-1])} ou {codigos[-1]}"
        return f"{codigos[0]}..{codigos[-2]} ou {codigos[-1]}"

    # -- what the serving plugin says ----------------------------------------------------------------

    def tipos_captura(self) -> list[TipoCaptura]:
        """The capture types at least one installed plugin captures (the combined one if one has a plan)."""
        hoje = dt.date.today()
        out = []
        for tipo in TipoCaptura:
            for plugin in self._plugins.values():
                if plugin.plano_combinada(hoje) if tipo is TipoCaptura.COMBINADA else plugin.captura(tipo):
                    out.append(tipo)
                    break
        return out

    def chave_sessao(self, tribunal: Tribunal | str, grau: Grau | str) -> str:
        """The session key of ``tribunal`` and ``grau`` (credentials of one lawyer with equal keys share it)."""
        plugin = self.plugin_for(tribunal, grau)
        return plugin.chave_sessao(Tribunal(str.__str__(tribunal)), Grau(str.__str__(grau)))

    def linhas(self, pagina: PaginaBruta) -> int:
        """The rows of a raw page, counted by the plugin serving its tribunal (0 when none serves it)."""
        try:
            plugin = self.plugin_for(pagina.tribunal, pagina.grau)
        except ConfiguracaoInvalida:
            return 0
        return plugin.linhas(pagina)

    @classmethod
    def from_entry_points(cls, group: str = ENTRY_POINT_GROUP) -> PluginRegistry:
        registry = cls()
        for ep in sorted(entry_points(group=group), key=lambda e: e.name):
            obj = ep.load()
            plugin = obj() if isinstance(obj, type) else obj
            registry.register(plugin)
            logger.debug("tribunal plugin %s loaded from %s", ep.name, ep.value)
        return registry


#: The members a plugin must have (for the message when one is missing).
_MEMBROS = (
    "name", "sistema", "login_flow", "cortesia", "endpoints", "captura", "parametros", "linhas", "chave_sessao",
    "ler_tribunal", "plano_combinada",
)  # fmt: skip

_registry: PluginRegistry | None = None


def get_registry() -> PluginRegistry:
    """The process-wide registry of installed plugins (loaded once from entry points)."""
    global _registry
    if _registry is None:
        _registry = PluginRegistry.from_entry_points()
    return _registry
