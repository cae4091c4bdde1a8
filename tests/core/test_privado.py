"""Personal data at rest is owner-only whatever the umask (issue 17, item 5)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sinesys_spiders.core.documentos import PastaDocumentStore

PROJECT_DIR = Path(__file__).resolve().parents[2]
CLI = "from sinesys_spiders.cli import main; main()"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_aberto() -> Iterator[None]:
    """A careless umask (022: files world-readable), restored afterwards."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_the_sqlite_database_and_its_folder_are_owner_only(tmp_path: Path) -> None:
    """``sinesys db upgrade`` run with umask 022 creates var/ as 0700 and the database (and WAL) as 0600."""
    var = tmp_path / "novo" / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
    env["SINESYS_VAR_DIR"] = str(var)
    result = subprocess.run(
        ["sh", "-c", f"umask 022 && exec {sys.executable} -c '{CLI}' db upgrade"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _mode(var) == 0o700
    for path in var.iterdir():
        if path.name.startswith("sinesys.db"):
            assert _mode(path) == 0o600, path.name


def test_documents_are_owner_only_whatever_the_umask(tmp_path: Path, umask_aberto: None) -> None:
    """A stored PDF is 0600 and its folders 0700, even when the process umask would make them readable."""
    store = PastaDocumentStore(tmp_path / "documentos")
    guardado = store.put(tribunal="TRT3", grau="primeiro_grau", id_processo=10, id_documento=20, conteudo=b"%PDF-1.4")
    arquivo = tmp_path / "documentos" / guardado.caminho
    assert _mode(arquivo) == 0o600
    pasta = arquivo.parent
    while pasta != tmp_path:
        assert _mode(pasta) == 0o700, pasta
        pasta = pasta.parent


def test_a_folder_that_already_existed_is_left_as_it_was(tmp_path: Path) -> None:
    """The SQLite file put in an existing shared folder (``/tmp``-like: sticky, world-writable; a project folder
    takes the same path): ``sinesys db upgrade`` creates the database 0600 and leaves the folder's mode alone, so
    nobody else is locked out of it (as root, tightening ``/tmp`` broke every other user of the machine)."""
    pasta = tmp_path / "compartilhada"
    pasta.mkdir()
    pasta.chmod(0o1777)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
    env["SINESYS_DATABASE_URL"] = f"sqlite:///{pasta / 'app.db'}"
    env["SINESYS_VAR_DIR"] = str(tmp_path / "var")
    result = subprocess.run([sys.executable, "-c", CLI, "db", "upgrade"], cwd=PROJECT_DIR, env=env,
                            capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(pasta.stat().st_mode) == 0o1777
    assert _mode(pasta / "app.db") == 0o600
