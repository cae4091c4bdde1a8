"""Sessions in the ``sessoes`` table of the SQL database: the embedded default.

One row per credential: the session encrypted with AES-GCM bound to the row's uuid, its expiry, the last use,
the last TOTP step and the login count.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.crypto import Cipher, sessao_aad
from sinesys_spiders.core.db.engine import session_scope
from sinesys_spiders.core.db.models import Sessao
from sinesys_spiders.core.db.repositories.sessoes import SessoesRepository
from sinesys_spiders.core.errors import ChaveInvalida
from sinesys_spiders.core.sessions.base import DEFAULT_IDLE_TTL, SessaoTribunal
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["SqlSessionStore"]


class SqlSessionStore:
    """Sessions in the ``sessoes`` table, encrypted and bound to the row's uuid."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        cipher: Cipher,
        *,
        idle_ttl: dt.timedelta | None = DEFAULT_IDLE_TTL,
    ) -> None:
        self._factory = session_factory
        self._cipher = cipher
        self._idle_ttl = idle_ttl

    def __repr__(self) -> str:
        return f"SqlSessionStore(cipher={self._cipher!r})"

    def get(self, credencial_id: int) -> SessaoTribunal | None:
        now = utcnow()
        with session_scope(factory=self._factory) as db:
            repo = SessoesRepository(db)
            row = repo.get(credencial_id=credencial_id)
            if row is None or row.dados_cifrados is None:
                return None
            if row.expires_at is not None and row.expires_at <= now:
                return None
            last = row.last_used_at or row.updated_at
            if self._idle_ttl is not None and last is not None and last + self._idle_ttl <= now:
                return None
            sessao = self._decrypt(row)
            if sessao is None:  # altered or misplaced under this very key: a new login replaces it
                repo.invalidate(credencial_id=credencial_id)
                return None
        return sessao if sessao.is_valid(now) else None

    def save(self, sessao: SessaoTribunal) -> None:
        with session_scope(factory=self._factory) as db:
            repo = SessoesRepository(db)
            row = repo.ensure(credencial_id=sessao.credencial_id)
            repo.upsert(
                credencial_id=sessao.credencial_id,
                dados_cifrados=self._cipher.encrypt(sessao.to_json(), aad=sessao_aad(row.uuid)),
                expires_at=sessao.expires_at,
                id_advogado_externo=sessao.id_advogado,
            )

    def invalidate(self, credencial_id: int, *, session_id: str | None = None) -> bool:
        with session_scope(factory=self._factory) as db:
            repo = SessoesRepository(db)
            row = repo.get(credencial_id=credencial_id)
            if row is None or row.dados_cifrados is None:
                return False
            if session_id is not None:
                stored = self._decrypt(row)
                if stored is not None and stored.session_id != session_id:
                    return False  # a newer session replaced the rejected one: keep it
            return repo.invalidate(credencial_id=credencial_id)

    def touch(self, credencial_id: int) -> None:
        with session_scope(factory=self._factory) as db:
            SessoesRepository(db).touch(credencial_id=credencial_id)

    def otp_ultimo_passo(self, credencial_id: int) -> int | None:
        with session_scope(factory=self._factory) as db:
            row = SessoesRepository(db).get(credencial_id=credencial_id)
            return None if row is None else row.otp_ultimo_passo

    def record_otp_step(self, credencial_id: int, passo: int) -> None:
        with session_scope(factory=self._factory) as db:
            SessoesRepository(db).claim_otp_step(credencial_id=credencial_id, passo=passo)

    def logins(self, credencial_id: int) -> int:
        with session_scope(factory=self._factory) as db:
            row = SessoesRepository(db).get(credencial_id=credencial_id)
            return 0 if row is None else int(row.logins or 0)

    def _decrypt(self, row: Sessao) -> SessaoTribunal | None:
        """The stored session; ``None`` if it was altered under this key.

        A session sealed under another key raises :class:`ChaveInvalida` and is left as it is: a wrong
        ``SINESYS_SECRET_KEY`` must stop the capture, never replace (delete) what the right key can read.
        """
        assert row.dados_cifrados is not None
        what = f"a sessão da credencial {row.credencial_id}"
        if not self._cipher.owns(row.dados_cifrados):
            self._cipher.decrypt_text(row.dados_cifrados, aad=sessao_aad(row.uuid), what=what)  # raises, says why
        try:
            text = self._cipher.decrypt_text(row.dados_cifrados, aad=sessao_aad(row.uuid), what=what)
        except ChaveInvalida:
            return None
        return SessaoTribunal.from_json(text)
