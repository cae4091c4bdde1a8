"""``sinesys agendamentos``: create, list, show, change, delete and run capture schedules.

Contributed to ``sinesys`` through the ``sinesys.commands`` entry point. Times are shown in Brasília; bad input is
one line on stderr, exit status 2, nothing saved.
"""

from __future__ import annotations

import json
from typing import Any

import click

from scheduler.agendamentos import AgendamentosService, AgendamentoView
from sinesys_spiders.cli._common import echo_json, fail
from sinesys_spiders.cli._inputs import OneLineGroup, session_factory
from sinesys_spiders.core.domain import BRASILIA

__all__ = ["agendamentos"]


def _service() -> AgendamentosService:
    return AgendamentosService(session_factory())


def _ids(texto: str | None) -> list[int] | None:
    if texto is None:
        return None
    try:
        ids = [int(p) for p in texto.split(",") if p.strip()]
    except ValueError:
        fail(f"--credenciais inválido: {texto!r} (use ids separados por vírgula: 1,2)")
    if not ids or any(i <= 0 for i in ids):
        fail("--credenciais vazio ou inválido: informe ids positivos separados por vírgula (1,2)")
    return ids


def _parametros(texto: str | None, janela: str | None) -> dict[str, Any] | None:
    if texto is None and janela is None:
        return None
    try:
        extras = json.loads(texto) if texto is not None else {}
    except ValueError as exc:
        fail(f"--parametros não é JSON válido: {exc.msg} (coluna {exc.colno})")  # type: ignore[attr-defined]
    if not isinstance(extras, dict):
        fail('--parametros deve ser um objeto JSON, por exemplo {"dataRelativa": "ontem"}')
    if janela is not None:
        inicio, sep, fim = janela.partition("-")
        if not sep:
            fail(f"--janela inválida: {janela!r} (use INICIO-FIM, por exemplo 08:00-18:00)")
        extras["janela_execucao"] = {"inicio": inicio.strip(), "fim": fim.strip()}
    return extras


def _local(valor: Any) -> str:
    return valor.astimezone(BRASILIA).strftime("%Y-%m-%d %H:%M") if valor is not None else "-"


def _linha(a: AgendamentoView) -> str:
    intervalo = f" n={a.dias_intervalo}" if a.dias_intervalo else ""
    estado = "ativo" if a.ativo else "inativo"
    creds = ",".join(map(str, a.credencial_ids))
    return (
        f"{a.id:>4}  {a.tipo_captura:<12} advogado {a.advogado_id} credenciais {creds:<10} "
        f"{a.periodicidade}{intervalo} {a.horario}  {estado:<7}  próxima {_local(a.proxima_execucao)}"
    )


@click.group("agendamentos", cls=OneLineGroup)
def agendamentos() -> None:
    """Capture schedules (agendamentos); `sinesys scheduler run` dispatches them."""


_TIMING_OPTIONS = [
    click.option(
        "--tipo-captura",
        help="acervo_geral, arquivados, audiencias, pendentes, partes, timeline or combinada.",
    ),
    click.option("--credenciais", "credenciais", metavar="1,2", help="Credential ids of the lawyer."),
    click.option("--periodicidade", type=click.Choice(["diario", "a_cada_N_dias", "a_cada_N_horas"])),
    click.option("--dias-intervalo", type=int, help="N of a_cada_N_dias (days) or a_cada_N_horas (hours)."),
    click.option("--horario", metavar="HH:MM", help="Time of day, Brasília."),
    click.option("--janela", metavar="INICIO-FIM", help="a_cada_N_horas only: the window, e.g. 08:00-18:00."),
    click.option("--parametros", metavar="JSON", help='parametros_extras, e.g. {"dataRelativa": "ontem"}.'),
]


def _timing(func: Any) -> Any:
    for option in reversed(_TIMING_OPTIONS):
        func = option(func)
    return func


@agendamentos.command("add")
@click.option("--advogado", "advogado_id", type=int, required=True, help="Lawyer id.")
@_timing
@click.option("--inativo", is_flag=True, help="Create the schedule inactive.")
def add(advogado_id: int, inativo: bool, **campos: Any) -> None:
    """Create a schedule and print its id."""
    for nome in ("tipo_captura", "credenciais", "periodicidade", "horario"):
        if campos[nome] is None:
            fail(f"falta --{nome.replace('_', '-')}")
    dados: dict[str, Any] = {
        "tipo_captura": campos["tipo_captura"],
        "advogado_id": advogado_id,
        "credencial_ids": _ids(campos["credenciais"]),
        "periodicidade": campos["periodicidade"],
        "horario": campos["horario"],
        "ativo": not inativo,
        "parametros_extras": _parametros(campos["parametros"], campos["janela"]) or {},
    }
    if campos["dias_intervalo"] is not None:
        dados["dias_intervalo"] = campos["dias_intervalo"]
    click.echo(_service().criar(dados).id)


@agendamentos.command("list")
@click.option("--advogado", "advogado_id", type=int, default=None, help="Only this lawyer's.")
@click.option("--tipo-captura", default=None, help="Only this capture type.")
@click.option("--ativo/--inativo", "ativo", default=None, help="Only active (or inactive) ones.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_command(advogado_id: int | None, tipo_captura: str | None, ativo: bool | None, as_json: bool) -> None:
    """List schedules with their next run (Brasília time)."""
    service, pagina, todos = _service(), 1, []
    while True:
        itens, total = service.listar(
            pagina=pagina, limite=100, advogado_id=advogado_id, tipo_captura=tipo_captura, ativo=ativo
        )
        todos.extend(itens)
        if len(todos) >= total or not itens:
            break
        pagina += 1
    if as_json:
        echo_json([a.model_dump(mode="json") for a in todos])
        return
    for item in todos:
        click.echo(_linha(item))


@agendamentos.command("show")
@click.argument("agendamento_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(agendamento_id: int, as_json: bool) -> None:
    """One schedule with its next run and its last runs."""
    view = _service().obter(agendamento_id)
    if as_json:
        echo_json(view.model_dump(mode="json"))
        return
    click.echo(_linha(view))
    if view.parametros_extras:
        click.echo(f"      parametros_extras {json.dumps(view.parametros_extras, ensure_ascii=False)}")
    for e in view.execucoes or []:
        extra = " atrasada" if e.atrasada else ""
        extra += " manual" if e.manual else ""
        captura = f" captura {e.captura_id}" if e.captura_id else ""
        erro = f"  {e.erro}" if e.erro else ""
        click.echo(f"      {_local(e.agendado_para)} tentativa {e.tentativa} {e.status}{extra}{captura}{erro}")


@agendamentos.command("update")
@click.argument("agendamento_id", type=int)
@_timing
@click.option("--ativo/--inativo", "ativo", default=None, help="Activate or deactivate.")
def update(agendamento_id: int, ativo: bool | None, **campos: Any) -> None:
    """Change the given fields of a schedule; its next run is recomputed."""
    mudancas: dict[str, Any] = {}
    if campos["credenciais"] is not None:
        mudancas["credencial_ids"] = _ids(campos["credenciais"])
    for nome in ("tipo_captura", "periodicidade", "dias_intervalo", "horario"):
        if campos[nome] is not None:
            mudancas[nome] = campos[nome]
    if ativo is not None:
        mudancas["ativo"] = ativo
    service = _service()
    if campos["parametros"] is not None or campos["janela"] is not None:
        atuais = service.obter(agendamento_id, execucoes=0).parametros_extras
        novos = _parametros(campos["parametros"], None) if campos["parametros"] is not None else atuais
        if campos["janela"] is not None:
            novos = {**(novos or {}), **(_parametros(None, campos["janela"]) or {})}
        mudancas["parametros_extras"] = novos
    if not mudancas:
        fail("nada a alterar: informe ao menos uma opção (veja --help)")
    view = service.atualizar(agendamento_id, mudancas)
    click.echo(_linha(view))


@agendamentos.command("delete")
@click.argument("agendamento_id", type=int)
def delete(agendamento_id: int) -> None:
    """Delete a schedule (the captures it started stay in the history)."""
    _service().remover(agendamento_id)
    click.echo(f"agendamento {agendamento_id} removido")


@agendamentos.command("executar")
@click.argument("agendamento_id", type=int)
def executar(agendamento_id: int) -> None:
    """Run a schedule now and print the capture id (the capture goes on in its job)."""
    click.echo(_service().executar(agendamento_id, solicitante="cli"))
