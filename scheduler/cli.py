"""``sinesys capturas``: start, follow, list, show and cancel captures (contributed through ``sinesys.commands``).

``iniciar`` creates the capture and hands it to a runner (``local`` by default, ``scrapyd`` with
``SINESYS_SCRAPYD_URL`` or ``--runner``) and prints its id; with ``--esperar`` it follows it to the end (progress on
stderr) and exits 0 when it completed, 1 when it failed or was cancelled. Bad input (unknown type, option,
credential, lawyer or capture, an unreachable runner, cancelling a finished capture): one line on stderr, exit 2
(1 for an unreachable runner), nothing written.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from typing import Any

import click

from scheduler.capturas import cancelar_captura, despachar_pendentes, iniciar_captura
from scheduler.runners import RUNNERS, RunnerIndisponivel
from sinesys_spiders.cli._common import SinesysGroup, echo_json, fail
from sinesys_spiders.core.capturas_jobs import Captura, ServicoCapturas
from sinesys_spiders.core.config import get_settings
from sinesys_spiders.core.domain import StatusCaptura, TipoCaptura
from sinesys_spiders.core.historico import CONTAGENS
from sinesys_spiders.core.logsafe import ecoar

__all__ = ["capturas"]


def _ids(value: str | None) -> list[int]:
    if not value:
        return []
    try:
        ids = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        fail(f"--credenciais: use ids separados por vírgula (ex.: 1,2), não {ecoar(value)}")
    if any(i <= 0 or i >= 2**63 for i in ids):
        fail("--credenciais: ids são positivos e menores que 2**63")
    return ids


def _opcoes(pares: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for par in pares:
        key, sep, value = par.partition("=")
        if not sep or not key.strip():
            fail(f"--opcao: use CHAVE=VALOR (ex.: -o tribunais=TRT3), não {par!r}")
        out[key.strip()] = value
    return out


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def _totais(captura: Captura) -> str:
    totais = captura.totais
    return " ".join(f"{key}={totais[key]}" for key in CONTAGENS if key != "duplicados" or totais[key])


def _as_dict(captura: Captura) -> dict[str, Any]:
    dados: dict[str, Any] = json.loads(captura.model_dump_json())
    return dados


@click.group("capturas", cls=SinesysGroup)
def capturas() -> None:
    """Captures as jobs: start one (local subprocess or Scrapyd), follow it, list, show and cancel."""


@capturas.command("iniciar")
@click.argument("tipo", type=click.Choice([t.value for t in TipoCaptura]))
@click.option("--credenciais", default=None, help="Credential ids, comma-separated: 1,2.")
@click.option("--advogado", type=click.IntRange(min=1), default=None, help="Every active credential of this lawyer.")
@click.option("-o", "--opcao", "opcoes", multiple=True, help="Spider option KEY=VALUE (repeatable): -o tribunais=TRT3")
@click.option("--runner", type=click.Choice(RUNNERS), default=None, help="Where it runs (default: SINESYS_RUNNER).")
@click.option("--esperar", is_flag=True, help="Wait for the end; exit 0 completed, 1 failed or cancelled.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes (local) or Scrapyd jobs sharing the capture through Redis (SINESYS_REDIS_URL).",
)
@click.option("--intervalo", type=click.FloatRange(0.1, 60), default=2.0, show_default=True, help="Poll seconds.")
def iniciar(
    tipo: str,
    credenciais: str | None,
    advogado: int | None,
    opcoes: tuple[str, ...],
    runner: str | None,
    esperar: bool,
    workers: int,
    intervalo: float,
) -> None:
    """Start a capture of TIPO and print its id."""
    ids = _ids(credenciais)
    if bool(ids) == (advogado is not None):
        fail("informe --credenciais ou --advogado (um dos dois)")
    settings = get_settings()
    try:
        captura_id = iniciar_captura(
            settings,
            tipo,
            advogado_id=None if ids else advogado,
            credencial_ids=ids,
            parametros={**_opcoes(opcoes), **({"workers": workers} if workers > 1 else {})},
            origem="cli",
            runner=runner,
        )
    except RunnerIndisponivel as exc:
        fail(f"{exc.code}: {exc.message}", code=1)
    click.echo(captura_id)
    if esperar:
        sys.exit(_esperar(captura_id, intervalo))


def _esperar(captura_id: int, intervalo: float) -> int:
    settings = get_settings()
    servico = ServicoCapturas.from_settings(settings)
    visto: tuple[Any, ...] = ()
    while True:
        despachar_pendentes(settings, servico=servico)
        captura = servico.obter(captura_id)
        estado = (captura.status, captura.resultado.get("credenciais_processadas"), _totais(captura))
        if estado != visto:
            visto = estado
            extra = f" ({captura.motivo_pendente})" if captura.motivo_pendente else ""
            click.echo(
                f"captura {captura_id}: {captura.status.value}{extra}; credenciais concluídas "
                f"{estado[1] or 0}/{len(captura.credencial_ids) or '?'}; {estado[2]}",
                err=True,
            )
        if captura.terminada:
            if captura.erro:
                click.echo(f"captura {captura_id}: {captura.erro}", err=True)
            return 0 if captura.status is StatusCaptura.COMPLETED else 1
        time.sleep(intervalo)


@capturas.command("list")
@click.option("--status", type=click.Choice([s.value for s in StatusCaptura]), multiple=True, help="Only these.")
@click.option("--tipo", type=click.Choice([t.value for t in TipoCaptura]), default=None, help="Only this type.")
@click.option("--limite", type=click.IntRange(1, 1000), default=20, show_default=True, help="How many.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def listar(status: tuple[str, ...], tipo: str | None, limite: int, as_json: bool) -> None:
    """Captures, newest first (times in UTC)."""
    settings = get_settings()
    servico = ServicoCapturas.from_settings(settings)
    despachar_pendentes(settings, servico=servico)
    rows, total = servico.listar(status=list(status) or None, tipo_captura=tipo, limite=limite)
    if as_json:
        echo_json({"total": total, "capturas": [_as_dict(r) for r in rows]})
        return
    if not rows:
        click.echo("nenhuma captura (inicie uma com `sinesys capturas iniciar acervo_geral --credenciais 1`)")
        return
    header = ("id", "tipo", "status", "origem", "runner", "job", "início (UTC)", "fim (UTC)", "totais")
    table = [
        (
            str(r.id), r.tipo_captura, r.status.value, r.origem.value, r.runner or "-", r.job_id or "-",
            _when(r.iniciado_em), _when(r.concluido_em), _totais(r),
        )
        for r in rows
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header))]
    for row in [header, *table]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if total > len(rows):
        click.echo(f"({len(rows)} de {total}; use --limite)")


@capturas.command("show")
@click.argument("captura_id", type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(captura_id: int, as_json: bool) -> None:
    """One capture: status, who asked, its job, per-credential results and failure reasons."""
    settings = get_settings()
    servico = ServicoCapturas.from_settings(settings)
    despachar_pendentes(settings, servico=servico)
    captura = servico.obter(captura_id)
    if as_json:
        echo_json(_as_dict(captura))
        return
    linhas = [
        ("captura", str(captura.id)),
        ("tipo", captura.tipo_captura),
        ("status", captura.status.value + (f" ({captura.motivo_pendente})" if captura.motivo_pendente else "")),
        ("origem", captura.origem.value + (f" ({captura.solicitante})" if captura.solicitante else "")),
        ("job", f"{captura.runner or '-'} {captura.job_id or '-'} {captura.node or ''}".rstrip()),
        ("advogado", str(captura.advogado_id or "-")),
        ("credenciais", ",".join(map(str, captura.credencial_ids)) or "-"),
        ("parâmetros", json.dumps(captura.parametros, ensure_ascii=False, sort_keys=True)),
        ("criada (UTC)", _when(captura.criado_em)),
        ("início (UTC)", _when(captura.iniciado_em)),
        ("heartbeat (UTC)", _when(captura.heartbeat_em)),
        ("fim (UTC)", _when(captura.concluido_em)),
        ("totais", _totais(captura)),
    ]
    for key, value in linhas:
        click.echo(f"{key + ':':<17}{value}")
    for entry in captura.resultados:
        onde = " ".join(str(v) for v in (entry.get("tribunal"), entry.get("grau")) if v)
        if "erro" in entry:
            resultado = f"{entry['erro']['codigo']}: {entry['erro']['mensagem']}"
        else:
            contagem = entry.get("resultado", {})
            resultado = " ".join(f"{k}={contagem.get(k, 0)}" for k in CONTAGENS if k != "duplicados" or contagem.get(k))
        click.echo(f"  credencial {entry['credencial_id']} {onde}: {resultado}")
    if captura.erro:
        click.echo(f"{'erro:':<17}{captura.erro}")


@capturas.command("cancelar")
@click.argument("captura_id", type=click.IntRange(min=1))
def cancelar(captura_id: int) -> None:
    """Cancel a capture: a pending one at once; a running crawl stops cleanly and frees its locks."""
    status = cancelar_captura(get_settings(), captura_id)
    if status is StatusCaptura.CANCELLED:
        click.echo(f"captura {captura_id} cancelada")
    else:
        click.echo(f"captura {captura_id}: cancelamento pedido; o crawl encerra e marca a captura cancelled")
