"""The example tribunal family, installed by pip into a fresh venv, is found and captures there.

``examples/sinesys-eproc-exemplo`` is a separate distribution: nothing in this tree names it. Installed next to
Sinesys Captura it must add its tribunals to ``sinesys tribunais list``, and its own tests (the contract kit
against its own simulator: login, OTP, pages, session expiry, a second run writing nothing, no secret) must pass
in that environment, importing both packages from the venv, never from this tree.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.plugins.conftest import PROJECT_DIR, VenvFresco, copiar_exemplo

pytestmark = [pytest.mark.e2e]


def test_instalado_do_venv_e_nao_da_arvore(venv_exemplo: VenvFresco) -> None:
    """Both packages are imported from the venv's site-packages, and the plugin is registered by its entry point."""
    script = (
        "import json, sinesys_spiders, sinesys_eproc; from sinesys_spiders.core.tribunais import get_registry; "
        "print(json.dumps([sinesys_spiders.__file__, sinesys_eproc.__file__, sorted(get_registry().plugins)]))"
    )
    result = venv_exemplo.run("-c", script)
    assert result.returncode == 0, result.stderr[-3000:]
    spiders, eproc, plugins = json.loads(result.stdout)
    for arquivo in (spiders, eproc):
        assert Path(arquivo).is_relative_to(venv_exemplo.raiz)
        assert not Path(arquivo).is_relative_to(PROJECT_DIR)
    assert {"eproc", "pje_trt"} <= set(plugins)


def test_tribunais_list_mostra_o_exemplo(venv_exemplo: VenvFresco) -> None:
    """``sinesys tribunais list`` lists the example's tribunals and graus (plugin eproc) next to PJE's."""
    db = venv_exemplo.trabalho / "tribunais.db"
    env = {"SINESYS_DATABASE_URL": f"sqlite:///{db}", "SINESYS_VAR_DIR": str(venv_exemplo.trabalho / "var")}
    assert venv_exemplo.sinesys("db", "upgrade", env=env).returncode == 0
    result = venv_exemplo.sinesys("tribunais", "list", "--json", env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    linhas = json.loads(result.stdout)
    eproc = {(t["tribunal"], t["grau"]) for t in linhas if t["plugin"] == "eproc"}
    assert eproc == {
        ("TRF4", "primeiro_grau"),
        ("TRF4", "segundo_grau"),
        ("TJSC", "primeiro_grau"),
        ("TJSC", "segundo_grau"),
        ("TJTO", "primeiro_grau"),
    }
    assert ("TRT3", "primeiro_grau") in {(t["tribunal"], t["grau"]) for t in linhas}


def test_kit_do_exemplo_passa_no_venv(venv_exemplo: VenvFresco, tmp_path: Path) -> None:
    """The example's own contract-kit tests pass in the fresh venv: its captures store its simulator's truth."""
    pasta = copiar_exemplo(tmp_path / "exemplo")
    result = venv_exemplo.run("-m", "pytest", "-q", "-p", "no:cacheprovider", "--sinesys-plugin", "eproc", cwd=pasta)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    assert "8 passed" in result.stdout


def test_plugin_new_gera_pacote_que_captura(venv_exemplo: VenvFresco, tmp_path: Path) -> None:
    """``sinesys plugin new`` (its template shipped in the installed package) makes a package that installs, adds
    its tribunal, and passes the kit's first capture: login with OTP, both failure codes, pages against its truth."""
    criado = venv_exemplo.sinesys("plugin", "new", "meusis", "--tribunal", "TJMEU", "--destino", str(tmp_path))
    assert criado.returncode == 0, criado.stderr
    pacote = Path(criado.stdout.strip())
    instalado = venv_exemplo.run("-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", str(pacote))
    assert instalado.returncode == 0, instalado.stderr[-3000:]
    registro = venv_exemplo.run(
        "-c", "from sinesys_spiders.core.tribunais import get_registry; print(get_registry().plugins['meusis'].name)"
    )
    assert registro.stdout.strip() == "meusis", registro.stderr[-2000:]
    primeira = "login_com_otp or senha_errada or otp_recusado or paginas_e_totais or itens_validos"
    result = venv_exemplo.run("-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", primeira, cwd=pacote)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    assert "5 passed" in result.stdout


_API = """
import asyncio, json, sys
import httpx
from api.app import create_app
from api.auth.chaves import ChavesService
from api.config import ApiSettings
from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.crypto import generate_key
from sinesys_spiders.core.db import make_engine, make_session_factory
settings = Settings(database_url=sys.argv[1], secret_key=generate_key(), var_dir=sys.argv[2], _env_file=None)
chave = ChavesService(make_session_factory(make_engine(sys.argv[1]))).criar("kit", "leitura")[1]
app = create_app(settings, api_settings=ApiSettings(jwt_secret="x" * 48, cookie_secure=False, _env_file=None))
async def main():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        r = await c.get("/api/captura/tribunais", headers={"x-service-api-key": chave})
        print(json.dumps([r.status_code, r.json()]))
asyncio.run(main())
"""


def test_api_e_spiders_veem_o_exemplo(venv_exemplo: VenvFresco) -> None:
    """In the fresh venv the API's ``/api/captura/tribunais`` lists the example's tribunals, and ``scrapy list``
    (what Scrapyd's ``listspiders.json`` runs for the project) offers the capture the example implements."""
    db = venv_exemplo.trabalho / "api.db"
    env = {"SINESYS_DATABASE_URL": f"sqlite:///{db}", "SINESYS_VAR_DIR": str(venv_exemplo.trabalho / "var-api")}
    assert venv_exemplo.sinesys("db", "upgrade", env=env).returncode == 0
    api = venv_exemplo.run("-c", _API, f"sqlite:///{db}", str(venv_exemplo.trabalho / "var-api"))
    assert api.returncode == 0, api.stderr[-3000:]
    status, corpo = json.loads(api.stdout)
    assert status == 200, corpo
    listados = {(t["tribunal"], t["grau"]) for t in corpo["data"]["tribunais"]}
    assert {("TRF4", "primeiro_grau"), ("TJSC", "segundo_grau"), ("TJTO", "primeiro_grau")} <= listados
    projeto = {**env, "SCRAPY_SETTINGS_MODULE": "sinesys_spiders.settings"}
    spiders = venv_exemplo.run("-m", "scrapy", "list", env=projeto)
    assert spiders.returncode == 0, spiders.stderr[-3000:]
    assert "acervo_geral" in spiders.stdout.split()
