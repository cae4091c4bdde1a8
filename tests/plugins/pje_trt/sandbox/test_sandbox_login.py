"""The login path of pje-api.md §1 against the sandbox: login.seam, the SSO form, the OTP step, the cookies."""

from __future__ import annotations

import re
import time
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pyotp
import pytest

from sinesys_spiders.testing.sandbox_fixtures import TEST_TOTP_PERIOD, SandboxClient

CHROMIUM = "/usr/bin/chromium"
FORM_ACTION = re.compile(r'<form[^>]*\baction="([^"]*)"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
FEEDBACK = re.compile(r'kc-feedback-text">([^<]*)<')


def _sso_form(http: httpx.Client, sandbox: SandboxClient, tribunal: str, grau: str) -> httpx.Response:
    """login.seam, then a click on #btnSsoPdpj (its form): the SSO's username/password page."""
    page = http.get(sandbox.login_url(tribunal, grau))
    assert page.status_code == 200
    assert 'id="btnSsoPdpj"' in page.text
    action = unescape(FORM_ACTION.search(page.text).group(1))
    fields = {k: unescape(v) for k, v in HIDDEN.findall(page.text)}
    return http.get(action, params=fields)


def _action(response: httpx.Response) -> str:
    return unescape(FORM_ACTION.search(response.text).group(1))


def _feedback(response: httpx.Response) -> str:
    match = FEEDBACK.search(response.text)
    return unescape(match.group(1)) if match else ""


def test_plain_http_login_sets_cookies_and_lands_on_the_panel(pje_sandbox: SandboxClient):
    """Forms + pyotp, no browser: login.seam -> SSO -> OTP -> authenticateSSO.seam -> the user panel, with cookies."""
    user = pje_sandbox.take_user()
    tribunal = next(t for t in ("TRT3", "TRT1", "TRT2") if t in user.ids_advogado)
    with httpx.Client(timeout=30) as http:
        form = _sso_form(http, pje_sandbox, tribunal, "primeiro_grau")
        assert form.status_code == 200
        sso_url = urlsplit(str(form.url))
        assert sso_url.path == "/auth/realms/pje/protocol/openid-connect/auth"
        query = parse_qs(sso_url.query)
        expected_client = "pje-trt07-1g" if tribunal == "TRT7" else f"pje-{tribunal.lower()}-1g"
        assert query["client_id"] == [expected_client]
        assert query["redirect_uri"] == [pje_sandbox.base_url(tribunal) + "/primeirograu/authenticateSSO.seam"]
        for selector in ('id="username"', 'id="password"', 'id="kc-login"'):
            assert selector in form.text

        otp_page = http.post(_action(form), data={"username": user.cpf, "password": user.senha})
        assert otp_page.status_code == 200
        assert 'id="otp"' in otp_page.text
        action = urlsplit(_action(otp_page))
        assert action.path == "/auth/realms/pje/login-actions/authenticate"
        params = parse_qs(action.query)
        assert set(params) >= {"execution", "client_id", "tab_id"}
        assert len(params["tab_id"][0]) == 11

        redirect = http.post(_action(otp_page), data={"otp": pje_sandbox.totp_code(user)})
        assert redirect.status_code == 302
        target = urlsplit(redirect.headers["location"])
        assert target.path == "/primeirograu/authenticateSSO.seam"
        assert "code" in parse_qs(target.query)

        landing = http.get(redirect.headers["location"])
        assert landing.status_code == 302
        assert landing.headers["location"] in ("/pjekz/painel/usuario-externo", "/pjekz/quadro-avisos/visualizar")
        set_cookies = landing.headers.get_list("set-cookie")
        access = next(c for c in set_cookies if c.startswith("access_token="))
        assert "httponly" in access.lower()
        assert "path=/" in access.lower()
        assert any(c.startswith("Xsrf-Token=") for c in set_cookies)

        panel = http.get(pje_sandbox.base_url(tribunal) + landing.headers["location"])
        assert panel.status_code == 200
        claims = jwt.decode(http.cookies["access_token"], options={"verify_signature": False})
        assert claims["id"] == user.ids_advogado[tribunal]
        assert claims["idUsuario"] == user.id_usuario
        assert claims["name"] == user.nome
        assert claims["cpf"] == ""
        assert claims["exp"] > claims["iat"]


def test_wrong_password_shows_the_keycloak_message_and_no_otp_page(pje_sandbox: SandboxClient):
    """A wrong password gets "Usuário ou senha inválidos." in .kc-feedback-text and the form again."""
    user = pje_sandbox.users[0]
    with httpx.Client(timeout=30) as http:
        form = _sso_form(http, pje_sandbox, "TRT3", "primeiro_grau")
        again = http.post(_action(form), data={"username": user.cpf, "password": user.senha + "x"})
        assert again.status_code == 200
        assert _feedback(again) == "Usuário ou senha inválidos."
        assert 'id="otp"' not in again.text
        assert 'id="password"' in again.text
        unknown = http.post(_action(again), data={"username": "00000000191", "password": "x"})
        assert _feedback(unknown) == "Usuário ou senha inválidos."


@pytest.fixture(params=["short-period", "pje-30s"])
def any_sandbox(request: pytest.FixtureRequest) -> SandboxClient:
    """The shared sandbox (short TOTP steps) and the one with PJE's real 30-second steps: the rules hold on both."""
    name = "pje_sandbox" if request.param == "short-period" else "pje_sandbox_real_totp"
    return request.getfixturevalue(name)


def test_otp_code_is_accepted_once_and_a_replay_is_refused(any_sandbox: SandboxClient):
    """The same TOTP code works for one login only: a replay gets "Código autenticador inválido."."""
    pje_sandbox = any_sandbox
    user = pje_sandbox.take_user()
    code = pje_sandbox.totp_code(user)
    outcomes = []
    for _ in range(2):
        with httpx.Client(timeout=30) as http:
            form = _sso_form(http, pje_sandbox, "TRT3", "primeiro_grau")
            otp_page = http.post(_action(form), data={"username": user.cpf, "password": user.senha})
            outcomes.append(http.post(_action(otp_page), data={"otp": code}))
    assert outcomes[0].status_code == 302
    assert outcomes[1].status_code == 200
    assert _feedback(outcomes[1]) == "Código autenticador inválido."
    assert 'id="otp"' in outcomes[1].text


def test_wrong_otp_is_refused_and_the_next_right_code_accepted(any_sandbox: SandboxClient):
    """A wrong code shows the OTP page again with the error; a right one then completes the login."""
    pje_sandbox = any_sandbox
    user = pje_sandbox.take_user()
    wrong = str((int(user.totp.totp().now()) + 1) % 1_000_000).zfill(6)
    with httpx.Client(timeout=30) as http:
        form = _sso_form(http, pje_sandbox, "TRT3", "primeiro_grau")
        otp_page = http.post(_action(form), data={"username": user.cpf, "password": user.senha})
        refused = http.post(_action(otp_page), data={"otp": wrong})
        assert _feedback(refused) == "Código autenticador inválido."
        accepted = http.post(_action(refused), data={"otp": pje_sandbox.totp_code(user)})
        assert accepted.status_code == 302


def _otp_page(http: httpx.Client, sandbox: SandboxClient, user) -> httpx.Response:
    form = _sso_form(http, sandbox, "TRT3", "primeiro_grau")
    return http.post(_action(form), data={"username": user.cpf, "password": user.senha})


def test_short_totp_steps_keep_the_sso_rules(pje_sandbox: SandboxClient):
    """Users of a ``--totp-period`` sandbox carry the period in an otpauth URI; codes of PJE's 30 s steps are refused;
    a step is still accepted once, and the next step's code (a few seconds later) is accepted."""
    user = pje_sandbox.take_user()
    spec = user.totp
    assert user.totp_secret.startswith("otpauth://totp/")
    assert (spec.period, spec.digits) == (TEST_TOTP_PERIOD, 6)
    short = spec.totp()
    now = time.time()
    window = {short.at(now + k * spec.period) for k in (-1, 0, 1)}
    thirty = pyotp.TOTP(spec.secret).now()  # the same secret with PJE's period
    with httpx.Client(timeout=30) as http:
        otp_page = _otp_page(http, pje_sandbox, user)
        if thirty not in window:  # one chance in ~300,000 that the two generators agree
            otp_page = http.post(_action(otp_page), data={"otp": thirty})
            assert _feedback(otp_page) == "Código autenticador inválido."
        code = pje_sandbox.totp_code(user)
        assert http.post(_action(otp_page), data={"otp": code}).status_code == 302
    with httpx.Client(timeout=30) as http:
        replay = http.post(_action(_otp_page(http, pje_sandbox, user)), data={"otp": code})
        assert _feedback(replay) == "Código autenticador inválido."
        accepted = http.post(_action(replay), data={"otp": pje_sandbox.totp_code(user)})
        assert accepted.status_code == 302


def test_sso_refuses_a_redirect_uri_of_another_tribunal(pje_sandbox: SandboxClient):
    """The SSO checks that redirect_uri is the client's own authenticateSSO.seam, as Keycloak does."""
    response = httpx.get(
        pje_sandbox.sso_url + "/protocol/openid-connect/auth",
        params={
            "response_type": "code",
            "client_id": "pje-trt3-1g",
            "redirect_uri": pje_sandbox.base_url("TRT5") + "/primeirograu/authenticateSSO.seam",
            "state": "x",
        },
    )
    assert response.status_code == 400
    assert "redirect_uri" in response.text


def test_login_form_post_without_the_sso_cookie_is_refused(pje_sandbox: SandboxClient):
    """Posting the SSO form from a client without its AUTH_SESSION_ID cookie fails, as in Keycloak."""
    user = pje_sandbox.users[0]
    with httpx.Client(timeout=30) as http:
        form = _sso_form(http, pje_sandbox, "TRT3", "primeiro_grau")
        action = _action(form)
    response = httpx.post(action, data={"username": user.cpf, "password": user.senha})
    assert response.status_code == 400
    assert "Cookie" in response.text


def test_second_grau_login_ends_the_first_grau_session(pje_sandbox: SandboxClient, login):
    """1º and 2º grau share cookies at a tribunal: logging into one ends the other's session."""
    user, first = login("TRT3", "primeiro_grau")
    api = pje_sandbox.api_url("TRT3")
    url = f"{api}/paineladvogado/{user.ids_advogado['TRT3']}/totalizadores"
    assert first.get(url).status_code == 200
    _, second = login("TRT3", "segundo_grau", user=user)
    assert second.get(url).status_code == 200
    assert first.get(url).status_code == 401
    claims = jwt.decode(second.cookies["access_token"], options={"verify_signature": False})
    assert claims["grau"] == "segundo_grau"


def _authenticate_sso(http: httpx.Client, sandbox: SandboxClient, user, tribunal: str) -> httpx.Response:
    form = _sso_form(http, sandbox, tribunal, "primeiro_grau")
    otp_page = http.post(_action(form), data={"username": user.cpf, "password": user.senha})
    redirect = http.post(_action(otp_page), data={"otp": sandbox.totp_code(user)})
    return http.get(redirect.headers["location"])


@pytest.mark.parametrize(
    ("tribunal", "landing"),
    [("TRT5", "/pjekz/quadro-avisos/visualizar"), ("TRT1", "/pjekz/painel/usuario-externo")],
)
def test_landing_page_depends_on_the_tribunal(pje_sandbox: SandboxClient, tribunal, landing):
    """TRT4, TRT5 and TRT9 land on the notice board, the others on the user panel (pje-api.md §1.8)."""
    user = next(u for u in pje_sandbox.users if tribunal in u.ids_advogado)
    with httpx.Client(timeout=30) as http:
        response = _authenticate_sso(http, pje_sandbox, user, tribunal)
        assert response.headers["location"] == landing
        assert http.get(pje_sandbox.base_url(tribunal) + landing).status_code == 200


def test_authorization_code_works_once_and_only_at_its_tribunal(pje_sandbox: SandboxClient):
    """The SSO's code is single-use and bound to its client: replaying it leads back to login.seam."""
    user = pje_sandbox.take_user()
    with httpx.Client(timeout=30) as http:
        form = _sso_form(http, pje_sandbox, "TRT3", "primeiro_grau")
        otp_page = http.post(_action(form), data={"username": user.cpf, "password": user.senha})
        redirect = http.post(_action(otp_page), data={"otp": pje_sandbox.totp_code(user)})
        location = redirect.headers["location"]
        elsewhere = location.replace(pje_sandbox.base_url("TRT3"), pje_sandbox.base_url("TRT5"))
        refused = http.get(elsewhere)
        assert refused.status_code == 302
        assert refused.headers["location"].endswith("/login.seam")
        assert "access_token" not in http.cookies
        assert http.get(location).headers["location"].startswith("/pjekz/")
        replay = httpx.get(location)
        assert replay.headers["location"].endswith("/login.seam")


def test_panel_without_a_session_goes_back_to_login(pje_sandbox: SandboxClient):
    """A page of /pjekz without a session redirects to login.seam (the expiry signal of pje-api.md §1)."""
    response = httpx.get(pje_sandbox.base_url("TRT3") + "/pjekz/painel/usuario-externo")
    assert response.status_code == 302
    assert response.headers["location"].endswith("/login.seam")


def test_tst_login_path_and_grau(pje_sandbox: SandboxClient, login):
    """The TST logs in at /tst/login.seam with grau tribunal_superior; /primeirograu does not exist there."""
    assert httpx.get(pje_sandbox.base_url("TST") + "/primeirograu/login.seam").status_code == 404
    _, client = login("TST", "tribunal_superior")
    claims = jwt.decode(client.cookies["access_token"], options={"verify_signature": False})
    assert claims["grau"] == "tribunal_superior"
    assert claims["tribunal"] == "TST"


@pytest.mark.requires_browser
async def test_headless_chromium_logs_in_through_the_real_selectors(pje_sandbox: SandboxClient):
    """Headless Chromium clicks #btnSsoPdpj, fills #username/#password/#otp, clicks #kc-login and gets the cookie."""
    playwright_api = pytest.importorskip("playwright.async_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    user = pje_sandbox.take_user()
    tribunal = next(t for t in ("TRT3", "TRT1", "TRT2") if t in user.ids_advogado)
    async with playwright_api.async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = await browser.new_page()
            await page.goto(pje_sandbox.login_url(tribunal, "primeiro_grau"))
            await page.click("#btnSsoPdpj")
            await page.wait_for_selector("#username")
            assert "/auth/realms/pje/" in page.url
            await page.fill("#username", user.cpf)
            await page.fill("#password", user.senha)
            await page.click("#kc-login")
            await page.wait_for_selector("#otp")
            assert "/login-actions/authenticate?" in page.url
            await page.fill("#otp", pje_sandbox.totp_code(user))
            await page.click("#kc-login")
            await page.wait_for_url("**/pjekz/**")
            cookies = {c["name"]: c for c in await page.context.cookies()}
            assert cookies["access_token"]["httpOnly"] is True
            assert cookies["access_token"]["domain"] == urlsplit(pje_sandbox.base_url(tribunal)).hostname
            assert "Xsrf-Token" in cookies
            api = pje_sandbox.api_url(tribunal)
            status = await page.evaluate(
                "async (url) => (await fetch(url, {credentials: 'include'})).status",
                f"{api}/paineladvogado/{user.ids_advogado[tribunal]}/totalizadores?tipoPainelAdvogado=0",
            )
            assert status == 200
        finally:
            await browser.close()
