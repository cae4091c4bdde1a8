"""The batched upsert of one table on its natural key: the one way per-case captures write their rows.

A :class:`LoteTabela` is used in three steps inside the caller's transaction:

1. :meth:`~LoteTabela.ler` (or :meth:`~LoteTabela.ler_em`) reads the stored rows the batch may touch, in a few
   queries (integer ``IN`` lists written into the SQL, 500 values a query);
2. :meth:`~LoteTabela.registrar` is called for every occurrence of a row in the batch, in the batch's order, and
   answers what happened to it, exactly as if the occurrences had been written one after the other: ``inseridos``
   (a key seen for the first time), ``atualizados`` (some value differs from the stored row or from an earlier
   occurrence in the batch) or ``inalterados``. Occurrences of one key collapse into one row (the last values win);
3. :meth:`~LoteTabela.gravar` writes the batch: new keys in one multi-row ``INSERT ... RETURNING id``, changed rows
   in one ``executemany`` UPDATE, each with a ``registro_versoes`` row holding the whole stored version and the
   fields that changed (as :mod:`sinesys_spiders.core.upsert` keeps them), and nothing at all for unchanged rows.

A key that another worker inserts meanwhile makes the INSERT raise ``IntegrityError``: the caller rolls back and
runs the batch again (it then reads that row as stored). Nothing here logs values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnDefault, ColumnElement, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from sinesys_spiders.core.db.consultas import em_ids
from sinesys_spiders.core.db.models import RegistroVersao
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["LoteTabela", "Mudanca", "json_value"]

_CHUNK = 500
#: Columns never compared: who wrote a row and when.
_BOOKKEEPING = frozenset({"id", "created_at", "updated_at"})
_VERSOES: Table = RegistroVersao.__table__  # type: ignore[assignment]


def json_value(value: Any) -> Any:
    """A stored value as JSON (a version of a row): times in ISO 8601, decimals as text."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    return value


@dataclasses.dataclass(slots=True)
class Mudanca:
    """A stored row the batch changes: its stored version, the values it will have, the fields that differ."""

    atual: dict[str, Any]
    valores: dict[str, Any]
    campos: list[str]


class LoteTabela:
    """One table's share of a batch, on the natural key ``chave`` (column names)."""

    def __init__(self, session: Session, table: Table, chave: Sequence[str], *, captura_id: int | None = None) -> None:
        self.session = session
        self.table = table
        self.chave = tuple(chave)
        self.captura_id = captura_id
        self.existentes: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.novos: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.mudancas: dict[tuple[Any, ...], Mudanca] = {}
        self.ids: dict[tuple[Any, ...], int] = {}
        self._leituras: list[tuple[str, set[Any], tuple[ColumnElement[bool], ...]]] = []

    # -- reading ---------------------------------------------------------------------------------

    def key(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(row[name] for name in self.chave)

    def ler(self, *criterios: ColumnElement[bool]) -> list[dict[str, Any]]:
        """Read the stored rows matching ``criterios`` into the batch; return them."""
        out = []
        for record in self.session.execute(select(self.table).where(*criterios)).mappings():
            row = dict(record)
            self.existentes[self.key(row)] = row
            self.ids[self.key(row)] = row["id"]
            out.append(row)
        return out

    def ler_em(self, coluna: str, valores: Iterable[Any], *criterios: ColumnElement[bool]) -> list[dict[str, Any]]:
        """:meth:`ler` of the rows whose ``coluna`` is one of ``valores`` (integers inlined, text bound)."""
        valores = set(valores)
        self._leituras.append((coluna, valores, criterios))
        return self._ler_em(coluna, valores, criterios)

    def _ler_em(
        self, coluna: str, valores: set[Any], criterios: tuple[ColumnElement[bool], ...]
    ) -> list[dict[str, Any]]:
        ordenados = sorted(valores)
        out: list[dict[str, Any]] = []
        column = self.table.c[coluna]
        for start in range(0, len(ordenados), _CHUNK):
            chunk = ordenados[start : start + _CHUNK]
            inteiros = all(isinstance(v, int) and not isinstance(v, bool) for v in chunk)
            out += self.ler(em_ids(column, chunk) if inteiros else column.in_(chunk), *criterios)
        return out

    def atual(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        """The row of ``key`` as the batch leaves it so far (stored, changed or new), or ``None``."""
        if key in self.novos:
            return self.novos[key]
        if key in self.mudancas:
            return {**self.mudancas[key].atual, **self.mudancas[key].valores}
        return self.existentes.get(key)

    # -- one occurrence --------------------------------------------------------------------------

    def registrar(
        self, key: tuple[Any, ...], valores: Mapping[str, Any], novos: Mapping[str, Any] | None = None
    ) -> str:
        """One occurrence of ``key`` with ``valores``; what happened to it.

        ``novos``: columns written only when the row is new (never compared, never updated).
        """
        if key in self.novos:
            row = self.novos[key]
            changed = [n for n, v in valores.items() if n not in _BOOKKEEPING and row.get(n) != v]
            row.update(valores)
            return "atualizados" if changed else "inalterados"
        stored = self.existentes.get(key)
        if stored is None:
            self.novos[key] = {**dict(zip(self.chave, key, strict=True)), **(novos or {}), **valores}
            return "inseridos"
        mudanca = self.mudancas.get(key)
        current = stored if mudanca is None else {**stored, **mudanca.valores}
        changed = [n for n, v in valores.items() if n not in _BOOKKEEPING and current.get(n) != v]
        if not changed:
            return "inalterados"
        if mudanca is None:
            self.mudancas[key] = Mudanca(stored, dict(valores), changed)
        else:
            mudanca.valores.update(valores)
            mudanca.campos += [n for n in changed if n not in mudanca.campos]
        return "atualizados"

    # -- writing ---------------------------------------------------------------------------------

    def gravar(self, *, versionar: bool = True, ids: bool = False) -> None:
        """INSERT the new keys, UPDATE the changed rows and keep their versions.

        ``ids``: the new rows' ids are wanted (in :attr:`ids`): they are read back with the reads made before.
        ``versionar=False``: no ``registro_versoes`` rows (a table that keeps only the latest snapshot).
        """
        now = utcnow()
        if self.novos:
            rows = self._uniform([{**row, "created_at": now, **self._updated(now)} for row in self.novos.values()])
            self.session.execute(insert(self.table), rows)  # one executemany (multi-row VALUES where supported)
            if ids:
                for coluna, valores, criterios in self._leituras:
                    novos = {row[coluna] for row in self.novos.values()} & valores
                    if novos:
                        self._ler_em(coluna, novos, criterios)
        mudancas = [m for m in self.mudancas.values() if any(m.atual.get(n) != v for n, v in m.valores.items())]
        if mudancas:
            by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for m in mudancas:
                values = {**m.valores, **self._updated(now)}
                params = {f"v_{name}": value for name, value in values.items()}
                by_columns.setdefault(tuple(sorted(values)), []).append({"_id": m.atual["id"], **params})
            for columns, rows_params in by_columns.items():
                statement = (
                    update(self.table)
                    .where(self.table.c.id == bindparam("_id"))
                    .values({name: bindparam(f"v_{name}") for name in columns})
                )
                self.session.execute(statement, rows_params)
            if not versionar:
                mudancas = []
        if mudancas:
            self.session.execute(
                insert(_VERSOES),
                [
                    {
                        "tabela": self.table.name,
                        "registro_id": m.atual["id"],
                        "versao": {name: json_value(value) for name, value in m.atual.items()},
                        "campos_alterados": m.campos,
                        "captura_log_id": self.captura_id,
                        "created_at": now,
                    }
                    for m in mudancas
                ],
            )
        self.novos.clear()
        self.mudancas.clear()

    def _updated(self, now: dt.datetime) -> dict[str, Any]:
        return {"updated_at": now} if "updated_at" in self.table.c else {}

    def _uniform(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every row with the same columns (a multi-row INSERT needs them); a missing one takes its default."""
        names = set().union(*rows)
        if all(len(row) == len(names) for row in rows):
            return rows
        defaults = {}
        for name in names:
            default = self.table.c[name].default
            defaults[name] = default.arg if isinstance(default, ColumnDefault) and default.is_scalar else None
        return [{**defaults, **row} for row in rows]
