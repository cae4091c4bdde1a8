"""Re-encrypting the raw log from the command line (``sinesys db encrypt-rawlog``, ``credenciais rotate-key``)."""

from __future__ import annotations

import time

import click

from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.crypto import Cipher
from sinesys_spiders.core.rawlog import ReencryptionProgress, open_rawlog_store

__all__ = ["RawLogReencryption"]

#: Seconds between two progress lines on stderr.
_PROGRESS_EVERY = 10.0


class RawLogReencryption:
    """One pass of ``RawLogStore.reencrypt`` over the configured raw log, with progress on stderr.

    ``progress`` holds what was committed so far, also after an interruption, so a caller knows whether
    entries are already under the new key.
    """

    def __init__(self, settings: Settings, old: Cipher, new: Cipher, *, batch_size: int = 200) -> None:
        self._settings, self._old, self._new, self._batch_size = settings, old, new, batch_size
        self.progress = ReencryptionProgress()
        self.seconds = 0.0

    def run(self) -> ReencryptionProgress:
        store = open_rawlog_store(self._settings, cipher=self._new)
        start = shown = time.perf_counter()
        try:
            for progress in store.reencrypt(self._old, self._new, batch_size=self._batch_size):
                self.progress = progress
                now = time.perf_counter()
                if now - shown >= _PROGRESS_EVERY:
                    click.echo(f"log bruto: {self.progress.lidas} páginas lidas...", err=True)
                    shown = now
        finally:
            self.seconds = time.perf_counter() - start
            store.close()
        return self.progress

    def summary(self) -> str:
        """One line: what was read and written, and the rate."""
        p = self.progress
        rate = p.lidas / self.seconds if self.seconds > 0 else 0.0
        return (
            f"log bruto: {p.lidas} páginas lidas, {p.recifradas} re-cifradas, {p.legado} legadas cifradas "
            f"({rate:.0f} páginas/s)"
        )

    def warning(self) -> str | None:
        """A line about the entries left as they were, or ``None``."""
        if not self.progress.ilegiveis:
            return None
        return (
            f"aviso: {self.progress.ilegiveis} página(s) do log bruto não decifram com a chave atual (outra chave, "
            "ou payload movido de outra página) e ficaram como estavam; os ids estão no log (WARNING)"
        )
