"""The sandbox's ASGI application: one app for every host, routed on the address it was reached at.

``create_app(world, ...)`` returns an ASGI callable that picks, per request:

- ``/_sandbox/...`` on any host: the admin API (``admin.py``), never faulted, never counted;
- a tribunal address (``127.0.1.N``): the PJE pages and REST API of that tribunal (``sso.py``
  pages, ``api.py``), after the active fault profile had its say;
- any other address (``--host``): the Keycloak-style SSO (``sso.py``).

Every request to the SSO or a tribunal is counted per endpoint and status.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette

from plugins.pje_trt.sandbox import hosts
from plugins.pje_trt.sandbox.faults import FaultEngine, Target
from plugins.pje_trt.sandbox.pages import render
from plugins.pje_trt.sandbox.state import SandboxState
from plugins.pje_trt.tribunais import TribunalTrt as Tribunal

if TYPE_CHECKING:
    from plugins.pje_trt.sandbox.world import World

__all__ = ["Sandbox", "create_app"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

TRIBUNAL_KEY = "sandbox.tribunal"
_DIGITS = re.compile(r"/\d+(?=/|$)")
_API_PREFIXES = ("/pje-comum-api/", "/pje-seguranca/")


@dataclasses.dataclass
class Sandbox:
    """Everything the handlers share: the world, the state, the faults and where things are served."""

    world: World
    sso_host: str
    port: int
    tribunais: tuple[Tribunal, ...]
    admin_token: str
    faults: FaultEngine = dataclasses.field(default_factory=FaultEngine)
    state: SandboxState = dataclasses.field(default_factory=SandboxState)
    generation: int = 0  # bumped when the world advances; keys the response caches
    lock: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)

    @property
    def sso_url(self) -> str:
        return hosts.sso_base_url(self.sso_host, self.port)

    def base_url(self, tribunal: Tribunal) -> str:
        return hosts.base_url(tribunal, self.port)

    def urls(self) -> dict[str, Any]:
        """Every URL served: the SSO, the admin API and each tribunal and grau."""
        tribunais: dict[str, Any] = {}
        for tribunal in self.tribunais:
            base = self.base_url(tribunal)
            tribunais[tribunal.value] = {
                "base_url": base,
                "api_url": base + hosts.API_PREFIX,
                "login_urls": {g.value: base + hosts.login_prefix(g) + "/login.seam" for g in tribunal.graus},
            }
        return {
            "sso_url": self.sso_url + hosts.SSO_REALM_PATH,
            "admin_url": self.sso_url + hosts.ADMIN_PREFIX,
            "tribunais": tribunais,
        }


def _endpoint_key(method: str, path: str) -> str:
    return f"{method} {_DIGITS.sub('/{id}', path)}"


def _resolve_tribunal(scope: Scope) -> Tribunal | None:
    server = scope.get("server")
    if server:
        tribunal = hosts.tribunal_by_address(server[0])
        if tribunal is not None:
            return tribunal
    for name, value in scope.get("headers", ()):
        if name == b"host":
            return hosts.tribunal_by_address(value.decode("latin-1").rsplit(":", 1)[0])
    return None


async def _respond(
    send: Send, status: int, body: bytes, content_type: str, extra: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class _Dispatcher:
    def __init__(self, sandbox: Sandbox, sso_app: Starlette, tribunal_app: Starlette, admin_app: Starlette):
        self.sandbox = sandbox
        self.sso_app = sso_app
        self.tribunal_app = tribunal_app
        self.admin_app = admin_app
        self.served = frozenset(sandbox.tribunais)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path == hosts.ADMIN_PREFIX or path.startswith(hosts.ADMIN_PREFIX + "/"):
            await self.admin_app(scope, receive, send)
            return
        tribunal = _resolve_tribunal(scope)
        counters = self.sandbox.state.counters
        status_box = [500]

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box[0] = message["status"]
            await send(message)

        try:
            if tribunal is None:
                await self.sso_app(scope, receive, counting_send)
                return
            counters.requests_by_tribunal[tribunal.value] += 1
            if tribunal not in self.served:
                await _respond(counting_send, 404, b"tribunal not served by this sandbox", "text/plain")
                return
            scope[TRIBUNAL_KEY] = tribunal
            if not path.endswith("/error.seam"):
                target: Target = "api" if path.startswith(_API_PREFIXES) or "/seam/resource/rest/" in path else "pages"
                decision = self.sandbox.faults.decide(tribunal, target)
                if decision.delay:
                    await asyncio.sleep(decision.delay)
                if decision.fault:
                    await _send_fault(counting_send, decision.fault, decision.status, decision.retry_after, path)
                    return
            await self.tribunal_app(scope, receive, counting_send)
        finally:
            counters.requests[_endpoint_key(scope["method"], path)][status_box[0]] += 1


async def _send_fault(send: Send, fault: str, status: int, retry_after: int, path: str) -> None:
    if fault == "waf":
        body = render("waf", request_id=uuid.uuid4().hex[:56]).encode("iso-8859-1", "replace")
        await _respond(send, 403, body, "text/html; charset=iso-8859-1", [(b"server", b"CloudFront")])
    elif fault == "maintenance":
        if path.endswith(".seam") or path.startswith("/pjekz"):
            prefix = path.split("/")[1] if path.count("/") >= 2 and path.endswith(".seam") else "primeirograu"
            location = f"/{prefix}/error.seam".encode()
            await _respond(send, 302, b"", "text/html", [(b"location", location)])
        else:
            await _respond(send, 503, render("maintenance").encode(), "text/html; charset=utf-8")
    elif fault == "rate_limit":
        body = json.dumps({"codigoErro": "HTTP-429", "mensagem": "Too Many Requests"}).encode()
        await _respond(send, 429, body, "application/json", [(b"retry-after", str(retry_after).encode())])
    elif status == 500:
        body = json.dumps({"codigoErro": "PJE-500", "mensagem": "Erro interno do servidor."}).encode()
        await _respond(send, 500, body, "application/json")
    else:
        reason = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}.get(status, "Error")
        html = f"<html><head><title>{status} {reason}</title></head><body><h1>{status} {reason}</h1></body></html>"
        await _respond(send, status, html.encode(), "text/html")


def create_app(
    world: World,
    *,
    sso_host: str = "127.0.0.1",
    port: int = 8800,
    tribunais: Sequence[Tribunal] | None = None,
    admin_token: str,
    faults: FaultEngine | None = None,
    state: SandboxState | None = None,
) -> tuple[Callable[[Scope, Receive, Send], Awaitable[None]], Sandbox]:
    """The ASGI app serving ``world`` and the ``Sandbox`` it shares with its handlers."""
    from plugins.pje_trt.sandbox import admin, api, sso

    sandbox = Sandbox(
        world=world,
        sso_host=sso_host,
        port=port,
        tribunais=tuple(tribunais or list(Tribunal)),
        admin_token=admin_token,
        faults=faults or FaultEngine(),
        state=state or SandboxState(),
    )
    sso_app = Starlette(routes=sso.sso_routes())
    tribunal_app = Starlette(routes=[*sso.tribunal_routes(), *api.routes()])
    admin_app = Starlette(routes=admin.routes())
    for app in (sso_app, tribunal_app, admin_app):
        app.state.sandbox = sandbox
    return _Dispatcher(sandbox, sso_app, tribunal_app, admin_app), sandbox
