"""All models of Sinesys Captura, re-exported from their private area modules."""

from __future__ import annotations

from sinesys_spiders.core.db.base import Base
from sinesys_spiders.core.db.models._acesso import ChaveApi, SessaoApi, UsuarioApi
from sinesys_spiders.core.db.models._advogados import Advogado, Credencial
from sinesys_spiders.core.db.models._agendamentos import (
    ESTADOS_EXECUCAO,
    PERIODICIDADES,
    Agendamento,
    AgendamentoExecucao,
)
from sinesys_spiders.core.db.models._catalogos import ClasseJudicial, OrgaoJulgador, SalaAudiencia, TipoAudiencia
from sinesys_spiders.core.db.models._historico import CapturaLog, CapturaLogBruto, RegistroVersao
from sinesys_spiders.core.db.models._partes import (
    Endereco,
    Parte,
    ProcessoParte,
    ProcessoParteRepresentante,
    Representante,
)
from sinesys_spiders.core.db.models._processos import (
    SEM_DATA_CRIACAO,
    SEM_ID_DOCUMENTO,
    Audiencia,
    Expediente,
    Processo,
)
from sinesys_spiders.core.db.models._sessoes import Lock, Sessao
from sinesys_spiders.core.db.models._timeline import Documento, Timeline, TimelineItem
from sinesys_spiders.core.db.models._tribunais import TribunalConfig

__all__ = [
    "ESTADOS_EXECUCAO",
    "PERIODICIDADES",
    "SEM_DATA_CRIACAO",
    "SEM_ID_DOCUMENTO",
    "Advogado",
    "Agendamento",
    "AgendamentoExecucao",
    "Audiencia",
    "Base",
    "CapturaLog",
    "CapturaLogBruto",
    "ChaveApi",
    "ClasseJudicial",
    "Credencial",
    "Documento",
    "Endereco",
    "Expediente",
    "Lock",
    "OrgaoJulgador",
    "Parte",
    "Processo",
    "ProcessoParte",
    "ProcessoParteRepresentante",
    "RegistroVersao",
    "Representante",
    "SalaAudiencia",
    "Sessao",
    "SessaoApi",
    "Timeline",
    "TimelineItem",
    "TipoAudiencia",
    "TribunalConfig",
    "UsuarioApi",
]
