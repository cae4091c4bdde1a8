"""``sinesys advogados``: add and list lawyers, with every bad input refused in one line."""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import assert_one_line_error, row_counts

CPF = "529.982.247-25"


def test_add_prints_the_new_id_and_list_masks_the_cpf(sinesys):
    """A lawyer added with CPF and OABs gets an id; the listing shows the CPF masked, never whole."""
    added = sinesys("advogados", "add", "--nome", "Maria  da Silva", "--cpf", CPF, "--oab", "mg123456", "--oab", "SP1")
    assert added.exit_code == 0, added.output
    assert added.stdout.strip().isdigit()
    listing = sinesys("advogados", "list")
    assert "529.***.***-25" in listing.stdout
    assert "MG123456, SP1" in listing.stdout
    assert "Maria da Silva" in listing.stdout
    assert "52998224725" not in listing.output
    data = json.loads(sinesys("advogados", "list", "--json").stdout)
    assert data == [
        {
            "id": int(added.stdout),
            "nome_completo": "Maria da Silva",
            "cpf": "529.***.***-25",
            "oabs": [{"numero": "123456", "uf": "MG"}, {"numero": "1", "uf": "SP"}],
            "credenciais": 0,
        }
    ]


def test_empty_list_says_how_to_add(sinesys):
    """With no lawyers, the listing says which command adds one."""
    result = sinesys("advogados", "list")
    assert result.exit_code == 0
    assert "sinesys advogados add" in result.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--nome", "X", "--cpf", "529.982.247-24"], "dígitos verificadores"),
        (["--nome", "X", "--cpf", "111.111.111-11"], "dígitos todos iguais"),
        (["--nome", "X", "--cpf", "1234"], "CPF inválido"),
        (["--nome", "X", "--cpf", CPF, "--oab", "XX123"], "UF desconhecida"),
        (["--nome", "X", "--cpf", CPF, "--oab", "123"], "OAB inválida"),
        (["--nome", "   ", "--cpf", CPF], "--nome vazio"),
        (["--nome", "X" * 300, "--cpf", CPF], "longo demais"),
        (["--cpf", CPF], "--nome"),
        (["--nome", "X", "--cpf", CPF, "--bogus"], "--bogus"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(sinesys, engine, args, fragment):
    """Each bad input exits non-zero with one line on stderr that says what was wrong; no row is written."""
    before = row_counts(engine)
    result = sinesys("advogados", "add", *args)
    assert_one_line_error(result, fragment)
    assert row_counts(engine) == before


def test_duplicate_cpf_is_refused_with_the_existing_id(sinesys, engine):
    """A second lawyer with the same CPF (in any spelling) names the existing one, masked."""
    first = sinesys("advogados", "add", "--nome", "A", "--cpf", CPF).stdout.strip()
    before = row_counts(engine)
    result = sinesys("advogados", "add", "--nome", "B", "--cpf", "52998224725")
    assert_one_line_error(result, f"já existe o advogado {first}", "529.***.***-25")
    assert row_counts(engine) == before


@pytest.mark.parametrize("args", [["advogados", "--help"], ["advogados", "add", "--help"], ["advogados", "list", "-h"]])
def test_help_is_available(sinesys, args):
    """Every advogados command answers --help."""
    result = sinesys(*args)
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
