"""The SQL back end of the raw log: table ``captura_logs_brutos`` of the project's database (the default)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Text, cast, insert, not_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.db.models import CapturaLogBruto
from sinesys_spiders.core.items import PaginaBruta
from sinesys_spiders.core.rawlog.base import FiltroRawLog, RawLogDuplicado, RegistroBruto, campos_registro, truncate_ms
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["SqlRawLogStore"]

_TABLE = CapturaLogBruto.__table__


def _registro(row: CapturaLogBruto) -> RegistroBruto:
    return RegistroBruto(
        raw_log_id=row.raw_log_id,
        captura_log_id=row.captura_log_id,
        tipo_captura=row.tipo_captura,
        advogado_id=row.advogado_id,
        credencial_id=row.credencial_id,
        tribunal=row.tribunal,
        grau=row.grau,
        status=row.status,  # type: ignore[arg-type]
        requisicao=row.requisicao,
        payload_bruto=row.payload_bruto,
        resultado_processado=row.resultado_processado,
        erro=row.erro,
        criado_em=row.criado_em,
        atualizado_em=row.atualizado_em,
    )


class SqlRawLogStore:
    """Raw log in ``captura_logs_brutos``, through a session factory of the project's database."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    def append(self, entry: PaginaBruta) -> str:
        return self.append_many([entry])[0]

    def append_many(self, entries: Sequence[PaginaBruta]) -> list[str]:
        if not entries:
            return []
        ids = [entry.raw_log_id for entry in entries]
        if len(set(ids)) != len(ids):
            raise RawLogDuplicado("raw_log_id repetido no mesmo lote")
        try:
            with self._factory.begin() as session:
                session.execute(insert(_TABLE), [campos_registro(entry) for entry in entries])
        except IntegrityError as exc:
            if self._existing(ids):
                raise RawLogDuplicado("raw_log_id já registrado no log bruto") from None
            raise exc
        return ids

    def _existing(self, ids: Sequence[str]) -> bool:
        with self._factory() as session:
            query = select(CapturaLogBruto.raw_log_id).where(CapturaLogBruto.raw_log_id.in_(list(ids))).limit(1)
            return session.execute(query).first() is not None

    def get(self, raw_log_id: str) -> RegistroBruto | None:
        with self._factory() as session:
            row = session.execute(
                select(CapturaLogBruto).where(CapturaLogBruto.raw_log_id == raw_log_id)
            ).scalar_one_or_none()
            return None if row is None else _registro(row)

    def list(self, filtro: FiltroRawLog | None = None, *, limit: int = 100, offset: int = 0) -> list[RegistroBruto]:
        filtro = filtro or FiltroRawLog()
        query = select(CapturaLogBruto)
        for name, value in filtro.equalities().items():
            query = query.where(getattr(CapturaLogBruto, name) == value)
        # Not processed = SQL NULL or JSON 'null' (how the NOT NULL JSON column stores None).
        resultado = CapturaLogBruto.resultado_processado
        vazio = or_(resultado.is_(None), cast(resultado, Text) == "null")
        if filtro.processado is True:
            query = query.where(not_(vazio))
        elif filtro.processado is False:
            query = query.where(vazio)
        if filtro.desde is not None:
            query = query.where(CapturaLogBruto.criado_em >= filtro.desde)
        query = query.order_by(CapturaLogBruto.criado_em.desc(), CapturaLogBruto.id.desc()).limit(limit).offset(offset)
        with self._factory() as session:
            return [_registro(row) for row in session.execute(query).scalars()]

    def mark_processed(self, raw_log_id: str, resultado: Any = None, *, erro: str | None = None) -> bool:
        values: dict[str, Any] = {
            "resultado_processado": resultado if resultado is not None else {"processado": True},
            "atualizado_em": truncate_ms(utcnow()),
        }
        if erro is not None:
            values.update(status="error", erro=erro)
        with self._factory.begin() as session:
            result = session.execute(update(_TABLE).where(_TABLE.c.raw_log_id == raw_log_id).values(**values))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def close(self) -> None:
        """Nothing to release: the engine belongs to the caller."""
