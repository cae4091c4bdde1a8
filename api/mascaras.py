"""Documents of parties out of API answers: any CPF or CNPJ in a text is masked, a document field masked whole.

Used on what recovery answers (element contexts, names, errors, case data): those texts come from PJE pages and
from parsers' messages, so they are masked rather than trusted to hold no document. Masked forms keep the first
and last digits (``390.***.***-05``, ``11.***.***/****-81``), as the lawyer's CPF is shown to non-admins.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["sem_documentos"]

_CNPJ = re.compile(r"(?<!\d)(\d{2})\.?\d{3}\.?\d{3}/?\d{4}-?(\d{2})(?!\d)")
_CPF = re.compile(r"(?<!\d)(\d{3})\.?\d{3}\.?\d{3}-?(\d{2})(?!\d)")
#: Keys whose value is a document whatever its form.
_CHAVES = frozenset({"cpf", "cnpj", "documento", "numerodocumento", "numero_documento", "documentoprincipal"})
#: Keys that hold our own ids (raw-log ids may be long hexadecimal or numeric text): left as they are.
_IDS = frozenset({"id", "rawLogId"})


def _texto(value: str) -> str:
    return _CPF.sub(r"\1.***.***-\2", _CNPJ.sub(r"\1.***.***/****-\2", value))


def sem_documentos(value: Any, chave: str | None = None) -> Any:
    """``value`` (JSON-like) with every CPF/CNPJ masked; dict keys in :data:`_IDS` are left alone."""
    if isinstance(value, dict):
        return {k: v if k in _IDS else sem_documentos(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [sem_documentos(v, chave) for v in value]
    if chave is not None and chave.lower() in _CHAVES and value is not None:
        return "***" if not isinstance(value, str) else _texto(value) if _texto(value) != value else "***"
    if isinstance(value, str):
        return _texto(value)
    return value
