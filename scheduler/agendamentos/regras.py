"""When a schedule runs next: the existing system's rules, on the wall clock of Brasília (zoneinfo).

- ``diario``: every day at ``horario``.
- ``a_cada_N_dias``: every ``dias_intervalo`` days at ``horario`` (the first run at the next ``horario``).
- ``a_cada_N_horas``: every ``dias_intervalo`` hours, starting at the next ``horario``, inside the day's
  ``janela_execucao`` (``inicio``-``fim``, default the whole day): a time past the window's end (or past midnight)
  moves to the next day's ``inicio``, a time before its start to that day's ``inicio``.

:func:`primeira_execucao` gives the first run of a new or changed schedule; :func:`proxima_execucao` the run after
one that was due at ``agendado_para``. A schedule that missed several runs (the scheduler was down) runs once, late:
the run after it is the first of the rule's times that is still in the future.

All times in and out are aware UTC datetimes; ``horario`` and the window are Brasília wall-clock times.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from sinesys_spiders.core.domain import BRASILIA

__all__ = ["Janela", "Regra", "parse_horario", "primeira_execucao", "proxima_execucao"]

_HORARIO = re.compile(r"^(\d{2}):(\d{2})$")
_UTC = dt.UTC
#: Enough steps for a year of hourly runs missed; past it the rule restarts from now.
_MAX_PASSOS = 24 * 400


def parse_horario(texto: str, *, campo: str = "horario") -> dt.time:
    """``HH:MM`` (00:00 to 23:59) as a time; ``ValueError`` naming the field otherwise."""
    match = _HORARIO.match(texto.strip()) if isinstance(texto, str) else None
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"{campo} inválido: {texto!r} (use HH:MM, de 00:00 a 23:59)")
    return dt.time(int(match[1]), int(match[2]))


@dataclasses.dataclass(frozen=True, slots=True)
class Janela:
    """The part of each day an hourly schedule may run in (Brasília time, ``inicio`` < ``fim``)."""

    inicio: dt.time
    fim: dt.time

    def __post_init__(self) -> None:
        if self.inicio >= self.fim:
            raise ValueError(
                f"janela_execucao inválida: inicio ({self.inicio:%H:%M}) deve ser anterior a fim ({self.fim:%H:%M})"
            )

    @classmethod
    def parse(cls, valor: object) -> Janela:
        """From ``{"inicio": "08:00", "fim": "18:00"}`` or ``"08:00-18:00"``."""
        if isinstance(valor, str) and "-" in valor:
            inicio, _, fim = valor.partition("-")
            valor = {"inicio": inicio, "fim": fim}
        if not isinstance(valor, dict) or set(valor) != {"inicio", "fim"}:
            raise ValueError('janela_execucao inválida: use {"inicio": "HH:MM", "fim": "HH:MM"} ou INICIO-FIM')
        return cls(
            parse_horario(valor["inicio"], campo="janela_execucao.inicio"),
            parse_horario(valor["fim"], campo="janela_execucao.fim"),
        )

    def to_json(self) -> dict[str, str]:
        return {"inicio": f"{self.inicio:%H:%M}", "fim": f"{self.fim:%H:%M}"}


@dataclasses.dataclass(frozen=True, slots=True)
class Regra:
    """A schedule's timing: periodicidade, horario, interval (days or hours) and window."""

    periodicidade: str
    horario: dt.time
    dias_intervalo: int | None = None
    janela: Janela | None = None

    def __post_init__(self) -> None:
        if self.periodicidade not in ("diario", "a_cada_N_dias", "a_cada_N_horas"):
            raise ValueError(
                f"periodicidade inválida: {self.periodicidade!r} (use diario, a_cada_N_dias ou a_cada_N_horas)"
            )
        if self.periodicidade != "diario" and (
            not isinstance(self.dias_intervalo, int) or isinstance(self.dias_intervalo, bool) or self.dias_intervalo < 1
        ):
            raise ValueError(f"{self.periodicidade} exige dias_intervalo inteiro maior que zero")
        if self.janela is not None and self.periodicidade != "a_cada_N_horas":
            raise ValueError("janela_execucao só vale para a_cada_N_horas")


def _local(dia: dt.date, hora: dt.time) -> dt.datetime:
    """The UTC instant of a Brasília wall-clock time (zoneinfo; a nonexistent time resolves forward)."""
    return dt.datetime.combine(dia, hora, tzinfo=BRASILIA).astimezone(_UTC)


def _proximo_horario(regra: Regra, depois_de: dt.datetime) -> dt.datetime:
    """The first ``horario`` strictly after ``depois_de``."""
    dia = depois_de.astimezone(BRASILIA).date()
    candidato = _local(dia, regra.horario)
    return candidato if candidato > depois_de else _local(dia + dt.timedelta(days=1), regra.horario)


def _na_janela(regra: Regra, candidato: dt.datetime, *, dia_anterior: dt.date | None) -> dt.datetime:
    """Move an hourly candidate into the window: past its end (or into a later day) -> next day's start."""
    if regra.janela is None:
        return candidato
    local = candidato.astimezone(BRASILIA)
    if dia_anterior is not None and local.date() > dia_anterior:
        return _local(dia_anterior + dt.timedelta(days=1), regra.janela.inicio)
    if local.time() > regra.janela.fim:
        return _local(local.date() + dt.timedelta(days=1), regra.janela.inicio)
    if local.time() < regra.janela.inicio:
        return _local(local.date(), regra.janela.inicio)
    return candidato


def primeira_execucao(regra: Regra, agora: dt.datetime) -> dt.datetime:
    """The first run of a schedule created or changed at ``agora``: its next ``horario`` (hourly: in the window)."""
    agora = agora.astimezone(_UTC)
    candidato = _proximo_horario(regra, agora)
    if regra.periodicidade == "a_cada_N_horas":
        candidato = _na_janela(regra, candidato, dia_anterior=None)
    return candidato


def _seguinte(regra: Regra, anterior: dt.datetime) -> dt.datetime:
    if regra.periodicidade == "diario":
        dia = anterior.astimezone(BRASILIA).date() + dt.timedelta(days=1)
        return _local(dia, regra.horario)
    if regra.periodicidade == "a_cada_N_dias":
        assert regra.dias_intervalo is not None
        dia = anterior.astimezone(BRASILIA).date() + dt.timedelta(days=regra.dias_intervalo)
        return _local(dia, regra.horario)
    assert regra.dias_intervalo is not None
    candidato = anterior + dt.timedelta(hours=regra.dias_intervalo)
    return _na_janela(regra, candidato, dia_anterior=anterior.astimezone(BRASILIA).date())


def proxima_execucao(regra: Regra, agendado_para: dt.datetime, agora: dt.datetime) -> dt.datetime:
    """The run after the one due at ``agendado_para``: the rule's first time after it that is after ``agora``.

    Runs missed while no scheduler ran are skipped (the due one runs once, late).
    """
    agora = agora.astimezone(_UTC)
    proxima = _seguinte(regra, agendado_para.astimezone(_UTC))
    for _ in range(_MAX_PASSOS):
        if proxima > agora:
            return proxima
        proxima = _seguinte(regra, proxima)
    return primeira_execucao(regra, agora)
