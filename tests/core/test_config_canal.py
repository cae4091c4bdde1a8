"""One configuration channel: every SINESYS_* variable the project reads is a field of the settings model."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from sinesys_spiders.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]
_NAME = re.compile(r"\bSINESYS_([A-Z][A-Z0-9_]*[A-Z0-9])\b")
#: Not configuration: test-suite switches, benchmark inputs and the placeholder of an error message.
_NOT_SETTINGS = {"TEST_POSTGRES_URL", "TEST_REQUIRE_SERVICES", "TEST_TOTP_PERIOD", "BENCH_DATABASE_URL", "FIELD"}


def _names_in_code() -> set[str]:
    names: set[str] = set()
    for package in ("sinesys_spiders", "pipelines", "plugins", "scheduler", "api"):
        for path in (ROOT / package).rglob("*.py"):
            names.update(_NAME.findall(path.read_text(encoding="utf-8")))
    return {name for name in names - _NOT_SETTINGS if not name.startswith("TEST_")}


def test_every_sinesys_variable_is_a_field_of_the_settings_model() -> None:
    """A SINESYS_* name used anywhere in the code is read from the environment by a settings model (Settings, or
    the API's SINESYS_API_* model): none is Scrapy-only."""
    from api.config import ApiSettings

    fields = set(Settings.model_fields) | {f"api_{name}" for name in ApiSettings.model_fields}
    missing = sorted(name for name in _names_in_code() if name.lower() not in fields)
    assert missing == []


_VALUES = {
    "SINESYS_SESSAO_USO_TTL": "77.0",
    "SINESYS_SESSAO_USO_ESPERA": "12.0",
    "SINESYS_PROCESSO_LOCK_TTL": "99.0",
    "SINESYS_RETRY_MAX_DELAY": "3.0",
}


def test_environment_reaches_scrapy_settings_and_config_show() -> None:
    """Variables once Scrapy-only reach the crawl's Scrapy settings from the environment, and `sinesys config
    show` lists them."""
    env = {"PATH": "/usr/bin:/bin", "SINESYS_VAR_DIR": str(ROOT / "var"), **_VALUES}
    code = (
        "from scrapy.utils.project import get_project_settings; s = get_project_settings();"
        f"print(' '.join(str(s.getfloat(k)) for k in {list(_VALUES)!r}))"
    )
    crawl = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**env, "SCRAPY_SETTINGS_MODULE": "sinesys_spiders.settings"},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert crawl.stdout.split() == list(_VALUES.values())
    shown = subprocess.run(
        [sys.executable, "-c", "from sinesys_spiders.cli import main; main()", "config", "show"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    listed = {line.split()[0]: line.split()[-1] for line in shown.stdout.splitlines() if line.strip()}
    for variable, value in _VALUES.items():
        assert listed[variable.removeprefix("SINESYS_").lower()] == value
