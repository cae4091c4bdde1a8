"""What hearings and expedientes refer to: the tribunal's catalogues, and their case's ``acervo`` row.

Catalogues: órgãos julgadores, classes judiciais, salas and tipos de audiência.
:func:`link_audiencias` upserts the catalogue rows a batch of hearings names (one read per catalogue,
one insert of what is missing, an update when the tribunal renamed something) and fills each hearing row's
foreign keys (``orgao_julgador_id``, ``classe_judicial_id``, ``sala_audiencia_id``,
``tipo_audiencia_id``). Catalogue rows are shared reference data: they are kept current, without
versions. A concurrent insert of the same catalogue key is re-read, never a crash.

:func:`link_processos` sets ``processo_id`` from the stored case with the same id at the tribunal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sinesys_spiders.core.db.consultas import em_ids
from sinesys_spiders.core.db.models import ClasseJudicial, OrgaoJulgador, Processo, SalaAudiencia, TipoAudiencia
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["link_audiencias", "link_processos"]


@dataclasses.dataclass(frozen=True, slots=True)
class _Catalogo:
    table: Table
    #: Key columns besides tribunal and grau; the first one narrows the read (``IN``).
    chave: tuple[str, ...]


_ORGAOS = _Catalogo(OrgaoJulgador.__table__, ("id_externo",))  # type: ignore[arg-type]
_CLASSES = _Catalogo(ClasseJudicial.__table__, ("id_externo",))  # type: ignore[arg-type]
_TIPOS = _Catalogo(TipoAudiencia.__table__, ("descricao",))  # type: ignore[arg-type]
_SALAS = _Catalogo(SalaAudiencia.__table__, ("nome", "orgao_julgador_id_externo"))  # type: ignore[arg-type]


def _resolve(
    session: Session, catalogo: _Catalogo, wanted: Mapping[tuple[Any, ...], dict[str, Any]]
) -> dict[tuple[Any, ...], int]:
    """Ids of the catalogue rows of ``wanted`` (key -> values), inserting or refreshing them as needed."""
    if not wanted:
        return {}
    table, cols = catalogo.table, ("tribunal", "grau", *catalogo.chave)
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    pairs = {(key[0], key[1]) for key in wanted}
    for tribunal, grau in pairs:
        narrow = sorted({key[2] for key in wanted if (key[0], key[1]) == (tribunal, grau)})
        query = select(table).where(
            table.c.tribunal == tribunal, table.c.grau == grau, table.c[catalogo.chave[0]].in_(narrow)
        )
        for record in session.execute(query).mappings():
            found[tuple(record[c] for c in cols)] = dict(record)
    now = utcnow()
    ids: dict[tuple[Any, ...], int] = {}
    for key, values in wanted.items():
        current = found.get(key)
        if current is None:
            row = {**dict(zip(cols, key, strict=True)), **values, "created_at": now, "updated_at": now}
            try:
                with session.begin_nested():
                    ids[key] = session.execute(insert(table).values(**row).returning(table.c.id)).scalar_one()
            except IntegrityError:  # inserted meanwhile by another worker
                reread = session.execute(
                    select(table.c.id).where(*(table.c[c] == v for c, v in zip(cols, key, strict=True)))
                )
                ids[key] = reread.scalar_one()
            continue
        ids[key] = current["id"]
        changed = {name: value for name, value in values.items() if value is not None and current.get(name) != value}
        if changed:
            session.execute(update(table).where(table.c.id == current["id"]).values(**changed, updated_at=now))
    return ids


def link_audiencias(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Fill the catalogue foreign keys of hearing rows (built from :class:`Audiencia` items) in place.

    The rows keep the item's PJE fields (``orgao_julgador_id_externo``, ``classe_judicial_sigla``...)
    until this call removes the ones the ``audiencias`` table does not have.
    """
    rows = list(rows)
    orgaos: dict[tuple[Any, ...], dict[str, Any]] = {}
    classes: dict[tuple[Any, ...], dict[str, Any]] = {}
    tipos: dict[tuple[Any, ...], dict[str, Any]] = {}
    salas: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        t, g = row["tribunal"], row["grau"]
        if row.get("orgao_julgador_id_externo") and row.get("orgao_julgador_descricao"):
            orgaos[(t, g, row["orgao_julgador_id_externo"])] = {"descricao": row["orgao_julgador_descricao"]}
        if row.get("classe_judicial_id_externo"):
            classes[(t, g, row["classe_judicial_id_externo"])] = {
                "sigla": row.get("classe_judicial_sigla"),
                "descricao": row.get("classe_judicial_descricao"),
            }
        if row.get("tipo_descricao"):
            tipos[(t, g, row["tipo_descricao"])] = {
                "id_externo": row.get("tipo_audiencia_id_externo"),
                "codigo": row.get("tipo_codigo"),
                "is_virtual": row.get("tipo_is_virtual"),
            }
    orgao_ids = _resolve(session, _ORGAOS, orgaos)
    for row in rows:
        t, g = row["tribunal"], row["grau"]
        if row.get("sala_audiencia_nome"):
            orgao_externo = row.get("orgao_julgador_id_externo") or 0
            salas[(t, g, row["sala_audiencia_nome"], orgao_externo)] = {
                "id_externo": row.get("sala_audiencia_id_externo"),
                "orgao_julgador_id": orgao_ids.get((t, g, orgao_externo)),
            }
    classe_ids = _resolve(session, _CLASSES, classes)
    tipo_ids = _resolve(session, _TIPOS, tipos)
    sala_ids = _resolve(session, _SALAS, salas)
    for row in rows:
        t, g = row["tribunal"], row["grau"]
        row["orgao_julgador_id"] = orgao_ids.get((t, g, row.get("orgao_julgador_id_externo")))
        row["classe_judicial_id"] = classe_ids.get((t, g, row.get("classe_judicial_id_externo")))
        row["tipo_audiencia_id"] = tipo_ids.get((t, g, row.get("tipo_descricao")))
        row["sala_audiencia_id"] = sala_ids.get(
            (t, g, row.get("sala_audiencia_nome"), row.get("orgao_julgador_id_externo") or 0)
        )


def link_processos(session: Session, rows: Iterable[dict[str, Any]], *, id_field: str) -> None:
    """Set ``processo_id`` of expediente or hearing rows to their case's ``acervo`` row, when stored.

    ``id_field`` names the row's PJE case id (``id_externo`` for expedientes, ``id_processo_externo`` for
    hearings). One read per tribunal and grau; rows whose case is not stored keep ``processo_id``
    unset.
    """
    rows = list(rows)
    wanted: dict[tuple[Any, Any], set[Any]] = {}
    for row in rows:
        if row.get(id_field) is not None:
            wanted.setdefault((row["tribunal"], row["grau"]), set()).add(row[id_field])
    found: dict[tuple[Any, Any, Any], int] = {}
    for (tribunal, grau), ids in wanted.items():
        query = select(Processo.id, Processo.id_externo).where(
            Processo.tribunal == tribunal, Processo.grau == grau, em_ids(Processo.id_externo, ids)
        )
        for processo_id, id_externo in session.execute(query):
            found[(tribunal, grau, id_externo)] = processo_id
    for row in rows:
        achado = found.get((row["tribunal"], row["grau"], row.get(id_field)))
        if achado is not None:
            row["processo_id"] = achado
