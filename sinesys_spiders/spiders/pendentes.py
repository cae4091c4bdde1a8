"""``pendentes``: pending notices with their deadlines, per deadline filter (no prazo, sem prazo)."""

from __future__ import annotations

from scrapy_spider_metadata import Args

from sinesys_spiders.core.domain import TipoCaptura
from sinesys_spiders.params import PendentesParams
from sinesys_spiders.spiders.base import CapturaSpider


class PendentesSpider(CapturaSpider, Args[PendentesParams]):
    """``scrapy crawl pendentes -a credenciais=1 -a filtros_prazo=no_prazo,sem_prazo``."""

    name = "pendentes"
    tipo_captura = TipoCaptura.PENDENTES
    args: PendentesParams
    # The plugin's own arguments (PJE's ``filtros_prazo``) reach it through ``CapturaSpider.parametros``.
