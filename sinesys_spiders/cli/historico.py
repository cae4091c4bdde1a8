"""``sinesys historico``: the capture history (``capturas_log``), recent runs and one run in detail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from sinesys_spiders.cli._common import SinesysGroup, echo_json, fail
from sinesys_spiders.core.db.engine import get_session_factory
from sinesys_spiders.core.domain import StatusCaptura, TipoCaptura
from sinesys_spiders.core.historico import CONTAGENS, CapturaResumo, HistoricoService
from sinesys_spiders.core.logsafe import limpar

__all__ = ["command", "historico_group"]


def _service() -> HistoricoService:
    return HistoricoService(get_session_factory())


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def _totais(resumo: CapturaResumo) -> str:
    totais = resumo.totais
    return " ".join(f"{key}={totais[key]}" for key in CONTAGENS if key != "duplicados" or totais[key])


@click.group("historico", cls=SinesysGroup)
def historico_group() -> None:
    """Capture history: what each capture run captured per credential, and what failed and why."""


@historico_group.command("list")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="How many runs.")
@click.option("--tipo", type=click.Choice([t.value for t in TipoCaptura]), default=None, help="Only this type.")
@click.option("--status", type=click.Choice([s.value for s in StatusCaptura]), default=None, help="Only this status.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_command(limit: int, tipo: str | None, status: str | None, as_json: bool) -> None:
    """The most recent capture runs first (times in UTC)."""
    rows = _service().list(limit=limit, tipo_captura=tipo, status=status)
    if as_json:
        echo_json([_summary(r) for r in rows])
        return
    if not rows:
        click.echo("nenhuma captura registrada (rode `scrapy crawl acervo_geral -a credenciais=...`)")
        return
    header = ("id", "tipo", "status", "início (UTC)", "fim (UTC)", "credenciais", "totais")
    table = [
        (
            str(r.id),
            r.tipo_captura,
            r.status,
            _when(r.iniciado_em),
            _when(r.concluido_em),
            ",".join(str(c) for c in r.credencial_ids) or "-",
            _totais(r),
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *table]) for i in range(len(header) - 1)]
    for line in [header, *table]:
        click.echo("  ".join([*(cell.ljust(w) for cell, w in zip(line, widths, strict=False)), line[-1]]).rstrip())


def _summary(resumo: CapturaResumo) -> dict[str, Any]:
    data = resumo.as_dict()
    return {
        key: data[key]
        for key in ("id", "tipo_captura", "status", "advogado_id", "credencial_ids", "iniciado_em", "concluido_em")
    } | {"totais": resumo.totais, "erro": resumo.erro}


@historico_group.command("show")
@click.argument("captura_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the whole row as JSON.")
def show_command(captura_id: str, as_json: bool) -> None:
    """One capture run: status, times, and each credential's result or error (code and message)."""
    texto = captura_id.strip()
    if not texto.isascii() or not texto.isdigit() or len(texto) > 19 or not 1 <= int(texto) < 2**63:
        fail("id de captura inválido (use o número mostrado por `sinesys historico list`)")
    resumo = _service().get(int(captura_id))
    if as_json:
        echo_json(resumo.as_dict())
        return
    _echo(f"captura {resumo.id}: {resumo.tipo_captura} — {resumo.status}")
    inicio, fim = _when(resumo.iniciado_em), _when(resumo.concluido_em)
    _echo(f"  criada {_when(resumo.criado_em)}  início {inicio}  fim {fim} (UTC)")
    if resumo.parametros:
        params = ", ".join(f"{k}={v}" for k, v in sorted(resumo.parametros.items()))
        _echo(f"  parâmetros: {params}")
    _echo(f"  totais: {_totais(resumo)}")
    if not resumo.resultados:
        click.echo("  nenhuma credencial registrou resultado")
    for entry in resumo.resultados:
        where = " ".join(str(v) for v in (entry.get("tribunal"), entry.get("grau")) if v)
        onde = f"credencial {entry['credencial_id']}" + (f" ({where})" if where else "")
        if "erro" in entry:
            _echo(f"  {onde}: ERRO {entry['erro']['codigo']}: {entry['erro']['mensagem']}")
        if "resultado" in entry:
            counts = entry["resultado"]
            text = " ".join(
                f"{key}={counts.get(key, 0)}" for key in CONTAGENS if key != "duplicados" or counts.get(key)
            )
            _echo(f"  {onde}: {text}")
        for item in entry.get("erros_itens", [])[:10]:
            _echo(f"      item {item.get('id_externo')}: {item.get('motivo')}")
    global_error = resumo.resultado.get("erro")
    if global_error:
        _echo(f"  falha da captura: {global_error['codigo']}: {global_error['mensagem']}")


def _echo(text: str) -> None:
    """One line for the terminal: values stored from a tribunal or a user have their control characters escaped."""
    click.echo(limpar(text))


command = historico_group
