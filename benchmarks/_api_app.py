"""The API app for ``benchmarks/api_historico.py``, plus a trivial route returning a static JSON body.

``BENCH_STATIC_BYTES`` (environment) sets the static body's size, so it matches the route it is compared with.
Run by uvicorn: ``uvicorn benchmarks._api_app:app``.
"""

from __future__ import annotations

import os

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.app import create_app

app = create_app()
_SIZES = [int(x) for x in os.environ.get("BENCH_STATIC_BYTES", "1000").split(",")]
_BODIES = {size: ('{"success":true,"data":"' + "x" * max(0, size - 28) + '"}').encode() for size in _SIZES}


async def _estatico(request: Request) -> Response:
    size = int(request.query_params.get("bytes", _SIZES[0]))
    return Response(_BODIES.get(size, _BODIES[_SIZES[0]]), media_type="application/json")


app.router.routes.append(Route("/api/bench/estatico", _estatico))
