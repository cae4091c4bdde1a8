"""Local users (``sinesys usuarios add``) and their server-side cookie sessions.

Passwords are hashed with argon2id (argon2-cffi's defaults). ``POST /api/auth/login`` opens a session:
a random token (256 bits) goes to the browser as an HttpOnly cookie, its SHA-256 digest to
``sessoes_api``, with a CSRF token (returned once in the login body) whose digest is kept beside it.
A session ends after ``sessao_ociosa`` seconds without use, ``sessao_maxima`` seconds after login, or on
logout (revoked: the token never works again).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.auth.chaves import digest
from api.auth.escopos import Escopo, parse_escopos
from sinesys_spiders.core.db.models import SessaoApi, UsuarioApi
from sinesys_spiders.core.errors import EntradaInvalida, NaoEncontrado
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["SessaoAtiva", "UsuarioResumo", "UsuariosService"]

_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
_MIN_SENHA = 12
_USO_MINIMO = dt.timedelta(seconds=15)
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("sinesys: no such user")


@dataclasses.dataclass(frozen=True, slots=True)
class UsuarioResumo:
    id: int
    login: str
    nome: str | None
    escopos: list[str]
    ativo: bool

    @property
    def escopos_enum(self) -> frozenset[Escopo]:
        return frozenset(Escopo.parse(e) for e in self.escopos)


@dataclasses.dataclass(frozen=True, slots=True)
class SessaoAtiva:
    """A valid session: whose it is and the digest its CSRF token must match."""

    id: int
    usuario: UsuarioResumo
    csrf_digest: str

    def csrf_ok(self, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf_digest, digest(token or ""))


def _resumo(row: UsuarioApi) -> UsuarioResumo:
    return UsuarioResumo(id=row.id, login=row.login, nome=row.nome, escopos=list(row.escopos), ativo=row.ativo)


def validar_senha_nova(senha: str) -> None:
    if not isinstance(senha, str) or len(senha) < _MIN_SENHA:
        raise EntradaInvalida(f"senha: use ao menos {_MIN_SENHA} caracteres")
    if len(senha) > 1024 or any(ch in senha for ch in "\r\n\x00"):
        raise EntradaInvalida("senha: no máximo 1024 caracteres, numa linha")


class UsuariosService:
    """Add, list and disable users; check passwords; open, resolve and revoke sessions."""

    def __init__(self, session_factory: sessionmaker[Session], *, ociosa: float = 1800.0, maxima: float = 43200.0):
        self._factory = session_factory
        self.ociosa = dt.timedelta(seconds=ociosa)
        self.maxima = dt.timedelta(seconds=maxima)

    # -- users -----------------------------------------------------------------------------------

    def adicionar(self, login: str, senha: str, escopo: str, *, nome: str | None = None) -> UsuarioResumo:
        login = (login or "").strip().lower()
        if not _LOGIN.match(login):
            raise EntradaInvalida("login: use 2 a 64 letras minúsculas, dígitos, ponto, @, hífen ou sublinhado")
        validar_senha_nova(senha)
        try:
            escopos = parse_escopos(escopo)
        except ValueError as exc:
            raise EntradaInvalida(f"escopo: {exc}") from None
        with self._factory.begin() as session:
            if session.scalars(select(UsuarioApi.id).where(UsuarioApi.login == login)).first() is not None:
                raise EntradaInvalida(f"já existe o usuário {login!r}")
            row = UsuarioApi(login=login, nome=nome, senha_hash=_hasher.hash(senha), escopos=escopos, ativo=True)
            session.add(row)
            session.flush()
            return _resumo(row)

    def listar(self) -> list[UsuarioResumo]:
        with self._factory() as session:
            return [_resumo(r) for r in session.scalars(select(UsuarioApi).order_by(UsuarioApi.id))]

    def definir_ativo(self, login: str, ativo: bool) -> UsuarioResumo:
        """Enable or disable a user; disabling also revokes their sessions."""
        with self._factory.begin() as session:
            row = session.scalars(select(UsuarioApi).where(UsuarioApi.login == login.strip().lower())).first()
            if row is None:
                raise NaoEncontrado(f"usuário {login!r} não encontrado")
            row.ativo = ativo
            if not ativo:
                session.execute(
                    update(SessaoApi)
                    .where(SessaoApi.usuario_id == row.id, SessaoApi.revogada_em.is_(None))
                    .values(revogada_em=utcnow())
                )
            return _resumo(row)

    def autenticar(self, login: str, senha: str) -> UsuarioResumo | None:
        """The active user when the password matches; ``None`` otherwise (same work either way)."""
        with self._factory() as session:
            row = session.scalars(select(UsuarioApi).where(UsuarioApi.login == (login or "").strip().lower())).first()
        hashed = row.senha_hash if row is not None else _DUMMY_HASH
        try:
            _hasher.verify(hashed, senha or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None or not row.ativo:
            return None
        if _hasher.check_needs_rehash(hashed):
            with self._factory.begin() as session:
                session.execute(
                    update(UsuarioApi).where(UsuarioApi.id == row.id).values(senha_hash=_hasher.hash(senha))
                )
        return _resumo(row)

    # -- sessions --------------------------------------------------------------------------------

    def abrir_sessao(self, usuario: UsuarioResumo) -> tuple[str, str]:
        """A new session for ``usuario``: ``(cookie token, CSRF token)``, both shown only now."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        agora = utcnow()
        with self._factory.begin() as session:
            session.add(
                SessaoApi(
                    digest=digest(token),
                    csrf_digest=digest(csrf),
                    usuario_id=usuario.id,
                    criada_em=agora,
                    ultimo_uso_em=agora,
                    expira_em=agora + self.maxima,
                )
            )
        return token, csrf

    def resolver(self, token: str) -> SessaoAtiva | None:
        """The live session of a cookie token (touching its last use); ``None`` if unknown or ended."""
        if not token or len(token) > 256:
            return None
        agora = utcnow()
        with self._factory() as session:
            found = session.execute(
                select(SessaoApi, UsuarioApi)
                .join(UsuarioApi, UsuarioApi.id == SessaoApi.usuario_id)
                .where(SessaoApi.digest == digest(token))
            ).first()
            if found is None:
                return None
            sessao, usuario = found
            if (
                sessao.revogada_em is not None
                or sessao.expira_em <= agora
                or sessao.ultimo_uso_em + self.ociosa <= agora
                or not usuario.ativo
            ):
                return None
            if sessao.ultimo_uso_em < agora - _USO_MINIMO:
                session.execute(update(SessaoApi).where(SessaoApi.id == sessao.id).values(ultimo_uso_em=agora))
                session.commit()
            return SessaoAtiva(id=sessao.id, usuario=_resumo(usuario), csrf_digest=sessao.csrf_digest)

    def revogar_sessao(self, sessao_id: int) -> None:
        with self._factory.begin() as session:
            session.execute(
                update(SessaoApi)
                .where(SessaoApi.id == sessao_id, SessaoApi.revogada_em.is_(None))
                .values(revogada_em=utcnow())
            )
