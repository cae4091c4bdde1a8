"""Authenticated tribunal sessions and where they are kept (DESIGN.md §3 step 2).

A :class:`SessaoTribunal` is what a login produced: every cookie of the browser context and the claims
of the session's token (the lawyer id among them), with an expiry. The :class:`SessionStore` keeps
one per credential so that every spider and every process reuses it until it expires or is
rejected; it also keeps the last TOTP time step the credential used (a code is never sent twice)
and counts logins. The back ends: :mod:`~sinesys_spiders.core.sessions.sql` (the embedded default, table
``sessoes``) and :mod:`~sinesys_spiders.core.sessions.redis`; both keep the session encrypted with AES-GCM bound
to a per-credential uuid.

Cookie values, claims and tokens never appear in a repr, a log line or an exception message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from sinesys_spiders.core.timeutil import ensure_utc, utcnow

__all__ = ["DEFAULT_IDLE_TTL", "DEFAULT_MAX_AGE", "SessaoTribunal", "SessionStore"]

#: PJE drops a session after about 30 minutes without use (pje-api.md §1); keep a margin.
DEFAULT_IDLE_TTL = dt.timedelta(minutes=25)
#: A session is never reused longer than this, whatever its token says.
DEFAULT_MAX_AGE = dt.timedelta(hours=8)
#: A session this close to its token's expiry is treated as expired.
_EXPIRY_MARGIN = dt.timedelta(seconds=60)


@dataclasses.dataclass(frozen=True, slots=True)
class SessaoTribunal:
    """A logged-in session of one credential at one tribunal and grau."""

    credencial_id: int
    base_url: str
    id_advogado: int
    cookies: tuple[Mapping[str, Any], ...] = dataclasses.field(repr=False)
    claims: Mapping[str, Any] = dataclasses.field(repr=False)
    created_at: dt.datetime
    expires_at: dt.datetime
    #: Random per login: tells a fresh session from the one a response rejected.
    session_id: str = dataclasses.field(default_factory=lambda: secrets.token_hex(8))

    @classmethod
    def from_login(
        cls,
        *,
        credencial_id: int,
        base_url: str,
        id_advogado: int,
        cookies: Sequence[Mapping[str, Any]],
        claims: Mapping[str, Any],
        token_expires_at: float | None = None,
        max_age: dt.timedelta = DEFAULT_MAX_AGE,
        now: dt.datetime | None = None,
    ) -> SessaoTribunal:
        """A new session; it expires at the token's ``exp`` (minus a margin) or after ``max_age``."""
        now = now or utcnow()
        expires_at = now + max_age
        if token_expires_at:
            expires_at = min(expires_at, dt.datetime.fromtimestamp(token_expires_at, dt.UTC) - _EXPIRY_MARGIN)
        return cls(
            credencial_id=credencial_id,
            base_url=base_url.rstrip("/"),
            id_advogado=id_advogado,
            cookies=tuple(dict(c) for c in cookies),
            claims=dict(claims),
            created_at=now,
            expires_at=expires_at,
        )

    @property
    def host(self) -> str:
        return (urlsplit(self.base_url).hostname or "").lower()

    def cookies_for(self, url: str | None = None) -> list[dict[str, Any]]:
        """The cookies a request to ``url`` (default: the tribunal) carries, as Scrapy cookie dicts.

        Host-only cookies are given without a domain (Scrapy binds them to the request's host);
        domain cookies keep theirs. Cookies of other hosts (the SSO's) are left out.
        """
        host = (urlsplit(url).hostname or "").lower() if url else self.host
        out: list[dict[str, Any]] = []
        for cookie in self.cookies:
            domain = str(cookie.get("domain") or "").lower()
            bare = domain.lstrip(".")
            if domain.startswith(".") and (host == bare or host.endswith("." + bare)):
                out.append(
                    {
                        "name": cookie["name"],
                        "value": cookie["value"],
                        "domain": domain,
                        "path": cookie.get("path") or "/",
                    }
                )
            elif bare == host:
                out.append({"name": cookie["name"], "value": cookie["value"], "path": cookie.get("path") or "/"})
        return out

    def is_valid(self, now: dt.datetime | None = None) -> bool:
        return (now or utcnow()) < self.expires_at

    def to_json(self) -> str:
        return json.dumps(
            {
                "credencial_id": self.credencial_id,
                "base_url": self.base_url,
                "id_advogado": self.id_advogado,
                "cookies": [dict(c) for c in self.cookies],
                "claims": dict(self.claims),
                "created_at": self.created_at.isoformat(),
                "expires_at": self.expires_at.isoformat(),
                "session_id": self.session_id,
            },
            default=str,
        )

    @classmethod
    def from_json(cls, text: str) -> SessaoTribunal:
        data = json.loads(text)
        return cls(
            credencial_id=int(data["credencial_id"]),
            base_url=data["base_url"],
            id_advogado=int(data["id_advogado"]),
            cookies=tuple(data["cookies"]),
            claims=data["claims"],
            created_at=ensure_utc(dt.datetime.fromisoformat(data["created_at"])),
            expires_at=ensure_utc(dt.datetime.fromisoformat(data["expires_at"])),
            session_id=data["session_id"],
        )


@runtime_checkable
class SessionStore(Protocol):
    """One session per credential, shared by every process, plus the credential's OTP step."""

    def get(self, credencial_id: int) -> SessaoTribunal | None:
        """The credential's session if it is still usable (not expired, not invalidated, not idle)."""
        ...

    def save(self, sessao: SessaoTribunal) -> None:
        """Store a new session (replacing any other) and count one login."""
        ...

    def invalidate(self, credencial_id: int, *, session_id: str | None = None) -> bool:
        """Forget the session (only if it is ``session_id``, when given); ``True`` if one was dropped."""
        ...

    def touch(self, credencial_id: int) -> None:
        """Record that the session was just used (PJE keeps an idle session for about 30 min)."""
        ...

    def otp_ultimo_passo(self, credencial_id: int) -> int | None:
        """The last TOTP time step this credential sent."""
        ...

    def record_otp_step(self, credencial_id: int, passo: int) -> None:
        """Record a step about to be sent (never lowers the stored one)."""
        ...

    def logins(self, credencial_id: int) -> int:
        """How many logins were stored for this credential."""
        ...
