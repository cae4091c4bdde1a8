"""The login path of pje-api.md §1: ``login.seam``, the Keycloak-style SSO, the OTP step and
``authenticateSSO.seam``, which sets the ``access_token`` and ``Xsrf-Token`` cookies.

Plain HTML forms (no JavaScript), so headless Chromium and a plain HTTP client can both log in.
Every login asks for the password and a fresh TOTP code: the sandbox keeps no SSO session between
logins (a capture starts from a clean browser context anyway).
"""

from __future__ import annotations

import asyncio
import hmac
import re
import secrets
import time
import uuid
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from plugins.pje_trt.sandbox import hosts
from plugins.pje_trt.sandbox.app import TRIBUNAL_KEY
from plugins.pje_trt.sandbox.pages import render
from plugins.pje_trt.sandbox.state import AuthFlow, mask_cpf
from plugins.pje_trt.tribunais import TribunalTrt as Tribunal
from plugins.pje_trt.tribunais import sso_client_id
from sinesys_spiders.plugin import Grau

if TYPE_CHECKING:
    from plugins.pje_trt.sandbox.app import Sandbox
    from plugins.pje_trt.sandbox.world import SandboxUser

__all__ = ["BAD_LOGIN", "BAD_OTP", "LANDING_QUADRO_AVISOS", "login_page", "sso_routes", "tribunal_routes"]

BAD_LOGIN = "Usuário ou senha inválidos."
BAD_OTP = "Código autenticador inválido."
COOKIE_NOT_FOUND = "Cookie não encontrado. Verifique se os cookies estão habilitados no navegador."
TIMED_OUT = "A tentativa de login expirou. O login recomeçará do início."
#: Tribunals whose login lands on the notice board instead of the user panel (pje-api.md §1.8).
LANDING_QUADRO_AVISOS = frozenset({Tribunal.TRT4, Tribunal.TRT5, Tribunal.TRT9})
AUTH_COOKIE = "AUTH_SESSION_ID"
_NON_DIGITS = re.compile(r"[.\-/\s]")


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def _kc_error(message: str, status: int = 400) -> HTMLResponse:
    return HTMLResponse(render("kc_error", message=message), status_code=status)


def _feedback(message: str | None) -> str:
    return render("kc_feedback", message=message) if message else ""


def _clients(sandbox: Sandbox) -> dict[str, tuple[Tribunal, Grau]]:
    return {sso_client_id(t, g): (t, g) for t in sandbox.tribunais for g in t.graus}


def _redirect_uri(sandbox: Sandbox, tribunal: Tribunal, grau: Grau) -> str:
    return sandbox.base_url(tribunal) + hosts.login_prefix(grau) + "/authenticateSSO.seam"


def _action_url(sandbox: Sandbox, flow: AuthFlow) -> str:
    query = urlencode({"execution": flow.execution, "client_id": flow.client_id, "tab_id": flow.tab_id})
    return f"{sandbox.sso_url}{hosts.SSO_REALM_PATH}/login-actions/authenticate?{query}"


async def _slow_login(sandbox: Sandbox, tribunal: Tribunal | None) -> None:
    delay = sandbox.faults.login_delay(tribunal)
    if delay:
        await asyncio.sleep(delay)


# -- the SSO host ---------------------------------------------------------------------------------
async def auth(request: Request) -> Response:
    """``/protocol/openid-connect/auth``: check the client and redirect_uri, then show the login form."""
    sandbox = _sandbox(request)
    query = request.query_params
    client = _clients(sandbox).get(query.get("client_id", ""))
    if client is None:
        return _kc_error("Cliente não encontrado.")
    tribunal, grau = client
    await _slow_login(sandbox, tribunal)
    if query.get("redirect_uri") != _redirect_uri(sandbox, tribunal, grau):
        return _kc_error("Parâmetro inválido: redirect_uri")
    if query.get("response_type") != "code":
        return _kc_error("Parâmetro inválido: response_type")
    auth_session_id = request.cookies.get(AUTH_COOKIE) or f"{uuid.uuid4()}.sandbox"
    flow = sandbox.state.new_flow(
        auth_session_id=auth_session_id,
        tribunal=tribunal,
        grau=grau,
        client_id=query["client_id"],
        redirect_uri=query["redirect_uri"],
        state=query.get("state", ""),
    )
    response = HTMLResponse(render("kc_login", action=_action_url(sandbox, flow), username="", raw={"feedback": ""}))
    response.set_cookie(AUTH_COOKIE, auth_session_id, path=hosts.SSO_REALM_PATH + "/", httponly=True)
    return response


async def authenticate(request: Request) -> Response:
    """``/login-actions/authenticate``: the password step, then the OTP step."""
    sandbox = _sandbox(request)
    query = request.query_params
    flow = sandbox.state.flows.get(query.get("execution", ""))
    if flow is None:
        return _kc_error(TIMED_OUT)
    await _slow_login(sandbox, flow.tribunal)
    if request.cookies.get(AUTH_COOKIE) != flow.auth_session_id:
        return _kc_error(COOKIE_NOT_FOUND)
    if query.get("client_id") != flow.client_id or query.get("tab_id") != flow.tab_id:
        return _kc_error(TIMED_OUT)
    if request.method == "GET":  # a reload shows the current step again
        return _render_step(sandbox, flow, None)
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    if flow.step == "password":
        return _password_step(sandbox, flow, form)
    return _otp_step(sandbox, flow, form)


def _render_step(sandbox: Sandbox, flow: AuthFlow, message: str | None, username: str = "") -> HTMLResponse:
    raw = {"feedback": _feedback(message)}
    if flow.step == "password":
        return HTMLResponse(render("kc_login", action=_action_url(sandbox, flow), username=username, raw=raw))
    return HTMLResponse(render("kc_otp", action=_action_url(sandbox, flow), raw=raw))


def _password_step(sandbox: Sandbox, flow: AuthFlow, form: dict[str, str]) -> Response:
    typed = form.get("username", "")
    login = _NON_DIGITS.sub("", typed)
    user = sandbox.world.user_by_login(login) if login else None
    password = form.get("password", "")
    if user is None or not hmac.compare_digest(user.senha.encode(), password.encode()):
        sandbox.state.counters.login_failures[mask_cpf(login) if user else "unknown"] += 1
        return _render_step(sandbox, flow, BAD_LOGIN, username=typed)
    sandbox.state.advance_flow(flow, "otp", user.cpf)
    return _render_step(sandbox, flow, None)


def _otp_step(sandbox: Sandbox, flow: AuthFlow, form: dict[str, str]) -> Response:
    assert flow.login is not None
    user = sandbox.world.user_by_login(flow.login)
    code = form.get("otp", "").strip()
    counters = sandbox.state.counters
    who = mask_cpf(flow.login)
    if user is None or sandbox.faults.take_otp_rejection(flow.tribunal) or not _check_totp(sandbox, user, code):
        counters.otp_rejected[who] += 1
        return _render_step(sandbox, flow, BAD_OTP)
    counters.otp_accepted[who] += 1
    code_value = sandbox.state.issue_code(flow)
    query = urlencode({"state": flow.state, "session_state": str(uuid.uuid4()), "code": code_value})
    return RedirectResponse(f"{flow.redirect_uri}?{query}", status_code=302)


def _check_totp(sandbox: Sandbox, user: SandboxUser, code: str) -> bool:
    """A right code for the current time step or one step either side, never used before.

    The step is the user's own (30 s unless the sandbox was started with ``--totp-period``)."""
    if not (code.isdigit() and len(code) == user.totp_digits):
        return False
    totp = user.totp.totp()
    now = int(time.time())
    step = totp.timecode(now)
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return sandbox.state.use_otp_step(user.cpf, candidate)
    return False


def sso_routes() -> list[Route]:
    realm = hosts.SSO_REALM_PATH
    return [
        Route(f"{realm}/protocol/openid-connect/auth", auth, methods=["GET"]),
        Route(f"{realm}/login-actions/authenticate", authenticate, methods=["GET", "POST"]),
    ]


# -- a tribunal host ------------------------------------------------------------------------------
def _grau_of(request: Request) -> Grau | None:
    """The grau named by the path prefix, if this tribunal has it."""
    grau = hosts.grau_from_prefix(request.path_params["prefix"])
    tribunal: Tribunal = request.scope[TRIBUNAL_KEY]
    return grau if grau in tribunal.graus else None


def _nome_tribunal(tribunal: Tribunal) -> str:
    if tribunal is Tribunal.TST:
        return "Tribunal Superior do Trabalho"
    return f"Tribunal Regional do Trabalho da {tribunal.regiao}ª Região"


_GRAU_NOMES = {Grau.PRIMEIRO_GRAU: "1º Grau", Grau.SEGUNDO_GRAU: "2º Grau", Grau.TRIBUNAL_SUPERIOR: "TST"}


async def login_seam(request: Request) -> Response:
    """``/{primeirograu|segundograu|tst}/login.seam``: the button ``#btnSsoPdpj`` leads to the SSO."""
    sandbox = _sandbox(request)
    tribunal: Tribunal = request.scope[TRIBUNAL_KEY]
    grau = _grau_of(request)
    if grau is None:
        return Response("Not Found", status_code=404)
    await _slow_login(sandbox, tribunal)
    return HTMLResponse(login_page(sandbox, tribunal, grau))


def login_page(sandbox: Sandbox, tribunal: Tribunal, grau: Grau) -> str:
    """The HTML of ``login.seam`` (also what an expired session may get instead of JSON)."""
    return render(
        "login_seam",
        tribunal_nome=_nome_tribunal(tribunal),
        grau_nome=_GRAU_NOMES[grau],
        sso_auth_url=f"{sandbox.sso_url}{hosts.SSO_REALM_PATH}/protocol/openid-connect/auth",
        client_id=sso_client_id(tribunal, grau),
        redirect_uri=_redirect_uri(sandbox, tribunal, grau),
        state=str(uuid.uuid4()),
    )


async def authenticate_sso(request: Request) -> Response:
    """``authenticateSSO.seam?code=``: trade the code for a session; set the cookies; go to the panel."""
    sandbox = _sandbox(request)
    tribunal: Tribunal = request.scope[TRIBUNAL_KEY]
    grau = _grau_of(request)
    if grau is None:
        return Response("Not Found", status_code=404)
    login_page = hosts.login_prefix(grau) + "/login.seam"
    flow = sandbox.state.redeem_code(request.query_params.get("code", ""), tribunal, grau)
    if flow is None or flow.login is None:
        return RedirectResponse(login_page, status_code=302)
    user = sandbox.world.user_by_login(flow.login)
    id_advogado = user.ids_advogado.get(tribunal.value) if user else None
    if user is None or id_advogado is None:
        return HTMLResponse(render("maintenance"), status_code=403)
    session = sandbox.state.open_session(tribunal=tribunal, grau=grau, login=user.cpf, id_advogado=id_advogado)
    token = sandbox.state.make_token(session, id_usuario=user.id_usuario, nome=user.nome)
    sandbox.state.counters.logins[mask_cpf(user.cpf)] += 1
    landing = "/pjekz/painel/usuario-externo"
    if tribunal in LANDING_QUADRO_AVISOS:
        landing = "/pjekz/quadro-avisos/visualizar"
    response = RedirectResponse(landing, status_code=302)
    response.set_cookie("access_token", token, path="/", httponly=True, samesite="lax")
    response.set_cookie("Xsrf-Token", secrets.token_hex(16), path="/", samesite="lax")
    return response


async def painel(request: Request) -> Response:
    """``/pjekz/...``: the Angular shell of the real PJe, here a small page; no session -> login.seam."""
    sandbox = _sandbox(request)
    tribunal: Tribunal = request.scope[TRIBUNAL_KEY]
    session = sandbox.state.session_from_token(request.cookies.get("access_token"), tribunal)
    if session is None:
        grau = tribunal.graus[0]
        return RedirectResponse(hosts.login_prefix(grau) + "/login.seam", status_code=302)
    user = sandbox.world.user_by_login(session.login)
    titulo = "Quadro de avisos" if "quadro-avisos" in request.url.path else "Painel do usuário externo"
    return HTMLResponse(
        render(
            "painel",
            titulo=titulo,
            nome=user.nome if user else "",
            tribunal_nome=_nome_tribunal(tribunal),
            grau_nome=_GRAU_NOMES[session.grau],
        )
    )


async def error_seam(request: Request) -> Response:
    """``error.seam``: the PJe error page, shown while the tribunal is in maintenance."""
    return HTMLResponse(render("maintenance"))


async def sincronia_sessao(request: Request) -> Response:
    """Session keep-alive: a live session is touched (its idle clock restarts); none -> 401."""
    sandbox = _sandbox(request)
    tribunal: Tribunal = request.scope[TRIBUNAL_KEY]
    if request.headers.get("authorization"):
        return JSONResponse({"mensagem": "Não autorizado."}, status_code=401)
    session = sandbox.state.session_from_token(request.cookies.get("access_token"), tribunal)
    if session is None:
        return JSONResponse({"mensagem": "Sessão expirada."}, status_code=401)
    session.last_seen = time.monotonic()
    return JSONResponse({"sessaoAtiva": True})


def tribunal_routes() -> list[Route]:
    return [
        Route("/{prefix}/login.seam", login_seam, methods=["GET"]),
        Route("/{prefix}/authenticateSSO.seam", authenticate_sso, methods=["GET"]),
        Route("/{prefix}/error.seam", error_seam, methods=["GET"]),
        Route("/{prefix}/seam/resource/rest/api/sincronia/sessao", sincronia_sessao, methods=["GET"]),
        Route("/pjekz/{rest:path}", painel, methods=["GET"]),
    ]
