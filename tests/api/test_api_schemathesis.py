"""Property-based tests from /api/openapi.json (schemathesis): with valid auth, no server error and no response
outside the document, on every operation; no canary secret in any response.

Captures are started on a Scrapyd runner that is not there (``503``, documented), so generated requests never
start a crawl.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette
from starlette.routing import Route

from api.app import API_ROUTES, create_app
from api.config import ApiSettings
from sinesys_spiders.core.config import Settings
from sinesys_spiders.testing.canary import CANARIES

pytestmark = pytest.mark.requires_postgres


@pytest.fixture(scope="module")
def app(settings: Settings, api_settings: ApiSettings) -> Starlette:
    """The app, its captures sent to a Scrapyd that is not listening."""
    sem_runner = settings.model_copy(update={"runner": "scrapyd", "scrapyd_url": "http://127.0.0.1:9"})
    return create_app(sem_runner, api_settings=api_settings)


@pytest.fixture(scope="module")
def api_schema(app: Starlette, dados: dict[str, Any], chaves: dict[str, str]) -> Any:
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


def _operacoes() -> list[Any]:
    out = []
    for route in API_ROUTES:
        assert isinstance(route, Route)
        path = re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", route.path)
        for method in sorted((route.methods or set()) - {"HEAD"}):
            entrada = hasattr(route, "operacao") and (route.operacao.corpo or route.operacao.consulta or "{" in path)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if entrada else (GenerationMode.POSITIVE,):
                out.append(pytest.param(path, method, mode, id=f"{method} {path} {mode.value}"))
    return out


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.parametrize(("path", "method", "mode"), _operacoes())
def test_every_operation_answers_inside_its_schema(api_schema, chaves, path, method, mode) -> None:
    """Generated requests (valid and invalid) with an admin key: no 5xx, status codes and bodies as documented,
    no secret in any response."""
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def check(case: Any) -> None:
        response = case.call_and_validate(headers={"x-service-api-key": chaves["admin"]}, checks=CHECKS)
        for name, value in CANARIES.items():
            assert value not in response.text, name

    check()
