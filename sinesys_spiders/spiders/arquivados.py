"""``arquivados``: every archived case of the lawyer."""

from __future__ import annotations

from sinesys_spiders.core.domain import TipoCaptura
from sinesys_spiders.spiders.base import CapturaSpider


class ArquivadosSpider(CapturaSpider):
    """Archived cases: ``scrapy crawl arquivados -a credenciais=1,2``."""

    name = "arquivados"
    tipo_captura = TipoCaptura.ARQUIVADOS
