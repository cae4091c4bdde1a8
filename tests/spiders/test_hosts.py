"""Every request of a capture stays on its tribunal's origin, not only redirects (issue 17, item 2)."""

from __future__ import annotations

import pytest
import scrapy
from scrapy.utils.test import get_crawler

from sinesys_spiders.middlewares.hosts import HostsDoTribunalMiddleware, origem
from sinesys_spiders.middlewares.session import CredencialFalhou

PERMITIDA = origem("https://pje.trt3.jus.br/pje-comum-api/api")


def _pedido(url: str) -> scrapy.Request:
    return scrapy.Request(url, meta={"origem_permitida": PERMITIDA, "credencial_id": 7, "etapa": "pagina"})


@pytest.mark.parametrize(
    "url",
    [
        "https://outro.example.com/pje-comum-api/api/processos",  # another host
        "https://pje.trt3.jus.br:8443/pje-comum-api/api/processos",  # another port
        "http://pje.trt3.jus.br/pje-comum-api/api/processos",  # plain http
        "https://pje.trt3.jus.br.evil.example/x",  # a suffix trick
        "https://user@evil.example/@pje.trt3.jus.br/x",  # userinfo trick
        "file:///etc/passwd",  # another scheme
    ],
)
def test_a_request_a_plugin_sends_elsewhere_fails_its_credential(url: str) -> None:
    """A request (not only a redirect) to anything but the tribunal's scheme, host and port is not sent: its
    credential fails with HOST_NAO_PERMITIDO."""
    middleware = HostsDoTribunalMiddleware(get_crawler())
    with pytest.raises(CredencialFalhou) as info:
        middleware.process_request(_pedido(url))
    assert info.value.credencial_id == 7
    assert info.value.error.code == "HOST_NAO_PERMITIDO"


def test_the_tribunals_own_origin_passes() -> None:
    """The same origin (explicit default port or not, any case) goes on."""
    middleware = HostsDoTribunalMiddleware(get_crawler())
    assert middleware.process_request(_pedido("https://PJE.trt3.jus.br:443/pje-comum-api/api/x?pagina=2")) is None
