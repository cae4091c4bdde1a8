"""``sinesys api-keys`` and ``sinesys usuarios``: keys printed once and never listed, users added without the
password on the command line, bad input refused with one line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from api.auth.chaves import ChavesService
from api.auth.usuarios import UsuariosService
from sinesys_spiders.cli import main
from sinesys_spiders.core.config import reset_settings
from sinesys_spiders.core.db.engine import dispose_engines

pytestmark = pytest.mark.requires_postgres


@pytest.fixture
def env(api_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SINESYS_DATABASE_URL", api_database)
    reset_settings()
    dispose_engines()
    yield
    dispose_engines()
    monkeypatch.delenv("SINESYS_DATABASE_URL")
    reset_settings()


def _run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def test_api_keys_create_prints_the_key_once_list_never_shows_it_and_revoke_ends_it(env, factory):
    """The key works until revoked; the listing has its prefix, scopes and state only."""
    created = _run("api-keys", "create", "--nome", "cli-teste", "--escopos", "leitura,captura", "--expira-em", "30")
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[0]
    assert key.startswith("snk_")
    assert ChavesService(factory).verificar(key) is not None
    listed = _run("api-keys", "list", "--json")
    assert "cli-teste" in listed.stdout
    assert key not in listed.stdout
    assert key.split("_")[2] not in listed.stdout
    assert _run("api-keys", "revoke", "cli-teste").exit_code == 0
    assert ChavesService(factory).verificar(key) is None


def test_bad_key_options_fail_with_one_line(env):
    """An unknown scope or a non-positive expiry is refused, nothing created."""
    for args in (("--escopos", "tudo"), ("--escopos", "leitura", "--expira-em", "0")):
        result = CliRunner().invoke(main, ["api-keys", "create", "--nome", "ruim", *args])
        assert result.exit_code != 0
        assert result.output.count("\n") == 1, result.output
    assert "ruim" not in _run("api-keys", "list").stdout


def test_usuarios_add_reads_the_password_from_stdin_and_the_user_can_log_in(env, factory):
    """The password never appears as an argument or in the output; a short one is refused."""
    senha = "senha-do-cli-bem-longa"
    result = _run("usuarios", "add", "bia", "--escopo", "admin", "--senha-stdin", stdin=senha + "\n")
    assert result.exit_code == 0, result.output
    assert senha not in result.output
    assert UsuariosService(factory).autenticar("bia", senha) is not None
    curta = CliRunner().invoke(main, ["usuarios", "add", "caio", "--escopo", "leitura", "--senha-stdin"], input="x\n")
    assert curta.exit_code != 0
    assert "12 caracteres" in curta.output
    assert _run("usuarios", "disable", "bia").exit_code == 0
    assert UsuariosService(factory).autenticar("bia", senha) is None
