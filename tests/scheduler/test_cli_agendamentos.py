"""``sinesys agendamentos``: add, list, show, update, delete; bad input is one line and nothing is saved."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from sqlalchemy import Engine, text

from tests.cli.helpers import assert_one_line_error

AGORA = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)  # 09:00 in Brasília


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM agendamentos")).scalar_one())


@time_machine.travel(AGORA, tick=False)
def test_add_then_show_json_gives_the_next_run(sinesys, credenciais: list[int], advogado_id: int) -> None:
    """``add`` prints the id; ``show --json`` has the schedule, its next run (07:00 Brasília tomorrow) and no runs."""
    result = sinesys(
        "agendamentos", "add", "--tipo-captura", "audiencias", "--advogado", str(advogado_id),
        "--credenciais", f"{credenciais[0]},{credenciais[2]}", "--periodicidade", "diario", "--horario", "07:00",
        "--parametros", '{"dataRelativa": "ontem", "codigoSituacao": "F"}',
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    novo = int(result.stdout.strip())
    shown = json.loads(sinesys("agendamentos", "show", str(novo), "--json").stdout)
    assert shown["credencial_ids"] == [credenciais[0], credenciais[2]]
    assert shown["proxima_execucao"] == "2026-03-11T10:00:00Z"
    assert shown["parametros_extras"] == {"dataRelativa": "ontem", "codigoSituacao": "F"}
    assert shown["execucoes"] == []
    assert f"{novo}  audiencias" in sinesys("agendamentos", "list").stdout


@time_machine.travel(AGORA, tick=False)
def test_update_recomputes_the_next_run_and_delete_removes(sinesys, credenciais: list[int], advogado_id: int) -> None:
    """Changing the timing recomputes proxima_execucao; deactivating clears it; delete removes the schedule."""
    novo = sinesys(
        "agendamentos", "add", "--tipo-captura", "pendentes", "--advogado", str(advogado_id),
        "--credenciais", str(credenciais[0]), "--periodicidade", "diario", "--horario", "07:00",
    ).stdout.strip()  # fmt: skip
    result = sinesys(
        "agendamentos", "update", novo, "--periodicidade", "a_cada_N_horas", "--dias-intervalo", "2",
        "--horario", "10:00", "--janela", "08:00-18:00",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    shown = json.loads(sinesys("agendamentos", "show", novo, "--json").stdout)
    assert shown["proxima_execucao"] == "2026-03-10T13:00:00Z"  # 10:00 Brasília today
    assert shown["parametros_extras"]["janela_execucao"] == {"inicio": "08:00", "fim": "18:00"}
    sinesys("agendamentos", "update", novo, "--inativo")
    assert json.loads(sinesys("agendamentos", "show", novo, "--json").stdout)["proxima_execucao"] is None
    assert sinesys("agendamentos", "delete", novo).exit_code == 0
    assert_one_line_error(sinesys("agendamentos", "show", novo), "não existe")


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--horario", "25:00"], "horario inválido"),
        (["--horario", "07:00", "--periodicidade", "a_cada_N_dias"], "dias_intervalo"),
        (["--horario", "07:00", "--periodicidade", "a_cada_N_dias", "--dias-intervalo", "0"], "dias_intervalo"),
        (["--horario", "07:00", "--tipo-captura", "relatorio"], "tipo_captura desconhecido"),
        (["--horario", "07:00", "--parametros", '{"dataInicio": "2026-02-01", "dataFim": "2026-01-01"}'], "anterior"),
        (["--horario", "07:00", "--parametros", "{nope"], "JSON"),
        (["--horario", "07:00", "--credenciais", "999"], "999"),
    ],
)
def test_bad_input_is_one_line_and_nothing_is_saved(
    sinesys, engine: Engine, credenciais: list[int], advogado_id: int, extra: list[str], fragment: str
) -> None:
    """Impossible horario, missing or zero dias_intervalo, unknown type or credential, reversed dates: one line."""
    base = {"--tipo-captura": "audiencias", "--periodicidade": "diario", "--credenciais": str(credenciais[0])}
    for option, value in zip(extra[::2], extra[1::2], strict=True):
        base[option] = value
    args = [a for pair in base.items() for a in pair]
    assert_one_line_error(sinesys("agendamentos", "add", "--advogado", str(advogado_id), *args), fragment)
    assert _count(engine) == 0


def test_credential_of_another_lawyer_is_refused(
    sinesys, engine: Engine, credenciais: list[int], outra_credencial: int, advogado_id: int
) -> None:
    """A credential that is not the lawyer's is refused by name; nothing is saved."""
    result = sinesys(
        "agendamentos", "add", "--tipo-captura", "acervo_geral", "--advogado", str(advogado_id),
        "--credenciais", f"{credenciais[0]},{outra_credencial}", "--periodicidade", "diario", "--horario", "07:00",
    )  # fmt: skip
    assert_one_line_error(result, "outro advogado", str(outra_credencial))
    assert _count(engine) == 0
