"""The next-run rules of schedules, with frozen time: every periodicity, month and year ends, window edges."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from scheduler.agendamentos.parametros import argumentos_spider, validar_parametros
from scheduler.agendamentos.regras import Janela, Regra, parse_horario, primeira_execucao, proxima_execucao
from sinesys_spiders.core.domain import BRASILIA


def brt(texto: str) -> dt.datetime:
    """A Brasília wall-clock time ``YYYY-MM-DD HH:MM`` as an aware UTC datetime."""
    return dt.datetime.fromisoformat(texto).replace(tzinfo=BRASILIA).astimezone(dt.UTC)


def diario(horario: str = "07:00") -> Regra:
    return Regra("diario", parse_horario(horario))


def horas(n: int, inicio: str = "08:00", fim: str = "18:00", horario: str = "08:00") -> Regra:
    return Regra("a_cada_N_horas", parse_horario(horario), n, Janela.parse(f"{inicio}-{fim}"))


@pytest.mark.parametrize(
    ("agora", "esperado"),
    [
        ("2026-03-10 06:59", "2026-03-10 07:00"),  # later today
        ("2026-03-10 07:00", "2026-03-11 07:00"),  # exactly now: the next day's
        ("2026-01-31 08:00", "2026-02-01 07:00"),  # month end
        ("2026-02-28 23:59", "2026-03-01 07:00"),  # February of a common year
        ("2028-02-28 08:00", "2028-02-29 07:00"),  # leap day
        ("2026-12-31 22:00", "2027-01-01 07:00"),  # year end
    ],
)
def test_diario_first_run_is_the_next_horario_in_brasilia(agora: str, esperado: str) -> None:
    """A daily schedule created at ``agora`` first runs at the next 07:00 Brasília (10:00 UTC)."""
    assert primeira_execucao(diario(), brt(agora)) == brt(esperado)


def test_horario_is_brasilia_wall_clock_not_utc() -> None:
    """07:00 is 10:00 UTC (America/Sao_Paulo has no DST since 2019), read from zoneinfo."""
    assert primeira_execucao(diario(), brt("2026-06-01 00:00")) == dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)


def test_horario_follows_zoneinfo_for_past_dst_dates() -> None:
    """Before 2019 Brasília had summer time: 07:00 on 2018-12-01 was 09:00 UTC (no fixed -03:00 offset)."""
    assert primeira_execucao(diario(), brt("2018-12-01 00:00")) == dt.datetime(2018, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("agendado", "esperado"),
    [
        ("2026-03-10 07:00", "2026-03-11 07:00"),
        ("2026-01-31 07:00", "2026-02-01 07:00"),
        ("2026-12-31 07:00", "2027-01-01 07:00"),
    ],
)
def test_diario_after_a_run_is_the_next_day(agendado: str, esperado: str) -> None:
    """After the run due at ``agendado``, a daily schedule runs the next day at its horario."""
    assert proxima_execucao(diario(), brt(agendado), brt(agendado)) == brt(esperado)


@pytest.mark.parametrize(
    ("n", "agendado", "esperado"),
    [
        (3, "2026-03-10 07:00", "2026-03-13 07:00"),
        (3, "2026-01-30 07:00", "2026-02-02 07:00"),  # across a month end
        (2, "2026-12-31 07:00", "2027-01-02 07:00"),  # across a year end
        (30, "2026-02-01 07:00", "2026-03-03 07:00"),  # February has 28 days in 2026
    ],
)
def test_a_cada_n_dias_adds_n_days_at_horario(n: int, agendado: str, esperado: str) -> None:
    """Every N days: the run after one due on day D is on D+N at the horario."""
    regra = Regra("a_cada_N_dias", parse_horario("07:00"), n)
    assert proxima_execucao(regra, brt(agendado), brt(agendado)) == brt(esperado)


def test_a_cada_n_dias_first_run_is_the_next_horario() -> None:
    """A schedule every 5 days created after today's horario first runs tomorrow."""
    regra = Regra("a_cada_N_dias", parse_horario("07:00"), 5)
    assert primeira_execucao(regra, brt("2026-03-10 09:00")) == brt("2026-03-11 07:00")


@pytest.mark.parametrize(
    ("n", "agendado", "esperado"),
    [
        (2, "2026-03-10 08:00", "2026-03-10 10:00"),  # inside the window
        (2, "2026-03-10 16:00", "2026-03-10 18:00"),  # exactly the window's end: still runs
        (3, "2026-03-10 16:00", "2026-03-11 08:00"),  # past the end: next day's start
        (3, "2026-03-31 17:00", "2026-04-01 08:00"),  # past the end on a month end
        (3, "2026-12-31 17:00", "2027-01-01 08:00"),  # past the end on a year end
    ],
)
def test_a_cada_n_horas_stays_in_the_window(n: int, agendado: str, esperado: str) -> None:
    """Every N hours inside 08:00-18:00: past the window's end, the next run is the next day's start."""
    assert proxima_execucao(horas(n), brt(agendado), brt(agendado)) == brt(esperado)


def test_a_cada_n_horas_without_window_crosses_midnight() -> None:
    """Without a window an hourly schedule simply adds N hours, across midnight and the year end."""
    regra = Regra("a_cada_N_horas", parse_horario("00:00"), 6)
    assert proxima_execucao(regra, brt("2026-12-31 22:00"), brt("2026-12-31 22:00")) == brt("2027-01-01 04:00")


@pytest.mark.parametrize(
    ("horario", "agora", "esperado"),
    [
        ("06:00", "2026-03-10 05:00", "2026-03-10 08:00"),  # horario before the window: its start
        ("19:00", "2026-03-10 12:00", "2026-03-11 08:00"),  # horario after the window: the next day's start
        ("10:00", "2026-03-10 09:00", "2026-03-10 10:00"),
    ],
)
def test_a_cada_n_horas_first_run_inside_the_window(horario: str, agora: str, esperado: str) -> None:
    """The first run of an hourly schedule is its next horario moved into the window."""
    assert primeira_execucao(horas(2, horario=horario), brt(agora)) == brt(esperado)


def test_missed_runs_after_downtime_run_once_then_the_rule_resumes() -> None:
    """A daily schedule due three days ago runs once; the next run is the first future horario, not a backlog."""
    agora = brt("2026-03-13 09:30")
    assert proxima_execucao(diario(), brt("2026-03-10 07:00"), agora) == brt("2026-03-14 07:00")
    assert proxima_execucao(horas(2), brt("2026-03-10 08:00"), agora) == brt("2026-03-13 10:00")


@pytest.mark.parametrize(
    ("regra_args", "mensagem"),
    [
        (("a_cada_N_dias", "07:00", None), "dias_intervalo"),
        (("a_cada_N_dias", "07:00", 0), "dias_intervalo"),
        (("a_cada_N_horas", "07:00", -2), "dias_intervalo"),
        (("semanal", "07:00", 1), "periodicidade"),
    ],
)
def test_bad_rules_are_refused_with_the_field_named(regra_args: tuple, mensagem: str) -> None:
    """A missing or non-positive dias_intervalo, or an unknown periodicidade, is one clear error."""
    periodicidade, horario, n = regra_args
    with pytest.raises(ValueError, match=mensagem):
        Regra(periodicidade, parse_horario(horario), n)


@pytest.mark.parametrize("texto", ["24:00", "7:00", "07:60", "07h00", "", "12:5"])
def test_impossible_horario_is_refused(texto: str) -> None:
    """Only HH:MM from 00:00 to 23:59 is a horario."""
    with pytest.raises(ValueError, match="horario inválido"):
        parse_horario(texto)


def test_window_must_start_before_it_ends() -> None:
    """A janela_execucao whose start is not before its end is refused."""
    with pytest.raises(ValueError, match="janela_execucao"):
        Janela.parse({"inicio": "18:00", "fim": "08:00"})


@time_machine.travel(dt.datetime(2026, 3, 1, 2, 30, tzinfo=dt.UTC), tick=False)
def test_data_relativa_is_resolved_on_the_brasilia_day_the_run_is_due() -> None:
    """``dataRelativa`` hoje/ontem become both dates of the day the run is due, in Brasília (not UTC).

    At 02:30 UTC on 1 March it is still 28 February in Brasília: a run due then captures 28 (hoje) or 27 (ontem).
    """
    agora = dt.datetime.now(dt.UTC)
    hoje = argumentos_spider("audiencias", {"dataRelativa": "hoje", "codigoSituacao": "F"}, agora)
    assert hoje == {"data_inicio": "2026-02-28", "data_fim": "2026-02-28", "situacao": "F"}
    ontem = argumentos_spider("audiencias", {"dataRelativa": "ontem"}, brt("2026-01-01 07:00"))
    assert ontem == {"data_inicio": "2025-12-31", "data_fim": "2025-12-31"}


@pytest.mark.parametrize(
    ("tipo", "extras", "esperado"),
    [
        ("pendentes", {"filtrosPrazo": ["sem_prazo"]}, {"filtros_prazo": ["sem_prazo"]}),
        ("pendentes", {"filtroPrazo": "no_prazo"}, {"filtros_prazo": ["no_prazo"]}),
        ("partes", {"horasParaRecaptura": 12}, {"horas_para_recaptura": 12.0}),
        ("combinada", {"horasParaRecaptura": 6}, {"horas_para_recaptura": 6.0}),
        ("audiencias", {"dataInicio": "2026-01-01", "dataFim": "2026-01-31"},
         {"data_inicio": "2026-01-01", "data_fim": "2026-01-31"}),
        ("acervo_geral", {"janela_execucao": {"inicio": "08:00", "fim": "18:00"}}, {}),
    ],
)  # fmt: skip
def test_parametros_extras_become_the_spider_arguments(tipo: str, extras: dict, esperado: dict) -> None:
    """Each parametros_extras key becomes the spider's argument of the same meaning."""
    assert argumentos_spider(tipo, extras, brt("2026-03-10 07:00")) == esperado


@pytest.mark.parametrize(
    ("tipo", "extras", "mensagem"),
    [
        ("audiencias", {"dataInicio": "2026-02-01", "dataFim": "2026-01-01"}, "anterior"),
        ("audiencias", {"dataRelativa": "amanha"}, "dataRelativa"),
        ("audiencias", {"dataRelativa": "hoje", "dataInicio": "2026-01-01"}, "dataRelativa"),
        ("audiencias", {"codigoSituacao": "X"}, "situacao"),
        ("pendentes", {"filtrosPrazo": ["vencido"]}, "filtros_prazo"),
        ("acervo_geral", {"dataInicio": "2026-01-01"}, "argumento desconhecido"),
        ("acervo_geral", {"foo": 1}, "chave desconhecida"),
        ("relatorio", {}, "tipo_captura desconhecido"),
    ],
)
def test_bad_parametros_extras_are_refused_at_save_time(tipo: str, extras: dict, mensagem: str) -> None:
    """Bad parametros_extras (dates reversed, unknown values or keys, a key the type does not take) are refused."""
    with pytest.raises(ValueError, match=mensagem):
        validar_parametros(tipo, extras)
