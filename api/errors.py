"""Error answers of the API, one shape: ``{"success": false, "error": "...", "detalhes": [...]}``.

400 lists each field and its reason in Portuguese (never the refused value); 401 is ``{"error":
"Unauthorized"}`` as the existing system answers; 500 carries only an ``error_id`` that is in the log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from starlette.responses import JSONResponse

__all__ = ["ErroApi", "erro", "erros_de_validacao", "nao_autorizado"]

#: pydantic error types -> reason in Portuguese.
_MOTIVOS = {
    "missing": "obrigatório",
    "extra_forbidden": "campo desconhecido",
    "int_parsing": "deve ser um número inteiro",
    "int_type": "deve ser um número inteiro",
    "int_from_float": "deve ser um número inteiro",
    "float_parsing": "deve ser um número",
    "float_type": "deve ser um número",
    "bool_parsing": "deve ser true ou false",
    "bool_type": "deve ser true ou false",
    "string_type": "deve ser texto",
    "string_too_short": "curto demais",
    "string_too_long": "longo demais",
    "string_pattern_mismatch": "formato inválido",
    "list_type": "deve ser uma lista",
    "too_short": "poucos itens",
    "too_long": "itens demais",
    "dict_type": "deve ser um objeto",
    "model_type": "deve ser um objeto",
    "model_attributes_type": "deve ser um objeto",
    "enum": "valor não aceito",
    "literal_error": "valor não aceito",
    "date_parsing": "data inválida (use AAAA-MM-DD)",
    "date_from_datetime_parsing": "data inválida (use AAAA-MM-DD)",
    "date_type": "data inválida (use AAAA-MM-DD)",
    "datetime_parsing": "data e hora inválidas (use ISO 8601)",
    "datetime_from_date_parsing": "data e hora inválidas (use ISO 8601)",
    "datetime_type": "data e hora inválidas (use ISO 8601)",
    "json_invalid": "JSON inválido",
    "json_type": "JSON inválido",
    "union_tag_invalid": "valor não aceito",
}


class ErroApi(Exception):
    """Raised by a route: answered as ``status`` with ``mensagem`` (and optional ``detalhes``)."""

    def __init__(self, status: int, mensagem: str, *, detalhes: Any = None) -> None:
        super().__init__(mensagem)
        self.status = status
        self.mensagem = mensagem
        self.detalhes = detalhes


def erro(status: int, mensagem: str, *, detalhes: Any = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"success": False, "error": mensagem}
    if detalhes is not None:
        body["detalhes"] = detalhes
    return JSONResponse(body, status_code=status, headers=headers)


def nao_autorizado() -> JSONResponse:
    return JSONResponse({"error": "Unauthorized"}, status_code=401)


def _motivo(err: Any) -> str:
    kind = err.get("type", "")
    if kind in ("value_error", "assertion_error"):
        # our validators' messages are written in Portuguese and never quote the value
        return str(err.get("ctx", {}).get("error", err.get("msg", "valor inválido")))
    ctx = err.get("ctx", {})
    if kind in ("greater_than_equal", "greater_than"):
        return f"deve ser {'≥' if kind.endswith('equal') else '>'} {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"deve ser {'≤' if kind.endswith('equal') else '<'} {ctx.get('le', ctx.get('lt'))}"
    if kind == "string_too_long":
        return f"longo demais (máximo {err.get('ctx', {}).get('max_length')} caracteres)"
    if kind == "too_short":
        return f"deve ter ao menos {err.get('ctx', {}).get('min_length')} item(ns)"
    if kind in ("enum", "literal_error"):
        return f"valor não aceito (use {err.get('ctx', {}).get('expected', '')})".replace(" (use )", "")
    return _MOTIVOS.get(kind, "valor inválido")


def erros_de_validacao(exc: ValidationError, *, origem: str = "") -> list[dict[str, str]]:
    """Each field (dotted path) and its reason."""
    out = []
    for err in exc.errors(include_input=False, include_url=False):
        loc: Sequence[Any] = err.get("loc", ())
        campo = ".".join(str(p) for p in loc) or origem or "corpo"
        out.append({"campo": campo, "motivo": _motivo(err)})
    return out
