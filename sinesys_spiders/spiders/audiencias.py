"""``audiencias``: hearings in a date range (default today to today+365) in one situação."""

from __future__ import annotations

from scrapy_spider_metadata import Args

from sinesys_spiders.core.domain import TipoCaptura
from sinesys_spiders.params import AudienciasParams
from sinesys_spiders.spiders.base import CapturaSpider


class AudienciasSpider(CapturaSpider, Args[AudienciasParams]):
    """``scrapy crawl audiencias -a credenciais=1 -a data_inicio=2026-01-01 -a data_fim=2026-12-31 -a situacao=M``."""

    name = "audiencias"
    tipo_captura = TipoCaptura.AUDIENCIAS
    args: AudienciasParams
    # The date range and the plugin's own arguments (PJE's ``situacao``) reach it through
    # ``CapturaSpider.parametros``.
