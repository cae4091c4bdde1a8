"""The simulated eproc, once per test session, with 3-second TOTP steps (a second login barely waits)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sinesys_eproc.simulador.processo import ClienteSimulador, iniciar_simulador


@pytest.fixture(scope="session")
def simulador_eproc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClienteSimulador]:
    """``sinesys eproc-simulador --port 0`` with four users."""
    with iniciar_simulador(tmp_path_factory.mktemp("eproc"), usuarios=4, totp_period=3) as cliente:
        yield cliente
