"""Canary secrets: fake credentials and a CPF that must never show up in a log, the database or command output.

Tests feed these values through every credential path (service, CLI, import), and the CPF through the
raw log (a party's CPF in a PJE page: stored encrypted, never in clear). The session-scoped,
autouse fixture :func:`canary_log_guard` puts a handler on the root logger (at DEBUG) for the whole
test run and, at the end, fails the run if any log record, formatted message or traceback contained
a canary. Tests that scan bytes (a SQLite file, PostgreSQL columns, a command's output) use
:func:`find_canaries`.

Register with ``pytest_plugins = ["sinesys_spiders.testing.canary"]``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping

import pytest

__all__ = [
    "CANARIES",
    "CANARY_CPF",
    "CANARY_CPF_FORMATADO",
    "CANARY_SENHA",
    "CANARY_SENHA_2",
    "CANARY_TOTP_SECRET",
    "CANARY_TWOFAUTH_TOKEN",
    "CanaryHandler",
    "canary_log_guard",
    "find_canaries",
]

#: A password no real lawyer has.
CANARY_SENHA = "Canary-Senha-9f41c7e2!"
#: A second password, for tests that need two rows with different secrets.
CANARY_SENHA_2 = "Canary-Senha-2b86d0aa?"
#: A valid base32 TOTP secret (pyotp accepts it).
CANARY_TOTP_SECRET = "CANARYTOTPSECRETXKQ7ZB4MWN5LPD2J"  # noqa: S105 - a fake, on purpose
#: A 2FAuth API token.
CANARY_TWOFAUTH_TOKEN = "canary-2fauth-token-5d1e0b37c94a"  # noqa: S105 - a fake, on purpose

#: A party's CPF (valid check digits) as a PJE page carries it: digits, and formatted.
CANARY_CPF = "39053344705"
CANARY_CPF_FORMATADO = "390.533.447-05"

CANARIES: Mapping[str, str] = {
    "CANARY_SENHA": CANARY_SENHA,
    "CANARY_SENHA_2": CANARY_SENHA_2,
    "CANARY_TOTP_SECRET": CANARY_TOTP_SECRET,
    "CANARY_TWOFAUTH_TOKEN": CANARY_TWOFAUTH_TOKEN,
    "CANARY_CPF": CANARY_CPF,
    "CANARY_CPF_FORMATADO": CANARY_CPF_FORMATADO,
}


def find_canaries(data: str | bytes, canaries: Mapping[str, str] = CANARIES) -> list[str]:
    """The names of the canaries that occur in ``data`` (text, or bytes scanned as UTF-8 and UTF-16)."""
    found = []
    for name, value in canaries.items():
        if isinstance(data, bytes):
            hit = any(value.encode(enc) in data for enc in ("utf-8", "utf-16-le", "utf-16-be"))
        else:
            hit = value in data
        if hit:
            found.append(name)
    return found


class CanaryHandler(logging.Handler):
    """Checks every record it sees for canaries; remembers where (never the value)."""

    def __init__(self, canaries: Mapping[str, str] = CANARIES) -> None:
        super().__init__(level=logging.DEBUG)
        self.canaries = dict(canaries)
        self.records_seen = 0
        self.hits: list[str] = []
        self._formatter = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        self.records_seen += 1
        try:
            parts = [record.getMessage()]
        except Exception:  # a broken format string still must not hide a leak
            parts = [str(record.msg), repr(record.args)]
        if record.exc_info:
            parts.append(self._formatter.formatException(record.exc_info))
        if record.exc_text:
            parts.append(record.exc_text)
        if record.stack_info:
            parts.append(record.stack_info)
        for name in find_canaries("\n".join(parts), self.canaries):
            self.hits.append(f"{name} in a record of logger {record.name!r} at {record.pathname}:{record.lineno}")


@pytest.fixture(scope="session", autouse=True)
def canary_log_guard() -> Iterator[CanaryHandler]:
    """Watch every log record of the test session; fail the session if a canary secret was logged."""
    root = logging.getLogger()
    handler = CanaryHandler()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)
    if handler.hits:
        shown = "\n  ".join(sorted(set(handler.hits)))
        pytest.fail(f"canary secrets reached the logs ({len(handler.hits)} records):\n  {shown}", pytrace=False)
