"""The effective endpoint spiders use: the plugin's default plus the database override."""

from __future__ import annotations

import pytest

from sinesys_spiders.core.db import make_session_factory, session_scope
from sinesys_spiders.core.db.repositories import TribunaisConfigRepository
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.endpoints import EndpointResolver, validate_override
from sinesys_spiders.core.errors import ConfiguracaoInvalida, EntradaInvalida
from sinesys_spiders.core.tribunais import PluginRegistry, TribunalEndpoint


class _OnlyTrt3:
    name = "only_trt3"
    sistema = "PJE"

    def endpoints(self):
        return [
            TribunalEndpoint(
                Tribunal.TRT3, Grau.PRIMEIRO_GRAU, "PJE", "https://pje.trt3.jus.br", "/p/login.seam", "/api"
            )
        ]


@pytest.fixture
def resolver(engine) -> EndpointResolver:
    return EndpointResolver(make_session_factory(engine), PluginRegistry([_OnlyTrt3()]))


def test_default_is_the_plugins_endpoint(resolver):
    """Without an override the effective endpoint is the plugin's default."""
    item = resolver.get(Tribunal.TRT3, Grau.PRIMEIRO_GRAU)
    assert item.endpoint == item.padrao
    assert item.endpoint.login_url == "https://pje.trt3.jus.br/p/login.seam"
    assert not item.is_overridden
    assert item.plugin == "only_trt3"


def test_override_applies_and_keeps_options(resolver, engine):
    """A base URL override changes every URL of that tribunal and grau; unset keeps the stored options."""
    with session_scope(factory=make_session_factory(engine)) as session:
        TribunaisConfigRepository(session).set_override(
            tribunal=Tribunal.TRT3, grau=Grau.PRIMEIRO_GRAU, opcoes={"delay": 1}
        )
    item = resolver.set_override(Tribunal.TRT3, Grau.PRIMEIRO_GRAU, base_url="http://127.0.0.1:9/")
    assert item.endpoint.login_url == "http://127.0.0.1:9/p/login.seam"
    assert item.endpoint.api_url == "http://127.0.0.1:9/api"
    assert item.overridden == ("base_url",)
    assert item.opcoes == {"delay": 1}
    assert [i.is_overridden for i in resolver.all()] == [True]
    assert resolver.unset_override(Tribunal.TRT3, Grau.PRIMEIRO_GRAU) is True
    again = resolver.get(Tribunal.TRT3, Grau.PRIMEIRO_GRAU)
    assert again.endpoint == again.padrao
    assert again.opcoes == {"delay": 1}


def test_tribunal_without_plugin_is_a_configuration_error(resolver):
    """Asking for a tribunal no installed plugin serves names the installed plugins."""
    with pytest.raises(ConfiguracaoInvalida, match="only_trt3"):
        resolver.get(Tribunal.TRT5, Grau.PRIMEIRO_GRAU)
    with pytest.raises(ConfiguracaoInvalida):
        resolver.set_override(Tribunal.TRT5, Grau.PRIMEIRO_GRAU, base_url="http://x.test")
    with pytest.raises(EntradaInvalida, match="TST não tem primeiro_grau"):
        resolver.get(Tribunal.TST, Grau.PRIMEIRO_GRAU)


@pytest.mark.parametrize(
    ("field", "value"), [("base_url", "x"), ("sso_url", "ftp://a"), ("login_path", "a/b"), ("api_path", "http://x/a")]
)
def test_bad_override_values_are_refused(field, value):
    """URLs must be http(s) with a host; paths must be absolute paths."""
    with pytest.raises(EntradaInvalida, match=field):
        validate_override(field, value)
