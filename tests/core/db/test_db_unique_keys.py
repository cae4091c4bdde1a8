"""Natural keys refuse duplicates the same way on SQLite and PostgreSQL; times come back aware UTC."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sinesys_spiders.core.db.models import (
    SEM_DATA_CRIACAO,
    SEM_ID_DOCUMENTO,
    Audiencia,
    Base,
    ClasseJudicial,
    Documento,
    Endereco,
    Expediente,
    OrgaoJulgador,
    Parte,
    Processo,
    ProcessoParte,
    ProcessoParteRepresentante,
    RegistroVersao,
    Representante,
    SalaAudiencia,
    Timeline,
    TimelineItem,
    TipoAudiencia,
)
from sinesys_spiders.core.timeutil import parse_datetime_origem

NUMERO = "0010001-23.2025.5.03.0022"


def _processo(**extra: Any) -> Processo:
    fields: dict[str, Any] = {
        "id_externo": 2_000_001,
        "tribunal": "TRT3",
        "grau": "primeiro_grau",
        "numero_processo": NUMERO,
        "numero": 10001,
    }
    return Processo(**(fields | extra))


def _expediente(**extra: Any) -> Expediente:
    fields: dict[str, Any] = {
        "id_externo": 2_000_001,
        "tribunal": "TRT3",
        "grau": "primeiro_grau",
        "numero_processo": NUMERO,
    }
    return Expediente(**(fields | extra))


def _refused(session: Session, *rows: Base) -> None:
    session.add_all(rows)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def _accepted(session: Session, *rows: Base) -> None:
    session.add_all(rows)
    session.flush()


def test_processo_key(db_session: Session) -> None:
    """The same case at the same tribunal and grau is one row; the other grau is another."""
    _accepted(db_session, _processo(), _processo(grau="segundo_grau"))
    _refused(db_session, _processo(), _processo())


def test_expediente_key_treats_missing_document_and_date_as_equal(db_session: Session) -> None:
    """Two notices without idDocumento and creation date collide (NULLS NOT DISTINCT on both back ends)."""
    _refused(db_session, _expediente(), _expediente())
    assert _expediente().id_documento is None  # defaults apply at insert
    db_session.add(_expediente())
    db_session.flush()
    row = db_session.scalars(select(Expediente)).one()
    assert (row.id_documento, row.data_criacao_expediente) == (SEM_ID_DOCUMENTO, SEM_DATA_CRIACAO)
    db_session.rollback()


def test_expediente_key_allows_other_documents_of_the_same_case(db_session: Session) -> None:
    """One case has one row per notice document; the same document twice is refused."""
    criado = parse_datetime_origem("2025-11-17T10:00:00.5")
    _accepted(
        db_session,
        _expediente(id_documento=150_000_001, data_criacao_expediente=criado),
        _expediente(id_documento=150_000_002, data_criacao_expediente=criado),
    )
    _refused(db_session, _expediente(id_documento=150_000_001, data_criacao_expediente=criado))


def test_audiencia_and_catalogue_keys(db_session: Session) -> None:
    """Hearings, órgãos, classes, rooms and hearing types are unique per tribunal and grau."""
    base = {"tribunal": "TRT3", "grau": "primeiro_grau"}
    _refused(
        db_session,
        Audiencia(id_externo=1, numero_processo=NUMERO, **base),
        Audiencia(id_externo=1, numero_processo=NUMERO, **base),
    )
    _refused(
        db_session,
        OrgaoJulgador(id_externo=5, descricao="1ª VT", **base),
        OrgaoJulgador(id_externo=5, descricao="x", **base),
    )
    _refused(
        db_session,
        ClasseJudicial(id_externo=9, sigla="ATOrd", **base),
        ClasseJudicial(id_externo=9, sigla="ATOrd", **base),
    )
    _refused(db_session, SalaAudiencia(nome="Sala 1", **base), SalaAudiencia(nome="Sala 1", **base))
    _refused(db_session, TipoAudiencia(descricao="Una", **base), TipoAudiencia(descricao="Una", **base))
    _accepted(
        db_session,
        SalaAudiencia(nome="Sala 1", orgao_julgador_id_externo=1, **base),
        SalaAudiencia(nome="Sala 1", orgao_julgador_id_externo=2, **base),
    )


def test_parte_is_deduplicated_by_cpf_cnpj_or_pje_person(db_session: Session) -> None:
    """Parties collide on CPF, else CNPJ, else (id_pessoa_externo, tribunal) when they have no document."""
    _refused(
        db_session,
        Parte(tipo_pessoa="F", nome="A", cpf="11144477735"),
        Parte(tipo_pessoa="F", nome="B", cpf="11144477735"),
    )
    _refused(
        db_session,
        Parte(tipo_pessoa="J", nome="A", cnpj="11222333000181"),
        Parte(tipo_pessoa="J", nome="B", cnpj="11222333000181"),
    )
    _refused(
        db_session,
        Parte(tipo_pessoa="F", nome="A", id_pessoa_externo=77, tribunal="TRT3"),
        Parte(tipo_pessoa="F", nome="A", id_pessoa_externo=77, tribunal="TRT3"),
    )
    _accepted(
        db_session,
        Parte(tipo_pessoa="F", nome="A", id_pessoa_externo=77, tribunal="TRT3"),
        Parte(tipo_pessoa="F", nome="A", id_pessoa_externo=77, tribunal="TRT5"),
        Parte(tipo_pessoa="F", nome="C", cpf="52998224725", id_pessoa_externo=77, tribunal="TRT3"),
    )
    _refused(db_session, Parte(tipo_pessoa="F", nome="sem chave"))


def test_links_addresses_and_timeline_keys(db_session: Session) -> None:
    """Case-party links, addresses, timeline rows and documents refuse duplicates of their keys."""
    processo = _processo()
    parte = Parte(tipo_pessoa="F", nome="A", cpf="11144477735")
    representante = Representante(nome="Adv", cpf="52998224725", oabs=[{"numero": "123", "uf": "MG"}])
    _accepted(db_session, processo, parte, representante)
    link = {"processo_id": processo.id, "parte_id": parte.id, "polo": "ativo", "tipo_parte": "AUTOR"}
    extra = {"classificacao": "cliente", "tribunal": "TRT3", "grau": "primeiro_grau"}
    first = ProcessoParte(**link, **extra)
    _accepted(db_session, first)
    db_session.commit()
    _refused(db_session, ProcessoParte(**link, **extra))
    _refused(
        db_session,
        ProcessoParteRepresentante(processo_parte_id=first.id, representante_id=representante.id),
        ProcessoParteRepresentante(processo_parte_id=first.id, representante_id=representante.id),
    )
    _refused(db_session, Representante(nome="Outro", cpf="52998224725"))
    endereco = {"id_externo": 9, "entidade_tipo": "parte", "entidade_id": parte.id}
    _refused(db_session, Endereco(**endereco), Endereco(**endereco))
    item = {"tribunal": "TRT3", "grau": "primeiro_grau", "id_processo_externo": 2_000_001, "id_externo": 5}
    _refused(db_session, TimelineItem(tipo="documento", **item), TimelineItem(tipo="documento", **item))
    _accepted(db_session, TimelineItem(tipo="documento", **item), TimelineItem(tipo="movimento", **item))
    db_session.rollback()
    tl = {"tribunal": "TRT3", "grau": "primeiro_grau", "id_processo_externo": 2_000_001}
    _refused(db_session, Timeline(**tl), Timeline(**tl))
    doc = tl | {"id_documento_externo": 150_000_001, "sha256": "0" * 64, "tamanho": 10, "caminho": "a.pdf"}
    _refused(db_session, Documento(**doc), Documento(**doc))


def test_times_come_back_aware_utc(db_session: Session) -> None:
    """A Brasília PJE time stored on a case is read back as the same instant, aware, in UTC."""
    autuacao = parse_datetime_origem("2025-07-11T23:12:15.261")
    db_session.add(_processo(data_autuacao=autuacao))
    db_session.commit()
    db_session.expunge_all()
    row = db_session.scalars(select(Processo)).one()
    assert row.data_autuacao == dt.datetime(2025, 7, 12, 2, 12, 15, 261000, tzinfo=dt.UTC)
    assert row.data_autuacao.tzinfo is dt.UTC
    assert row.created_at.tzinfo is dt.UTC
    assert row.updated_at >= row.created_at


def test_naive_datetime_is_refused(db_session: Session) -> None:
    """Storing a naive datetime fails loudly instead of guessing its zone."""
    db_session.add(_processo(data_autuacao=dt.datetime(2025, 7, 11, 23, 0)))
    with pytest.raises(Exception, match="fuso"):
        db_session.flush()
    db_session.rollback()


def test_registro_versoes_keeps_every_version(db_session: Session) -> None:
    """Each previous version of a row is kept, not only the last."""
    processo = _processo()
    _accepted(db_session, processo)
    for n in range(3):
        db_session.add(
            RegistroVersao(tabela="acervo", registro_id=processo.id, versao={"n": n}, campos_alterados=["numero"])
        )
    db_session.commit()
    versoes = db_session.scalars(select(RegistroVersao).order_by(RegistroVersao.id)).all()
    assert [v.versao for v in versoes] == [{"n": 0}, {"n": 1}, {"n": 2}]
