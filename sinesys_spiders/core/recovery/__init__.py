"""Recovery (DESIGN.md §8): what the raw log holds against what was stored, and re-persisting from it.

:class:`RecoveryService` lists raw-log entries with filters and statistics (SQL or MongoDB back end,
encrypted payloads included), analyses the gaps of one entry or of a whole capture, and re-persists pages
through the capture's own parsers and upsert without calling the tribunal. ``sinesys recovery`` and the API's
``/api/captura/recovery*`` routes use it.
"""

from __future__ import annotations

from sinesys_spiders.core.recovery.modelos import (
    TIPOS_ELEMENTO,
    AnaliseCaptura,
    AnaliseConjunto,
    ElementoRecuperavel,
    EstatisticasRecovery,
    FiltroRecovery,
    ItemRecovery,
    ResultadoDocumento,
    ResultadoReprocesso,
    Totais,
)
from sinesys_spiders.core.recovery.replay import CapturaReprocessavel, PayloadInvalido, SemRegraRecovery
from sinesys_spiders.core.recovery.servico import RecoveryService, tipos_validos

__all__ = [
    "TIPOS_ELEMENTO",
    "AnaliseCaptura",
    "AnaliseConjunto",
    "CapturaReprocessavel",
    "ElementoRecuperavel",
    "EstatisticasRecovery",
    "FiltroRecovery",
    "ItemRecovery",
    "PayloadInvalido",
    "RecoveryService",
    "ResultadoDocumento",
    "ResultadoReprocesso",
    "SemRegraRecovery",
    "Totais",
    "tipos_validos",
]
