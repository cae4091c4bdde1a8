"""The credential service on SQLite and PostgreSQL: encryption at rest, binding, keys, rotation, cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, MetaData, select, text, update
from sqlalchemy.engine import make_url

from sinesys_spiders.core.credenciais import (
    CampoInvalido,
    CredenciaisService,
    NovaCredencial,
    OtpKind,
    TwoFAuth,
)
from sinesys_spiders.core.crypto import Cipher, credencial_aad, generate_key, sessao_aad
from sinesys_spiders.core.db import make_session_factory, session_scope
from sinesys_spiders.core.db.models import Credencial as CredencialRow
from sinesys_spiders.core.db.models import Sessao
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.errors import ChaveInvalida, EntradaInvalida, NaoEncontrado
from sinesys_spiders.testing.canary import (
    CANARY_SENHA,
    CANARY_SENHA_2,
    CANARY_TOTP_SECRET,
    CANARY_TWOFAUTH_TOKEN,
    find_canaries,
)
from sinesys_spiders.testing.credenciais_fixtures import ADVOGADO_CPF

TWOFAUTH = {"url": "https://2fa.example.test", "token": CANARY_TWOFAUTH_TOKEN, "account_id": 7}
SESSION_PAYLOAD = json.dumps({"cookies": {"access_token": "canary-session-jwt-0b1c"}}).encode()


def _nova(advogado_id: int | str, **overrides) -> NovaCredencial:
    values = {
        "advogado_id": advogado_id,
        "tribunal": "TRT3",
        "grau": "primeiro_grau",
        "senha": CANARY_SENHA,
        "totp_secret": CANARY_TOTP_SECRET,
    }
    values.update(overrides)
    return NovaCredencial.from_values(**values)


def _three(service: CredenciaisService, advogado_id: int) -> list[int]:
    """A TOTP credential, a 2FAuth credential and one with no second factor."""
    return service.add_many(
        [
            _nova(advogado_id),
            _nova(advogado_id, grau="segundo_grau", senha=CANARY_SENHA_2, totp_secret=None, twofauth=TWOFAUTH),
            _nova(advogado_id, tribunal="TST", grau="tribunal_superior", totp_secret=None, usuario="login.x"),
        ]
    )


def _add_session(engine: Engine, service: CredenciaisService, credencial_id: int) -> str:
    with session_scope(factory=make_session_factory(engine)) as session:
        row = Sessao(credencial_id=credencial_id, dados_cifrados=b"placeholder")
        session.add(row)
        session.flush()
        row.dados_cifrados = service.cipher.encrypt(SESSION_PAYLOAD, aad=sessao_aad(row.uuid))
        return row.uuid


def _session_blob(engine: Engine, row_uuid: str) -> bytes:
    with session_scope(factory=make_session_factory(engine)) as session:
        return session.scalars(select(Sessao.dados_cifrados).where(Sessao.uuid == row_uuid)).one()


def _all_stored_bytes(engine: Engine, database_url: str) -> bytes:
    """Every byte the database holds: the SQLite files, or every column of every PostgreSQL table."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine.dispose()
        base = Path(url.database)
        return b"".join(p.read_bytes() for p in (base, Path(f"{base}-wal")) if p.exists())
    metadata = MetaData()
    metadata.reflect(engine)
    chunks: list[bytes] = []
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(json.dumps(value, default=str, ensure_ascii=False).encode())
    assert chunks, "the scan read nothing"
    return b"\n".join(chunks)


def test_add_and_get_round_trip_with_each_otp_kind(credenciais_service, advogado_id):
    """Each credential comes back decrypted with the secrets it was given, and its OTP kind."""
    totp_id, twofauth_id, none_id = _three(credenciais_service, advogado_id)
    totp = credenciais_service.get(totp_id)
    assert totp.senha.get_secret_value() == CANARY_SENHA
    assert totp.totp_secret.get_secret_value() == CANARY_TOTP_SECRET
    assert (totp.tribunal, totp.grau, totp.otp_kind) == (Tribunal("TRT3"), Grau.PRIMEIRO_GRAU, OtpKind.TOTP)
    fa = credenciais_service.get(twofauth_id)
    assert fa.senha.get_secret_value() == CANARY_SENHA_2
    assert fa.otp_config() == {"totp_secret": None, "twofauth": TWOFAUTH}
    none = credenciais_service.get(none_id)
    assert none.otp_kind is OtpKind.NONE
    assert none.usuario == "login.x"


def test_usuario_defaults_to_the_lawyers_cpf_and_is_masked_in_repr(credenciais_service, advogado_id):
    """Without --usuario the login is the lawyer's CPF; repr and str show it masked and no secret."""
    credencial = credenciais_service.get(credenciais_service.add(_nova(advogado_id)))
    assert credencial.usuario == ADVOGADO_CPF
    for shown in (repr(credencial), str(credencial), repr(credencial.senha), repr(credencial.totp_secret)):
        assert ADVOGADO_CPF not in shown
        assert find_canaries(shown) == []
    assert "529.***.***-25" in repr(credencial)


def test_no_plaintext_secret_is_stored(credenciais_service, advogado_id, engine, database_url):
    """No canary password, TOTP secret or token is found anywhere in the database's bytes."""
    ids = _three(credenciais_service, advogado_id)
    _add_session(engine, credenciais_service, ids[0])
    stored = _all_stored_bytes(engine, database_url)
    assert ADVOGADO_CPF.encode() in stored  # the scan does see plain columns
    assert find_canaries(stored) == []
    assert find_canaries(SESSION_PAYLOAD.decode(), {"jwt": "canary-session-jwt-0b1c"}) == ["jwt"]
    assert b"canary-session-jwt-0b1c" not in stored


def test_ciphertext_swapped_between_rows_fails_to_decrypt(credenciais_service, advogado_id, engine):
    """A password ciphertext copied from one credential to another does not decrypt in its new row."""
    first, second, _ = _three(credenciais_service, advogado_id)
    with session_scope(factory=make_session_factory(engine)) as session:
        rows = {r.id: r for r in session.scalars(select(CredencialRow))}
        rows[first].senha_cifrada, rows[second].senha_cifrada = rows[second].senha_cifrada, rows[first].senha_cifrada
    credenciais_service.invalidate()
    for credencial_id in (first, second):
        with pytest.raises(ChaveInvalida, match=f"senha da credencial {credencial_id} não confere"):
            credenciais_service.get(credencial_id)


def test_ciphertext_swapped_between_fields_fails_to_decrypt(credenciais_service, advogado_id, engine):
    """The TOTP secret ciphertext copied into the password field does not decrypt as a password."""
    first = credenciais_service.add(_nova(advogado_id))
    with session_scope(factory=make_session_factory(engine)) as session:
        session.execute(
            update(CredencialRow)
            .where(CredencialRow.id == first)
            .values(senha_cifrada=CredencialRow.totp_secret_cifrado)
        )
    with pytest.raises(ChaveInvalida, match="não confere com seu registro e campo"):
        credenciais_service.get(first)


def test_wrong_key_fails_with_the_clear_message(credenciais_service, advogado_id, engine):
    """A service with another key says the key changed, and never shows bytes or secrets."""
    credencial_id = credenciais_service.add(_nova(advogado_id))
    other = CredenciaisService(make_session_factory(engine), Cipher.from_text(generate_key()))
    with pytest.raises(ChaveInvalida) as info:
        other.get(credencial_id)
    message = str(info.value)
    assert f"a chave secreta não decifra a senha da credencial {credencial_id}" in message
    assert "SINESYS_SECRET_KEY mudou?" in message
    assert find_canaries(message) == []
    assert "\\x" not in message


def test_rotation_keeps_everything_readable_under_the_new_key_only(credenciais_service, advogado_id, engine):
    """After rotation every credential and session decrypts with the new key and none with the old."""
    ids = _three(credenciais_service, advogado_id)
    session_uuid = _add_session(engine, credenciais_service, ids[1])
    old = credenciais_service.cipher
    credenciais_service.set_active(ids[2], False)
    new = Cipher.from_text(generate_key())
    report = credenciais_service.rotate_key(old, new)
    assert (report.credenciais, report.sessoes) == (3, 1)
    assert (report.chave_antiga, report.chave_nova) == (old.fingerprint, new.fingerprint)

    fresh = CredenciaisService(make_session_factory(engine), new, cache_ttl=0)
    assert fresh.get(ids[0]).totp_secret.get_secret_value() == CANARY_TOTP_SECRET
    assert fresh.get(ids[1]).twofauth.as_config() == TWOFAUTH
    assert fresh.get(ids[2]).active is False
    assert new.decrypt(_session_blob(engine, session_uuid), aad=sessao_aad(session_uuid)) == SESSION_PAYLOAD
    assert credenciais_service.get(ids[0]).senha.get_secret_value() == CANARY_SENHA

    stale = CredenciaisService(make_session_factory(engine), old, cache_ttl=0)
    for credencial_id in ids:
        with pytest.raises(ChaveInvalida, match="SINESYS_SECRET_KEY mudou"):
            stale.get(credencial_id)
    with pytest.raises(ChaveInvalida):
        old.decrypt(_session_blob(engine, session_uuid), aad=sessao_aad(session_uuid))


def test_rotation_is_all_or_nothing(credenciais_service, advogado_id, engine):
    """A value the old key cannot decrypt aborts the rotation and leaves every row as it was."""
    first, second, _ = _three(credenciais_service, advogado_id)
    stranger = CredenciaisService(make_session_factory(engine), Cipher.from_text(generate_key()))
    with session_scope(factory=make_session_factory(engine)) as session:
        row = session.get(CredencialRow, second)
        row.senha_cifrada = stranger.cipher.encrypt("x", aad=credencial_aad(row.uuid, "senha"))
    before = _stored_ciphertexts(engine)
    with pytest.raises(ChaveInvalida, match=f"credencial {second}"):
        credenciais_service.rotate_key(credenciais_service.cipher, Cipher.from_text(generate_key()))
    assert _stored_ciphertexts(engine) == before
    assert credenciais_service.get(first).senha.get_secret_value() == CANARY_SENHA


def _stored_ciphertexts(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(bytes(v) if v is not None else None for v in row)
            for row in conn.execute(
                text("SELECT senha_cifrada, totp_secret_cifrado, twofauth_cifrado FROM credenciais ORDER BY id")
            )
        ]


def test_rotation_can_be_run_again_after_an_interruption(credenciais_service, advogado_id):
    """Running the same rotation twice re-encrypts nothing the second time and loses nothing."""
    ids = _three(credenciais_service, advogado_id)
    old, new = credenciais_service.cipher, Cipher.from_text(generate_key())
    credenciais_service.rotate_key(old, new)
    again = credenciais_service.rotate_key(old, new)
    assert (again.credenciais, again.sessoes) == (0, 0)
    assert credenciais_service.get(ids[0]).senha.get_secret_value() == CANARY_SENHA


def test_cache_serves_within_ttl_and_is_invalidated_on_change(engine, cipher, advogado_id):
    """A credential is cached for the TTL; enabling or disabling it through the service is seen at once."""
    now = [1000.0]
    service = CredenciaisService(make_session_factory(engine), cipher, cache_ttl=60, clock=lambda: now[0])
    credencial_id = service.add(_nova(advogado_id))
    first = service.get(credencial_id)
    assert service.get(credencial_id) is first
    service.set_active(credencial_id, False)
    assert service.get(credencial_id).active is False
    with session_scope(factory=make_session_factory(engine)) as session:  # another process's change
        session.get(CredencialRow, credencial_id).active = True
    assert service.get(credencial_id).active is False
    now[0] += 61
    assert service.get(credencial_id).active is True


def test_for_advogado_orders_by_tribunal_and_skips_disabled(credenciais_service, advogado_id):
    """A lawyer's active credentials come in TRT order, 1º before 2º grau, TST last."""
    tst = credenciais_service.add(_nova(advogado_id, tribunal="TST", grau="tribunal_superior"))
    trt3_2 = credenciais_service.add(_nova(advogado_id, grau="segundo_grau"))
    trt3_1 = credenciais_service.add(_nova(advogado_id))
    trt1 = credenciais_service.add(_nova(advogado_id, tribunal="TRT1"))
    credenciais_service.set_active(trt1, False)
    assert [c.id for c in credenciais_service.for_advogado(advogado_id)] == [trt3_1, trt3_2, tst]
    everything = credenciais_service.for_advogado(advogado_id, active_only=False)
    assert [c.id for c in everything] == [trt1, trt3_1, trt3_2, tst]
    only = credenciais_service.for_advogado(advogado_id, tribunais=[Tribunal("TST")])
    assert [c.id for c in only] == [tst]


def test_list_shows_no_secret(credenciais_service, advogado_id):
    """The listing says which OTP kind each credential has, masks the login and decrypts nothing."""
    _three(credenciais_service, advogado_id)
    listing = credenciais_service.list(advogado_id=advogado_id)
    assert [r.otp_kind for r in listing] == [OtpKind.TOTP, OtpKind.TWOFAUTH, OtpKind.NONE]
    assert listing[0].usuario_mascarado == "529.***.***-25"
    assert find_canaries(repr(listing)) == []


def test_missing_credential_is_not_found(credenciais_service):
    """Reading or disabling an unknown credential is a clear NaoEncontrado."""
    with pytest.raises(NaoEncontrado, match="credencial 999"):
        credenciais_service.get(999)
    with pytest.raises(NaoEncontrado):
        credenciais_service.set_active(999, False)


def test_add_many_is_all_or_nothing(credenciais_service, advogado_id):
    """A duplicate in the batch rejects the whole batch, naming the entry; nothing is written."""
    with pytest.raises(EntradaInvalida, match=r"entrada 2: .*já tem credencial em TRT3 primeiro_grau"):
        credenciais_service.add_many([_nova(advogado_id), _nova(advogado_id, tribunal="TRT5"), _nova(advogado_id)])
    with pytest.raises(CampoInvalido, match="entrada 1: campo advogado_id: advogado 4242 não existe"):
        credenciais_service.add_many([_nova(advogado_id), _nova(4242)])
    assert credenciais_service.list() == []


def test_duplicate_credential_is_refused(credenciais_service, advogado_id):
    """A second credential for the same lawyer, tribunal and grau names the existing one."""
    existing = credenciais_service.add(_nova(advogado_id))
    with pytest.raises(EntradaInvalida, match=f"credencial {existing}"):
        credenciais_service.add(_nova(advogado_id))
    with pytest.raises(EntradaInvalida, match=f"credencial {existing}"):
        credenciais_service.check_new(advogado_id, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)


@pytest.mark.parametrize(
    ("overrides", "campo"),
    [
        ({"totp_secret": "not base32 at all 0189"}, "totp_secret"),
        ({"totp_secret": "JBSWY3DP"}, "totp_secret"),
        ({"twofauth": {**TWOFAUTH, "url": "ftp://x"}, "totp_secret": None}, "twofauth.url"),
        ({"twofauth": {**TWOFAUTH, "account_id": 0}, "totp_secret": None}, "twofauth.account_id"),
        ({"twofauth": {"url": "https://x.test"}, "totp_secret": None}, "twofauth"),
        ({"twofauth": TWOFAUTH}, "totp_secret"),
        ({"senha": ""}, "senha"),
        ({"senha": "a\nb"}, "senha"),
        ({"grau": "tribunal_superior"}, "grau"),
        ({"tribunal": "TRT99"}, "tribunal"),
        ({"usuario": "123.456.789-00"}, "usuario"),
        ({"advogado_id": "abc"}, "advogado_id"),
        ({"advogado_id": True}, "advogado_id"),
    ],
)
def test_bad_input_names_the_field_never_the_value(overrides, campo):
    """Every invalid field is reported by name, and no secret value appears in the message."""
    values = dict(overrides)
    advogado = values.pop("advogado_id", 1)
    with pytest.raises(CampoInvalido) as info:
        _nova(advogado, **values)
    assert info.value.campo == campo
    message = str(info.value)
    assert find_canaries(message) == []
    for value in overrides.values():
        if isinstance(value, str) and len(value) > 3 and campo in ("totp_secret", "senha"):
            assert value not in message


def test_totp_secret_is_normalized():
    """A TOTP secret typed in groups, lower case or padded is stored in canonical base32."""
    nova = _nova(1, totp_secret="canary totp secret xkq7 zb4m wn5l pd2j")
    assert nova.totp_secret.get_secret_value() == CANARY_TOTP_SECRET
    assert find_canaries(repr(nova)) == []


def test_import_mapping_rejects_unknown_keys_and_missing_fields():
    """A JSON entry with a misspelled key or without a password is refused by field name."""
    base = {"advogado_id": 1, "tribunal": "TRT3", "grau": "primeiro_grau", "senha": CANARY_SENHA}
    assert NovaCredencial.from_mapping(base).tribunal == Tribunal("TRT3")
    with pytest.raises(CampoInvalido, match="campo totp: desconhecido"):
        NovaCredencial.from_mapping({**base, "totp": CANARY_TOTP_SECRET})
    with pytest.raises(CampoInvalido, match="campo senha: obrigatório"):
        NovaCredencial.from_mapping({k: v for k, v in base.items() if k != "senha"})


def test_totp_secret_shorter_than_pyotp_accepts_is_refused():
    """A base32 secret too short for the login's TOTP library is refused when stored, not at login."""
    with pytest.raises(CampoInvalido, match="curto demais"):
        _nova(1, totp_secret="JBSWY3DPEHPK3PXP")
    assert _nova(1, totp_secret="JBSWY3DPEHPK3PXPJBSWY3DP").totp_secret is not None


def test_update_replaces_secrets_and_switches_the_second_factor(credenciais_service, advogado_id):
    """A new password and a switch from TOTP to 2FAuth (and to none) are stored encrypted and seen at once."""
    credencial_id = credenciais_service.add(_nova(advogado_id))
    assert credenciais_service.get(credencial_id).otp_kind is OtpKind.TOTP
    credenciais_service.update(
        credencial_id,
        senha=SecretStr(CANARY_SENHA_2),
        twofauth=TwoFAuth.from_config(TWOFAUTH),
        usuario="outro.login",
    )
    changed = credenciais_service.get(credencial_id)
    assert changed.senha.get_secret_value() == CANARY_SENHA_2
    assert changed.otp_kind is OtpKind.TWOFAUTH
    assert changed.totp_secret is None
    assert changed.usuario == "outro.login"
    credenciais_service.update(credencial_id, twofauth=None, usuario=None)
    reverted = credenciais_service.get(credencial_id)
    assert reverted.otp_kind is OtpKind.NONE
    assert reverted.usuario == ADVOGADO_CPF
    with pytest.raises(NaoEncontrado):
        credenciais_service.update(999, usuario=None)


def test_a_credential_moved_to_another_tribunal_does_not_decrypt(credenciais_service, advogado_id, engine):
    """Secrets are bound to the row's tribunal and grau: an UPDATE that points the row elsewhere (to harvest the
    password at another, configured tribunal) makes it unreadable, as does a grau change (issue 17, item 1)."""
    credencial_id = credenciais_service.add(_nova(advogado_id))
    for mudanca in ({"tribunal": "TRT5"}, {"grau": "segundo_grau"}):
        with session_scope(factory=make_session_factory(engine)) as session:
            original = session.get(CredencialRow, credencial_id)
            antes = {"tribunal": original.tribunal, "grau": original.grau}
            session.execute(update(CredencialRow).where(CredencialRow.id == credencial_id).values(**mudanca))
        credenciais_service.invalidate()
        with pytest.raises(ChaveInvalida, match="não confere"):
            credenciais_service.get(credencial_id)
        with session_scope(factory=make_session_factory(engine)) as session:
            session.execute(update(CredencialRow).where(CredencialRow.id == credencial_id).values(**antes))
    credenciais_service.invalidate()
    assert credenciais_service.get(credencial_id).senha.get_secret_value() == CANARY_SENHA


def test_a_credential_written_before_the_binding_still_decrypts_and_is_resealed(
    credenciais_service, advogado_id, engine, cipher
):
    """A secret sealed the pre-issue-17 way (row and field only) decrypts after the upgrade, and is re-sealed
    bound to its tribunal and grau (on first read, or by ``reselar_legado`` which ``sinesys db upgrade`` runs)."""
    ids = [credenciais_service.add(_nova(advogado_id, tribunal=t)) for t in ("TRT1", "TRT2")]
    with session_scope(factory=make_session_factory(engine)) as session:
        for row in session.scalars(select(CredencialRow).where(CredencialRow.id.in_(ids))):
            row.senha_cifrada = cipher.encrypt(CANARY_SENHA, aad=credencial_aad(row.uuid, "senha"))
    credenciais_service.invalidate()

    assert credenciais_service.get(ids[0]).senha.get_secret_value() == CANARY_SENHA
    assert credenciais_service.reselar_legado() == 1  # the second; the first was re-sealed when read
    with session_scope(factory=make_session_factory(engine)) as session:
        versions = {bytes(r.senha_cifrada)[0] for r in session.scalars(select(CredencialRow))}
    assert versions == {2}
    assert credenciais_service.reselar_legado() == 0
    credenciais_service.invalidate()
    assert [credenciais_service.get(i).senha.get_secret_value() for i in ids] == [CANARY_SENHA] * 2
