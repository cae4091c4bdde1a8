"""Failed logins and bad keys counted per client address: past a limit in a window, answer 429.

Counted in this process's memory (one API process, or per worker behind gunicorn: the limit then applies
per worker). A correct login does not reset the count, so a guesser cannot interleave good attempts.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable

__all__ = ["FalhasPorEndereco"]


class FalhasPorEndereco:
    """``registrar(endereco)`` a failure; ``espera(endereco)`` seconds until it may try again (0 = now)."""

    def __init__(self, limite: int, janela: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limite = limite
        self.janela = janela
        self._clock = clock
        self._falhas: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()

    def _recentes(self, endereco: str, now: float) -> collections.deque[float]:
        fila = self._falhas.setdefault(endereco, collections.deque())
        while fila and fila[0] <= now - self.janela:
            fila.popleft()
        return fila

    def registrar(self, endereco: str) -> None:
        now = self._clock()
        with self._lock:
            fila = self._recentes(endereco, now)
            fila.append(now)
            if len(self._falhas) > 100_000:  # bound the memory an address sweep can take
                self._falhas = {k: v for k, v in self._falhas.items() if v and v[-1] > now - self.janela}

    def espera(self, endereco: str) -> float:
        now = self._clock()
        with self._lock:
            fila = self._recentes(endereco, now)
            if len(fila) < self.limite:
                return 0.0
            return max(0.0, fila[-self.limite] + self.janela - now)
