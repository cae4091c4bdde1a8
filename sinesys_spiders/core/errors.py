"""The error hierarchy of Sinesys Captura.

Every error carries a stable ``code`` (recorded in the history and returned by the API) and says
whether retrying can help. Messages never contain secrets: build them from ids, tribunal and grau.

::

    SinesysError
    ├── TransientError                 retrying later may succeed
    │   ├── NetworkError               NETWORK_ERROR
    │   ├── TimeoutError_              TIMEOUT
    │   ├── TribunalIndisponivel       TRIBUNAL_INDISPONIVEL (5xx)
    │   ├── RateLimited                RATE_LIMITED (429)
    │   ├── SessaoExpirada             SESSAO_EXPIRADA
    │   ├── LockOcupado                LOCK_OCUPADO
    │   ├── LockPerdido                LOCK_PERDIDO (a lock lapsed while its work ran)
    │   └── RedisIndisponivel          REDIS_INDISPONIVEL (SINESYS_REDIS_URL unreachable)
    └── PermanentError                 retrying the same thing fails the same way
        ├── SenhaInvalida              SENHA_INVALIDA
        ├── OtpInvalido                OTP_INVALIDO
        ├── BloqueioWaf                BLOQUEIO_WAF
        ├── TribunalEmManutencao       TRIBUNAL_EM_MANUTENCAO
        ├── IdentidadeNaoEncontrada    IDENTIDADE_NAO_ENCONTRADA (no lawyer id in the JWT)
        ├── TotalizadorDivergente      TOTALIZADOR_DIVERGENTE
        ├── RespostaInvalida           RESPOSTA_INVALIDA (not the shape PJE promises)
        │   └── RespostaGrandeDemais   RESPOSTA_GRANDE_DEMAIS (an answer over the size limit)
        ├── EntradaInvalida            ENTRADA_INVALIDA (bad user input)
        ├── NaoEncontrado              NAO_ENCONTRADO
        ├── ConfiguracaoInvalida       CONFIGURACAO_INVALIDA
        ├── ChaveInvalida              CHAVE_INVALIDA (secret key cannot decrypt)
        ├── SsoNaoConfiavel            SSO_NAO_CONFIAVEL (login led off the configured SSO)
        └── HostNaoPermitido           HOST_NAO_PERMITIDO (a request left the tribunal's hosts)
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "BloqueioWaf",
    "ChaveInvalida",
    "ConfiguracaoInvalida",
    "EntradaInvalida",
    "HostNaoPermitido",
    "IdentidadeNaoEncontrada",
    "LockOcupado",
    "LockPerdido",
    "NaoEncontrado",
    "NetworkError",
    "OtpInvalido",
    "PermanentError",
    "RateLimited",
    "RedisIndisponivel",
    "RespostaGrandeDemais",
    "RespostaInvalida",
    "SenhaInvalida",
    "SessaoExpirada",
    "SinesysError",
    "SsoNaoConfiavel",
    "TimeoutError_",
    "TotalizadorDivergente",
    "TransientError",
    "TribunalEmManutencao",
    "TribunalIndisponivel",
    "error_from_code",
]


class SinesysError(Exception):
    """Base of every error the project raises on purpose."""

    code: ClassVar[str] = "ERRO_INTERNO"
    transient: ClassVar[bool] = False

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.__doc__ or self.code
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        """The form stored in the history and returned by the API."""
        return {"codigo": self.code, "mensagem": self.message}


class TransientError(SinesysError):
    """Retrying later may succeed."""

    transient = True


class PermanentError(SinesysError):
    """Retrying the same operation fails the same way."""


class NetworkError(TransientError):
    """Falha de rede ao falar com o tribunal."""

    code = "NETWORK_ERROR"


class TimeoutError_(TransientError):  # noqa: N801 - avoid shadowing the builtin
    """Tempo esgotado ao falar com o tribunal."""

    code = "TIMEOUT"


class TribunalIndisponivel(TransientError):
    """O tribunal respondeu com erro de servidor (5xx)."""

    code = "TRIBUNAL_INDISPONIVEL"


class RateLimited(TransientError):
    """O tribunal pediu para reduzir o ritmo (429)."""

    code = "RATE_LIMITED"

    def __init__(self, message: str | None = None, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SessaoExpirada(TransientError):
    """A sessão no tribunal expirou ou foi recusada."""

    code = "SESSAO_EXPIRADA"


class LockOcupado(TransientError):
    """Outro processo está trabalhando neste recurso."""

    code = "LOCK_OCUPADO"


class LockPerdido(TransientError):
    """O lock expirou e pode ter sido tomado por outro processo: o trabalho que dependia dele parou."""

    code = "LOCK_PERDIDO"


class RedisIndisponivel(TransientError):
    """O Redis configurado (SINESYS_REDIS_URL) não respondeu ou recusou a conexão."""

    code = "REDIS_INDISPONIVEL"


class SenhaInvalida(PermanentError):
    """Usuário ou senha inválidos no tribunal."""

    code = "SENHA_INVALIDA"


class OtpInvalido(PermanentError):
    """O código OTP foi rejeitado (o atual e o próximo)."""

    code = "OTP_INVALIDO"


class BloqueioWaf(PermanentError):
    """O firewall do tribunal (CloudFront/WAF) bloqueou o acesso."""

    code = "BLOQUEIO_WAF"


class TribunalEmManutencao(PermanentError):
    """O tribunal está em manutenção ou indisponível."""

    code = "TRIBUNAL_EM_MANUTENCAO"


class IdentidadeNaoEncontrada(PermanentError):
    """ID do advogado não encontrado no JWT da sessão."""

    code = "IDENTIDADE_NAO_ENCONTRADA"


class TotalizadorDivergente(PermanentError):
    """A quantidade capturada não condiz com o totalizador do tribunal."""

    code = "TOTALIZADOR_DIVERGENTE"

    def __init__(
        self, message: str | None = None, *, capturados: int | None = None, totalizador: int | None = None
    ) -> None:
        super().__init__(message)
        self.capturados = capturados
        self.totalizador = totalizador


class RespostaInvalida(PermanentError):
    """O tribunal respondeu algo que não tem o formato esperado."""

    code = "RESPOSTA_INVALIDA"


class RespostaGrandeDemais(RespostaInvalida):
    """A resposta do tribunal passou do limite de tamanho: não foi lida."""

    code = "RESPOSTA_GRANDE_DEMAIS"


class EntradaInvalida(PermanentError, ValueError):
    """Entrada inválida."""

    code = "ENTRADA_INVALIDA"


class NaoEncontrado(PermanentError):
    """Registro não encontrado."""

    code = "NAO_ENCONTRADO"


class ConfiguracaoInvalida(PermanentError):
    """Configuração inválida."""

    code = "CONFIGURACAO_INVALIDA"


class ChaveInvalida(PermanentError):
    """A chave secreta não decifra as credenciais armazenadas."""

    code = "CHAVE_INVALIDA"


class SsoNaoConfiavel(PermanentError):
    """O login levou a um servidor que não é o SSO configurado do tribunal: a senha não foi digitada."""

    code = "SSO_NAO_CONFIAVEL"


class HostNaoPermitido(PermanentError):
    """Um pedido ou redirecionamento saiu dos hosts do tribunal: não foi seguido."""

    code = "HOST_NAO_PERMITIDO"


def _all_subclasses(cls: type[SinesysError]) -> list[type[SinesysError]]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_all_subclasses(sub))
    return out


def error_from_code(code: str, message: str | None = None) -> SinesysError:
    """Rebuild an error from its stored code (for example from the history)."""
    for cls in _all_subclasses(SinesysError):
        if cls.code == code and cls not in (TransientError, PermanentError):
            return cls(message)
    return SinesysError(message)
