"""The MongoDB back end of the raw log (``SINESYS_MONGODB_URI`` set), through pymongo only.

Collection ``captura_logs_brutos`` with the SQL table's fields, ``_id`` an ObjectId, and the
indexes of the MongoDB era of Sinesys: ``captura_log_id`` and ``(tipo_captura, criado_em -1)``,
plus a unique ``raw_log_id``. Only the pymongo API is used, so the same code runs on a real server
and, in tests, on mongomock.

Payloads are in ``payload_cifrado`` (binary, sealed by :mod:`sinesys_spiders.core.rawlog.cifra`);
``payload_bruto`` exists only on documents written before encryption, until ``sinesys db encrypt-rawlog``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError, DuplicateKeyError

from sinesys_spiders.core.crypto import Cipher, load_cipher
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
from sinesys_spiders.core.timeutil import UTC, utcnow

if TYPE_CHECKING:
    from pymongo.collection import Collection
    from pymongo.mongo_client import MongoClient

__all__ = ["COLLECTION", "MongoRawLogStore"]

COLLECTION = "captura_logs_brutos"


def _aware(value: Any) -> Any:
    if value is not None and value.tzinfo is None:  # a client without tz_aware returns naive UTC
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC) if value is not None else None


def _blob(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


def _registro(doc: Mapping[str, Any], cipher: Cipher, *, strict: bool) -> RegistroBruto:
    raw_log_id = doc["raw_log_id"]
    cifrado, legado = _blob(doc.get("payload_cifrado")), doc.get("payload_bruto")
    payload, ilegivel = payload_lido(cipher, raw_log_id, cifrado, legado, strict=strict)
    return RegistroBruto(
        raw_log_id=doc["raw_log_id"],
        captura_log_id=doc.get("captura_log_id"),
        tipo_captura=doc["tipo_captura"],
        advogado_id=doc.get("advogado_id"),
        credencial_id=doc.get("credencial_id"),
        tribunal=doc.get("tribunal"),
        grau=doc.get("grau"),
        status=doc["status"],
        requisicao=doc.get("requisicao"),
        payload_bruto=payload,
        resultado_processado=doc.get("resultado_processado"),
        erro=doc.get("erro"),
        criado_em=_aware(doc["criado_em"]),
        atualizado_em=_aware(doc.get("atualizado_em") or doc["criado_em"]),
        payload_ilegivel=ilegivel,
    )


class MongoRawLogStore:
    """Raw log in a MongoDB collection; pass a pymongo collection, or use :meth:`from_uri`.

    ``cipher`` seals and opens payloads; without it the configured key (``SINESYS_SECRET_KEY`` or the key
    file) is loaded on first use.
    """

    def __init__(
        self,
        collection: Collection[Any],
        *,
        client: MongoClient[Any] | None = None,
        cipher: Cipher | Callable[[], Cipher] | None = None,
    ) -> None:
        self._collection = collection
        self._client = client
        self._cipher_or_loader: Cipher | Callable[[], Cipher] = cipher if cipher is not None else load_cipher
        collection.create_index([("raw_log_id", ASCENDING)], unique=True, name="raw_log_id_unique")
        collection.create_index([("captura_log_id", ASCENDING)], name="captura_log_id")
        collection.create_index([("tipo_captura", ASCENDING), ("criado_em", DESCENDING)], name="tipo_captura_criado_em")

    @classmethod
    def from_uri(cls, uri: str, database: str, *, cipher: Cipher | None = None) -> MongoRawLogStore:
        """A store on ``uri`` (``mongodb://...``), database ``database``; the client is closed by :meth:`close`."""
        from pymongo import MongoClient

        client: MongoClient[Any] = MongoClient(uri, tz_aware=True)
        return cls(client[database][COLLECTION], client=client, cipher=cipher)

    @property
    def cipher(self) -> Cipher:
        """The cipher of the payloads (loaded on first use when none was given)."""
        if not isinstance(self._cipher_or_loader, Cipher):
            self._cipher_or_loader = self._cipher_or_loader()
        return self._cipher_or_loader

    def append(self, entry: PaginaBruta) -> str:
        try:
            self._collection.insert_one(campos_registro(entry, self.cipher))
        except DuplicateKeyError:
            raise RawLogDuplicado("raw_log_id já registrado no log bruto") from None
        return entry.raw_log_id

    def append_many(self, entries: Sequence[PaginaBruta]) -> list[str]:
        if not entries:
            return []
        ids = [entry.raw_log_id for entry in entries]
        if len(set(ids)) != len(ids):
            raise RawLogDuplicado("raw_log_id repetido no mesmo lote")
        if self._collection.count_documents({"raw_log_id": {"$in": ids}}, limit=1):
            raise RawLogDuplicado("raw_log_id já registrado no log bruto")
        try:
            cipher = self.cipher
            self._collection.insert_many([campos_registro(entry, cipher) for entry in entries], ordered=True)
        except BulkWriteError:
            raise RawLogDuplicado("raw_log_id já registrado no log bruto") from None
        return ids

    def get(self, raw_log_id: str) -> RegistroBruto | None:
        doc = self._collection.find_one({"raw_log_id": raw_log_id})
        return None if doc is None else _registro(doc, self.cipher, strict=True)

    @staticmethod
    def _query(filtro: FiltroRawLog) -> dict[str, Any]:
        query: dict[str, Any] = dict(filtro.equalities())
        if filtro.processado is True:
            query["resultado_processado"] = {"$ne": None}
        elif filtro.processado is False:
            query["resultado_processado"] = None
        criado_em: dict[str, Any] = {}
        if filtro.desde is not None:
            criado_em["$gte"] = filtro.desde
        if filtro.antes is not None:
            criado_em["$lt"] = filtro.antes
        if criado_em:
            query["criado_em"] = criado_em
        return query

    def list(self, filtro: FiltroRawLog | None = None, *, limit: int = 100, offset: int = 0) -> list[RegistroBruto]:
        cursor = (
            self._collection.find(self._query(filtro or FiltroRawLog()))
            .sort([("criado_em", DESCENDING), ("_id", DESCENDING)])
            .skip(offset)
            .limit(limit)
        )
        registros = [_registro(doc, self.cipher, strict=False) for doc in cursor]
        warn_ilegiveis([r.raw_log_id for r in registros if r.payload_ilegivel is not None])
        return registros

    def count(self, filtro: FiltroRawLog | None = None) -> int:
        """How many entries match ``filtro`` (nothing decrypted)."""
        return int(self._collection.count_documents(self._query(filtro or FiltroRawLog())))

    def mark_processed(self, raw_log_id: str, resultado: Any = None, *, erro: str | None = None) -> bool:
        values: dict[str, Any] = {
            "resultado_processado": resultado if resultado is not None else {"processado": True},
            "atualizado_em": truncate_ms(utcnow()),
        }
        if erro is not None:
            values.update(status="error", erro=erro)
        result = self._collection.update_one({"raw_log_id": raw_log_id}, {"$set": values})
        return result.matched_count > 0

    def mark_processed_many(self, resultados: Mapping[str, Any]) -> int:
        """Mark many entries processed (``raw_log_id -> resultado``); how many were found."""
        return sum(self.mark_processed(raw_log_id, resultado) for raw_log_id, resultado in resultados.items())

    def reencrypt(self, old: Cipher, new: Cipher, *, batch_size: int = 200) -> Iterator[ReencryptionProgress]:
        """Re-encrypt payloads under ``new`` in batches of ``batch_size`` documents by ``_id``.

        Each changed document is one ``update_one`` (``bulk_write`` would save round trips, but mongomock,
        which the tests run on, does not accept the bulk operations of current pymongo).
        """
        fields = {"raw_log_id": 1, "payload_cifrado": 1, "payload_bruto": 1}
        progress, last = ReencryptionProgress(), None
        while True:
            query: dict[str, Any] = {} if last is None else {"_id": {"$gt": last}}
            docs = list(self._collection.find(query, fields).sort("_id", ASCENDING).limit(batch_size))
            if not docs:
                return
            resultados = []
            for doc in docs:
                resultado, blob = reseal(
                    old, new, doc["raw_log_id"], _blob(doc.get("payload_cifrado")), doc.get("payload_bruto")
                )
                resultados.append(resultado)
                if blob is not None:
                    change = {"$set": {"payload_cifrado": blob}, "$unset": {"payload_bruto": ""}}
                    self._collection.update_one({"_id": doc["_id"]}, change)
            last = docs[-1]["_id"]
            warn_ilegiveis([doc["raw_log_id"] for doc, r in zip(docs, resultados, strict=True) if r == "ilegivel"])
            progress = progress.plus(resultados)
            yield progress

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
