"""HTML pages of the sandbox: templates in ``templates/`` with ``$name`` placeholders, escaped on render."""

from __future__ import annotations

import functools
import html
import string
from importlib import resources

__all__ = ["render"]


@functools.cache
def _template(name: str) -> string.Template:
    text = (resources.files(__package__) / "templates" / f"{name}.html").read_text(encoding="utf-8")
    return string.Template(text)


def render(name: str, *, raw: dict[str, str] | None = None, **values: object) -> str:
    """Fill template ``name``: ``values`` are HTML-escaped, ``raw`` fragments are inserted as they are."""
    mapping = {key: html.escape(str(value)) for key, value in values.items()}
    mapping.update(raw or {})
    return _template(name).substitute(mapping)
