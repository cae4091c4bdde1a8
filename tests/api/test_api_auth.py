"""Authentication: each method accepted, and refused when expired, revoked, tampered with, of the wrong
algorithm or scope; every route refused without it; failed attempts slowed down per address."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import update
from starlette.routing import Route

from api.app import API_ROUTES, create_app
from api.auth.chaves import ChavesService
from api.config import ApiSettings
from api.middleware import eh_publico
from sinesys_spiders.core.db.models import ChaveApi, SessaoApi
from tests.api.conftest import JWT_SECRET, SENHA_USUARIO

pytestmark = pytest.mark.requires_postgres


def _token(claims: dict[str, Any] | None = None, *, key: Any = JWT_SECRET, alg: str = "HS256", **extra: Any) -> str:
    now = int(time.time())
    body = {"sub": "user-123", "iat": now, "exp": now + 300, **(claims or {})}
    for name in extra.get("sem", ()):
        body.pop(name)
    return jwt.encode(body, key, algorithm=alg)


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def _sample_path(route: Route) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: "1" if m.group(2) == ":int" else "TRT3-primeiro_grau", route.path)


async def test_every_route_but_the_public_ones_refuses_a_request_without_credentials(client: httpx.AsyncClient):
    """Enumerated from the router: a new route cannot skip authentication."""
    checked = 0
    for route in API_ROUTES:
        assert isinstance(route, Route)
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            response = await client.request(method, _sample_path(route), json={})
            if eh_publico(route.path):
                assert response.status_code != 401, route.path
                continue
            assert response.status_code == 401, f"{method} {route.path}"
            assert response.json() == {"error": "Unauthorized"}
            checked += 1
    assert checked >= 30


async def test_health_and_docs_need_no_credentials_and_say_nothing_more(client: httpx.AsyncClient):
    """/api/health answers without auth and with no detail; the docs and their assets are local."""
    assert (await client.get("/api/health")).json() == {"status": "ok"}
    page = await client.get("/api/docs")
    assert page.status_code == 200
    assert "/api/docs/static/swagger-ui-bundle.js" in page.text
    assert "http" not in page.text.split("<body>")[1].replace("/api/", "")  # no CDN
    assert (await client.get("/api/docs/static/swagger-ui-bundle.js")).status_code == 200
    assert (await client.get("/api/openapi.json")).json()["openapi"].startswith("3.1")


async def test_a_service_key_authenticates_and_its_use_is_recorded(client, como, factory):
    """A valid key reads; its last use is recorded; the key is never listed back."""
    response = await client.get("/api/auth/eu", headers=como("leitura"))
    assert response.status_code == 200
    assert response.json()["data"] == {"tipo": "chave", "nome": "teste-leitura", "escopos": ["leitura"]}
    listed = {c.nome: c for c in ChavesService(factory).listar()}
    assert listed["teste-leitura"].ultimo_uso_em is not None
    assert listed["teste-leitura"].prefixo.startswith("snk_")


async def test_a_key_is_refused_when_tampered_with_revoked_or_expired(client, factory):
    """One changed character, revocation and expiry each make a key worthless."""
    service = ChavesService(factory)
    _, key = service.criar("descartavel", "leitura")
    assert (await client.get("/api/auth/eu", headers={"x-service-api-key": key})).status_code == 200
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert (await client.get("/api/auth/eu", headers={"x-service-api-key": tampered})).status_code == 401
    service.revogar("descartavel")
    assert (await client.get("/api/auth/eu", headers={"x-service-api-key": key})).status_code == 401
    _, key2 = service.criar("expira", "leitura", expira_em_dias=1)
    with factory.begin() as session:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        session.execute(update(ChaveApi).where(ChaveApi.nome == "expira").values(expira_em=past))
    assert (await client.get("/api/auth/eu", headers={"x-service-api-key": key2})).status_code == 401


async def test_keys_carry_at_least_128_random_bits_and_are_stored_as_a_digest(factory):
    """The key is snk_ + 12 hex + 43 base64url characters; the database holds only its SHA-256."""
    resumo, key = ChavesService(factory).criar("formato", "admin")
    assert re.fullmatch(r"snk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", key)
    with factory() as session:
        row = session.get(ChaveApi, resumo.id)
        assert key not in (row.digest, row.prefixo)
        assert len(row.digest) == 64


async def test_scopes_are_ordered_leitura_captura_admin(client, como, dados):
    """leitura reads but cannot start; captura starts but cannot onboard; admin does both."""
    body = {"advogado_id": dados["advogado"], "credencial_ids": [999999]}
    assert (await client.post("/api/captura/trt/acervo-geral", json=body, headers=como("leitura"))).status_code == 403
    assert (await client.post("/api/captura/trt/acervo-geral", json=body, headers=como("captura"))).status_code == 404
    novo = {"nome_completo": "X", "cpf": "123"}
    assert (await client.post("/api/captura/advogados", json=novo, headers=como("captura"))).status_code == 403
    assert (await client.post("/api/captura/advogados", json=novo, headers=como("admin"))).status_code == 400


async def test_a_bearer_jwt_is_accepted_with_its_subject_and_scopes(client):
    """HS256 with the configured secret; scopes from the ``scope`` claim."""
    response = await client.get("/api/auth/eu", headers=_bearer(_token({"scope": "openid captura"})))
    assert response.status_code == 200
    assert response.json()["data"] == {"tipo": "jwt", "nome": "user-123", "escopos": ["captura"]}
    default = await client.get("/api/auth/eu", headers=_bearer(_token()))
    assert default.json()["data"]["escopos"] == ["leitura"]


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: _token({"exp": int(time.time()) - 3600}), id="expired"),
        pytest.param(lambda: _token(sem=("exp",)), id="no-exp"),
        pytest.param(lambda: _token(sem=("iat",)), id="no-iat"),
        pytest.param(lambda: _token(sem=("sub",)), id="no-sub"),
        pytest.param(lambda: _token(key="another-secret-of-sufficient-length-0000"), id="wrong-secret"),
        pytest.param(lambda: _token()[:-4] + "AAAA", id="tampered-signature"),
        pytest.param(lambda: _token(alg="none", key=None), id="alg-none"),
        pytest.param(lambda: _token({"scope": 7}), id="bad-scope-claim"),
        pytest.param(lambda: "not.a.jwt", id="garbage"),
    ],
)
async def test_a_bad_jwt_is_refused(client, token):
    """Expired, incomplete, tampered, unsigned or garbage tokens are 401."""
    assert (await client.get("/api/auth/eu", headers=_bearer(token()))).status_code == 401


async def test_rs256_keys_are_pinned_and_an_hs256_token_signed_with_the_public_key_is_refused(settings, tmp_path):
    """The algorithm-confusion attack: HMAC with the public key as the secret never verifies."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    (tmp_path / "pub.pem").write_bytes(pem)
    api_settings = ApiSettings(
        jwt_public_key_file=tmp_path / "pub.pem", jwt_issuer="https://idp", jwt_audience="sinesys", _env_file=None
    )  # type: ignore[call-arg]
    app = create_app(settings, api_settings=api_settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        good = _token({"iss": "https://idp", "aud": "sinesys"}, key=private, alg="RS256")
        assert (await c.get("/api/auth/eu", headers=_bearer(good))).status_code == 200
        wrong_aud = _token({"iss": "https://idp", "aud": "other"}, key=private, alg="RS256")
        assert (await c.get("/api/auth/eu", headers=_bearer(wrong_aud))).status_code == 401
        wrong_iss = _token({"iss": "https://evil", "aud": "sinesys"}, key=private, alg="RS256")
        assert (await c.get("/api/auth/eu", headers=_bearer(wrong_iss))).status_code == 401
        # PyJWT itself refuses to HMAC-sign with a PEM key, so forge the token by hand
        import base64
        import hashlib
        import hmac
        import json

        def b64(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        now = int(time.time())
        header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        claims = {"sub": "x", "iat": now, "exp": now + 60, "iss": "https://idp", "aud": "sinesys"}
        payload = b64(json.dumps(claims).encode())
        signature = b64(hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        forged = f"{header}.{payload}.{signature}"
        assert (await c.get("/api/auth/eu", headers=_bearer(forged))).status_code == 401


async def _login(client: httpx.AsyncClient, usuario: str, senha: str = SENHA_USUARIO) -> httpx.Response:
    return await client.post("/api/auth/login", json={"login": usuario, "senha": senha})


async def test_login_sets_a_hardened_session_cookie_and_unsafe_methods_need_the_csrf_token(client, usuario, dados):
    """HttpOnly, SameSite=Lax, path /api; POST without x-csrf-token is 403, with it passes auth."""
    response = await _login(client, usuario)
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/api" in cookie
    csrf = response.json()["data"]["csrf_token"]
    assert (await client.get("/api/auth/eu")).json()["data"]["tipo"] == "usuario"
    body = {"advogado_id": dados["advogado"], "credencial_ids": [999999]}
    assert (await client.post("/api/captura/trt/acervo-geral", json=body)).status_code == 403
    with_csrf = await client.post("/api/captura/trt/acervo-geral", json=body, headers={"x-csrf-token": csrf})
    assert with_csrf.status_code == 404  # past auth and CSRF: the unknown credential
    bad = await client.post("/api/captura/trt/acervo-geral", json=body, headers={"x-csrf-token": csrf + "x"})
    assert bad.status_code == 403


async def test_the_cookie_is_secure_unless_plain_http_is_allowed(settings, usuario):
    """The default is Secure; SINESYS_API_COOKIE_SECURE=false is for local http only."""
    app = create_app(settings, api_settings=ApiSettings(jwt_secret=JWT_SECRET, _env_file=None))  # type: ignore[call-arg]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as c:
        response = await _login(c, usuario)
        assert "Secure" in response.headers["set-cookie"]


async def test_logout_revokes_the_session(client, usuario):
    """After logout the same cookie is refused."""
    response = await _login(client, usuario)
    csrf = response.json()["data"]["csrf_token"]
    token = client.cookies.get("sinesys_sessao")
    assert (await client.post("/api/auth/logout", headers={"x-csrf-token": csrf})).status_code == 200
    client.cookies.set("sinesys_sessao", token, path="/api")
    assert (await client.get("/api/auth/eu")).status_code == 401


async def test_sessions_end_after_the_idle_and_the_absolute_timeouts(client, usuario, factory):
    """A session unused for longer than the idle timeout, or older than the absolute one, is refused."""
    for column in ("ultimo_uso_em", "expira_em"):
        client.cookies.clear()
        await _login(client, usuario)
        assert (await client.get("/api/auth/eu")).status_code == 200
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
        with factory.begin() as session:
            session.execute(update(SessaoApi).where(SessaoApi.revogada_em.is_(None)).values({column: past}))
        assert (await client.get("/api/auth/eu")).status_code == 401


async def test_a_wrong_password_is_401_and_repeated_failures_are_slowed_per_address(settings, usuario, factory):
    """Past the limit in the window, logins and keys from that address get 429 with Retry-After."""
    api_settings = ApiSettings(jwt_secret=JWT_SECRET, falhas_limite=3, _env_file=None)  # type: ignore[call-arg]
    app = create_app(settings, api_settings=api_settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        assert (await _login(c, usuario, "errada-errada-errada")).status_code == 401
        assert (await _login(c, "ninguem", "errada-errada-errada")).status_code == 401
        assert (await c.get("/api/auth/eu", headers={"x-service-api-key": "snk_bad"})).status_code == 401
        blocked = await _login(c, usuario)
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) > 0
        assert (await c.get("/api/auth/eu", headers={"x-service-api-key": "snk_x"})).status_code == 429


async def test_a_jwks_file_verifies_es256_tokens_by_kid(settings, tmp_path):
    """The key is chosen by ``kid``; an unknown kid or another key's signature is refused."""
    import json

    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    other = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "ES256", "use": "sig"}]}))
    app = create_app(settings, api_settings=ApiSettings(jwt_jwks_file=tmp_path / "jwks.json", _env_file=None))  # type: ignore[call-arg]
    now = int(time.time())
    claims = {"sub": "svc", "iat": now, "exp": now + 60, "scope": "admin"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        good = jwt.encode(claims, key, algorithm="ES256", headers={"kid": "k1"})
        response = await c.get("/api/auth/eu", headers=_bearer(good))
        assert response.status_code == 200
        assert response.json()["data"]["escopos"] == ["admin"]
        unknown_kid = jwt.encode(claims, key, algorithm="ES256", headers={"kid": "k2"})
        assert (await c.get("/api/auth/eu", headers=_bearer(unknown_kid))).status_code == 401
        forged = jwt.encode(claims, other, algorithm="ES256", headers={"kid": "k1"})
        assert (await c.get("/api/auth/eu", headers=_bearer(forged))).status_code == 401
        hs = jwt.encode(claims, "segredo-qualquer-com-tamanho-suficiente-000", algorithm="HS256", headers={"kid": "k1"})
        assert (await c.get("/api/auth/eu", headers=_bearer(hs))).status_code == 401
