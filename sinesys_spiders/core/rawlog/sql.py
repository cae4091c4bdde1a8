"""The SQL back end of the raw log: table ``captura_logs_brutos`` of the project's database (the default).

Payloads are in ``payload_cifrado`` (sealed, :mod:`sinesys_spiders.core.rawlog.cifra`); ``payload_bruto``
holds only the clear payloads of rows written before migration 0003, until ``sinesys db encrypt-rawlog``.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Select, Table, Text, bindparam, cast, func, insert, not_, null, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.crypto import Cipher, load_cipher
from sinesys_spiders.core.db.models import CapturaLogBruto
from sinesys_spiders.core.items import PaginaBruta
from sinesys_spiders.core.rawlog.base import (
    FiltroRawLog,
    RawLogDuplicado,
    ReencryptionProgress,
    RegistroBruto,
    campos_registro,
    payload_lido,
    truncate_ms,
    warn_ilegiveis,
)
from sinesys_spiders.core.rawlog.cifra import reseal
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["SqlRawLogStore"]

# A declarative class's ``__table__`` is typed as any ``FromClause``; this one is a ``Table``.
_TABLE = typing.cast(Table, CapturaLogBruto.__table__)


def _registro(row: CapturaLogBruto, cipher: Cipher, *, strict: bool) -> RegistroBruto:
    payload, ilegivel = payload_lido(cipher, row.raw_log_id, row.payload_cifrado, row.payload_bruto, strict=strict)
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
        payload_bruto=payload,
        resultado_processado=row.resultado_processado,
        erro=row.erro,
        criado_em=row.criado_em,
        atualizado_em=row.atualizado_em,
        payload_ilegivel=ilegivel,
    )


class SqlRawLogStore:
    """Raw log in ``captura_logs_brutos``, through a session factory of the project's database.

    ``cipher`` seals and opens payloads; without it the configured key (``SINESYS_SECRET_KEY`` or the key
    file) is loaded on first use.
    """

    def __init__(
        self, session_factory: sessionmaker[Session], *, cipher: Cipher | Callable[[], Cipher] | None = None
    ) -> None:
        self._factory = session_factory
        self._cipher_or_loader: Cipher | Callable[[], Cipher] = cipher if cipher is not None else load_cipher

    @property
    def cipher(self) -> Cipher:
        """The cipher of the payloads (loaded on first use when none was given)."""
        if not isinstance(self._cipher_or_loader, Cipher):
            self._cipher_or_loader = self._cipher_or_loader()
        return self._cipher_or_loader

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
                cipher = self.cipher
                session.execute(insert(_TABLE), [campos_registro(entry, cipher) for entry in entries])
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
            return None if row is None else _registro(row, self.cipher, strict=True)

    @staticmethod
    def _where(query: Select[Any], filtro: FiltroRawLog) -> Select[Any]:
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
        if filtro.antes is not None:
            query = query.where(CapturaLogBruto.criado_em < filtro.antes)
        return query

    def list(self, filtro: FiltroRawLog | None = None, *, limit: int = 100, offset: int = 0) -> list[RegistroBruto]:
        query = self._where(select(CapturaLogBruto), filtro or FiltroRawLog())
        query = query.order_by(CapturaLogBruto.criado_em.desc(), CapturaLogBruto.id.desc()).limit(limit).offset(offset)
        with self._factory() as session:
            registros = [_registro(row, self.cipher, strict=False) for row in session.execute(query).scalars()]
        warn_ilegiveis([r.raw_log_id for r in registros if r.payload_ilegivel is not None])
        return registros

    def count(self, filtro: FiltroRawLog | None = None) -> int:
        """How many entries match ``filtro`` (nothing decrypted)."""
        query = self._where(select(func.count()).select_from(CapturaLogBruto), filtro or FiltroRawLog())
        with self._factory() as session:
            return int(session.scalar(query) or 0)

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

    def mark_processed_many(self, resultados: Mapping[str, Any]) -> int:
        """Mark many entries processed (``raw_log_id -> resultado``) in one transaction; how many were found."""
        if not resultados:
            return 0
        agora = truncate_ms(utcnow())
        write = (
            update(_TABLE)
            .where(_TABLE.c.raw_log_id == bindparam("alvo"))
            .values(resultado_processado=bindparam("resultado"), atualizado_em=agora)
        )
        found = 0
        with self._factory.begin() as session:
            for raw_log_id, resultado in resultados.items():  # rowcount per row: executemany would not say which
                params = {"alvo": raw_log_id, "resultado": resultado if resultado is not None else {"processado": True}}
                found += session.execute(write, params).rowcount  # type: ignore[attr-defined]
        return found

    def reencrypt(self, old: Cipher, new: Cipher, *, batch_size: int = 200) -> Iterator[ReencryptionProgress]:
        """Re-encrypt payloads under ``new`` in batches of ``batch_size`` rows by id, one transaction each."""
        c = CapturaLogBruto
        columns = select(c.id, c.raw_log_id, c.payload_cifrado, c.payload_bruto).order_by(c.id).limit(batch_size)
        write = (
            update(_TABLE)
            .where(_TABLE.c.id == bindparam("row_id"))
            .values(payload_cifrado=bindparam("blob"), payload_bruto=null())
        )
        progress, last = ReencryptionProgress(), 0
        while True:
            with self._factory.begin() as session:
                rows = session.execute(columns.where(c.id > last)).all()
                if not rows:
                    return
                resultados, changes = [], []
                for row in rows:
                    resultado, blob = reseal(old, new, row.raw_log_id, row.payload_cifrado, row.payload_bruto)
                    resultados.append(resultado)
                    if blob is not None:
                        changes.append({"row_id": row.id, "blob": blob})
                if changes:
                    session.execute(write, changes)
                last = rows[-1].id
            warn_ilegiveis([row.raw_log_id for row, r in zip(rows, resultados, strict=True) if r == "ilegivel"])
            progress = progress.plus(resultados)
            yield progress

    def close(self) -> None:
        """Nothing to release: the engine belongs to the caller."""
