"""Shared pieces of the models: the strict base, ids, the envelopes, pagination and the error shape."""

from __future__ import annotations

import math
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "MAX_ID",
    "Consulta",
    "Corpo",
    "Envelope",
    "ErroCampo",
    "ErroResposta",
    "Id",
    "Modelo",
    "Paginacao",
    "Texto",
    "total_paginas",
]

#: Ids are PostgreSQL ``integer``: anything larger cannot exist (404 or 400, never a database error).
MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Texto = Annotated[str, Field(max_length=500)]

T = TypeVar("T")


def _sem_nulo(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("contém caractere nulo")
    if isinstance(value, list):
        for item in value:
            _sem_nulo(item)
    return value


class Modelo(BaseModel):
    """Base of response models."""

    model_config = ConfigDict(populate_by_name=True)


class Corpo(BaseModel):
    """Base of request bodies: unknown fields refused, no NUL characters in text."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("*", mode="after")
    @classmethod
    def _texto_limpo(cls, value: Any) -> Any:
        return _sem_nulo(value)


class Consulta(Corpo):
    """Base of query strings (unknown parameters are ignored, as browsers add cache busters)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Paginacao(Consulta):
    pagina: int = Field(default=1, ge=1, le=1_000_000, description="Página, a partir de 1.")
    limite: int = Field(default=50, ge=1, le=100, description="Itens por página (máximo 100).")

    @property
    def offset(self) -> int:
        return (self.pagina - 1) * self.limite


def total_paginas(total: int, limite: int) -> int:
    return math.ceil(total / limite) if total else 0


class Envelope(Modelo, Generic[T]):
    """``{"success": true, "data": ...}``."""

    success: bool = True
    data: T


class ErroCampo(Modelo):
    campo: str
    motivo: str


class ErroResposta(Modelo):
    """Every error: ``error`` is a message (or, on 401, ``Unauthorized``)."""

    success: bool | None = None
    error: str
    detalhes: Any = None
    error_id: str | None = None
