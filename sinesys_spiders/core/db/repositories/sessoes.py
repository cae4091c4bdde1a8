"""Data access for ``sessoes``: one stored, encrypted PJE session per credential.

Encryption is the caller's (``core/crypto.py``), bound to the row's ``uuid``: call
:meth:`SessoesRepository.ensure` to learn the uuid, encrypt, then :meth:`~SessoesRepository.upsert`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select, update

from sinesys_spiders.core.db.models import Sessao
from sinesys_spiders.core.db.repositories._base import Repository
from sinesys_spiders.core.timeutil import ensure_utc, utcnow

__all__ = ["SessoesRepository"]


class SessoesRepository(Repository):
    """Read, store, touch, invalidate and delete a credential's session; claim TOTP steps."""

    def get(self, *, credencial_id: int) -> Sessao | None:
        query = select(Sessao).where(Sessao.credencial_id == credencial_id)
        return self.session.scalars(query.execution_options(populate_existing=True)).one_or_none()

    def ensure(self, *, credencial_id: int) -> Sessao:
        """The credential's row, created empty (no session data) when missing; its ``uuid`` is the AAD."""
        row = self.get(credencial_id=credencial_id)
        if row is None:
            row = Sessao(credencial_id=credencial_id, logins=0)
            self.session.add(row)
            self.session.flush()
        return row

    def upsert(
        self,
        *,
        credencial_id: int,
        dados_cifrados: bytes,
        expires_at: dt.datetime | None,
        id_advogado_externo: int | None = None,
        uuid: str | None = None,
        login: bool = True,
    ) -> Sessao:
        """Store a new session for the credential; ``login`` counts it as one more login.

        ``uuid`` (when given) replaces the row's, for data encrypted bound to another uuid.
        """
        row = self.ensure(credencial_id=credencial_id)
        if uuid is not None:
            row.uuid = uuid
        row.dados_cifrados = dados_cifrados
        row.expires_at = expires_at
        row.id_advogado_externo = id_advogado_externo
        row.last_used_at = utcnow()
        if login:
            row.logins = (row.logins or 0) + 1
        self.session.flush()
        return row

    def touch(self, *, credencial_id: int, now: dt.datetime | None = None) -> bool:
        """Record that the session was used; ``False`` when there is no row."""
        now = ensure_utc(now) if now is not None else utcnow()
        result = self.session.execute(
            update(Sessao)
            .where(Sessao.credencial_id == credencial_id)
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def invalidate(self, *, credencial_id: int) -> bool:
        """Forget the session data (expired or refused) but keep the OTP step and the login count."""
        row = self.get(credencial_id=credencial_id)
        if row is None:
            return False
        row.dados_cifrados = None
        row.expires_at = None
        row.id_advogado_externo = None
        self.session.flush()
        return True

    def delete(self, *, credencial_id: int) -> bool:
        """Remove the row entirely; ``False`` when there was none."""
        row = self.get(credencial_id=credencial_id)
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True

    def claim_otp_step(self, *, credencial_id: int, passo: int) -> bool:
        """Atomically record TOTP time step ``passo`` as used; ``False`` if it (or a later one) already was.

        A code is sent only after a successful claim, so no code is ever sent twice, even by two
        workers at once. Creates the row if needed.
        """
        self.ensure(credencial_id=credencial_id)
        result = self.session.execute(
            update(Sessao)
            .where(
                Sessao.credencial_id == credencial_id,
                or_(Sessao.otp_ultimo_passo.is_(None), Sessao.otp_ultimo_passo < passo),
            )
            .values(otp_ultimo_passo=passo)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
