"""The example tribunal families, installed by pip into a fresh venv, are found and capture there.

Each package under ``examples/`` is a separate distribution: nothing in this tree names it (these tests read
its folder and its ``pyproject.toml``; what it serves comes from its plugin's own ``endpoints()`` in the venv).
Installed next to Sinesys Captura it must add its tribunals to ``sinesys tribunais list``, the API and the capture
spiders, and its own tests (the contract kit against its own simulator: login, OTP, pages, session expiry, a second
run writing nothing, no secret) must pass in that environment, importing both packages from the venv, never from
this tree.
A package made there by ``sinesys plugin new`` (from the template the installed package ships) passes the kit too.

Every command runs in the venv; they are few because each pays the interpreter's start-up. The kits' inner
pytest (the longest, mostly waiting on logins and crawls) starts first, in a thread, and the probe, ``tribunais
list`` and Scrapyd run meanwhile.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.plugins.conftest import EXEMPLOS, PROJECT_DIR, VenvFresco, copiar_testes, plugins_do_exemplo

pytestmark = [pytest.mark.e2e]

#: The example plugins' names (entry points), from their pyproject.toml.
PLUGINS = [nome for exemplo in EXEMPLOS for nome in plugins_do_exemplo(exemplo)]

#: In the venv: where both packages come from, the registry, the API's tribunal list and the spiders Scrapyd lists.
_SONDA = """
import asyncio, json, os, sys
import httpx
import sinesys_spiders
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.project import get_project_settings
from api.app import create_app
from api.auth.chaves import ChavesService
from api.config import ApiSettings
from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.crypto import generate_key
from sinesys_spiders.core.db import make_engine, make_session_factory
from sinesys_spiders.core.db.migrate import upgrade
from sinesys_spiders.core.tribunais import get_registry
url = os.environ["SINESYS_DATABASE_URL"]
upgrade(url)
settings = Settings(database_url=url, secret_key=generate_key(), var_dir=os.environ["SINESYS_VAR_DIR"], _env_file=None)
chave = ChavesService(make_session_factory(make_engine(url))).criar("sonda", "leitura")[1]
app = create_app(settings, api_settings=ApiSettings(jwt_secret="x" * 48, cookie_secure=False, _env_file=None))
async def api():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        r = await c.get("/api/captura/tribunais", headers={"x-service-api-key": chave})
        return [r.status_code, r.json()]
plugins = get_registry().plugins
print(json.dumps({
    "arquivos": [sinesys_spiders.__file__] + [sys.modules[type(p).__module__].__file__ for p in plugins.values()],
    "plugins": sorted(plugins),
    "servidos": {n: sorted([e.tribunal.value, e.grau.value] for e in p.endpoints()) for n, p in plugins.items()},
    "api": asyncio.run(api()),
    "spiders": sorted(get_spider_loader(get_project_settings()).list()),
}))
"""


@pytest.fixture(scope="module")
def env_venv(venv_exemplo: VenvFresco) -> dict[str, str]:
    """A database and folder of the venv's own (migrated by the probe)."""
    db = venv_exemplo.trabalho / "sinesys.db"
    return {
        "SINESYS_DATABASE_URL": f"sqlite:///{db}",
        "SINESYS_VAR_DIR": str(venv_exemplo.trabalho / "var"),
        "SCRAPY_SETTINGS_MODULE": "sinesys_spiders.settings",
    }


def _kits(venv: VenvFresco, pasta: Path) -> subprocess.CompletedProcess[str]:
    """``sinesys plugin new`` in the venv, the package pip-installed there, then one inner pytest: every example's
    kit tests and the generated package's (its first capture's checks)."""
    exemplos = [copiar_testes(exemplo, pasta / "exemplos" / exemplo.name) for exemplo in EXEMPLOS]
    criado = venv.sinesys("plugin", "new", "meusis", "--tribunal", "TJMEU", "--destino", str(pasta))
    if criado.returncode != 0:
        return criado
    gerado = Path(criado.stdout.strip())
    instalado = venv.run("-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", str(gerado))
    if instalado.returncode != 0:
        return instalado
    primeira = "login_com_otp or senha_errada or otp_recusado or paginas_e_totais or itens_validos"
    return venv.run(
        "-m", "pytest", "-q", "-p", "no:cacheprovider", "--import-mode=importlib", "--rootdir", str(pasta),
        "-k", f"exemplos or ({primeira})", *map(str, exemplos), str(gerado / "tests"),
        cwd=pasta,
    )  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def kits_no_venv(
    venv_exemplo: VenvFresco, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Future[subprocess.CompletedProcess[str]]]:
    """The kits' run (:func:`_kits`), started first in a thread: it waits on crawls and logins in its own
    processes while the module's other checks run."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        yield executor.submit(_kits, venv_exemplo, tmp_path_factory.mktemp("kits"))


@pytest.fixture(scope="module")
def sonda(venv_exemplo: VenvFresco, env_venv: dict[str, str]) -> dict[str, Any]:
    """:data:`_SONDA` run once in the venv (it also migrates the venv's database)."""
    result = venv_exemplo.run("-c", _SONDA, env=env_venv)
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(json.loads(result.stdout))


def test_exemplo_instalado_aparece_na_api_e_nos_spiders(venv_exemplo: VenvFresco, sonda: dict[str, Any]) -> None:
    """Both packages come from the venv's site-packages; the plugin is registered by its entry point; the API's
    ``/api/captura/tribunais`` lists its tribunals; the spider list (Scrapyd's ``listspiders.json``) offers the
    capture it implements."""
    for arquivo in sonda["arquivos"]:
        assert Path(arquivo).is_relative_to(venv_exemplo.raiz)
        assert not Path(arquivo).is_relative_to(PROJECT_DIR)
    assert {"pje_trt", *PLUGINS} <= set(sonda["plugins"])
    status, corpo = sonda["api"]
    assert status == 200, corpo
    listados = {(t["tribunal"], t["grau"]) for t in corpo["data"]["tribunais"]}
    for nome in PLUGINS:
        assert sonda["servidos"][nome]
        assert {tuple(par) for par in sonda["servidos"][nome]} <= listados
    assert "acervo_geral" in sonda["spiders"]


def test_tribunais_list_mostra_o_exemplo(
    venv_exemplo: VenvFresco, env_venv: dict[str, str], sonda: dict[str, Any]
) -> None:
    """``sinesys tribunais list`` lists each example plugin's tribunals and graus, served by it (its
    ``endpoints()`` in the venv, read by the probe), next to PJE's."""
    result = venv_exemplo.sinesys("tribunais", "list", "--json", env=env_venv)
    assert result.returncode == 0, result.stderr[-3000:]
    linhas = json.loads(result.stdout)
    for nome in PLUGINS:
        listados = sorted([t["tribunal"], t["grau"]] for t in linhas if t["plugin"] == nome)
        assert listados == sonda["servidos"][nome]
        assert listados
    assert ("TRT3", "primeiro_grau") in {(t["tribunal"], t["grau"]) for t in linhas}


def test_scrapyd_do_venv_lista_os_spiders(venv_exemplo: VenvFresco, env_venv: dict[str, str]) -> None:
    """Scrapyd run from the venv (the project by its settings module in ``scrapy.cfg``, no egg) lists
    the capture spiders through ``listspiders.json``, ``acervo_geral`` among them: the example's capture."""
    pasta = venv_exemplo.trabalho / "scrapyd"
    pasta.mkdir()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        porta = sock.getsockname()[1]
    (pasta / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {porta}\neggs_dir = {pasta / 'eggs'}\n"
        f"logs_dir = {pasta / 'logs'}\ndbs_dir = {pasta / 'dbs'}\n",
        encoding="utf-8",
    )
    # Scrapyd and its runner read the project's settings module from scrapy.cfg in their folder.
    (pasta / "scrapy.cfg").write_text("[settings]\nsinesys = sinesys_spiders.settings\n", encoding="utf-8")
    env = {**venv_exemplo.env, **env_venv}
    env.pop("SCRAPY_SETTINGS_MODULE")
    with (pasta / "scrapyd.out").open("wb") as saida:
        processo = subprocess.Popen(
            [str(venv_exemplo.python), "-m", "scrapyd"], cwd=pasta, env=env, stdout=saida, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{porta}/listspiders.json"
        resposta = None
        for _ in range(300):
            try:
                resposta = httpx.get(url, params={"project": "sinesys"}, timeout=120)
                break
            except httpx.TransportError:
                assert processo.poll() is None, (pasta / "scrapyd.out").read_text(errors="replace")[-2000:]
                time.sleep(0.2)
        assert resposta is not None
        corpo = resposta.json()
        assert corpo["status"] == "ok", corpo
        assert "acervo_geral" in corpo["spiders"]
    finally:
        processo.terminate()
        processo.wait(timeout=20)


def test_kits_do_exemplo_e_do_plugin_gerado(kits_no_venv: Future[subprocess.CompletedProcess[str]]) -> None:
    """In the fresh venv each example's contract-kit tests pass (its captures store its simulator's truth), and so
    does a package made by ``sinesys plugin new``, installed there: login with OTP, both failure codes, pages against
    its truth, valid items (the kit's first capture; the example runs the second too)."""
    result = kits_no_venv.result(timeout=900)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    assert f"{8 * len(EXEMPLOS) + 5} passed" in result.stdout
