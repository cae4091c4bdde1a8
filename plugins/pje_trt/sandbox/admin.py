"""The admin API under the reserved prefix ``/_sandbox/`` (not part of PJE), on every host.

Every route but ``health`` needs the admin token, in ``X-Sandbox-Token`` (or ``Authorization:
Bearer``): the sandbox holds demo passwords and TOTP secrets. The token is generated at start-up and
written to the users file (mode 0600), never printed.

- ``GET health``: liveness, seed, scale and world generation (no token);
- ``GET counters`` / ``POST counters/reset``: logins per user (masked CPF), OTP codes accepted and
  rejected, requests per endpoint and status, faults injected;
- ``GET faults`` / ``PUT faults`` (a profile as JSON, or ``{"profile": "<bundled name>"}``) /
  ``DELETE faults``;
- ``POST advance`` ``{"steps": 1}``: move the world on (``World.advance``), returns its summary;
- ``GET truth?tribunal=&grau=&cpf=&tipo=``: the ground truth, or a slice of it;
- ``GET users``: the demo users with their secrets and URLs;
- ``POST sessions/expire`` ``{"tribunal": "TRT3"?, "cpf": "..."?}``: end live sessions now.
"""

from __future__ import annotations

import hmac
import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from plugins.pje_trt.sandbox import hosts
from plugins.pje_trt.sandbox.faults import FaultProfile, load_profile

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from plugins.pje_trt.sandbox.app import Sandbox

__all__ = ["TOKEN_HEADER", "routes"]

TOKEN_HEADER = "X-Sandbox-Token"


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def _authorized(request: Request) -> bool:
    expected = _sandbox(request).admin_token.encode()
    given = request.headers.get(TOKEN_HEADER, "")
    auth = request.headers.get("authorization", "")
    if not given and auth.lower().startswith("bearer "):
        given = auth[7:]
    return hmac.compare_digest(given.encode(), expected)


def _protected(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def wrapped(request: Request) -> Response:
        if not _authorized(request):
            return JSONResponse({"erro": f"token de administração ausente ou errado ({TOKEN_HEADER})"}, 401)
        return await handler(request)

    wrapped.__doc__ = handler.__doc__
    return wrapped


async def _json_body(request: Request) -> Any:
    body = await request.body()
    if not body:
        return {}
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"corpo não é JSON válido: {exc.msg}") from None


async def health(request: Request) -> Response:
    sandbox = _sandbox(request)
    world = sandbox.world
    return JSONResponse(
        {
            "status": "ok",
            "seed": world.seed,
            "scale": world.scale,
            "generation": sandbox.generation,
            "port": sandbox.port,
        }
    )


@_protected
async def counters(request: Request) -> Response:
    sandbox = _sandbox(request)
    return JSONResponse(sandbox.state.counters.as_dict(dict(sandbox.faults.injected)))


@_protected
async def counters_reset(request: Request) -> Response:
    sandbox = _sandbox(request)
    sandbox.state.counters.reset()
    sandbox.faults.injected.clear()
    return JSONResponse({"reset": True})


@_protected
async def faults(request: Request) -> Response:
    sandbox = _sandbox(request)
    if request.method == "DELETE":
        sandbox.faults.set_profile(FaultProfile(name="none"))
    elif request.method == "PUT":
        try:
            data = await _json_body(request)
            if isinstance(data, dict) and set(data) == {"profile"}:
                profile = load_profile(str(data["profile"]))
            else:
                profile = FaultProfile.parse(data)
        except ValueError as exc:
            return JSONResponse({"erro": str(exc)}, 400)
        sandbox.faults.set_profile(profile)
    return JSONResponse(sandbox.faults.describe())


@_protected
async def advance(request: Request) -> Response:
    sandbox = _sandbox(request)
    try:
        data = await _json_body(request)
        steps = int(data.get("steps", 1)) if isinstance(data, dict) else 1
    except (ValueError, TypeError) as exc:
        return JSONResponse({"erro": str(exc) or "steps inválido"}, 400)
    if steps < 1:
        return JSONResponse({"erro": "steps deve ser >= 1"}, 400)
    async with sandbox.lock:
        summary = sandbox.world.advance(steps=steps)
        sandbox.generation += 1
    return JSONResponse({"generation": sandbox.generation, "summary": summary})


@_protected
async def truth(request: Request) -> Response:
    sandbox = _sandbox(request)
    query = request.query_params
    try:
        data = sandbox.world.truth(
            tribunal=query.get("tribunal") or None,
            grau=query.get("grau") or None,
            cpf=query.get("cpf") or None,
            tipo=query.get("tipo") or None,
        )
    except (KeyError, ValueError) as exc:
        return JSONResponse({"erro": f"filtro inválido: {exc}"}, 400)
    return Response(json.dumps(data, ensure_ascii=False, default=str), media_type="application/json")


@_protected
async def users(request: Request) -> Response:
    sandbox = _sandbox(request)
    return JSONResponse({"users": [u.as_dict() for u in sandbox.world.users], **sandbox.urls()})


@_protected
async def expire_sessions(request: Request) -> Response:
    sandbox = _sandbox(request)
    try:
        data = await _json_body(request)
    except ValueError as exc:
        return JSONResponse({"erro": str(exc)}, 400)
    tribunal = (data or {}).get("tribunal")
    cpf = (data or {}).get("cpf")
    ended = 0
    for session in list(sandbox.state.sessions.values()):
        if (tribunal is None or session.tribunal.value == tribunal) and (cpf is None or session.login == cpf):
            sandbox.state.end_session(session, "admin")
            ended += 1
    return JSONResponse({"ended": ended})


def routes() -> list[Route]:
    p = hosts.ADMIN_PREFIX
    return [
        Route(f"{p}/health", health, methods=["GET"]),
        Route(f"{p}/counters", counters, methods=["GET"]),
        Route(f"{p}/counters/reset", counters_reset, methods=["POST"]),
        Route(f"{p}/faults", faults, methods=["GET", "PUT", "DELETE"]),
        Route(f"{p}/advance", advance, methods=["POST"]),
        Route(f"{p}/truth", truth, methods=["GET"]),
        Route(f"{p}/users", users, methods=["GET"]),
        Route(f"{p}/sessions/expire", expire_sessions, methods=["POST"]),
    ]
