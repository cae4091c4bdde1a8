"""``sinesys plugin new``: a plugin package from the shipped template, or one clear line and nothing written."""

from __future__ import annotations

import ast
from pathlib import Path

from click.testing import CliRunner

from sinesys_spiders.cli import main
from tests.cli.helpers import assert_one_line_error


def _new(*args: str) -> object:
    return CliRunner().invoke(main, ["plugin", "new", *args])


def test_gera_pacote_completo(tmp_path: Path) -> None:
    """The package has its entry point, login flow, capture, simulator and kit tests, all valid Python with no
    placeholder left, named after NAME and with the tribunal code given."""
    result = _new("meu_sis", "--tribunal", "TJMS", "--destino", str(tmp_path))
    assert result.exit_code == 0, result.output
    raiz = tmp_path / "sinesys-meu-sis"
    assert result.stdout.strip() == str(raiz)
    pyproject = (raiz / "pyproject.toml").read_text()
    assert '[project.entry-points."sinesys.tribunais"]' in pyproject
    assert 'meu_sis = "sinesys_meu_sis.plugin:MeuSisPlugin"' in pyproject
    assert 'meu_sis-simulador = "sinesys_meu_sis.simulador.cli:simulador"' in pyproject
    esperados = {"plugin.py", "tribunais.py", "login.py", "capturas.py", "simulador/app.py", "simulador/dados.py"}
    assert esperados <= {
        p.relative_to(raiz / "sinesys_meu_sis").as_posix() for p in (raiz / "sinesys_meu_sis").rglob("*.py")
    }
    assert (raiz / "tests" / "test_contrato.py").exists()
    for arquivo in raiz.rglob("*"):
        if arquivo.is_file():
            texto = arquivo.read_text()
            assert [m for m in ("__pacote__", "__nome__", "__TRIBUNAL__", "__Classe__") if m in texto] == [], arquivo
            if arquivo.suffix == ".py":
                ast.parse(texto, filename=str(arquivo))
    assert '"TJMS", "primeiro_grau"' in (raiz / "sinesys_meu_sis" / "tribunais.py").read_text()


def test_nome_invalido(tmp_path: Path) -> None:
    """A name that is not a Python identifier in lower case: one line, exit 2, nothing written."""
    result = _new("Meu-Sis", "--destino", str(tmp_path))
    assert_one_line_error(result, "nome inválido")
    assert list(tmp_path.iterdir()) == []


def test_tribunal_invalido(tmp_path: Path) -> None:
    """A tribunal code that is not 2 to 8 capitals and digits: one line, exit 2, nothing written."""
    assert_one_line_error(_new("meusis", "--tribunal", "tj-ms", "--destino", str(tmp_path)), "tribunal inválido")
    assert list(tmp_path.iterdir()) == []


def test_pasta_existente_nao_e_tocada(tmp_path: Path) -> None:
    """An existing package folder is never overwritten."""
    (tmp_path / "sinesys-meusis").mkdir()
    (tmp_path / "sinesys-meusis" / "meu.txt").write_text("meu")
    assert_one_line_error(_new("meusis", "--destino", str(tmp_path)), "já existe")
    assert [p.name for p in (tmp_path / "sinesys-meusis").iterdir()] == ["meu.txt"]
