"""Lawyers, credentials and tribunal overrides round-trip through their repositories."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sinesys_spiders.core.db.models import Credencial
from sinesys_spiders.core.db.repositories import (
    AdvogadosRepository,
    CredenciaisRepository,
    TribunaisConfigRepository,
    new_credencial_uuid,
)
from sinesys_spiders.core.domain import Grau, Tribunal

CPF = "12345678909"


def _advogado(session: Session, cpf: str = CPF) -> int:
    return AdvogadosRepository(session).add(nome_completo="Ana Souza", cpf=cpf, oabs=[{"numero": "123", "uf": "MG"}]).id


def test_advogado_round_trip(db_session: Session) -> None:
    """A lawyer added is found by id and CPF, with their OAB list and aware UTC timestamps."""
    repo = AdvogadosRepository(db_session)
    advogado_id = _advogado(db_session)
    db_session.commit()
    db_session.expunge_all()
    found = repo.get(advogado_id=advogado_id)
    assert found is not None
    assert repo.by_cpf(cpf=CPF) is not None
    assert repo.by_cpf(cpf=CPF).id == advogado_id
    assert found.oabs == [{"numero": "123", "uf": "MG"}]
    assert found.created_at.tzinfo is dt.UTC
    assert [a.id for a in repo.list()] == [advogado_id]
    assert repo.update(advogado_id=advogado_id, nome_completo="Ana S.") is not None
    assert repo.get(advogado_id=advogado_id).nome_completo == "Ana S."
    assert repo.get(advogado_id=999) is None
    assert CPF not in repr(found)


def test_advogado_cpf_is_unique(db_session: Session) -> None:
    """The same CPF cannot be registered twice."""
    _advogado(db_session)
    with pytest.raises(IntegrityError):
        _advogado(db_session)


def test_credencial_round_trip_keeps_ciphertexts_as_bytes(db_session: Session) -> None:
    """Ciphertexts go in and come out byte for byte, bound to the uuid chosen before encryption."""
    advogado_id = _advogado(db_session)
    repo = CredenciaisRepository(db_session)
    uuid = new_credencial_uuid()
    added = repo.add(
        advogado_id=advogado_id,
        tribunal=Tribunal("TRT3"),
        grau=Grau.PRIMEIRO_GRAU,
        uuid=uuid,
        senha_cifrada=b"\x00cipher\xff",
        totp_secret_cifrado=b"totp",
    )
    db_session.commit()
    db_session.expunge_all()
    found = repo.get(credencial_id=added.id)
    assert found is not None
    assert (found.uuid, found.tribunal, found.grau) == (uuid, "TRT3", "primeiro_grau")
    assert found.senha_cifrada == b"\x00cipher\xff"
    assert found.totp_secret_cifrado == b"totp"
    assert found.twofauth_cifrado is None
    assert found.active is True
    assert repo.by_uuid(uuid=uuid).id == added.id
    assert repo.by_key(advogado_id=advogado_id, tribunal="TRT3", grau="primeiro_grau").id == added.id
    assert b"cipher" not in repr(found).encode()


def test_credencial_list_filters_and_set_active(db_session: Session) -> None:
    """Listing filters by lawyer, tribunal, grau and active flag; set_active toggles the flag."""
    advogado_id = _advogado(db_session)
    other = _advogado(db_session, cpf="98765432100")
    repo = CredenciaisRepository(db_session)
    a = repo.add(advogado_id=advogado_id, tribunal="TRT3", grau="primeiro_grau", senha_cifrada=b"a")
    b = repo.add(advogado_id=advogado_id, tribunal="TRT3", grau="segundo_grau", senha_cifrada=b"b")
    c = repo.add(advogado_id=other, tribunal="TRT1", grau="primeiro_grau", senha_cifrada=b"c")
    assert [x.id for x in repo.list(advogado_id=advogado_id)] == [a.id, b.id]
    assert [x.id for x in repo.list(tribunal="TRT1")] == [c.id]
    assert [x.id for x in repo.list(grau=Grau.SEGUNDO_GRAU)] == [b.id]
    assert repo.set_active(credencial_id=b.id, active=False).active is False
    db_session.commit()
    assert [x.id for x in repo.list(active=True)] == [a.id, c.id]
    assert [x.id for x in repo.list(ids=[c.id, b.id])] == [b.id, c.id]
    assert repo.set_active(credencial_id=12345, active=True) is None


def test_credencial_update_ciphertexts_and_rotation_iterator(db_session: Session) -> None:
    """Ciphertexts are replaced (None clears an optional one) and iter_all visits every credential once."""
    advogado_id = _advogado(db_session)
    repo = CredenciaisRepository(db_session)
    ids = [
        repo.add(advogado_id=advogado_id, tribunal=f"TRT{n}", grau="primeiro_grau", senha_cifrada=b"old").id
        for n in range(1, 6)
    ]
    repo.set_active(credencial_id=ids[0], active=False)
    updated = repo.update_ciphertexts(credencial_id=ids[1], senha_cifrada=b"new", totp_secret_cifrado=b"t")
    assert updated is not None
    assert updated.senha_cifrada == b"new"
    repo.update_ciphertexts(credencial_id=ids[1], totp_secret_cifrado=None)
    db_session.commit()
    db_session.expunge_all()
    again = repo.get(credencial_id=ids[1])
    assert (again.senha_cifrada, again.totp_secret_cifrado) == (b"new", None)
    assert [c.id for c in repo.iter_all(batch_size=2)] == ids


def test_credencial_key_is_unique(db_session: Session) -> None:
    """A lawyer has at most one credential per tribunal and grau."""
    advogado_id = _advogado(db_session)
    repo = CredenciaisRepository(db_session)
    repo.add(advogado_id=advogado_id, tribunal="TRT3", grau="primeiro_grau", senha_cifrada=b"a")
    with pytest.raises(IntegrityError):
        repo.add(advogado_id=advogado_id, tribunal="TRT3", grau="primeiro_grau", senha_cifrada=b"b")


def test_no_plaintext_secret_column(db_session: Session) -> None:
    """The credentials table has only ciphertext columns for secrets."""
    columns = {c["name"] for c in inspect(db_session.get_bind()).get_columns("credenciais")}
    assert {"senha_cifrada", "totp_secret_cifrado", "twofauth_cifrado"} <= columns
    assert not {"senha", "password", "totp_secret", "token"} & columns


def test_deleting_advogado_cascades_to_credenciais(db_session: Session) -> None:
    """Removing a lawyer removes their credentials (foreign keys are enforced on SQLite too)."""
    advogado_id = _advogado(db_session)
    CredenciaisRepository(db_session).add(
        advogado_id=advogado_id, tribunal="TRT3", grau="primeiro_grau", senha_cifrada=b"a"
    )
    db_session.commit()
    assert AdvogadosRepository(db_session).delete(advogado_id=advogado_id)
    db_session.commit()
    assert db_session.scalar(text("SELECT count(*) FROM credenciais")) == 0
    assert db_session.query(Credencial).count() == 0


def test_credencial_needs_an_existing_advogado(db_session: Session) -> None:
    """A credential pointing at no lawyer is refused by the foreign key."""
    with pytest.raises(IntegrityError):
        CredenciaisRepository(db_session).add(
            advogado_id=4242, tribunal="TRT3", grau="primeiro_grau", senha_cifrada=b"a"
        )


def test_tribunal_config_set_get_list_clear(db_session: Session) -> None:
    """An override is created, partially changed, listed and cleared back to the plugin's defaults."""
    repo = TribunaisConfigRepository(db_session)
    repo.set_override(tribunal=Tribunal("TRT3"), grau=Grau.PRIMEIRO_GRAU, base_url="http://127.0.0.1:8000")
    repo.set_override(tribunal="TRT3", grau="primeiro_grau", opcoes={"concorrencia": 2})
    repo.set_override(tribunal="TRT1", grau="segundo_grau", api_path="/api")
    db_session.commit()
    db_session.expunge_all()
    row = repo.get(tribunal="TRT3", grau="primeiro_grau")
    assert row is not None
    assert (row.base_url, row.login_path, row.opcoes) == ("http://127.0.0.1:8000", None, {"concorrencia": 2})
    assert row.updated_at.tzinfo is dt.UTC
    assert [(r.tribunal, r.grau) for r in repo.list()] == [("TRT1", "segundo_grau"), ("TRT3", "primeiro_grau")]
    repo.set_override(tribunal="TRT3", grau="primeiro_grau", base_url=None)
    assert repo.get(tribunal="TRT3", grau="primeiro_grau").base_url is None
    assert repo.clear(tribunal="TRT3", grau="primeiro_grau") is True
    assert repo.clear(tribunal="TRT3", grau="primeiro_grau") is False
    assert repo.get(tribunal="TRT3", grau="primeiro_grau") is None
