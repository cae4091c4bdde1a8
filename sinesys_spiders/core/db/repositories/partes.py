"""The parties of a batch of cases, stored in a few statements per table (:class:`PartesRepository`).

What is stored, and how each row is matched, is what one case at a time stored before: ``partes`` by CPF, else
CNPJ, else the tribunal's person id and tribunal; ``representantes`` by CPF, else the tribunal's person id and name
(OABs merged); ``enderecos`` by tribunal id and entity; ``processo_partes`` by case, party, polo and tipo; the
case's links made equal to the answer (links no longer present removed), and ``acervo.partes_capturadas_em``
stamped. The counts of each case are those of writing the cases one after the other. Rows go through
:class:`~.lotes.LoteTabela`: read once per batch, unchanged rows not written, changed ones versioned in
``registro_versoes``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
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
from sinesys_spiders.core.db.repositories._base import Repository
from sinesys_spiders.core.db.repositories.lotes import LoteTabela
from sinesys_spiders.core.errors import RespostaInvalida
from sinesys_spiders.core.items_processo import ParteProcesso, PartesProcesso, RepresentanteParte
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["PartesRepository", "ResultadoPartes"]

#: Keys of a party's PJE object that belong to its place in one case, not to the person.
_CHAVES_DO_CASO = frozenset(
    {"id", "polo", "principal", "tipo", "idTipoParte", "ordem", "representantes", "endereco",
     "enderecoDesconhecido", "dataHabilitacao"}
)  # fmt: skip
_CAMPO_CLASSIFICACAO = {"cliente": "clientes", "parte_contraria": "partes_contrarias", "terceiro": "terceiros"}
_PARTES: Table = Parte.__table__  # type: ignore[assignment]
_REPS: Table = Representante.__table__  # type: ignore[assignment]
_ENDERECOS: Table = Endereco.__table__  # type: ignore[assignment]
_VINCULOS: Table = ProcessoParte.__table__  # type: ignore[assignment]
_LINKS: Table = ProcessoParteRepresentante.__table__  # type: ignore[assignment]


@dataclasses.dataclass(slots=True)
class ResultadoPartes:
    """Counts of one or more cases' parties (the ``partes`` result per credential)."""

    total_partes: int = 0
    clientes: int = 0
    partes_contrarias: int = 0
    terceiros: int = 0
    representantes: int = 0
    vinculos: int = 0
    inseridos: int = 0
    atualizados: int = 0
    inalterados: int = 0

    def add(self, other: ResultadoPartes) -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def _doc(value: str | None, size: int) -> str | None:
    return value if value is not None and len(value) == size else None


def _pessoa_origem(dados: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if dados is None:
        return None
    # PJE right-pads names differently from case to case: trimmed, a person reads the same in every case
    return {k: v.strip() if isinstance(v, str) else v for k, v in dados.items() if k not in _CHAVES_DO_CASO}


def _valores_parte(parte: ParteProcesso) -> dict[str, Any]:
    return {
        "tipo_pessoa": parte.tipo_pessoa, "nome": parte.nome, "emails": list(parte.emails),
        "telefones": list(parte.telefones), "status": parte.status, "situacao": parte.situacao, "sexo": parte.sexo,
        "data_nascimento": parte.data_nascimento, "nome_genitora": parte.nome_genitora,
        "naturalidade": parte.naturalidade, "uf_nascimento": parte.uf_nascimento,
        "pais_nascimento": parte.pais_nascimento, "estado_civil": parte.estado_civil,
        "escolaridade": parte.escolaridade, "situacao_cpf_receita": parte.situacao_cpf_receita,
        "nome_fantasia": parte.nome_fantasia, "cpf_responsavel": _doc(parte.cpf_responsavel, 11),
        "data_abertura": parte.data_abertura, "data_fim_atividade": parte.data_fim_atividade,
        "orgao_publico": parte.orgao_publico, "tipo_pessoa_juridica": parte.tipo_pessoa_juridica,
        "situacao_cnpj_receita": parte.situacao_cnpj_receita, "ramo_atividade": parte.ramo_atividade,
        "porte": parte.porte, "dados_origem": _pessoa_origem(parte.dados_origem),
    }  # fmt: skip


class _Pessoas:
    """Parties and representatives of a batch, each kind on its three (or two) natural keys."""

    def __init__(self, session: Session, itens: Sequence[PartesProcesso], captura_id: int | None) -> None:
        self.por_cpf = LoteTabela(session, _PARTES, ("cpf",), captura_id=captura_id)
        self.por_cnpj = LoteTabela(session, _PARTES, ("cnpj",), captura_id=captura_id)
        self.por_pessoa = LoteTabela(session, _PARTES, ("id_pessoa_externo", "tribunal"), captura_id=captura_id)
        self.reps_cpf = LoteTabela(session, _REPS, ("cpf",), captura_id=captura_id)
        self.reps_pessoa = LoteTabela(session, _REPS, ("id_pessoa_externo", "nome"), captura_id=captura_id)
        partes = [p for item in itens for p in item.partes]
        reps = [r for p in partes for r in p.representantes]
        c = _PARTES.c
        self.por_cpf.ler_em("cpf", {p.cpf for p in partes if p.tipo_pessoa == "F" and _doc(p.cpf, 11)})
        self.por_cnpj.ler_em("cnpj", {p.cnpj for p in partes if p.tipo_pessoa == "J" and _doc(p.cnpj, 14)})
        sem_doc = {p.id_pessoa_externo for p in partes if self._sem_documento(p) and p.id_pessoa_externo is not None}
        self.por_pessoa.ler_em("id_pessoa_externo", sem_doc, c.cpf.is_(None), c.cnpj.is_(None))
        self.reps_cpf.ler_em("cpf", {r.cpf for r in reps if _doc(r.cpf, 11)})
        sem_cpf = {r.id_pessoa_externo for r in reps if not _doc(r.cpf, 11) and r.id_pessoa_externo is not None}
        self.reps_pessoa.ler_em("id_pessoa_externo", sem_cpf, _REPS.c.cpf.is_(None))
        sem_id = {r.nome for r in reps if not _doc(r.cpf, 11) and r.id_pessoa_externo is None}
        self.reps_pessoa.ler_em("nome", sem_id, _REPS.c.cpf.is_(None), _REPS.c.id_pessoa_externo.is_(None))

    @staticmethod
    def _sem_documento(parte: ParteProcesso) -> bool:
        return not (_doc(parte.cpf, 11) if parte.tipo_pessoa == "F" else _doc(parte.cnpj, 14))

    def parte(self, parte: ParteProcesso, tribunal: str) -> tuple[LoteTabela, tuple[Any, ...], dict[str, Any]]:
        """The table batch, key and insert-only columns of a party (``RespostaInvalida`` when it has no key)."""
        cpf = _doc(parte.cpf, 11) if parte.tipo_pessoa == "F" else None
        cnpj = _doc(parte.cnpj, 14) if parte.tipo_pessoa == "J" else None
        novos = {"cpf": cpf, "cnpj": cnpj, "id_pessoa_externo": parte.id_pessoa_externo, "tribunal": tribunal}
        if cpf:
            return self.por_cpf, (cpf,), novos
        if cnpj:
            return self.por_cnpj, (cnpj,), novos
        if parte.id_pessoa_externo is None:
            raise RespostaInvalida("partes: parte sem CPF, CNPJ e idPessoa")
        return self.por_pessoa, (parte.id_pessoa_externo, tribunal), novos

    def representante(self, rep: RepresentanteParte) -> tuple[LoteTabela, tuple[Any, ...]]:
        cpf = _doc(rep.cpf, 11)
        return (self.reps_cpf, (cpf,)) if cpf else (self.reps_pessoa, (rep.id_pessoa_externo, rep.nome))

    def registrar_representante(self, rep: RepresentanteParte) -> tuple[LoteTabela, tuple[Any, ...], str]:
        lote, key = self.representante(rep)
        oabs = [o.model_dump() for o in rep.oabs]
        atual = lote.atual(key)
        if atual is not None:  # keep the OABs seen before, refresh the ones seen now
            novas = {(o["numero"], o["uf"]) for o in oabs}
            oabs = [o for o in (atual.get("oabs") or []) if (o.get("numero"), o.get("uf")) not in novas] + oabs
            oabs.sort(key=lambda o: (o.get("uf") or "", o.get("numero") or ""))
        valores = {"nome": rep.nome, "tipo": rep.tipo, "oabs": oabs, "emails": list(rep.emails),
                   "telefones": list(rep.telefones), "dados_origem": _pessoa_origem(rep.dados_origem)}  # fmt: skip
        novos = {"cpf": _doc(rep.cpf, 11), "id_pessoa_externo": rep.id_pessoa_externo}
        return lote, key, lote.registrar(key, valores, novos)

    def gravar(self) -> None:
        for lote in (self.por_cpf, self.por_cnpj, self.por_pessoa, self.reps_cpf, self.reps_pessoa):
            lote.gravar(ids=True)


class PartesRepository(Repository):
    """Store the parties of many cases at once; the caller owns the transaction."""

    def gravar(
        self, itens: Sequence[PartesProcesso], *, now: dt.datetime | None = None, captura_id: int | None = None
    ) -> list[ResultadoPartes]:
        """Store every case's parties, representatives, addresses and links; the counts of each case, in order.

        Every case appears at most once (the caller splits a batch that repeats one). ``RespostaInvalida`` (a
        party without CPF, CNPJ and the tribunal's person id) fails the whole batch before anything is written.
        """
        session = self.session
        outs = [ResultadoPartes() for _ in itens]
        pessoas = _Pessoas(session, itens, captura_id)
        # 1. people, in the cases' order (the counts are those of writing the cases one after the other)
        for item, out in zip(itens, outs, strict=True):
            for parte in item.partes:
                lote, key, novos = pessoas.parte(parte, item.tribunal.value)
                out.count(lote.registrar(key, _valores_parte(parte), novos))
                for rep in parte.representantes:
                    out.count(pessoas.registrar_representante(rep)[2])
        pessoas.gravar()
        # 2. addresses and links, now that every person has its id
        enderecos = LoteTabela(
            session, _ENDERECOS, ("id_externo", "entidade_tipo", "entidade_id"), captura_id=captura_id
        )
        ids_end = {p.endereco.id_externo for i in itens for p in i.partes if p.endereco is not None}
        ids_end |= {r.endereco.id_externo for i in itens for p in i.partes for r in p.representantes if r.endereco}
        enderecos.ler_em("id_externo", ids_end)
        vinculos = LoteTabela(session, _VINCULOS, ("processo_id", "parte_id", "polo", "tipo_parte"),
                              captura_id=captura_id)  # fmt: skip
        stored = vinculos.ler_em("processo_id", {item.processo_id for item in itens})
        links: dict[int, set[int]] = {}
        for start in range(0, len(stored), 500):
            chunk = [row["id"] for row in stored[start : start + 500]]
            for pp_id, rep_id in session.execute(
                select(_LINKS.c.processo_parte_id, _LINKS.c.representante_id).where(
                    em_ids(_LINKS.c.processo_parte_id, chunk)
                )
            ):
                links.setdefault(pp_id, set()).add(rep_id)
        desejados: list[tuple[tuple[Any, ...], list[int]]] = []
        mantidos: set[tuple[Any, ...]] = set()
        for item, out in zip(itens, outs, strict=True):
            tribunal, grau = item.tribunal.value, item.grau.value
            for parte in item.partes:
                lote, key, _ = pessoas.parte(parte, tribunal)
                parte_id = lote.ids[key]
                if parte.endereco is not None:
                    out.count(self._endereco(enderecos, parte.endereco, "parte", parte_id, tribunal, grau))
                chave = (item.processo_id, parte_id, parte.polo, parte.tipo_parte)
                if chave in mantidos:  # the same party twice in one case: counted once
                    continue
                out.count(vinculos.registrar(chave, {
                    "id_externo": parte.id_externo, "id_pessoa_externo": parte.id_pessoa_externo,
                    "classificacao": parte.classificacao.value, "id_tipo_parte": parte.id_tipo_parte,
                    "principal": parte.principal, "ordem": parte.ordem, "tribunal": tribunal, "grau": grau,
                    "dados_origem": parte.dados_origem,
                }))  # fmt: skip
                mantidos.add(chave)
                out.total_partes += 1
                out.vinculos += 1
                out.count(_CAMPO_CLASSIFICACAO[parte.classificacao.value])
                reps: list[int] = []
                for rep in parte.representantes:
                    lote, key = pessoas.representante(rep)
                    rep_id = lote.ids[key]
                    if rep.endereco is not None:
                        out.count(self._endereco(enderecos, rep.endereco, "representante", rep_id, tribunal, grau))
                    if rep_id not in reps:
                        reps.append(rep_id)
                desejados.append((chave, reps))
                out.representantes += len(reps)
        enderecos.gravar()
        vinculos.gravar(ids=True)
        self._sincronizar(vinculos, stored, mantidos, desejados, links)
        processos = [item.processo_id for item in itens]
        if processos:
            session.execute(
                update(Processo).where(em_ids(Processo.id, processos)).values(partes_capturadas_em=now or utcnow())
            )
        return outs

    @staticmethod
    def _endereco(lote: LoteTabela, endereco: Any, tipo: str, entidade_id: int, tribunal: str, grau: str) -> str:
        valores = endereco.model_dump(exclude={"id_externo"})
        valores.update(tribunal=tribunal, grau=grau)
        return lote.registrar((endereco.id_externo, tipo, entidade_id), valores)

    def _sincronizar(
        self, vinculos: LoteTabela, stored: list[dict[str, Any]], mantidos: set[tuple[Any, ...]],
        desejados: list[tuple[tuple[Any, ...], list[int]]], links: dict[int, set[int]],
    ) -> None:  # fmt: skip
        """Each kept link's representatives made equal to the answer; links no longer present removed."""
        novos: list[dict[str, Any]] = []
        sobrando: list[tuple[int, set[int]]] = []
        for chave, reps in desejados:
            pp_id = vinculos.ids[chave]
            atuais = links.get(pp_id, set())
            novos += [{"processo_parte_id": pp_id, "representante_id": r} for r in reps if r not in atuais]
            if atuais - set(reps):
                sobrando.append((pp_id, atuais - set(reps)))
        if novos:
            self.session.execute(insert(_LINKS), [{**row, "created_at": utcnow()} for row in novos])
        for pp_id, reps_fora in sobrando:
            self.session.execute(
                delete(_LINKS).where(_LINKS.c.processo_parte_id == pp_id, em_ids(_LINKS.c.representante_id, reps_fora))
            )
        obsoletos = [row["id"] for row in stored if vinculos.key(row) not in mantidos]
        for start in range(0, len(obsoletos), 500):
            chunk = obsoletos[start : start + 500]
            self.session.execute(delete(_LINKS).where(em_ids(_LINKS.c.processo_parte_id, chunk)))
            self.session.execute(delete(_VINCULOS).where(em_ids(_VINCULOS.c.id, chunk)))
