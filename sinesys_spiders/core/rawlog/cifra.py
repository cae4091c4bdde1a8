"""Raw-log payloads encrypted at rest (DESIGN.md §8): parties' CPFs never sit in clear in the raw log.

A payload is stored as one blob of :class:`~sinesys_spiders.core.crypto.Cipher` (AES-256-GCM, the key of the
credentials) bound to its entry by the associated data ``rawlog_aad(raw_log_id)``, so a blob copied onto
another entry does not decrypt. The plaintext is one codec byte and the payload as compact ASCII JSON::

    0x00 | JSON                   payloads zlib does not shrink (a few bytes)
    0x01 | zlib(JSON, level 3)    everything else: a 50 KB list page becomes about 7 KB

Entries written before migration 0003 keep their payload in clear in the legacy column/field
``payload_bruto``; the stores read both, and :func:`reseal` (run by ``sinesys db encrypt-rawlog`` and
``sinesys credenciais rotate-key``) moves legacy payloads and payloads under an old key to the current key.
"""

from __future__ import annotations

import dataclasses
import json
import zlib
from typing import Any, Literal

from sinesys_spiders.core.crypto import Cipher, rawlog_aad
from sinesys_spiders.core.errors import ChaveInvalida

__all__ = ["ZLIB_LEVEL", "ReencryptionProgress", "open_payload", "read_payload", "reseal", "seal_payload"]

#: zlib level of stored payloads: levels 1-3 cost the same (~0.1 ms per 50 KB page), 6 costs 3x for 12 % less.
ZLIB_LEVEL = 3

_JSON = 0x00
_ZLIB = 0x01


def _what(raw_log_id: str) -> str:
    return f"o payload da página {raw_log_id} do log bruto"


def seal_payload(cipher: Cipher, raw_log_id: str, payload: Any) -> bytes | None:
    """The stored blob of ``payload`` for the entry ``raw_log_id`` (``None`` stays ``None``)."""
    if payload is None:
        return None
    data = json.dumps(payload, separators=(",", ":")).encode("ascii")  # escaped non-ASCII: the fast path
    packed = zlib.compress(data, ZLIB_LEVEL)
    plaintext = b"\x01" + packed if len(packed) < len(data) else b"\x00" + data
    return cipher.encrypt(plaintext, aad=rawlog_aad(raw_log_id))


def open_payload(cipher: Cipher, raw_log_id: str, blob: bytes) -> Any:
    """The payload sealed in ``blob``; ``ChaveInvalida`` (naming the entry) for a wrong key or a misplaced blob."""
    plaintext = cipher.decrypt(blob, aad=rawlog_aad(raw_log_id), what=_what(raw_log_id))
    codec, body = plaintext[0], memoryview(plaintext)[1:]
    if codec == _ZLIB:
        return json.loads(zlib.decompress(body))
    if codec == _JSON:
        return json.loads(bytes(body))
    raise ChaveInvalida(f"{_what(raw_log_id)} usa um formato desconhecido ({codec}); atualize o Sinesys")


def read_payload(cipher: Cipher, raw_log_id: str, cifrado: bytes | None, legado: Any) -> Any:
    """The payload of a stored entry: its blob decrypted, or the legacy clear value when it has no blob."""
    if cifrado is None:
        return legado
    return open_payload(cipher, raw_log_id, cifrado)


Resultado = Literal["atual", "legado", "recifrada", "ilegivel"]


def reseal(
    old: Cipher, new: Cipher, raw_log_id: str, cifrado: bytes | None, legado: Any
) -> tuple[Resultado, bytes | None]:
    """What one entry needs to be under ``new``, and its new blob (``None`` when nothing is to be written).

    ``atual``: nothing to do (already under ``new``, or no payload). ``legado``: a clear legacy payload,
    sealed now. ``recifrada``: decrypted with ``old`` and encrypted with ``new`` (the plaintext is moved
    as is, without parsing). ``ilegivel``: ``old`` cannot decrypt it (another key, or a blob moved from
    another entry); it must be left as it is, so nothing readable is ever lost.
    """
    if cifrado is None:
        if legado is None:
            return "atual", None
        return "legado", seal_payload(new, raw_log_id, legado)
    if new.owns(cifrado):
        return "atual", None
    aad = rawlog_aad(raw_log_id)
    try:
        plaintext = old.decrypt(cifrado, aad=aad, what=_what(raw_log_id))
    except ChaveInvalida:
        return "ilegivel", None
    return "recifrada", new.encrypt(plaintext, aad=aad)


@dataclasses.dataclass(frozen=True, slots=True)
class ReencryptionProgress:
    """Where a re-encryption of the raw log stands (cumulative; reported after each committed batch)."""

    lidas: int = 0
    recifradas: int = 0
    legado: int = 0
    ilegiveis: int = 0

    @property
    def escritas(self) -> int:
        """Entries written under the new key so far (readable only with it)."""
        return self.recifradas + self.legado

    def plus(self, resultados: list[Resultado]) -> ReencryptionProgress:
        """This progress after one more batch whose entries gave ``resultados``."""
        return ReencryptionProgress(
            lidas=self.lidas + len(resultados),
            recifradas=self.recifradas + resultados.count("recifrada"),
            legado=self.legado + resultados.count("legado"),
            ilegiveis=self.ilegiveis + resultados.count("ilegivel"),
        )
