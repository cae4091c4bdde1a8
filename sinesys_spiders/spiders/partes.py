"""``partes``: the parties of each case, classified (cliente, parte_contraria, terceiro), with lawyers and addresses."""

from __future__ import annotations

from typing import Any

from scrapy_spider_metadata import Args

from sinesys_spiders.core.domain import TipoCaptura
from sinesys_spiders.params import PartesParams
from sinesys_spiders.spiders._por_processo import ProcessoSpider


class PartesSpider(ProcessoSpider, Args[PartesParams]):
    """``scrapy crawl partes -a credenciais=1`` (cases not captured in 24 h) or ``-a processos=10,11``."""

    name = "partes"
    tipo_captura = TipoCaptura.PARTES
    coluna_capturado = "partes_capturadas_em"
    args: PartesParams

    def parametros(self) -> dict[str, Any]:
        return {"horas_para_recaptura": self.args.horas_para_recaptura}
