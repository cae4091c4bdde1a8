"""The eproc plugin object, registered under the ``sinesys.tribunais`` entry point (see ``pyproject.toml``)."""

from __future__ import annotations

from collections.abc import Sequence

from sinesys_eproc import tribunais
from sinesys_eproc.capturas import AcervoGeral, linhas_da_pagina
from sinesys_eproc.login import EprocLoginFlow
from sinesys_spiders.plugin import CapturaPlugin, PaginaBruta, TipoCaptura, TribunalEndpoint, TribunalPlugin

__all__ = ["EprocPlugin"]


class EprocPlugin(TribunalPlugin):
    """eproc: TRF4 (1º and 2º grau), TJSC (1º and 2º grau) and TJTO (1º grau); ``acervo_geral``."""

    name = "eproc"
    sistema = "EPROC"
    login_flow = EprocLoginFlow()

    def endpoints(self) -> Sequence[TribunalEndpoint]:
        return tribunais.endpoints()

    def captura(self, tipo: TipoCaptura) -> CapturaPlugin | None:
        return AcervoGeral() if tipo == TipoCaptura.ACERVO_GERAL else None

    def linhas(self, pagina: PaginaBruta) -> int:
        """How many rows a raw page holds (the raw log marks the page processed once they all reached an outcome)."""
        return len(linhas_da_pagina(pagina.payload_bruto))

    # Every other hook keeps TribunalPlugin's default: each grau has its own session (``chave_sessao``), the
    # capture types take the framework's arguments only (``parametros``), the default politeness (``cortesia``).
