"""The frontend's flow on a real server: ``sinesys api serve`` (uvicorn), a cookie login, POST acervo-geral,
poll ``historico/{id}`` every second until done; the crawl runs as a ``scrapy crawl`` job of the local runner,
logs in to the sandbox with Chromium, and the database ends equal to the sandbox's ground truth."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from api.auth.usuarios import UsuariosService
from sinesys_spiders.core.credenciais import CredenciaisService, NovaCredencial
from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db import make_engine, make_session_factory
from sinesys_spiders.core.db.models import Advogado, TribunalConfig
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.testing.canary import CANARY_SENHA, CANARY_TOTP_SECRET, find_canaries
from sinesys_spiders.testing.comandos import env_de_comando
from sinesys_spiders.testing.postgres import PostgresServer
from sinesys_spiders.testing.registros import db_registros
from sinesys_spiders.testing.sandbox_fixtures import TEST_TOTP_PERIOD, SandboxClient, start_sandbox

pytestmark = [pytest.mark.e2e, pytest.mark.requires_postgres, pytest.mark.requires_browser]

PROJECT_DIR = Path(__file__).resolve().parents[2]
SENHA = "senha-do-operador-e2e"
TRIBUNAL, GRAU = "TRT5", "primeiro_grau"


def _needs_chromium() -> None:
    from sinesys_spiders.core.browser import resolve_browser
    from sinesys_spiders.core.config import Settings

    choice = resolve_browser(Settings())
    if choice.cdp_url is None and (choice.executable is None or not choice.executable.exists()):
        pytest.skip("no Chromium for Playwright")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxClient]:
    _needs_chromium()
    with start_sandbox(
        tmp_path_factory.mktemp("api-sandbox"), scale="tiny", users=2, tribunais=TRIBUNAL, totp_period=TEST_TOTP_PERIOD
    ) as client:
        yield client


@pytest.fixture(scope="module")
def servidor(
    sandbox: SandboxClient, postgres_server: PostgresServer, _postgres_template: str, tmp_path_factory
) -> Iterator[dict[str, Any]]:
    """A database with the sandbox's first lawyer and credential, a local user, and the API serving it."""
    name = f"sinesys_api_e2e_{os.getpid()}"
    url = postgres_server.create_database(name, template=_postgres_template)
    key = generate_key()
    workdir = tmp_path_factory.mktemp("api-e2e")
    engine = make_engine(url)
    factory = make_session_factory(engine)
    user = sandbox.users[0]
    with factory.begin() as session:
        adv = Advogado(nome_completo=user.nome, cpf=user.cpf, oabs=[])
        canario = Advogado(nome_completo=sandbox.users[1].nome, cpf=sandbox.users[1].cpf, oabs=[])
        session.add_all([adv, canario])
        session.add(
            TribunalConfig(
                tribunal=TRIBUNAL, grau=GRAU, base_url=sandbox.base_url(TRIBUNAL), sso_url=sandbox.sso_url, opcoes={}
            )
        )
        session.flush()
        advogado_id, canario_id = adv.id, canario.id
    servico_credenciais = CredenciaisService(factory, Cipher.from_text(key))
    cred_canario = servico_credenciais.add(  # the sandbox refuses its password: the capture fails at login
        NovaCredencial(
            advogado_id=canario_id,
            tribunal=Tribunal(TRIBUNAL),
            grau=Grau(GRAU),
            senha=SecretStr(CANARY_SENHA),
            usuario=sandbox.users[1].cpf,
            totp_secret=SecretStr(CANARY_TOTP_SECRET),
        )
    )
    cred = servico_credenciais.add(
        NovaCredencial(
            advogado_id=advogado_id,
            tribunal=Tribunal(TRIBUNAL),
            grau=Grau(GRAU),
            senha=SecretStr(user.senha),
            usuario=user.cpf,
            totp_secret=SecretStr(user.totp_secret),
        )
    )
    UsuariosService(factory).adicionar("operador", SENHA, "captura")
    env = env_de_comando(
        database_url=url,
        var_dir=workdir / "var",
        secret_key=key,
        extra={"SINESYS_API_COOKIE_SECURE": "false", "SINESYS_RUNNER": "local"},
    )
    port = _free_port()
    log = (workdir / "api.log").open("w")
    command = [
        sys.executable,
        "-c",
        "from sinesys_spiders.cli import main; main()",
        "api",
        "serve",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, (workdir / "api.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "API did not start"
            time.sleep(0.3)
        yield {
            "base": base,
            "factory": factory,
            "advogado_id": advogado_id,
            "credencial_id": cred,
            "canario": (canario_id, cred_canario),
            "user": user,
            "log": workdir / "api.log",
            "var": workdir / "var",
        }
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
        engine.dispose()
        postgres_server.drop_database(name)


def test_the_frontend_flow_ends_completed_with_the_database_equal_to_the_ground_truth(sandbox, servidor):
    """Login, start acervo-geral, poll every second until done: completed, who asked recorded, DB == truth."""
    with httpx.Client(base_url=servidor["base"], timeout=30) as client:
        login = client.post("/api/auth/login", json={"login": "operador", "senha": SENHA})
        assert login.status_code == 200, login.text
        csrf = login.json()["data"]["csrf_token"]
        body = {"advogado_id": servidor["advogado_id"], "credencial_ids": [servidor["credencial_id"]]}
        started = client.post("/api/captura/trt/acervo-geral", json=body, headers={"x-csrf-token": csrf})
        assert started.status_code == 200, started.text
        answer = started.json()
        assert answer["success"] is True
        assert answer["status"] == "in_progress"
        assert answer["data"]["credenciais_processadas"] == 1
        captura_id = answer["capture_id"]
        deadline = time.monotonic() + 600
        while True:
            captura = client.get(f"/api/captura/historico/{captura_id}").json()["data"]
            if captura["status"] not in ("pending", "in_progress"):
                break
            assert time.monotonic() < deadline, captura
            time.sleep(1)
    crawl_log = servidor["var"] / "logs" / "capturas" / f"{captura_id}.log"
    assert captura["status"] == "completed", (captura, crawl_log.read_text()[-3000:] if crawl_log.exists() else "")
    assert captura["solicitante"] == "usuario:operador"
    user = servidor["user"]
    bloco = sandbox.truth(tribunal=TRIBUNAL, grau=GRAU, cpf=user.cpf)["tribunais"][TRIBUNAL][GRAU][user.cpf]
    truth = {(TRIBUNAL, GRAU, p["id_externo"]): p for p in bloco["acervo_geral"]}
    stored = db_registros(servidor["factory"])["acervo"]
    assert stored.keys() == truth.keys()
    for chave, esperado in truth.items():
        diffs = {f: (stored[chave].get(f), v) for f, v in esperado.items() if stored[chave].get(f) != v}
        assert diffs == {}, chave
    for text in (servidor["log"].read_text(), crawl_log.read_text()):
        for secret in (*user.secrets, SENHA):
            assert secret not in text


def test_a_canary_credential_leaves_no_secret_in_any_answer_or_log(servidor):
    """A capture of a credential holding the canary password and TOTP secret, started and polled over HTTP with a
    service key of every read route: no canary in any answer (start, history, credentials, recovery), in the
    API's log or in the crawl's log, whatever the crawl's outcome (the sandbox refuses the password)."""
    from api.auth.chaves import ChavesService

    _, chave = ChavesService(servidor["factory"]).criar("canario", "admin")
    advogado_id, credencial_id = servidor["canario"]
    respostas: list[httpx.Response] = []
    with httpx.Client(base_url=servidor["base"], timeout=30, headers={"x-service-api-key": chave}) as client:
        started = client.post(
            "/api/captura/trt/acervo-geral", json={"advogado_id": advogado_id, "credencial_ids": [credencial_id]}
        )
        assert started.status_code == 200, started.text
        respostas.append(started)
        captura_id = started.json()["capture_id"]
        deadline = time.monotonic() + 600
        while True:
            one = client.get(f"/api/captura/historico/{captura_id}")
            respostas.append(one)
            if one.json()["data"]["status"] not in ("pending", "in_progress"):
                break
            assert time.monotonic() < deadline, one.text
            time.sleep(1)
        for path in ("/api/captura/historico", "/api/captura/credenciais", "/api/captura/credenciais-mapa",
                     f"/api/captura/recovery?captura_log_id={captura_id}&incluir_estatisticas=true"):  # fmt: skip
            respostas.append(client.get(path))
    assert [r.status_code for r in respostas] == [200] * len(respostas), [r.text for r in respostas if r.is_error]
    for response in respostas:
        assert find_canaries(response.text) == [], response.request.url
    crawl_log = servidor["var"] / "logs" / "capturas" / f"{captura_id}.log"
    assert crawl_log.exists()
    for log in (servidor["log"], crawl_log):
        assert find_canaries(log.read_bytes()) == [], log.name
