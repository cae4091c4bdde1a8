"""The credential service: validated input, encryption at rest, decryption only in memory, a TTL cache.

Every secret of a credential (password, TOTP secret, 2FAuth settings) is encrypted with
:class:`~sinesys_spiders.core.crypto.Cipher` bound to the credential's ``uuid`` and the field
(``credencial_aad(uuid, "senha")``), so a ciphertext copied to another row or field never decrypts.

:meth:`CredenciaisService.get` returns a frozen :class:`Credencial` whose secrets are
``pydantic.SecretStr`` and whose repr masks the login; it is cached for ``credential_cache_ttl``
seconds, and every change made through the service (``set_active``, ``rotate_key``, ...) drops it.
Another process's changes are seen at the latest when the TTL expires.

:meth:`CredenciaisService.rotate_key` re-encrypts every credential and every stored session
(``sessoes.dados_cifrados``, bound by ``sessao_aad(uuid)``) in one transaction; the raw log, which
shares the key, is re-encrypted in batches by its store (``sinesys credenciais rotate-key`` runs both).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypedDict

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.config import Settings, get_settings
from sinesys_spiders.core.credenciais_input import CampoInvalido, NovaCredencial, TwoFAuth
from sinesys_spiders.core.credenciais_types import Credencial, CredencialResumo, OtpKind, RotationReport, mask_usuario
from sinesys_spiders.core.crypto import (
    BLOB_VERSION,
    BLOB_VERSION_VINCULADO,
    Cipher,
    credencial_aad,
    load_cipher,
    sessao_aad,
)
from sinesys_spiders.core.db import get_session_factory, session_scope
from sinesys_spiders.core.db.models import Sessao
from sinesys_spiders.core.db.repositories import (
    UNSET,
    AdvogadosRepository,
    CredenciaisRepository,
    Unset,
    new_credencial_uuid,
)
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.errors import EntradaInvalida, NaoEncontrado
from sinesys_spiders.core.tribunais import get_registry
from sinesys_spiders.core.ttlcache import TTLCache

__all__ = [
    "CampoInvalido",
    "CredenciaisService",
    "Credencial",
    "CredencialResumo",
    "NovaCredencial",
    "OtpKind",
    "RotationReport",
    "TwoFAuth",
]


_SECRET_COLUMNS = (("senha", "senha_cifrada"), ("totp_secret", "totp_secret_cifrado"), ("twofauth", "twofauth_cifrado"))


class _Segredos(TypedDict):
    """A new credential's sealed secrets, as ``CredenciaisRepository.add`` takes them."""

    senha_cifrada: bytes
    totp_secret_cifrado: bytes | None
    twofauth_cifrado: bytes | None


class CredenciaisService:
    """Add, read (decrypted, cached), list, enable/disable and re-key credentials."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        cipher: Cipher | Callable[[], Cipher],
        *,
        cache_ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = session_factory
        self._cipher_or_loader = cipher
        self._cache: TTLCache[int, Credencial] = TTLCache(cache_ttl, clock)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> CredenciaisService:
        """The service of the configured database, key and cache TTL."""
        settings = settings or get_settings()
        return cls(
            get_session_factory(settings.effective_database_url),
            lambda: load_cipher(settings),
            cache_ttl=settings.credential_cache_ttl,
        )

    @property
    def cipher(self) -> Cipher:
        """The current key's cipher (a loader given to the constructor runs on first use)."""
        if not isinstance(self._cipher_or_loader, Cipher):
            self._cipher_or_loader = self._cipher_or_loader()
        return self._cipher_or_loader

    def __repr__(self) -> str:
        shown = repr(self._cipher_or_loader) if isinstance(self._cipher_or_loader, Cipher) else "not loaded"
        return f"CredenciaisService(cipher={shown}, cache_ttl={self._cache.ttl})"

    # -- writing ---------------------------------------------------------------------------------

    def add(self, nova: NovaCredencial) -> int:
        """Store one validated credential; return its id."""
        return self.add_many([nova])[0]

    def add_many(self, novas: Sequence[NovaCredencial]) -> list[int]:
        """Store credentials in one transaction (all or none); return their ids in order.

        Raises ``EntradaInvalida`` naming the entry (``entrada 2: ...``) when a lawyer does not exist
        or a credential for that lawyer, tribunal and grau already exists.
        """
        try:
            return self._add_many(novas)
        except IntegrityError:  # another process inserted the same key between our check and insert
            raise EntradaInvalida(
                "outra credencial igual foi gravada ao mesmo tempo; nada foi gravado, confira com "
                "`sinesys credenciais list` e tente de novo"
            ) from None

    def _add_many(self, novas: Sequence[NovaCredencial]) -> list[int]:
        ids: list[int] = []
        seen: set[tuple[int, Tribunal, Grau]] = set()
        with session_scope(factory=self._factory) as session:
            advogados = AdvogadosRepository(session)
            repo = CredenciaisRepository(session)
            for index, nova in enumerate(novas):
                prefix = f"entrada {index}: " if len(novas) > 1 else ""
                if advogados.get(advogado_id=nova.advogado_id) is None:
                    raise CampoInvalido("advogado_id", f"advogado {nova.advogado_id} não existe", prefix=prefix)
                key = (nova.advogado_id, nova.tribunal, nova.grau)
                existing = repo.by_key(advogado_id=nova.advogado_id, tribunal=nova.tribunal, grau=nova.grau)
                if existing is not None or key in seen:
                    where = f"(credencial {existing.id})" if existing is not None else "(repetida nesta importação)"
                    raise EntradaInvalida(
                        f"{prefix}o advogado {nova.advogado_id} já tem credencial em {nova.tribunal.value} "
                        f"{nova.grau.value} {where}; use outra ou desative a existente"
                    )
                seen.add(key)
                row_uuid = new_credencial_uuid()
                row = repo.add(
                    uuid=row_uuid,
                    advogado_id=nova.advogado_id,
                    tribunal=nova.tribunal,
                    grau=nova.grau,
                    usuario=nova.usuario,
                    **self._encrypt_secrets(row_uuid, nova),
                )
                ids.append(row.id)
        return ids

    def check_new(self, advogado_id: int, tribunal: Tribunal, grau: Grau) -> None:
        """Raise ``EntradaInvalida`` if the lawyer does not exist or already has this credential.

        Lets a caller refuse early, before asking for the secrets; :meth:`add` checks again.
        """
        with session_scope(factory=self._factory) as session:
            if AdvogadosRepository(session).get(advogado_id=advogado_id) is None:
                raise CampoInvalido("advogado_id", f"advogado {advogado_id} não existe")
            existing = CredenciaisRepository(session).by_key(advogado_id=advogado_id, tribunal=tribunal, grau=grau)
            if existing is not None:
                raise EntradaInvalida(
                    f"o advogado {advogado_id} já tem credencial em {tribunal.value} {grau.value} "
                    f"(credencial {existing.id}); use outra ou desative a existente"
                )

    def _encrypt_secrets(self, row_uuid: str, nova: NovaCredencial) -> _Segredos:
        def enc(text: str, field: str) -> bytes:
            return _selar(self.cipher, text, row_uuid, field, nova.tribunal, nova.grau)

        twofauth = json.dumps(nova.twofauth.as_config(), sort_keys=True) if nova.twofauth else None
        return {
            "senha_cifrada": enc(nova.senha.get_secret_value(), "senha"),
            "totp_secret_cifrado": enc(nova.totp_secret.get_secret_value(), "totp_secret")
            if nova.totp_secret
            else None,
            "twofauth_cifrado": enc(twofauth, "twofauth") if twofauth else None,
        }

    def update(
        self,
        credencial_id: int,
        *,
        senha: SecretStr | Unset = UNSET,
        usuario: str | Unset | None = UNSET,
        totp_secret: SecretStr | Unset | None = UNSET,
        twofauth: TwoFAuth | Unset | None = UNSET,
    ) -> None:
        """Replace the given fields (validated values; ``None`` clears an optional one).

        A credential has one second factor: setting ``totp_secret`` clears the 2FAuth account and
        the other way round. ``usuario=None`` goes back to the lawyer's CPF.
        """
        if totp_secret not in (UNSET, None) and twofauth not in (UNSET, None):
            raise CampoInvalido("totp_secret", "informe totp_secret ou twofauth, não os dois")
        if totp_secret not in (UNSET, None) and twofauth is UNSET:
            twofauth = None
        if twofauth not in (UNSET, None) and totp_secret is UNSET:
            totp_secret = None
        with session_scope(factory=self._factory) as session:
            repo = CredenciaisRepository(session)
            row = repo.get(credencial_id=credencial_id)
            if row is None:
                raise NaoEncontrado(f"credencial {credencial_id} não existe")

            def enc(text: str, field: str) -> bytes:
                return _selar(self.cipher, text, row.uuid, field, row.tribunal, row.grau)

            changes: dict[str, Any] = {"usuario": usuario}
            if isinstance(senha, SecretStr):
                changes["senha_cifrada"] = enc(senha.get_secret_value(), "senha")
            if isinstance(totp_secret, SecretStr):
                changes["totp_secret_cifrado"] = enc(totp_secret.get_secret_value(), "totp_secret")
            elif totp_secret is None:
                changes["totp_secret_cifrado"] = None
            if isinstance(twofauth, TwoFAuth):
                changes["twofauth_cifrado"] = enc(json.dumps(twofauth.as_config(), sort_keys=True), "twofauth")
            elif twofauth is None:
                changes["twofauth_cifrado"] = None
            repo.update_ciphertexts(credencial_id=credencial_id, **changes)
            repo.clear_login_failure(credencial_id=credencial_id)  # corrected: the next run may log in
        self._cache.drop([credencial_id])

    def set_active(self, credencial_id: int, active: bool) -> bool:
        """Enable or disable a credential; return whether it changed. ``NaoEncontrado`` if absent.

        Enabling also clears a recorded login failure (the operator asks for a new attempt).
        """
        with session_scope(factory=self._factory) as session:
            repo = CredenciaisRepository(session)
            row = repo.get(credencial_id=credencial_id)
            if row is None:
                raise NaoEncontrado(f"credencial {credencial_id} não existe")
            changed = row.active != active
            repo.set_active(credencial_id=credencial_id, active=active)
            if active:
                repo.clear_login_failure(credencial_id=credencial_id)
        self._cache.drop([credencial_id])
        return changed

    def delete(self, credencial_id: int) -> None:
        """Delete a credential (its stored session goes with it). ``NaoEncontrado`` if absent."""
        with session_scope(factory=self._factory) as session:
            if not CredenciaisRepository(session).delete(credencial_id=credencial_id):
                raise NaoEncontrado(f"credencial {credencial_id} não existe")
        self._cache.drop([credencial_id])

    def _stored_ciphertexts(self, session: Session) -> Iterator[tuple[Any, str, bytes, str, bytes, int]]:
        """Every stored ciphertext as ``(row, attribute, aad, what, new_aad, new_version)``: credential secrets
        (re-sealed bound to their tribunal and grau), then sessions."""
        for row in CredenciaisRepository(session).iter_all():
            for field, column in _SECRET_COLUMNS:
                blob = getattr(row, column)
                if blob is not None:
                    what = f"o campo {field} da credencial {row.id}"
                    vinculado = _aad_vinculado(row.uuid, field, row.tribunal, row.grau)
                    yield row, column, _aad_do_blob(row, field, blob), what, vinculado, BLOB_VERSION_VINCULADO
        for sessao in session.scalars(select(Sessao).where(Sessao.dados_cifrados.is_not(None))):
            what = f"a sessão da credencial {sessao.credencial_id}"
            aad = sessao_aad(sessao.uuid)
            yield sessao, "dados_cifrados", aad, what, aad, BLOB_VERSION

    def check_rotation(self, old: Cipher, new: Cipher) -> None:
        """Raise what :meth:`rotate_key` would raise (``ChaveInvalida``), writing nothing.

        Lets a caller that re-encrypts other stores first (the raw log) refuse before changing anything.
        """
        with session_scope(factory=self._factory) as session:
            for row, column, aad, what, _aad_novo, _versao in self._stored_ciphertexts(session):
                blob = getattr(row, column)
                if not new.owns(blob):
                    old.decrypt(blob, aad=aad, what=what)

    def rotate_key(self, old: Cipher, new: Cipher) -> RotationReport:
        """Re-encrypt every credential and stored session from ``old`` to ``new`` in one transaction.

        Stop the processes that write credentials or sessions (API, workers) first: a row they write
        with the old key after this commits stays under the old key (running the same rotation again
        fixes such rows, since values already under ``new`` are skipped).

        A value already under ``new`` is left as is, so an interrupted rotation can be run again.
        Any value ``old`` cannot decrypt aborts the whole rotation (nothing is written). The raw log's
        payloads are re-encrypted by its store (``RawLogStore.reencrypt``, in batches);
        ``sinesys credenciais rotate-key`` runs both.
        """
        credenciais: set[int] = set()
        sessoes = 0
        with session_scope(factory=self._factory) as session:
            for row, column, aad, what, aad_novo, versao in self._stored_ciphertexts(session):
                blob = getattr(row, column)
                if new.owns(blob):
                    continue
                plaintext = old.decrypt(blob, aad=aad, what=what)
                setattr(row, column, new.encrypt(plaintext, aad=aad_novo, version=versao))
                if isinstance(row, Sessao):
                    sessoes += 1
                else:
                    credenciais.add(row.id)
            session.flush()
        self._cipher_or_loader = new
        self._cache.drop()
        return RotationReport(len(credenciais), sessoes, old.fingerprint, new.fingerprint)

    def invalidate(self, credencial_id: int | None = None) -> None:
        """Forget cached credentials (one, or all)."""
        self._cache.drop(None if credencial_id is None else [credencial_id])

    # -- reading ---------------------------------------------------------------------------------

    def get(self, credencial_id: int) -> Credencial:
        """The decrypted credential (cached for the TTL). ``NaoEncontrado`` if absent."""
        cached = self._cache.get(credencial_id)
        if cached is not None:
            return cached
        with session_scope(factory=self._factory) as session:
            row = CredenciaisRepository(session).get(credencial_id=credencial_id)
            if row is None:
                raise NaoEncontrado(f"credencial {credencial_id} não existe")
            credencial = self._decrypt(row)
            self._reselar(row)  # a secret written before issue 17: bind it to its tribunal and grau now
        self._cache.put(credencial.id, credencial)
        return credencial

    def reselar_legado(self) -> int:
        """Re-seal every credential secret still in the legacy form (version 1, not bound to its tribunal and
        grau) in one transaction; return how many credentials changed. ``sinesys db upgrade`` runs it when the
        key is at hand; otherwise each credential is re-sealed the first time it is read."""
        with session_scope(factory=self._factory) as session:
            changed = sum(self._reselar(row) for row in CredenciaisRepository(session).iter_all())
        self._cache.drop()
        return changed

    def _reselar(self, row: Any) -> bool:
        changed = False
        for field, column in _SECRET_COLUMNS:
            blob = getattr(row, column)
            if blob is None or Cipher.version_of(blob) == BLOB_VERSION_VINCULADO:
                continue
            what = f"o campo {field} da credencial {row.id}"
            plaintext = self.cipher.decrypt(blob, aad=credencial_aad(row.uuid, field), what=what)
            setattr(row, column, _selar(self.cipher, plaintext, row.uuid, field, row.tribunal, row.grau))
            changed = True
        return changed

    def for_advogado(
        self,
        advogado_id: int,
        *,
        tribunais: Iterable[Tribunal] | None = None,
        active_only: bool = True,
    ) -> list[Credencial]:
        """A lawyer's credentials, decrypted, in TRT order with 1º before 2º grau (pje-api.md §4)."""
        wanted = set(tribunais) if tribunais is not None else None
        with session_scope(factory=self._factory) as session:
            rows = CredenciaisRepository(session).list(advogado_id=advogado_id, active=True if active_only else None)
            ids = [row.id for row in rows if wanted is None or Tribunal(row.tribunal) in wanted]
        out = [self.get(credencial_id) for credencial_id in ids]
        registry = get_registry()
        return sorted(out, key=lambda c: (registry.ordem(c.tribunal), registry.ordem_grau(c.grau), c.id))

    def resumo(self, credencial_id: int) -> CredencialResumo:
        """One credential's listing row, without decrypting. ``NaoEncontrado`` if absent."""
        found = self.list(ids=[credencial_id])
        if not found:
            raise NaoEncontrado(f"credencial {credencial_id} não existe")
        return found[0]

    def list(self, *, advogado_id: int | None = None, ids: Sequence[int] | None = None) -> list[CredencialResumo]:
        """Every credential (or a lawyer's, or those of ``ids``) without decrypting anything."""
        with session_scope(factory=self._factory) as session:
            rows = CredenciaisRepository(session).list(advogado_id=advogado_id, ids=ids)
            return [
                CredencialResumo(
                    id=row.id,
                    advogado_id=row.advogado_id,
                    tribunal=row.tribunal,
                    grau=row.grau,
                    usuario_mascarado=mask_usuario(row.usuario or row.advogado.cpf),
                    otp_kind=(
                        OtpKind.TOTP
                        if row.totp_secret_cifrado is not None
                        else OtpKind.TWOFAUTH
                        if row.twofauth_cifrado is not None
                        else OtpKind.NONE
                    ),
                    active=row.active,
                    falha_login=row.falha_login_codigo,
                    falha_login_em=row.falha_login_em,
                )
                for row in rows
            ]

    def _decrypt(self, row: Any) -> Credencial:
        def dec(field: str, blob: bytes, what: str) -> str:
            return self.cipher.decrypt_text(blob, aad=_aad_do_blob(row, field, blob), what=what)

        senha = dec("senha", row.senha_cifrada, f"a senha da credencial {row.id}")
        totp = (
            dec("totp_secret", row.totp_secret_cifrado, f"o segredo TOTP da credencial {row.id}")
            if row.totp_secret_cifrado is not None
            else None
        )
        twofauth = None
        if row.twofauth_cifrado is not None:
            text = dec("twofauth", row.twofauth_cifrado, f"a configuração 2FAuth da credencial {row.id}")
            twofauth = TwoFAuth.from_config(_load_json_object(text))
        return Credencial(
            id=row.id,
            uuid=row.uuid,
            advogado_id=row.advogado_id,
            tribunal=Tribunal(row.tribunal),
            grau=Grau(row.grau),
            usuario=row.usuario or row.advogado.cpf,
            senha=SecretStr(senha),
            totp_secret=SecretStr(totp) if totp is not None else None,
            twofauth=twofauth,
            active=row.active,
        )


def _valor(value: Any) -> str:
    return str(getattr(value, "value", value))


def _aad_vinculado(row_uuid: str, field: str, tribunal: Any, grau: Any) -> bytes:
    """The associated data binding a credential secret to its row, field, tribunal and grau."""
    return credencial_aad(row_uuid, field, _valor(tribunal), _valor(grau))


def _aad_do_blob(row: Any, field: str, blob: bytes) -> bytes:
    """The associated data a stored blob was sealed with: bound (version 2) or legacy (version 1)."""
    if Cipher.version_of(blob) == BLOB_VERSION_VINCULADO:
        return _aad_vinculado(row.uuid, field, row.tribunal, row.grau)
    return credencial_aad(row.uuid, field)


def _selar(cipher: Cipher, plaintext: str | bytes, row_uuid: str, field: str, tribunal: Any, grau: Any) -> bytes:
    """Seal a credential secret bound to its row, field, tribunal and grau (version 2)."""
    return cipher.encrypt(
        plaintext, aad=_aad_vinculado(row_uuid, field, tribunal, grau), version=BLOB_VERSION_VINCULADO
    )


def _load_json_object(text: str) -> Mapping[str, Any]:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise EntradaInvalida("configuração 2FAuth armazenada não é um objeto")
    return data
