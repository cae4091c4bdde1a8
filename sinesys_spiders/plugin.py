"""The public face for tribunal plugin authors: everything a plugin implements or uses, and nothing else.

A tribunal plugin (a tribunal family such as PJE-TRT, eproc, e-SAJ) is a package that registers an object under
the ``sinesys.tribunais`` entry-point group and imports the framework only from this module::

    from sinesys_spiders.plugin import TribunalPlugin, TribunalEndpoint, LoginFlow, CapturaPlugin, ...

    entry_points={"sinesys.tribunais": ["meu_sistema = meu_pacote.plugin:MeuPlugin"]}

What a plugin provides (see :class:`TribunalPlugin`): the tribunals and graus it serves (:class:`TribunalEndpoint`),
how it logs in (:class:`LoginFlow`), what it does for each capture type (:class:`CapturaPlugin` for listings,
:class:`CapturaProcessoPlugin` per case), and the items it yields (:class:`PaginaBruta` for the raw log,
:class:`Processo`, :class:`Expediente`, :class:`Audiencia`, :class:`PartesProcesso`, :class:`TimelineProcesso`...).
What a plugin raises: the :class:`SinesysError` subclasses below, each with a stable ``code``.

The first-party PJE-TRT plugin (``plugins/pje_trt``) uses exactly this module and nothing else of the framework.
"""

from __future__ import annotations

from sinesys_spiders.core.capturas import CapturaPlugin, CapturaReprocessavel, ContextoCaptura, Pedido
from sinesys_spiders.core.capturas_processo import CapturaProcessoPlugin, ProcessoAlvo, RespostaBinaria, alvo_de
from sinesys_spiders.core.dados_origem import campos, reduzir
from sinesys_spiders.core.domain import BRASILIA, ClassificacaoParte, Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.errors import (
    BloqueioWaf,
    ConfiguracaoInvalida,
    EntradaInvalida,
    IdentidadeNaoEncontrada,
    NaoEncontrado,
    NetworkError,
    OtpInvalido,
    PermanentError,
    RateLimited,
    RespostaGrandeDemais,
    RespostaInvalida,
    SenhaInvalida,
    SessaoExpirada,
    SinesysError,
    SsoNaoConfiavel,
    TimeoutError_,
    TotalizadorDivergente,
    TransientError,
    TribunalEmManutencao,
    TribunalIndisponivel,
)
from sinesys_spiders.core.items import (
    Audiencia,
    Expediente,
    ItemCaptura,
    ItemInvalido,
    PaginaBruta,
    Processo,
    describe_validation_error,
)
from sinesys_spiders.core.items_processo import (
    DocumentoBaixado,
    EnderecoParte,
    ItemTimeline,
    Oab,
    OcorrenciaProcesso,
    ParteProcesso,
    PartesProcesso,
    RepresentanteParte,
    TimelineProcesso,
    digits,
)
from sinesys_spiders.core.logsafe import ecoar
from sinesys_spiders.core.paginacao import JANELA_PADRAO, paginas_seguintes
from sinesys_spiders.core.totp import TOTP_DIGITS, TOTP_PERIOD, TotpSpec
from sinesys_spiders.core.tribunais import (
    ENTRY_POINT_GROUP,
    Cortesia,
    Identidade,
    LoginFlow,
    LoginResult,
    LoginTimeouts,
    OtpSource,
    ParteCombinada,
    TribunalEndpoint,
    TribunalPlugin,
)
from sinesys_spiders.params import (
    AudienciasParams,
    CapturaParams,
    CombinadaParams,
    CsvLista,
    PartesParams,
    PendentesParams,
    TimelineParams,
)

__all__ = [
    "BRASILIA",
    "ENTRY_POINT_GROUP",
    "JANELA_PADRAO",
    "TOTP_DIGITS",
    "TOTP_PERIOD",
    "Audiencia",
    "AudienciasParams",
    "BloqueioWaf",
    "CapturaParams",
    "CapturaPlugin",
    "CapturaProcessoPlugin",
    "CapturaReprocessavel",
    "ClassificacaoParte",
    "CombinadaParams",
    "ConfiguracaoInvalida",
    "ContextoCaptura",
    "Cortesia",
    "CsvLista",
    "DocumentoBaixado",
    "EnderecoParte",
    "EntradaInvalida",
    "Expediente",
    "Grau",
    "Identidade",
    "IdentidadeNaoEncontrada",
    "ItemCaptura",
    "ItemInvalido",
    "ItemTimeline",
    "LoginFlow",
    "LoginResult",
    "LoginTimeouts",
    "NaoEncontrado",
    "NetworkError",
    "Oab",
    "OcorrenciaProcesso",
    "OtpInvalido",
    "OtpSource",
    "PaginaBruta",
    "ParteCombinada",
    "ParteProcesso",
    "PartesParams",
    "PartesProcesso",
    "Pedido",
    "PendentesParams",
    "PermanentError",
    "Processo",
    "ProcessoAlvo",
    "RateLimited",
    "RepresentanteParte",
    "RespostaBinaria",
    "RespostaGrandeDemais",
    "RespostaInvalida",
    "SenhaInvalida",
    "SessaoExpirada",
    "SinesysError",
    "SsoNaoConfiavel",
    "TimelineParams",
    "TimelineProcesso",
    "TimeoutError_",
    "TipoCaptura",
    "TotalizadorDivergente",
    "TotpSpec",
    "TransientError",
    "Tribunal",
    "TribunalEmManutencao",
    "TribunalEndpoint",
    "TribunalIndisponivel",
    "TribunalPlugin",
    "alvo_de",
    "campos",
    "describe_validation_error",
    "digits",
    "ecoar",
    "paginas_seguintes",
    "reduzir",
]
