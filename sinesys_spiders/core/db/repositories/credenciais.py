"""Data access for ``credenciais``: ciphertexts in, ciphertexts out (the cipher is ``core/crypto.py``)."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from collections.abc import Iterator, Sequence

from sqlalchemy import select, update

from sinesys_spiders.core.db.models import Credencial
from sinesys_spiders.core.db.repositories._base import UNSET, Repository, Unset, as_text
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.timeutil import ensure_utc

__all__ = ["CredenciaisRepository", "new_credencial_uuid"]


def new_credencial_uuid() -> str:
    """A fresh credential uuid: generate it first, encrypt bound to it, then ``add(uuid=...)``."""
    return str(uuid_module.uuid4())


class CredenciaisRepository(Repository):
    """Add, read, list, (de)activate and re-encrypt credentials."""

    def add(
        self,
        *,
        advogado_id: int,
        tribunal: Tribunal | str,
        grau: Grau | str,
        senha_cifrada: bytes,
        uuid: str | None = None,
        usuario: str | None = None,
        totp_secret_cifrado: bytes | None = None,
        twofauth_cifrado: bytes | None = None,
        active: bool = True,
    ) -> Credencial:
        """Insert a credential and flush; ``uuid`` must be the one the ciphertexts are bound to."""
        row = Credencial(
            uuid=uuid or new_credencial_uuid(),
            advogado_id=advogado_id,
            tribunal=as_text(tribunal),
            grau=as_text(grau),
            usuario=usuario,
            senha_cifrada=senha_cifrada,
            totp_secret_cifrado=totp_secret_cifrado,
            twofauth_cifrado=twofauth_cifrado,
            active=active,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, *, credencial_id: int) -> Credencial | None:
        return self.session.get(Credencial, credencial_id)

    def by_uuid(self, *, uuid: str) -> Credencial | None:
        return self.session.scalars(select(Credencial).where(Credencial.uuid == uuid)).one_or_none()

    def by_key(self, *, advogado_id: int, tribunal: Tribunal | str, grau: Grau | str) -> Credencial | None:
        """The credential of a lawyer at one tribunal and grau."""
        query = select(Credencial).where(
            Credencial.advogado_id == advogado_id,
            Credencial.tribunal == as_text(tribunal),
            Credencial.grau == as_text(grau),
        )
        return self.session.scalars(query).one_or_none()

    def list(
        self,
        *,
        advogado_id: int | None = None,
        tribunal: Tribunal | str | None = None,
        grau: Grau | str | None = None,
        active: bool | None = None,
        ids: Sequence[int] | None = None,
    ) -> Sequence[Credencial]:
        """Credentials matching every given filter, ordered by id."""
        query = select(Credencial).order_by(Credencial.id)
        if advogado_id is not None:
            query = query.where(Credencial.advogado_id == advogado_id)
        if tribunal is not None:
            query = query.where(Credencial.tribunal == as_text(tribunal))
        if grau is not None:
            query = query.where(Credencial.grau == as_text(grau))
        if active is not None:
            query = query.where(Credencial.active == active)
        if ids is not None:
            query = query.where(Credencial.id.in_(list(ids)))
        return self.session.scalars(query).all()

    def set_active(self, *, credencial_id: int, active: bool) -> Credencial | None:
        """Enable or disable a credential; ``None`` when it does not exist."""
        row = self.get(credencial_id=credencial_id)
        if row is not None and self._apply(row, active=active):
            self.session.flush()
        return row

    def update_ciphertexts(
        self,
        *,
        credencial_id: int,
        senha_cifrada: bytes | Unset = UNSET,
        totp_secret_cifrado: bytes | Unset | None = UNSET,
        twofauth_cifrado: bytes | Unset | None = UNSET,
        usuario: str | Unset | None = UNSET,
    ) -> Credencial | None:
        """Replace the given ciphertexts (``None`` clears an optional one); ``None`` when absent."""
        row = self.get(credencial_id=credencial_id)
        if row is None:
            return None
        changed = self._apply(
            row,
            senha_cifrada=senha_cifrada,
            totp_secret_cifrado=totp_secret_cifrado,
            twofauth_cifrado=twofauth_cifrado,
            usuario=usuario,
        )
        if changed:
            self.session.flush()
        return row

    def record_login_failure(self, *, credencial_id: int, codigo: str, mensagem: str, em: dt.datetime) -> bool:
        """Remember a permanent login failure (replacing any earlier one); ``False`` when absent."""
        result = self.session.execute(
            update(Credencial)
            .where(Credencial.id == credencial_id)
            .values(falha_login_codigo=codigo, falha_login_mensagem=mensagem[:500], falha_login_em=ensure_utc(em))
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def latest_login_failure(
        self, *, codigo: str, tribunal: Tribunal | str, grau: Grau | str | None = None, except_id: int | None = None
    ) -> Credencial | None:
        """The credential whose most recent recorded login failure is ``codigo``, at ``tribunal`` (and ``grau``)."""
        query = select(Credencial).where(
            Credencial.falha_login_codigo == codigo,
            Credencial.falha_login_em.is_not(None),
            Credencial.tribunal == as_text(tribunal),
        )
        if grau is not None:
            query = query.where(Credencial.grau == as_text(grau))
        if except_id is not None:
            query = query.where(Credencial.id != except_id)
        return self.session.scalars(query.order_by(Credencial.falha_login_em.desc()).limit(1)).first()

    def clear_login_failure(self, *, credencial_id: int) -> bool:
        """Forget the recorded login failure; ``True`` only if there was one."""
        result = self.session.execute(
            update(Credencial)
            .where(Credencial.id == credencial_id, Credencial.falha_login_codigo.is_not(None))
            .values(falha_login_codigo=None, falha_login_mensagem=None, falha_login_em=None)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def iter_all(self, *, batch_size: int = 500) -> Iterator[Credencial]:
        """Every credential, active or not, in id order and in batches (key rotation)."""
        last_id = 0
        while True:
            query = select(Credencial).where(Credencial.id > last_id).order_by(Credencial.id).limit(batch_size)
            batch = self.session.scalars(query).all()
            if not batch:
                return
            yield from batch
            last_id = batch[-1].id

    def delete(self, *, credencial_id: int) -> bool:
        """Delete a credential (its stored session goes with it); ``False`` if absent."""
        row = self.get(credencial_id=credencial_id)
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True
