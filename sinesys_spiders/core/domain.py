"""Domain vocabulary: capture types, tribunals, graus and capture statuses.

Values are the Portuguese ASCII nouns of the seed API and database; never translate them.
"""

from __future__ import annotations

import enum
from zoneinfo import ZoneInfo

from sinesys_spiders.core.logsafe import ecoar

__all__ = [
    "BRASILIA",
    "ClassificacaoParte",
    "Grau",
    "StatusCaptura",
    "TipoCaptura",
    "Tribunal",
]

#: PJE's timestamps carry no zone: they are Brasília time.
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


class Grau(enum.StrEnum):
    """Instance of a tribunal a credential logs into."""

    PRIMEIRO_GRAU = "primeiro_grau"
    SEGUNDO_GRAU = "segundo_grau"
    TRIBUNAL_SUPERIOR = "tribunal_superior"

    @property
    def numero(self) -> int:
        """The ``grau=1|2`` parameter of PJE's document endpoints (the TST answers as 2)."""
        return 1 if self is Grau.PRIMEIRO_GRAU else 2


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


class Tribunal(enum.StrEnum):
    """Tribunal codes: the 24 Regional Labour Courts and the TST."""

    TRT1 = "TRT1"
    TRT2 = "TRT2"
    TRT3 = "TRT3"
    TRT4 = "TRT4"
    TRT5 = "TRT5"
    TRT6 = "TRT6"
    TRT7 = "TRT7"
    TRT8 = "TRT8"
    TRT9 = "TRT9"
    TRT10 = "TRT10"
    TRT11 = "TRT11"
    TRT12 = "TRT12"
    TRT13 = "TRT13"
    TRT14 = "TRT14"
    TRT15 = "TRT15"
    TRT16 = "TRT16"
    TRT17 = "TRT17"
    TRT18 = "TRT18"
    TRT19 = "TRT19"
    TRT20 = "TRT20"
    TRT21 = "TRT21"
    TRT22 = "TRT22"
    TRT23 = "TRT23"
    TRT24 = "TRT24"
    TST = "TST"

    @property
    def regiao(self) -> int | None:
        """The region number (1..24) of a TRT, ``None`` for the TST."""
        return None if self is Tribunal.TST else int(self.value[3:])

    @property
    def graus(self) -> tuple[Grau, ...]:
        """The graus a credential may log into at this tribunal."""
        if self is Tribunal.TST:
            return (Grau.TRIBUNAL_SUPERIOR,)
        return (Grau.PRIMEIRO_GRAU, Grau.SEGUNDO_GRAU)

    @property
    def ordem(self) -> int:
        """Sort key: TRT order, the TST last (pje-api.md §4)."""
        return self.regiao or 99

    @classmethod
    def parse(cls, value: str) -> Tribunal:
        """Read ``TRT3``, ``trt03`` or ``tst``; raise ``ValueError`` with the accepted values otherwise."""
        text = value.strip().upper()
        if text.startswith("TRT") and text[3:].isdigit():
            text = f"TRT{int(text[3:])}"
        try:
            return cls(text)
        except ValueError:
            raise ValueError(f"tribunal desconhecido: {ecoar(value)} (use TRT1..TRT24 ou TST)") from None


def parse_grau(value: str) -> Grau:
    """Read a grau name; raise ``ValueError`` listing the accepted values otherwise."""
    try:
        return Grau(value.strip().lower())
    except ValueError:
        accepted = ", ".join(g.value for g in Grau)
        raise ValueError(f"grau desconhecido: {ecoar(value)} (use {accepted})") from None


def check_tribunal_grau(tribunal: Tribunal, grau: Grau) -> None:
    """Raise ``ValueError`` when ``grau`` does not exist at ``tribunal``."""
    if grau not in tribunal.graus:
        accepted = ", ".join(g.value for g in tribunal.graus)
        raise ValueError(f"{tribunal.value} não tem {grau.value} (use {accepted})")
