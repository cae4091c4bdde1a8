"""ASGI middleware of the API, outermost first: errors -> body size -> authentication.

- :class:`ErrosInternos`: an unexpected exception becomes ``500 {"error_id": ...}``; the log line carries
  the same id, the exception's type and its stack frames (never its message, which may hold data).
- :class:`LimiteCorpo`: a body over ``max_body`` bytes is refused with 413 (by ``Content-Length`` at
  once, or while it streams).
- :class:`Autenticacao`: every path but :data:`PUBLICOS` needs a caller, found in the existing order
  (``x-service-api-key``, ``Authorization: Bearer``, session cookie; the first present decides). It puts
  the :class:`~api.auth.escopos.Principal` in ``scope["principal"]``; each route checks its scope.
  Cookie sessions must send ``x-csrf-token`` on unsafe methods.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from http.cookies import SimpleCookie
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth.escopos import Principal
from api.errors import erro, nao_autorizado

__all__ = ["COOKIE_SESSAO", "PUBLICOS", "Autenticacao", "ErrosInternos", "LimiteCorpo", "eh_publico"]

logger = logging.getLogger("sinesys.api")

COOKIE_SESSAO = "sinesys_sessao"
#: Paths answered without authentication (health, the API's own description, login).
PUBLICOS = frozenset({"/api/health", "/api/openapi.json", "/api/docs", "/api/auth/login"})
_PUBLICOS_PREFIXOS = ("/api/docs/",)
_SEGUROS = frozenset({"GET", "HEAD", "OPTIONS"})


def eh_publico(path: str) -> bool:
    return path in PUBLICOS or path.startswith(_PUBLICOS_PREFIXOS)


class ErrosInternos:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def _send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, _send)
        except Exception as exc:
            error_id = uuid.uuid4().hex[:16]
            frames = "".join(traceback.format_tb(exc.__traceback__))
            logger.error(
                "erro interno %s em %s %s: %s\n%s", error_id, scope["method"], scope["path"], type(exc).__name__, frames
            )
            if started:
                raise
            body = {"success": False, "error": "Erro interno", "error_id": error_id}
            response = JSONResponse(body, status_code=500, headers={"x-error-id": error_id})
            await response(scope, receive, send)


class _CorpoGrande(Exception):
    pass


class LimiteCorpo:
    def __init__(self, app: ASGIApp, *, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        resposta = erro(413, f"Corpo da requisição grande demais (máximo {self.max_body} bytes)")
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await resposta(scope, receive, send)
            return
        received = 0
        started = False

        async def _receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _CorpoGrande
            return message

        async def _send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, _receive, _send)
        except _CorpoGrande:
            if started:
                raise
            await resposta(scope, receive, send)


def _cookie(headers: Headers, name: str) -> str | None:
    raw = headers.get("cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


class Autenticacao:
    """Authenticates with the services in ``app.state`` (``chaves``, ``jwt``, ``usuarios``, ``falhas``)."""

    def __init__(self, app: ASGIApp, *, state: Any) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or eh_publico(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        endereco = (scope.get("client") or ("desconhecido", 0))[0]
        principal: Principal | None = None
        key = headers.get("x-service-api-key")
        authorization = headers.get("authorization")
        if key is not None:
            espera = self.state.falhas.espera(endereco)
            if espera > 0:
                await self._muitas(scope, receive, send, espera)
                return
            chave = await run_in_threadpool(self.state.chaves.verificar, key)
            if chave is None:
                self.state.falhas.registrar(endereco)
                logger.warning("chave de serviço recusada (endereço %s)", endereco)
            else:
                principal = Principal("chave", chave.nome, chave.escopos_enum)
        elif authorization is not None:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() == "bearer":
                principal = self.state.jwt.verificar(token.strip())
        else:
            cookie = _cookie(headers, COOKIE_SESSAO)
            if cookie:
                sessao = await run_in_threadpool(self.state.usuarios.resolver, cookie)
                if sessao is not None:
                    if scope["method"] not in _SEGUROS and not sessao.csrf_ok(headers.get("x-csrf-token")):
                        await erro(403, "Token CSRF ausente ou inválido (cabeçalho x-csrf-token)")(scope, receive, send)
                        return
                    usuario = sessao.usuario
                    principal = Principal("usuario", usuario.login, usuario.escopos_enum, sessao_id=sessao.id)
        if principal is None:
            await nao_autorizado()(scope, receive, send)
            return
        scope["principal"] = principal
        await self.app(scope, receive, send)

    @staticmethod
    async def _muitas(scope: Scope, receive: Receive, send: Send, espera: float) -> None:
        retry = str(max(1, int(espera + 0.999)))
        resposta = erro(
            429, "Muitas tentativas falhas deste endereço; tente mais tarde", headers={"Retry-After": retry}
        )
        await resposta(scope, receive, send)
