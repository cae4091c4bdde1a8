"""``/api/captura/advogados``: onboarding lawyers without a shell (create, update, disable, enable).

The CPF is shown in full only to the ``admin`` scope; everyone else sees ``123.***.***-01``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.auth.escopos import Escopo
from api.errors import ErroApi
from api.paginas import contadores, paginar
from api.routes.credenciais import cpf_visivel
from api.routing import Pedido, rota
from api.schemas.base import Envelope
from api.schemas.credenciais import (
    AdvogadoAtualizar,
    AdvogadoNovo,
    AdvogadoSaida,
    AdvogadosConsulta,
    AdvogadosLista,
)
from sinesys_spiders.core.db.models import Advogado
from sinesys_spiders.core.errors import EntradaInvalida
from sinesys_spiders.core.validation import validate_cpf

__all__ = ["ROUTES"]


def _saida(row: Advogado, admin: bool) -> AdvogadoSaida:
    return AdvogadoSaida(
        id=row.id,
        nome_completo=row.nome_completo,
        cpf=cpf_visivel(row.cpf, admin),
        oabs=list(row.oabs or []),
        ativo=row.ativo,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _get(session: Session, advogado_id: int) -> Advogado:
    row = session.get(Advogado, advogado_id)
    if row is None:
        raise ErroApi(404, f"Advogado {advogado_id} não encontrado", detalhes={"id": advogado_id})
    return row


def listar_advogados(factory: sessionmaker[Session], q: AdvogadosConsulta, admin: bool) -> AdvogadosLista:
    conds = [] if q.ativo is None else [Advogado.ativo == q.ativo]
    with factory() as session:
        rows, total = paginar(session, Advogado, conds, [Advogado.id], q)
        return AdvogadosLista(advogados=[_saida(r, admin) for r in rows], **contadores(q, total))


def obter_advogado(factory: sessionmaker[Session], advogado_id: int, admin: bool) -> AdvogadoSaida:
    with factory() as session:
        return _saida(_get(session, advogado_id), admin)


def criar_advogado(factory: sessionmaker[Session], corpo: AdvogadoNovo) -> AdvogadoSaida:
    try:
        cpf = validate_cpf(corpo.cpf)
    except EntradaInvalida as exc:
        raise ErroApi(400, "Dados inválidos", detalhes=[{"campo": "cpf", "motivo": exc.message}]) from None
    try:
        with factory.begin() as session:
            if session.scalars(select(Advogado.id).where(Advogado.cpf == cpf)).first() is not None:
                raise ErroApi(400, "Já existe um advogado com este CPF")
            row = Advogado(
                nome_completo=corpo.nome_completo.strip(),
                cpf=cpf,
                oabs=[o.model_dump() for o in corpo.oabs],
                ativo=True,
            )
            session.add(row)
            session.flush()
            return _saida(row, True)
    except IntegrityError:
        raise ErroApi(400, "Já existe um advogado com este CPF") from None


def atualizar_advogado(factory: sessionmaker[Session], advogado_id: int, corpo: AdvogadoAtualizar) -> AdvogadoSaida:
    with factory.begin() as session:
        row = _get(session, advogado_id)
        if corpo.nome_completo is not None:
            row.nome_completo = corpo.nome_completo.strip()
        if corpo.oabs is not None:
            row.oabs = [o.model_dump() for o in corpo.oabs]
        session.flush()
        return _saida(row, True)


def definir_ativo(factory: sessionmaker[Session], advogado_id: int, ativo: bool) -> AdvogadoSaida:
    with factory.begin() as session:
        row = _get(session, advogado_id)
        row.ativo = ativo
        session.flush()
        return _saida(row, True)


def _admin(p: Pedido) -> bool:
    return p.principal is not None and p.principal.pode(Escopo.ADMIN)


async def listar(p: Pedido) -> Envelope[AdvogadosLista]:
    data = await p.run(listar_advogados, p.app_state.session_factory, p.consulta, _admin(p))
    return Envelope[AdvogadosLista](data=data)


async def obter(p: Pedido) -> Envelope[AdvogadoSaida]:
    data = await p.run(obter_advogado, p.app_state.session_factory, p.path["id"], _admin(p))
    return Envelope[AdvogadoSaida](data=data)


async def criar(p: Pedido) -> Envelope[AdvogadoSaida]:
    return Envelope[AdvogadoSaida](data=await p.run(criar_advogado, p.app_state.session_factory, p.corpo))


async def atualizar(p: Pedido) -> Envelope[AdvogadoSaida]:
    data = await p.run(atualizar_advogado, p.app_state.session_factory, p.path["id"], p.corpo)
    return Envelope[AdvogadoSaida](data=data)


async def desativar(p: Pedido) -> Envelope[AdvogadoSaida]:
    data = await p.run(definir_ativo, p.app_state.session_factory, p.path["id"], False)
    return Envelope[AdvogadoSaida](data=data)


async def ativar(p: Pedido) -> Envelope[AdvogadoSaida]:
    data = await p.run(definir_ativo, p.app_state.session_factory, p.path["id"], True)
    return Envelope[AdvogadoSaida](data=data)


_T = "advogados"
_P = "/api/captura/advogados"
ROUTES = [
    rota(
        _P,
        listar,
        "GET",
        escopo=Escopo.LEITURA,
        resumo="Advogados",
        tag=_T,
        consulta=AdvogadosConsulta,
        resposta=Envelope[AdvogadosLista],
    ),
    rota(
        _P,
        criar,
        "POST",
        escopo=Escopo.ADMIN,
        resumo="Cadastrar um advogado",
        tag=_T,
        corpo=AdvogadoNovo,
        resposta=Envelope[AdvogadoSaida],
        status=201,
    ),
    rota(
        _P + "/{id:int}",
        obter,
        "GET",
        escopo=Escopo.LEITURA,
        resumo="Um advogado",
        tag=_T,
        resposta=Envelope[AdvogadoSaida],
    ),
    rota(
        _P + "/{id:int}",
        atualizar,
        "PUT",
        escopo=Escopo.ADMIN,
        resumo="Alterar nome ou OABs",
        tag=_T,
        corpo=AdvogadoAtualizar,
        resposta=Envelope[AdvogadoSaida],
    ),
    rota(
        _P + "/{id:int}/desativar",
        desativar,
        "POST",
        escopo=Escopo.ADMIN,
        resumo="Desativar um advogado (nenhuma captura nova para ele)",
        tag=_T,
        resposta=Envelope[AdvogadoSaida],
    ),
    rota(
        _P + "/{id:int}/ativar",
        ativar,
        "POST",
        escopo=Escopo.ADMIN,
        resumo="Reativar um advogado",
        tag=_T,
        resposta=Envelope[AdvogadoSaida],
    ),
]
