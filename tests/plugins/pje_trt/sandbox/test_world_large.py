"""The ``large`` and ``firm`` scales: sizes the benchmarks and the realistic-firm tests depend on."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from plugins.pje_trt.sandbox.world import World

TODAY = dt.date(2026, 11, 24)


@pytest.mark.slow
def test_large_has_50000_cases_and_a_lawyer_with_10000_active_in_one_tribunal() -> None:
    """``large`` holds at least 50,000 cases, one lawyer has 10,000+ active at one tribunal; ids stay unique."""
    world = World.generate(seed=42, scale="large", users=2, today=TODAY)
    assert world.materialize() >= 50_000
    truth = world.truth()
    main = world.users[0]
    ativos = {
        t: len(graus["primeiro_grau"][main.cpf]["acervo_geral"])
        for t, graus in truth["tribunais"].items()
        if "primeiro_grau" in graus
    }
    assert max(ativos.values()) >= 10_000
    tot = world.totalizadores("TRT3", "primeiro_grau", main.ids_advogado["TRT3"])
    assert tot[0]["quantidadeProcessos"] == ativos["TRT3"]
    for tribunal, graus in truth["tribunais"].items():
        for grau, por_cpf in graus.items():
            ids, numeros = set(), set()
            for bloco in por_cpf.values():
                for row in bloco["acervo_geral"] + bloco["arquivados"]:
                    ids.add(row["id_externo"])
                    numeros.add(row["numero_processo"])
                    assert re.fullmatch(r"\d{7}-\d{2}\.\d{4}\.5\.\d{2}\.\d{4}", row["numero_processo"])
            total = sum(len(b["acervo_geral"]) + len(b["arquivados"]) for b in por_cpf.values())
            assert len(ids) == len(numeros) == total, (tribunal, grau)


def test_firm_matches_the_real_trt3_figures() -> None:
    """``firm`` gives the main lawyer TRT3 1º grau counts like pje-api.md §8 and smaller TRTs much less."""
    world = World.generate(seed=42, scale="firm", users=1, tribunais=["TRT3", "TRT1", "TRT7", "TRT20"], today=TODAY)
    adv = world.users[0].ids_advogado
    tot = {
        t: {
            x["idAgrupamentoProcessoTarefa"]: x["quantidadeProcessos"]
            for x in world.totalizadores(t, "primeiro_grau", adv[t])
        }
        for t in ("TRT3", "TRT1", "TRT7", "TRT20")
    }
    assert 1119 <= tot["TRT3"][1] <= 1279
    assert 8769 <= tot["TRT3"][5] <= 8978
    assert 46 <= tot["TRT3"][2] <= 107
    n = len(world.painel("TRT3", "primeiro_grau", adv["TRT3"], 2, "N"))
    assert n > tot["TRT3"][2] - n  # most pendentes have a deadline (37 N + 9 I in the real figures)
    assert 205 <= tot["TRT1"][1] <= 225
    assert 230 <= tot["TRT7"][1] <= 248
    assert tot["TRT20"][1] <= 20
    assert tot["TRT20"][2] <= 4
    year = world.pauta("TRT3", "primeiro_grau", adv["TRT3"], TODAY, TODAY + dt.timedelta(days=365), "M")
    year += world.pauta("TRT3", "primeiro_grau", adv["TRT3"], TODAY, TODAY + dt.timedelta(days=365), "C")
    assert 19 <= len(year) <= 51
