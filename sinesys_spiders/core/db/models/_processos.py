"""Cases (``acervo``), pending notices (``expedientes``) and hearings (``audiencias``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from sinesys_spiders.core.db.base import Base, TimestampMixin
from sinesys_spiders.core.db.types import JSONType, UTCDateTime
from sinesys_spiders.core.timeutil import UTC

__all__ = ["SEM_DATA_CRIACAO", "SEM_ID_DOCUMENTO", "Audiencia", "Expediente", "Processo", "ProcessoCamposMixin"]

#: Stored in ``expedientes.id_documento`` when PJE sends none: key columns are never NULL, so the
#: unique key behaves as NULLS NOT DISTINCT on SQLite and PostgreSQL alike.
SEM_ID_DOCUMENTO = 0
#: Stored in ``expedientes.data_criacao_expediente`` when PJE sends none (same reason).
SEM_DATA_CRIACAO = dt.datetime(1970, 1, 1, tzinfo=UTC)


class ProcessoCamposMixin:
    """The fields of PJE's ``Processo`` (pje-api.md §3) in snake_case."""

    id_externo: Mapped[int] = mapped_column(BigInteger, nullable=False)
    tribunal: Mapped[str] = mapped_column(String(8), nullable=False)
    grau: Mapped[str] = mapped_column(String(20), nullable=False)
    numero_processo: Mapped[str] = mapped_column(String(25), nullable=False)
    numero: Mapped[int | None] = mapped_column(BigInteger)
    descricao_orgao_julgador: Mapped[str | None] = mapped_column(String(255))
    classe_judicial: Mapped[str | None] = mapped_column(String(30))
    segredo_de_justica: Mapped[bool | None] = mapped_column(Boolean)
    codigo_status_processo: Mapped[str | None] = mapped_column(String(40))
    prioridade_processual: Mapped[int | None] = mapped_column(Integer)
    nome_parte_autora: Mapped[str | None] = mapped_column(String(500))
    qtde_parte_autora: Mapped[int | None] = mapped_column(Integer)
    nome_parte_re: Mapped[str | None] = mapped_column(String(500))
    qtde_parte_re: Mapped[int | None] = mapped_column(Integer)
    data_autuacao: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    juizo_digital: Mapped[bool | None] = mapped_column(Boolean)
    data_arquivamento: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    data_proxima_audiencia: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    tem_associacao: Mapped[bool | None] = mapped_column(Boolean)

    @declared_attr
    def advogado_id(cls) -> Mapped[int | None]:  # noqa: N805 - declared_attr takes the class
        return mapped_column(ForeignKey("advogados.id", ondelete="SET NULL"), index=True)

    @declared_attr
    def credencial_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("credenciais.id", ondelete="SET NULL"))

    @declared_attr
    def ultima_captura_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("capturas_log.id", ondelete="SET NULL"))


class Processo(ProcessoCamposMixin, TimestampMixin, Base):
    """A case of the lawyer's acervo, active (``acervo_geral``) or archived (``arquivado``)."""

    __tablename__ = "acervo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origem: Mapped[str] = mapped_column(String(20), nullable=False, default="acervo_geral")
    orgao_julgador_id: Mapped[int | None] = mapped_column(ForeignKey("orgaos_julgadores.id", ondelete="SET NULL"))
    classe_judicial_id: Mapped[int | None] = mapped_column(ForeignKey("classes_judiciais.id", ondelete="SET NULL"))
    partes_capturadas_em: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    timeline_capturada_em: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("id_externo", "tribunal", "grau", "numero_processo"),
        CheckConstraint("origem IN ('acervo_geral', 'arquivado')", name="origem"),
        Index("ix_acervo_numero_processo", "numero_processo"),
        Index("ix_acervo_tribunal_grau_id_externo", "tribunal", "grau", "id_externo"),
    )

    def __repr__(self) -> str:
        return f"<Processo id={self.id} {self.numero_processo} {self.tribunal}/{self.grau} {self.origem}>"


class Expediente(ProcessoCamposMixin, TimestampMixin, Base):
    """A pending notice (one row per ``idDocumento`` of a case), with its deadline."""

    __tablename__ = "expedientes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_documento: Mapped[int] = mapped_column(
        BigInteger, nullable=False, default=SEM_ID_DOCUMENTO, server_default=str(SEM_ID_DOCUMENTO)
    )
    data_criacao_expediente: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=SEM_DATA_CRIACAO
    )
    data_ciencia_parte: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    data_prazo_legal_parte: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    prazo_vencido: Mapped[bool | None] = mapped_column(Boolean)
    sigla_orgao_julgador: Mapped[str | None] = mapped_column(String(60))
    descricao_orgao_julgador_colegiado: Mapped[str | None] = mapped_column(String(255))
    nome_relator: Mapped[str | None] = mapped_column(String(255))
    agrupador: Mapped[str | None] = mapped_column(String(1))
    processo_id: Mapped[int | None] = mapped_column(ForeignKey("acervo.id", ondelete="SET NULL"), index=True)
    baixado_em: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint(
            "id_externo",
            "id_documento",
            "tribunal",
            "grau",
            "data_criacao_expediente",
            name="uq_expedientes_chave",
        ),
        CheckConstraint("agrupador IS NULL OR agrupador IN ('N', 'I')", name="agrupador"),
        Index("ix_expedientes_data_prazo_legal_parte", "data_prazo_legal_parte"),
    )

    def __repr__(self) -> str:
        return f"<Expediente id={self.id} {self.numero_processo} doc={self.id_documento}>"


class Audiencia(TimestampMixin, Base):
    """A hearing from PJE's pauta; ``modalidade`` is virtual, presencial or unknown (NULL)."""

    __tablename__ = "audiencias"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_externo: Mapped[int] = mapped_column(BigInteger, nullable=False)
    tribunal: Mapped[str] = mapped_column(String(8), nullable=False)
    grau: Mapped[str] = mapped_column(String(20), nullable=False)
    numero_processo: Mapped[str] = mapped_column(String(25), nullable=False)
    id_processo_externo: Mapped[int | None] = mapped_column(BigInteger)
    processo_id: Mapped[int | None] = mapped_column(ForeignKey("acervo.id", ondelete="SET NULL"), index=True)
    advogado_id: Mapped[int | None] = mapped_column(ForeignKey("advogados.id", ondelete="SET NULL"), index=True)
    credencial_id: Mapped[int | None] = mapped_column(ForeignKey("credenciais.id", ondelete="SET NULL"))
    orgao_julgador_id: Mapped[int | None] = mapped_column(ForeignKey("orgaos_julgadores.id", ondelete="SET NULL"))
    classe_judicial_id: Mapped[int | None] = mapped_column(ForeignKey("classes_judiciais.id", ondelete="SET NULL"))
    sala_audiencia_id: Mapped[int | None] = mapped_column(ForeignKey("salas_audiencia.id", ondelete="SET NULL"))
    tipo_audiencia_id: Mapped[int | None] = mapped_column(ForeignKey("tipos_audiencia.id", ondelete="SET NULL"))
    data_inicio: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    data_fim: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    hora_inicio: Mapped[dt.time | None] = mapped_column(Time())
    hora_fim: Mapped[dt.time | None] = mapped_column(Time())
    sala_audiencia_nome: Mapped[str | None] = mapped_column(String(255))
    tipo_descricao: Mapped[str | None] = mapped_column(String(255))
    tipo_is_virtual: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str | None] = mapped_column(String(5))
    status_descricao: Mapped[str | None] = mapped_column(String(60))
    designada: Mapped[bool | None] = mapped_column(Boolean)
    em_andamento: Mapped[bool | None] = mapped_column(Boolean)
    documento_ativo: Mapped[bool | None] = mapped_column(Boolean)
    segredo_de_justica: Mapped[bool | None] = mapped_column(Boolean)
    juizo_digital: Mapped[bool | None] = mapped_column(Boolean)
    polo_ativo_nome: Mapped[str | None] = mapped_column(String(500))
    polo_passivo_nome: Mapped[str | None] = mapped_column(String(500))
    url_audiencia_virtual: Mapped[str | None] = mapped_column(Text)
    endereco_presencial: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    modalidade: Mapped[str | None] = mapped_column(String(12))
    prioridades: Mapped[list[Any] | None] = mapped_column(JSONType)
    ultima_captura_id: Mapped[int | None] = mapped_column(ForeignKey("capturas_log.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("id_externo", "tribunal", "grau"),
        CheckConstraint("modalidade IS NULL OR modalidade IN ('virtual', 'presencial')", name="modalidade"),
    )

    def __repr__(self) -> str:
        return f"<Audiencia id={self.id} {self.numero_processo} {self.data_inicio}>"
