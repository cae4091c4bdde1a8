"""The Starlette REST facade used by the Sinesys frontend: ``create_app(settings)``.

Run it with ``sinesys api serve`` (uvicorn), or point another ASGI server at ``api.asgi:app``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(*args: Any, **kwargs: Any) -> Any:
    from api.app import create_app as _create_app

    return _create_app(*args, **kwargs)
