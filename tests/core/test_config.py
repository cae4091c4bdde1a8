"""Settings: SINESYS_ prefix, .env, embedded defaults, and secrets masked whenever shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from sinesys_spiders.core.config import Settings, mask_url, mask_url_text


def test_embedded_defaults_need_no_configuration(monkeypatch, tmp_path):
    """With nothing set, the database is a SQLite file under var/ and no production service is configured."""
    monkeypatch.chdir(tmp_path)
    for key in list(__import__("os").environ):
        if key.startswith("SINESYS_"):
            monkeypatch.delenv(key)
    s = Settings()
    assert s.effective_database_url == f"sqlite:///{(Path('var') / 'sinesys.db').resolve()}"
    assert s.mongodb_uri is None
    assert s.redis_url is None
    assert s.effective_secret_key_file == Path("var") / "secret.key"


def test_environment_and_dotenv_are_read_with_the_prefix(monkeypatch, tmp_path):
    """SINESYS_* variables and a .env file in the working directory configure the settings."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("SINESYS_LOG_LEVEL=debug\nSINESYS_CREDENTIAL_CACHE_TTL=12\n")
    monkeypatch.setenv("SINESYS_SCRAPYD_URL", "http://scrapyd:6800")
    s = Settings()
    assert s.log_level == "DEBUG"
    assert s.credential_cache_ttl == 12
    assert s.scrapyd_url == "http://scrapyd:6800"


def test_masked_settings_show_no_secret(monkeypatch, tmp_path):
    """`config show` values: secret key, URIs with passwords and the CDP URL are masked."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SINESYS_SECRET_KEY", "Canary-Key-Value")
    monkeypatch.setenv("SINESYS_DATABASE_URL", "postgresql://app:Canary-DB-PW@db:5432/sinesys")
    monkeypatch.setenv("SINESYS_MONGODB_URI", "mongodb://m:Canary-Mongo@mongo/")
    monkeypatch.setenv("SINESYS_BROWSER_CDP_URL", "wss://browser/?token=Canary-Token")
    shown = str(Settings().masked())
    for canary in ("Canary-Key-Value", "Canary-DB-PW", "Canary-Mongo", "Canary-Token"):
        assert canary not in shown
    assert "postgresql://app:***@db:5432/sinesys" in shown


def test_url_masking_handles_malformed_urls():
    """A password is masked even in a URL too malformed to parse."""
    assert mask_url("redis://:pw@h:6379/0") == "redis://:***@h:6379/0"
    assert mask_url_text("see postgresql//u:pw@h/x now") == "see postgresql//u:***@h/x now"
    assert mask_url("sqlite:///var/x.db") == "sqlite:///var/x.db"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u@h/db?password=segredo1",
        "redis://h:6379/0?token=segredo1&db=1",
        "mongodb://h/x?authSource=admin&x=segredo1",
        "https://scrapyd.local/?api_key=segredo1#frag",
    ],
)
def test_every_query_value_is_masked_whatever_its_name(url):
    """A secret in a query parameter is masked whatever the parameter is called (issue 17, item 6)."""
    assert "segredo1" not in mask_url(url)
    assert "segredo1" not in mask_url_text(f"erro ao conectar em {url}: recusado")
