"""Every request of a capture stays on its tribunal's host (issue 17, item 2).

A request that carries ``meta["origem_permitida"]`` (the spiders set it from the effective endpoint:
``https://pje.trt3.jus.br:443``) may only go to that scheme, host and port. Scrapy reschedules a
redirect as a new request with the same meta, so a redirect elsewhere is refused here too, before
the session middleware (650) could attach the credential's cookies: the credential fails with
``HOST_NAO_PERMITIDO`` and its requests are dropped; the foreign answer is never read.

Only ``http`` and ``https`` are ever downloaded (``DOWNLOAD_HANDLERS`` turns ``file``, ``data``,
``s3`` and ``ftp`` off in the project settings); this middleware refuses any other scheme as well.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sinesys_spiders.core.errors import HostNaoPermitido
from sinesys_spiders.middlewares.session import CredencialFalhou

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["HostsDoTribunalMiddleware", "origem"]

logger = logging.getLogger(__name__)

_PORTAS = {"http": 80, "https": 443}


def origem(url: str) -> str:
    """``scheme://host:port`` of a URL (default port made explicit); ``""`` when it has none."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in _PORTAS or not parts.hostname:
        return ""
    return f"{scheme}://{parts.hostname.lower()}:{port or _PORTAS[scheme]}"


class HostsDoTribunalMiddleware:
    """Refuse a capture request (or a redirect) that leaves its tribunal's origin."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        permitida = request.meta.get("origem_permitida")
        if permitida is None:
            return
        destino = origem(request.url)
        if destino and destino == permitida:
            return
        credencial_id = int(request.meta.get("credencial_id", 0))
        onde = destino or "um endereço que não é http(s)"
        error = HostNaoPermitido(
            f"um pedido de {request.meta.get('etapa') or 'captura'} saiu do tribunal ({permitida}) para {onde}; "
            "não foi enviado"
        )
        logger.warning("credencial %s: %s", credencial_id, error.message)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("hosts/recusados")
        raise CredencialFalhou(credencial_id, error)
