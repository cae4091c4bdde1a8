"""Per-case crawl state of one capture: the cases in flight and what each credential's cases gave.

A per-case capture (``partes``, ``timeline``, the per-case part of ``combinada``) opens each case it chose when it
has taken the case's lock, and keeps it open while anything of it is in flight: its requests (by request id) and the
items their answers produced until the pipelines have them (by the request id too, or a token of the case's start).
The case is closed by whoever removes its last token (:meth:`EstadoProcessos.concluir` returns its record to exactly
one caller), who then gives its lock back: the lock's owner token is kept in the record, so any worker of the capture
can release it. The per-case pipeline adds, per credential, what the cases gave (:meth:`EstadoProcessos.acumular`:
cases chosen, stored, ended with their error, the counts) so that the capture's last worker checks every chosen case
once (``PROCESSO_NAO_CONCLUIDO``) and reports each credential's result once.

:func:`abrir_estado_processos` picks the back end: :class:`ProcessosMemoria` for one process (the default), or
:class:`~sinesys_spiders.core.estado_captura.processos_redis.ProcessosRedis` for the capture's workers.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, runtime_checkable

__all__ = ["EstadoProcessos", "ProcessosMemoria", "abrir_estado_processos"]

T = TypeVar("T")


@runtime_checkable
class EstadoProcessos(Protocol):
    """The cases in flight and the credentials' per-case results of one capture (see the module docstring)."""

    #: Whether other processes share this state (the Redis back end).
    compartilhado: bool

    def abrir(self, processo_id: int, registro: dict[str, Any]) -> bool:
        """Open a case with ``registro`` (its credential, its lock...); False if it is open already."""
        ...

    def retomar(self, processo_id: int, registro: dict[str, Any]) -> int | None:
        """Replace an open case's record (its lock taken over from a worker that died); how many things of it are in
        flight (0: it was never started), or None if it is not open."""
        ...

    def aberto(self, processo_id: int) -> bool: ...

    def abertos(self, processo_ids: list[int]) -> set[int]:
        """Which of ``processo_ids`` are open (their locks are still needed)."""
        ...

    def adicionar(self, processo_id: int, tokens: list[str]) -> None:
        """Things of an open case now in flight (``tokens``: request ids, start tokens)."""
        ...

    def concluir(self, processo_id: int, token: str) -> dict[str, Any] | None:
        """One thing of the case is done; the case's record when that closed it (for exactly one caller), else None."""
        ...

    def descartar(self, processo_id: int) -> dict[str, Any] | None:
        """Close the case whatever is in flight; its record if it was open."""
        ...

    def acumular(
        self, credencial_id: int, funcao: Callable[[dict[str, Any]], T], *, marca: str | None = None
    ) -> T | None:
        """Run ``funcao`` on the credential's per-case result (plain values) and keep what it changed, atomically.

        ``marca``: the contribution's key (an answer's item): added once per capture; ``funcao`` is not run, and
        None returned, when that mark was added before (the same answer handled by two workers).
        """
        ...

    def resultados(self) -> dict[int, dict[str, Any]]:
        """Every credential's per-case result so far."""
        ...

    def limpar(self) -> None:
        """Forget everything (the capture is over)."""
        ...


class ProcessosMemoria:
    """Dicts of one process; a case's things in flight are counted (the same request may be asked twice)."""

    compartilhado = False

    def __init__(self) -> None:
        self._registros: dict[int, dict[str, Any]] = {}
        self._tokens: dict[int, collections.Counter[str]] = {}
        self._resultados: dict[int, dict[str, Any]] = {}
        self._marcas: set[str] = set()

    def abrir(self, processo_id: int, registro: dict[str, Any]) -> bool:
        if processo_id in self._registros:
            return False
        self._registros[processo_id] = dict(registro)
        self._tokens[processo_id] = collections.Counter()
        return True

    def retomar(self, processo_id: int, registro: dict[str, Any]) -> int | None:
        if processo_id not in self._registros:
            return None
        self._registros[processo_id] = dict(registro)
        return sum(self._tokens[processo_id].values())

    def aberto(self, processo_id: int) -> bool:
        return processo_id in self._registros

    def abertos(self, processo_ids: list[int]) -> set[int]:
        return {p for p in processo_ids if p in self._registros}

    def adicionar(self, processo_id: int, tokens: list[str]) -> None:
        if processo_id in self._tokens:
            self._tokens[processo_id].update(tokens)

    def concluir(self, processo_id: int, token: str) -> dict[str, Any] | None:
        tokens = self._tokens.get(processo_id)
        if tokens is None:
            return None
        if tokens[token] > 1:
            tokens[token] -= 1
        else:
            tokens.pop(token, None)
        return self.descartar(processo_id) if not tokens else None

    def descartar(self, processo_id: int) -> dict[str, Any] | None:
        self._tokens.pop(processo_id, None)
        return self._registros.pop(processo_id, None)

    def acumular(
        self, credencial_id: int, funcao: Callable[[dict[str, Any]], T], *, marca: str | None = None
    ) -> T | None:
        if marca is not None:
            if marca in self._marcas:
                return None
            self._marcas.add(marca)
        return funcao(self._resultados.setdefault(credencial_id, {}))

    def resultados(self) -> dict[int, dict[str, Any]]:
        return {c: dict(r) for c, r in self._resultados.items()}

    def limpar(self) -> None:
        self.__init__()  # type: ignore[misc]


def abrir_estado_processos(captura_id: int | None, *, compartilhado: bool) -> EstadoProcessos:
    """The in-memory state, or (``compartilhado``) the capture's per-case state in the configured Redis."""
    if not compartilhado:
        return ProcessosMemoria()
    from sinesys_spiders.core.errors import ConfiguracaoInvalida
    from sinesys_spiders.core.estado_captura.processos_redis import ProcessosRedis
    from sinesys_spiders.core.redis_conexao import abrir_redis

    conexao = abrir_redis()
    if conexao is None or captura_id is None:
        raise ConfiguracaoInvalida("estado compartilhado: defina SINESYS_REDIS_URL e o id da captura")
    return ProcessosRedis(conexao, captura_id)
