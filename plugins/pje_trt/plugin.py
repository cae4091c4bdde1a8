"""The PJE-TRT plugin object registered under the ``sinesys.tribunais`` entry point."""

from __future__ import annotations

from collections.abc import Sequence

from plugins.pje_trt import tribunais
from sinesys_spiders.core.tribunais import TribunalEndpoint

__all__ = ["PjeTrtPlugin"]


class PjeTrtPlugin:
    """PJE of the labour courts: TRT1..TRT24 (1º and 2º grau) and the TST."""

    name = "pje_trt"
    sistema = "PJE"

    def endpoints(self) -> Sequence[TribunalEndpoint]:
        return tribunais.endpoints()
