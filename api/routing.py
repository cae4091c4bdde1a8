"""Routes with their contract: scope, query and body models, response model and status.

A route is declared once with :func:`rota`; the same declaration validates the request, serialises the
answer through the response model and describes the operation in the OpenAPI document::

    rota("/api/captura/historico/{id:int}", obter, "GET", escopo=Escopo.LEITURA,
         resposta=Envelope[CapturaSaida], resumo="Uma captura")

The handler receives a :class:`Pedido` and returns a model (or a ``Response``). Database work goes
through :meth:`Pedido.run` (a thread of the pool), never on the event loop.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.auth.escopos import Escopo, Principal
from api.errors import ErroApi, erro, erros_de_validacao
from api.schemas.base import MAX_ID

__all__ = ["Operacao", "Pedido", "rota"]

R = TypeVar("R")


@dataclasses.dataclass(frozen=True, slots=True)
class Operacao:
    """What the OpenAPI document says of a route."""

    metodo: str
    escopo: Escopo | None
    resumo: str
    tag: str
    corpo: type[BaseModel] | None = None
    consulta: type[BaseModel] | None = None
    resposta: type[BaseModel] | None = None
    status: int = 200
    descricao: str = ""
    erros_extra: tuple[int, ...] = ()


@dataclasses.dataclass(slots=True)
class Pedido:
    """One request as a handler sees it."""

    request: Request
    principal: Principal | None
    corpo: Any
    consulta: Any
    path: dict[str, Any]

    @property
    def app_state(self) -> Any:
        return self.request.app.state

    async def run(self, func: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        """Run blocking work (the database) in the thread pool."""
        return await run_in_threadpool(func, *args, **kwargs)


Handler = Callable[[Pedido], Awaitable[BaseModel | Response]]


async def _corpo(request: Request, model: type[BaseModel]) -> Any:
    raw = await request.body()
    try:
        data = json.loads(raw) if raw else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ErroApi(400, "Dados inválidos", detalhes=[{"campo": "corpo", "motivo": "JSON inválido"}]) from None
    if not isinstance(data, dict):
        raise ErroApi(400, "Dados inválidos", detalhes=[{"campo": "corpo", "motivo": "deve ser um objeto JSON"}])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ErroApi(400, "Dados inválidos", detalhes=erros_de_validacao(exc)) from None


def _consulta(request: Request, model: type[BaseModel]) -> Any:
    params: dict[str, Any] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        field = model.model_fields.get(key)
        many = field is not None and "list" in str(field.annotation).lower()
        params[key] = values if many else values[-1]
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        raise ErroApi(400, "Parâmetros inválidos", detalhes=erros_de_validacao(exc)) from None


def rota(
    path: str,
    handler: Handler,
    metodo: str,
    *,
    escopo: Escopo | None,
    resumo: str,
    tag: str,
    corpo: type[BaseModel] | None = None,
    consulta: type[BaseModel] | None = None,
    resposta: type[BaseModel] | None = None,
    status: int = 200,
    descricao: str = "",
    erros_extra: tuple[int, ...] = (),
) -> Route:
    """A Starlette ``Route`` whose endpoint checks the scope, validates and serialises."""
    operacao = Operacao(metodo, escopo, resumo, tag, corpo, consulta, resposta, status, descricao, erros_extra)

    async def endpoint(request: Request) -> Response:
        principal: Principal | None = request.scope.get("principal")
        if escopo is not None:
            if principal is None:  # the middleware answers first; this guards a misconfigured app
                return JSONResponse({"error": "Unauthorized"}, status_code=401)
            if not principal.pode(escopo):
                return erro(403, f"Acesso negado: requer o escopo {escopo.nome}")
        try:
            path_params = dict(request.path_params)
            for key, value in path_params.items():
                if isinstance(value, int) and not 1 <= value <= MAX_ID:
                    raise ErroApi(404, f"{key} {value} não encontrado")
            consulta_val = _consulta(request, consulta) if consulta is not None else None
            corpo_val = await _corpo(request, corpo) if corpo is not None else None
            result = await handler(Pedido(request, principal, corpo_val, consulta_val, path_params))
        except ErroApi as exc:
            return erro(exc.status, exc.mensagem, detalhes=exc.detalhes)
        if isinstance(result, Response):
            return result
        return JSONResponse(result.model_dump(mode="json", by_alias=True), status_code=status)

    route = Route(path, endpoint, methods=[metodo], name=f"{metodo.lower()} {path}")
    route.operacao = operacao  # type: ignore[attr-defined]
    return route
