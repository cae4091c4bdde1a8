"""The contract every raw-log back end passes (``sinesys_spiders.core.rawlog.RawLogStore``).

Subclass :class:`RawLogStoreContract` in a test module and provide the ``store`` fixture (and, if
your back end checks them, ``captura_ids``: two ids of existing capture-log rows)::

    from sinesys_spiders.testing.rawlog_contract import RawLogStoreContract

    class TestMyRawLog(RawLogStoreContract):
        @pytest.fixture
        def store(self):
            store = MyRawLogStore(...)
            yield store
            store.close()

Every test then runs against your back end: the same behaviour as the SQL and MongoDB stores.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.items import PaginaBruta
from sinesys_spiders.core.rawlog.base import FiltroRawLog, RawLogDuplicado, RawLogStore

__all__ = ["RawLogStoreContract", "make_entry"]

UTC = dt.UTC


def make_entry(**extra: Any) -> PaginaBruta:
    """A realistic raw page: an acervo page of TRT3 1º grau with one case."""
    fields: dict[str, Any] = {
        "tipo_captura": TipoCaptura.ACERVO_GERAL,
        "tribunal": Tribunal.TRT3,
        "grau": Grau.PRIMEIRO_GRAU,
        "advogado_id": None,
        "credencial_id": 11,
        "requisicao": {"path": "/pje-comum-api/api/paineladvogado/29203/processos", "params": {"pagina": "1"}},
        "payload_bruto": {
            "pagina": 1,
            "tamanhoPagina": 100,
            "qtdPaginas": 1,
            "totalRegistros": 1,
            "resultado": [{"id": 2345678, "numeroProcesso": "0010702-80.2025.5.03.0111", "nomeParteAutora": "MARIA  "}],
        },
        **extra,
    }
    return PaginaBruta(**fields)


class RawLogStoreContract:
    """Behaviour shared by every raw-log back end. Provide ``store`` (and maybe ``captura_ids``)."""

    @pytest.fixture
    def store(self) -> RawLogStore:
        raise NotImplementedError("provide a `store` fixture returning the back end under test")

    @pytest.fixture
    def captura_ids(self) -> tuple[int, int]:
        """Two capture-log ids entries may refer to (override when your back end checks them)."""
        return (1, 2)

    def test_is_a_raw_log_store(self, store: RawLogStore) -> None:
        """The back end implements the whole RawLogStore protocol."""
        assert isinstance(store, RawLogStore)

    def test_append_then_get_returns_the_entry_as_written(
        self, store: RawLogStore, captura_ids: tuple[int, int]
    ) -> None:
        """An appended page comes back with every field, the payload unchanged, times aware UTC to the ms."""
        criado = dt.datetime(2025, 11, 20, 12, 30, 45, 123456, tzinfo=UTC)
        entry = make_entry(captura_id=captura_ids[0], criado_em=criado)
        assert store.append(entry) == entry.raw_log_id
        got = store.get(entry.raw_log_id)
        assert got is not None
        assert got.raw_log_id == entry.raw_log_id
        assert got.captura_log_id == captura_ids[0]
        assert (got.tipo_captura, got.tribunal, got.grau) == ("acervo_geral", "TRT3", "primeiro_grau")
        assert got.credencial_id == 11
        assert got.status == "success"
        assert got.requisicao == entry.requisicao
        assert got.payload_bruto == entry.payload_bruto
        assert got.payload_bruto["resultado"][0]["nomeParteAutora"] == "MARIA  "
        assert got.resultado_processado is None
        assert got.processado is False
        assert got.criado_em == dt.datetime(2025, 11, 20, 12, 30, 45, 123000, tzinfo=UTC)
        assert got.criado_em.utcoffset() == dt.timedelta(0)

    def test_unknown_id_is_none(self, store: RawLogStore) -> None:
        """Asking for an id never written gives None, not an error."""
        assert store.get("00000000-0000-0000-0000-000000000000") is None

    def test_the_same_id_is_written_once(self, store: RawLogStore) -> None:
        """Appending an id twice (alone or in a batch) raises RawLogDuplicado and keeps the first entry."""
        entry = make_entry()
        store.append(entry)
        with pytest.raises(RawLogDuplicado):
            store.append(entry.model_copy(update={"payload_bruto": {"outro": True}}))
        with pytest.raises(RawLogDuplicado):
            store.append_many([make_entry(), entry])
        got = store.get(entry.raw_log_id)
        assert got is not None
        assert got.payload_bruto == entry.payload_bruto

    def test_append_many(self, store: RawLogStore) -> None:
        """A batch is stored whole and returns its ids in order; an empty batch is a no-op."""
        entries = [make_entry(payload_bruto={"pagina": n}) for n in range(1, 6)]
        assert store.append_many(entries) == [e.raw_log_id for e in entries]
        assert store.append_many([]) == []
        assert all(store.get(e.raw_log_id) is not None for e in entries)

    def test_list_filters_and_orders_newest_first(self, store: RawLogStore, captura_ids: tuple[int, int]) -> None:
        """list() filters by capture, type, tribunal, grau, credential and status, newest first, paged."""
        base = dt.datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
        first, second = captura_ids
        entries = [
            make_entry(captura_id=first, criado_em=base),
            make_entry(captura_id=first, criado_em=base + dt.timedelta(seconds=1), tipo_captura="pendentes"),
            make_entry(
                captura_id=first, criado_em=base + dt.timedelta(seconds=2), tribunal="TRT5", grau="segundo_grau"
            ),
            make_entry(captura_id=second, criado_em=base + dt.timedelta(seconds=3), credencial_id=12),
            make_entry(captura_id=second, criado_em=base + dt.timedelta(seconds=4), status="error", erro="HTTP 500"),
        ]
        store.append_many(entries)
        ids = [e.raw_log_id for e in entries]

        def listed(**filters: Any) -> list[str]:
            return [r.raw_log_id for r in store.list(FiltroRawLog(**filters))]

        assert [r.raw_log_id for r in store.list()] == ids[::-1]
        assert listed(captura_log_id=first) == ids[2::-1]
        assert listed(tipo_captura="pendentes") == [ids[1]]
        assert listed(tribunal="TRT5", grau="segundo_grau") == [ids[2]]
        assert listed(credencial_id=12) == [ids[3]]
        assert listed(status="error") == [ids[4]]
        assert listed(desde=base + dt.timedelta(seconds=3)) == [ids[4], ids[3]]
        assert [r.raw_log_id for r in store.list(limit=2, offset=1)] == [ids[3], ids[2]]
        assert listed(captura_log_id=first, tipo_captura="audiencias") == []

    def test_mark_processed(self, store: RawLogStore) -> None:
        """Marking records the processing result; an error sets status error with its message."""
        ok, bad = make_entry(), make_entry()
        store.append_many([ok, bad])
        assert {r.raw_log_id for r in store.list(FiltroRawLog(processado=False))} == {ok.raw_log_id, bad.raw_log_id}
        assert store.list(FiltroRawLog(processado=True)) == []
        assert store.mark_processed(ok.raw_log_id, {"inseridos": 3, "atualizados": 0}) is True
        assert store.mark_processed(bad.raw_log_id, erro="RESPOSTA_INVALIDA: resultado ausente") is True
        assert store.mark_processed("00000000-0000-0000-0000-000000000000") is False
        got_ok, got_bad = store.get(ok.raw_log_id), store.get(bad.raw_log_id)
        assert got_ok is not None
        assert got_bad is not None
        assert got_ok.resultado_processado == {"inseridos": 3, "atualizados": 0}
        assert got_ok.processado is True
        assert got_ok.status == "success"
        assert (got_bad.status, got_bad.erro, got_bad.processado) == (
            "error",
            "RESPOSTA_INVALIDA: resultado ausente",
            True,
        )
        assert got_ok.atualizado_em >= got_ok.criado_em
        assert [r.raw_log_id for r in store.list(FiltroRawLog(processado=False))] == []
        assert {r.raw_log_id for r in store.list(FiltroRawLog(processado=True))} == {ok.raw_log_id, bad.raw_log_id}

    def test_payload_kinds(self, store: RawLogStore) -> None:
        """Lists, nested objects, unicode and nulls in payloads survive the round trip."""
        payload = [{"quantidadeProcessos": 46, "nomeAgrupamentoTarefa": "Pendentes de Manifestação", "x": None}]
        entry = make_entry(payload_bruto=payload, requisicao={"path": "/t", "params": {}})
        store.append(entry)
        got = store.get(entry.raw_log_id)
        assert got is not None
        assert got.payload_bruto == payload
