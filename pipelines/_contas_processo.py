"""What one credential's cases gave in a per-case crawl (:mod:`pipelines.processo`), for its history result."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sinesys_spiders.core.persistencia_processo import ResultadoPartes

__all__ = ["ContaCredencial"]


@dataclasses.dataclass(slots=True)
class ContaCredencial:
    """What one credential's cases gave, for its history result."""

    tipo_captura: str
    tribunal: str
    grau: str
    captura_id: int | None
    inicio: dt.datetime
    fim: dt.datetime
    processos: set[int] = dataclasses.field(default_factory=set)
    #: The cases the spider chose for this credential (``acervo`` id -> tribunal id), from ``processos_selecionados``.
    selecionados: dict[int, int] = dataclasses.field(default_factory=dict)
    #: Why the credential stopped (``CODIGO: mensagem``), if it failed.
    falha: str | None = None
    capturados: set[int] = dataclasses.field(default_factory=set)
    #: Per part (``partes``, ``timeline``: a combined capture has both): the cases chosen for it, and those that ended
    #: stored or with an error of that part.
    escolhidos: dict[str, set[int]] = dataclasses.field(default_factory=dict)
    concluidos: dict[str, set[int]] = dataclasses.field(default_factory=dict)
    bloqueados: list[int] = dataclasses.field(default_factory=list)
    erros: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    partes: ResultadoPartes = dataclasses.field(default_factory=ResultadoPartes)
    timeline: dict[str, int] = dataclasses.field(default_factory=dict)

    def soma(self, **counts: int) -> None:
        for key, value in counts.items():
            self.timeline[key] = self.timeline.get(key, 0) + value

    def extra(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "total_processos": len(self.processos | self.selecionados.keys()),
            "processos_capturados": len(self.capturados),
            "bloqueados": len(self.bloqueados),
            "processos_bloqueados": sorted(self.bloqueados),
            "duracao_ms": int((self.fim - self.inicio).total_seconds() * 1000),
        }
        if self.tipo_captura == "partes":
            p = self.partes
            out.update(
                total_partes=p.total_partes,
                clientes=p.clientes,
                partes_contrarias=p.partes_contrarias,
                terceiros=p.terceiros,
                representantes=p.representantes,
                vinculos=p.vinculos,
            )
        else:
            for key in ("total_documentos", "total_movimentos", "novos_documentos", "novos_movimentos",
                        "documentos_baixados", "documentos_ja_baixados", "bytes_baixados"):  # fmt: skip
                out[key] = self.timeline.get(key, 0)
        return out

    def concluir(self, tipo: str, processo_id: int) -> None:
        """The case's part ``tipo`` ended (stored, or with an error of its own)."""
        self.concluidos.setdefault(tipo, set()).add(processo_id)

    def contagem(self) -> dict[str, int]:
        if self.tipo_captura == "partes":
            p = self.partes
            return {"inseridos": p.inseridos, "atualizados": p.atualizados, "inalterados": p.inalterados,
                    "erros": len(self.erros)}  # fmt: skip
        return {
            "inseridos": self.timeline.get("inseridos", 0),
            "atualizados": self.timeline.get("atualizados", 0),
            "inalterados": self.timeline.get("inalterados", 0),
            "erros": len(self.erros),
        }
