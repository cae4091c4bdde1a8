"""A TOTP secret with its period and number of digits: a bare base32 secret or an ``otpauth://`` URI.

PJE's second factor is RFC 6238 with the defaults (SHA-1, 30-second steps, 6 digits), and a bare
base32 secret means exactly that. Authenticator exports carry the parameters in a key URI
(``otpauth://totp/Label?secret=BASE32&period=30&digits=6``); a credential may store one, and the
login then computes codes with that period and length. The stored form is canonical: the bare
secret when the parameters are the defaults, else ``otpauth://totp/sinesys?secret=...&period=...&digits=...``
(the label and issuer are dropped; they identify nothing the login needs).

Errors name the problem, never the secret.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlsplit

import pyotp

__all__ = ["TOTP_DIGITS", "TOTP_PERIOD", "TotpSpec", "parse_totp"]

#: Seconds per TOTP time step (RFC 6238 default, and PJE's).
TOTP_PERIOD = 30
#: Digits of a code (RFC 6238 default, and PJE's).
TOTP_DIGITS = 6

_PERIOD_RANGE = (1, 300)
_DIGITS_RANGE = (6, 8)
_URI_PARAMS = frozenset({"secret", "period", "digits", "algorithm", "issuer", "image"})


@dataclasses.dataclass(frozen=True, slots=True)
class TotpSpec:
    """A base32 secret (upper case, no padding or spaces) and the period and digits of its codes."""

    secret: str = dataclasses.field(repr=False)
    period: int = TOTP_PERIOD
    digits: int = TOTP_DIGITS

    def __repr__(self) -> str:
        return f"TotpSpec(secret=***, period={self.period}, digits={self.digits})"

    @property
    def is_default(self) -> bool:
        return self.period == TOTP_PERIOD and self.digits == TOTP_DIGITS

    def text(self) -> str:
        """The stored form: the bare secret for the defaults, else a canonical ``otpauth://`` URI."""
        if self.is_default:
            return self.secret
        return f"otpauth://totp/sinesys?secret={self.secret}&period={self.period}&digits={self.digits}"

    def totp(self) -> pyotp.TOTP:
        """pyotp's generator for this secret, period and length."""
        return pyotp.TOTP(self.secret, digits=self.digits, interval=self.period)


def parse_totp(value: str) -> TotpSpec:
    """The secret, period and digits of a bare base32 secret or an ``otpauth://totp/`` URI.

    Raises ``ValueError`` (a message without the secret) for another scheme or type, an algorithm
    other than SHA1, a period outside 1-300 s, digits outside 6-8 or a URI without a secret. The
    secret itself is only cleaned (spaces, dashes and padding removed, upper case); whether it is
    valid base32 of a usable length is for the caller to check.
    """
    text = (value or "").strip()
    if not text.lower().startswith("otpauth:"):
        return TotpSpec(secret=_clean(text))
    parts = urlsplit(text)
    if parts.scheme.lower() != "otpauth" or parts.netloc.lower() != "totp":
        raise ValueError("URI otpauth deve ser do tipo totp (otpauth://totp/...)")
    try:
        query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise ValueError("URI otpauth com parâmetros malformados") from None
    params = {key.lower(): values[-1] for key, values in query.items()}
    unknown = sorted(set(params) - _URI_PARAMS)
    if unknown:
        raise ValueError(f"URI otpauth com parâmetro desconhecido: {', '.join(unknown)}")
    secret = _clean(params.get("secret", ""))
    if not secret:
        raise ValueError("URI otpauth sem o parâmetro secret")
    algorithm = params.get("algorithm", "SHA1").strip().upper()
    if algorithm != "SHA1":
        raise ValueError("URI otpauth: só o algoritmo SHA1 é aceito (o do PJE)")
    period = _int_param(params, "period", TOTP_PERIOD, _PERIOD_RANGE, "segundos")
    digits = _int_param(params, "digits", TOTP_DIGITS, _DIGITS_RANGE, "dígitos")
    return TotpSpec(secret=secret, period=period, digits=digits)


def _clean(secret: str) -> str:
    return "".join(ch for ch in secret if ch not in " \t\r\n-").upper().rstrip("=")


def _int_param(params: dict[str, str], name: str, default: int, bounds: tuple[int, int], unit: str) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    low, high = bounds
    if not raw.strip().isdigit() or not low <= int(raw) <= high:
        raise ValueError(f"URI otpauth: {name} deve ser um inteiro de {low} a {high} {unit}")
    return int(raw)
