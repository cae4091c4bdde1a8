"""pytest plugin registered through the ``pytest11`` entry point.

Kept import-light: it only declares markers, so that loading it costs nothing in projects that do
not use the fixtures. Fixtures live in ``sinesys_spiders.testing.fixtures``; a plugin author opts in
with ``pytest_plugins = ["sinesys_spiders.testing.fixtures"]`` in their ``conftest.py``.
"""

from __future__ import annotations

import pytest

MARKERS = {
    "requires_postgres": "needs a PostgreSQL server (started by the fixtures)",
    "requires_redis": "needs a Redis server (started by the fixtures)",
    "requires_browser": "needs a Chromium for Playwright",
    "requires_scrapyd": "needs Scrapyd (started by the fixtures)",
    "slow": "takes more than a few seconds",
}


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
