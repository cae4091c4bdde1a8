"""One step of the world's time applied to one carteira: deterministic, and replayable on a fresh carteira.

A step moves the date one day on and, drawing from ``derive_rng(seed, "step", n, tribunal, grau, user)``: files new
cases, adds movements and documents to active cases, closes an answered expediente and opens a new one (its
Intimação joins the case's timeline), archives an active case (one without expedientes or future hearings, so only
its archiving movement comes with it), reschedules or cancels a future hearing, marks past hearings as held (``F``)
and lets deadlines pass (``prazoVencido``). Each change is reported in the returned list of events.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from plugins.pje_trt.sandbox._carteira import (
    ITEM_ARQUIVAMENTO,
    ITEM_EXPEDIENTE,
    ITEM_EXTRA,
    ITENS_POR_CASO,
    Carteira,
    dia_util,
    novo_caso,
    novo_expediente,
)
from plugins.pje_trt.sandbox._gen_time import fmt_ts, rand_ts
from plugins.pje_trt.sandbox._gen_timeline import novo_item

__all__ = ["aplicar_step"]

#: (probability of a new case, of new items, of an archived case, of a hearing change) per step and carteira
_CHANCES = {"tiny": (0.5, 0.6, 0.3, 0.4), "small": (0.5, 0.7, 0.3, 0.4), "firm": (0.7, 0.9, 0.5, 0.5)}


def aplicar_step(carteira: Carteira, step: int, *, forcar: bool = False) -> list[dict[str, Any]]:
    """Apply step ``step`` (1-based) to ``carteira``; ``forcar`` makes every kind of change happen when possible."""
    ctx = carteira.ctx
    rng = ctx.rng("step", step)
    hoje = ctx.hoje + dt.timedelta(days=step)
    ontem = hoje - dt.timedelta(days=1)
    p_novo, p_itens, p_arquivo, p_audiencia = _CHANCES.get(ctx.scale, (0.8, 0.95, 0.6, 0.6))
    eventos: list[dict[str, Any]] = []

    def evento(tipo: str, caso_idx: int, **extra: Any) -> None:
        caso = carteira.casos[caso_idx]
        eventos.append({"tipo": tipo, "id_processo": caso.id, "numero_processo": caso.numero_processo, **extra})

    # Hearings whose day has passed are held.
    for aud in carteira.audiencias:
        if aud.status == "M" and aud.inicio.date() < hoje:
            aud.status = "F"
            evento("audiencia_realizada", aud.caso_idx, id_audiencia=aud.id)

    # Deadlines that ran out yesterday.
    for exp in carteira.expedientes:
        if exp.prazo is not None and exp.prazo[0].date() == ontem:
            evento("prazo_vencido", exp.caso_idx, id_documento=exp.id_documento)

    ativos = [c for c in carteira.casos if c.arquivamento is None]

    # New movements and documents in active cases.
    if ativos and (forcar or rng.random() < p_itens):
        for caso in rng.sample(ativos, k=min(len(ativos), rng.randint(1, 2))):
            for _ in range(rng.randint(1, 2)):
                slot = ITEM_EXTRA + len(caso.extras)
                if slot >= ITENS_POR_CASO:
                    break
                caso.extras.append((step, slot))
                item = novo_item(carteira, caso, slot, hoje, step)
                evento("novo_documento" if item.documento else "novo_movimento", caso.idx, id=item.id)

    # An active case is archived.
    ocupados = {e.caso_idx for e in carteira.expedientes}
    ocupados |= {a.caso_idx for a in carteira.audiencias if a.status == "M"}
    livres = [c for c in ativos if c.idx not in ocupados and c.criado_step != step]
    if livres and (forcar or rng.random() < p_arquivo):
        caso = rng.choice(livres)
        caso.arquivamento = rand_ts(rng, hoje)
        evento("arquivado", caso.idx, data_arquivamento=fmt_ts(caso.arquivamento))
        evento("novo_movimento", caso.idx, id=ctx.item_id(caso, ITEM_ARQUIVAMENTO))

    # An expediente is answered (it leaves the pendentes list), and a new one arrives.
    abertos = [e for e in carteira.expedientes if e.prazo is None or e.prazo[0].date() >= hoje]
    if abertos and (forcar or rng.random() < p_itens / 2):
        exp = rng.choice(abertos)
        carteira.expedientes.remove(exp)
        carteira.encerrados.append(exp)
        evento("expediente_encerrado", exp.caso_idx, id_documento=exp.id_documento)
    candidatos = [c for c in carteira.casos if c.arquivamento is None]
    if candidatos and (forcar or rng.random() < p_itens / 2):
        caso = rng.choice(candidatos)
        n = sum(e.caso_idx == caso.idx for e in (*carteira.expedientes, *carteira.encerrados))
        if ITEM_EXPEDIENTE + n < ITEM_EXTRA:
            exp = novo_expediente(ctx, caso, n, "N" if rng.random() < 0.8 else "I", hoje, de_hoje=True)
            carteira.expedientes.append(exp)
            evento("novo_expediente", caso.idx, id_documento=exp.id_documento, agrupador=exp.agrupador)

    # A future hearing is rescheduled or cancelled.
    futuras = [a for a in carteira.audiencias if a.status == "M" and a.inicio.date() > hoje]
    if futuras and (forcar or rng.random() < p_audiencia):
        aud = rng.choice(futuras)
        if (step % 2 == 1) if forcar else rng.random() < 0.6:
            antes = aud.inicio
            novo_dia = dia_util(antes.date() + dt.timedelta(days=rng.randrange(7, 61)))
            aud.inicio = dt.datetime.combine(novo_dia, antes.time())
            evento("audiencia_redesignada", aud.caso_idx, id_audiencia=aud.id, de=antes.isoformat(),
                   para=aud.inicio.isoformat())  # fmt: skip
        else:
            aud.status = "C"
            evento("audiencia_cancelada", aud.caso_idx, id_audiencia=aud.id)

    # New cases are filed (last, so that the other changes only touch older cases).
    n_novos = 1 if forcar else int(rng.random() < p_novo) + (ctx.scale == "large" and rng.random() < 0.5)
    for _ in range(n_novos):
        idx = len(carteira.casos)
        if idx >= ctx.slots:
            break
        carteira.casos.append(novo_caso(ctx, idx, arquivado=False, hoje=hoje, criado_step=step))
        evento("novo_processo", idx)

    carteira.steps = step
    if eventos:
        carteira.version += 1
    return eventos
