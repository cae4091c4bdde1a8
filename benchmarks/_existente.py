"""The existing system's daily cycle, replayed over HTTP on the sandbox (pje-api.md §6), for ``daily_cycle``.

Credentials one after another; for each, one login per capture type and filter (audiências designadas,
realizadas and canceladas, pendentes no prazo and sem prazo, partes, timeline: 7), its pages one at a time with
500 ms between them, per case partes then timeline with 300 ms after each case, and 8 s + 0..4 s between
credentials. The requests are the ones the combined capture makes (the same pages, the same cases).

Each login is made by ``entrar`` (the benchmark passes the browser login a crawl makes; the sandbox's plain HTTP login
is the default); the replay times the logins and the requests apart, so the benchmark can tell them apart.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from plugins.pje_trt import requests as pje
from plugins.pje_trt.partes import partes_url
from plugins.pje_trt.timeline import timeline_url
from sinesys_spiders.testing.sandbox_fixtures import DemoUser, SandboxClient

__all__ = ["Credencial", "replay"]

PAUSA_PAGINAS = 0.5
PAUSA_PROCESSO = 0.3
PAUSA_CREDENCIAIS = (8.0, 12.0)


@dataclasses.dataclass(frozen=True)
class Credencial:
    user: DemoUser
    tribunal: str
    grau: str
    casos: tuple[int, ...]  # the PJE ids of the cases its lists named (partes and timeline)
    credencial_id: int = 0  # its id in the benchmark's database (for a browser login)


def _get(http: httpx.Client, url: str, tempos: list[float]) -> httpx.Response:
    inicio = time.monotonic()
    resposta = http.get(url)
    tempos.append(time.monotonic() - inicio)
    return resposta


def _paginas(http: httpx.Client, primeira: str, tempos: list[float]) -> int:
    """Fetch a listing one page at a time (as the existing system does); the number of requests."""
    resposta = _get(http, primeira, tempos)
    resposta.raise_for_status()
    envelope = pje.read_envelope(resposta.json())
    feitos = 1
    for numero in pje.proximas_paginas(envelope):
        time.sleep(PAUSA_PAGINAS)
        _get(http, pje.page_url(primeira, numero), tempos).raise_for_status()
        feitos += 1
    return feitos


def _passos(c: Credencial, api: str, hoje: dt.date) -> Iterable[tuple[str, list[str]]]:
    id_adv = c.user.ids_advogado[c.tribunal]
    ano, ontem = hoje + dt.timedelta(days=365), hoje - dt.timedelta(days=1)
    situacoes = (("M", hoje, ano), ("F", ontem, ontem), ("C", hoje, ano))
    for sigla, inicio, fim in situacoes:
        situacao = pje.SituacaoAudiencia.parse(sigla)
        yield f"audiencias_{sigla}", [pje.pauta_url(api, data_inicio=inicio, data_fim=fim, situacao=situacao)]
    for filtro in pje.FiltroPrazo:
        yield f"pendentes_{filtro.value}", [pje.pendentes_url(api, id_adv, filtro=filtro)]
    yield "partes", [partes_url(api, caso) for caso in c.casos]
    yield "timeline", [timeline_url(api, caso) for caso in c.casos]


def replay(
    sandbox: SandboxClient,
    credenciais: list[Credencial],
    *,
    entrar: Callable[[Credencial], httpx.Client] | None = None,
    seed: int = 42,
) -> dict[str, Any]:
    """Run the existing design's cycle; wall time, logins and requests, and the time spent in each."""
    entrar = entrar or (lambda c: sandbox.login(c.user, c.tribunal, c.grau))
    rng = random.Random(seed)
    hoje = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=-3))).date()
    logins = requisicoes = 0
    tempos_login: list[float] = []
    tempos_pedido: list[float] = []
    inicio = time.monotonic()
    for i, c in enumerate(credenciais):
        if i:
            time.sleep(rng.uniform(*PAUSA_CREDENCIAIS))
        api = sandbox.api_url(c.tribunal)
        for passo, urls in _passos(c, api, hoje):
            t0 = time.monotonic()
            http = entrar(c)  # a new login for every capture type and filter
            tempos_login.append(time.monotonic() - t0)
            logins += 1
            try:
                for url in urls:
                    if passo in ("partes", "timeline"):
                        _get(http, url, tempos_pedido)
                        requisicoes += 1
                        time.sleep(PAUSA_PROCESSO)
                    else:
                        requisicoes += _paginas(http, url, tempos_pedido)
            finally:
                http.close()
    return {
        "seconds": round(time.monotonic() - inicio, 1),
        "logins": logins,
        "requests": requisicoes,
        "login_seconds_total": round(sum(tempos_login), 1),
        "request_seconds_mean": round(sum(tempos_pedido) / len(tempos_pedido), 4) if tempos_pedido else 0.0,
    }
