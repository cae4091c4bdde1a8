"""Settings of Sinesys Captura, read from the environment (prefix ``SINESYS_``) and an optional ``.env``.

Every production service has an embedded default (DESIGN.md §4), so a fresh machine runs with none set:

==========================  ============================================  ===========================
setting                      embedded default                              production
==========================  ============================================  ===========================
``SINESYS_DATABASE_URL``     SQLite file ``var/sinesys.db``                PostgreSQL URL
``SINESYS_MONGODB_URI``      raw log in the SQL database                   MongoDB URI
``SINESYS_REDIS_URL``        locks and sessions in the SQL database        Redis URL
``SINESYS_SCRAPYD_URL``      local subprocess runner                       Scrapyd URL
``SINESYS_BROWSER_*``        local Chromium                                remote browser over CDP
``SINESYS_SECRET_KEY``       key file ``var/secret.key`` (0600, warning)   a key from your vault
==========================  ============================================  ===========================
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings", "mask_url", "mask_url_text", "reset_settings"]

_USERINFO_PASSWORD = re.compile(r"(//[^/@:\s]*:)[^/@\s]*@")
#: The value of every query parameter of a URL in text (``?password=x&token=y``): names cannot be trusted.
_QUERY_VALUE = re.compile(r"([?&;][^=\s&#;?]+=)[^&\s#;]+")


def mask_url_text(text: str) -> str:
    """Mask ``user:password@`` and every query parameter's value in any text, even a URL too malformed to parse."""
    return _QUERY_VALUE.sub(r"\1***", _USERINFO_PASSWORD.sub(r"\1***@", text))


def mask_url(url: str | None) -> str | None:
    """Return ``url`` with its password (if any) replaced by ``***``."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
        _ = parts.password
    except ValueError:
        return mask_url_text(url)
    if parts.password is None:
        return mask_url_text(url)  # a malformed URL may still carry user:password@
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return mask_url_text(urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}")))


class Settings(BaseSettings):
    """The effective configuration. Read once, at the edge, through :func:`get_settings`."""

    model_config = SettingsConfigDict(env_prefix="SINESYS_", env_file=".env", env_file_encoding="utf-8", extra="ignore")

    var_dir: Path = Field(default=Path("var"), description="Folder for embedded data: SQLite, key file, documents.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite under var_dir.")
    mongodb_uri: SecretStr | None = Field(default=None, description="MongoDB for raw logs and timelines.")
    mongodb_database: str = "sinesys"
    redis_url: SecretStr | None = Field(default=None, description="Redis for locks, sessions and scrapy-redis.")
    redis_prefix: str = Field(default="sinesys", description="Prefix of every Redis key: one per deployment.")
    fila_lease_ttl: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a worker's lease on its in-flight requests lasts (renewed every third of it); a worker "
        "silent for longer has its requests put back in the shared queue.",
    )
    scrapyd_url: str | None = Field(default=None, description="Scrapyd server that runs jobs.")
    scrapyd_project: str = "sinesys"
    scrapyd_username: str | None = Field(default=None, description="Scrapyd basic-auth user.")
    scrapyd_password: SecretStr | None = Field(default=None, description="Scrapyd basic-auth password.")
    runner: str | None = Field(
        default=None,
        description="Runner of new captures: local or scrapyd (default: "
        "scrapyd when SINESYS_SCRAPYD_URL is set, else local).",
    )
    runner_local_max: int = Field(default=2, ge=1, description="Captures at once through the local runner.")
    runner_scrapyd_max: int = Field(default=8, ge=1, description="Captures at once through Scrapyd.")
    captura_heartbeat: float = Field(default=30.0, gt=0, description="Seconds between a crawl's heartbeats.")
    captura_heartbeat_limite: float = Field(
        default=120.0, gt=0, description="Seconds without a heartbeat after which a capture is failed (interrompida)."
    )

    secret_key: SecretStr | None = Field(default=None, description="Fernet-compatible base64 key (32 bytes).")
    secret_key_file: Path | None = Field(default=None, description="Key file; default var_dir/secret.key.")

    browser_executable: Path | None = Field(default=None, description="Chromium binary for logins.")
    browser_cdp_url: SecretStr | None = Field(default=None, description="Remote browser (CDP/WebSocket) URL.")
    browser_headless: bool = True

    credential_cache_ttl: float = Field(default=300.0, ge=0, description="Seconds a decrypted credential is cached.")
    login_cooldown_waf: float = Field(
        default=6 * 3600.0, ge=0, description="Seconds no new login is tried after a WAF block."
    )
    login_cooldown_manutencao: float = Field(
        default=1800.0, ge=0, description="Seconds no new login is tried after a maintenance page."
    )
    documents_dir: Path | None = Field(default=None, description="Downloaded PDFs; default var_dir/documentos.")
    log_level: str = "INFO"
    tribunal_concurrency: int | None = Field(
        default=None, ge=1, description="Requests at once per real tribunal host (default: the plugin's)."
    )
    tribunal_delay: float | None = Field(
        default=None, ge=0, description="Seconds between requests to a real tribunal host (default: the plugin's)."
    )
    json_maxsize: int = Field(
        default=16 * 1024 * 1024, gt=0, description="Largest JSON answer accepted from a tribunal, bytes."
    )
    paginas_em_voo: int = Field(
        default=16, ge=1, description="Pages of one listing asked at once; each answer asks the next."
    )
    parada_espera: float = Field(
        default=5.0, ge=0, description="Seconds a stopping crawl waits for downloads in flight before cutting them."
    )
    retry_base_delay: float = Field(default=0.5, ge=0, description="First HTTP retry backoff, seconds (doubles).")
    retry_max_delay: float = Field(default=30.0, ge=0, description="Longest HTTP retry backoff, seconds.")
    retry_after_max: float = Field(default=300.0, ge=0, description="Longest Retry-After honoured, seconds.")
    sessao_uso_ttl: float = Field(
        default=120.0, gt=0, description="Seconds a crawl's turn on a lawyer's PJE session lasts unless renewed."
    )
    sessao_uso_espera: float = Field(
        default=1800.0, ge=0, description="Seconds a crawl waits for a lawyer's PJE session in use elsewhere."
    )
    processo_lock_ttl: float = Field(
        default=300.0, gt=0, description="Seconds a per-case capture holds a case unless renewed."
    )
    allow_insecure_http: bool = Field(
        default=False, description="Accept http:// tribunal and SSO URLs on hosts other than loopback."
    )

    @field_validator("log_level")
    @classmethod
    def _upper_level(cls, value: str) -> str:
        return value.upper()

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'sinesys.db').resolve()}"

    @property
    def effective_secret_key_file(self) -> Path:
        return self.secret_key_file or self.var_dir / "secret.key"

    @property
    def effective_documents_dir(self) -> Path:
        return self.documents_dir or self.var_dir / "documentos"

    def masked(self) -> dict[str, Any]:
        """The effective settings as plain values, every secret masked: safe to print."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "***" if value.get_secret_value() else None
            elif isinstance(value, Path):
                value = str(value)
            elif isinstance(value, str) and "://" in value:
                value = mask_url(value)
            out[name] = value
        out["database_url"] = mask_url(self.effective_database_url)
        out["secret_key_file"] = str(self.effective_secret_key_file)
        out["documents_dir"] = str(self.effective_documents_dir)
        return out


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests, or after changing the environment)."""
    get_settings.cache_clear()
