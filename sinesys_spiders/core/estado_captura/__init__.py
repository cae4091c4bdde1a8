"""The crawl state of each credential of a capture, behind one interface: in memory (one process) or in Redis
(N workers on one capture, so that any worker can carry on and finish any credential).

What a credential's capture keeps while it runs:

- who started it (:meth:`EstadoCredenciais.reivindicar`: one worker logs in and sends its first requests;
  :meth:`~EstadoCredenciais.retomar`: another takes over if it died meanwhile);
- whether its first requests are still being produced (``iniciando``, set by the claim itself);
- its requests in flight (:meth:`~EstadoCredenciais.adicionar_pendentes` / :meth:`~EstadoCredenciais.concluir_pendente`
  in one process; in Redis a set of request ids that the workers' queue keeps, adding an id when it queues the
  request and removing it when the request is acknowledged, so a request handled twice after a crash counts once);
- its capture context (the plugin's :class:`~sinesys_spiders.core.capturas.ContextoCaptura`, as plain values);
- the plugin's state (pages and rows counted, the totalizador read...), changed only through
  :meth:`~EstadoCredenciais.alterar`: atomically, and once per request id;
- its failure (code and message, recorded once for the whole capture);
- its end (:meth:`~EstadoCredenciais.terminar`: exactly one caller runs its completeness check).

:func:`abrir_estado` picks the back end: :class:`EstadoMemoria` for one process (the default), or
:class:`~sinesys_spiders.core.estado_captura.redis.EstadoRedis` for the capture's workers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar, runtime_checkable

from sinesys_spiders.core.estado_captura.memoria import EstadoMemoria

__all__ = ["EstadoCredenciais", "EstadoMemoria", "abrir_estado"]

T = TypeVar("T")


@runtime_checkable
class EstadoCredenciais(Protocol):
    """Per-credential crawl state of one capture (see the module docstring)."""

    #: Whether other processes share this state (the Redis back end).
    compartilhado: bool

    def reivindicar(self, credencial_id: int, worker: str) -> bool:
        """Claim the credential for ``worker`` (True for the first claim, or a claim it already holds); a new claim
        marks it starting (:meth:`iniciando`) in the same step."""
        ...

    def retomar(self, credencial_id: int, de: str, para: str) -> bool:
        """Take over the claim of ``de`` (a worker that died while starting it) for ``para``, atomically: True
        only if ``de`` still held it; the credential stays marked starting."""
        ...

    def dono(self, credencial_id: int) -> str | None: ...

    def liberar_dono(self, credencial_id: int, worker: str) -> bool:
        """Drop ``worker``'s claim (it died): another worker may claim it; True if it was ``worker``'s."""
        ...

    def marcar_iniciando(self, credencial_id: int, iniciando: bool) -> None: ...

    def iniciando(self, credencial_id: int) -> bool: ...

    def adicionar_pendentes(self, credencial_id: int, ids: list[str]) -> None:
        """Requests of the credential now in flight (``ids``: their request ids)."""
        ...

    def concluir_pendente(self, credencial_id: int, request_id: str) -> int:
        """One request was handled; return how many of the credential's requests are still in flight."""
        ...

    def pendentes(self, credencial_id: int) -> int: ...

    def guardar_contexto(self, credencial_id: int, contexto: dict[str, Any]) -> None: ...

    def contexto(self, credencial_id: int) -> dict[str, Any] | None: ...

    def estado(self, credencial_id: int) -> dict[str, Any]:
        """The plugin's state (in memory: the live dict; in Redis: a copy, changed through :meth:`alterar`)."""
        ...

    def alterar(self, credencial_id: int, funcao: Callable[[dict[str, Any]], T], *, request_id: str | None = None) -> T:
        """Run ``funcao`` on the plugin's state and keep what it changed, atomically; with ``request_id``, a request
        already applied is not applied again (``funcao`` then sees a throwaway copy)."""
        ...

    def registrar_falha(self, credencial_id: int, codigo: str, mensagem: str) -> bool:
        """Record the credential's failure; True only for the first one."""
        ...

    def falha(self, credencial_id: int) -> tuple[str, str] | None: ...

    def terminar(self, credencial_id: int) -> bool:
        """Mark the credential ended; True for exactly one caller (who checks it and frees its session)."""
        ...

    def terminada(self, credencial_id: int) -> bool: ...

    def limpar(self) -> None:
        """Forget everything (the capture is over)."""
        ...


def abrir_estado(captura_id: int | None, *, compartilhado: bool) -> EstadoCredenciais:
    """The in-memory state, or (``compartilhado``) the capture's state in the configured Redis."""
    if not compartilhado:
        return EstadoMemoria()
    from sinesys_spiders.core.errors import ConfiguracaoInvalida
    from sinesys_spiders.core.estado_captura.redis import EstadoRedis
    from sinesys_spiders.core.redis_conexao import abrir_redis

    conexao = abrir_redis()
    if conexao is None or captura_id is None:
        raise ConfiguracaoInvalida("estado compartilhado: defina SINESYS_REDIS_URL e o id da captura")
    return EstadoRedis(conexao, captura_id)
