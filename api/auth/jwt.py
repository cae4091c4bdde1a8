"""Bearer JWTs from the firm's identity provider, verified with PyJWT.

The key comes from settings: an HS256 shared secret, or an RS256/ES256 public key (PEM) or JWKS file.
The accepted algorithms are pinned by that choice (``none`` never; HS256 only with a secret, so a
token signed with the public key as an HMAC secret is refused). ``exp``, ``iat`` and ``sub`` are
required; ``iss`` and ``aud`` are checked when configured. Scopes come from ``scope`` (space separated,
OAuth) or ``escopos`` (list); a token with neither gets ``SINESYS_API_JWT_ESCOPO_PADRAO``.
"""

from __future__ import annotations

import json
from typing import Any

import jwt
from jwt import PyJWKSet

from api.auth.escopos import Escopo, Principal
from api.config import ApiSettings
from sinesys_spiders.core.errors import ConfiguracaoInvalida

__all__ = ["JwtVerifier"]

_ASSIMETRICOS = ("RS256", "ES256")
_LEEWAY = 30


class JwtVerifier:
    """``verificar(token) -> Principal | None``; ``None`` for every invalid token, whatever the reason."""

    def __init__(self, settings: ApiSettings) -> None:
        self._secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else None
        self._public_key: Any = None
        self._jwks: PyJWKSet | None = None
        if settings.jwt_public_key_file is not None:
            self._public_key = _load_public_key(settings.jwt_public_key_file.read_bytes())
        if settings.jwt_jwks_file is not None:
            self._jwks = PyJWKSet.from_dict(json.loads(settings.jwt_jwks_file.read_text(encoding="utf-8")))
        if self._secret is not None and (self._public_key is not None or self._jwks is not None):
            raise ConfiguracaoInvalida("configure um segredo HS256 ou uma chave pública/JWKS, não os dois")
        default = ["HS256"] if self._secret is not None else list(_ASSIMETRICOS)
        self.algorithms = list(settings.jwt_algorithms or default)
        if self._secret is not None and self.algorithms != ["HS256"]:
            raise ConfiguracaoInvalida("com SINESYS_API_JWT_SECRET o único algoritmo aceito é HS256")
        if self._secret is None and not set(self.algorithms) <= set(_ASSIMETRICOS):
            raise ConfiguracaoInvalida("com chave pública ou JWKS use só RS256 e/ou ES256")
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.escopo_padrao = Escopo.parse(settings.jwt_escopo_padrao)

    @property
    def configurado(self) -> bool:
        return self._secret is not None or self._public_key is not None or self._jwks is not None

    def _key(self, token: str) -> Any:
        if self._secret is not None:
            return self._secret
        if self._jwks is not None:
            kid = jwt.get_unverified_header(token).get("kid")
            for key in self._jwks.keys:
                if kid is None or key.key_id == kid:
                    return key.key
            return None
        return self._public_key

    def verificar(self, token: str) -> Principal | None:
        if not self.configurado or not token:
            return None
        try:
            key = self._key(token)
            if key is None:
                return None
            claims = jwt.decode(
                token,
                key,
                algorithms=self.algorithms,
                issuer=self.issuer,
                audience=self.audience,
                leeway=_LEEWAY,
                options={
                    "require": ["exp", "iat", "sub"],
                    "verify_aud": self.audience is not None,
                    "verify_iss": self.issuer is not None,
                },
            )
        except (jwt.PyJWTError, ValueError, TypeError):
            return None
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub or len(sub) > 200:
            return None
        escopos = _escopos(claims)
        if escopos is None:
            return None
        return Principal("jwt", sub, escopos or frozenset({self.escopo_padrao}))


def _escopos(claims: dict[str, Any]) -> frozenset[Escopo] | None:
    """Known scopes of the token (others, e.g. ``openid``, ignored); ``None`` when the claim is malformed."""
    raw = claims.get("escopos", claims.get("scope"))
    if raw is None:
        return frozenset()
    items = raw.split() if isinstance(raw, str) else raw if isinstance(raw, list) else None
    if items is None:
        return None
    found = set()
    for item in items:
        try:
            found.add(Escopo.parse(str(item)))
        except ValueError:
            continue
    return frozenset(found)


def _load_public_key(pem: bytes) -> Any:
    """An RSA or EC public key from PEM (PyJWT checks it against the token's algorithm)."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    key = load_pem_public_key(pem)
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise ConfiguracaoInvalida("SINESYS_API_JWT_PUBLIC_KEY_FILE: use uma chave pública RSA ou EC em PEM")
    return key
