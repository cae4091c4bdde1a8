"""What one credential's cases gave in a per-case crawl (:mod:`pipelines.processo`), for its history result.

A capture run by N workers adds each worker's part up in its shared state (:func:`juntar`, as plain values).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from sinesys_spiders import sinais
from sinesys_spiders.core.historico import MAX_ERROS_ITENS
from sinesys_spiders.core.persistencia_processo import ResultadoPartes

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["ContaCredencial", "de_dict", "juntar", "para_dict", "registrar"]

logger = logging.getLogger(__name__)


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


def para_dict(conta: ContaCredencial) -> dict[str, Any]:
    """The conta as plain values (JSON), to be added up with other workers' in the capture's shared state."""
    return {
        "tipo_captura": conta.tipo_captura,
        "tribunal": conta.tribunal,
        "grau": conta.grau,
        "captura_id": conta.captura_id,
        "inicio": conta.inicio.isoformat(),
        "fim": conta.fim.isoformat(),
        "processos": sorted(conta.processos),
        "selecionados": {str(k): v for k, v in conta.selecionados.items()},
        "falha": conta.falha,
        "capturados": sorted(conta.capturados),
        "escolhidos": {k: sorted(v) for k, v in conta.escolhidos.items()},
        "concluidos": {k: sorted(v) for k, v in conta.concluidos.items()},
        "bloqueados": list(conta.bloqueados),
        "erros": list(conta.erros),
        "partes": dataclasses.asdict(conta.partes),
        "timeline": dict(conta.timeline),
    }


def de_dict(dados: dict[str, Any]) -> ContaCredencial:
    """The conta :func:`para_dict` wrote."""
    return ContaCredencial(
        tipo_captura=dados["tipo_captura"],
        tribunal=dados["tribunal"],
        grau=dados["grau"],
        captura_id=dados.get("captura_id"),
        inicio=dt.datetime.fromisoformat(dados["inicio"]),
        fim=dt.datetime.fromisoformat(dados["fim"]),
        processos=set(dados.get("processos", [])),
        selecionados={int(k): v for k, v in dados.get("selecionados", {}).items()},
        falha=dados.get("falha"),
        capturados=set(dados.get("capturados", [])),
        escolhidos={k: set(v) for k, v in dados.get("escolhidos", {}).items()},
        concluidos={k: set(v) for k, v in dados.get("concluidos", {}).items()},
        bloqueados=list(dados.get("bloqueados", [])),
        erros=list(dados.get("erros", [])),
        partes=ResultadoPartes(**dados.get("partes", {})),
        timeline=dict(dados.get("timeline", {})),
    )


def juntar(dados: dict[str, Any], conta: ContaCredencial) -> None:
    """Add ``conta`` (one worker's part) to the shared conta ``dados`` (plain values, changed in place)."""
    falha = dados.get("falha") or conta.falha
    if "tipo_captura" in dados:
        soma = de_dict(dados)
        soma.inicio, soma.fim = min(soma.inicio, conta.inicio), max(soma.fim, conta.fim)
        soma.processos |= conta.processos
        soma.selecionados.update(conta.selecionados)
        soma.capturados |= conta.capturados
        for tipo, ids in conta.escolhidos.items():
            soma.escolhidos.setdefault(tipo, set()).update(ids)
        for tipo, ids in conta.concluidos.items():
            soma.concluidos.setdefault(tipo, set()).update(ids)
        soma.bloqueados += [p for p in conta.bloqueados if p not in soma.bloqueados]
        soma.erros += conta.erros
        soma.partes.add(conta.partes)
        soma.soma(**conta.timeline)
    else:
        soma = conta
    dados.clear()
    dados.update(para_dict(soma), falha=falha)


def registrar(crawler: Crawler, credenciais: dict[int, ContaCredencial]) -> None:
    """Report each credential's result to the capture extension (the one writer of the history row).

    A chosen case that ended neither stored, nor skipped, nor with an error of its own (its credential failed
    first, the crawl was stopped, or a path lost it) becomes an error here, with the reason: never missing silently.
    """
    # A case chosen by two credentials is captured under the first one only: done is done under any of them. A
    # case is done per part (a combined capture chooses it for partes and for timeline), or skipped as a whole.
    bloqueados = set().union(*(conta.bloqueados for conta in credenciais.values()))
    concluidos: dict[str, set[int]] = {}
    for conta in credenciais.values():
        for tipo, ids in conta.concluidos.items():
            concluidos.setdefault(tipo, set()).update(ids)
    for credencial_id, conta in sorted(credenciais.items()):
        faltando = sorted(
            (p, tipo) for tipo, ids in conta.escolhidos.items() for p in ids - bloqueados - concluidos.get(tipo, set())
        )
        if faltando:
            motivo = (
                f"a credencial falhou antes de concluir o processo ({conta.falha})"
                if conta.falha
                else "a captura terminou sem gravar o processo nem registrar erro dele"
            )
            logger.warning("%s: credencial %s: %d processo(s) não concluído(s): %s", conta.tipo_captura,
                           credencial_id, len({p for p, _ in faltando}), motivo)  # fmt: skip
            varias = len(conta.escolhidos) > 1
            conta.erros[:0] = [  # first: the history keeps the first MAX_ERROS_ITENS reasons
                {
                    "id_externo": conta.selecionados[p],
                    "processo_id": p,
                    "motivo": f"PROCESSO_NAO_CONCLUIDO: {motivo}" + (f" (parte {tipo})" if varias else ""),
                }
                for p, tipo in faltando
            ]
        crawler.signals.send_catch_log(
            signal=sinais.resultado_credencial,
            captura_id=conta.captura_id,
            credencial_id=credencial_id,
            tribunal=conta.tribunal,
            grau=conta.grau,
            contagem=conta.contagem(),
            erros_itens=conta.erros[:MAX_ERROS_ITENS],
            extra=conta.extra(),
        )
