"""One-time codes for the tribunal's second factor: a stored TOTP secret, or a 2FAuth server.

A TOTP code belongs to a *time step* (``floor(unix_time / period)``, 30 s unless the credential's
secret is an ``otpauth://`` URI with another period: :mod:`sinesys_spiders.core.totp`). The real
SSO accepts a code once, so the session manager records the step it is about to use
(``sessoes.otp_ultimo_passo``, under the credential's lock) and never submits a step twice;
:func:`first_step` says which step the next login may use and how long to wait for it.

Providers answer :class:`OtpCodes`: the code of a step and the code of the following step (used
once when the first is rejected). Codes never reach a repr, a log line or an exception message.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import httpx
import pyotp

from sinesys_spiders.core.errors import ConfiguracaoInvalida, NetworkError, TimeoutError_
from sinesys_spiders.core.totp import TOTP_PERIOD, parse_totp

__all__ = [
    "TOTP_PERIOD",
    "OtpCodes",
    "OtpProvider",
    "TotpProvider",
    "TwoFAuthProvider",
    "first_step",
    "otp_provider_for",
    "time_step",
]


def time_step(at: float, period: int = TOTP_PERIOD) -> int:
    """The TOTP time step that contains the Unix time ``at``."""
    return math.floor(at / period)


def first_step(now: float, ultimo_passo: int | None, period: int = TOTP_PERIOD) -> tuple[int, float]:
    """The step the next login may use and the seconds to wait before it begins.

    The current step when it was never used; otherwise the step after the last one used, which
    may lie in the future (wait for it rather than send a code twice).
    """
    atual = time_step(now, period)
    if ultimo_passo is None or ultimo_passo < atual:
        return atual, 0.0
    passo = ultimo_passo + 1
    return passo, max(0.0, passo * period - now)


@dataclasses.dataclass(frozen=True, slots=True)
class OtpCodes:
    """The code of ``passo`` and, when the provider knows it, the code of the step after it."""

    passo: int
    atual: str = dataclasses.field(repr=False)
    proximo: str | None = dataclasses.field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"OtpCodes(passo={self.passo}, atual=***, proximo={'***' if self.proximo else None})"


@runtime_checkable
class OtpProvider(Protocol):
    """Where a credential's one-time codes come from."""

    #: Seconds per step of this provider's codes.
    period: int

    async def codes(self, *, passo: int) -> OtpCodes:
        """The codes of step ``passo`` (or, for a remote provider, of the step it is at now)."""
        ...


class TotpProvider:
    """Codes computed locally from the credential's stored TOTP secret (pyotp).

    ``secret`` is a base32 secret (30 s, 6 digits) or an ``otpauth://totp/`` URI carrying its own
    period and digits; ``digits`` and ``period``, when given, override both.
    """

    def __init__(self, secret: str, *, digits: int | None = None, period: int | None = None) -> None:
        try:
            spec = parse_totp(secret)
        except ValueError as exc:
            raise ConfiguracaoInvalida(f"segredo TOTP da credencial é inválido: {exc}") from None
        digits = spec.digits if digits is None else digits
        period = spec.period if period is None else period
        try:
            self._totp = pyotp.TOTP(spec.secret, digits=digits, interval=period)
            self._totp.at(0)
        except Exception:
            raise ConfiguracaoInvalida("segredo TOTP da credencial é inválido (esperado base32)") from None
        self.period = period
        self.digits = digits

    def __repr__(self) -> str:
        return f"TotpProvider(period={self.period}, digits={self.digits}, secret=***)"

    async def codes(self, *, passo: int) -> OtpCodes:
        return OtpCodes(
            passo=passo,
            atual=self._totp.at(passo * self.period),
            proximo=self._totp.at((passo + 1) * self.period),
        )


class TwoFAuthProvider:
    """Codes from a 2FAuth server: ``GET {url}/api/v1/twofaccounts/{account_id}/otp`` (Bearer token).

    The server answers the code of *its* current step (``password``) and the next one
    (``next_password``); the step is taken from ``generated_at`` when present, else from our clock.
    """

    def __init__(
        self,
        url: str,
        token: str,
        account_id: int | str,
        *,
        period: int = TOTP_PERIOD,
        timeout: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        base = url.rstrip("/")
        if base.endswith("/api/v1"):
            base = base[: -len("/api/v1")]
        self._endpoint = f"{base}/api/v1/twofaccounts/{account_id}/otp"
        self._token = token
        self._timeout = timeout
        self._transport = transport
        self.period = period

    def __repr__(self) -> str:
        return f"TwoFAuthProvider(endpoint={self._endpoint!r}, token=***)"

    async def codes(self, *, passo: int) -> OtpCodes:
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        try:
            async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as client:
                response = await client.get(self._endpoint, headers=headers)
        except httpx.TimeoutException:
            raise TimeoutError_("tempo esgotado ao obter o código OTP do 2FAuth") from None
        except httpx.HTTPError as exc:
            raise NetworkError(f"falha de rede ao obter o código OTP do 2FAuth ({type(exc).__name__})") from None
        if response.status_code in (401, 403):
            raise ConfiguracaoInvalida(f"o 2FAuth recusou o token da credencial (HTTP {response.status_code})")
        if response.status_code == 404:
            raise ConfiguracaoInvalida("conta 2FAuth não encontrada (verifique account_id)")
        if response.status_code >= 500:
            raise NetworkError(f"o 2FAuth respondeu HTTP {response.status_code}")
        if response.status_code != 200:
            raise ConfiguracaoInvalida(f"o 2FAuth respondeu HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError:
            raise ConfiguracaoInvalida("o 2FAuth respondeu algo que não é JSON") from None
        return self._parse(data, passo)

    def _parse(self, data: Any, passo: int) -> OtpCodes:
        if not isinstance(data, Mapping):
            raise ConfiguracaoInvalida("resposta do 2FAuth sem o campo password")
        atual = _valid_code(data.get("password"))
        if atual is None:
            raise ConfiguracaoInvalida("resposta do 2FAuth sem um código válido (6 a 10 caracteres)")
        proximo = _valid_code(data.get("next_password"))
        period = data.get("period")
        if not isinstance(period, int):
            period = self.period
        generated = data.get("generated_at")
        if isinstance(generated, int | float) and generated > 0:
            passo = time_step(float(generated), period)
        else:
            passo = time_step(time.time(), period)
        return OtpCodes(passo=passo, atual=atual, proximo=proximo)


def _valid_code(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text if 6 <= len(text) <= 10 else None


def otp_provider_for(
    *,
    totp_secret: str | None = None,
    twofauth: Mapping[str, Any] | None = None,
) -> OtpProvider:
    """The provider of a credential: its stored TOTP secret first, else its 2FAuth account."""
    if totp_secret:
        return TotpProvider(totp_secret)
    if twofauth:
        url, token, account = twofauth.get("url"), twofauth.get("token"), twofauth.get("account_id")
        if not (url and token and account is not None):
            raise ConfiguracaoInvalida("integração 2FAuth incompleta: informe url, token e account_id")
        return TwoFAuthProvider(str(url), str(token), account)
    raise ConfiguracaoInvalida("a credencial não tem segredo TOTP nem conta 2FAuth para o segundo fator")
