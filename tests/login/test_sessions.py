"""The session store on SQL (SQLite and PostgreSQL): the session-store contract, and the session's own rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.crypto import Cipher
from sinesys_spiders.core.db.models import Sessao
from sinesys_spiders.core.sessions import DEFAULT_IDLE_TTL, SessionStore, SqlSessionStore
from sinesys_spiders.testing.sessions_contract import COOKIE_VALUE, SessionStoreContract, make_sessao


class TestSqlSessionStore(SessionStoreContract):
    """The ``sessoes`` table: every behaviour of the contract."""

    @pytest.fixture
    def store_factory(self, factory: sessionmaker[Session]) -> Callable[..., SessionStore]:
        def make(cipher: Cipher, idle_ttl: dt.timedelta | None = DEFAULT_IDLE_TTL) -> SessionStore:
            return SqlSessionStore(factory, cipher, idle_ttl=idle_ttl)

        return make

    @pytest.fixture
    def stored_bytes(self, factory: sessionmaker[Session]) -> Callable[[int], bytes]:
        def read(credencial_id: int) -> bytes:
            with factory() as db:
                row = db.scalars(select(Sessao).where(Sessao.credencial_id == credencial_id)).one()
                return b"|".join(str(getattr(row, c.key)).encode() for c in Sessao.__mapper__.column_attrs) + bytes(
                    row.dados_cifrados or b""
                )

        return read

    @pytest.fixture
    def copy_stored_session(self, factory: sessionmaker[Session]) -> Callable[[int, int], None]:
        def copy(source: int, target: int) -> None:
            with factory.begin() as db:
                dados = db.scalars(select(Sessao.dados_cifrados).where(Sessao.credencial_id == source)).one()
                db.execute(update(Sessao).where(Sessao.credencial_id == target).values(dados_cifrados=dados))

        return copy


def test_cookies_for_a_request_are_the_tribunal_host_ones(credencial_ids: list[int]) -> None:
    """The SSO's cookies are not sent to the tribunal; host-only cookies carry no domain."""
    cookies = make_sessao(credencial_ids[0]).cookies_for("http://127.0.1.3:8800/pje-comum-api/api/x")
    assert sorted(c["name"] for c in cookies) == ["Xsrf-Token", "access_token"]
    assert all("domain" not in c for c in cookies)
    assert COOKIE_VALUE not in repr(make_sessao(credencial_ids[0]))
