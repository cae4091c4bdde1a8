"""Gaps: what a stored payload's items hold that the database does not (read only).

- list pages (:func:`lacunas_lista`): each item (case, expediente, hearing) against its table on the upsert's
  natural key (:func:`~sinesys_spiders.core.upsert.table_for`), so "stored" means what the upsert would match;
- ``partes`` pages (:func:`lacunas_partes`): the case's parties, representatives, addresses, party links
  (``processo_partes``, with the classification the capture's rule gives) and representative links, found
  the way :func:`~sinesys_spiders.core.persistencia_processo.persistir_partes` finds them (CPF, else CNPJ,
  else the tribunal's person id; addresses by tribunal id and entity).

Elements are named by the tribunal's ids and names, never by a CPF or CNPJ.
"""

from __future__ import annotations

import dataclasses
import enum
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from sinesys_spiders.core.db.consultas import em_ids
from sinesys_spiders.core.db.models import (
    Endereco,
    Parte,
    Processo,
    ProcessoParte,
    ProcessoParteRepresentante,
    Representante,
)
from sinesys_spiders.core.items import ItemCaptura
from sinesys_spiders.core.items_processo import ItemProcesso, ParteProcesso, PartesProcesso, RepresentanteParte
from sinesys_spiders.core.recovery.modelos import ElementoRecuperavel, Totais
from sinesys_spiders.core.upsert import table_for

__all__ = ["TIPO_DA_TABELA", "Lacunas", "lacunas_lista", "lacunas_partes", "processo_do_acervo"]

#: Element type of each upsert table.
TIPO_DA_TABELA = {"acervo": "processo", "expedientes": "expediente", "audiencias": "audiencia"}


@dataclasses.dataclass(slots=True)
class Lacunas:
    """Expected vs stored per element type, the missing elements, and the list items that are missing."""

    esperados: dict[str, int] = dataclasses.field(default_factory=lambda: defaultdict(int))
    persistidos: dict[str, int] = dataclasses.field(default_factory=lambda: defaultdict(int))
    faltantes: dict[str, list[ElementoRecuperavel]] = dataclasses.field(default_factory=lambda: defaultdict(list))
    itens_faltantes: list[ItemCaptura] = dataclasses.field(default_factory=list)
    classificacao: dict[str, int] = dataclasses.field(default_factory=lambda: defaultdict(int))
    #: Every element of the payload, stored or not (``status_persistencia`` says which).
    elementos: list[ElementoRecuperavel] = dataclasses.field(default_factory=list)

    def conta(self, tipo: str, presente: bool, elemento: ElementoRecuperavel) -> bool:
        self.esperados[tipo] += 1
        if presente:
            self.persistidos[tipo] += 1
            elemento = elemento.model_copy(update={"status_persistencia": "persistido"})
        else:
            self.faltantes[tipo].append(elemento)
        self.elementos.append(elemento)
        return presente

    def totais(self) -> dict[str, Totais]:
        return {t: Totais(esperados=n, persistidos=self.persistidos.get(t, 0)) for t, n in self.esperados.items()}

    def gaps(self) -> dict[str, list[ElementoRecuperavel]]:
        return {t: list(v) for t, v in self.faltantes.items() if v}

    def contagem(self, tipos: Sequence[str] | None = None) -> int:
        """How many elements of ``tipos`` (all when ``None``) are missing."""
        return sum(len(v) for t, v in self.faltantes.items() if tipos is None or t in tipos)


def _valor(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _chave(item: ItemCaptura) -> tuple[Any, ...]:
    spec = table_for(item)
    out = []
    for name in spec.chave:
        value = _valor(getattr(item, name, None))
        if value is None and name in spec.key_defaults:
            value = spec.key_defaults[name]
        out.append(value)
    return tuple(out)


def lacunas_lista(session: Session, itens: Sequence[ItemCaptura]) -> Lacunas:
    """Each item of a list page against its table, on the natural key."""
    out = Lacunas()
    grupos: dict[tuple[str, str, str], list[ItemCaptura]] = defaultdict(list)
    for item in itens:
        grupos[(table_for(item).name, _valor(item.tribunal), _valor(item.grau))].append(item)
    for (tabela, tribunal, grau), grupo in grupos.items():
        spec = table_for(grupo[0])
        table = spec.table
        ids = sorted({int(item.id_externo) for item in grupo})
        query = select(*(table.c[name] for name in spec.chave)).where(
            table.c.tribunal == tribunal, table.c.grau == grau, em_ids(table.c.id_externo, ids)
        )
        existentes = {tuple(row) for row in session.execute(query)}
        vistos: set[tuple[Any, ...]] = set()
        tipo = TIPO_DA_TABELA[tabela]
        for item in grupo:
            chave = _chave(item)
            if chave in vistos:  # the same row twice in a page: the upsert stores it once
                continue
            vistos.add(chave)
            documento = getattr(item, "id_documento", None)
            elemento = ElementoRecuperavel(
                tipo=tipo,
                identificador=f"id_externo:{item.id_externo}" + (f"/id_documento:{documento}" if documento else ""),
                nome=getattr(item, "numero_processo", None),
                contexto={"tribunal": tribunal, "grau": grau},
            )
            if not out.conta(tipo, chave in existentes, elemento):
                out.itens_faltantes.append(item)
    return out


def processo_do_acervo(session: Session, item: ItemProcesso) -> int | None:
    """The ``acervo`` id of the item's case now (a recovered case may have a new id)."""
    return session.scalar(
        select(Processo.id).where(
            Processo.id_externo == item.id_processo_externo,
            Processo.tribunal == _valor(item.tribunal),
            Processo.grau == _valor(item.grau),
        )
    )


def _doc(value: str | None, size: int) -> str | None:
    return value if value is not None and len(value) == size else None


def _cpf(pessoa: ParteProcesso | RepresentanteParte) -> str | None:
    return _doc(pessoa.cpf, 11) if pessoa.tipo_pessoa == "F" or isinstance(pessoa, RepresentanteParte) else None


def _cnpj(parte: ParteProcesso) -> str | None:
    return _doc(parte.cnpj, 14) if parte.tipo_pessoa == "J" else None


class _Indice:
    """The rows one case's payload may match, read in a few queries (the way the capture finds them)."""

    def __init__(self, session: Session, item: PartesProcesso, tribunal: str) -> None:
        partes = list(item.partes)
        reps = [r for p in partes for r in p.representantes]
        cpfs = {c for p in partes if (c := _cpf(p))}
        cnpjs = {c for p in partes if (c := _cnpj(p))}
        pessoas = {
            p.id_pessoa_externo for p in partes if not _cpf(p) and not _cnpj(p) and p.id_pessoa_externo is not None
        }
        rep_cpfs = {c for r in reps if (c := _cpf(r))}
        rep_pessoas = {r.id_pessoa_externo for r in reps if not _cpf(r)}
        enderecos = {p.endereco.id_externo for p in [*partes, *reps] if p.endereco is not None}
        self.partes_cpf = {r.cpf: r for r in session.scalars(select(Parte).where(Parte.cpf.in_(cpfs)))} if cpfs else {}
        self.partes_cnpj = (
            {r.cnpj: r for r in session.scalars(select(Parte).where(Parte.cnpj.in_(cnpjs)))} if cnpjs else {}
        )
        self.partes_pessoa: dict[int | None, Parte] = {}
        if pessoas:
            query = select(Parte).where(Parte.cpf.is_(None), Parte.cnpj.is_(None), Parte.tribunal == tribunal,
                                        Parte.id_pessoa_externo.in_(pessoas))  # fmt: skip
            for row in session.scalars(query.order_by(Parte.id)):
                self.partes_pessoa.setdefault(row.id_pessoa_externo, row)
        self.reps_cpf = (
            {r.cpf: r for r in session.scalars(select(Representante).where(Representante.cpf.in_(rep_cpfs)))}
            if rep_cpfs
            else {}
        )
        self.reps_pessoa: dict[tuple[int | None, str], Representante] = {}
        if rep_pessoas:
            cond: ColumnElement[bool] = Representante.id_pessoa_externo.in_([i for i in rep_pessoas if i is not None])
            if None in rep_pessoas:
                cond = or_(cond, Representante.id_pessoa_externo.is_(None))
            query_rep = select(Representante).where(Representante.cpf.is_(None), cond).order_by(Representante.id)
            for rep_row in session.scalars(query_rep):
                self.reps_pessoa.setdefault((rep_row.id_pessoa_externo, rep_row.nome), rep_row)
        self.enderecos: set[tuple[int, str, int]] = set()
        if enderecos:
            ends = select(Endereco.id_externo, Endereco.entidade_tipo, Endereco.entidade_id)
            self.enderecos = {
                (end.id_externo, end.entidade_tipo, end.entidade_id)
                for end in session.execute(ends.where(Endereco.id_externo.in_(enderecos)))
            }

    def parte(self, parte: ParteProcesso) -> Parte | None:
        if cpf := _cpf(parte):
            return self.partes_cpf.get(cpf)
        if cnpj := _cnpj(parte):
            return self.partes_cnpj.get(cnpj)
        return self.partes_pessoa.get(parte.id_pessoa_externo) if parte.id_pessoa_externo is not None else None

    def representante(self, rep: RepresentanteParte) -> Representante | None:
        if cpf := _cpf(rep):
            return self.reps_cpf.get(cpf)
        return self.reps_pessoa.get((rep.id_pessoa_externo, rep.nome))


def _conta_endereco(out: Lacunas, indice: _Indice, pessoa: ParteProcesso | RepresentanteParte, entidade_tipo: str,
                    entidade_id: int | None, caso: dict[str, Any]) -> None:  # fmt: skip
    """A person's address, stored under its entity (``None``: the entity itself is missing)."""
    if pessoa.endereco is None:
        return
    id_externo = pessoa.endereco.id_externo
    presente = entidade_id is not None and (id_externo, entidade_tipo, entidade_id) in indice.enderecos
    out.conta("endereco", presente, ElementoRecuperavel(tipo="endereco", identificador=f"endereco_externo:{id_externo}",
                                                        nome=pessoa.nome,
                                                        contexto={**caso, "entidade": entidade_tipo}))  # fmt: skip


def _pessoa_id(pessoa: ParteProcesso | RepresentanteParte) -> str:
    if pessoa.id_pessoa_externo is not None:
        return f"pessoa_externo:{pessoa.id_pessoa_externo}"
    return f"id_externo:{pessoa.id_externo}" if pessoa.id_externo is not None else "sem_id"


def lacunas_partes(session: Session, item: PartesProcesso, processo_id: int | None) -> Lacunas:
    """A case's parties, representatives, addresses and links against what is stored for it."""
    out = Lacunas()
    tribunal = _valor(item.tribunal)
    caso = {"numero_processo": item.numero_processo, "id_processo_externo": item.id_processo_externo}
    # keyed by (parte_id, polo, tipo_parte); looked up with a person's id string when the row is new
    vinculos: dict[tuple[int | str, str, str], ProcessoParte] = {}
    links: dict[int, set[int]] = defaultdict(set)
    if processo_id is not None:
        vinculos = {
            (pp.parte_id, pp.polo, pp.tipo_parte): pp
            for pp in session.scalars(select(ProcessoParte).where(ProcessoParte.processo_id == processo_id))
        }
        if vinculos:
            for pp_id, rep_id in session.execute(
                select(ProcessoParteRepresentante.processo_parte_id, ProcessoParteRepresentante.representante_id).where(
                    ProcessoParteRepresentante.processo_parte_id.in_([pp.id for pp in vinculos.values()])
                )
            ):
                links[pp_id].add(rep_id)
    indice = _Indice(session, item, tribunal)
    vistos: set[tuple[Any, ...]] = set()
    for parte in item.partes:
        row = indice.parte(parte)
        chave = (row.id if row is not None else _pessoa_id(parte), parte.polo, parte.tipo_parte)
        if chave in vistos:  # the same party twice in one case: stored once
            continue
        vistos.add(chave)
        classificacao = parte.classificacao.value
        out.classificacao[classificacao] += 1
        ctx = {**caso, "polo": parte.polo, "tipo_parte": parte.tipo_parte, "classificacao": classificacao}
        ident = _pessoa_id(parte)
        out.conta("parte", row is not None, ElementoRecuperavel(tipo="parte", identificador=ident, nome=parte.nome,
                                                               contexto=caso))  # fmt: skip
        _conta_endereco(out, indice, parte, "parte", row.id if row else None, caso)
        vinculo = vinculos.get(chave) if row is not None else None
        ligado = vinculo is not None and vinculo.classificacao == classificacao
        erro = None
        if vinculo is not None and not ligado:
            erro = f"classificação armazenada {vinculo.classificacao}, a regra da captura dá {classificacao}"
        out.conta("vinculo", ligado, ElementoRecuperavel(tipo="vinculo", identificador=ident, nome=parte.nome,
                                                         erro=erro, contexto=ctx))  # fmt: skip
        reps_vistos: set[Any] = set()
        for rep in parte.representantes:
            rep_row = indice.representante(rep)
            rep_ident = _pessoa_id(rep)
            rep_ctx = {**caso, "parte": ident}
            out.conta("representante", rep_row is not None,
                      ElementoRecuperavel(tipo="representante", identificador=rep_ident, nome=rep.nome,
                                          contexto=rep_ctx))  # fmt: skip
            _conta_endereco(out, indice, rep, "representante", rep_row.id if rep_row else None, caso)
            rep_key = rep_row.id if rep_row is not None else rep_ident
            if rep_key in reps_vistos:
                continue
            reps_vistos.add(rep_key)
            ligado_rep = vinculo is not None and rep_row is not None and rep_row.id in links.get(vinculo.id, set())
            out.conta("vinculo_representante", ligado_rep,
                      ElementoRecuperavel(tipo="vinculo_representante", identificador=f"{ident}>{rep_ident}",
                                          nome=rep.nome, contexto=rep_ctx))  # fmt: skip
    return out
