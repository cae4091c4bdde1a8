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
    """At most ``tentativas`` attempts per run (the first included); backoff ``base`` doubling up to ``teto`` s.

    The same backoff spaces the dispatches of a run whose runner was unreachable, at most ``despachos`` of them.
    """

    tentativas: int = 3
    base: float = 60.0
    teto: float = 1800.0
    #: Claims of one run whose dispatch failed for a transient reason (runner unreachable) before it fails.
    despachos: int = 10

    def espera(self, tentativa: int, *, rng: random.Random | None = None) -> float:
        """Seconds to wait after attempt ``tentativa`` failed (full jitter)."""
        limite = min(self.teto, self.base * 2 ** max(tentativa - 1, 0))
        return (rng or random).uniform(0.0, limite)


def credenciais_a_repetir(
    resultados: Iterable[Mapping[str, Any]],
    *,
    credencial_ids: Iterable[int] = (),
    erro_geral: Mapping[str, Any] | None = None,
) -> list[int]:
    """The credentials of a finished capture to try again: those whose own error is transient, and, when the whole
    capture failed with a transient error (its crawl died: ``CAPTURA_INTERROMPIDA``), those without a result."""
    out = set()
    com_resultado = set()
    for entrada in resultados:
        if not entrada.get("credencial_id"):
            continue
        credencial_id = int(entrada["credencial_id"])
        erro = entrada.get("erro")
        if isinstance(erro, Mapping):
            com_resultado.add(credencial_id)
            if erro.get("codigo") in CODIGOS_TRANSITORIOS:
                out.add(credencial_id)
        elif entrada.get("resultado") is not None or entrada.get("contagem") is not None:
            com_resultado.add(credencial_id)
    if erro_geral is not None and erro_geral.get("codigo") in CODIGOS_TRANSITORIOS:
        out.update(int(i) for i in credencial_ids if int(i) not in com_resultado)
    return sorted(out)
