"""The session store: encrypted, shared, invalidated only when it is the rejected session."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db.models import Sessao
from sinesys_spiders.core.errors import ChaveInvalida
from sinesys_spiders.core.sessions import SessaoPje, SqlSessionStore
from sinesys_spiders.core.timeutil import utcnow

COOKIE_VALUE = "cookie-canary-0c5e1f3b9d"


def _sessao(credencial_id: int, **changes: object) -> SessaoPje:
    base = SessaoPje.from_login(
        credencial_id=credencial_id,
        base_url="http://127.0.1.3:8800",
        id_advogado=29203,
        cookies=[
            {"name": "access_token", "value": COOKIE_VALUE, "domain": "127.0.1.3", "path": "/"},
            {"name": "Xsrf-Token", "value": "x1", "domain": "127.0.1.3", "path": "/"},
            {"name": "AUTH_SESSION_ID", "value": "sso", "domain": "127.0.0.1", "path": "/auth/realms/pje/"},
        ],
        claims={"id": 29203, "name": "Ana"},
        token_expires_at=(utcnow() + dt.timedelta(hours=1)).timestamp(),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_saved_session_comes_back_and_counts_one_login(store: SqlSessionStore, credencial_ids: list[int]) -> None:
    """What one process saves, another reads back intact until it expires."""
    cid = credencial_ids[0]
    assert store.get(cid) is None
    sessao = _sessao(cid)
    store.save(sessao)
    again = store.get(cid)
    assert again == sessao
    assert again.id_advogado == 29203
    assert store.logins(cid) == 1
    assert store.get(credencial_ids[1]) is None  # one session per credential


def test_the_session_is_encrypted_at_rest(
    store: SqlSessionStore, credencial_ids: list[int], factory: sessionmaker[Session]
) -> None:
    """No cookie value is readable in the ``sessoes`` row; another key cannot read it and never deletes it."""
    cid = credencial_ids[0]
    store.save(_sessao(cid))
    with factory() as db:
        row = db.scalars(select(Sessao).where(Sessao.credencial_id == cid)).one()
        assert row.dados_cifrados is not None
        assert COOKIE_VALUE.encode() not in row.dados_cifrados
        assert COOKIE_VALUE not in repr(row)
    other = SqlSessionStore(factory, Cipher.from_text(generate_key()))
    with pytest.raises(ChaveInvalida, match="chave"):
        other.get(cid)
    with pytest.raises(ChaveInvalida):
        other.invalidate(cid, session_id="x")
    assert store.get(cid) is not None  # the right key still reads it: nothing was deleted


def test_cookies_for_a_request_are_the_tribunal_host_ones(credencial_ids: list[int]) -> None:
    """The SSO's cookies are not sent to the tribunal; host-only cookies carry no domain."""
    cookies = _sessao(credencial_ids[0]).cookies_for("http://127.0.1.3:8800/pje-comum-api/api/x")
    assert sorted(c["name"] for c in cookies) == ["Xsrf-Token", "access_token"]
    assert all("domain" not in c for c in cookies)
    assert COOKIE_VALUE not in repr(_sessao(credencial_ids[0]))


def test_invalidate_drops_only_the_rejected_session(store: SqlSessionStore, credencial_ids: list[int]) -> None:
    """A late rejection of an old session does not drop the newer one another spider made."""
    cid = credencial_ids[0]
    old = _sessao(cid)
    store.save(old)
    new = _sessao(cid)
    store.save(new)
    assert store.invalidate(cid, session_id=old.session_id) is False
    assert store.get(cid) == new
    assert store.invalidate(cid, session_id=new.session_id) is True
    assert store.get(cid) is None
    assert store.logins(cid) == 2


def test_expired_and_idle_sessions_are_not_reused(
    store: SqlSessionStore, credencial_ids: list[int], factory: sessionmaker[Session], cipher: Cipher
) -> None:
    """A session past its token's expiry, or idle longer than PJE keeps it, is not handed out."""
    cid = credencial_ids[0]
    store.save(_sessao(cid, expires_at=utcnow() - dt.timedelta(seconds=1)))
    assert store.get(cid) is None
    store.save(_sessao(cid))
    idle = SqlSessionStore(factory, cipher, idle_ttl=dt.timedelta(seconds=0))
    assert idle.get(cid) is None
    assert store.get(cid) is not None


def test_the_otp_step_only_moves_forward(store: SqlSessionStore, credencial_ids: list[int]) -> None:
    """Recording an older step never lowers the last step used; invalidation keeps it."""
    cid = credencial_ids[0]
    assert store.otp_ultimo_passo(cid) is None
    store.record_otp_step(cid, 100)
    store.record_otp_step(cid, 99)
    assert store.otp_ultimo_passo(cid) == 100
    store.save(_sessao(cid))
    store.invalidate(cid)
    assert store.otp_ultimo_passo(cid) == 100
