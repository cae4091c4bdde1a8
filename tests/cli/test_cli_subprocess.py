"""The real ``sinesys`` executable: secrets through stdin only, nothing secret on stdout or stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sinesys_spiders.core.crypto import generate_key
from sinesys_spiders.testing.canary import CANARY_SENHA, CANARY_TOTP_SECRET, find_canaries

SINESYS = Path(sys.executable).with_name("sinesys")


@pytest.fixture
def run(database_url, tmp_path):
    env = {
        **os.environ,
        "SINESYS_DATABASE_URL": database_url,
        "SINESYS_SECRET_KEY": generate_key(),
        "SINESYS_VAR_DIR": str(tmp_path / "var"),
    }

    def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        argv = [str(SINESYS), *args]
        assert find_canaries(" ".join(argv)) == []
        return subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)

    return _run


def test_sinesys_executable_adds_a_credential_from_stdin_without_leaking(run):
    """Through the installed executable, with debug logging on, a credential is added and no secret is printed."""
    advogado = run("advogados", "add", "--nome", "Maria", "--cpf", "529.982.247-25", "--oab", "MG123456")
    assert advogado.returncode == 0, advogado.stderr
    advogado_id = advogado.stdout.strip()
    added = run(
        "-v", "credenciais", "add", "--advogado", advogado_id, "--tribunal", "TRT3", "--grau", "primeiro_grau",
        stdin=f"{CANARY_SENHA}\n{CANARY_SENHA}\n{CANARY_TOTP_SECRET}\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip().splitlines()[-1].isdigit()
    assert find_canaries(added.stdout + added.stderr) == []
    listing = run("-v", "credenciais", "list")
    assert listing.returncode == 0, listing.stderr
    assert "TRT3" in listing.stdout
    assert "totp" in listing.stdout
    assert "52998224725" not in listing.stdout + listing.stderr
    assert find_canaries(listing.stdout + listing.stderr) == []


def test_sinesys_executable_bad_input_is_one_line_with_exit_2(run):
    """A bad tribunal given to the real executable is one line on stderr and exit status 2."""
    result = run("credenciais", "add", "--advogado", "1", "--tribunal", "TRT99", "--grau", "primeiro_grau")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == ["erro: tribunal desconhecido: 'TRT99' (use TRT1..TRT24 ou TST)"]
