"""Persistence of the per-case captures: the cases to work on, and parties, one case per transaction.

- :func:`selecionar_processos`: the ``acervo`` rows a per-case capture works on (given ids, or every
  case of a lawyer at a tribunal and grau not captured within ``horas`` hours), with the documents
  already downloaded for each.
- :func:`persistir_partes`: a :class:`~sinesys_spiders.core.items_processo.PartesProcesso` into
  ``partes`` (deduplicated by CPF, else CNPJ, else PJE person id and tribunal), ``representantes`` (by
  CPF; OABs merged), ``enderecos`` (by PJE id and entity), ``processo_partes`` and
  ``processo_parte_representantes``. The case's links are made to equal the answer: links no longer
  present are removed. Stamps ``acervo.partes_capturadas_em``.

Timelines and documents are persisted by :mod:`sinesys_spiders.core.persistencia_timeline`.

Every function works inside the caller's session (the caller commits) and returns counts; nothing
here logs personal data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from sinesys_spiders.core.capturas_processo import ProcessoAlvo
from sinesys_spiders.core.db.consultas import em_ids
from sinesys_spiders.core.db.models import (
    Documento,
    Endereco,
    Parte,
    Processo,
    ProcessoParte,
    ProcessoParteRepresentante,
    Representante,
)
from sinesys_spiders.core.errors import RespostaInvalida
from sinesys_spiders.core.items_processo import (
    EnderecoParte,
    ParteProcesso,
    PartesProcesso,
    RepresentanteParte,
)
from sinesys_spiders.core.persistence.campos import aplicar
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["ResultadoPartes", "persistir_partes", "selecionar_processos"]

#: Keys of a party's PJE object that belong to its place in one case, not to the person.
_CHAVES_DO_CASO = frozenset(
    {
        "id",
        "polo",
        "principal",
        "tipo",
        "idTipoParte",
        "ordem",
        "representantes",
        "endereco",
        "enderecoDesconhecido",
        "dataHabilitacao",
    }
)


# -- selection ---------------------------------------------------------------------------------------


def selecionar_processos(
    session: Session,
    *,
    advogado_id: int,
    tribunal: str,
    grau: str,
    coluna: str,
    processos: Sequence[int] | None = None,
    horas: float = 24.0,
    now: dt.datetime | None = None,
    ids_pje: Sequence[int] | None = None,
) -> list[ProcessoAlvo]:
    """The cases to capture for one credential, oldest capture first.

    ``processos`` (``acervo`` ids) are taken whatever their last capture; without them, every case of
    the lawyer at ``tribunal`` and ``grau`` whose ``coluna`` (``partes_capturadas_em`` or
    ``timeline_capturada_em``) is empty or older than ``horas`` hours; ``ids_pje`` narrows those to the cases
    with these PJE ids (the combined capture: the cases its hearings and notices named).
    """
    stamp = getattr(Processo, coluna)
    query = select(Processo.id, Processo.id_pje, Processo.numero_processo).where(
        Processo.tribunal == tribunal, Processo.grau == grau
    )
    if processos is not None:
        query = query.where(Processo.id.in_(list(processos)))
    else:
        limite = (now or utcnow()) - dt.timedelta(hours=horas)
        query = query.where(Processo.advogado_id == advogado_id, or_(stamp.is_(None), stamp < limite))
        if ids_pje is not None:
            query = query.where(em_ids(Processo.id_pje, list(ids_pje)))
    query = query.order_by(stamp.is_not(None), stamp, Processo.id)
    rows = session.execute(query).all()
    baixados = _documentos_por_processo(session, tribunal, grau, [r.id_pje for r in rows])
    return [
        ProcessoAlvo(
            processo_id=r.id,
            id_pje=int(r.id_pje),
            numero_processo=r.numero_processo,
            documentos_baixados=tuple(sorted(baixados.get(int(r.id_pje), ()))),
        )
        for r in rows
    ]


def _documentos_por_processo(session: Session, tribunal: str, grau: str, ids: Sequence[int]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        rows = session.execute(
            select(Documento.id_processo_pje, Documento.id_documento_pje).where(
                Documento.tribunal == tribunal, Documento.grau == grau, em_ids(Documento.id_processo_pje, chunk)
            )
        )
        for id_processo, id_documento in rows:
            out.setdefault(int(id_processo), set()).add(int(id_documento))
    return out


# -- parties -----------------------------------------------------------------------------------------


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


def _pessoa_pje(dados: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if dados is None:
        return None
    # PJE right-pads names differently from case to case: trimmed, a person reads the same in every case
    return {k: v.strip() if isinstance(v, str) else v for k, v in dados.items() if k not in _CHAVES_DO_CASO}


@dataclasses.dataclass(slots=True)
class _Cache:
    """The rows one case may touch, read in a few queries up front instead of one query per person."""

    partes_cpf: dict[str, Parte]
    partes_cnpj: dict[str, Parte]
    reps_cpf: dict[str, Representante]
    enderecos: dict[tuple[int, str, int], Endereco]

    @classmethod
    def load(cls, session: Session, item: PartesProcesso) -> _Cache:
        cpfs = {p.cpf for p in item.partes if p.tipo_pessoa == "F" and _doc(p.cpf, 11)}
        cnpjs = {p.cnpj for p in item.partes if p.tipo_pessoa == "J" and _doc(p.cnpj, 14)}
        reps = {r.cpf for p in item.partes for r in p.representantes if _doc(r.cpf, 11)}
        enderecos = {p.endereco.id_pje for p in item.partes if p.endereco is not None}
        enderecos |= {r.endereco.id_pje for p in item.partes for r in p.representantes if r.endereco is not None}
        return cls(
            partes_cpf={r.cpf: r for r in session.scalars(select(Parte).where(Parte.cpf.in_(cpfs)))} if cpfs else {},
            partes_cnpj={r.cnpj: r for r in session.scalars(select(Parte).where(Parte.cnpj.in_(cnpjs)))}
            if cnpjs
            else {},
            reps_cpf={r.cpf: r for r in session.scalars(select(Representante).where(Representante.cpf.in_(reps)))}
            if reps
            else {},
            enderecos={
                (e.id_pje, e.entidade_tipo, e.entidade_id): e
                for e in session.scalars(select(Endereco).where(Endereco.id_pje.in_(enderecos)))
            }
            if enderecos
            else {},
        )  # type: ignore[misc]


def _upsert_parte(session: Session, parte: ParteProcesso, tribunal: str, out: ResultadoPartes, cache: _Cache) -> Parte:
    cpf = _doc(parte.cpf, 11) if parte.tipo_pessoa == "F" else None
    cnpj = _doc(parte.cnpj, 14) if parte.tipo_pessoa == "J" else None
    query = None
    if cpf:
        row = cache.partes_cpf.get(cpf)
    elif cnpj:
        row = cache.partes_cnpj.get(cnpj)
    elif parte.id_pessoa_pje is not None:
        query = select(Parte).where(
            Parte.cpf.is_(None),
            Parte.cnpj.is_(None),
            Parte.id_pessoa_pje == parte.id_pessoa_pje,
            Parte.tribunal == tribunal,
        )
    else:
        raise RespostaInvalida("partes: parte sem CPF, CNPJ e idPessoa")
    if query is not None:
        row = session.execute(query).scalar_one_or_none()
    values: dict[str, Any] = {
        "tipo_pessoa": parte.tipo_pessoa,
        "nome": parte.nome,
        "emails": list(parte.emails),
        "telefones": list(parte.telefones),
        "status": parte.status,
        "situacao": parte.situacao,
        "sexo": parte.sexo,
        "data_nascimento": parte.data_nascimento,
        "nome_genitora": parte.nome_genitora,
        "naturalidade": parte.naturalidade,
        "uf_nascimento": parte.uf_nascimento,
        "pais_nascimento": parte.pais_nascimento,
        "estado_civil": parte.estado_civil,
        "escolaridade": parte.escolaridade,
        "situacao_cpf_receita": parte.situacao_cpf_receita,
        "nome_fantasia": parte.nome_fantasia,
        "cpf_responsavel": _doc(parte.cpf_responsavel, 11),
        "data_abertura": parte.data_abertura,
        "data_fim_atividade": parte.data_fim_atividade,
        "orgao_publico": parte.orgao_publico,
        "tipo_pessoa_juridica": parte.tipo_pessoa_juridica,
        "situacao_cnpj_receita": parte.situacao_cnpj_receita,
        "ramo_atividade": parte.ramo_atividade,
        "porte": parte.porte,
        "dados_pje": _pessoa_pje(parte.dados_pje),
    }
    if row is None:
        row = Parte(cpf=cpf, cnpj=cnpj, id_pessoa_pje=parte.id_pessoa_pje, tribunal=tribunal, **values)
        session.add(row)
        session.flush()
        if cpf:
            cache.partes_cpf[cpf] = row
        elif cnpj:
            cache.partes_cnpj[cnpj] = row
        out.count("inseridos")
    else:
        out.count("atualizados" if aplicar(row, values) else "inalterados")
    return row


def _upsert_representante(
    session: Session, rep: RepresentanteParte, out: ResultadoPartes, cache: _Cache
) -> Representante:
    cpf = _doc(rep.cpf, 11)
    if cpf:
        row = cache.reps_cpf.get(cpf)
    else:
        query = select(Representante).where(
            Representante.cpf.is_(None),
            Representante.id_pessoa_pje == rep.id_pessoa_pje,
            Representante.nome == rep.nome,
        )
        row = session.execute(query.limit(1)).scalars().first()
    oabs = [o.model_dump() for o in rep.oabs]
    if row is not None:  # keep the OABs seen before, refresh the ones seen now
        novas = {(o["numero"], o["uf"]) for o in oabs}
        oabs = [o for o in (row.oabs or []) if (o.get("numero"), o.get("uf")) not in novas] + oabs
        oabs.sort(key=lambda o: (o.get("uf") or "", o.get("numero") or ""))
    values: dict[str, Any] = {
        "nome": rep.nome,
        "tipo": rep.tipo,
        "oabs": oabs,
        "emails": list(rep.emails),
        "telefones": list(rep.telefones),
        "dados_pje": _pessoa_pje(rep.dados_pje),
    }
    if row is None:
        row = Representante(cpf=cpf, id_pessoa_pje=rep.id_pessoa_pje, **values)
        session.add(row)
        session.flush()
        if cpf:
            cache.reps_cpf[cpf] = row
        out.count("inseridos")
    else:
        out.count("atualizados" if aplicar(row, values) else "inalterados")
    return row


def _upsert_endereco(
    session: Session, endereco: EnderecoParte, *, entidade_tipo: str, entidade_id: int, tribunal: str, grau: str,
    out: ResultadoPartes, cache: _Cache,
) -> None:  # fmt: skip
    key = (endereco.id_pje, entidade_tipo, entidade_id)
    row = cache.enderecos.get(key)
    values = endereco.model_dump(exclude={"id_pje"})
    values.update(tribunal=tribunal, grau=grau)
    if row is None:
        row = Endereco(id_pje=endereco.id_pje, entidade_tipo=entidade_tipo, entidade_id=entidade_id, **values)
        session.add(row)
        cache.enderecos[key] = row
        out.count("inseridos")
    else:
        out.count("atualizados" if aplicar(row, values) else "inalterados")


def persistir_partes(session: Session, item: PartesProcesso, *, now: dt.datetime | None = None) -> ResultadoPartes:
    """Store one case's parties, representatives, addresses and links; the case's links equal the answer."""
    out = ResultadoPartes()
    tribunal, grau = item.tribunal.value, item.grau.value
    existentes = {
        (pp.parte_id, pp.polo, pp.tipo_parte): pp
        for pp in session.execute(select(ProcessoParte).where(ProcessoParte.processo_id == item.processo_id)).scalars()
    }
    cache = _Cache.load(session, item)
    links: dict[int, set[int]] = {}
    if existentes:
        for pp_id, rep_id in session.execute(
            select(ProcessoParteRepresentante.processo_parte_id, ProcessoParteRepresentante.representante_id).where(
                ProcessoParteRepresentante.processo_parte_id.in_([pp.id for pp in existentes.values()])
            )
        ):
            links.setdefault(pp_id, set()).add(rep_id)
    mantidos: set[int] = set()
    for parte in item.partes:
        row = _upsert_parte(session, parte, tribunal, out, cache)
        if parte.endereco is not None:
            _upsert_endereco(session, parte.endereco, entidade_tipo="parte", entidade_id=row.id,
                             tribunal=tribunal, grau=grau, out=out, cache=cache)  # fmt: skip
        chave = (row.id, parte.polo, parte.tipo_parte)
        vinculo = existentes.get(chave)
        values: dict[str, Any] = {
            "id_pje": parte.id_pje,
            "id_pessoa_pje": parte.id_pessoa_pje,
            "classificacao": parte.classificacao.value,
            "id_tipo_parte": parte.id_tipo_parte,
            "principal": parte.principal,
            "ordem": parte.ordem,
            "tribunal": tribunal,
            "grau": grau,
            "dados_pje": parte.dados_pje,
        }
        if vinculo is None:
            vinculo = ProcessoParte(
                processo_id=item.processo_id, parte_id=row.id, polo=parte.polo, tipo_parte=parte.tipo_parte, **values
            )
            session.add(vinculo)
            session.flush()
            existentes[chave] = vinculo
            out.count("inseridos")
        elif vinculo.id in mantidos:  # the same party twice in one case: counted once
            continue
        else:
            out.count("atualizados" if aplicar(vinculo, values) else "inalterados")
        mantidos.add(vinculo.id)
        out.total_partes += 1
        out.vinculos += 1
        out.count(_CAMPO_CLASSIFICACAO[parte.classificacao.value])
        _sincronizar_representantes(
            session, vinculo.id, parte, tribunal, grau, out, cache, links.get(vinculo.id, set())
        )
    obsoletos = [pp.id for pp in existentes.values() if pp.id not in mantidos]
    if obsoletos:
        session.execute(
            delete(ProcessoParteRepresentante).where(ProcessoParteRepresentante.processo_parte_id.in_(obsoletos))
        )
        session.execute(delete(ProcessoParte).where(ProcessoParte.id.in_(obsoletos)))
    processo = session.get(Processo, item.processo_id)
    if processo is not None:
        processo.partes_capturadas_em = now or utcnow()
    session.flush()
    return out


_CAMPO_CLASSIFICACAO = {"cliente": "clientes", "parte_contraria": "partes_contrarias", "terceiro": "terceiros"}


def _sincronizar_representantes(
    session: Session, processo_parte_id: int, parte: ParteProcesso, tribunal: str, grau: str, out: ResultadoPartes,
    cache: _Cache, atuais: set[int],
) -> None:  # fmt: skip
    desejados: list[int] = []
    for rep in parte.representantes:
        row = _upsert_representante(session, rep, out, cache)
        if rep.endereco is not None:
            _upsert_endereco(session, rep.endereco, entidade_tipo="representante", entidade_id=row.id,
                             tribunal=tribunal, grau=grau, out=out, cache=cache)  # fmt: skip
        if row.id not in desejados:
            desejados.append(row.id)
    for representante_id in desejados:
        if representante_id not in atuais:
            session.add(
                ProcessoParteRepresentante(processo_parte_id=processo_parte_id, representante_id=representante_id)
            )
    sobrando = atuais - set(desejados)
    if sobrando:
        session.execute(
            delete(ProcessoParteRepresentante).where(
                ProcessoParteRepresentante.processo_parte_id == processo_parte_id,
                ProcessoParteRepresentante.representante_id.in_(sobrando),
            )
        )
    out.representantes += len(desejados)


# -- timeline and documents --------------------------------------------------------------------------
