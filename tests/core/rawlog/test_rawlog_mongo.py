"""The MongoDB raw-log back end passes the raw-log contract (on mongomock) and builds its indexes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import bson
import mongomock
import pytest
from pydantic import SecretStr

from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.items import PaginaBruta
from sinesys_spiders.core.rawlog import open_rawlog_store
from sinesys_spiders.core.rawlog.base import campos_registro
from sinesys_spiders.core.rawlog.mongo import COLLECTION, MongoRawLogStore
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.testing.rawlog_contract import RawLogStoreContract


class TestMongoRawLog(RawLogStoreContract):
    @pytest.fixture
    def collection(self) -> Iterator[Any]:
        client: mongomock.MongoClient = mongomock.MongoClient(tz_aware=True)
        yield client["sinesys"][COLLECTION]
        client.close()

    @pytest.fixture
    def store_factory(self, collection: Any) -> Callable[[Cipher], MongoRawLogStore]:
        return lambda cipher: MongoRawLogStore(collection, cipher=cipher)

    @pytest.fixture
    def stored_bytes(self, collection: Any) -> Callable[[str], bytes]:
        return lambda raw_log_id: bson.encode(collection.find_one({"raw_log_id": raw_log_id}))

    @pytest.fixture
    def copy_stored_payload(self, collection: Any) -> Callable[[str, str], None]:
        def copy(source: str, target: str) -> None:
            blob = collection.find_one({"raw_log_id": source})["payload_cifrado"]
            collection.update_one({"raw_log_id": target}, {"$set": {"payload_cifrado": blob}})

        return copy

    @pytest.fixture
    def write_legacy(self, collection: Any) -> Callable[[PaginaBruta], None]:
        def write(entry: PaginaBruta) -> None:
            doc = campos_registro(entry.model_copy(update={"payload_bruto": None}), Cipher.from_text(generate_key()))
            del doc["payload_cifrado"]
            collection.insert_one({**doc, "payload_bruto": entry.payload_bruto})

        return write


def test_indexes_of_the_mongodb_era() -> None:
    """The collection gets captura_log_id, (tipo_captura, criado_em -1) and a unique raw_log_id."""
    client: mongomock.MongoClient = mongomock.MongoClient()
    collection = client["sinesys"][COLLECTION]
    MongoRawLogStore(collection, cipher=Cipher.from_text(generate_key()))
    keys = {tuple(index["key"]): index.get("unique", False) for index in collection.index_information().values()}
    assert (("captura_log_id", 1),) in keys
    assert (("tipo_captura", 1), ("criado_em", -1)) in keys
    assert keys[(("raw_log_id", 1),)] is True


def test_naive_datetimes_from_a_plain_client_are_read_as_utc() -> None:
    """A client without tz_aware returns naive UTC times; the store still gives aware UTC."""
    from sinesys_spiders.testing.rawlog_contract import make_entry

    client: mongomock.MongoClient = mongomock.MongoClient()
    store = MongoRawLogStore(client["sinesys"][COLLECTION], cipher=Cipher.from_text(generate_key()))
    entry = make_entry()
    store.append(entry)
    got = store.get(entry.raw_log_id)
    assert got is not None
    assert got.criado_em.utcoffset() is not None


def test_settings_choose_the_back_end(tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without SINESYS_MONGODB_URI the raw log is SQL; with it, MongoDB (client built lazily, no server needed)."""
    sql = open_rawlog_store(Settings(var_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/x.db"))
    assert isinstance(sql, SqlRawLogStore)
    monkeypatch.setattr("pymongo.MongoClient", mongomock.MongoClient)
    mongo = open_rawlog_store(Settings(var_dir=tmp_path, mongodb_uri=SecretStr("mongodb://localhost:1/x")))
    assert isinstance(mongo, MongoRawLogStore)
    mongo.close()
