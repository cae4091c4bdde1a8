"""``/api/captura/tribunais``: the tribunals and graus of the installed plugins, with URL overrides.

A tribunal's id is ``TRIBUNAL-grau`` (``TRT3-primeiro_grau``): every tribunal the plugins serve has one,
whether or not it has a row in ``tribunais_config``.
"""

from __future__ import annotations

import re

from api.auth.escopos import Escopo
from api.errors import ErroApi
from api.routing import Pedido, rota
from api.schemas.base import Envelope
from api.schemas.outros import TribunaisLista, TribunalAtualizar, TribunalSaida
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.endpoints import EndpointEfetivo, EndpointResolver
from sinesys_spiders.core.errors import ConfiguracaoInvalida, EntradaInvalida

__all__ = ["ROUTES"]

_ID = re.compile(r"^(TRT\d{1,2}|TST)-(primeiro_grau|segundo_grau|tribunal_superior)$")


def _saida(item: EndpointEfetivo) -> TribunalSaida:
    ep = item.endpoint
    return TribunalSaida(
        id=f"{ep.tribunal.value}-{ep.grau.value}",
        tribunal=ep.tribunal.value,
        grau=ep.grau.value,
        plugin=item.plugin,
        nome=ep.nome,
        base_url=ep.base_url,
        login_url=ep.login_url,
        api_url=ep.api_url,
        sso_url=item.sso_url,
        override=list(item.overridden),
    )


def _chave(texto: str) -> tuple[Tribunal, Grau]:
    match = _ID.match(texto)
    if match is None:
        raise ErroApi(404, f"Tribunal {texto!r} não encontrado (use TRIBUNAL-grau, ex. TRT3-primeiro_grau)")
    try:
        return Tribunal(match.group(1)), Grau(match.group(2))
    except ValueError:
        raise ErroApi(404, f"Tribunal {texto!r} não encontrado") from None


def obter_tribunal(resolver: EndpointResolver, texto: str) -> TribunalSaida:
    tribunal, grau = _chave(texto)
    try:
        return _saida(resolver.get(tribunal, grau))
    except (ConfiguracaoInvalida, EntradaInvalida):
        raise ErroApi(404, f"Tribunal {texto!r} não é servido por nenhum plugin instalado") from None


def atualizar_tribunal(resolver: EndpointResolver, texto: str, corpo: TribunalAtualizar) -> TribunalSaida:
    obter_tribunal(resolver, texto)
    tribunal, grau = _chave(texto)
    values = {k: v for k, v in corpo.model_dump().items() if v is not None}
    if not values:
        raise ErroApi(400, "Informe ao menos um de base_url, login_path, api_path, sso_url")
    try:
        return _saida(resolver.set_override(tribunal, grau, **values))
    except EntradaInvalida as exc:
        raise ErroApi(400, "Dados inválidos", detalhes=[{"campo": "url", "motivo": exc.message}]) from None


async def listar(p: Pedido) -> Envelope[TribunaisLista]:
    itens = await p.run(p.app_state.endpoints.all)
    return Envelope[TribunaisLista](data=TribunaisLista(tribunais=[_saida(i) for i in itens]))


async def obter(p: Pedido) -> Envelope[TribunalSaida]:
    return Envelope[TribunalSaida](data=await p.run(obter_tribunal, p.app_state.endpoints, p.path["id"]))


async def atualizar(p: Pedido) -> Envelope[TribunalSaida]:
    data = await p.run(atualizar_tribunal, p.app_state.endpoints, p.path["id"], p.corpo)
    return Envelope[TribunalSaida](data=data)


_T = "tribunais"
_P = "/api/captura/tribunais"
ROUTES = [
    rota(
        _P,
        listar,
        "GET",
        escopo=Escopo.LEITURA,
        resumo="Tribunais e graus com suas URLs",
        tag=_T,
        resposta=Envelope[TribunaisLista],
    ),
    rota(
        _P + "/{id}",
        obter,
        "GET",
        escopo=Escopo.LEITURA,
        resumo="Um tribunal e grau",
        tag=_T,
        resposta=Envelope[TribunalSaida],
    ),
    rota(
        _P + "/{id}",
        atualizar,
        "PUT",
        escopo=Escopo.ADMIN,
        resumo="Sobrescrever as URLs de um tribunal e grau",
        tag=_T,
        corpo=TribunalAtualizar,
        resposta=Envelope[TribunalSaida],
    ),
]
