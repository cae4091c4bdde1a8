"""Which failed credentials of a scheduled run are tried again, and when: transient failures only, full jitter.

Transient (retried): network errors and timeouts, the tribunal down (5xx), rate-limited or in maintenance, a session
that expired, the lawyer's session held by another capture, a capture interrupted with its worker. Permanent (never
retried, they stay in the history): wrong password, rejected OTP, WAF block, bad answers, unknown or bad input.

The wait before attempt ``n + 1`` is uniform in ``[0, min(teto, base * 2 ** (n - 1))]`` seconds ("full jitter"),
so many schedules failing together do not come back together.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["CODIGOS_TRANSITORIOS", "PoliticaRetentativas", "credenciais_a_repetir"]

CODIGOS_TRANSITORIOS = frozenset(
    {
        "NETWORK_ERROR",
        "TIMEOUT",
        "TRIBUNAL_INDISPONIVEL",
        "RATE_LIMITED",
        "SESSAO_EXPIRADA",
        "TRIBUNAL_EM_MANUTENCAO",
        "LOCK_OCUPADO",
        "CAPTURA_INTERROMPIDA",
    }
)


@dataclasses.dataclass(frozen=True, slots=True)
class PoliticaRetentativas:
    """At most ``tentativas`` attempts per run (the first included); backoff ``base`` doubling up to ``teto`` s."""

    tentativas: int = 3
    base: float = 60.0
    teto: float = 1800.0

    def espera(self, tentativa: int, *, rng: random.Random | None = None) -> float:
        """Seconds to wait after attempt ``tentativa`` failed (full jitter)."""
        limite = min(self.teto, self.base * 2 ** max(tentativa - 1, 0))
        return (rng or random).uniform(0.0, limite)


def credenciais_a_repetir(resultados: Iterable[Mapping[str, Any]]) -> list[int]:
    """The credentials of a capture's per-credential results that failed with a transient error."""
    out = []
    for entrada in resultados:
        erro = entrada.get("erro")
        if isinstance(erro, Mapping) and erro.get("codigo") in CODIGOS_TRANSITORIOS and entrada.get("credencial_id"):
            out.append(int(entrada["credencial_id"]))
    return sorted(set(out))
