"""``sinesys tribunais``: every tribunal and grau of the installed plugins, and URL overrides."""

from __future__ import annotations

import json

import pytest

from tests.cli.helpers import assert_one_line_error, row_counts


def test_list_shows_every_tribunal_and_grau_of_the_plugins(sinesys):
    """All 24 TRTs in both graus plus the TST are listed with the plugin's URLs and no override."""
    result = sinesys("tribunais", "list", "--json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert len(items) == 49
    assert items[0]["tribunal"] == "TRT1"
    assert items[-1] == {**items[-1], "tribunal": "TST", "grau": "tribunal_superior", "override": []}
    trt3 = next(i for i in items if (i["tribunal"], i["grau"]) == ("TRT3", "primeiro_grau"))
    assert trt3["login_url"] == "https://pje.trt3.jus.br/primeirograu/login.seam"
    assert trt3["plugin"] == "pje_trt"
    table = sinesys("tribunais", "list").stdout
    assert "49 tribunais/graus; 0 com override" in table


def test_set_url_overrides_and_list_marks_it(sinesys):
    """set-url stores an override that list applies and marks; unset-url goes back to the default."""
    result = sinesys("tribunais", "set-url", "trt3", "--grau", "primeiro_grau", "--base-url", "http://127.0.0.1:8765/")
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8765/primeirograu/login.seam" in result.stdout
    table = sinesys("tribunais", "list").stdout
    marked = [line for line in table.splitlines() if " * " in line]
    assert len(marked) == 1
    assert marked[0].startswith("TRT3      primeiro_grau")
    assert "http://127.0.0.1:8765/pje-comum-api/api" in marked[0]
    items = json.loads(sinesys("tribunais", "list", "--json").stdout)
    trt3 = next(i for i in items if (i["tribunal"], i["grau"]) == ("TRT3", "primeiro_grau"))
    assert trt3["override"] == ["base_url"]
    assert trt3["padrao_base_url"] == "https://pje.trt3.jus.br"
    trt3_2 = next(i for i in items if (i["tribunal"], i["grau"]) == ("TRT3", "segundo_grau"))
    assert trt3_2["override"] == []

    unset = sinesys("tribunais", "unset-url", "TRT3", "--grau", "primeiro_grau")
    assert "override removido" in unset.stdout
    assert "https://pje.trt3.jus.br/primeirograu/login.seam" in unset.stdout
    assert "0 com override" in sinesys("tribunais", "list").stdout
    assert "não havia override" in sinesys("tribunais", "unset-url", "TRT3", "--grau", "primeiro_grau").stdout


def test_set_url_accepts_paths_and_sso(sinesys):
    """Login path, API path and SSO URL can be overridden too."""
    result = sinesys(
        "tribunais", "set-url", "TST", "--grau", "tribunal_superior", "--login-path", "/x/login.seam",
        "--api-path", "/api", "--sso-url", "https://sso.local",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    items = json.loads(sinesys("tribunais", "list", "--json").stdout)
    tst = items[-1]
    assert tst["login_url"] == "https://pje.tst.jus.br/x/login.seam"
    assert tst["api_url"] == "https://pje.tst.jus.br/api"
    assert tst["sso_url"] == "https://sso.local"
    assert tst["override"] == ["login_path", "api_path", "sso_url"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["TRT3", "--grau", "primeiro_grau", "--base-url", "ftp://x"], "use http:// ou https://"),
        (["TRT3", "--grau", "primeiro_grau", "--base-url", "https://"], "falta o host"),
        (["TRT3", "--grau", "primeiro_grau", "--base-url", "https://u:p@x.test"], "usuário ou senha"),
        (["TRT3", "--grau", "primeiro_grau", "--login-path", "login.seam"], "começa com /"),
        (["TRT3", "--grau", "primeiro_grau"], "informe ao menos um"),
        (["TRT99", "--grau", "primeiro_grau", "--base-url", "http://x.test"], "tribunal desconhecido"),
        (["TST", "--grau", "segundo_grau", "--base-url", "http://x.test"], "TST não tem segundo_grau"),
        (["TRT3", "--grau", "quarto", "--base-url", "http://x.test"], "grau desconhecido"),
        (["TRT3", "--base-url", "http://x.test"], "--grau"),
    ],
)
def test_bad_set_url_is_one_line_and_writes_nothing(sinesys, engine, args, fragment):
    """A bad tribunal, grau or URL exits non-zero with one line and stores no override."""
    before = row_counts(engine)
    assert_one_line_error(sinesys("tribunais", "set-url", *args), fragment)
    assert row_counts(engine) == before


def test_bad_unset_url_is_one_line(sinesys):
    """unset-url validates the tribunal and grau like set-url."""
    assert_one_line_error(sinesys("tribunais", "unset-url", "TST", "--grau", "primeiro_grau"), "TST não tem")


@pytest.mark.parametrize("command", ["list", "set-url", "unset-url"])
def test_help_is_available(sinesys, command):
    """Every tribunais command answers --help."""
    result = sinesys("tribunais", command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
