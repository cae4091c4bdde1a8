"""The login part of the tribunal plugin contract (DESIGN.md §3 step 2).

A plugin's ``login_flow`` (:class:`LoginFlow`) drives a browser page it receives (typed ``Any`` here: ``core`` does
not import Playwright), asks the session manager for one-time codes through :class:`OtpSource`, and returns the
browser context's cookies with the session's identity (:class:`LoginResult`). It also tells an expired session from
a data response, for the session middleware. A flow class may subclass :class:`LoginFlow` to inherit the documented
defaults of its optional hooks (``sessao_probe_url``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from sinesys_spiders.core.tribunais import TribunalEndpoint

__all__ = ["Identidade", "LoginFlow", "LoginResult", "LoginTimeouts", "OtpSource"]


@dataclasses.dataclass(frozen=True, slots=True)
class LoginTimeouts:
    """Seconds a login waits for each step (defaults from the real PJE, pje-api.md §1).

    ``pause`` is the human-like pause between steps (the real flow waits 2-3 s); tests use 0.
    """

    page_load: float = 60.0
    sso_button: float = 20.0
    sso_button_tries: int = 3
    redirect: float = 60.0
    form_submit: float = 120.0
    otp_field: float = 30.0
    landing: float = 120.0
    cookie: float = 20.0
    pause: float = 2.0

    @classmethod
    def fast(cls, scale: float = 0.25) -> LoginTimeouts:
        """Short timeouts and no pauses (sandbox, tests, benchmarks)."""
        return cls(
            page_load=60.0 * scale,
            sso_button=20.0 * scale,
            sso_button_tries=2,
            redirect=60.0 * scale,
            form_submit=120.0 * scale,
            otp_field=30.0 * scale,
            landing=120.0 * scale,
            cookie=20.0 * scale,
            pause=0.0,
        )


@runtime_checkable
class OtpSource(Protocol):
    """One-time codes for one login, handed to the flow by the session manager.

    Each call records the time step it returns before returning it, so a code is never sent twice.
    """

    async def first(self) -> str:
        """The code to submit first."""
        ...

    async def next(self) -> str | None:
        """The code of the following step, after the first was rejected; ``None`` if there is none."""
        ...


@dataclasses.dataclass(frozen=True, slots=True)
class Identidade:
    """Who the session belongs to, read from the session's token: the lawyer id and the claims."""

    id_advogado: int
    claims: dict[str, object] = dataclasses.field(repr=False)
    expires_at: float | None = None  # Unix time of the token's ``exp``


@dataclasses.dataclass(frozen=True, slots=True)
class LoginResult:
    """A logged-in browser context: every cookie (including those set by XHR) and the identity."""

    cookies: list[dict[str, object]] = dataclasses.field(repr=False)
    identidade: Identidade
    landing_url: str = ""


@runtime_checkable
class LoginFlow(Protocol):
    """How a tribunal family logs in, reads the session's identity and recognises an expired session."""

    async def login(
        self,
        page: Any,
        *,
        endpoint: TribunalEndpoint,
        usuario: str,
        senha: str,
        otp: OtpSource,
        timeouts: LoginTimeouts,
    ) -> LoginResult:
        """Log in on ``page`` (a Playwright page) and return the session; raise ``core.errors``."""
        ...

    def identidade(self, cookies: Sequence[Mapping[str, object]]) -> Identidade:
        """The session's identity (lawyer id, claims, expiry) from its cookies."""
        ...

    def sessao_expirada(self, *, status: int, url: str, content_type: str, body: bytes) -> bool:
        """Whether a response to a data request means the session expired or was rejected."""
        ...

    def sessao_probe_url(self, endpoint: TribunalEndpoint) -> str | None:
        """A URL that answers 200 only while the session lives (``None``, the default: the system has none).

        With one, the session middleware tells a 403 that refuses one resource (a case the lawyer cannot see)
        from an expired session by asking it once; without one, such a 403 is read as an expired session.
        """
        return None
