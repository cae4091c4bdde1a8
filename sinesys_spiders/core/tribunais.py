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
from collections.abc import Iterable, Sequence
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.errors import ConfiguracaoInvalida

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginRegistry",
    "TribunalEndpoint",
    "TribunalPlugin",
    "get_registry",
]

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "sinesys.tribunais"


@dataclasses.dataclass(frozen=True, slots=True)
class TribunalEndpoint:
    """Where one tribunal and grau is reached.

    ``base_url`` is the scheme and host (``https://pje.trt3.jus.br``); ``login_path`` the path of
    the login page (``/primeirograu/login.seam``); ``api_path`` the REST prefix
    (``/pje-comum-api/api``).
    """

    tribunal: Tribunal
    grau: Grau
    sistema: str
    base_url: str
    login_path: str
    api_path: str
    nome: str = ""
    uf: str | None = None

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
