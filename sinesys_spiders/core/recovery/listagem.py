"""The raw-log list for recovery: filters, pages and statistics over either raw-log back end (SQL or MongoDB).

Entries are read through :meth:`~sinesys_spiders.core.rawlog.RawLogStore.list` (payloads decrypted by the
store; an entry whose payload does not decrypt is still listed, ``payload_disponivel`` false), so the same code
serves both back ends.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

from sinesys_spiders.core.domain import BRASILIA
from sinesys_spiders.core.rawlog import FiltroRawLog, RawLogStore, RegistroBruto
from sinesys_spiders.core.recovery.modelos import EstatisticasRecovery, FiltroRecovery, ItemRecovery
from sinesys_spiders.core.timeutil import UTC

__all__ = ["LOTE", "filtro_rawlog", "item_de", "percorrer"]

#: Entries read per call when walking the whole list (statistics, a capture's pages).
LOTE = 500


def _meia_noite(dia: dt.date) -> dt.datetime:
    """Midnight of ``dia`` in Brasília (the days of the API's filters), in UTC."""
    return dt.datetime.combine(dia, dt.time.min, tzinfo=BRASILIA).astimezone(UTC)


def filtro_rawlog(filtro: FiltroRecovery) -> FiltroRawLog:
    """The store's filter; ``data_inicio`` and ``data_fim`` are whole days in Brasília, both included."""
    return FiltroRawLog(
        captura_log_id=filtro.captura_log_id,
        tipo_captura=filtro.tipo_captura,
        status=filtro.status,
        tribunal=filtro.trt,
        grau=filtro.grau,
        advogado_id=filtro.advogado_id,
        desde=_meia_noite(filtro.data_inicio) if filtro.data_inicio else None,
        antes=_meia_noite(filtro.data_fim) + dt.timedelta(days=1) if filtro.data_fim else None,
    )


def percorrer(store: RawLogStore, filtro: FiltroRawLog) -> Iterator[RegistroBruto]:
    """Every matching entry, newest first, read ``LOTE`` at a time."""
    offset = 0
    while True:
        lote = store.list(filtro, limit=LOTE, offset=offset)
        yield from lote
        if len(lote) < LOTE:
            return
        offset += LOTE


def item_de(registro: RegistroBruto) -> ItemRecovery:
    """The list row of an entry (no payload)."""
    requisicao = registro.requisicao or {}
    numero = requisicao.get("numero_processo")
    return ItemRecovery(
        id=registro.raw_log_id,
        captura_log_id=registro.captura_log_id,
        tipo_captura=registro.tipo_captura,
        status=registro.status,
        trt=registro.tribunal,
        grau=registro.grau,
        advogado_id=registro.advogado_id,
        credencial_id=registro.credencial_id,
        criado_em=registro.criado_em,
        numero_processo=str(numero) if numero is not None else None,
        erro=registro.erro,
        processado=registro.processado,
        payload_disponivel=registro.payload_ilegivel is None,
    )


def contar(registros: list[RegistroBruto]) -> EstatisticasRecovery:
    """Counts per status, tribunal and type of ``registros`` (gaps are added by the service)."""
    return EstatisticasRecovery(
        total=len(registros),
        por_status=dict(Counter(r.status for r in registros)),
        por_trt=dict(Counter(r.tribunal or "?" for r in registros)),
        por_tipo=dict(Counter(r.tipo_captura for r in registros)),
        nao_processados=sum(not r.processado for r in registros),
        payload_ilegivel=sum(r.payload_ilegivel is not None for r in registros),
    )
