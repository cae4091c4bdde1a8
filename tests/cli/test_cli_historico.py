"""``sinesys historico``: recent captures and one capture per credential; a bad id is one clear line."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine

from sinesys_spiders.core.db.engine import make_session_factory
from sinesys_spiders.core.errors import SenhaInvalida
from sinesys_spiders.core.historico import HistoricoService
from tests.cli.helpers import assert_one_line_error


@pytest.fixture
def capturas(engine: Engine) -> dict[str, int]:
    """A completed acervo capture (one credential ok, one with a wrong password) and a pending one."""
    service = HistoricoService(make_session_factory(engine))
    done = service.start(tipo_captura="acervo_geral", credencial_ids=[1, 2], parametros={"tribunais": "TRT3,TRT5"})
    service.record_result(
        done,
        credencial_id=1,
        tribunal="TRT3",
        grau="primeiro_grau",
        contagem={"inseridos": 12, "inalterados": 3, "erros": 1},
        erros_itens=[{"id_externo": 77, "motivo": "numero_processo: fora do padrão CNJ"}],
    )
    service.record_failure(done, credencial_id=2, tribunal="TRT5", grau="primeiro_grau", error=SenhaInvalida())
    service.finish(done)
    pending = service.create("pendentes", credencial_ids=[1])
    return {"done": done, "pending": pending}


def test_list_shows_recent_captures_with_totals(sinesys, capturas):
    """The list shows newest first with type, status, credentials and totals."""
    result = sinesys("historico", "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].split()[:3] == ["id", "tipo", "status"]
    assert lines[1].split()[:3] == [str(capturas["pending"]), "pendentes", "pending"]
    assert lines[2].split()[:3] == [str(capturas["done"]), "acervo_geral", "completed"]
    assert "inseridos=12" in lines[2]
    assert "1,2" in lines[2]


def test_list_filters_and_json(sinesys, capturas):
    """--status and --tipo filter; --json gives machine-readable rows with totals."""
    data = json.loads(sinesys("historico", "list", "--status", "completed", "--json").stdout)
    assert [row["id"] for row in data] == [capturas["done"]]
    assert data[0]["totais"]["inseridos"] == 12
    assert sinesys("historico", "list", "--tipo", "audiencias").stdout.startswith("nenhuma captura")


def test_show_explains_each_credential(sinesys, capturas):
    """show prints each credential's counts, or its error code and message, and the item errors."""
    result = sinesys("historico", "show", str(capturas["done"]))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"captura {capturas['done']}: acervo_geral — completed" in out
    assert "credencial 1 (TRT3 primeiro_grau): inseridos=12 atualizados=0 inalterados=3 erros=1" in out
    assert "credencial 2 (TRT5 primeiro_grau): ERRO SENHA_INVALIDA: Usuário ou senha inválidos no tribunal." in out
    assert "item 77: numero_processo: fora do padrão CNJ" in out


def test_show_json(sinesys, capturas):
    """show --json gives the whole row: status, per-credential results and errors, times in ISO 8601."""
    data = json.loads(sinesys("historico", "show", str(capturas["done"]), "--json").stdout)
    assert data["status"] == "completed"
    assert data["resultado"]["credenciais_processadas"] == 2
    errors = [e["erro"]["codigo"] for e in data["resultado"]["resultados"] if "erro" in e]
    assert errors == ["SENHA_INVALIDA"]
    assert data["concluido_em"].endswith("+00:00")


@pytest.mark.parametrize(("arg", "fragment"), [("abc", "id de captura inválido"), ("0", "id de captura inválido")])
def test_show_bad_id_is_one_line(sinesys, capturas, arg, fragment):
    """A malformed id is one clear line and a non-zero exit."""
    assert_one_line_error(sinesys("historico", "show", arg), fragment)


def test_show_unknown_id_is_one_line(sinesys, capturas):
    """An id with no capture is one clear line naming it, and a non-zero exit."""
    assert_one_line_error(sinesys("historico", "show", "9999"), "NAO_ENCONTRADO", "9999")


def test_show_escapes_what_a_tribunal_stored(sinesys, engine):
    """An item error whose id and reason came from a tribunal with a newline and an ANSI escape is printed on its
    own line, escaped: it neither forges a second history line nor drives the terminal (issue 17, item 6)."""
    service = HistoricoService(make_session_factory(engine))
    captura = service.start(tipo_captura="acervo_geral", credencial_ids=[1])
    forjada = "1\n  credencial 9 (TRT1 primeiro_grau): inseridos=999\x1b[2J"
    service.record_result(captura, credencial_id=1, tribunal="TRT3", grau="primeiro_grau", contagem={"erros": 1},
                          erros_itens=[{"id_externo": forjada, "motivo": "campo\rnumero"}])  # fmt: skip
    service.finish(captura)
    out = sinesys("historico", "show", str(captura)).stdout
    assert "\x1b" not in out
    assert "\r" not in out
    assert not any(line.startswith("  credencial 9") for line in out.splitlines())
    assert "\\n  credencial 9" in out
