"""The effective endpoint spiders use: the plugin's default plus the database override."""

from __future__ import annotations

import pytest

from plugins.pje_trt.login import PjeTrtLoginFlow
from sinesys_spiders.core.db import make_session_factory, session_scope
from sinesys_spiders.core.db.repositories import TribunaisConfigRepository
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.endpoints import EndpointResolver, validate_override
from sinesys_spiders.core.errors import ConfiguracaoInvalida, EntradaInvalida
from sinesys_spiders.core.tribunais import PluginRegistry, TribunalEndpoint, TribunalPlugin


class _OnlyTrt3(TribunalPlugin):
    name = "only_trt3"
    sistema = "PJE"
    login_flow = PjeTrtLoginFlow()

    def endpoints(self):
        return [
            TribunalEndpoint(
                Tribunal("TRT3"), Grau.PRIMEIRO_GRAU, "PJE", "https://pje.trt3.jus.br", "/p/login.seam", "/api"
            )
        ]


@pytest.fixture
def resolver(engine) -> EndpointResolver:
    return EndpointResolver(make_session_factory(engine), PluginRegistry([_OnlyTrt3()]))


def test_default_is_the_plugins_endpoint(resolver):
    """Without an override the effective endpoint is the plugin's default."""
    item = resolver.get(Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    assert item.endpoint == item.padrao
    assert item.endpoint.login_url == "https://pje.trt3.jus.br/p/login.seam"
    assert not item.is_overridden
    assert item.plugin == "only_trt3"


def test_override_applies_and_keeps_options(resolver, engine):
    """A base URL override changes every URL of that tribunal and grau; unset keeps the stored options."""
    with session_scope(factory=make_session_factory(engine)) as session:
        TribunaisConfigRepository(session).set_override(
            tribunal=Tribunal("TRT3"), grau=Grau.PRIMEIRO_GRAU, opcoes={"delay": 1}
        )
    item = resolver.set_override(Tribunal("TRT3"), Grau.PRIMEIRO_GRAU, base_url="http://127.0.0.1:9/")
    assert item.endpoint.login_url == "http://127.0.0.1:9/p/login.seam"
    assert item.endpoint.api_url == "http://127.0.0.1:9/api"
    assert item.overridden == ("base_url",)
    assert item.opcoes == {"delay": 1}
    assert [i.is_overridden for i in resolver.all()] == [True]
    assert resolver.unset_override(Tribunal("TRT3"), Grau.PRIMEIRO_GRAU) is True
    again = resolver.get(Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    assert again.endpoint == again.padrao
    assert again.opcoes == {"delay": 1}


def test_tribunal_without_plugin_is_a_configuration_error(resolver):
    """Asking for a tribunal no installed plugin serves names the installed plugins."""
    with pytest.raises(ConfiguracaoInvalida, match="only_trt3"):
        resolver.get(Tribunal("TRT5"), Grau.PRIMEIRO_GRAU)
    with pytest.raises(ConfiguracaoInvalida):
        resolver.set_override(Tribunal("TRT5"), Grau.PRIMEIRO_GRAU, base_url="http://x.test")
    with pytest.raises(EntradaInvalida, match="TST não tem primeiro_grau"):
        resolver.get(Tribunal("TST"), Grau.PRIMEIRO_GRAU)


@pytest.mark.parametrize(
    ("field", "value"), [("base_url", "x"), ("sso_url", "ftp://a"), ("login_path", "a/b"), ("api_path", "http://x/a")]
)
def test_bad_override_values_are_refused(field, value):
    """URLs must be http(s) with a host; paths must be absolute paths."""
    with pytest.raises(EntradaInvalida, match=field):
        validate_override(field, value)


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("base_url", "http://pje.trt3.example", "http:// só é aceito"),
        ("sso_url", "http://sso.example/auth", "http:// só é aceito"),
        ("base_url", "https://pje.trt3.jus.br/?x=1", "consulta"),
        ("base_url", "https://pje.trt3.jus.br/#frag", "fragmento"),
        ("api_path", "/pje-comum-api/../../evil", "segmentos"),
        ("api_path", "/a/%2e%2e/b", "segmentos"),
        ("login_path", "//evil.test/login.seam", "caminho"),
        ("login_path", "/a\nb", "caminho"),
    ],
)
def test_hostile_override_values_are_refused(field, value, fragment):
    """A remote http:// URL (unless allowed), a query, a fragment or a path climbing out with .. is refused."""
    with pytest.raises(EntradaInvalida, match=fragment):
        validate_override(field, value)


def test_remote_http_is_accepted_only_when_the_setting_allows_it(engine):
    """``SINESYS_ALLOW_INSECURE_HTTP`` lets an operator use a remote http:// tribunal; loopback always may."""
    assert validate_override("base_url", "http://127.0.1.3:8800") == "http://127.0.1.3:8800"
    assert validate_override("base_url", "http://pje.lan:8080", allow_http=True) == "http://pje.lan:8080"
    resolver = EndpointResolver(make_session_factory(engine), PluginRegistry([_OnlyTrt3()]), allow_http=True)
    assert resolver.set_override(Tribunal("TRT3"), Grau.PRIMEIRO_GRAU, base_url="http://pje.lan").endpoint.base_url == (
        "http://pje.lan"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("base_url", "http://evil.example"), ("sso_url", "file:///etc/passwd"), ("api_path", "/../x")],
)
def test_a_tampered_database_override_is_refused_when_read(resolver, engine, field, value):
    """URLs read back from ``tribunais_config`` are validated like typed ones: a hand-edited row stops the
    capture with a configuration error instead of sending credentials or requests there."""
    with session_scope(factory=make_session_factory(engine)) as session:
        TribunaisConfigRepository(session).set_override(
            tribunal=Tribunal("TRT3"), grau=Grau.PRIMEIRO_GRAU, **{field: value}
        )
    with pytest.raises(ConfiguracaoInvalida, match="tribunais_config"):
        resolver.get(Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    with pytest.raises(ConfiguracaoInvalida):
        resolver.all()


def test_the_sso_override_is_applied_to_the_endpoint(resolver):
    """``--sso-url`` is not only stored: the effective endpoint carries it, for the login flow to enforce."""
    item = resolver.set_override(Tribunal("TRT3"), Grau.PRIMEIRO_GRAU, sso_url="http://127.0.0.1:8800/auth/realms/pje")
    assert item.endpoint.sso_url == "http://127.0.0.1:8800/auth/realms/pje"
    assert item.sso_url == item.endpoint.sso_url
