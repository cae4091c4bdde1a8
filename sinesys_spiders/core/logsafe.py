"""Values from a tribunal or a user never forge a log line or drive a terminal (issue 17, item 6).

:func:`install` wraps the log record factory so that every argument interpolated into a message (``%s``
values: an ``id_externo``, a party's field, a tribunal's error text) has its control characters escaped:
``"1\\nERROR forged"`` is written as ``1\\\\nERROR forged`` on the same line. The message's own format string
(the code's text) and tracebacks are left as they are. :func:`limpar` does the same for text printed to
a terminal (the history's messages), so an ANSI escape stored by a tribunal is shown, not executed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["ecoar", "escapar", "install", "limpar"]

#: C0 and C1 control characters and DEL (tab excepted in :func:`limpar`), and the Unicode line separators.
_CONTROLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SEGUROS = (int, float, bool, type(None))


def escapar(texto: str) -> str:
    """``texto`` with every control character written as an escape (``\\n``, ``\\x1b``), on one line."""
    return _CONTROLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), texto)


def limpar(texto: str) -> str:
    """For a terminal: control characters escaped (tabs kept), so nothing stored can move the cursor."""
    return "\t".join(escapar(parte) for parte in str(texto).split("\t"))


#: Nine or more digits, with or without dots and dashes: possibly a CPF typed in the wrong field.
_DIGITOS = re.compile(r"\d[\d.\-/ ]{7,}\d")


def ecoar(value: Any, *, limite: int = 40) -> str:
    """A typed value quoted back in an error message: escaped, at most ``limite`` characters, and any run of
    nine or more digits masked (a CPF typed in the wrong field is never echoed)."""
    text = _DIGITOS.sub("***", escapar(str(value)))
    if len(text) > limite:
        text = text[: limite - 1] + "…"
    return repr(text)


def _arg(value: Any) -> Any:
    if isinstance(value, _SEGUROS):
        return value
    try:
        text = str(value)
    except Exception:  # an object whose str fails is left to logging's own error handling
        return value
    return escapar(text) if _CONTROLE.search(text) else value


_original: Callable[..., logging.LogRecord] | None = None


def install() -> None:
    """Escape control characters in every log record's arguments (idempotent)."""
    global _original
    if _original is not None:
        return
    _original = original = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = original(*args, **kwargs)
        if record.args:
            if isinstance(record.args, Mapping):
                record.args = {k: _arg(v) for k, v in record.args.items()}
            else:
                record.args = tuple(_arg(v) for v in record.args)
        return record

    logging.setLogRecordFactory(factory)
