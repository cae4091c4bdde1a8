"""``sinesys recovery``: the raw log against what was stored, and re-persisting from it (no tribunal call).

- ``list [filtros] [--estatisticas] [--json]``: raw-log entries, newest first; statistics per status, tribunal
  and type with the gaps of every listed entry;
- ``analisar (--raw-log ID | --captura ID) [--json]``: totals expected vs stored and the missing elements;
- ``reprocessar (--raw-log ID ... | --captura ID) [--tipos parte,endereco,...] [--forcar]``: re-persist the
  gaps (or everything) through the capture's parsers and upsert, recorded as a capture of origin recovery.

Exit status: 0 when everything asked was done, 1 when some page failed (each reported with its reason), 2 for
bad input (one line on stderr).
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from sinesys_spiders.cli._common import SinesysGroup, echo_json, fail
from sinesys_spiders.core.domain import TipoCaptura
from sinesys_spiders.core.recovery import (
    TIPOS_ELEMENTO,
    AnaliseCaptura,
    AnaliseConjunto,
    FiltroRecovery,
    RecoveryService,
    tipos_validos,
)

__all__ = ["command", "recovery_group"]


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json", by_alias=True)


@click.group("recovery", cls=SinesysGroup)
def recovery_group() -> None:
    """The raw log against the database: list, gap analysis, re-persisting without calling the tribunal."""


@recovery_group.command("list")
@click.option("--captura", "captura_log_id", type=int, default=None, help="Only pages of this capture.")
@click.option("--tipo", type=click.Choice([t.value for t in TipoCaptura]), default=None, help="Capture type.")
@click.option("--status", type=click.Choice(["success", "error"]), default=None, help="Page status.")
@click.option("--trt", default=None, help="Tribunal (TRT3...).")
@click.option("--grau", default=None, help="primeiro_grau, segundo_grau or tribunal_superior.")
@click.option("--advogado", "advogado_id", type=int, default=None, help="Lawyer id.")
@click.option("--data-inicio", type=click.DateTime(["%Y-%m-%d"]), default=None, help="From this day (Brasília).")
@click.option("--data-fim", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Up to this day, inclusive.")
@click.option("--pagina", type=click.IntRange(1), default=1, show_default=True)
@click.option("--limite", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--estatisticas", is_flag=True, help="Counts per status, tribunal and type, and the gaps.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_command(captura_log_id: int | None, tipo: str | None, status: str | None, trt: str | None,
                 grau: str | None, advogado_id: int | None, data_inicio: dt.datetime | None,
                 data_fim: dt.datetime | None, pagina: int, limite: int, estatisticas: bool,
                 as_json: bool) -> None:  # fmt: skip
    """Raw-log entries, newest first (times in UTC); never a payload."""
    filtro = FiltroRecovery(
        captura_log_id=captura_log_id, tipo_captura=tipo, status=status,  # type: ignore[arg-type]
        trt=trt.upper() if trt else None, grau=grau, advogado_id=advogado_id,
        data_inicio=data_inicio.date() if data_inicio else None, data_fim=data_fim.date() if data_fim else None,
    )  # fmt: skip
    service = RecoveryService.from_settings()
    try:
        itens, total = service.listar(filtro, pagina=pagina, limite=limite)
        stats = service.estatisticas(filtro) if estatisticas else None
    finally:
        service.close()
    if as_json:
        data: dict[str, Any] = {"itens": [_dump(i) for i in itens], "total": total, "pagina": pagina,
                                "limite": limite, "totalPaginas": -(-total // limite)}  # fmt: skip
        if stats is not None:
            data["estatisticas"] = _dump(stats)
        echo_json(data)
        return
    if not itens:
        click.echo("nenhuma página no log bruto com esses filtros")
    for i in itens:
        marca = "" if i.processado else "  [não processada]"
        ilegivel = "" if i.payload_disponivel else "  [payload ilegível]"
        click.echo(f"{i.id}  {i.criado_em:%Y-%m-%d %H:%M:%S}  captura={i.captura_log_id or '-'}  {i.tipo_captura}  "
                   f"{i.trt} {i.grau}  {i.status}  {i.numero_processo or ''}{marca}{ilegivel}".rstrip())  # fmt: skip
    click.echo(f"{len(itens)} de {total} página(s)")
    if stats is not None:
        click.echo(f"por status: {stats.por_status}  por TRT: {stats.por_trt}  por tipo: {stats.por_tipo}")
        click.echo(f"não processadas: {stats.nao_processados}  payload ilegível: {stats.payload_ilegivel}  "
                   f"com lacunas: {stats.com_gaps}  sem regra: {stats.sem_regra}  "
                   f"lacunas: {stats.gaps or '-'}")  # fmt: skip


def _exclusivo(raw_log: tuple[str, ...], captura: int | None) -> None:
    if bool(raw_log) == (captura is not None):
        fail("informe --raw-log ou --captura (um dos dois)")


def _mostrar_analise(analise: AnaliseCaptura) -> None:
    processo = f"  processo {analise.processo['numero_processo']}" if analise.processo else ""
    click.echo(f"página {analise.id} ({analise.tipo_captura}, {analise.trt} {analise.grau}){processo}")
    if analise.erro:
        click.echo(f"  erro: {analise.erro}")
        return
    for tipo, t in analise.totais.items():
        click.echo(f"  {tipo}: esperados {t.esperados}, persistidos {t.persistidos}, faltando {t.faltantes}")
    for tipo, elementos in analise.gaps.items():
        for e in elementos:
            extra = f" ({e.erro})" if e.erro else ""
            click.echo(f"  faltando {tipo}: {e.identificador} {e.nome or ''}{extra}".rstrip())


@recovery_group.command("analisar")
@click.option("--raw-log", "raw_log", multiple=True, help="A raw-log entry id (repeatable).")
@click.option("--captura", "captura_log_id", type=int, default=None, help="Every page of this capture.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def analisar_command(raw_log: tuple[str, ...], captura_log_id: int | None, as_json: bool) -> None:
    """Totals expected (in the stored payload) vs stored, and the missing elements by type."""
    _exclusivo(raw_log, captura_log_id)
    service = RecoveryService.from_settings()
    try:
        if captura_log_id is not None:
            resultado: AnaliseConjunto | list[AnaliseCaptura] = service.analisar_captura(captura_log_id)
        else:
            resultado = [service.analisar(r) for r in raw_log]
    finally:
        service.close()
    analises = resultado.documentos if isinstance(resultado, AnaliseConjunto) else resultado
    if as_json:
        echo_json(_dump(resultado) if isinstance(resultado, AnaliseConjunto) else [_dump(a) for a in resultado])
    else:
        for analise in analises:
            _mostrar_analise(analise)
        if isinstance(resultado, AnaliseConjunto):
            click.echo(f"captura {captura_log_id}: {resultado.total_documentos} página(s), "
                       f"{resultado.documentos_com_gaps} com lacunas, {resultado.documentos_com_erro} com erro; "
                       f"lacunas: {resultado.gaps or '-'}")  # fmt: skip
    if any(a.erro for a in analises):
        sys.exit(1)


@recovery_group.command("reprocessar")
@click.option("--raw-log", "raw_log", multiple=True, help="A raw-log entry id (repeatable).")
@click.option("--captura", "captura_log_id", type=int, default=None, help="Every page of this capture.")
@click.option("--tipos", default=None, help=f"Element types, comma-separated ({', '.join(TIPOS_ELEMENTO)}).")
@click.option("--forcar", is_flag=True, help="Store every element again, not only the gaps.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def reprocessar_command(raw_log: tuple[str, ...], captura_log_id: int | None, tipos: str | None, forcar: bool,
                        as_json: bool) -> None:  # fmt: skip
    """Re-persist from the raw log (never calling the tribunal), recorded as a capture of origin recovery."""
    _exclusivo(raw_log, captura_log_id)
    escolhidos = tipos_validos(tipos.split(",")) if tipos is not None else None
    service = RecoveryService.from_settings()
    try:
        resultado = service.reprocessar(
            raw_log_ids=raw_log, captura_log_id=captura_log_id, tipos=escolhidos, forcar=forcar
        )
    finally:
        service.close()
    if as_json:
        echo_json(_dump(resultado))
    else:
        for d in resultado.documentos:
            if d.sucesso:
                estado = "ignorada" if d.ignorado else f"inseridos={d.inseridos} atualizados={d.atualizados}"
                click.echo(f"{d.id}: ok ({d.total_elementos} elemento(s)) {estado}")
            else:
                click.echo(f"{d.id}: erro: {d.erro}")
        capturas = ",".join(str(i) for i in resultado.captura_ids) or "-"
        click.echo(f"{resultado.total_documentos} página(s), {resultado.total_sucessos} ok, {resultado.total_erros} "
                   f"com erro; inseridos={resultado.inseridos} atualizados={resultado.atualizados}; "
                   f"captura(s) recovery: {capturas}")  # fmt: skip
    if not resultado.sucesso:
        sys.exit(1)


command = recovery_group
