"""The contract every raw-log back end passes (``sinesys_spiders.core.rawlog.RawLogStore``).

Subclass :class:`RawLogStoreContract` in a test module and provide the fixtures that reach your storage
(and, if your back end checks them, ``captura_ids``: two ids of existing capture-log rows)::

    from sinesys_spiders.testing.rawlog_contract import RawLogStoreContract

    class TestMyRawLog(RawLogStoreContract):
        @pytest.fixture
        def store_factory(self, my_storage):
            return lambda cipher: MyRawLogStore(my_storage, cipher=cipher)  # same storage every call

        @pytest.fixture
        def stored_bytes(self, my_storage):
            return lambda raw_log_id: ...  # every byte your storage holds for that entry

        @pytest.fixture
        def copy_stored_payload(self, my_storage):
            return lambda source, target: ...  # the stored payload of entry `source` put on entry `target`

        @pytest.fixture
        def write_legacy(self, my_storage):
            return lambda entry: ...  # `entry` stored as before encryption: clear `payload_bruto`

Every test then runs against your back end: the same behaviour as the SQL and MongoDB stores, including
encryption at rest (DESIGN.md §8): the stored bytes never hold the payload in clear (checked with a
canary CPF), a payload moved to another entry does not decrypt, a key rotation keeps every entry readable.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.errors import ChaveInvalida
from sinesys_spiders.core.items import PaginaBruta
from sinesys_spiders.core.rawlog.base import FiltroRawLog, RawLogDuplicado, RawLogStore
from sinesys_spiders.testing.canary import CANARY_CPF, CANARY_CPF_FORMATADO, find_canaries

__all__ = ["RawLogStoreContract", "make_entry", "partes_payload"]

UTC = dt.UTC

StoreFactory = Callable[[Cipher], RawLogStore]


def make_entry(**extra: Any) -> PaginaBruta:
    """A realistic raw page: an acervo page of TRT3 1º grau with one case."""
    fields: dict[str, Any] = {
        "tipo_captura": TipoCaptura.ACERVO_GERAL,
        "tribunal": Tribunal("TRT3"),
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


def partes_payload() -> dict[str, Any]:
    """A ``partes`` page as PJE sends it: a party with the canary CPF (digits and formatted), unicode, numbers."""
    return {
        "ATIVO": [
            {
                "id": 18891487,
                "nome": "JOSÉ DA CANÁRIO ÇÃO  ",
                "documento": CANARY_CPF_FORMATADO,
                "tipoDocumento": "CPF",
                "cpf": CANARY_CPF,
                "principal": True,
                "valorCausa": 12345.67,
                "emails": [],
                "dddComercial": None,
            }
        ],
        "PASSIVO": [
            {"id": 18891488, "nome": "EMPRESA S/A", "documento": "11.222.333/0001-81", "tipoDocumento": "CNPJ"}
        ],
        "TERCEIROS": [],
    }


def _partes_entry(**extra: Any) -> PaginaBruta:
    return make_entry(
        tipo_captura=TipoCaptura.PARTES,
        requisicao={"path": "/pje-comum-api/api/processos/id/2345678/partes", "params": {}},
        payload_bruto=partes_payload(),
        **extra,
    )


class RawLogStoreContract:
    """Behaviour shared by every raw-log back end. Provide the storage fixtures (and maybe ``captura_ids``)."""

    @pytest.fixture
    def rawlog_cipher(self) -> Cipher:
        """The key the ``store`` fixture seals payloads with (a fresh one per test)."""
        return Cipher.from_text(generate_key())

    @pytest.fixture
    def store_factory(self) -> StoreFactory:
        raise NotImplementedError("provide a `store_factory` fixture: cipher -> store on the same storage")

    @pytest.fixture
    def stored_bytes(self) -> Callable[[str], bytes]:
        raise NotImplementedError("provide a `stored_bytes` fixture: raw_log_id -> every stored byte of the entry")

    @pytest.fixture
    def copy_stored_payload(self) -> Callable[[str, str], None]:
        raise NotImplementedError("provide a `copy_stored_payload` fixture: (source id, target id) -> None")

    @pytest.fixture
    def write_legacy(self) -> Callable[[PaginaBruta], None]:
        raise NotImplementedError("provide a `write_legacy` fixture: entry -> stored with a clear payload_bruto")

    @pytest.fixture
    def store(self, store_factory: StoreFactory, rawlog_cipher: Cipher) -> RawLogStore:
        """The back end under test, sealing with ``rawlog_cipher``."""
        return store_factory(rawlog_cipher)

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
        assert listed(antes=base + dt.timedelta(seconds=1)) == [ids[0]]
        assert listed(desde=base + dt.timedelta(seconds=1), antes=base + dt.timedelta(seconds=3)) == [ids[2], ids[1]]
        assert store.count() == 5
        assert store.count(FiltroRawLog(captura_log_id=first)) == 3
        assert store.count(FiltroRawLog(status="error", desde=base)) == 1
        assert store.count(FiltroRawLog(antes=base)) == 0
        assert [r.raw_log_id for r in store.list(limit=2, offset=1)] == [ids[3], ids[2]]
        assert listed(captura_log_id=first, tipo_captura="audiencias") == []

    def test_mark_processed_many(self, store: RawLogStore) -> None:
        """Many pages marked at once (the end of a crawl): each gets its own result; unknown ids are not counted."""
        entries = [make_entry() for _ in range(3)]
        store.append_many(entries)
        resultados = {e.raw_log_id: {"inseridos": n, "erros": 0} for n, e in enumerate(entries[:2])}
        resultados["00000000-0000-0000-0000-000000000000"] = {"inseridos": 9}
        assert store.mark_processed_many(resultados) == 2
        assert store.mark_processed_many({}) == 0
        for n, entry in enumerate(entries[:2]):
            got = store.get(entry.raw_log_id)
            assert got is not None
            assert got.resultado_processado == {"inseridos": n, "erros": 0}
        assert [r.raw_log_id for r in store.list(FiltroRawLog(processado=False))] == [entries[2].raw_log_id]

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

    # -- encryption at rest (DESIGN.md §8) ----------------------------------------------------------

    def test_stored_bytes_hold_no_clear_payload(self, store: RawLogStore, stored_bytes: Callable[[str], bytes]) -> None:
        """A partes page with a party's CPF: no stored byte holds the CPF (digits or formatted) nor the party's name."""
        entry = _partes_entry()
        store.append(entry)
        raw = stored_bytes(entry.raw_log_id)
        assert entry.raw_log_id.encode() in raw  # the hook does reach the entry
        assert find_canaries(raw) == []
        assert "CANÁRIO".encode() not in raw
        batch = [_partes_entry() for _ in range(3)]
        store.append_many(batch)
        assert all(find_canaries(stored_bytes(e.raw_log_id)) == [] for e in batch)

    def test_get_and_list_return_the_payload_exactly(self, store: RawLogStore) -> None:
        """The decrypted payload equals what PJE sent, key order, spaces, unicode and numbers included."""
        entry = _partes_entry()
        store.append(entry)
        got = store.get(entry.raw_log_id)
        assert got is not None
        assert got.payload_ilegivel is None
        sent = json.dumps(entry.payload_bruto, ensure_ascii=False)
        assert json.dumps(got.payload_bruto, ensure_ascii=False) == sent
        [listed] = store.list()
        assert json.dumps(listed.payload_bruto, ensure_ascii=False) == sent
        assert listed.payload_ilegivel is None

    def test_an_entry_without_payload_stays_without(self, store: RawLogStore) -> None:
        """An error page with no payload comes back with payload None (and is not 'unreadable')."""
        entry = make_entry(status="error", erro="HTTP 500", payload_bruto=None)
        store.append(entry)
        got = store.get(entry.raw_log_id)
        assert got is not None
        assert (got.payload_bruto, got.payload_ilegivel) == (None, None)

    def test_a_payload_copied_onto_another_entry_does_not_decrypt(
        self, store: RawLogStore, copy_stored_payload: Callable[[str, str], None]
    ) -> None:
        """get() of the target raises ChaveInvalida naming it; list() still returns every entry, the target marked."""
        source, target, other = _partes_entry(), make_entry(), make_entry()
        store.append_many([source, target, other])
        copy_stored_payload(source.raw_log_id, target.raw_log_id)

        with pytest.raises(ChaveInvalida, match="não confere") as excinfo:
            store.get(target.raw_log_id)
        assert target.raw_log_id in str(excinfo.value)
        assert find_canaries(str(excinfo.value)) == []
        listed = {r.raw_log_id: r for r in store.list()}
        assert set(listed) == {source.raw_log_id, target.raw_log_id, other.raw_log_id}
        assert listed[target.raw_log_id].payload_bruto is None
        assert "não confere" in (listed[target.raw_log_id].payload_ilegivel or "")
        assert listed[source.raw_log_id].payload_bruto == source.payload_bruto
        assert listed[other.raw_log_id].payload_bruto == other.payload_bruto
        got = store.get(source.raw_log_id)
        assert got is not None
        assert got.payload_bruto == source.payload_bruto

    def test_another_key_does_not_read_the_payloads(self, store: RawLogStore, store_factory: StoreFactory) -> None:
        """A store opened with another key names the key mismatch instead of returning anything."""
        entry = _partes_entry()
        store.append(entry)
        with pytest.raises(ChaveInvalida, match="chave"):
            store_factory(Cipher.from_text(generate_key())).get(entry.raw_log_id)

    def test_rotation_keeps_every_entry_readable(
        self,
        store: RawLogStore,
        store_factory: StoreFactory,
        rawlog_cipher: Cipher,
        stored_bytes: Callable[[str], bytes],
        copy_stored_payload: Callable[[str, str], None],
    ) -> None:
        """reencrypt(old, new) in batches: every entry reads with the new key only; a moved blob is left as it is."""
        entries = [_partes_entry() for _ in range(4)] + [make_entry(payload_bruto=None), make_entry()]
        store.append_many(entries)
        copy_stored_payload(entries[0].raw_log_id, entries[-1].raw_log_id)  # unreadable before the rotation
        new = Cipher.from_text(generate_key())

        progress = list(store.reencrypt(rawlog_cipher, new, batch_size=4))

        assert [p.lidas for p in progress] == [4, 6]
        final = progress[-1]
        assert (final.recifradas, final.legado, final.ilegiveis) == (4, 0, 1)
        rotated = store_factory(new)
        for entry in entries[:-1]:
            got = rotated.get(entry.raw_log_id)
            assert got is not None
            assert got.payload_bruto == entry.payload_bruto
            assert find_canaries(stored_bytes(entry.raw_log_id)) == []
        with pytest.raises(ChaveInvalida):
            store.get(entries[0].raw_log_id)  # the old key reads nothing any more
        again = list(rotated.reencrypt(rawlog_cipher, new))[-1]
        assert (again.lidas, again.recifradas, again.ilegiveis) == (6, 0, 1)

    def test_legacy_clear_entries_are_read_then_encrypted(
        self,
        store: RawLogStore,
        rawlog_cipher: Cipher,
        stored_bytes: Callable[[str], bytes],
        write_legacy: Callable[[PaginaBruta], None],
    ) -> None:
        """An entry written before encryption reads as is; reencrypt(key, key) seals it and leaves the others."""
        legacy, current = _partes_entry(), make_entry()
        write_legacy(legacy)
        store.append(current)
        assert find_canaries(stored_bytes(legacy.raw_log_id)) != []  # the legacy entry is in clear
        got = store.get(legacy.raw_log_id)
        assert got is not None
        assert got.payload_bruto == legacy.payload_bruto

        [progress] = list(store.reencrypt(rawlog_cipher, rawlog_cipher))

        assert (progress.lidas, progress.legado, progress.recifradas, progress.ilegiveis) == (2, 1, 0, 0)
        assert find_canaries(stored_bytes(legacy.raw_log_id)) == []
        for entry in (legacy, current):
            got = store.get(entry.raw_log_id)
            assert got is not None
            assert got.payload_bruto == entry.payload_bruto
        assert list(store.reencrypt(rawlog_cipher, rawlog_cipher))[-1].legado == 0
