"""Permanent login failures remembered across processes (issue 4).

A tribunal that refused a credential's password or codes, or that blocked it (WAF) or was in
maintenance, is not asked again by the next ``scrapy crawl``, Scrapyd job or scheduled run: real
courts lock accounts and block addresses that keep trying. The failure is kept on the credential
(``credenciais.falha_login_*``) and :func:`refusal` turns it into the error to raise instead of
logging in:

=========================  ==================================================================
code                        refused
=========================  ==================================================================
``SENHA_INVALIDA``          until the credential is corrected (``credenciais update``/``enable``)
``OTP_INVALIDO``            same
``BLOQUEIO_WAF``            for ``SINESYS_LOGIN_COOLDOWN_WAF`` seconds (default 6 h), then one try
``TRIBUNAL_EM_MANUTENCAO``  for ``SINESYS_LOGIN_COOLDOWN_MANUTENCAO`` seconds (default 30 min)
=========================  ==================================================================

A WAF block and a maintenance page are not about one credential: a WAF blocks the address the crawls leave from
at the whole tribunal, and maintenance takes down a tribunal's grau. During their cool-down the other credentials
of that tribunal (for maintenance, of that tribunal and grau) are refused too (:func:`refusal_vizinha`), instead
of each trying once more from the blocked address and lengthening the block. The record is shared by every worker
on the database (a firm's workers usually leave through one address), so a block seen by one stops them all.

A successful login, ``sinesys credenciais update`` and ``sinesys credenciais enable`` clear it.
Messages carry codes, ids and times only, never a secret.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Protocol, runtime_checkable

from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.db.engine import session_scope
from sinesys_spiders.core.db.repositories.credenciais import CredenciaisRepository
from sinesys_spiders.core.errors import (
    BloqueioWaf,
    OtpInvalido,
    SenhaInvalida,
    SinesysError,
    TribunalEmManutencao,
    error_from_code,
)
from sinesys_spiders.core.timeutil import ensure_utc

__all__ = [
    "REMEMBERED",
    "VIZINHAS",
    "FalhaLogin",
    "LoginCooldowns",
    "LoginFailureStore",
    "SqlLoginFailureStore",
    "refusal",
    "refusal_vizinha",
]

#: The login failures worth remembering: retrying them blindly harms the account or the address.
REMEMBERED: frozenset[str] = frozenset(
    {SenhaInvalida.code, OtpInvalido.code, BloqueioWaf.code, TribunalEmManutencao.code}
)


#: Failures that stop the other credentials too, and whether only those of the same grau: a WAF blocks the
#: address at the whole tribunal; maintenance takes down one grau's PJE.
VIZINHAS: dict[str, bool] = {BloqueioWaf.code: False, TribunalEmManutencao.code: True}


@dataclasses.dataclass(frozen=True, slots=True)
class FalhaLogin:
    """A credential's recorded login failure: its code, safe message and when it happened (UTC)."""

    codigo: str
    mensagem: str
    em: dt.datetime


@dataclasses.dataclass(frozen=True, slots=True)
class LoginCooldowns:
    """How long a temporary failure (WAF block, maintenance) refuses new logins."""

    waf: dt.timedelta = dt.timedelta(hours=6)
    manutencao: dt.timedelta = dt.timedelta(minutes=30)

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginCooldowns:
        return cls(
            waf=dt.timedelta(seconds=settings.login_cooldown_waf),
            manutencao=dt.timedelta(seconds=settings.login_cooldown_manutencao),
        )

    def of(self, codigo: str) -> dt.timedelta | None:
        """The cool-down of ``codigo``; ``None`` when it is refused until corrected."""
        return {BloqueioWaf.code: self.waf, TribunalEmManutencao.code: self.manutencao}.get(codigo)


@runtime_checkable
class LoginFailureStore(Protocol):
    """Where every process reads and writes the credentials' login failures."""

    def get(self, credencial_id: int) -> FalhaLogin | None:
        """The credential's recorded failure, if any."""
        ...

    def record(self, credencial_id: int, falha: FalhaLogin) -> None:
        """Remember ``falha`` (replacing an earlier one)."""
        ...

    def clear(self, credencial_id: int) -> bool:
        """Forget the credential's failure; ``True`` if there was one."""
        ...

    def latest(self, codigo: str, *, tribunal: str, grau: str | None, except_id: int) -> tuple[int, FalhaLogin] | None:
        """The most recent ``codigo`` failure of another credential at ``tribunal`` (and ``grau``), and its id."""
        ...


class SqlLoginFailureStore:
    """Failures in the ``credenciais.falha_login_*`` columns."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    def __repr__(self) -> str:
        return "SqlLoginFailureStore()"

    def get(self, credencial_id: int) -> FalhaLogin | None:
        with session_scope(factory=self._factory) as db:
            row = CredenciaisRepository(db).get(credencial_id=credencial_id)
            if row is None or row.falha_login_codigo is None or row.falha_login_em is None:
                return None
            return FalhaLogin(row.falha_login_codigo, row.falha_login_mensagem or "", row.falha_login_em)

    def record(self, credencial_id: int, falha: FalhaLogin) -> None:
        with session_scope(factory=self._factory) as db:
            CredenciaisRepository(db).record_login_failure(
                credencial_id=credencial_id, codigo=falha.codigo, mensagem=falha.mensagem, em=falha.em
            )

    def clear(self, credencial_id: int) -> bool:
        with session_scope(factory=self._factory) as db:
            return CredenciaisRepository(db).clear_login_failure(credencial_id=credencial_id)

    def latest(self, codigo: str, *, tribunal: str, grau: str | None, except_id: int) -> tuple[int, FalhaLogin] | None:
        with session_scope(factory=self._factory) as db:
            row = CredenciaisRepository(db).latest_login_failure(
                codigo=codigo, tribunal=tribunal, grau=grau, except_id=except_id
            )
            if row is None or row.falha_login_em is None:
                return None
            return row.id, FalhaLogin(codigo, row.falha_login_mensagem or "", row.falha_login_em)


def _quando(value: dt.datetime) -> str:
    return ensure_utc(value).strftime("%d/%m/%Y %H:%M UTC")


def refusal(
    credencial_id: int, falha: FalhaLogin, *, now: dt.datetime, cooldowns: LoginCooldowns
) -> SinesysError | None:
    """The error to raise instead of logging in, or ``None`` when a new attempt is allowed."""
    if falha.codigo not in REMEMBERED:
        return None
    enable = f"`sinesys credenciais enable {credencial_id}`"
    cooldown = cooldowns.of(falha.codigo)
    if cooldown is None:
        if falha.codigo == SenhaInvalida.code:
            what, fix = "senha rejeitada", f"atualize com `sinesys credenciais update {credencial_id} --senha`"
        else:
            what = "códigos OTP rejeitados"
            fix = f"confira o segundo fator e atualize com `sinesys credenciais update {credencial_id} --otp totp`"
        message = (
            f"credencial {credencial_id}: {what} pelo tribunal em {_quando(falha.em)}; nenhum novo login "
            f"será tentado: {fix} ou reative com {enable}"
        )
        return error_from_code(falha.codigo, message)
    return _temporaria(credencial_id, falha, now=now, cooldown=cooldown)


def refusal_vizinha(
    credencial_id: int, onde: str, vizinha: tuple[int, FalhaLogin], *, now: dt.datetime, cooldowns: LoginCooldowns
) -> SinesysError | None:
    """The error for a credential whose tribunal (``onde``) blocked or is down for another credential; else ``None``."""
    outra_id, falha = vizinha
    cooldown = cooldowns.of(falha.codigo)
    if falha.codigo not in VIZINHAS or cooldown is None:
        return None
    return _temporaria(credencial_id, falha, now=now, cooldown=cooldown, vizinha=(outra_id, onde))


def _temporaria(
    credencial_id: int,
    falha: FalhaLogin,
    *,
    now: dt.datetime,
    cooldown: dt.timedelta,
    vizinha: tuple[int, str] | None = None,
) -> SinesysError | None:
    ate = ensure_utc(falha.em) + cooldown
    if now >= ate:
        return None
    what = "bloqueio do firewall (WAF)" if falha.codigo == BloqueioWaf.code else "tribunal em manutenção"
    setting = "SINESYS_LOGIN_COOLDOWN_WAF" if falha.codigo == BloqueioWaf.code else "SINESYS_LOGIN_COOLDOWN_MANUTENCAO"
    antes = f"`sinesys credenciais enable {credencial_id}`"
    if vizinha is not None:  # recorded on another credential; others may carry it too: `credenciais list` shows them
        origem_id, onde = vizinha
        what = f"{what} no {onde} (registrado na credencial {origem_id})"
        antes = (
            f"`sinesys credenciais enable {origem_id}` "
            "(e nas demais com o mesmo bloqueio, que `sinesys credenciais list` mostra)"
        )
    message = (
        f"credencial {credencial_id}: {what} em {_quando(falha.em)}; nova tentativa de login a partir de "
        f"{_quando(ate)} ({setting}); para tentar antes, {antes}"
    )
    return error_from_code(falha.codigo, message)
