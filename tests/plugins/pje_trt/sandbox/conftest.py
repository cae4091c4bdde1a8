"""Helpers of the sandbox's server-side tests: a logged-in client per tribunal and grau."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from sinesys_spiders.testing.sandbox_fixtures import DemoUser, SandboxClient

Login = Callable[..., tuple[DemoUser, httpx.Client]]


@pytest.fixture
def login(pje_sandbox: SandboxClient) -> Iterator[Login]:
    """Log the next demo user with a lawyer id at ``tribunal`` in; the clients are closed afterwards."""
    clients: list[httpx.Client] = []

    def do_login(tribunal: str = "TRT3", grau: str = "primeiro_grau", user: DemoUser | None = None):
        if user is None:
            for _ in range(len(pje_sandbox.users)):
                user = pje_sandbox.take_user()
                if tribunal in user.ids_advogado:
                    break
        assert user is not None
        assert tribunal in user.ids_advogado
        client = pje_sandbox.login(user, tribunal, grau)
        clients.append(client)
        return user, client

    yield do_login
    for client in clients:
        client.close()
