"""The eproc login: one HTML form (CPF and password) on the tribunal's own host, then the second factor's form.

Steps (the framework hands a Playwright page, the endpoint, the credential and a source of one-time codes):

1. ``externo_controlador.php?acao=login``: ``#txtUsuario`` and ``#pwdSenha``, submitted with ``#sbmEntrar``;
2. a wrong CPF or password shows ``#divInfraMsg`` on the same form: :class:`SenhaInvalida`;
3. the second factor's form (``#txtCodigoAcesso``, ``#btnValidar``): the current code, and once the next one
   if the first is refused; both refused: :class:`OtpInvalido`;
4. the lawyer's panel (``acao=painel_advogado``): the session is the ``PHPSESSID`` cookie, and the user's id in
   this installation is the ``EPROC_USUARIO`` cookie.

The password and codes are typed only on the endpoint's own host (scheme, host and port): a form anywhere else
stops with :class:`SsoNaoConfiavel` before a field is filled. Messages never carry the CPF, password, code or a
cookie.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from sinesys_spiders.plugin import (
    Identidade,
    IdentidadeNaoEncontrada,
    LoginFlow,
    LoginResult,
    LoginTimeouts,
    NetworkError,
    OtpInvalido,
    OtpSource,
    SenhaInvalida,
    SsoNaoConfiavel,
    TimeoutError_,
    TribunalEmManutencao,
    TribunalEndpoint,
)

__all__ = ["SELETORES", "EprocLoginFlow"]

logger = logging.getLogger(__name__)

SELETORES = {
    "usuario": "#txtUsuario",
    "senha": "#pwdSenha",
    "entrar": "#sbmEntrar",
    "codigo": "#txtCodigoAcesso",
    "validar": "#btnValidar",
    "mensagem": "#divInfraMsg",
}
COOKIE_USUARIO = "EPROC_USUARIO"
_PAINEL = "acao=painel_advogado"


def _origem(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    porta = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), porta


def _ms(seconds: float) -> float:
    return max(1.0, seconds * 1000.0)


class EprocLoginFlow(LoginFlow):
    """Logs into one eproc installation with a Playwright page."""

    async def login(
        self,
        page: Any,
        *,
        endpoint: TribunalEndpoint,
        usuario: str,
        senha: str,
        otp: OtpSource,
        timeouts: LoginTimeouts,
    ) -> LoginResult:
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        onde = f"{endpoint.tribunal} {endpoint.grau}"
        try:
            return await self._login(page, endpoint, usuario, senha, otp, timeouts, onde)
        except PlaywrightTimeout:
            raise TimeoutError_(f"tempo esgotado no login do eproc em {onde}") from None
        except PlaywrightError as exc:
            primeira = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
            raise NetworkError(f"falha de navegação no login do eproc em {onde}: {primeira}") from None

    async def _login(
        self,
        page: Any,
        endpoint: TribunalEndpoint,
        usuario: str,
        senha: str,
        otp: OtpSource,
        t: LoginTimeouts,
        onde: str,
    ) -> LoginResult:
        def no_tribunal() -> None:
            if _origem(page.url) != _origem(endpoint.base_url):
                raise SsoNaoConfiavel(f"o login do eproc em {onde} saiu do endereço do tribunal; nada foi digitado")

        await page.goto(endpoint.login_url, wait_until="domcontentloaded", timeout=_ms(t.page_load))
        no_tribunal()
        if await page.locator(SELETORES["usuario"]).count() == 0:
            raise TribunalEmManutencao(f"o eproc de {onde} não mostrou o formulário de login")
        await page.fill(SELETORES["usuario"], usuario)
        await page.fill(SELETORES["senha"], senha)
        async with page.expect_navigation(wait_until="domcontentloaded", timeout=_ms(t.form_submit)):
            await page.click(SELETORES["entrar"])
        no_tribunal()
        if await page.locator(SELETORES["codigo"]).count() == 0:
            if await page.locator(SELETORES["mensagem"]).count():
                raise SenhaInvalida(f"usuário ou senha inválidos no eproc de {onde}")
            raise TimeoutError_(f"o eproc de {onde} não pediu o código de acesso após a senha")

        codigo: str | None = await otp.first()
        for _tentativa in (1, 2):
            assert codigo is not None
            await page.fill(SELETORES["codigo"], codigo)
            async with page.expect_navigation(wait_until="domcontentloaded", timeout=_ms(t.form_submit)):
                await page.click(SELETORES["validar"])
            no_tribunal()
            if _PAINEL in page.url:
                break
            if await page.locator(SELETORES["codigo"]).count() == 0:  # back on the login form: too many tries
                raise OtpInvalido(f"o eproc de {onde} recusou os códigos de acesso")
            codigo = await otp.next() if _tentativa == 1 else None
            if codigo is None:
                raise OtpInvalido(f"o código de acesso foi recusado no eproc de {onde} (o atual e o próximo)")
        else:
            raise OtpInvalido(f"o código de acesso foi recusado no eproc de {onde} (o atual e o próximo)")

        cookies = [dict(c) for c in await page.context.cookies()]
        return LoginResult(cookies=cookies, identidade=self.identidade(cookies), landing_url=page.url)

    def identidade(self, cookies: Sequence[Mapping[str, object]]) -> Identidade:
        """The user's id in this installation: the ``EPROC_USUARIO`` cookie."""
        for cookie in cookies:
            if cookie.get("name") == COOKIE_USUARIO:
                try:
                    id_usuario = int(str(cookie.get("value")))
                except ValueError:
                    break
                return Identidade(id_advogado=id_usuario, claims={"id_usuario": id_usuario})
        raise IdentidadeNaoEncontrada("a sessão do eproc não tem o cookie EPROC_USUARIO")

    def sessao_expirada(self, *, status: int, url: str, content_type: str, body: bytes) -> bool:
        """401 (the API's answer without a session), or a redirect to / a page with the login form."""
        if status == 401:
            return True
        if "acao=login" in url and "acao=login_" not in url:
            return True
        return status == 200 and "html" in content_type.lower() and b"txtUsuario" in body[:100_000]
