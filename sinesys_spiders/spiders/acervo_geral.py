"""``acervo_geral``: every active case of the lawyer, checked against the panel's counter."""

from __future__ import annotations

from sinesys_spiders.core.domain import TipoCaptura
from sinesys_spiders.spiders.base import CapturaSpider


class AcervoGeralSpider(CapturaSpider):
    """Active cases: ``scrapy crawl acervo_geral -a credenciais=1,2`` (or ``-a advogado=ID``)."""

    name = "acervo_geral"
    tipo_captura = TipoCaptura.ACERVO_GERAL
