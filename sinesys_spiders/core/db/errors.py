"""Read driver errors the same way on SQLite and PostgreSQL: the database edge of ``core.errors``.

``is_unique_violation`` says a natural key refused a duplicate (safe to treat as "already there"
in an idempotent upsert); ``is_transient`` says retrying the transaction may succeed (locked
SQLite file, PostgreSQL deadlock or serialization failure, lost connection); ``to_sinesys_error``
turns a driver error into a project error whose message names no value (only the constraint).
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from sinesys_spiders.core.errors import PermanentError, SinesysError, TransientError

__all__ = ["BancoIndisponivel", "ViolacaoDeChave", "is_transient", "is_unique_violation", "to_sinesys_error"]

_PG_UNIQUE = "23505"
_PG_TRANSIENT = {"40001", "40P01", "55P03", "57P01", "57P02", "57P03"}
_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "disk i/o error")


class BancoIndisponivel(TransientError):
    """O banco de dados está ocupado ou inacessível; tente de novo."""

    code = "BANCO_INDISPONIVEL"


class ViolacaoDeChave(PermanentError):
    """O registro já existe (chave única)."""

    code = "VIOLACAO_DE_CHAVE"


def _sqlstate(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def _constraint(exc: BaseException) -> str | None:
    orig = getattr(exc, "orig", None)
    diag = getattr(orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    text = str(orig or exc)
    marker = "UNIQUE constraint failed: "
    if marker in text:
        return text.split(marker, 1)[1].splitlines()[0].strip()
    return None


def is_unique_violation(exc: BaseException) -> bool:
    """Whether ``exc`` is a unique-key (or primary-key) violation, on either back end."""
    if not isinstance(exc, IntegrityError):
        return False
    state = _sqlstate(exc)
    if state is not None:
        return state == _PG_UNIQUE
    return "UNIQUE constraint failed" in str(exc.orig)


def is_transient(exc: BaseException) -> bool:
    """Whether retrying the whole transaction may succeed."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    state = _sqlstate(exc)
    if state is not None:
        return state in _PG_TRANSIENT or state.startswith("08")
    if not isinstance(exc, OperationalError):
        return False
    if type(exc.orig).__module__.startswith("psycopg"):
        return True  # no SQLSTATE: the connection itself failed (refused, reset, timed out)
    message = str(exc.orig).lower()
    return any(text in message for text in _SQLITE_TRANSIENT)


def to_sinesys_error(exc: BaseException) -> SinesysError | None:
    """The project error for a driver error, or ``None`` when it is neither a duplicate nor transient.

    The message names the constraint (never the values, which may be personal data).
    """
    if is_unique_violation(exc):
        constraint = _constraint(exc)
        return ViolacaoDeChave(f"registro já existe ({constraint})" if constraint else None)
    if is_transient(exc):
        return BancoIndisponivel()
    return None
