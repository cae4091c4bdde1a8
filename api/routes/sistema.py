"""Health, login, logout and "who am I"."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from api.auth.escopos import Escopo, Principal
from api.errors import erro
from api.middleware import COOKIE_SESSAO
from api.routing import Pedido, rota
from api.schemas.base import Envelope
from api.schemas.outros import Login, LoginResposta, Mensagem, Saude, UsuarioAtual

__all__ = ["ROUTES"]


def _atual(principal: Principal) -> UsuarioAtual:
    return UsuarioAtual(tipo=principal.tipo, nome=principal.nome, escopos=[e.nome for e in sorted(principal.escopos)])


async def saude(p: Pedido) -> Saude:
    return Saude(status="ok")


async def login(p: Pedido) -> Response:
    st = p.app_state
    endereco = p.request.client.host if p.request.client else "desconhecido"
    espera = st.falhas.espera(endereco)
    if espera > 0:
        headers = {"Retry-After": str(max(1, int(espera + 0.999)))}
        return erro(429, "Muitas tentativas falhas deste endereço; tente mais tarde", headers=headers)
    corpo: Login = p.corpo
    usuario = await p.run(st.usuarios.autenticar, corpo.login, corpo.senha.get_secret_value())
    if usuario is None:
        st.falhas.registrar(endereco)
        return JSONResponse({"error": "Unauthorized", "success": False}, status_code=401)
    token, csrf = await p.run(st.usuarios.abrir_sessao, usuario)
    principal = Principal("usuario", usuario.login, usuario.escopos_enum)
    body = Envelope[LoginResposta](data=LoginResposta(usuario=_atual(principal), csrf_token=csrf))
    response = JSONResponse(body.model_dump(mode="json"))
    response.set_cookie(
        COOKIE_SESSAO,
        token,
        max_age=int(st.usuarios.maxima.total_seconds()),
        path="/api",
        httponly=True,
        secure=st.api_settings.cookie_secure,
        samesite="lax",
    )
    return response


async def logout(p: Pedido) -> Response:
    assert p.principal is not None
    if p.principal.sessao_id is not None:
        await p.run(p.app_state.usuarios.revogar_sessao, p.principal.sessao_id)
    response = JSONResponse(Envelope[Mensagem](data=Mensagem(message="Sessão encerrada")).model_dump(mode="json"))
    response.delete_cookie(COOKIE_SESSAO, path="/api", httponly=True, secure=p.app_state.api_settings.cookie_secure)
    return response


async def eu(p: Pedido) -> Envelope[UsuarioAtual]:
    assert p.principal is not None
    return Envelope[UsuarioAtual](data=_atual(p.principal))


ROUTES = [
    rota(
        "/api/health",
        saude,
        "GET",
        escopo=None,
        resumo="Saúde do serviço (sem detalhes)",
        tag="sistema",
        resposta=Saude,
    ),
    rota(
        "/api/auth/login",
        login,
        "POST",
        escopo=None,
        resumo="Entrar com usuário local (cookie de sessão)",
        tag="auth",
        corpo=Login,
        resposta=Envelope[LoginResposta],
        erros_extra=(401,),
    ),
    rota(
        "/api/auth/logout",
        logout,
        "POST",
        escopo=Escopo.LEITURA,
        resumo="Sair (revoga a sessão)",
        tag="auth",
        resposta=Envelope[Mensagem],
    ),
    rota(
        "/api/auth/eu",
        eu,
        "GET",
        escopo=Escopo.LEITURA,
        resumo="Quem está chamando e com que escopos",
        tag="auth",
        resposta=Envelope[UsuarioAtual],
    ),
]
