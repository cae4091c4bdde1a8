"""The PJE-TRT plugin object registered under the ``sinesys.tribunais`` entry point."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from plugins.pje_trt import tribunais
from plugins.pje_trt.capturas import CAPTURAS
from plugins.pje_trt.capturas_processo import CAPTURAS_PROCESSO
from plugins.pje_trt.login import PjeTrtLoginFlow
from plugins.pje_trt.parametros import AudienciasPjeParams, PendentesPjeParams
from sinesys_spiders.plugin import (
    CapturaParams,
    CapturaPlugin,
    Cortesia,
    Grau,
    PaginaBruta,
    ParteCombinada,
    TipoCaptura,
    Tribunal,
    TribunalEndpoint,
    TribunalPlugin,
)

__all__ = ["PjeTrtPlugin"]

_PARAMETROS: dict[TipoCaptura, type[CapturaParams]] = {
    TipoCaptura.AUDIENCIAS: AudienciasPjeParams,
    TipoCaptura.PENDENTES: PendentesPjeParams,
}


class PjeTrtPlugin(TribunalPlugin):
    """PJE of the labour courts: TRT1..TRT24 (1º and 2º grau) and the TST."""

    name = "pje_trt"
    sistema = "PJE"
    login_flow = PjeTrtLoginFlow()
    #: A real PJE host: 2 requests at once, 0.5 s apart, ±50% (pje-api.md §6).
    cortesia = Cortesia(concurrency=2, delay=0.5, jitter=0.5)

    def endpoints(self) -> Sequence[TribunalEndpoint]:
        return tribunais.endpoints()

    def captura(self, tipo: TipoCaptura) -> CapturaPlugin | None:
        """The list captures (``capturas``) and the per-case ones (``capturas_processo``); ``None`` for others."""
        return CAPTURAS.get(tipo) or CAPTURAS_PROCESSO.get(tipo)

    def parametros(self, tipo: TipoCaptura) -> type[CapturaParams] | None:
        """PJE's filters: ``situacao`` of ``audiencias``, ``filtros_prazo`` of ``pendentes``."""
        return _PARAMETROS.get(tipo)

    def linhas(self, pagina: PaginaBruta) -> int:
        """The rows of a list page: its envelope's ``resultado`` (a totalizadores page holds none)."""
        payload = pagina.payload_bruto
        if isinstance(payload, dict) and isinstance(payload.get("resultado"), list):
            return len(payload["resultado"])
        return 0

    def chave_sessao(self, tribunal: Tribunal, grau: Grau) -> str:
        """A lawyer's 1º and 2º grau at one tribunal share one PJE session (logging into one ends the other)."""
        return tribunal.value

    def ler_tribunal(self, texto: str) -> Tribunal | None:
        """``TRT3``, ``trt03`` or ``tst``."""
        trt = tribunais.ler_tribunal(texto)
        return None if trt is None else trt.codigo

    def plano_combinada(self, hoje: dt.date) -> Sequence[ParteCombinada]:
        """The daily cycle: hearings designadas (today to today+365), realizadas (yesterday) and canceladas (today
        to today+365); pending notices no prazo and sem prazo."""
        ano = (hoje + dt.timedelta(days=365)).isoformat()
        ontem = (hoje - dt.timedelta(days=1)).isoformat()
        audiencias = TipoCaptura.AUDIENCIAS
        hoje_iso = hoje.isoformat()

        def pauta(situacao: str, inicio: str, fim: str) -> dict[str, str]:
            return {"data_inicio": inicio, "data_fim": fim, "situacao": situacao}

        return (
            ParteCombinada("audiencias_designadas", audiencias, pauta("M", hoje_iso, ano)),
            ParteCombinada("audiencias_realizadas", audiencias, pauta("F", ontem, ontem)),
            ParteCombinada("audiencias_canceladas", audiencias, pauta("C", hoje_iso, ano)),
            ParteCombinada("pendentes", TipoCaptura.PENDENTES, {"filtros_prazo": ["no_prazo", "sem_prazo"]}),
        )
