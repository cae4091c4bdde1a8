"""Validation of what a user types: CPF, CNPJ, OAB, URLs; and the CPF mask for display and logs.

Every validator returns the normalized value or raises
:class:`~sinesys_spiders.core.errors.EntradaInvalida` (also a ``ValueError``) with a message that
says what is wrong without repeating the value when it is personal data (a full CPF never appears
in a message).
"""

from __future__ import annotations

import ipaddress
import re
from typing import TypedDict
from urllib.parse import urlsplit

from sinesys_spiders.core.errors import EntradaInvalida
from sinesys_spiders.core.logsafe import ecoar

__all__ = [
    "UFS",
    "Oab",
    "is_loopback_host",
    "mask_cpf",
    "validate_cnpj",
    "validate_cpf",
    "validate_oab",
    "validate_tribunal_url",
    "validate_url",
]

#: The 27 federative units (26 states and the Distrito Federal).
UFS: frozenset[str] = frozenset({
    "AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA",
    "PB", "PR", "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO",
})  # fmt: skip

_CPF_FORMATTED = re.compile(r"^\d{3}\.?\d{3}\.?\d{3}-?\d{2}$")
_CNPJ_FORMATTED = re.compile(r"^\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}$")
_OAB_UF_FIRST = re.compile(r"^([A-Z]{2})[\s/-]*(\d{1,7}[A-Z]?)$")
_OAB_UF_LAST = re.compile(r"^(\d{1,7}[A-Z]?)[\s/-]*([A-Z]{2})$")


class Oab(TypedDict):
    """An OAB registration as stored in ``advogados.oabs``."""

    numero: str
    uf: str


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _cpf_check_digit(digits: str) -> int:
    weight = len(digits) + 1
    total = sum(int(d) * (weight - i) for i, d in enumerate(digits))
    rest = total * 10 % 11
    return 0 if rest == 10 else rest


def validate_cpf(value: str) -> str:
    """Accept ``123.456.789-09`` or ``12345678909``; return the 11 digits.

    Rejects a wrong length, wrong check digits and repeated digits (``111.111.111-11``).
    """
    text = (value or "").strip()
    if not _CPF_FORMATTED.match(text):
        raise EntradaInvalida("CPF inválido: use 11 dígitos, com ou sem pontuação (000.000.000-00)")
    digits = _digits(text)
    if len(set(digits)) == 1:
        raise EntradaInvalida("CPF inválido: dígitos todos iguais")
    if _cpf_check_digit(digits[:9]) != int(digits[9]) or _cpf_check_digit(digits[:10]) != int(digits[10]):
        raise EntradaInvalida("CPF inválido: dígitos verificadores não conferem")
    return digits


def _cnpj_check_digit(digits: str) -> int:
    weights = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][-len(digits) :]
    rest = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return 0 if rest < 2 else 11 - rest


def validate_cnpj(value: str) -> str:
    """Accept ``11.222.333/0001-81`` or ``11222333000181``; return the 14 digits."""
    text = (value or "").strip()
    if not _CNPJ_FORMATTED.match(text):
        raise EntradaInvalida("CNPJ inválido: use 14 dígitos, com ou sem pontuação (00.000.000/0000-00)")
    digits = _digits(text)
    if len(set(digits)) == 1:
        raise EntradaInvalida("CNPJ inválido: dígitos todos iguais")
    if _cnpj_check_digit(digits[:12]) != int(digits[12]) or _cnpj_check_digit(digits[:13]) != int(digits[13]):
        raise EntradaInvalida("CNPJ inválido: dígitos verificadores não conferem")
    return digits


def validate_oab(value: str) -> Oab:
    """Read ``MG123456`` (also ``MG 123456``, ``123456/MG``); return ``{"numero": "123456", "uf": "MG"}``."""
    text = (value or "").strip().upper()
    if match := _OAB_UF_FIRST.match(text):
        uf, numero = match.groups()
    elif match := _OAB_UF_LAST.match(text):
        numero, uf = match.groups()
    else:
        raise EntradaInvalida(f"OAB inválida: {ecoar(value)} (use UF seguida do número, ex.: MG123456)")
    if uf not in UFS:
        raise EntradaInvalida(f"OAB inválida: UF desconhecida {ecoar(uf)} (use uma das 27 UFs, ex.: MG, SP, DF)")
    if not numero.lstrip("0") or not numero.lstrip("0")[0].isdigit():
        raise EntradaInvalida(f"OAB inválida: número {ecoar(numero)}")
    return Oab(numero=numero, uf=uf)


def mask_cpf(value: str | None) -> str:
    """``12345678901`` -> ``123.***.***-01``: the only form of a CPF fit for display and logs.

    Anything that is not 11 digits is masked whole (``***``), so a malformed value never leaks.
    """
    digits = _digits(value or "")
    if len(digits) != 11:
        return "***"
    return f"{digits[:3]}.***.***-{digits[9:]}"


def validate_url(value: str, *, field: str = "URL") -> str:
    """An ``http``/``https`` URL with a host and no user or password; returned without trailing ``/``."""
    text = (value or "").strip()
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises ValueError on a bad port
    except ValueError:
        raise EntradaInvalida(f"{field} inválida: não é uma URL") from None
    if parts.scheme not in ("http", "https"):
        raise EntradaInvalida(f"{field} inválida: use http:// ou https:// (ex.: https://pje.trt3.jus.br)")
    if not parts.hostname:
        raise EntradaInvalida(f"{field} inválida: falta o host (ex.: https://pje.trt3.jus.br)")
    if parts.username is not None or parts.password is not None:
        raise EntradaInvalida(f"{field} inválida: não inclua usuário ou senha na URL")
    if any(ch.isspace() for ch in text):
        raise EntradaInvalida(f"{field} inválida: contém espaços")
    return text.rstrip("/")


def is_loopback_host(host: str | None) -> bool:
    """``localhost`` or a loopback IP address (127.0.0.0/8, ::1): traffic that never leaves the machine."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_tribunal_url(value: str, *, field: str = "base_url", allow_http: bool = False) -> str:
    """:func:`validate_url` for where a tribunal or its SSO is reached: no query or fragment, and
    ``https`` unless the host is loopback (the sandbox) or ``allow_http`` (``SINESYS_ALLOW_INSECURE_HTTP``)."""
    text = validate_url(value, field=field)
    parts = urlsplit(text)
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise EntradaInvalida(f"{field} inválida: não inclua consulta (?) nem fragmento (#) na URL")
    if parts.scheme == "http" and not allow_http and not is_loopback_host(parts.hostname):
        raise EntradaInvalida(
            f"{field} inválida: http:// só é aceito para endereços locais (127.0.0.1); use https:// "
            "ou defina SINESYS_ALLOW_INSECURE_HTTP=1"
        )
    return text
