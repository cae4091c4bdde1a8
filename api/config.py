"""Settings of the REST API, read from the environment (prefix ``SINESYS_API_``) and ``.env``.

===================================  =========================================================
setting                              meaning (default)
===================================  =========================================================
``SINESYS_API_MAX_BODY``             largest request body in bytes, else 413 (1 MiB)
``SINESYS_API_COOKIE_SECURE``        session cookie only over HTTPS (true; false for local http)
``SINESYS_API_SESSAO_OCIOSA``        seconds a session lives without use (1800)
``SINESYS_API_SESSAO_MAXIMA``        seconds a session lives at most (43200)
``SINESYS_API_JWT_SECRET``           HS256 shared secret of the identity provider
``SINESYS_API_JWT_PUBLIC_KEY_FILE``  PEM public key (RS256 or ES256)
``SINESYS_API_JWT_JWKS_FILE``        JWKS file (RS256 or ES256 keys, chosen by ``kid``)
``SINESYS_API_JWT_ALGORITHMS``       accepted algorithms, pinned (HS256 with a secret, else RS256,ES256)
``SINESYS_API_JWT_ISSUER``           required ``iss`` when set
``SINESYS_API_JWT_AUDIENCE``         required ``aud`` when set
``SINESYS_API_JWT_ESCOPO_PADRAO``    scope of a token without a ``scope`` claim (leitura)
``SINESYS_API_FALHAS_LIMITE``        failed logins or bad keys per address and window before 429 (10)
``SINESYS_API_FALHAS_JANELA``        that window in seconds (300)
===================================  =========================================================
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ApiSettings"]


class ApiSettings(BaseSettings):
    """The API's own settings; the database, key and runners come from the core ``Settings``."""

    model_config = SettingsConfigDict(
        env_prefix="SINESYS_API_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    max_body: int = Field(default=1024 * 1024, ge=1024)
    cookie_secure: bool = True
    sessao_ociosa: float = Field(default=1800.0, gt=0)
    sessao_maxima: float = Field(default=12 * 3600.0, gt=0)
    jwt_secret: SecretStr | None = None
    jwt_public_key_file: Path | None = None
    jwt_jwks_file: Path | None = None
    jwt_algorithms: list[str] | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_escopo_padrao: str = "leitura"
    falhas_limite: int = Field(default=10, ge=1)
    falhas_janela: float = Field(default=300.0, gt=0)
