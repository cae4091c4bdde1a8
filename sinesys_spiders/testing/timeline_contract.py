"""The contract every timeline store passes (``sinesys_spiders.core.timelines.TimelineStore``).

Subclass :class:`TimelineStoreContract` in a test module and provide the ``store`` fixture::

    from sinesys_spiders.testing.timeline_contract import TimelineStoreContract

    class TestMyTimelines(TimelineStoreContract):
        @pytest.fixture
        def store(self):
            store = MyTimelineStore(...)
            yield store
            store.close()
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from sinesys_spiders.core.timelines import RegistroTimeline, TimelineStore

__all__ = ["TimelineStoreContract", "make_registro"]


def make_registro(**extra: Any) -> RegistroTimeline:
    """A realistic timeline of a TRT3 1º grau case: one document (signed) and one movement, newest first."""
    fields: dict[str, Any] = {
        "id_processo_externo": 2345678,
        "tribunal": "TRT3",
        "grau": "primeiro_grau",
        "capturado_em": dt.datetime(2026, 11, 24, 1, 2, 3, 456789, tzinfo=dt.UTC),
        "timeline": [
            {
                "id": 150000002,
                "titulo": "Petição Inicial",
                "documento": True,
                "idSignatario": 12345,
                "documentoSigiloso": False,
                "data": "2025-07-11T11:12:15.261",
            },
            {
                "id": 150000001,
                "titulo": "Distribuído por sorteio",
                "documento": False,
                "codigoMovimentoCNJ": 26,
                "data": "2025-07-11T11:00:00",
            },
        ],
        "total_documentos": 1,
        "total_movimentos": 1,
        "total_documentos_baixados": 0,
        "advogado_id": 7,
        "processo_id": None,
        **extra,
    }
    return RegistroTimeline(**fields)


class TimelineStoreContract:
    """Behaviour shared by every timeline store. Provide ``store``."""

    @pytest.fixture
    def store(self) -> TimelineStore:
        raise NotImplementedError("provide a `store` fixture returning the back end under test")

    def test_is_a_timeline_store(self, store: TimelineStore) -> None:
        """The back end implements the whole TimelineStore protocol."""
        assert isinstance(store, TimelineStore)

    def test_save_then_get_returns_the_timeline_and_its_metadata(self, store: TimelineStore) -> None:
        """Items as sent, totals, lawyer and schema version come back; the time to the millisecond, in UTC."""
        registro = make_registro()
        store.save(registro)
        got = store.get(2345678, "TRT3", "primeiro_grau")
        assert got is not None
        assert got.timeline == registro.timeline
        assert (got.total_documentos, got.total_movimentos, got.total_documentos_baixados) == (1, 1, 0)
        assert got.advogado_id == 7
        assert got.schema_version == 1
        assert got.capturado_em == dt.datetime(2026, 11, 24, 1, 2, 3, 456000, tzinfo=dt.UTC)
        assert got.metadata()["totalDocumentos"] == 1

    def test_one_timeline_per_case_tribunal_and_grau(self, store: TimelineStore) -> None:
        """Saving a case again replaces its timeline; the same id at another tribunal or grau is another case."""
        store.save(make_registro())
        novo = {"id": 150000003, "titulo": "Despacho", "documento": True, "documentoSigiloso": False}
        store.save(make_registro(timeline=[novo, *make_registro().timeline], total_documentos=2))
        store.save(make_registro(tribunal="TRT5", total_movimentos=9))
        store.save(make_registro(grau="segundo_grau", total_movimentos=8))
        got = store.get(2345678, "TRT3", "primeiro_grau")
        assert got is not None
        assert [i["id"] for i in got.timeline] == [150000003, 150000002, 150000001]
        assert got.total_documentos == 2
        other = store.get(2345678, "TRT5", "primeiro_grau")
        assert other is not None
        assert other.total_movimentos == 9
        segundo = store.get(2345678, "TRT3", "segundo_grau")
        assert segundo is not None
        assert segundo.total_movimentos == 8

    def test_unknown_case_is_none(self, store: TimelineStore) -> None:
        """A case never saved gives None, not an error."""
        assert store.get(1, "TRT3", "primeiro_grau") is None

    def test_documents_downloaded_are_recorded_in_the_metadata(self, store: TimelineStore) -> None:
        """set_documentos_baixados updates the count of a stored case and says False for an unknown one."""
        store.save(make_registro())
        assert store.set_documentos_baixados(2345678, "TRT3", "primeiro_grau", 1) is True
        got = store.get(2345678, "TRT3", "primeiro_grau")
        assert got is not None
        assert got.total_documentos_baixados == 1
        assert got.timeline == make_registro().timeline
        assert store.set_documentos_baixados(99, "TRT3", "primeiro_grau", 1) is False

    def test_a_record_is_plain_data(self) -> None:
        """A record is a frozen dataclass (safe to hand between threads)."""
        registro = make_registro()
        with pytest.raises(dataclasses.FrozenInstanceError):
            registro.total_documentos = 5  # type: ignore[misc]
