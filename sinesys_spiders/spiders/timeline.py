"""``timeline``: the movements and documents of each case, optionally downloading signed, non-secret PDFs."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy_spider_metadata import Args
from sqlalchemy import select

from sinesys_spiders import sinais
from sinesys_spiders.core.db.engine import get_session_factory
from sinesys_spiders.core.db.models import Credencial, Processo
from sinesys_spiders.core.domain import TipoCaptura
from sinesys_spiders.core.errors import NaoEncontrado
from sinesys_spiders.params import TimelineParams
from sinesys_spiders.spiders._por_processo import ProcessoSpider

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class TimelineSpider(ProcessoSpider, Args[TimelineParams]):
    """``scrapy crawl timeline -a credenciais=1 -a baixar_documentos=true``, or one case::

    scrapy crawl timeline -a processo=ID_EXTERNO -a numero_processo=... -a tribunal=TRT3 -a grau=primeiro_grau
    """

    name = "timeline"
    tipo_captura = TipoCaptura.TIMELINE
    coluna_capturado = "timeline_capturada_em"
    args: TimelineParams

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._processo_unico: list[int] | None = None
        self._sem_processo: NaoEncontrado | None = None

    def _resolve(self, crawler: Crawler) -> None:
        if self.args.processo is not None:
            self._um_processo()
        super()._resolve(crawler)

    def _um_processo(self) -> None:
        """One case: its ``acervo`` row, and its credential unless the arguments name one."""
        args = self.args
        assert args.tribunal is not None
        assert args.grau is not None
        query = select(Processo.id, Processo.credencial_id, Processo.advogado_id).where(
            Processo.id_externo == args.processo,
            Processo.tribunal == args.tribunal.value,
            Processo.grau == args.grau.value,
        )
        if args.numero_processo:
            query = query.where(Processo.numero_processo == args.numero_processo.strip())
        with get_session_factory()() as session:
            row = session.execute(query.order_by(Processo.id)).first()
            credencial_id = None
            if row is not None and args.credenciais is None and args.advogado is None:
                credencial_id = row.credencial_id
                if credencial_id is None and row.advogado_id is not None:
                    credencial_id = session.scalar(
                        select(Credencial.id).where(
                            Credencial.advogado_id == row.advogado_id,
                            Credencial.tribunal == args.tribunal.value,
                            Credencial.grau == args.grau.value,
                        )
                    )
        if row is None or (args.credenciais is None and args.advogado is None and credencial_id is None):
            self._sem_processo = NaoEncontrado(
                f"processo {args.processo} ({args.tribunal.value} {args.grau.value}) não está no acervo "
                "ou não tem credencial: capture o acervo antes"
            )
            self._processo_unico = []
            object.__setattr__(self.args, "credenciais", [])
            return
        self._processo_unico = [row.id]
        if credencial_id is not None:
            object.__setattr__(self.args, "credenciais", [credencial_id])

    def processos_pedidos(self) -> list[int] | None:
        if self._processo_unico is not None:
            return self._processo_unico
        return self.args.processos

    async def start(self) -> AsyncIterator[Any]:
        async for produced in super().start():
            yield produced
        if self._sem_processo is not None:
            logger.error("timeline: %s", self._sem_processo.message)
            self.crawler.signals.send_catch_log(signal=sinais.captura_falhou, error=self._sem_processo)

    def parametros(self) -> dict[str, Any]:
        return {
            "horas_para_recaptura": self.args.horas_para_recaptura,
            "baixar_documentos": self.args.baixar_documentos,
            "apenas_assinados": self.args.apenas_assinados,
            "apenas_nao_sigilosos": self.args.apenas_nao_sigilosos,
        }
