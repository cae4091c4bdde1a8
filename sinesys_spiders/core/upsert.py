"""The batched relational upsert of captured items on their natural keys.

:func:`upsert_items` writes a batch of items (:class:`~sinesys_spiders.core.items.Processo`,
:class:`~sinesys_spiders.core.items.Expediente`, :class:`~sinesys_spiders.core.items.Audiencia`) to
their tables inside the caller's session, the same code on SQLite and PostgreSQL:

1. Items are grouped by table and collapsed on their natural key (the last one of a key wins; the
   others count as ``duplicados``).
2. The existing rows of the batch are read in one query per table, tribunal and grau
   (``tribunal = ? AND grau = ? AND id_externo IN (...)``) and matched on the full natural key.
3. A new key is INSERTed (``inseridos``). An existing row is compared on the columns the item
   provides, ignoring bookkeeping (``id``, ``created_at``, ``updated_at``, ``advogado_id``,
   ``credencial_id``, ``ultima_captura_id``, ``processo_id``): equal -> not written at all (``inalterados``);
   different -> UPDATE guarded by the ``updated_at`` read, plus a ``registro_versoes`` row with the
   whole previous version and the list of changed fields (``atualizados``).
4. A unique violation on insert (another worker inserted the same key meanwhile) or an update that
   lost its guard re-reads the row and compares again: never a crash, never a duplicate.

Expedientes and hearings are linked to their case's ``acervo`` row (``processo_id``) when it is
stored; hearings first get their catalogue rows (órgão julgador, classe, sala, tipo) upserted and linked
(:mod:`sinesys_spiders.core.persistence.catalogos`).

A value the column cannot hold (text longer than the column) makes that item an error with its
reason (``erros``) instead of failing the batch. Counts are kept per credential
(:class:`ResultadoUpsert`).
"""

from __future__ import annotations

import dataclasses
import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import RowMapping, Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.types import String

from sinesys_spiders.core.db.consultas import em_ids
from sinesys_spiders.core.db.models import SEM_DATA_CRIACAO, SEM_ID_DOCUMENTO, RegistroVersao
from sinesys_spiders.core.db.models import Audiencia as AudienciaModel
from sinesys_spiders.core.db.models import Expediente as ExpedienteModel
from sinesys_spiders.core.db.models import Processo as ProcessoModel
from sinesys_spiders.core.db.repositories.lotes import json_value
from sinesys_spiders.core.items import Audiencia, Expediente, ItemCaptura, Processo
from sinesys_spiders.core.persistence.catalogos import link_audiencias, link_processos
from sinesys_spiders.core.persistence.copia import CopiaRecusada, copy_rows
from sinesys_spiders.core.timeutil import utcnow

__all__ = [
    "BOOKKEEPING",
    "ContagemUpsert",
    "ErroUpsert",
    "ResultadoUpsert",
    "TabelaUpsert",
    "table_for",
    "upsert_items",
]

#: Columns that say who captured a row and when, not what it is: written, never compared.
BOOKKEEPING = frozenset(
    {"id", "created_at", "updated_at", "advogado_id", "credencial_id", "ultima_captura_id", "processo_id"}
)


@dataclasses.dataclass(frozen=True, slots=True)
class TabelaUpsert:
    """How one item type maps to its table: the natural key and the defaults of key columns."""

    table: Table
    chave: tuple[str, ...]
    key_defaults: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    #: Column names, and the maximum length of each text column (computed once).
    columns: frozenset[str] = dataclasses.field(init=False)
    lengths: Mapping[str, int] = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", frozenset(c.name for c in self.table.columns))
        lengths = {c.name: c.type.length for c in self.table.columns if isinstance(c.type, String) and c.type.length}
        object.__setattr__(self, "lengths", lengths)

    @property
    def name(self) -> str:
        return self.table.name


_TABELAS: dict[type[ItemCaptura], TabelaUpsert] = {
    Processo: TabelaUpsert(ProcessoModel.__table__, Processo.chave_natural),  # type: ignore[arg-type]
    Expediente: TabelaUpsert(
        ExpedienteModel.__table__,  # type: ignore[arg-type]
        Expediente.chave_natural,
        {"id_documento": SEM_ID_DOCUMENTO, "data_criacao_expediente": SEM_DATA_CRIACAO},
    ),
    Audiencia: TabelaUpsert(AudienciaModel.__table__, Audiencia.chave_natural),  # type: ignore[arg-type]
}


def table_for(item: ItemCaptura | type[ItemCaptura]) -> TabelaUpsert:
    """The table of an item type; ``KeyError`` for a type the upsert does not store."""
    cls = item if isinstance(item, type) else type(item)
    for base in cls.__mro__:
        if base in _TABELAS:
            return _TABELAS[base]
    raise KeyError(f"{cls.__name__} não tem tabela")


@dataclasses.dataclass(slots=True)
class ContagemUpsert:
    """What happened to the items of one credential."""

    inseridos: int = 0
    atualizados: int = 0
    inalterados: int = 0
    duplicados: int = 0
    erros: int = 0

    def add(self, other: ContagemUpsert) -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True, slots=True)
class ErroUpsert:
    """An item that could not be stored, and why (no personal data in ``motivo``)."""

    credencial_id: int
    tabela: str
    id_externo: int
    motivo: str


@dataclasses.dataclass(slots=True)
class ResultadoUpsert:
    """Counts per credential and per raw page (``raw_ref``), and the items that failed with their reasons."""

    por_credencial: dict[int, ContagemUpsert] = dataclasses.field(default_factory=lambda: defaultdict(ContagemUpsert))
    por_pagina: dict[str, ContagemUpsert] = dataclasses.field(default_factory=lambda: defaultdict(ContagemUpsert))
    erros: list[ErroUpsert] = dataclasses.field(default_factory=list)

    def contagem(self, credencial_id: int) -> ContagemUpsert:
        return self.por_credencial[credencial_id]

    def count(self, item: ItemCaptura, outcome: str) -> None:
        """One more ``outcome`` (inseridos, atualizados...) for the item's credential and raw page."""
        contagem = self.por_credencial[item.credencial_id]
        setattr(contagem, outcome, getattr(contagem, outcome) + 1)
        if item.raw_ref is not None:
            pagina = self.por_pagina[item.raw_ref]
            setattr(pagina, outcome, getattr(pagina, outcome) + 1)

    @property
    def total(self) -> ContagemUpsert:
        out = ContagemUpsert()
        for contagem in self.por_credencial.values():
            out.add(contagem)
        return out

    def merge(self, other: ResultadoUpsert) -> None:
        for credencial_id, contagem in other.por_credencial.items():
            self.por_credencial[credencial_id].add(contagem)
        for raw_ref, contagem in other.por_pagina.items():
            self.por_pagina[raw_ref].add(contagem)
        self.erros.extend(other.erros)


def _db_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _too_long(spec: TabelaUpsert, row: Mapping[str, Any]) -> str | None:
    for name, length in spec.lengths.items():
        value = row.get(name)
        if isinstance(value, str) and len(value) > length:
            return f"{name}: texto com {len(value)} caracteres excede o limite de {length} da coluna"
    return None


def _fields(item: ItemCaptura) -> dict[str, Any]:
    fields = item.model_dump()
    for name in ("tribunal", "grau"):  # the items' only enum fields
        fields[name] = _db_value(fields[name])
    return fields


def _row_for(
    spec: TabelaUpsert, item: ItemCaptura, captura_id: int | None, fields: dict[str, Any] | None = None
) -> dict[str, Any]:
    columns = spec.columns
    fields = _fields(item) if fields is None else fields
    row = {name: value for name, value in fields.items() if name in columns}
    for name, default in spec.key_defaults.items():
        if row.get(name) is None:
            row[name] = default
    if "ultima_captura_id" in columns:
        row["ultima_captura_id"] = captura_id if captura_id is not None else item.captura_id
    row.pop("id", None)
    return row


def _key(spec: TabelaUpsert, row: Mapping[str, Any] | RowMapping) -> tuple[Any, ...]:
    return tuple(map(row.__getitem__, spec.chave))


def _changed(row: Mapping[str, Any], existing: Mapping[str, Any]) -> list[str]:
    return [name for name, value in row.items() if name not in BOOKKEEPING and existing.get(name) != value]


class _TableBatch:
    """One table's part of a batch, inside the caller's session."""

    def __init__(self, session: Session, spec: TabelaUpsert, captura_id: int | None, out: ResultadoUpsert) -> None:
        self.session = session
        self.spec = spec
        self.table = spec.table
        self.captura_id = captura_id
        self.out = out

    def run(self, items: Sequence[ItemCaptura]) -> None:
        rows: dict[tuple[Any, ...], tuple[ItemCaptura, dict[str, Any]]] = {}
        prepared = [(item, _fields(item)) for item in items]
        if self.spec.name == "audiencias":  # catalogue foreign keys from the hearing's PJE fields
            link_audiencias(self.session, [fields for _, fields in prepared])
        if "processo_id" in self.spec.columns:  # the case's acervo row, when already stored
            id_field = "id_processo_externo" if self.spec.name == "audiencias" else "id_externo"
            link_processos(self.session, [fields for _, fields in prepared], id_field=id_field)
        for item, fields in prepared:
            row = _row_for(self.spec, item, self.captura_id, fields)
            reason = _too_long(self.spec, row)
            if reason is not None:
                self._error(item, reason)
                continue
            key = _key(self.spec, row)
            if key in rows:
                self.out.count(rows[key][0], "duplicados")
            rows[key] = (item, row)
        if not rows:
            return
        existing = self._read(list(rows))
        inserts: list[tuple[ItemCaptura, dict[str, Any]]] = []
        for key, (item, row) in rows.items():
            current = existing.get(key)
            if current is None:
                inserts.append((item, row))
            else:
                self._compare_and_update(item, row, current)
        self._insert(inserts)

    def _read(self, keys: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], dict[str, Any]]:
        """Existing rows of these keys: one query per (tribunal, grau)."""
        groups: dict[tuple[Any, Any], set[Any]] = defaultdict(set)
        positions = {name: i for i, name in enumerate(self.spec.chave)}
        for key in keys:
            groups[(key[positions["tribunal"]], key[positions["grau"]])].add(key[positions["id_externo"]])
        found: dict[tuple[Any, ...], dict[str, Any]] = {}
        c = self.table.c
        for (tribunal, grau), ids in groups.items():
            query = select(self.table).where(c.tribunal == tribunal, c.grau == grau, em_ids(c.id_externo, ids))
            for record in self.session.execute(query).mappings():
                found[_key(self.spec, record)] = dict(record)
        return found

    def _read_one(self, row: Mapping[str, Any]) -> dict[str, Any] | None:
        c = self.table.c
        query = select(self.table).where(*(c[name] == row[name] for name in self.spec.chave))
        record = self.session.execute(query).mappings().first()
        return None if record is None else dict(record)

    def _compare_and_update(self, item: ItemCaptura, row: dict[str, Any], current: dict[str, Any]) -> None:
        for _attempt in range(3):
            changed = _changed(row, current)
            if not changed:
                self.out.count(item, "inalterados")
                return
            now = utcnow()
            result = self.session.execute(
                update(self.table)
                .where(self.table.c.id == current["id"], self.table.c.updated_at == current["updated_at"])
                .values(**row, updated_at=now)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                self.session.add(
                    RegistroVersao(
                        tabela=self.spec.name,
                        registro_id=current["id"],
                        versao={name: json_value(value) for name, value in current.items()},
                        campos_alterados=changed,
                        captura_log_id=row.get("ultima_captura_id"),
                    )
                )
                self.out.count(item, "atualizados")
                return
            reread = self._read_one(row)  # someone else changed it meanwhile: compare again
            if reread is None:
                self._error(item, "registro removido durante a atualização")
                return
            current = reread
        self._error(item, "conflito de atualização concorrente persistente")

    def _insert(self, inserts: list[tuple[ItemCaptura, dict[str, Any]]]) -> None:
        if not inserts:
            return
        now = utcnow()
        rows = [{**row, "created_at": now, "updated_at": now} for _, row in inserts]
        try:
            with self.session.begin_nested():
                if not copy_rows(self.session, self.table, rows):  # PostgreSQL: COPY; elsewhere an INSERT
                    self.session.execute(insert(self.table), rows)
        except (IntegrityError, CopiaRecusada):
            for item, row in inserts:  # a race on some key: one by one, re-reading the losers
                self._insert_one(item, row)
            return
        for item, _ in inserts:
            self.out.count(item, "inseridos")

    def _insert_one(self, item: ItemCaptura, row: dict[str, Any]) -> None:
        now = utcnow()
        try:
            with self.session.begin_nested():
                self.session.execute(insert(self.table).values(**row, created_at=now, updated_at=now))
        except IntegrityError:
            current = self._read_one(row)
            if current is None:
                self._error(item, "violação de integridade ao inserir")
                return
            self._compare_and_update(item, row, current)
            return
        self.out.count(item, "inseridos")

    def _error(self, item: ItemCaptura, reason: str) -> None:
        self.out.count(item, "erros")
        self.out.erros.append(ErroUpsert(item.credencial_id, self.spec.name, item.id_externo, reason))


def upsert_items(session: Session, items: Iterable[ItemCaptura], *, captura_id: int | None = None) -> ResultadoUpsert:
    """Write a batch of items in ``session`` (the caller commits); return counts per credential.

    ``captura_id`` (default: each item's own) is written to ``ultima_captura_id`` and to the
    versions kept. Items of a type without a table raise ``KeyError`` before anything is written.
    """
    by_table: dict[str, tuple[TabelaUpsert, list[ItemCaptura]]] = {}
    for item in items:
        spec = table_for(item)
        by_table.setdefault(spec.name, (spec, []))[1].append(item)
    out = ResultadoUpsert()
    # Cases first, so that a later reference from expedientes or audiências finds them.
    order = {"acervo": 0, "expedientes": 1, "audiencias": 2}
    for name in sorted(by_table, key=lambda n: order.get(n, 9)):
        spec, batch = by_table[name]
        _TableBatch(session, spec, captura_id, out).run(batch)
    session.flush()
    return out
