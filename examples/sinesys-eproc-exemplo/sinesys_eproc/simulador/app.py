"""The simulated eproc as a Starlette app: login form, second factor, the lawyer's case list, an admin API.

Per installation (``{prefixo}`` = ``/trf4/eproc1g``...):

- ``GET {prefixo}/externo_controlador.php?acao=login``: one HTML form (``#txtUsuario``, ``#pwdSenha``,
  ``#sbmEntrar``) posted to ``acao=login_validar``. A wrong CPF or password answers the form again with
  ``#divInfraMsg`` "Usuário ou senha inválida."; the right ones set the short-lived ``EPROC_2FA`` cookie and
  redirect (303) to ``acao=login_2fa``.
- ``GET {prefixo}/externo_controlador.php?acao=login_2fa``: the second factor's own form (``#txtCodigoAcesso``,
  ``#btnValidar``). A code is RFC 6238 (period per user), accepted for the current step and one either side,
  each step once. A wrong code answers the form again with "Código de acesso inválido." (three tries, then back
  to the login form). The right code sets ``PHPSESSID`` (HttpOnly) and ``EPROC_USUARIO`` (the user's id), both
  with ``Path={prefixo}``, and redirects to the lawyer's panel (``controlador.php?acao=painel_advogado``).
- ``GET {prefixo}/api/v1/advogado/processos?limite=N[&cursor=C]``: the active cases, newest first, in the
  envelope ``{"sucesso": true, "dados": {"processos": [...]}, "paginacao": {"total", "limite", "proximo"}}``;
  ``proximo`` is an opaque cursor for the next page (``null`` on the last). Without a live session: 401
  ``{"sucesso": false, "erro": {"codigo": "SESSAO_EXPIRADA", ...}}``.
- ``/_admin/...`` (header ``X-Simulador-Token``): ``GET contadores[?cpf=]``, ``POST contadores/zerar``,
  ``POST sessoes/expirar``, ``GET verdade?tribunal=&grau=&cpf=``.
"""

from __future__ import annotations

import base64
import collections
import html
import json
import secrets
import threading
import time
from typing import Any
from urllib.parse import parse_qsl

import pyotp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from sinesys_eproc.simulador.dados import INSTALACOES, Instalacao, Usuario, processos_de

__all__ = ["ADMIN_HEADER", "Simulador", "criar_app"]

ADMIN_HEADER = "X-Simulador-Token"
LIMITE_MAXIMO = 25
_TENTATIVAS_OTP = 3


class Simulador:
    """The world, the sessions and the counters of one simulator process."""

    def __init__(self, *, seed: int, usuarios: list[Usuario], admin_token: str) -> None:
        self.seed = seed
        self.usuarios = {u.cpf: u for u in usuarios}
        self.admin_token = admin_token
        self.sessoes: dict[str, tuple[str, str]] = {}  # PHPSESSID -> (cpf, prefixo)
        self.pre_2fa: dict[str, tuple[str, str, int]] = {}  # EPROC_2FA -> (cpf, prefixo, tentativas)
        self.passos_usados: dict[str, set[int]] = collections.defaultdict(set)
        self.contadores: collections.Counter[tuple[str, str]] = collections.Counter()  # (evento, cpf)
        self.lock = threading.Lock()

    def totp(self, usuario: Usuario) -> pyotp.TOTP:
        secret, period = usuario.totp_secret, 30
        if secret.startswith("otpauth://"):
            query = dict(p.split("=", 1) for p in secret.split("?", 1)[1].split("&"))
            secret, period = query["secret"], int(query.get("period", "30"))
        return pyotp.TOTP(secret, interval=period)

    def aceitar_codigo(self, usuario: Usuario, codigo: str) -> bool:
        """The code of the current step or one either side, each step accepted once per user."""
        totp = self.totp(usuario)
        agora = totp.timecode(int(time.time()))
        with self.lock:
            for passo in (agora, agora - 1, agora + 1):
                if passo not in self.passos_usados[usuario.cpf] and secrets.compare_digest(
                    totp.generate_otp(passo), codigo.strip()
                ):
                    self.passos_usados[usuario.cpf].add(passo)
                    return True
        return False


def _instalacao(request: Request) -> Instalacao | None:
    prefixo = f"/{request.path_params['tribunal']}/{request.path_params['sistema']}"
    return next((i for i in INSTALACOES if i.prefixo == prefixo), None)


async def _form(request: Request) -> dict[str, str]:
    """An urlencoded form (parsed here: no multipart library needed)."""
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))


def _pagina(titulo: str, corpo: str) -> HTMLResponse:
    return HTMLResponse(
        "<!DOCTYPE html><html lang='pt-BR'><head><meta charset='utf-8'>"
        f"<title>{html.escape(titulo)}</title></head><body><div id='divInfraAreaTela'>{corpo}</div></body></html>"
    )


def _form_login(inst: Instalacao, erro: str = "") -> HTMLResponse:
    msg = f"<div id='divInfraMsg' class='infraMensagemErro' role='alert'>{html.escape(erro)}</div>" if erro else ""
    return _pagina(
        f"eproc - {inst.nome}",
        f"<h1>eproc</h1><h2>{html.escape(inst.nome)}</h2>{msg}"
        f"<form id='frmLogin' method='post' action='{inst.prefixo}/externo_controlador.php?acao=login_validar'>"
        "<label for='txtUsuario'>Usuário (CPF)</label><input id='txtUsuario' name='txtUsuario' type='text'>"
        "<label for='pwdSenha'>Senha</label><input id='pwdSenha' name='pwdSenha' type='password'>"
        f"<input type='hidden' name='hdnInfraToken' value='{secrets.token_hex(8)}'>"
        "<button id='sbmEntrar' type='submit'>Entrar</button></form>",
    )


def _form_2fa(inst: Instalacao, erro: str = "") -> HTMLResponse:
    msg = f"<div id='divInfraMsg' class='infraMensagemErro' role='alert'>{html.escape(erro)}</div>" if erro else ""
    return _pagina(
        "eproc - Autenticação em dois fatores",
        f"<h2>Autenticação em dois fatores</h2>{msg}"
        f"<form id='frm2fa' method='post' action='{inst.prefixo}/externo_controlador.php?acao=login_2fa_validar'>"
        "<label for='txtCodigoAcesso'>Código do aplicativo autenticador</label>"
        "<input id='txtCodigoAcesso' name='txtCodigoAcesso' type='text' autocomplete='one-time-code'>"
        "<button id='btnValidar' type='submit'>Validar</button></form>",
    )


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def _offset(cursor: str) -> int | None:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return int(data["o"])
    except (ValueError, KeyError, TypeError):
        return None


def criar_app(sim: Simulador) -> Starlette:
    """The Starlette app of ``sim``."""

    async def externo(request: Request) -> Response:
        inst = _instalacao(request)
        if inst is None:
            return HTMLResponse("não encontrado", status_code=404)
        acao = request.query_params.get("acao", "login")
        if acao == "login":
            return _form_login(inst)
        if acao == "login_validar" and request.method == "POST":
            form = await _form(request)
            usuario = sim.usuarios.get(str(form.get("txtUsuario", "")).strip())
            senha = str(form.get("pwdSenha", ""))
            if usuario is None or not secrets.compare_digest(usuario.senha.encode(), senha.encode()):
                sim.contadores["senhas_recusadas", str(form.get("txtUsuario", "")).strip()] += 1
                return _form_login(inst, "Usuário ou senha inválida.")
            token = secrets.token_urlsafe(24)
            sim.pre_2fa[token] = (usuario.cpf, inst.prefixo, 0)
            response = RedirectResponse(f"{inst.prefixo}/externo_controlador.php?acao=login_2fa", status_code=303)
            response.set_cookie("EPROC_2FA", token, path=inst.prefixo, httponly=True, max_age=300)
            return response
        if acao in ("login_2fa", "login_2fa_validar"):
            token = request.cookies.get("EPROC_2FA", "")
            pendente = sim.pre_2fa.get(token)
            if pendente is None or pendente[1] != inst.prefixo:
                return RedirectResponse(f"{inst.prefixo}/externo_controlador.php?acao=login", status_code=303)
            if acao == "login_2fa" or request.method != "POST":
                return _form_2fa(inst)
            form = await _form(request)
            usuario = sim.usuarios[pendente[0]]
            if not sim.aceitar_codigo(usuario, str(form.get("txtCodigoAcesso", ""))):
                sim.contadores["otp_recusados", usuario.cpf] += 1
                tentativas = pendente[2] + 1
                if tentativas >= _TENTATIVAS_OTP:
                    sim.pre_2fa.pop(token, None)
                    return _form_login(inst, "Número máximo de tentativas excedido. Entre novamente.")
                sim.pre_2fa[token] = (pendente[0], pendente[1], tentativas)
                return _form_2fa(inst, "Código de acesso inválido.")
            sim.pre_2fa.pop(token, None)
            sim.contadores["otp_aceitos", usuario.cpf] += 1
            sim.contadores["logins", usuario.cpf] += 1
            sessao = secrets.token_hex(16)
            sim.sessoes[sessao] = (usuario.cpf, inst.prefixo)
            response = RedirectResponse(f"{inst.prefixo}/controlador.php?acao=painel_advogado", status_code=303)
            response.delete_cookie("EPROC_2FA", path=inst.prefixo)
            response.set_cookie("PHPSESSID", sessao, path=inst.prefixo, httponly=True)
            response.set_cookie("EPROC_USUARIO", str(usuario.id_usuario), path=inst.prefixo)
            return response
        return HTMLResponse("ação desconhecida", status_code=400)

    def _sessao(request: Request, inst: Instalacao) -> Usuario | None:
        valor = sim.sessoes.get(request.cookies.get("PHPSESSID", ""))
        if valor is None or valor[1] != inst.prefixo:
            return None
        return sim.usuarios.get(valor[0])

    async def painel(request: Request) -> Response:
        inst = _instalacao(request)
        if inst is None:
            return HTMLResponse("não encontrado", status_code=404)
        usuario = _sessao(request, inst)
        if usuario is None:
            return RedirectResponse(f"{inst.prefixo}/externo_controlador.php?acao=login", status_code=303)
        return _pagina("eproc - Painel do Advogado", f"<h1 id='painelAdvogado'>Painel do Advogado</h1>"
                       f"<span id='spnUsuario'>{html.escape(usuario.nome)}</span>")  # fmt: skip

    async def processos(request: Request) -> Response:
        inst = _instalacao(request)
        if inst is None:
            return JSONResponse({"sucesso": False, "erro": {"codigo": "NAO_ENCONTRADO"}}, status_code=404)
        usuario = _sessao(request, inst)
        sim.contadores["requisicoes_api", usuario.cpf if usuario else ""] += 1
        if usuario is None:
            erro = {"codigo": "SESSAO_EXPIRADA", "mensagem": "Sessão expirada. Entre novamente."}
            return JSONResponse({"sucesso": False, "erro": erro}, status_code=401)
        try:
            limite = int(request.query_params.get("limite", "10"))
        except ValueError:
            limite = 0
        cursor = request.query_params.get("cursor")
        offset = 0 if cursor is None else _offset(cursor)
        if not 1 <= limite <= LIMITE_MAXIMO or offset is None or offset < 0:
            erro = {"codigo": "PARAMETRO_INVALIDO", "mensagem": f"limite entre 1 e {LIMITE_MAXIMO}; cursor válido"}
            return JSONResponse({"sucesso": False, "erro": erro}, status_code=400)
        todos = processos_de(sim.seed, usuario, inst)
        pagina = todos[offset : offset + limite]
        proximo = _cursor(offset + limite) if offset + limite < len(todos) else None
        return JSONResponse(
            {
                "sucesso": True,
                "dados": {"processos": [p.json() for p in pagina]},
                "paginacao": {"total": len(todos), "limite": limite, "proximo": proximo},
            }
        )

    def _admin(request: Request) -> bool:
        return secrets.compare_digest(request.headers.get(ADMIN_HEADER, ""), sim.admin_token)

    async def admin(request: Request) -> Response:
        if not _admin(request):
            return JSONResponse({"erro": "token"}, status_code=403)
        acao = request.path_params["acao"]
        if acao == "contadores":  # ?cpf= one user's
            cpf = request.query_params.get("cpf")
            soma: collections.Counter[str] = collections.Counter()
            for (evento, de), n in sim.contadores.items():
                if cpf is None or de == cpf:
                    soma[evento] += n
            return JSONResponse(dict(soma))
        if acao == "contadores/zerar" and request.method == "POST":
            sim.contadores.clear()
            return JSONResponse({})
        if acao == "sessoes/expirar" and request.method == "POST":
            encerradas = len(sim.sessoes)
            sim.sessoes.clear()
            sim.contadores["sessoes_expiradas", ""] += encerradas
            return JSONResponse({"encerradas": encerradas})
        if acao == "verdade":
            return JSONResponse(_verdade(sim, dict(request.query_params)))
        if acao == "health":
            return JSONResponse({"ok": True})
        return JSONResponse({"erro": "ação desconhecida"}, status_code=404)

    return Starlette(
        routes=[
            Route("/_admin/{acao:path}", admin, methods=["GET", "POST"]),
            Route("/{tribunal}/{sistema}/externo_controlador.php", externo, methods=["GET", "POST"]),
            Route("/{tribunal}/{sistema}/controlador.php", painel),
            Route("/{tribunal}/{sistema}/api/v1/advogado/processos", processos),
        ]
    )


def _verdade(sim: Simulador, filtros: dict[str, Any]) -> dict[str, Any]:
    """``{"acervo": [row, ...]}``: what a correct ``acervo_geral`` capture stores for the filtered users."""
    linhas = []
    for inst in INSTALACOES:
        if filtros.get("tribunal") and filtros["tribunal"] != inst.tribunal:
            continue
        if filtros.get("grau") and filtros["grau"] != inst.grau:
            continue
        for usuario in sim.usuarios.values():
            if filtros.get("cpf") and filtros["cpf"] != usuario.cpf:
                continue
            linhas += [p.verdade(inst.tribunal, inst.grau) for p in processos_de(sim.seed, usuario, inst)]
    return {"acervo": linhas}
