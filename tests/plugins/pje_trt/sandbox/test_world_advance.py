"""The sandbox world moves on: new cases, movements and documents, archived cases, hearings changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from plugins.pje_trt.sandbox.world import World

TODAY = dt.date(2026, 11, 24)
FAR = (dt.date(2000, 1, 1), dt.date(2100, 1, 1))


def snapshot(world: World) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Everything a capture sees, per tribunal, grau and lawyer."""
    out = {}
    for t in world.tribunais:
        for g in (g.value for g in t.graus):
            for user in world.users:
                adv = user.ids_advogado[t.value]
                acervo = {r["id"] for r in world.painel(t.value, g, adv, 1)}
                arquivados = {r["id"] for r in world.painel(t.value, g, adv, 5)}
                out[(t.value, g, user.cpf)] = {
                    "acervo": acervo,
                    "arquivados": arquivados,
                    "pendentes": {(r["id"], r["idDocumento"]): r for r in world.painel(t.value, g, adv, 2)},
                    "audiencias": {
                        r["id"]: (r["status"], r["dataInicio"])
                        for s in "MCF"
                        for r in world.pauta(t.value, g, adv, *FAR, s)
                    },
                    "timeline": {c: [i["id"] for i in world.timeline(t.value, g, c)] for c in acervo | arquivados},
                    "totalizadores": world.totalizadores(t.value, g, adv),
                }
    return out


def by_key(summary: dict[str, Any], kind: str) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    out: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for ev in summary[kind]:
        out.setdefault((ev["tribunal"], ev["grau"], ev["cpf"]), []).append(ev)
    return out


def check_step(before: dict, after: dict, summary: dict[str, Any]) -> None:
    """Every difference between the snapshots is in the summary, and every summary entry is a difference."""
    novos = by_key(summary, "novos_processos")
    arquivados = by_key(summary, "arquivados")
    movs, docs = by_key(summary, "novos_movimentos"), by_key(summary, "novos_documentos")
    redes, canc = by_key(summary, "audiencias_redesignadas"), by_key(summary, "audiencias_canceladas")
    realiz, prazos = by_key(summary, "audiencias_realizadas"), by_key(summary, "prazos_vencidos")
    abertos, encerrados = by_key(summary, "novos_expedientes"), by_key(summary, "expedientes_encerrados")
    for key, b in before.items():
        a = after[key]
        new_ids = {e["id_processo"] for e in novos.get(key, [])}
        arch_ids = {e["id_processo"] for e in arquivados.get(key, [])}
        assert a["acervo"] == (b["acervo"] | new_ids) - arch_ids, key
        assert a["arquivados"] == b["arquivados"] | arch_ids, key
        assert not new_ids & (b["acervo"] | b["arquivados"])
        # Timelines: new cases get one; existing ones change only by the reported items, appended.
        added: dict[int, set[int]] = {}
        for ev in movs.get(key, []) + docs.get(key, []):
            added.setdefault(ev["id_processo"], set()).add(ev["id"])
        for ev in abertos.get(key, []):  # a new expediente's Intimação joins the timeline
            added.setdefault(ev["id_processo"], set()).add(ev["id_documento"])
        for case, ids in a["timeline"].items():
            if case in new_ids:
                assert ids
                continue
            assert set(ids) == set(b["timeline"][case]) | added.get(case, set()), (key, case)
            assert len(ids) == len(b["timeline"][case]) + len(added.get(case, set()))
        # Hearings: exactly the reported ones changed, in the reported way.
        changed = {k for k in b["audiencias"] if b["audiencias"][k] != a["audiencias"][k]}
        assert set(a["audiencias"]) == set(b["audiencias"])
        expected = {e["id_audiencia"] for e in redes.get(key, []) + canc.get(key, []) + realiz.get(key, [])}
        assert changed == expected, key
        for e in canc.get(key, []):
            assert a["audiencias"][e["id_audiencia"]][0] == "C"
        for e in realiz.get(key, []):
            assert (b["audiencias"][e["id_audiencia"]][0], a["audiencias"][e["id_audiencia"]][0]) == ("M", "F")
        for e in redes.get(key, []):
            old, new = b["audiencias"][e["id_audiencia"]][1], a["audiencias"][e["id_audiencia"]][1]
            assert (old[:16], new[:16]) == (e["de"][:16], e["para"][:16])
            assert new > old
        # Pendentes: reported ones arrive or leave; of the others only the reported deadlines flip prazoVencido.
        novos_exp = {(e["id_processo"], e["id_documento"]) for e in abertos.get(key, [])}
        fora = {(e["id_processo"], e["id_documento"]) for e in encerrados.get(key, [])}
        assert set(a["pendentes"]) == (set(b["pendentes"]) - fora) | novos_exp, key
        assert not novos_exp & set(b["pendentes"])
        assert fora <= set(b["pendentes"])
        for k in novos_exp:
            assert a["pendentes"][k]["prazoVencido"] is False
        comuns = set(a["pendentes"]) & set(b["pendentes"])
        flipped = {k[1] for k in comuns if b["pendentes"][k] != a["pendentes"][k]}
        assert flipped == {e["id_documento"] for e in prazos.get(key, [])}
        for k in comuns:
            if k[1] in flipped:
                assert (b["pendentes"][k]["prazoVencido"], a["pendentes"][k]["prazoVencido"]) == (False, True)
        # Counters follow the rows.
        tot = {t["idAgrupamentoProcessoTarefa"]: t["quantidadeProcessos"] for t in a["totalizadores"]}
        assert (tot[1], tot[2], tot[5]) == (len(a["acervo"]), len(a["pendentes"]), len(a["arquivados"]))


def test_advance_changes_exactly_what_its_summary_says() -> None:
    """Each step's summary lists every new case, item, archived case and hearing change, and nothing else changes."""
    world = World.generate(seed=11, scale="small", users=2, tribunais=["TRT3", "TRT2", "TST"], today=TODAY)
    before = snapshot(world)
    kinds_seen: set[str] = set()
    for step in range(1, 9):
        summary = world.advance()
        assert summary["steps"] == 1
        assert summary["ate"] == (TODAY + dt.timedelta(days=step)).isoformat()
        after = snapshot(world)
        check_step(before, after, summary)
        kinds_seen |= {k for k, v in summary.items() if isinstance(v, list) and v}
        before = after
    assert world.today == TODAY + dt.timedelta(days=8)
    assert kinds_seen >= {
        "novos_processos", "novos_movimentos", "novos_documentos", "arquivados", "audiencias_redesignadas",
        "audiencias_canceladas", "audiencias_realizadas", "novos_expedientes", "expedientes_encerrados",
        "prazos_vencidos",
    }  # fmt: skip


def test_advance_is_deterministic_and_truth_follows() -> None:
    """Three steps at once equal three single steps; the truth moves the archived case and lists the new one."""
    a = World.generate(seed=3, scale="tiny", users=2, today=TODAY)
    b = World.generate(seed=3, scale="tiny", users=2, today=TODAY)
    summary = a.advance(steps=3)
    singles = [b.advance() for _ in range(3)]
    for kind in ("novos_processos", "novos_documentos", "arquivados", "audiencias_canceladas"):
        assert summary[kind] == [ev for s in singles for ev in s[kind]]
    assert a.truth() == b.truth()

    world = World.generate(seed=3, scale="tiny", users=1, tribunais=["TRT3"], today=TODAY)
    summary = world.advance()
    cpf = world.users[0].cpf
    bloco = world.truth()["tribunais"]["TRT3"]["primeiro_grau"][cpf]
    acervo = {r["id_externo"] for r in bloco["acervo_geral"]}
    arquivados = {r["id_externo"]: r for r in bloco["arquivados"]}
    novo = next(e for e in summary["novos_processos"] if e["grau"] == "primeiro_grau")
    assert novo["id_processo"] in acervo
    assert novo["cpf"] == cpf
    assert (
        next(r for r in bloco["acervo_geral"] if r["id_externo"] == novo["id_processo"])["data_autuacao"]
        >= "2026-11-25"
    )
    arquivado = next(e for e in summary["arquivados"] if e["grau"] == "primeiro_grau")
    assert arquivado["id_processo"] not in acervo
    assert arquivados[arquivado["id_processo"]]["data_arquivamento"] is not None
    assert bloco["totalizadores"]["acervo_geral"] == len(acervo)
    item = next(e for e in summary["novos_documentos"] + summary["novos_movimentos"] if e["grau"] == "primeiro_grau")
    tl = world.truth(tribunal="TRT3", cpf=cpf, tipo="timeline", id_processo=item["id_processo"])
    itens = tl["tribunais"]["TRT3"]["primeiro_grau"][cpf]["timeline"][0]["itens"]
    assert item["id"] in {i["id_externo"] for i in itens}


def test_a_carteira_built_after_the_steps_equals_one_advanced_step_by_step() -> None:
    """Carteiras are lazy: one first built after N steps replays them and equals one advanced step by step."""
    eager = World.generate(seed=21, scale="tiny", users=2, tribunais=["TRT3", "TRT9"], today=TODAY)
    eager.advance(steps=4)
    lazy = World.generate(seed=21, scale="tiny", users=2, tribunais=["TRT3", "TRT9"], today=TODAY)
    lazy.steps = 4  # as if the steps had run before any carteira was built
    assert lazy.truth() == eager.truth()
    cpf = eager.users[1].cpf
    for tipo in ("timeline", "partes"):
        assert lazy.truth(tribunal="TRT9", cpf=cpf, tipo=tipo) == eager.truth(tribunal="TRT9", cpf=cpf, tipo=tipo)
