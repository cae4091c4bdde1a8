"""The environment of a command a test starts: ``scrapy crawl``, ``sinesys ...``, a server.

A test's command gets the test's own database, key and folder and never the configuration of whoever runs the
tests: every ``SINESYS_*`` and ``SCRAPY_*`` variable of the calling process is dropped, except the few in
:data:`HERDADAS`, which a test run sets for everything it starts (the project's ``tests/conftest.py`` sets
``SINESYS_LOGIN_PAUSA=0``: logins against the sandbox without the human-like pause between steps, about 8 s of
sleep per login).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

__all__ = ["HERDADAS", "env_de_comando"]

#: Test-run settings a command inherits from the calling process (only these ``SINESYS_*``/``SCRAPY_*`` names).
HERDADAS = frozenset({"SINESYS_LOGIN_PAUSA"})


def env_de_comando(
    *, database_url: str, var_dir: Path, secret_key: str, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """This process's environment without its ``SINESYS_*``/``SCRAPY_*`` (but :data:`HERDADAS`), then the command's
    database, var folder, key and ``INFO`` logs, then ``extra``."""
    env = {k: v for k, v in os.environ.items() if k in HERDADAS or not k.startswith(("SINESYS_", "SCRAPY_"))}
    env.update(
        SINESYS_DATABASE_URL=database_url,
        SINESYS_VAR_DIR=str(var_dir),
        SINESYS_SECRET_KEY=secret_key,
        SINESYS_LOG_LEVEL="INFO",
    )
    env.update(extra or {})
    return env
