"""Timeline stores: the SQL table and the MongoDB collection pass one contract; the settings pick the back end."""

from __future__ import annotations

from collections.abc import Iterator

import mongomock
import pytest
from pydantic import SecretStr
from pymongo.errors import ServerSelectionTimeoutError
from sqlalchemy import Engine

from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.db.engine import make_session_factory
from sinesys_spiders.core.timelines import COLLECTION, MongoTimelineStore, SqlTimelineStore, open_timeline_store
from sinesys_spiders.testing.timeline_contract import TimelineStoreContract


class TestSqlTimelines(TimelineStoreContract):
    @pytest.fixture
    def store(self, engine: Engine) -> Iterator[SqlTimelineStore]:
        store = SqlTimelineStore(make_session_factory(engine))
        yield store
        store.close()


class TestMongoTimelines(TimelineStoreContract):
    @pytest.fixture
    def store(self) -> Iterator[MongoTimelineStore]:
        client: mongomock.MongoClient = mongomock.MongoClient(tz_aware=True)
        store = MongoTimelineStore(client["sinesys"][COLLECTION], client=client)
        yield store
        store.close()


def test_the_mongodb_collection_is_unique_per_case_tribunal_and_grau() -> None:
    """The ``timeline`` collection of the MongoDB era: unique (processoId, trtCodigo, grau)."""
    client: mongomock.MongoClient = mongomock.MongoClient()
    collection = client["sinesys"][COLLECTION]
    MongoTimelineStore(collection)
    keys = {tuple(index["key"]): index.get("unique", False) for index in collection.index_information().values()}
    assert keys[(("processoId", 1), ("trtCodigo", 1), ("grau", 1))] is True


def test_settings_pick_the_back_end(tmp_path) -> None:
    """Without a MongoDB URI the timelines go to the SQL database; with one, to that server."""
    settings = Settings(var_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/x.db", mongodb_uri=None)
    assert isinstance(open_timeline_store(settings), SqlTimelineStore)
    mongo = Settings(var_dir=tmp_path, mongodb_uri=SecretStr("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=1"))
    with pytest.raises(ServerSelectionTimeoutError):  # a real client: it asked that (unreachable) server
        open_timeline_store(mongo)
