"""``create_app(settings)``: the Starlette application (any ASGI server runs it; ``sinesys api serve`` uses uvicorn).

Route lists come from :mod:`api.routes` (one module per resource); the middleware stack is
:mod:`api.middleware`; the services a request needs live on ``app.state``.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from api.auth.chaves import ChavesService
from api.auth.falhas import FalhasPorEndereco
from api.auth.jwt import JwtVerifier
from api.auth.usuarios import UsuariosService
from api.config import ApiSettings
from api.docs import docs_routes
from api.errors import erro
from api.middleware import Autenticacao, ErrosInternos, LimiteCorpo
from api.openapi import gerar_openapi
from api.routes import advogados, agendamentos, captura_trt, credenciais, historico, recovery, sistema, tribunais
from sinesys_spiders.core.config import Settings, get_settings
from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.db import get_session_factory
from sinesys_spiders.core.endpoints import EndpointResolver

__all__ = ["API_ROUTES", "create_app"]

#: Every route of the API, in the order they are matched.
API_ROUTES: list[BaseRoute] = [
    *sistema.ROUTES,
    *credenciais.ROUTES,
    *advogados.ROUTES,
    *agendamentos.ROUTES,
    *historico.ROUTES,
    *captura_trt.ROUTES,
    *recovery.ROUTES,
    *tribunais.ROUTES,
]


class _State:
    """What the routes and the middleware use (also reachable as ``app.state``)."""

    def __init__(self, settings: Settings, api_settings: ApiSettings) -> None:
        self.settings = settings
        self.api_settings = api_settings
        self.session_factory = get_session_factory(settings.effective_database_url)
        self.chaves = ChavesService(self.session_factory)
        self.usuarios = UsuariosService(
            self.session_factory, ociosa=api_settings.sessao_ociosa, maxima=api_settings.sessao_maxima
        )
        self.jwt = JwtVerifier(api_settings)
        self.falhas = FalhasPorEndereco(api_settings.falhas_limite, api_settings.falhas_janela)
        self.credenciais = CredenciaisService(
            self.session_factory, lambda: _cipher(settings), cache_ttl=settings.credential_cache_ttl
        )
        self.endpoints = EndpointResolver(self.session_factory, allow_http=settings.allow_insecure_http)


def _cipher(settings: Settings) -> Any:
    from sinesys_spiders.core.crypto import load_cipher

    return load_cipher(settings)


async def _nao_encontrado(request: Request, exc: Exception) -> JSONResponse:
    return erro(404, "Rota não encontrada")


async def _metodo(request: Request, exc: Exception) -> JSONResponse:
    return erro(405, "Método não permitido")


def create_app(settings: Settings | None = None, *, api_settings: ApiSettings | None = None) -> Starlette:
    """The API on ``settings`` (default: the environment's) and ``api_settings`` (``SINESYS_API_*``)."""
    settings = settings or get_settings()
    api_settings = api_settings or ApiSettings()
    state = _State(settings, api_settings)
    documento: dict[str, Any] = {}

    async def openapi(request: Request) -> JSONResponse:
        if not documento:
            documento.update(gerar_openapi(API_ROUTES, title="Sinesys Captura API", version="0.1.0"))
        return JSONResponse(documento)

    routes: list[BaseRoute] = [
        *API_ROUTES,
        Route("/api/openapi.json", openapi, methods=["GET"]),
        *docs_routes(),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(ErrosInternos),
            Middleware(LimiteCorpo, max_body=api_settings.max_body),
            Middleware(Autenticacao, state=state),
        ],
        exception_handlers={404: _nao_encontrado, 405: _metodo},
    )
    for name, value in vars(state).items():
        setattr(app.state, name, value)
    return app
