"""Per-credential crawl state in this process's memory: a capture run by one process (the default)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["EstadoMemoria"]

T = TypeVar("T")


class EstadoMemoria:
    """Plain dicts; pending requests are a count (one process hands each request to its callback once)."""

    compartilhado = False

    def __init__(self) -> None:
        self._donos: dict[int, str] = {}
        self._iniciando: set[int] = set()
        self._pendentes: dict[int, int] = {}
        self._contextos: dict[int, dict[str, Any]] = {}
        self._estados: dict[int, dict[str, Any]] = {}
        self._aplicados: dict[int, set[str]] = {}
        self._falhas: dict[int, tuple[str, str]] = {}
        self._terminadas: set[int] = set()

    def reivindicar(self, credencial_id: int, worker: str) -> bool:
        if self._donos.get(credencial_id, worker) != worker:
            return False
        if credencial_id not in self._donos:
            self._donos[credencial_id] = worker
            self._iniciando.add(credencial_id)
        return True

    def retomar(self, credencial_id: int, de: str, para: str) -> bool:
        if self._donos.get(credencial_id) != de:
            return False
        self._donos[credencial_id] = para
        self._iniciando.add(credencial_id)
        return True

    def dono(self, credencial_id: int) -> str | None:
        return self._donos.get(credencial_id)

    def liberar_dono(self, credencial_id: int, worker: str) -> bool:
        if self._donos.get(credencial_id) != worker:
            return False
        del self._donos[credencial_id]
        return True

    def marcar_iniciando(self, credencial_id: int, iniciando: bool) -> None:
        if iniciando:
            self._iniciando.add(credencial_id)
        else:
            self._iniciando.discard(credencial_id)

    def iniciando(self, credencial_id: int) -> bool:
        return credencial_id in self._iniciando

    def adicionar_pendentes(self, credencial_id: int, ids: list[str]) -> None:
        self._pendentes[credencial_id] = self._pendentes.get(credencial_id, 0) + len(ids)

    def concluir_pendente(self, credencial_id: int, request_id: str) -> int:
        restantes = self._pendentes.get(credencial_id, 0) - 1
        self._pendentes[credencial_id] = restantes
        return restantes

    def pendentes(self, credencial_id: int) -> int:
        return self._pendentes.get(credencial_id, 0)

    def guardar_contexto(self, credencial_id: int, contexto: dict[str, Any]) -> None:
        self._contextos[credencial_id] = dict(contexto)

    def contexto(self, credencial_id: int) -> dict[str, Any] | None:
        return self._contextos.get(credencial_id)

    def estado(self, credencial_id: int) -> dict[str, Any]:
        return self._estados.setdefault(credencial_id, {})

    def alterar(self, credencial_id: int, funcao: Callable[[dict[str, Any]], T], *, request_id: str | None = None) -> T:
        if request_id is not None:
            aplicados = self._aplicados.setdefault(credencial_id, set())
            if request_id in aplicados:
                return funcao(copy.deepcopy(self.estado(credencial_id)))
            aplicados.add(request_id)
        return funcao(self.estado(credencial_id))

    def registrar_falha(self, credencial_id: int, codigo: str, mensagem: str) -> bool:
        if credencial_id in self._falhas:
            return False
        self._falhas[credencial_id] = (codigo, mensagem)
        return True

    def falha(self, credencial_id: int) -> tuple[str, str] | None:
        return self._falhas.get(credencial_id)

    def terminar(self, credencial_id: int) -> bool:
        if credencial_id in self._terminadas:
            return False
        self._terminadas.add(credencial_id)
        return True

    def terminada(self, credencial_id: int) -> bool:
        return credencial_id in self._terminadas

    def limpar(self) -> None:
        self.__init__()  # type: ignore[misc]
