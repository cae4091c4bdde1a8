"""The raw-log contract: one entry per page fetched from a tribunal, replayable without calling it again.

A store has six operations (``append``, ``append_many``, ``get``, ``list``, ``count``, ``mark_processed``) plus
``reencrypt`` (key rotation, legacy pages) and ``close``; :class:`RawLogStore` is the Protocol,
:class:`RegistroBruto` what a store returns and :class:`FiltroRawLog` what ``list`` accepts. Entries are written as
:class:`~sinesys_spiders.core.items.PaginaBruta` (their ``raw_log_id`` is chosen before writing, so
items can point to their page at once). ``criado_em`` is kept to the millisecond on every back end.

Payloads are encrypted at rest (:mod:`sinesys_spiders.core.rawlog.cifra`): a store is given the
:class:`~sinesys_spiders.core.crypto.Cipher` of the configured key, writes only the sealed blob
(``payload_cifrado``) and decrypts on reading, so ``RegistroBruto.payload_bruto`` is the payload as PJE
sent it. An entry whose blob does not decrypt (a wrong key, or a blob moved from another entry) makes
``get`` raise :class:`~sinesys_spiders.core.errors.ChaveInvalida` naming the entry; ``list`` still
returns it, with ``payload_bruto=None`` and the reason in ``payload_ilegivel``, so one bad page never
hides the others (and a WARNING names the ids).

The contract test suite every back end passes is ``sinesys_spiders.testing.rawlog_contract``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal, Protocol, runtime_checkable

from sinesys_spiders.core.crypto import Cipher
from sinesys_spiders.core.errors import ChaveInvalida
from sinesys_spiders.core.items import PaginaBruta
from sinesys_spiders.core.rawlog.cifra import ReencryptionProgress, read_payload, seal_payload
from sinesys_spiders.core.timeutil import UTC

__all__ = [
    "FiltroRawLog",
    "RawLogDuplicado",
    "RawLogStore",
    "ReencryptionProgress",
    "RegistroBruto",
    "campos_registro",
    "payload_lido",
    "truncate_ms",
    "warn_ilegiveis",
]

logger = logging.getLogger(__name__)


def truncate_ms(value: dt.datetime) -> dt.datetime:
    """``value`` in UTC, cut to whole milliseconds (what MongoDB keeps)."""
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def campos_registro(entry: PaginaBruta, cipher: Cipher) -> dict[str, Any]:
    """The stored fields of a new entry, the same on every back end (not processed yet; times to the ms).

    The payload goes only as ``payload_cifrado`` (sealed with ``cipher``); the legacy clear field
    ``payload_bruto`` is never written.
    """
    criado_em = truncate_ms(entry.criado_em)
    return {
        "raw_log_id": entry.raw_log_id,
        "captura_log_id": entry.captura_id,
        "tipo_captura": entry.tipo_captura.value,
        "advogado_id": entry.advogado_id,
        "credencial_id": entry.credencial_id,
        "tribunal": entry.tribunal.value,
        "grau": entry.grau.value,
        "status": entry.status,
        "requisicao": entry.requisicao,
        "payload_cifrado": seal_payload(cipher, entry.raw_log_id, entry.payload_bruto),
        "resultado_processado": None,  # SQL stores JSON 'null' (the column is NOT NULL)
        "erro": entry.erro,
        "criado_em": criado_em,
        "atualizado_em": criado_em,
    }


def payload_lido(
    cipher: Cipher, raw_log_id: str, cifrado: bytes | None, legado: Any, *, strict: bool
) -> tuple[Any, str | None]:
    """An entry's payload and, when it cannot be decrypted and not ``strict``, why (else ``ChaveInvalida``)."""
    try:
        return read_payload(cipher, raw_log_id, cifrado, legado), None
    except ChaveInvalida as exc:
        if strict:
            raise
        return None, str(exc)


def warn_ilegiveis(ids: Sequence[str]) -> None:
    """One WARNING naming the entries whose payload could not be decrypted (their ids, nothing else)."""
    if ids:
        shown = ", ".join(ids[:20]) + (f" e mais {len(ids) - 20}" if len(ids) > 20 else "")
        logger.warning("log bruto: %d página(s) com payload que não decifra com a chave: %s", len(ids), shown)


class RawLogDuplicado(ValueError):
    """An entry with this ``raw_log_id`` is already stored (entries are written once)."""


@dataclasses.dataclass(frozen=True, slots=True)
class RegistroBruto:
    """A stored raw-log entry."""

    raw_log_id: str
    captura_log_id: int | None
    tipo_captura: str
    advogado_id: int | None
    credencial_id: int | None
    tribunal: str | None
    grau: str | None
    status: Literal["success", "error"]
    requisicao: dict[str, Any] | None
    payload_bruto: Any
    resultado_processado: Any
    erro: str | None
    criado_em: dt.datetime
    atualizado_em: dt.datetime
    #: Why ``payload_bruto`` is ``None`` in a ``list`` result: the stored blob did not decrypt.
    payload_ilegivel: str | None = None

    @property
    def processado(self) -> bool:
        return self.resultado_processado is not None


@dataclasses.dataclass(frozen=True, slots=True)
class FiltroRawLog:
    """Filters of :meth:`RawLogStore.list`; ``None`` means any. Results are newest first."""

    captura_log_id: int | None = None
    tipo_captura: str | None = None
    status: Literal["success", "error"] | None = None
    tribunal: str | None = None
    grau: str | None = None
    advogado_id: int | None = None
    credencial_id: int | None = None
    processado: bool | None = None
    desde: dt.datetime | None = None
    #: Entries created before this time (exclusive), e.g. the midnight after a ``data_fim``.
    antes: dt.datetime | None = None

    def equalities(self) -> dict[str, Any]:
        """The plain equality filters, with enum values as text."""
        out = {}
        for name in ("captura_log_id", "tipo_captura", "status", "tribunal", "grau", "advogado_id", "credencial_id"):
            value = getattr(self, name)
            if value is not None:
                out[name] = getattr(value, "value", value)
        return out


@runtime_checkable
class RawLogStore(Protocol):
    """Where raw pages go: the SQL database by default, MongoDB when configured."""

    def append(self, entry: PaginaBruta) -> str:
        """Store one entry; return its ``raw_log_id``. Appending the same id twice raises :class:`RawLogDuplicado`."""
        ...

    def append_many(self, entries: Sequence[PaginaBruta]) -> list[str]:
        """Store several entries at once (one round trip where the back end allows)."""
        ...

    def get(self, raw_log_id: str) -> RegistroBruto | None:
        """The entry of that id (payload decrypted), or ``None``; ``ChaveInvalida`` if its payload does not decrypt."""
        ...

    def list(self, filtro: FiltroRawLog | None = None, *, limit: int = 100, offset: int = 0) -> list[RegistroBruto]:
        """Entries matching ``filtro``, newest first; one whose payload does not decrypt has ``payload_ilegivel``."""
        ...

    def count(self, filtro: FiltroRawLog | None = None) -> int:
        """How many entries match ``filtro`` (nothing is decrypted)."""
        ...

    def mark_processed(self, raw_log_id: str, resultado: Any = None, *, erro: str | None = None) -> bool:
        """Record what processing the entry gave (``resultado``, or ``erro`` and status error).

        Return ``False`` when no entry has that id.
        """
        ...

    def mark_processed_many(self, resultados: Mapping[str, Any]) -> int:
        """:meth:`mark_processed` for many entries (``raw_log_id -> resultado``) at once; how many were found."""
        ...

    def reencrypt(self, old: Cipher, new: Cipher, *, batch_size: int = 200) -> Iterator[ReencryptionProgress]:
        """Bring every payload under ``new``: legacy clear ones and those under ``old``, in batches.

        Streams the entries in storage order, ``batch_size`` at a time, writing each batch before reading
        the next, and yields the cumulative progress after each one. Entries already under ``new`` are
        skipped (an interrupted run can be run again); those ``old`` cannot decrypt are left as they are
        and counted as ``ilegiveis``. ``old`` may be ``new`` (only legacy payloads are then written).
        """
        ...

    def close(self) -> None:
        """Release connections."""
        ...
