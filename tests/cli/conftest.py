"""Fixtures of the command-line tests: a CliRunner bound to a fresh database and secret key."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

from sinesys_spiders.cli import main

Invoke = Callable[..., Result]


@pytest.fixture
def sinesys(database_env: str, secret_key: str) -> Invoke:
    """``sinesys(*args, input=None)``: run the ``sinesys`` command line in-process on the test database."""
    runner = CliRunner()

    def _invoke(*args: str, input: str | None = None) -> Result:
        env = {"SINESYS_DATABASE_URL": database_env, "SINESYS_SECRET_KEY": secret_key}
        return runner.invoke(main, list(args), input=input, env=env, catch_exceptions=False)

    return _invoke
