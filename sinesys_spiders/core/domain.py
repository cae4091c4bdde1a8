"""Domain vocabulary: capture types, tribunals, graus and capture statuses.

Values are the Portuguese ASCII nouns of the seed API and database; never translate them. Tribunal codes and graus
are open: they are the values the installed tribunal plugins declare (``core.tribunais.PluginRegistry``), read and
checked through the registry; core names no tribunal system.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar, Self
from zoneinfo import ZoneInfo

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = [
    "BRASILIA",
    "ClassificacaoParte",
    "Grau",
    "StatusCaptura",
    "TipoCaptura",
    "Tribunal",
]

#: Tribunals' timestamps without a zone are Brasília time (the first plugin, PJE, sends them so).
BRASILIA = ZoneInfo("America/Sao_Paulo")


class TipoCaptura(enum.StrEnum):
    """A capture type; each is one Scrapy spider of the same name."""

    ACERVO_GERAL = "acervo_geral"
    ARQUIVADOS = "arquivados"
    AUDIENCIAS = "audiencias"
    PENDENTES = "pendentes"
    PARTES = "partes"
    TIMELINE = "timeline"
    COMBINADA = "combinada"


class StatusCaptura(enum.StrEnum):
    """Life cycle of a ``capturas_log`` row: pending -> in_progress -> completed | failed | cancelled."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ClassificacaoParte(enum.StrEnum):
    """How a party relates to the firm (pje-api.md §5)."""

    CLIENTE = "cliente"
    PARTE_CONTRARIA = "parte_contraria"
    TERCEIRO = "terceiro"


class _Codigo(str):
    """A code an installed plugin declares: a ``str`` that compares, hashes and stores as its text."""

    __slots__ = ()

    @property
    def value(self) -> str:
        """The code as plain text (what the database, the API and the raw log hold)."""
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r})"

    @classmethod
    def parse(cls, value: str) -> Self:  # pragma: no cover - every subclass reads through the registry
        raise NotImplementedError

    @classmethod
    def _validar(cls, value: Any) -> Self:
        """A model field: an instance made by code is kept; text (user input, stored JSON) is read by :meth:`parse`."""
        if isinstance(value, cls):
            return value
        if not isinstance(value, str):
            raise ValueError(f"esperado um texto, não {type(value).__name__}")
        return cls.parse(value)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validar,
            serialization=core_schema.to_string_ser_schema(),
            json_schema_input_schema=core_schema.str_schema(),
        )


class Tribunal(_Codigo):
    """A tribunal code (``TRT3``), declared by the installed plugin that serves it.

    ``Tribunal("TRT3")`` wraps a known code as it is (rows, messages); :meth:`parse` reads what a user typed through
    the registry (the serving plugin may accept spellings such as ``trt03``) and refuses a code no plugin serves.
    """

    __slots__ = ()

    @classmethod
    def parse(cls, value: str) -> Tribunal:
        """The code of ``value``; ``ValueError`` listing the installed tribunals when no plugin serves it."""
        from sinesys_spiders.core.tribunais import get_registry

        return get_registry().ler_tribunal(value)

    @property
    def graus(self) -> tuple[Grau, ...]:
        """The graus a credential may log into at this tribunal (as its plugin declares them)."""
        from sinesys_spiders.core.tribunais import get_registry

        return get_registry().graus(self)

    @property
    def ordem(self) -> int:
        """Sort key: the order in which the installed plugins declare their tribunals."""
        from sinesys_spiders.core.tribunais import get_registry

        return get_registry().ordem(self)


class Grau(_Codigo):
    """An instance of a tribunal a credential logs into (``primeiro_grau``), declared by the plugins' endpoints.

    The three instances of Brazilian courts are named here for convenience; a plugin may declare others.
    """

    __slots__ = ()

    PRIMEIRO_GRAU: ClassVar[Grau]
    SEGUNDO_GRAU: ClassVar[Grau]
    TRIBUNAL_SUPERIOR: ClassVar[Grau]

    @classmethod
    def parse(cls, value: str) -> Grau:
        """The grau named ``value``; ``ValueError`` listing the declared graus otherwise."""
        return parse_grau(value)


Grau.PRIMEIRO_GRAU = Grau("primeiro_grau")
Grau.SEGUNDO_GRAU = Grau("segundo_grau")
Grau.TRIBUNAL_SUPERIOR = Grau("tribunal_superior")


def parse_grau(value: str) -> Grau:
    """Read a grau name; raise ``ValueError`` listing the graus the installed plugins declare otherwise."""
    from sinesys_spiders.core.tribunais import get_registry

    return get_registry().ler_grau(value)


def check_tribunal_grau(tribunal: Tribunal, grau: Grau) -> None:
    """Raise ``ValueError`` when ``grau`` does not exist at ``tribunal``."""
    graus = tribunal.graus
    if grau not in graus:
        accepted = ", ".join(g.value for g in graus)
        raise ValueError(f"{tribunal.value} não tem {grau.value} (use {accepted})")
