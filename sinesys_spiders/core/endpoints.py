"""The effective endpoint of a tribunal and grau: the plugin's default plus the database override.

``sinesys tribunais set-url TRT3 --grau primeiro_grau --base-url http://127.0.0.1:8765`` stores an
override in ``tribunais_config``; spiders and the login driver read the result here::

    resolver = EndpointResolver.from_settings()
    efetivo = resolver.get(Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    efetivo.endpoint.login_url      # override applied
    efetivo.overridden              # ("base_url",)

Overrides are read on every call (a few rows); nothing is cached, so a change is seen at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.config import Settings, get_settings
from sinesys_spiders.core.db import get_session_factory, session_scope
from sinesys_spiders.core.db.repositories import TribunaisConfigRepository
from sinesys_spiders.core.db.repositories._base import UNSET
from sinesys_spiders.core.domain import Grau, Tribunal, check_tribunal_grau
from sinesys_spiders.core.errors import ConfiguracaoInvalida, EntradaInvalida
from sinesys_spiders.core.tribunais import PluginRegistry, TribunalEndpoint, get_registry
from sinesys_spiders.core.validation import validate_tribunal_url

__all__ = ["OVERRIDE_FIELDS", "EndpointEfetivo", "EndpointResolver", "validate_override"]

#: The columns of ``tribunais_config`` that override a plugin's URLs.
OVERRIDE_FIELDS = ("base_url", "login_path", "api_path", "sso_url")


@dataclasses.dataclass(frozen=True, slots=True)
class EndpointEfetivo:
    """A tribunal and grau as the capture will reach it.

    ``endpoint`` has the overrides applied; ``padrao`` is the plugin's default; ``overridden``
    names the fields the database changed; ``sso_url`` is an SSO host override (``None``: the
    plugin's own); ``opcoes`` are the per-tribunal options of ``tribunais_config``.
    """

    endpoint: TribunalEndpoint
    padrao: TribunalEndpoint
    plugin: str
    overridden: tuple[str, ...] = ()
    sso_url: str | None = None
    opcoes: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def is_overridden(self) -> bool:
        return bool(self.overridden)


def _check(tribunal: Tribunal, grau: Grau) -> None:
    try:
        check_tribunal_grau(tribunal, grau)
    except ValueError as exc:
        raise EntradaInvalida(str(exc)) from None


def _path(value: str, field: str) -> str:
    text = value.strip()
    if not text.startswith("/") or any(ch.isspace() for ch in text) or "://" in text or text.startswith("//"):
        raise EntradaInvalida(f"{field} inválido: use um caminho que começa com / (ex.: /primeirograu/login.seam)")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text) or "?" in text or "#" in text or "\\" in text:
        raise EntradaInvalida(f"{field} inválido: o caminho não pode ter ?, #, \\ ou caracteres de controle")
    if any(segment in (".", "..") for segment in text.split("/")) or "%2e" in text.lower():
        raise EntradaInvalida(f"{field} inválido: o caminho não pode ter segmentos . ou ..")
    return text


def validate_override(field: str, value: str, *, allow_http: bool = False) -> str:
    """Validate one override value: URLs for ``base_url``/``sso_url``, absolute paths for the others.

    A tribunal or SSO URL is ``https`` unless its host is loopback (the sandbox) or ``allow_http``
    (``SINESYS_ALLOW_INSECURE_HTTP``), with no query or fragment.
    """
    if field in ("base_url", "sso_url"):
        return validate_tribunal_url(value, field=field, allow_http=allow_http)
    if field in ("login_path", "api_path"):
        return _path(value, field)
    raise EntradaInvalida(f"campo de override desconhecido: {field}")


class EndpointResolver:
    """Effective endpoints from a plugin registry and the ``tribunais_config`` table."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        registry: PluginRegistry | None = None,
        *,
        allow_http: bool = False,
    ) -> None:
        self._factory = session_factory
        self._registry = registry
        self._allow_http = allow_http

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, registry: PluginRegistry | None = None
    ) -> EndpointResolver:
        settings = settings or get_settings()
        return cls(
            get_session_factory(settings.effective_database_url), registry, allow_http=settings.allow_insecure_http
        )

    @property
    def registry(self) -> PluginRegistry:
        if self._registry is None:
            self._registry = get_registry()
        return self._registry

    def get(self, tribunal: Tribunal, grau: Grau) -> EndpointEfetivo:
        """The effective endpoint; ``ConfiguracaoInvalida`` when no installed plugin serves it."""
        _check(tribunal, grau)
        padrao = self.registry.endpoint(tribunal, grau)
        plugin = self.registry.plugin_for(tribunal, grau).name
        with session_scope(factory=self._factory) as session:
            row = TribunaisConfigRepository(session).get(tribunal=tribunal, grau=grau)
            return _apply(padrao, plugin, row, allow_http=self._allow_http)

    def all(self) -> list[EndpointEfetivo]:
        """Every tribunal and grau of the installed plugins, in tribunal order, overrides applied."""
        with session_scope(factory=self._factory) as session:
            rows = {(r.tribunal, r.grau): r for r in TribunaisConfigRepository(session).list()}
            out = []
            for padrao in self.registry.endpoints():
                plugin = self.registry.plugin_for(padrao.tribunal, padrao.grau).name
                out.append(
                    _apply(
                        padrao,
                        plugin,
                        rows.get((padrao.tribunal.value, padrao.grau.value)),
                        allow_http=self._allow_http,
                    )
                )
            return out

    def set_override(self, tribunal: Tribunal, grau: Grau, **values: str) -> EndpointEfetivo:
        """Validate and store overrides (``base_url=...``, ``login_path=...``); return the result."""
        _check(tribunal, grau)
        self.registry.endpoint(tribunal, grau)
        if not values:
            raise EntradaInvalida("informe ao menos um de --base-url, --login-path, --api-path, --sso-url")
        clean = {field: validate_override(field, value, allow_http=self._allow_http) for field, value in values.items()}
        with session_scope(factory=self._factory) as session:
            _guardar(TribunaisConfigRepository(session), tribunal, grau, clean)
        return self.get(tribunal, grau)

    def unset_override(self, tribunal: Tribunal, grau: Grau) -> bool:
        """Drop the URL overrides (options stay); return whether there was any."""
        _check(tribunal, grau)
        self.registry.endpoint(tribunal, grau)
        with session_scope(factory=self._factory) as session:
            repo = TribunaisConfigRepository(session)
            row = repo.get(tribunal=tribunal, grau=grau)
            if row is None:
                return False
            had = any(getattr(row, field) for field in OVERRIDE_FIELDS)
            if row.opcoes:
                _guardar(repo, tribunal, grau, dict.fromkeys(OVERRIDE_FIELDS))
            else:
                repo.clear(tribunal=tribunal, grau=grau)
            return had


def _guardar(repo: TribunaisConfigRepository, tribunal: Tribunal, grau: Grau, urls: Mapping[str, str | None]) -> None:
    """Store the URL overrides in ``urls`` (``None`` drops one); a field not in ``urls`` keeps its value."""
    repo.set_override(
        tribunal=tribunal,
        grau=grau,
        base_url=urls.get("base_url", UNSET),
        login_path=urls.get("login_path", UNSET),
        api_path=urls.get("api_path", UNSET),
        sso_url=urls.get("sso_url", UNSET),
    )


def _stored(row: Any, field: str, *, allow_http: bool) -> str | None:
    """An override read back from the database, validated like one typed in (the table may have been edited)."""
    value = getattr(row, field)
    if not value:
        return None
    try:
        return validate_override(field, value, allow_http=allow_http)
    except EntradaInvalida as exc:
        raise ConfiguracaoInvalida(
            f"override de {row.tribunal} {row.grau} em tribunais_config recusado: {exc.message}; "
            f"corrija com sinesys tribunais set-url ou unset-url"
        ) from None


def _apply(padrao: TribunalEndpoint, plugin: str, row: Any, *, allow_http: bool = False) -> EndpointEfetivo:
    if row is None:
        return EndpointEfetivo(endpoint=padrao, padrao=padrao, plugin=plugin, sso_url=None)
    stored = {field: _stored(row, field, allow_http=allow_http) for field in OVERRIDE_FIELDS}
    endpoint = dataclasses.replace(
        padrao,
        login_path=stored["login_path"] or padrao.login_path,
        api_path=stored["api_path"] or padrao.api_path,
        sso_url=stored["sso_url"] or padrao.sso_url,
    )
    if base_url := stored["base_url"]:
        endpoint = endpoint.with_base_url(base_url)
    overridden = tuple(field for field in OVERRIDE_FIELDS if stored[field])
    return EndpointEfetivo(
        endpoint=endpoint,
        padrao=padrao,
        plugin=plugin,
        overridden=overridden,
        sso_url=stored["sso_url"],
        opcoes=dict(row.opcoes or {}),
    )
