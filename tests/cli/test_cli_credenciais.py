"""``sinesys credenciais``: add from hidden prompts, list, enable/disable, import, rotate-key."""

from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner

from sinesys_spiders.cli import main
from sinesys_spiders.cli.credenciais import command as credenciais_command
from sinesys_spiders.core.config import reset_settings
from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.crypto import Cipher, credencial_aad, generate_key, sessao_aad
from sinesys_spiders.core.db import make_session_factory, session_scope
from sinesys_spiders.core.db.models import Credencial as CredencialRow
from sinesys_spiders.core.db.models import Sessao
from sinesys_spiders.core.errors import ChaveInvalida
from sinesys_spiders.testing.canary import (
    CANARY_SENHA,
    CANARY_SENHA_2,
    CANARY_TOTP_SECRET,
    CANARY_TWOFAUTH_TOKEN,
    find_canaries,
)
from tests.cli.helpers import assert_one_line_error, row_counts

TOTP_INPUT = f"{CANARY_SENHA}\n{CANARY_SENHA}\n{CANARY_TOTP_SECRET}\n"


@pytest.fixture
def advogado(sinesys) -> str:
    result = sinesys("advogados", "add", "--nome", "Maria", "--cpf", "529.982.247-25")
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def _add(sinesys, advogado, *extra, input=TOTP_INPUT, tribunal="TRT3", grau="primeiro_grau"):
    return sinesys(
        "credenciais", "add", "--advogado", advogado, "--tribunal", tribunal, "--grau", grau, *extra, input=input
    )


def _service(engine, secret_key) -> CredenciaisService:
    return CredenciaisService(make_session_factory(engine), Cipher.from_text(secret_key), cache_ttl=0)


def test_add_reads_the_password_and_totp_secret_from_hidden_prompts(sinesys, advogado, engine, secret_key):
    """The password (asked twice) and the TOTP secret come from prompts; the id is printed; nothing echoes."""
    result = _add(sinesys, advogado)
    assert result.exit_code == 0, result.output
    assert "Senha do tribunal" in result.output
    assert "Repita a senha" in result.output
    assert "Segredo TOTP" in result.output
    assert find_canaries(result.output) == []
    credencial = _service(engine, secret_key).get(int(result.stdout.strip().splitlines()[-1]))
    assert credencial.senha.get_secret_value() == CANARY_SENHA
    assert credencial.totp_secret.get_secret_value() == CANARY_TOTP_SECRET
    assert credencial.usuario == "52998224725"


def test_add_with_2fauth_asks_for_the_token(sinesys, advogado, engine, secret_key):
    """With --otp 2fauth the token is asked at a hidden prompt; URL and account id come from options."""
    result = _add(
        sinesys,
        advogado,
        "--twofauth-url",
        "https://2fa.example.test/",
        "--twofauth-account-id",
        "12",
        "--usuario",
        "maria.adv",
        input=f"{CANARY_SENHA_2}\n{CANARY_SENHA_2}\n{CANARY_TWOFAUTH_TOKEN}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Token da API do 2FAuth" in result.output
    assert find_canaries(result.output) == []
    credencial = _service(engine, secret_key).get(int(result.stdout.strip().splitlines()[-1]))
    assert credencial.twofauth.as_config() == {
        "url": "https://2fa.example.test",
        "token": CANARY_TWOFAUTH_TOKEN,
        "account_id": 12,
    }
    assert credencial.usuario == "maria.adv"


def test_add_with_no_second_factor_asks_only_for_the_password(sinesys, advogado):
    """--otp none asks for the password only."""
    result = _add(sinesys, advogado, "--otp", "none", input=f"{CANARY_SENHA}\n{CANARY_SENHA}\n")
    assert result.exit_code == 0, result.output
    assert "TOTP" not in result.output
    assert sinesys("credenciais", "list", "--json").stdout.count('"otp": "none"') == 1


def test_no_option_takes_a_secret_from_argv(sinesys, advogado, engine):
    """There is no option for a password, secret or token: passing one is refused and nothing is written."""
    names = {name for param in credenciais_command.commands["add"].params for name in param.opts}
    assert not {n for n in names if any(w in n for w in ("senha", "password", "secret", "token"))}
    before = row_counts(engine)
    result = _add(sinesys, advogado, "--senha", CANARY_SENHA)
    assert_one_line_error(result, "--senha")
    assert find_canaries(result.output) == []
    assert row_counts(engine) == before


@pytest.mark.parametrize(
    ("args", "input_", "fragment"),
    [
        (["--advogado", "999", "--tribunal", "TRT3", "--grau", "primeiro_grau"], TOTP_INPUT, "advogado 999 não existe"),
        (["--advogado", "abc", "--tribunal", "TRT3", "--grau", "primeiro_grau"], TOTP_INPUT, "--advogado"),
        (["--tribunal", "TRT99", "--grau", "primeiro_grau"], TOTP_INPUT, "tribunal desconhecido"),
        (["--tribunal", "TST", "--grau", "primeiro_grau"], TOTP_INPUT, "TST não tem primeiro_grau"),
        (["--tribunal", "TRT3", "--grau", "terceiro_grau"], TOTP_INPUT, "grau desconhecido"),
        (["--tribunal", "TRT3", "--grau", "primeiro_grau", "--otp", "2fauth"], TOTP_INPUT, "--twofauth-url"),
        (
            ["--tribunal", "TRT3", "--grau", "primeiro_grau", "--otp", "totp", "--twofauth-url", "https://x.test"],
            TOTP_INPUT,
            "só valem com --otp 2fauth",
        ),
        (
            [
                "--tribunal",
                "TRT3",
                "--grau",
                "primeiro_grau",
                "--twofauth-url",
                "ftp://x",
                "--twofauth-account-id",
                "1",
            ],
            TOTP_INPUT,
            "--twofauth-url",
        ),
        (
            [
                "--tribunal",
                "TRT3",
                "--grau",
                "primeiro_grau",
                "--twofauth-url",
                "https://x",
                "--twofauth-account-id",
                "0",
            ],
            TOTP_INPUT,
            "--twofauth-account-id",
        ),
        (["--tribunal", "TRT3", "--grau", "primeiro_grau", "--usuario", "111.111.111-11"], TOTP_INPUT, "--usuario"),
        (
            ["--tribunal", "TRT3", "--grau", "primeiro_grau"],
            f"{CANARY_SENHA}\n{CANARY_SENHA}\nnot-base32-0189!\n",
            "o segredo TOTP: não é base32",
        ),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(sinesys, advogado, engine, args, input_, fragment):
    """Each bad input exits non-zero with one clear line on stderr, shows no secret and writes nothing."""
    if "--advogado" not in args:
        args = ["--advogado", advogado, *args]
    before = row_counts(engine)
    result = sinesys("credenciais", "add", *args, input=input_)
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("erro: ")
    assert fragment in lines[0]
    assert find_canaries(result.output) == []
    assert row_counts(engine) == before


def test_duplicate_is_refused_before_asking_for_secrets(sinesys, advogado, engine):
    """A second credential for the same lawyer, tribunal and grau fails before any prompt, naming the first."""
    first = _add(sinesys, advogado).stdout.strip().splitlines()[-1]
    before = row_counts(engine)
    result = _add(sinesys, advogado)
    assert_one_line_error(result, f"(credencial {first})")
    assert "Senha" not in result.output
    assert row_counts(engine) == before


def test_password_confirmation_mismatch_writes_nothing(sinesys, advogado, engine):
    """When the two password entries differ and input ends, the command aborts without writing."""
    before = row_counts(engine)
    result = _add(sinesys, advogado, input=f"{CANARY_SENHA}\n{CANARY_SENHA_2}\n")
    assert result.exit_code != 0
    assert find_canaries(result.output) == []
    assert row_counts(engine) == before


def test_list_shows_otp_kind_and_no_secret(sinesys, advogado):
    """The listing names the OTP kind and masks the login; --advogado filters."""
    _add(sinesys, advogado)
    _add(sinesys, advogado, "--otp", "none", grau="segundo_grau", input=f"{CANARY_SENHA}\n{CANARY_SENHA}\n")
    listing = sinesys("credenciais", "list")
    assert listing.exit_code == 0
    assert "totp" in listing.stdout
    assert "none" in listing.stdout
    assert "529.***.***-25" in listing.stdout
    assert "52998224725" not in listing.stdout
    assert find_canaries(listing.output) == []
    data = json.loads(sinesys("credenciais", "list", "--json", "--advogado", advogado).stdout)
    assert [(d["grau"], d["otp"], d["active"]) for d in data] == [
        ("primeiro_grau", "totp", True),
        ("segundo_grau", "none", True),
    ]
    assert json.loads(sinesys("credenciais", "list", "--json", "--advogado", "999").stdout) == []


def test_disable_and_enable(sinesys, advogado, engine, secret_key):
    """disable and enable switch a credential; an unknown id is one clear line."""
    credencial_id = _add(sinesys, advogado).stdout.strip().splitlines()[-1]
    assert sinesys("credenciais", "disable", credencial_id).stdout.strip() == f"credencial {credencial_id} desativada"
    assert _service(engine, secret_key).get(int(credencial_id)).active is False
    assert "já estava" in sinesys("credenciais", "disable", credencial_id).stdout
    assert sinesys("credenciais", "enable", credencial_id).exit_code == 0
    assert _service(engine, secret_key).get(int(credencial_id)).active is True
    assert_one_line_error(sinesys("credenciais", "disable", "999"), "credencial 999 não existe")
    assert_one_line_error(sinesys("credenciais", "enable", "x"), "x")


def _entries(advogado: str) -> list[dict]:
    return [
        {"advogado_id": int(advogado), "tribunal": "TRT3", "grau": "primeiro_grau", "senha": CANARY_SENHA,
         "totp_secret": CANARY_TOTP_SECRET},
        {"advogado_id": int(advogado), "tribunal": "TRT5", "grau": "segundo_grau", "senha": CANARY_SENHA_2,
         "usuario": "maria.adv",
         "twofauth": {"url": "https://2fa.example.test", "token": CANARY_TWOFAUTH_TOKEN, "account_id": 3}},
    ]  # fmt: skip


def test_import_from_file_and_stdin_prints_the_new_ids(sinesys, advogado, engine, secret_key, tmp_path):
    """A JSON list imports every entry and prints one id per line, from a file or from stdin."""
    path = tmp_path / "credenciais.json"
    entries = _entries(advogado)
    path.write_text(json.dumps(entries[:1]))
    from_file = sinesys("credenciais", "import", "--from-json", str(path))
    assert from_file.exit_code == 0, from_file.output
    from_stdin = sinesys("credenciais", "import", "--from-json", "-", input=json.dumps(entries[1:]))
    assert from_stdin.exit_code == 0, from_stdin.output
    ids = [int(x) for x in (from_file.stdout + from_stdin.stdout).split()]
    assert len(ids) == 2
    assert find_canaries(from_file.output + from_stdin.output) == []
    service = _service(engine, secret_key)
    assert service.get(ids[0]).totp_secret.get_secret_value() == CANARY_TOTP_SECRET
    assert service.get(ids[1]).twofauth.token.get_secret_value() == CANARY_TWOFAUTH_TOKEN


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda e: e[1].update(totp_secret="0189-not-base32"), "entrada 1: campo totp_secret: não é base32"),
        (lambda e: e[1].update(senha=""), "entrada 1: campo senha: vazio"),
        (lambda e: e[0].pop("senha"), "entrada 0: campo senha: obrigatório"),
        (lambda e: e[1].update(password=CANARY_SENHA), "entrada 1: campo password: desconhecido"),
        (lambda e: e[1]["twofauth"].update(url="nope"), "entrada 1: campo twofauth.url"),
        (lambda e: e[1].update(grau="tribunal_superior"), "entrada 1: campo grau: TRT5 não tem tribunal_superior"),
        (lambda e: e[1].update(advogado_id=999), "entrada 1: campo advogado_id: advogado 999 não existe"),
        (lambda e: e[1].update(tribunal="TRT3", grau="primeiro_grau"), "entrada 1: o advogado"),
        (lambda e: e.append("x"), "entrada 2: deve ser um objeto JSON"),
    ],
)
def test_import_is_all_or_nothing_and_names_entry_and_field(sinesys, advogado, engine, mutate, fragment):
    """One bad entry rejects the import: the error names the entry index and field, never the value."""
    entries = _entries(advogado)
    mutate(entries)
    before = row_counts(engine)
    result = sinesys("credenciais", "import", "--from-json", "-", input=json.dumps(entries))
    assert_one_line_error(result, fragment)
    assert find_canaries(result.output) == []
    assert "0189-not-base32" not in result.output
    assert row_counts(engine) == before


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [("[{", "JSON inválido (linha 1"), ("{}", "lista não vazia"), ("[]", "lista não vazia"), ('"x"', "lista")],
)
def test_import_rejects_malformed_json(sinesys, advogado, engine, payload, fragment):
    """Malformed JSON or a non-list is one clear line and writes nothing."""
    before = row_counts(engine)
    assert_one_line_error(sinesys("credenciais", "import", "--from-json", "-", input=payload), fragment)
    assert row_counts(engine) == before


def test_import_missing_file_is_one_line(sinesys, tmp_path):
    """A --from-json path that does not exist is one clear line."""
    assert_one_line_error(sinesys("credenciais", "import", "--from-json", str(tmp_path / "none.json")), "none.json")


def _add_session(engine, cipher: Cipher, credencial_id: int) -> str:
    with session_scope(factory=make_session_factory(engine)) as session:
        row = Sessao(credencial_id=credencial_id, dados_cifrados=b"placeholder")
        session.add(row)
        session.flush()
        row.dados_cifrados = cipher.encrypt(b'{"cookies": {}}', aad=sessao_aad(row.uuid))
        return row.uuid


def _session_blob(engine, row_uuid: str) -> bytes:
    with session_scope(factory=make_session_factory(engine)) as session:
        return next(s.dados_cifrados for s in session.query(Sessao).filter(Sessao.uuid == row_uuid))


@pytest.fixture
def key_file_mode(sinesys, monkeypatch, tmp_path):
    """No SINESYS_SECRET_KEY: the embedded key file under a private var dir."""
    monkeypatch.delenv("SINESYS_SECRET_KEY")
    monkeypatch.setenv("SINESYS_VAR_DIR", str(tmp_path / "var"))
    reset_settings()
    yield tmp_path / "var" / "secret.key"
    reset_settings()


def test_rotate_key_with_the_key_file_replaces_it(sinesys, key_file_mode, engine, monkeypatch):
    """rotate-key re-encrypts credentials and sessions, then atomically replaces the key file (0600)."""
    runner = CliRunner()
    added = runner.invoke(main, ["advogados", "add", "--nome", "M", "--cpf", "11144477735"])
    advogado = added.stdout.strip()
    created = runner.invoke(
        main, ["credenciais", "add", "--advogado", advogado, "--tribunal", "TRT3", "--grau", "primeiro_grau"],
        input=TOTP_INPUT,
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    credencial_id = int(created.stdout.strip().splitlines()[-1])
    old = Cipher.from_text(key_file_mode.read_text())
    session_uuid = _add_session(engine, old, credencial_id)

    result = runner.invoke(main, ["credenciais", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "re-cifradas 1 credenciais e 1 sessões" in result.stdout
    new = Cipher.from_text(key_file_mode.read_text())
    assert new.fingerprint != old.fingerprint
    assert stat.S_IMODE(key_file_mode.stat().st_mode) == 0o600
    assert sorted(p.name for p in key_file_mode.parent.iterdir()) == ["secret.key"]
    assert key_file_mode.read_text().strip() not in result.output
    service = CredenciaisService(make_session_factory(engine), new, cache_ttl=0)
    assert service.get(credencial_id).senha.get_secret_value() == CANARY_SENHA
    assert new.decrypt(_session_blob(engine, session_uuid), aad=sessao_aad(session_uuid)) == b'{"cookies": {}}'
    with pytest.raises(ChaveInvalida):
        CredenciaisService(make_session_factory(engine), old, cache_ttl=0).get(credencial_id)


def test_rotate_key_with_env_key_needs_a_new_key_file(sinesys, advogado, engine, tmp_path):
    """With SINESYS_SECRET_KEY, rotate-key needs --new-key-file, writes the new key there and says to update the env."""
    credencial_id = int(_add(sinesys, advogado).stdout.strip().splitlines()[-1])
    assert_one_line_error(sinesys("credenciais", "rotate-key"), "--new-key-file")
    target = tmp_path / "nova.key"
    result = sinesys("credenciais", "rotate-key", "--new-key-file", str(target))
    assert result.exit_code == 0, result.output
    assert "atualize SINESYS_SECRET_KEY" in result.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    new_key = target.read_text().strip()
    assert new_key not in result.output
    service = CredenciaisService(make_session_factory(engine), Cipher.from_text(new_key), cache_ttl=0)
    assert service.get(credencial_id).senha.get_secret_value() == CANARY_SENHA


def test_failed_rotation_changes_nothing(sinesys, advogado, engine, secret_key, tmp_path):
    """When one value cannot be decrypted, rotate-key fails in one line, leaves no new key file and no change."""
    first = int(_add(sinesys, advogado).stdout.strip().splitlines()[-1])
    second = int(_add(sinesys, advogado, grau="segundo_grau").stdout.strip().splitlines()[-1])
    stranger = Cipher.from_text(generate_key())
    with session_scope(factory=make_session_factory(engine)) as session:
        row = session.get(CredencialRow, second)
        row.senha_cifrada = stranger.encrypt("x", aad=credencial_aad(row.uuid, "senha"))
    target = tmp_path / "nova.key"
    result = sinesys("credenciais", "rotate-key", "--new-key-file", str(target))
    assert_one_line_error(result, f"credencial {second}", "SINESYS_SECRET_KEY mudou?")
    assert not target.exists()
    assert _service(engine, secret_key).get(first).senha.get_secret_value() == CANARY_SENHA


@pytest.mark.parametrize("command", ["add", "list", "update", "disable", "enable", "import", "rotate-key"])
def test_help_is_available(sinesys, command):
    """Every credenciais command answers --help."""
    result = sinesys("credenciais", command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


def test_update_changes_password_login_and_second_factor(sinesys, advogado, engine, secret_key):
    """update asks for the new password and 2FAuth token at hidden prompts and stores them."""
    credencial_id = _add(sinesys, advogado).stdout.strip().splitlines()[-1]
    result = sinesys(
        "credenciais", "update", credencial_id, "--senha", "--usuario", "maria.adv", "--otp", "2fauth",
        "--twofauth-url", "https://2fa.example.test", "--twofauth-account-id", "5",
        input=f"{CANARY_SENHA_2}\n{CANARY_SENHA_2}\n{CANARY_TWOFAUTH_TOKEN}\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "alterada: senha, twofauth, usuario" in result.stdout
    assert find_canaries(result.output) == []
    credencial = _service(engine, secret_key).get(int(credencial_id))
    assert credencial.senha.get_secret_value() == CANARY_SENHA_2
    assert credencial.twofauth.token.get_secret_value() == CANARY_TWOFAUTH_TOKEN
    assert credencial.totp_secret is None
    assert credencial.usuario == "maria.adv"
    assert sinesys("credenciais", "update", credencial_id, "--otp", "none", "--usuario-cpf").exit_code == 0
    assert _service(engine, secret_key).get(int(credencial_id)).otp_kind.value == "none"


@pytest.mark.parametrize(
    ("args", "input_", "fragment"),
    [
        ([], "", "nada a alterar"),
        (["--usuario", "x", "--usuario-cpf"], "", "não os dois"),
        (["--otp", "2fauth"], "", "--twofauth-url"),
        (["--otp", "totp"], "0189!\n", "o segredo TOTP: não é base32"),
        (["--senha"], " \n \n", "a senha: vazio"),
    ],
)
def test_bad_update_is_one_line_and_changes_nothing(sinesys, advogado, engine, secret_key, args, input_, fragment):
    """A bad update exits non-zero with one line and leaves the credential as it was."""
    credencial_id = _add(sinesys, advogado).stdout.strip().splitlines()[-1]
    result = sinesys("credenciais", "update", credencial_id, *args, input=input_)
    assert result.exit_code != 0
    assert result.stderr.strip().splitlines()[-1].startswith("erro: ")
    assert fragment in result.stderr
    credencial = _service(engine, secret_key).get(int(credencial_id))
    assert credencial.senha.get_secret_value() == CANARY_SENHA
    assert credencial.totp_secret.get_secret_value() == CANARY_TOTP_SECRET
    assert_one_line_error(sinesys("credenciais", "update", "999", "--usuario-cpf"), "credencial 999 não existe")
