"""Suite-wide fixtures. Each fixture family lives in ``sinesys_spiders.testing`` (shipped to plugin authors)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

pytest_plugins = [
    "sinesys_spiders.testing.db_fixtures",
    "sinesys_spiders.testing.sandbox_fixtures",
    "sinesys_spiders.testing.canary",
    "sinesys_spiders.testing.credenciais_fixtures",
    "sinesys_spiders.testing.redis_fixtures",
]


def pytest_configure(config: pytest.Config) -> None:
    """The suite's crawls log in without the human-like pause between login steps (``SINESYS_LOGIN_PAUSA=0``,
    inherited by every crawl subprocess): about 8 s of sleep per PJE login. The pause itself is proven by
    ``tests/login/test_falhas_login.py::test_login_pause_comes_from_the_settings``; set the variable to run the
    suite with it."""
    os.environ.setdefault("SINESYS_LOGIN_PAUSA", "0")


#: Seconds each test file took in a measured whole-suite run (``python -m benchmarks suite_time`` rewrites it).
DURACOES = Path(__file__).with_name("duracoes.json")
#: The guess for a file the table does not list yet: this much per end-to-end test.
SEGUNDOS_POR_E2E = 15.0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest files first (their measured seconds in ``tests/duracoes.json``; a file not listed there yet
    counts ``SEGUNDOS_POR_E2E`` per end-to-end test), every file's tests in their own order.

    ``scripts/test.sh`` hands whole files to pytest-xdist workers in this order, so the long files start
    early and the many short ones fill the gaps at the end, instead of one long file starting last.
    """
    medidos: dict[str, float] = json.loads(DURACOES.read_text(encoding="utf-8")) if DURACOES.exists() else {}
    e2e = Counter(item.path for item in items if item.get_closest_marker("e2e"))
    pesos = {
        path: medidos.get(path.relative_to(config.rootpath).as_posix(), SEGUNDOS_POR_E2E * e2e[path])
        for path in {item.path for item in items}
    }
    items.sort(key=lambda item: -pesos[item.path])
