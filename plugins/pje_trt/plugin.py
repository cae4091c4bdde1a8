"""The PJE-TRT plugin object registered under the ``sinesys.tribunais`` entry point."""

from __future__ import annotations

from collections.abc import Sequence

from plugins.pje_trt import tribunais
from plugins.pje_trt.capturas import CAPTURAS
from plugins.pje_trt.capturas_processo import CAPTURAS_PROCESSO
from plugins.pje_trt.login import PjeTrtLoginFlow
from sinesys_spiders.plugin import CapturaPlugin, TipoCaptura, TribunalEndpoint

__all__ = ["PjeTrtPlugin"]


class PjeTrtPlugin:
    """PJE of the labour courts: TRT1..TRT24 (1º and 2º grau) and the TST."""

    name = "pje_trt"
    sistema = "PJE"
    #: The login part of the contract (``core.tribunais.LoginFlow``).
    login_flow = PjeTrtLoginFlow()

    def endpoints(self) -> Sequence[TribunalEndpoint]:
        return tribunais.endpoints()

    def captura(self, tipo: TipoCaptura) -> CapturaPlugin | None:
        """The capture part of the contract (``core.capturas``): ``None`` for a type not captured yet."""
        return CAPTURAS.get(tipo) or CAPTURAS_PROCESSO.get(tipo)
