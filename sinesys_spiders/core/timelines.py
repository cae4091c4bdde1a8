"""The timeline store: one whole timeline per case, tribunal and grau, as the tribunal sent it, with its metadata.

The MongoDB era of Sinesys kept timelines in a collection ``timeline`` (pje-api.md §5)::

    {processoId, trtCodigo, grau, capturadoEm, timeline: [...],
     metadata: {advogadoId, totalDocumentos, totalMovimentos, totalDocumentosBaixados, schemaVersion: 1}}

unique on ``(processoId, trtCodigo, grau)``. :class:`MongoTimelineStore` keeps exactly that (plus
``processo_id``, the ``acervo`` row) when ``SINESYS_MONGODB_URI`` is set; :class:`SqlTimelineStore`, the
embedded default, keeps the same in the ``timelines`` table. :func:`open_timeline_store` picks one; both
pass the contract suite ``sinesys_spiders.testing.timeline_contract``. Saving a case again replaces its
timeline (the newest capture wins; movements and documents are also kept as rows, see
:mod:`sinesys_spiders.core.persistencia_processo`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sinesys_spiders.core.config import Settings, get_settings
from sinesys_spiders.core.db.models import Timeline
from sinesys_spiders.core.rawlog.base import truncate_ms
from sinesys_spiders.core.timeutil import UTC

if TYPE_CHECKING:
    from pymongo.collection import Collection
    from pymongo.mongo_client import MongoClient
    from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "COLLECTION",
    "SCHEMA_VERSION",
    "MongoTimelineStore",
    "RegistroTimeline",
    "SqlTimelineStore",
    "TimelineStore",
    "open_timeline_store",
]

COLLECTION = "timeline"
SCHEMA_VERSION = 1


@dataclasses.dataclass(frozen=True, slots=True)
class RegistroTimeline:
    """A case's stored timeline: the key, the items as sent (newest first) and the metadata."""

    id_processo_externo: int
    tribunal: str
    grau: str
    capturado_em: dt.datetime
    timeline: list[dict[str, Any]]
    total_documentos: int
    total_movimentos: int
    total_documentos_baixados: int = 0
    advogado_id: int | None = None
    processo_id: int | None = None
    schema_version: int = SCHEMA_VERSION

    def metadata(self) -> dict[str, Any]:
        """The ``metadata`` object of the MongoDB era (camelCase)."""
        return {
            "advogadoId": self.advogado_id,
            "totalDocumentos": self.total_documentos,
            "totalMovimentos": self.total_movimentos,
            "totalDocumentosBaixados": self.total_documentos_baixados,
            "capturadoEm": truncate_ms(self.capturado_em).isoformat(),
            "schemaVersion": self.schema_version,
        }


@runtime_checkable
class TimelineStore(Protocol):
    """Where whole timelines go: the SQL database by default, MongoDB when configured."""

    def save(self, registro: RegistroTimeline) -> None:
        """Store a case's timeline, replacing the one stored before for the same case, tribunal and grau."""
        ...

    def get(self, id_processo_externo: int, tribunal: str, grau: str) -> RegistroTimeline | None:
        """The stored timeline of a case, or ``None``."""
        ...

    def set_documentos_baixados(self, id_processo_externo: int, tribunal: str, grau: str, total: int) -> bool:
        """Record how many of the case's documents are downloaded; ``False`` if no timeline is stored."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


def _from_metadata(key: tuple[int, str, str], capturado_em: dt.datetime, timeline: list[dict[str, Any]],
                   metadata: Mapping[str, Any], processo_id: int | None) -> RegistroTimeline:  # fmt: skip
    return RegistroTimeline(
        id_processo_externo=key[0],
        tribunal=key[1],
        grau=key[2],
        capturado_em=capturado_em,
        timeline=list(timeline),
        total_documentos=int(metadata.get("totalDocumentos", 0)),
        total_movimentos=int(metadata.get("totalMovimentos", 0)),
        total_documentos_baixados=int(metadata.get("totalDocumentosBaixados", 0)),
        advogado_id=metadata.get("advogadoId"),
        processo_id=processo_id,
        schema_version=int(metadata.get("schemaVersion", SCHEMA_VERSION)),
    )


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SqlTimelineStore:
    """Timelines in the ``timelines`` table of the project's database."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    def save(self, registro: RegistroTimeline) -> None:
        for _ in range(3):
            try:
                with self._factory.begin() as session:
                    self.save_in(session, registro)
                return
            except IntegrityError:  # another process inserted the same case meanwhile: update it
                continue
        raise RuntimeError("timeline: não foi possível gravar após 3 tentativas")

    @staticmethod
    def save_in(session: Session, registro: RegistroTimeline) -> None:
        """Upsert inside the caller's transaction."""
        SqlTimelineStore.save_many_in(session, [registro])

    @staticmethod
    def save_many_in(session: Session, registros: Sequence[RegistroTimeline]) -> None:
        """Upsert many cases' timelines inside the caller's transaction, in a few statements."""
        from sinesys_spiders.core.db.repositories.timeline import TimelineRepository

        TimelineRepository(session).gravar_timelines(
            [
                {
                    "id_processo_externo": r.id_processo_externo,
                    "tribunal": r.tribunal,
                    "grau": r.grau,
                    "processo_id": r.processo_id,
                    "capturado_em": truncate_ms(r.capturado_em),
                    "timeline": list(r.timeline),
                    "metadata": r.metadata(),
                }
                for r in registros
            ]
        )
        session.flush()

    def get(self, id_processo_externo: int, tribunal: str, grau: str) -> RegistroTimeline | None:
        with self._factory() as session:
            row = session.execute(
                select(Timeline).where(
                    Timeline.id_processo_externo == id_processo_externo,
                    Timeline.tribunal == tribunal,
                    Timeline.grau == grau,
                )
            ).scalar_one_or_none()
            if row is None:
                return None
            return _from_metadata(
                (row.id_processo_externo, row.tribunal, row.grau),
                _aware(row.capturado_em),
                row.timeline,
                row.metadados or {},
                row.processo_id,
            )

    def set_documentos_baixados(self, id_processo_externo: int, tribunal: str, grau: str, total: int) -> bool:
        with self._factory.begin() as session:
            row = session.execute(
                select(Timeline).where(
                    Timeline.id_processo_externo == id_processo_externo,
                    Timeline.tribunal == tribunal,
                    Timeline.grau == grau,
                )
            ).scalar_one_or_none()
            if row is None:
                return False
            row.metadados = {**(row.metadados or {}), "totalDocumentosBaixados": int(total)}
            return True

    def close(self) -> None:
        """Nothing to release: the engine belongs to the caller."""


class MongoTimelineStore:
    """Timelines in the MongoDB collection ``timeline`` (pymongo API only: mongomock in tests)."""

    def __init__(self, collection: Collection[Any], *, client: MongoClient[Any] | None = None) -> None:
        from pymongo import ASCENDING

        self._collection = collection
        self._client = client
        collection.create_index(
            [("processoId", ASCENDING), ("trtCodigo", ASCENDING), ("grau", ASCENDING)],
            unique=True,
            name="processo_trt_grau_unique",
        )

    @classmethod
    def from_uri(cls, uri: str, database: str) -> MongoTimelineStore:
        from pymongo import MongoClient

        client: MongoClient[Any] = MongoClient(uri, tz_aware=True)
        return cls(client[database][COLLECTION], client=client)

    @staticmethod
    def _key(id_processo_externo: int, tribunal: str, grau: str) -> dict[str, Any]:
        return {"processoId": int(id_processo_externo), "trtCodigo": tribunal, "grau": grau}

    def save(self, registro: RegistroTimeline) -> None:
        key = self._key(registro.id_processo_externo, registro.tribunal, registro.grau)
        document = {
            **key,
            "processo_id": registro.processo_id,
            "capturadoEm": truncate_ms(registro.capturado_em),
            "timeline": list(registro.timeline),
            "metadata": registro.metadata(),
        }
        self._collection.replace_one(key, document, upsert=True)

    def get(self, id_processo_externo: int, tribunal: str, grau: str) -> RegistroTimeline | None:
        doc = self._collection.find_one(self._key(id_processo_externo, tribunal, grau))
        if doc is None:
            return None
        return _from_metadata(
            (int(doc["processoId"]), doc["trtCodigo"], doc["grau"]),
            _aware(doc["capturadoEm"]),
            doc.get("timeline") or [],
            doc.get("metadata") or {},
            doc.get("processo_id"),
        )

    def set_documentos_baixados(self, id_processo_externo: int, tribunal: str, grau: str, total: int) -> bool:
        result = self._collection.update_one(
            self._key(id_processo_externo, tribunal, grau), {"$set": {"metadata.totalDocumentosBaixados": int(total)}}
        )
        return result.matched_count > 0

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def open_timeline_store(settings: Settings | None = None) -> TimelineStore:
    """The configured store: MongoDB when ``mongodb_uri`` is set, else the SQL database."""
    settings = settings or get_settings()
    if settings.mongodb_uri is not None and settings.mongodb_uri.get_secret_value():
        return MongoTimelineStore.from_uri(settings.mongodb_uri.get_secret_value(), settings.mongodb_database)
    from sinesys_spiders.core.db.engine import get_session_factory

    return SqlTimelineStore(get_session_factory(settings.effective_database_url))
