"""Parties (``partes``), their lawyers (``representantes``), addresses and links to cases.

A party is one entity across cases and tribunals, deduplicated by CPF, else CNPJ, else by
(``id_pessoa_externo``, ``tribunal``): PJE's person id is only meaningful inside one tribunal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from sinesys_spiders.core.db.base import Base, TimestampMixin
from sinesys_spiders.core.db.types import JSONType, UTCDateTime
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["Endereco", "Parte", "ProcessoParte", "ProcessoParteRepresentante", "Representante"]

_SEM_DOCUMENTO = "cpf IS NULL AND cnpj IS NULL"


class Parte(TimestampMixin, Base):
    """A person (``F``) or company (``J``) that is party to a case."""

    __tablename__ = "partes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tipo_pessoa: Mapped[str] = mapped_column(String(1), nullable=False)
    nome: Mapped[str] = mapped_column(String(500), nullable=False)
    cpf: Mapped[str | None] = mapped_column(String(11), unique=True)
    cnpj: Mapped[str | None] = mapped_column(String(14), unique=True)
    id_pessoa_externo: Mapped[int | None] = mapped_column(BigInteger)
    tribunal: Mapped[str | None] = mapped_column(String(8))
    emails: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    telefones: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    status: Mapped[str | None] = mapped_column(String(5))
    situacao: Mapped[str | None] = mapped_column(String(30))
    # Pessoa física
    sexo: Mapped[str | None] = mapped_column(String(20))
    data_nascimento: Mapped[dt.date | None] = mapped_column(Date)
    nome_genitora: Mapped[str | None] = mapped_column(String(500))
    naturalidade: Mapped[str | None] = mapped_column(String(120))
    uf_nascimento: Mapped[str | None] = mapped_column(String(2))
    pais_nascimento: Mapped[str | None] = mapped_column(String(60))
    estado_civil: Mapped[str | None] = mapped_column(String(40))
    escolaridade: Mapped[str | None] = mapped_column(String(60))
    situacao_cpf_receita: Mapped[str | None] = mapped_column(String(60))
    # Pessoa jurídica
    nome_fantasia: Mapped[str | None] = mapped_column(String(500))
    cpf_responsavel: Mapped[str | None] = mapped_column(String(11))
    data_abertura: Mapped[dt.date | None] = mapped_column(Date)
    data_fim_atividade: Mapped[dt.date | None] = mapped_column(Date)
    orgao_publico: Mapped[bool | None] = mapped_column(Boolean)
    tipo_pessoa_juridica: Mapped[str | None] = mapped_column(String(120))
    situacao_cnpj_receita: Mapped[str | None] = mapped_column(String(60))
    ramo_atividade: Mapped[str | None] = mapped_column(String(255))
    porte: Mapped[str | None] = mapped_column(String(60))
    dados_origem: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    __table_args__ = (
        CheckConstraint("tipo_pessoa IN ('F', 'J')", name="tipo_pessoa"),
        CheckConstraint(
            f"NOT ({_SEM_DOCUMENTO}) OR (id_pessoa_externo IS NOT NULL AND tribunal IS NOT NULL)",
            name="chave_de_deduplicacao",
        ),
        Index(
            "uq_partes_id_pessoa_externo_tribunal",
            "id_pessoa_externo",
            "tribunal",
            unique=True,
            sqlite_where=text(_SEM_DOCUMENTO),
            postgresql_where=text(_SEM_DOCUMENTO),
        ),
    )

    def __repr__(self) -> str:  # no CPF/CNPJ
        return f"<Parte id={self.id} {self.tipo_pessoa}>"


class Representante(TimestampMixin, Base):
    """A lawyer who represents a party (``oabs``: ``[{"numero", "uf", "situacao"}]``)."""

    __tablename__ = "representantes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cpf: Mapped[str | None] = mapped_column(String(11), unique=True)
    nome: Mapped[str] = mapped_column(String(500), nullable=False)
    tipo: Mapped[str | None] = mapped_column(String(40))
    id_pessoa_externo: Mapped[int | None] = mapped_column(BigInteger)
    oabs: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    emails: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    telefones: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    dados_origem: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    def __repr__(self) -> str:
        return f"<Representante id={self.id}>"


class Endereco(TimestampMixin, Base):
    """An address of a party or representative (``entidade_tipo`` + ``entidade_id``)."""

    __tablename__ = "enderecos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_externo: Mapped[int] = mapped_column(BigInteger, nullable=False)
    entidade_tipo: Mapped[str] = mapped_column(String(20), nullable=False)
    entidade_id: Mapped[int] = mapped_column(Integer, nullable=False)
    logradouro: Mapped[str | None] = mapped_column(String(500))
    numero: Mapped[str | None] = mapped_column(String(30))
    complemento: Mapped[str | None] = mapped_column(String(255))
    bairro: Mapped[str | None] = mapped_column(String(255))
    id_municipio_externo: Mapped[int | None] = mapped_column(BigInteger)
    municipio: Mapped[str | None] = mapped_column(String(255))
    municipio_ibge: Mapped[str | None] = mapped_column(String(7))
    estado_sigla: Mapped[str | None] = mapped_column(String(2))
    estado_descricao: Mapped[str | None] = mapped_column(String(60))
    pais_codigo: Mapped[str | None] = mapped_column(String(5))
    pais_descricao: Mapped[str | None] = mapped_column(String(60))
    cep: Mapped[str | None] = mapped_column(String(9))
    correspondencia: Mapped[bool | None] = mapped_column(Boolean)
    situacao: Mapped[str | None] = mapped_column(String(1))
    classificacoes: Mapped[list[Any]] = mapped_column(JSONType, nullable=False, default=list)
    alterado_origem_em: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    tribunal: Mapped[str | None] = mapped_column(String(8))
    grau: Mapped[str | None] = mapped_column(String(20))
    dados_origem: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    __table_args__ = (
        UniqueConstraint("id_externo", "entidade_tipo", "entidade_id"),
        CheckConstraint("entidade_tipo IN ('parte', 'representante')", name="entidade_tipo"),
        Index("ix_enderecos_entidade_tipo_entidade_id", "entidade_tipo", "entidade_id"),
    )


class ProcessoParte(TimestampMixin, Base):
    """A party's place in one case: polo, tipo, and how it relates to the firm (``classificacao``)."""

    __tablename__ = "processo_partes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    processo_id: Mapped[int] = mapped_column(ForeignKey("acervo.id", ondelete="CASCADE"), nullable=False)
    parte_id: Mapped[int] = mapped_column(ForeignKey("partes.id", ondelete="CASCADE"), nullable=False, index=True)
    id_externo: Mapped[int | None] = mapped_column(BigInteger)
    id_pessoa_externo: Mapped[int | None] = mapped_column(BigInteger)
    classificacao: Mapped[str] = mapped_column(String(20), nullable=False)
    polo: Mapped[str] = mapped_column(String(10), nullable=False)
    tipo_parte: Mapped[str] = mapped_column(String(60), nullable=False)
    id_tipo_parte: Mapped[int | None] = mapped_column(Integer)
    principal: Mapped[bool | None] = mapped_column(Boolean)
    ordem: Mapped[int | None] = mapped_column(Integer)
    tribunal: Mapped[str] = mapped_column(String(8), nullable=False)
    grau: Mapped[str] = mapped_column(String(20), nullable=False)
    dados_origem: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    __table_args__ = (
        UniqueConstraint("processo_id", "parte_id", "polo", "tipo_parte"),
        CheckConstraint(
            "classificacao IN ('cliente', 'parte_contraria', 'terceiro')",
            name="classificacao",
        ),
    )


class ProcessoParteRepresentante(Base):
    """A representative acting for a party in one case."""

    __tablename__ = "processo_parte_representantes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    processo_parte_id: Mapped[int] = mapped_column(ForeignKey("processo_partes.id", ondelete="CASCADE"), nullable=False)
    representante_id: Mapped[int] = mapped_column(
        ForeignKey("representantes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("processo_parte_id", "representante_id"),)
