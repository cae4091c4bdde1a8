"""Repositories: data access only, one class per area, each over a ``Session`` the caller owns."""

from __future__ import annotations

from sinesys_spiders.core.db.repositories._base import UNSET, Unset
from sinesys_spiders.core.db.repositories.advogados import AdvogadosRepository
from sinesys_spiders.core.db.repositories.agendamento_execucoes import AgendamentoExecucoesRepository
from sinesys_spiders.core.db.repositories.agendamentos import AgendamentosRepository
from sinesys_spiders.core.db.repositories.capturas_log import CapturasLogRepository
from sinesys_spiders.core.db.repositories.credenciais import CredenciaisRepository, new_credencial_uuid
from sinesys_spiders.core.db.repositories.locks import LocksRepository
from sinesys_spiders.core.db.repositories.raw_log import RAW_LOG_STATUS, RawLogRepository
from sinesys_spiders.core.db.repositories.sessoes import SessoesRepository
from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository

__all__ = [
    "RAW_LOG_STATUS",
    "UNSET",
    "AdvogadosRepository",
    "AgendamentoExecucoesRepository",
    "AgendamentosRepository",
    "CapturasLogRepository",
    "CredenciaisRepository",
    "LocksRepository",
    "RawLogRepository",
    "SessoesRepository",
    "TribunaisConfigRepository",
    "Unset",
    "new_credencial_uuid",
]
