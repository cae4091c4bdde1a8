"""The contract every session store passes (``sinesys_spiders.core.sessions.SessionStore``).

Subclass :class:`SessionStoreContract` in a test module and provide the fixtures that reach your storage::

    from sinesys_spiders.testing.sessions_contract import SessionStoreContract

    class TestMySessions(SessionStoreContract):
        @pytest.fixture
        def store_factory(self, my_storage):
            # a store on the same storage every call, sealed with `cipher`, sessions idle after `idle_ttl`
            return lambda cipher, idle_ttl=DEFAULT_IDLE_TTL: MySessionStore(my_storage, cipher, idle_ttl=idle_ttl)

        @pytest.fixture
        def credencial_ids(self):
            return [1, 2]  # two credentials your storage accepts

        @pytest.fixture
        def stored_bytes(self, my_storage):
            return lambda credencial_id: b"..."  # every byte your storage holds for that credential

        @pytest.fixture
        def copy_stored_session(self, my_storage):
            return lambda source, target: ...  # the stored (sealed) session of `source` put on `target`

Every test then runs against your back end: the same behaviour as the SQL and Redis stores, including encryption
at rest (no cookie value in the stored bytes), a session moved to another credential not being handed out, and a
wrong key stopping with ``CHAVE_INVALIDA`` without deleting anything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.errors import ChaveInvalida
from sinesys_spiders.core.sessions import SessaoTribunal, SessionStore
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["COOKIE_VALUE", "SessionStoreContract", "make_sessao"]

#: A cookie value that must never be found in the stored bytes.
COOKIE_VALUE = "cookie-canary-0c5e1f3b9d"


def make_sessao(credencial_id: int, **changes: object) -> SessaoTribunal:
    """A realistic session: the tribunal's cookies, the SSO's, the token's claims, one hour left."""
    base = SessaoTribunal.from_login(
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


class SessionStoreContract:
    """Behaviour every ``SessionStore`` shares (SQL, Redis, yours)."""

    @pytest.fixture
    def store(self, store_factory: Callable[..., SessionStore], cipher: Cipher) -> SessionStore:
        return store_factory(cipher)

    def test_a_saved_session_comes_back_and_counts_one_login(
        self, store: SessionStore, credencial_ids: list[int]
    ) -> None:
        """What one process saves, another reads back intact until it expires; one session per credential."""
        cid = credencial_ids[0]
        assert store.get(cid) is None
        assert store.logins(cid) == 0
        sessao = make_sessao(cid)
        store.save(sessao)
        again = store.get(cid)
        assert again == sessao
        assert again is not None
        assert again.id_advogado == 29203
        assert store.logins(cid) == 1
        assert store.get(credencial_ids[1]) is None

    def test_another_store_on_the_same_storage_sees_it(
        self, store_factory: Callable[..., SessionStore], cipher: Cipher, credencial_ids: list[int]
    ) -> None:
        """A session saved through one store (one worker) is read by another (another worker): one login serves all."""
        cid = credencial_ids[0]
        sessao = make_sessao(cid)
        store_factory(cipher).save(sessao)
        assert store_factory(cipher).get(cid) == sessao

    def test_the_session_is_encrypted_at_rest(
        self,
        store: SessionStore,
        store_factory: Callable[..., SessionStore],
        credencial_ids: list[int],
        stored_bytes: Callable[[int], bytes],
    ) -> None:
        """No cookie value is readable in what the storage holds; another key cannot read it and never deletes it."""
        cid = credencial_ids[0]
        store.save(make_sessao(cid))
        held = stored_bytes(cid)
        assert held
        assert COOKIE_VALUE.encode() not in held
        assert COOKIE_VALUE not in repr(store)
        other = store_factory(Cipher.from_text(generate_key()))
        with pytest.raises(ChaveInvalida, match="chave"):
            other.get(cid)
        with pytest.raises(ChaveInvalida):
            other.invalidate(cid, session_id="x")
        assert store.get(cid) is not None  # the right key still reads it: nothing was deleted

    def test_a_session_moved_to_another_credential_is_not_handed_out(
        self,
        store: SessionStore,
        credencial_ids: list[int],
        copy_stored_session: Callable[[int, int], None],
    ) -> None:
        """The sealed session is bound to its credential: copied onto another one it does not decrypt there."""
        first, second = credencial_ids[:2]
        store.save(make_sessao(first))
        store.save(make_sessao(second))
        copy_stored_session(first, second)
        assert store.get(second) is None
        assert store.get(first) is not None

    def test_invalidate_drops_only_the_rejected_session(self, store: SessionStore, credencial_ids: list[int]) -> None:
        """A late rejection of an old session does not drop the newer one another worker made."""
        cid = credencial_ids[0]
        old = make_sessao(cid)
        store.save(old)
        new = make_sessao(cid)
        store.save(new)
        assert store.invalidate(cid, session_id=old.session_id) is False
        assert store.get(cid) == new
        assert store.invalidate(cid, session_id=new.session_id) is True
        assert store.get(cid) is None
        assert store.invalidate(cid) is False
        assert store.logins(cid) == 2

    def test_expired_and_idle_sessions_are_not_reused(
        self,
        store: SessionStore,
        store_factory: Callable[..., SessionStore],
        cipher: Cipher,
        credencial_ids: list[int],
    ) -> None:
        """A session past its token's expiry, or idle longer than PJE keeps it, is not handed out; a touch keeps
        it alive."""
        cid = credencial_ids[0]
        store.save(make_sessao(cid, expires_at=utcnow() - dt.timedelta(seconds=1)))
        assert store.get(cid) is None
        store.save(make_sessao(cid))
        assert store_factory(cipher, idle_ttl=dt.timedelta(seconds=0)).get(cid) is None
        store.touch(cid)
        assert store.get(cid) is not None

    def test_the_otp_step_only_moves_forward(self, store: SessionStore, credencial_ids: list[int]) -> None:
        """Recording an older step never lowers the last step used; a new session and an invalidation keep it."""
        cid = credencial_ids[0]
        assert store.otp_ultimo_passo(cid) is None
        store.record_otp_step(cid, 100)
        store.record_otp_step(cid, 99)
        assert store.otp_ultimo_passo(cid) == 100
        store.save(make_sessao(cid))
        store.invalidate(cid)
        assert store.otp_ultimo_passo(cid) == 100
        assert store.otp_ultimo_passo(credencial_ids[1]) is None
