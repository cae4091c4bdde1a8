"""Tribunal catalogues per tribunal and grau: órgãos julgadores, classes judiciais, salas and tipos de audiência."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sinesys_spiders.core.db.base import Base, TimestampMixin
from sinesys_spiders.core.db.types import JSONType

__all__ = ["ClasseJudicial", "OrgaoJulgador", "SalaAudiencia", "TipoAudiencia"]


class OrgaoJulgador(TimestampMixin, Base):
    """A court unit (vara, gabinete, turma) as the tribunal describes it."""

    __tablename__ = "orgaos_julgadores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_externo: Mapped[int] = mapped_column(BigInteger, nullable=False)
    tribunal: Mapped[str] = mapped_column(String(8), nullable=False)
    grau: Mapped[str] = mapped_column(String(20), nullable=False)
    descricao: Mapped[str] = mapped_column(String(255), nullable=False)
    cejusc: Mapped[bool | None] = mapped_column(Boolean)
    ativo: Mapped[bool | None] = mapped_column(Boolean)
    posto_avancado: Mapped[bool | None] = mapped_column(Boolean)
    novo_orgao_julgador: Mapped[bool | None] = mapped_column(Boolean)
    codigo_serventia_cnj: Mapped[int | None] = mapped_column(BigInteger)
    dados_origem: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    __table_args__ = (UniqueConstraint("id_externo", "tribunal", "grau"),)


class ClasseJudicial(TimestampMixin, Base):
    """A procedural class (ATOrd, ROT, ...)."""

    __tablename__ = "classes_judiciais"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_externo: Mapped[int] = mapped_column(BigInteger, nullable=False)
    tribunal: Mapped[str] = mapped_column(String(8), nullable=False)
    grau: Mapped[str] = mapped_column(String(20), nullable=False)
    codigo: Mapped[str | None] = mapped_column(String(20))
    descricao: Mapped[str | None] = mapped_column(String(255))
    sigla: Mapped[str | None] = mapped_column(String(30))
    requer_processo_referencia_codigo: Mapped[str | None] = mapped_column(String(30))
    controla_valor_causa: Mapped[bool | None] = mapped_column(Boolean)
    pode_incluir_autoridade: Mapped[bool | None] = mapped_column(Boolean)
    piso_valor_causa: Mapped[float | None] = mapped_column(Numeric(15, 2, asdecimal=False))
    teto_valor_causa: Mapped[float | None] = mapped_column(Numeric(15, 2, asdecimal=False))
    ativo: Mapped[bool | None] = mapped_column(Boolean)
    id_classe_judicial_pai: Mapped[int | None] = mapped_column(BigInteger)
    possui_filhos: Mapped[bool | None] = mapped_column(Boolean)
    dados_origem: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    __table_args__ = (UniqueConstraint("id_externo", "tribunal", "grau"),)


class SalaAudiencia(TimestampMixin, Base):
    """A hearing room; ``orgao_julgador_id_externo`` is 0 when the tribunal does not say (keeps the key non-null)."""

    __tablename__ = "salas_audiencia"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_externo: Mapped[int | None] = mapped_column(BigInteger)
    tribunal: Mapped[str] = mapped_column(String(8), nullable=False)
    grau: Mapped[str] = mapped_column(String(20), nullable=False)
    nome: Mapped[str] = mapped_column(String(255), nullable=False)
    orgao_julgador_id_externo: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, server_default="0")
    orgao_julgador_id: Mapped[int | None] = mapped_column(ForeignKey("orgaos_julgadores.id", ondelete="SET NULL"))

    __table_args__ = (UniqueConstraint("tribunal", "grau", "orgao_julgador_id_externo", "nome"),)


class TipoAudiencia(TimestampMixin, Base):
    """A hearing type ("Una por videoconferência", ...)."""

    __tablename__ = "tipos_audiencia"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_externo: Mapped[int | None] = mapped_column(BigInteger)
    tribunal: Mapped[str] = mapped_column(String(8), nullable=False)
    grau: Mapped[str] = mapped_column(String(20), nullable=False)
    descricao: Mapped[str] = mapped_column(String(255), nullable=False)
    codigo: Mapped[str | None] = mapped_column(String(30))
    is_virtual: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (UniqueConstraint("tribunal", "grau", "descricao"),)
