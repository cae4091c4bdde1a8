"""``api.asgi:app``: the application on the environment's settings, for ``uvicorn``/``gunicorn`` workers."""

from __future__ import annotations

from api.app import create_app

app = create_app()
