"""The demo's closing summary: per credential what was captured and what failed, next deadlines, next hearings.

Read from the database and the history only (what a law firm's back office would look at the next morning).
"""

from __future__ import annotations

import datetime as dt
import shutil
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from sinesys_spiders.core.db import session_scope
from sinesys_spiders.core.db.models import Audiencia, Credencial, Expediente
from sinesys_spiders.core.domain import BRASILIA
from sinesys_spiders.core.historico import HistoricoService

__all__ = ["print_summary"]


def _local(value: dt.datetime | None) -> str:
    return value.astimezone(BRASILIA).strftime("%d/%m/%Y %H:%M") if value else "-"


def _capturas_table(historico: HistoricoService, credenciais: dict[int, str]) -> Table:
    table = Table(title="Capturado por credencial", title_justify="left")
    table.add_column("captura")
    table.add_column("credencial")
    table.add_column("status")
    for key in ("inseridos", "atualizados", "inalterados", "erros"):
        table.add_column(key, justify="right")
    table.add_column("falha")
    for resumo in reversed(historico.list(limit=50)):
        for entry in resumo.resultados:
            cid = entry["credencial_id"]
            erro = entry.get("erro")
            counts: dict[str, Any] = entry.get("resultado") or {}
            table.add_row(
                f"#{resumo.id} {resumo.tipo_captura}",
                f"{cid} {credenciais.get(cid, '')}",
                "[red]falhou[/]" if erro else "[green]ok[/]",
                *(str(counts.get(k, 0)) for k in ("inseridos", "atualizados", "inalterados", "erros")),
                f"{erro['codigo']}: {erro['mensagem']}" if erro else "",
            )
    return table


def print_summary(*, now: dt.datetime, limit: int = 10, console: Console | None = None) -> None:
    """Print the summary tables for everything in the configured database."""
    console = console or Console(width=max(shutil.get_terminal_size().columns, 140))
    historico = HistoricoService.from_url()
    with session_scope() as session:
        credenciais = {c.id: f"{c.tribunal} {c.grau}" for c in session.scalars(select(Credencial))}
        prazos = session.scalars(
            select(Expediente)
            .where(Expediente.data_prazo_legal_parte >= now)
            .order_by(Expediente.data_prazo_legal_parte)
            .limit(limit)
        ).all()
        total_pendentes = len(session.scalars(select(Expediente.id)).all())
        audiencias = session.scalars(
            select(Audiencia).where(Audiencia.data_inicio >= now).order_by(Audiencia.data_inicio).limit(limit)
        ).all()
        console.print(_capturas_table(historico, credenciais))

        deadlines = Table(title=f"Próximos prazos ({total_pendentes} expedientes pendentes)", title_justify="left")
        for column in ("prazo", "processo", "tribunal", "órgão", "parte autora", "ciência"):
            deadlines.add_column(column)
        for e in prazos:
            deadlines.add_row(
                _local(e.data_prazo_legal_parte),
                e.numero_processo,
                f"{e.tribunal} {e.grau}",
                e.sigla_orgao_julgador or e.descricao_orgao_julgador or "-",
                e.nome_parte_autora or "-",
                _local(e.data_ciencia_parte),
            )
        console.print(deadlines)

        hearings = Table(title="Próximas audiências", title_justify="left")
        for column in ("quando", "processo", "tribunal", "tipo", "modalidade", "sala"):
            hearings.add_column(column)
        for a in audiencias:
            hearings.add_row(
                _local(a.data_inicio),
                a.numero_processo,
                f"{a.tribunal} {a.grau}",
                a.tipo_descricao or "-",
                a.modalidade or "-",
                a.sala_audiencia_nome or "-",
            )
        console.print(hearings)
