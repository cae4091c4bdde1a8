"""Browsable docs at ``/api/docs``: Swagger UI from the ``swagger-ui-py`` package's static files.

No CDN: the page, its script and its style are served by this app (these machines may have no internet).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

__all__ = ["docs_routes"]

_PAGINA = """<!doctype html>
<html lang="pt-BR">
<head>
  <meta charset="utf-8">
  <title>Sinesys Captura API</title>
  <link rel="stylesheet" href="/api/docs/static/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/static/swagger-ui-bundle.js"></script>
  <script src="/api/docs/init.js"></script>
</body>
</html>
"""
_INIT = 'window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui", withCredentials: true});\n'
_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'"


def _static_dir() -> Path:
    return Path(str(importlib.resources.files("swagger_ui") / "static"))


async def _pagina(request: Request) -> HTMLResponse:
    return HTMLResponse(_PAGINA, headers={"Content-Security-Policy": _CSP})


async def _init(request: Request) -> HTMLResponse:
    return HTMLResponse(_INIT, media_type="application/javascript")


def docs_routes() -> list[Route | Mount]:
    return [
        Route("/api/docs", _pagina, methods=["GET"]),
        Route("/api/docs/init.js", _init, methods=["GET"]),
        Mount("/api/docs/static", app=StaticFiles(directory=_static_dir()), name="docs-static"),
    ]
