"""The bad-input table of issue 17 (item 7): each case is one line on stderr, a non-zero exit, nothing written.

The ``sinesys`` cases run in-process, on both back ends; the ``scrapy crawl`` cases run as the user runs them (a
subprocess on the test database), on PostgreSQL only: each is a whole ``scrapy`` start-up refused before any write,
and the same refusal on SQLite would prove nothing more. Before each case the database holds a lawyer and a
credential; after it, every table checked (lawyers, credentials, tribunal overrides, sessions, capture history) has
the same rows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sinesys_spiders.testing.db_fixtures import on_postgresql
from tests.cli.test_cli_credenciais import TOTP_INPUT

PROJECT_DIR = Path(__file__).resolve().parents[2]
ENORME = "99999999999999999999999"
DOIS_A_70 = str(2**70)

_TABELAS = ("advogados", "credenciais", "tribunais_config", "sessoes", "capturas_log", "captura_logs_brutos")


def _contagens(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()  # noqa: S608 - fixed names
                for t in _TABELAS
            }
    finally:
        engine.dispose()


@pytest.fixture
def banco(sinesys, database_env: str, secret_key: str, tmp_path: Path) -> dict[str, str]:
    """A lawyer (id 1) with one credential (id 1) at TRT3; the files the import cases read."""
    assert sinesys("advogados", "add", "--nome", "Maria", "--cpf", "529.982.247-25").exit_code == 0
    added = sinesys(
        "credenciais", "add", "--advogado", "1", "--tribunal", "TRT3", "--grau", "primeiro_grau", input=TOTP_INPUT
    )
    assert added.exit_code == 0, added.output
    aninhado = tmp_path / "aninhado.json"
    aninhado.write_text("[" * 100_000 + "]" * 100_000)
    digitos = tmp_path / "digitos.json"
    digitos.write_text('[{"advogado_id": ' + "9" * 5000 + ', "tribunal": "TRT3", "grau": "primeiro_grau"}]')
    return {"url": database_env, "key": secret_key, "aninhado": str(aninhado), "digitos": str(digitos)}


SET_URL = ("tribunais", "set-url", "TRT3", "--grau", "primeiro_grau")
SINESYS_CASOS = [
    (("credenciais", "enable", ENORME), "ENORME"),
    (("credenciais", "disable", ENORME), "ENORME"),
    (("credenciais", "list", "--advogado", ENORME), "ENORME"),
    (("historico", "show", DOIS_A_70), "id de captura inválido"),
    (("credenciais", "import", "--from-json", "{aninhado}"), "aninhamento"),
    (("credenciais", "import", "--from-json", "{digitos}"), "número grande demais"),
    (
        ("tribunais", "set-url", "TRT3", "--grau", "primeiro_grau", "--base-url", "https://pje.x.jus.br/?a=1"),
        "consulta",
    ),
    (("tribunais", "set-url", "TRT3", "--grau", "primeiro_grau", "--base-url", "https://pje.x.jus.br/#a"), "fragmento"),
    (("tribunais", "set-url", "TRT3", "--grau", "primeiro_grau", "--base-url", "http://pje.x.jus.br"), "http://"),
    (("tribunais", "set-url", "TRT3", "--grau", "primeiro_grau", "--api-path", "/a/../../b"), "segmentos"),
    (("capturas", "iniciar", "acervo_geral", "--credenciais", "529.982.247-25"), "'***'"),
    (("capturas", "iniciar", "acervo_geral", "--credenciais", ENORME), "menores que 2**63"),
    (("advogados", "add", "--nome", "X", "--cpf", "52998224725", "--oab", "529.982.247-25"), "OAB inválida"),
    (("tribunais", "set-url", "52998224725", "--grau", "primeiro_grau", "--base-url", "https://a.jus.br"), "***"),
]


@pytest.mark.parametrize(("argv", "fragmento"), SINESYS_CASOS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_bad_sinesys_input_is_one_line_and_writes_nothing(sinesys, banco, argv, fragmento) -> None:
    """Each bad ``sinesys`` input: exit code 2, exactly one ``erro:`` line naming the problem, no row changed."""
    argv = tuple(a.format(**banco) for a in argv)
    antes = _contagens(banco["url"])
    result = sinesys(*argv)
    assert result.exit_code == 2, result.output
    [linha] = result.stderr.strip().splitlines()
    assert linha.startswith("erro: "), linha
    if fragmento == "ENORME":
        assert "1<=x<=9223372036854775807" in linha or "range" in linha.lower() or "intervalo" in linha, linha
    else:
        assert fragmento in linha, linha
    assert "Traceback" not in result.output
    assert "52998224725" not in linha.replace(".", "").replace("-", "")  # a CPF typed in the wrong field
    assert _contagens(banco["url"]) == antes


CRAWL_CASOS = [
    (("acervo_geral", "-a", f"credenciais={ENORME}"), "credenciais"),
    (("acervo_geral", "-a", f"advogado={ENORME}"), "advogado"),
    (("acervo_geral", "-a", "advogado=1", "-a", f"captura_id={ENORME}"), "captura_id"),
    (("acervo_geral", "-a", "advogado=1", "-a", "captura_id="), "captura_id"),
    (("acervo_geral", "-a", "advogado=999"), "advogado 999 não existe"),
    (("partes", "-a", "advogado=1", "-a", "horas_para_recaptura=inf"), "horas_para_recaptura"),
    (("partes", "-a", "advogado=1", "-a", "horas_para_recaptura=nan"), "horas_para_recaptura"),
    (("nope",), "spider desconhecido"),
]


@on_postgresql
@pytest.mark.parametrize(("argv", "fragmento"), CRAWL_CASOS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_bad_crawl_input_is_one_line_and_writes_nothing(banco, tmp_path, argv, fragmento) -> None:
    """Each bad ``scrapy crawl`` input: exit code 2, one ``erro:`` line, no history row or anything else written."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
    env.update(SINESYS_DATABASE_URL=banco["url"], SINESYS_SECRET_KEY=banco["key"], SINESYS_VAR_DIR=str(tmp_path))
    antes = _contagens(banco["url"])
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", *argv], cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    [linha] = result.stderr.strip().splitlines()
    assert linha.startswith("erro: "), linha
    assert fragmento in linha, linha
    assert _contagens(banco["url"]) == antes
