"""``/api/captura/credenciais``: listing (never a secret) and onboarding (secrets only in request bodies).

A new or changed secret is validated as in the CLI (``NovaCredencial``) and encrypted at once by
``CredenciaisService``; it is never returned, logged or put in an error message.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.auth.escopos import Escopo
from api.errors import ErroApi
from api.routing import Pedido, rota
from api.schemas.base import Envelope
from api.schemas.credenciais import (
    CredenciaisConsulta,
    CredenciaisLista,
    CredenciaisMapa,
    CredencialAtualizar,
    CredencialNova,
    CredencialSaida,
)
from sinesys_spiders.core.credenciais import CampoInvalido, CredenciaisService, NovaCredencial, TwoFAuth
from sinesys_spiders.core.credenciais_input import normalize_totp_secret, validate_senha
from sinesys_spiders.core.db.models import Advogado, Credencial
from sinesys_spiders.core.db.repositories import UNSET
from sinesys_spiders.core.domain import Tribunal
from sinesys_spiders.core.errors import EntradaInvalida, NaoEncontrado
from sinesys_spiders.core.tribunais import get_registry
from sinesys_spiders.core.validation import mask_cpf

__all__ = ["ROUTES", "cpf_visivel"]


def cpf_visivel(cpf: str, admin: bool) -> str:
    return cpf if admin else mask_cpf(cpf)


def _saida(cred: Credencial, adv: Advogado, admin: bool) -> CredencialSaida:
    oab = (adv.oabs or [{}])[0] if adv.oabs else {}
    return CredencialSaida(
        id=cred.id,
        advogado_id=adv.id,
        advogado_nome=adv.nome_completo,
        advogado_cpf=cpf_visivel(adv.cpf, admin),
        advogado_oab=oab.get("numero"),
        advogado_uf_oab=oab.get("uf"),
        tribunal=cred.tribunal,
        grau=cred.grau,
        active=cred.active,
        created_at=cred.created_at,
        updated_at=cred.updated_at,
    )


def _linhas(factory: sessionmaker[Session], **filtros: Any) -> list[tuple[Credencial, Advogado]]:
    query = select(Credencial, Advogado).join(Advogado, Advogado.id == Credencial.advogado_id).order_by(Credencial.id)
    if filtros.get("active") is not None:
        query = query.where(Credencial.active == filtros["active"])
    if filtros.get("advogado_id") is not None:
        query = query.where(Credencial.advogado_id == filtros["advogado_id"])
    if filtros.get("ids") is not None:
        query = query.where(Credencial.id.in_(filtros["ids"]))
    with factory() as session:
        return [(c, a) for c, a in session.execute(query).all()]


def listar_credenciais(factory: sessionmaker[Session], q: CredenciaisConsulta, admin: bool) -> CredenciaisLista:
    rows = _linhas(factory, active=q.active, advogado_id=q.advogado_id)
    return CredenciaisLista(
        credenciais=[_saida(c, a, admin) for c, a in rows],
        tribunais_disponiveis=sorted({c.tribunal for c, _ in rows}, key=lambda t: Tribunal(t).ordem),
        graus_disponiveis=sorted({c.grau for c, _ in rows}, key=get_registry().ordem_grau),
    )


def mapa_credenciais(factory: sessionmaker[Session], admin: bool) -> CredenciaisMapa:
    advogados: dict[int, dict[str, Any]] = {}
    for cred, adv in _linhas(factory, active=True):
        entry = advogados.setdefault(
            adv.id,
            {
                "advogado_id": adv.id,
                "advogado_nome": adv.nome_completo,
                "advogado_cpf": cpf_visivel(adv.cpf, admin),
                "tribunais": {},
            },
        )
        entry["tribunais"].setdefault(cred.tribunal, []).append({"id": cred.id, "grau": cred.grau, "active": True})
    out = []
    for entry in advogados.values():
        tribunais = sorted(entry.pop("tribunais").items(), key=lambda kv: Tribunal(kv[0]).ordem)
        out.append({**entry, "tribunais": [{"tribunal": t, "credenciais": cs} for t, cs in tribunais]})
    return CredenciaisMapa.model_validate({"advogados": out})


def _uma(factory: sessionmaker[Session], credencial_id: int) -> CredencialSaida:
    rows = _linhas(factory, ids=[credencial_id])
    if not rows:
        raise ErroApi(404, f"Credencial {credencial_id} não encontrada", detalhes={"id": credencial_id})
    return _saida(rows[0][0], rows[0][1], True)


def _campo(exc: EntradaInvalida) -> ErroApi:
    if isinstance(exc, CampoInvalido):
        return ErroApi(400, "Dados inválidos", detalhes=[{"campo": exc.campo, "motivo": exc.motivo}])
    return ErroApi(400, exc.message)


def criar_credencial(servico: CredenciaisService, factory: sessionmaker[Session], corpo: CredencialNova) -> Any:
    try:
        nova = NovaCredencial.from_values(
            advogado_id=corpo.advogado_id,
            tribunal=corpo.tribunal,
            grau=corpo.grau,
            senha=corpo.senha.get_secret_value(),
            usuario=corpo.usuario,
            totp_secret=corpo.totp_secret.get_secret_value() if corpo.totp_secret else None,
            twofauth=_twofauth(corpo.twofauth),
        )
        with factory() as session:
            if session.get(Advogado, nova.advogado_id) is None:
                raise ErroApi(
                    404, f"Advogado {nova.advogado_id} não encontrado", detalhes={"advogado_id": nova.advogado_id}
                )
        credencial_id = servico.add(nova)
    except EntradaInvalida as exc:
        raise _campo(exc) from None
    return _uma(factory, credencial_id)


def _twofauth(entrada: Any) -> TwoFAuth | None:
    if entrada is None:
        return None
    return TwoFAuth.from_values(url=entrada.url, token=entrada.token.get_secret_value(), account_id=entrada.account_id)


def atualizar_credencial(
    servico: CredenciaisService, factory: sessionmaker[Session], credencial_id: int, corpo: CredencialAtualizar
) -> CredencialSaida:
    _uma(factory, credencial_id)
    try:
        senha: Any = validate_senha(corpo.senha.get_secret_value()) if corpo.senha is not None else UNSET
        totp: Any = (
            SecretStr(normalize_totp_secret(corpo.totp_secret.get_secret_value()))
            if corpo.totp_secret is not None
            else UNSET
        )
        twofauth: Any = _twofauth(corpo.twofauth) if corpo.twofauth is not None else UNSET
        usuario: Any = corpo.usuario if corpo.usuario is not None else UNSET
        servico.update(credencial_id, senha=senha, usuario=usuario, totp_secret=totp, twofauth=twofauth)
    except NaoEncontrado:
        raise ErroApi(404, f"Credencial {credencial_id} não encontrada") from None
    except EntradaInvalida as exc:
        raise _campo(exc) from None
    return _uma(factory, credencial_id)


def ativar_credencial(
    servico: CredenciaisService, factory: sessionmaker[Session], credencial_id: int, ativo: bool
) -> CredencialSaida:
    try:
        servico.set_active(credencial_id, ativo)
    except NaoEncontrado:
        raise ErroApi(404, f"Credencial {credencial_id} não encontrada", detalhes={"id": credencial_id}) from None
    return _uma(factory, credencial_id)


def _admin(p: Pedido) -> bool:
    return p.principal is not None and p.principal.pode(Escopo.ADMIN)


async def listar(p: Pedido) -> Envelope[CredenciaisLista]:
    data = await p.run(listar_credenciais, p.app_state.session_factory, p.consulta, _admin(p))
    return Envelope[CredenciaisLista](data=data)


async def mapa(p: Pedido) -> Envelope[CredenciaisMapa]:
    return Envelope[CredenciaisMapa](data=await p.run(mapa_credenciais, p.app_state.session_factory, _admin(p)))


async def criar(p: Pedido) -> Envelope[CredencialSaida]:
    st = p.app_state
    return Envelope[CredencialSaida](data=await p.run(criar_credencial, st.credenciais, st.session_factory, p.corpo))


async def atualizar(p: Pedido) -> Envelope[CredencialSaida]:
    st = p.app_state
    data = await p.run(atualizar_credencial, st.credenciais, st.session_factory, p.path["id"], p.corpo)
    return Envelope[CredencialSaida](data=data)


async def desativar(p: Pedido) -> Envelope[CredencialSaida]:
    st = p.app_state
    data = await p.run(ativar_credencial, st.credenciais, st.session_factory, p.path["id"], False)
    return Envelope[CredencialSaida](data=data)


async def ativar(p: Pedido) -> Envelope[CredencialSaida]:
    st = p.app_state
    data = await p.run(ativar_credencial, st.credenciais, st.session_factory, p.path["id"], True)
    return Envelope[CredencialSaida](data=data)


_T = "credenciais"
ROUTES = [
    rota(
        "/api/captura/credenciais",
        listar,
        "GET",
        escopo=Escopo.LEITURA,
        resumo="Credenciais com seu advogado (nunca um segredo)",
        tag=_T,
        consulta=CredenciaisConsulta,
        resposta=Envelope[CredenciaisLista],
    ),
    rota(
        "/api/captura/credenciais",
        criar,
        "POST",
        escopo=Escopo.ADMIN,
        resumo="Cadastrar uma credencial (segredos cifrados na hora, nunca devolvidos)",
        tag=_T,
        corpo=CredencialNova,
        resposta=Envelope[CredencialSaida],
        status=201,
    ),
    rota(
        "/api/captura/credenciais-mapa",
        mapa,
        "GET",
        escopo=Escopo.LEITURA,
        resumo="Credenciais ativas agrupadas por advogado e tribunal",
        tag=_T,
        resposta=Envelope[CredenciaisMapa],
    ),
    rota(
        "/api/captura/credenciais/{id:int}",
        atualizar,
        "PUT",
        escopo=Escopo.ADMIN,
        resumo="Trocar senha, usuário ou segundo fator de uma credencial",
        tag=_T,
        corpo=CredencialAtualizar,
        resposta=Envelope[CredencialSaida],
    ),
    rota(
        "/api/captura/credenciais/{id:int}/desativar",
        desativar,
        "POST",
        escopo=Escopo.ADMIN,
        resumo="Desativar uma credencial",
        tag=_T,
        resposta=Envelope[CredencialSaida],
    ),
    rota(
        "/api/captura/credenciais/{id:int}/ativar",
        ativar,
        "POST",
        escopo=Escopo.ADMIN,
        resumo="Reativar uma credencial (limpa a falha de login registrada)",
        tag=_T,
        resposta=Envelope[CredencialSaida],
    ),
]
