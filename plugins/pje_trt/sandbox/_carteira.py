"""A lawyer's portfolio (carteira) in one tribunal and grau: cases, expedientes and hearings as compact records.

A carteira is built from ``derive_rng(seed, ..., tribunal, grau, user)`` alone, so it can be materialized lazily and
always comes out the same; :mod:`._advance` replays the world's steps on it. Rendering to PJE JSON lives in
:mod:`._render`, parties and timelines (built per case, on demand) in :mod:`._gen_partes` and :mod:`._gen_timeline`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from plugins.pje_trt.sandbox._data import CLASSES_POR_NIVEL, TIPOS_AUDIENCIA, nome_pessoa
from plugins.pje_trt.sandbox._gen_docs import IdPermutation, derive_rng, gerar_cpf, montar_cnj
from plugins.pje_trt.sandbox._gen_orgaos import Orgao
from plugins.pje_trt.sandbox._gen_time import Ts, rand_ts
from plugins.pje_trt.sandbox._perfis import perfil

__all__ = [
    "Audiencia",
    "Carteira",
    "Caso",
    "Contexto",
    "Expediente",
    "dia_util",
    "gerar_carteira",
    "nova_audiencia",
    "novo_caso",
    "novo_expediente",
]

PRIMEIRO = "primeiro_grau"

#: Timeline item slots per case: base items below 63, the archiving movement 63, expediente documents 64..127,
#: items added by advance from 128.
ITENS_POR_CASO = 256
ITEM_ARQUIVAMENTO = 63  # the "Arquivados definitivamente os autos" movement of an archived case
ITEM_EXPEDIENTE = 64
ITEM_EXTRA = 128
PARTES_POR_CASO = 32
AUDIENCIAS_POR_CARTEIRA = 8192


@dataclasses.dataclass(slots=True)
class Caso:
    """One case of the carteira; ``arquivamento`` set means archived (agrupamento 5)."""

    idx: int
    id: int
    numero: int
    numero_processo: str
    classe: str
    orgao: Orgao
    segredo: bool
    prioridade: int
    juizo_digital: bool
    autuacao: Ts
    arquivamento: Ts | None
    autor: str
    autor_cpf: str
    autor_pad: int
    qtde_autor: int
    re: str
    re_doc: str  # CPF (11) or CNPJ (14) digits
    re_pad: int
    qtde_re: int
    orgao_pad: int
    tem_associacao: bool
    lado: str  # ATIVO | PASSIVO: the side the lawyer represents
    sem_partes: bool
    criado_step: int = 0
    extras: list[tuple[int, int]] = dataclasses.field(default_factory=list)  # (step, item slot) added by advance


@dataclasses.dataclass(slots=True)
class Expediente:
    """One pending notice (one row of agrupamento 2); a case may have several."""

    caso_idx: int
    id_documento: int
    item_slot: int
    agrupador: str  # N (no prazo) | I (sem prazo)
    criacao: Ts
    ciencia: Ts | None
    prazo: Ts | None


@dataclasses.dataclass(slots=True)
class Audiencia:
    """One hearing on the pauta: status M (designada), C (cancelada) or F (realizada)."""

    id: int
    caso_idx: int
    inicio: dt.datetime
    minutos: int
    tipo: int  # index in TIPOS_AUDIENCIA
    sala: int  # index in orgao.salas
    status: str
    digits: int
    pauta_id: int


@dataclasses.dataclass(slots=True)
class Contexto:
    """Everything a carteira's generators need: who, where, which id ranges."""

    seed: int
    scale: str
    tribunal: str
    grau: str
    user_index: int
    hoje: dt.date
    regiao: int  # 0 for the TST
    uf: str
    orgaos: tuple[Orgao, ...]
    empresas: tuple[tuple[str, str], ...]  # (razão social, CNPJ)
    perm_processo: IdPermutation
    perm_numero: IdPermutation
    perm_item: IdPermutation
    perm_parte: IdPermutation
    perm_audiencia: IdPermutation
    slots: int

    def rng(self, *parts: object) -> random.Random:
        return derive_rng(self.seed, *parts, self.tribunal, self.grau, self.user_index)

    def slot(self, idx: int) -> int:
        return self.user_index * self.slots + idx

    def item_id(self, caso: Caso, item: int) -> int:
        return self.perm_item.id(self.slot(caso.idx) * ITENS_POR_CASO + item)


@dataclasses.dataclass(slots=True)
class Carteira:
    ctx: Contexto
    casos: list[Caso]
    expedientes: list[Expediente]
    audiencias: list[Audiencia]
    encerrados: list[Expediente] = dataclasses.field(default_factory=list)  # answered: off the pendentes list
    steps: int = 0
    version: int = 0

    def ativos(self) -> list[Caso]:
        return [c for c in self.casos if c.arquivamento is None]

    def arquivados(self) -> list[Caso]:
        return [c for c in self.casos if c.arquivamento is not None]


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    x = rng.random()
    for value, weight in weighted:
        x -= weight
        if x < 0:
            return value
    return weighted[-1][0]


def _pad(rng: random.Random) -> int:
    """How many spaces PJE appends to a name (a third of them are padded)."""
    return rng.randrange(1, 9) if rng.random() < 0.35 else 0


def novo_caso(ctx: Contexto, idx: int, *, arquivado: bool, hoje: dt.date, criado_step: int = 0) -> Caso:
    """Case ``idx`` of the carteira; a case created by an advance step is filed on ``hoje``."""
    rng = ctx.rng("caso", idx)
    slot = ctx.slot(idx)
    orgao = rng.choice(ctx.orgaos)
    if criado_step:
        autuacao = rand_ts(rng, hoje)
    elif arquivado:
        autuacao = rand_ts(rng, hoje - dt.timedelta(days=rng.randrange(400, 12 * 365)))
    else:
        autuacao = rand_ts(rng, hoje - dt.timedelta(days=rng.randrange(10, 6 * 365)))
    arquivamento = None
    if arquivado:
        dias = (hoje - autuacao[0].date()).days
        arquivamento = rand_ts(rng, hoje - dt.timedelta(days=rng.randrange(1, max(2, dias - 180))))
    seq = ctx.perm_numero.id(slot)
    ano = autuacao[0].year
    numero_processo = montar_cnj(seq, ano, ctx.regiao, orgao.vara)
    autor, _ = nome_pessoa(rng)
    autor_cpf = gerar_cpf(rng)
    if rng.random() < 0.8:
        re, re_doc = rng.choice(ctx.empresas)
    else:
        re, _ = nome_pessoa(rng)
        re_doc = gerar_cpf(rng)
    return Caso(
        idx=idx,
        id=ctx.perm_processo.id(slot),
        numero=seq,
        numero_processo=numero_processo,
        classe=_pick(rng, CLASSES_POR_NIVEL[ctx.grau]),
        orgao=orgao,
        segredo=rng.random() < 0.03,
        prioridade=8 if rng.random() < 0.12 else 0,
        juizo_digital=rng.random() < 0.8,
        autuacao=autuacao,
        arquivamento=arquivamento,
        autor=autor,
        autor_cpf=autor_cpf,
        autor_pad=_pad(rng),
        qtde_autor=1 if rng.random() < 0.85 else rng.randrange(2, 4),
        re=re,
        re_doc=re_doc,
        re_pad=_pad(rng),
        qtde_re=1 if rng.random() < 0.7 else rng.randrange(2, 4),
        orgao_pad=rng.randrange(1, 4) if rng.random() < 0.1 else 0,
        tem_associacao=rng.random() < 0.05,
        lado="ATIVO" if rng.random() < 0.7 else "PASSIVO",
        sem_partes=idx == 3 or rng.random() < 0.03,
        criado_step=criado_step,
    )


def novo_expediente(
    ctx: Contexto, caso: Caso, n: int, agrupador: str, hoje: dt.date, *, de_hoje: bool = False
) -> Expediente:
    """The ``n``-th expediente of ``caso`` (its Intimação is timeline item ``ITEM_EXPEDIENTE + n``).

    Created in the last 30 days, or on ``hoje`` when ``de_hoje``; the ciência is never after ``hoje``.
    """
    rng = ctx.rng("expediente", caso.idx, n)
    criacao = rand_ts(rng, hoje if de_hoje else hoje - dt.timedelta(days=rng.randrange(0, 30)))
    ciencia = rand_ts(rng, min(hoje, criacao[0].date() + dt.timedelta(days=rng.randrange(0, 10))))
    if ciencia[0] < criacao[0]:
        ciencia = (criacao[0] + dt.timedelta(hours=1), criacao[1])
    prazo = None
    if agrupador == "N":
        dia = ciencia[0].date() + dt.timedelta(days=rng.randrange(5, 16))
        prazo = (dt.datetime(dia.year, dia.month, dia.day, 23, 59, 59, 999999), 6 if rng.random() < 0.6 else 0)
        if prazo[1] == 0:
            prazo = (prazo[0].replace(microsecond=0), 0)
    item = ITEM_EXPEDIENTE + n
    return Expediente(caso.idx, ctx.item_id(caso, item), item, agrupador, criacao, ciencia, prazo)


def dia_util(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def nova_audiencia(ctx: Contexto, j: int, caso: Caso, day: dt.date, status: str) -> Audiencia:
    rng = ctx.rng("audiencia", j)
    slot_min = rng.choice((5, 10))
    inicio = dt.datetime.combine(dia_util(day), dt.time(8)) + dt.timedelta(minutes=slot_min * rng.randrange(0, 96))
    tipos = range(len(TIPOS_AUDIENCIA)) if ctx.grau == PRIMEIRO else (0, 3)
    aid = ctx.perm_audiencia.id(ctx.user_index * AUDIENCIAS_POR_CARTEIRA + j)
    return Audiencia(
        id=aid,
        caso_idx=caso.idx,
        inicio=inicio,
        minutos=slot_min * rng.randrange(1, 7),
        tipo=rng.choice(tipos),
        sala=rng.randrange(len(caso.orgao.salas)),
        status=status,
        digits=rng.choice((0, 0, 3)),
        pauta_id=aid * 3 + 1,
    )


def gerar_carteira(ctx: Contexto) -> Carteira:
    """The carteira as it stands at step 0."""
    p = perfil(ctx.scale, ctx.tribunal, ctx.grau, ctx.user_index)
    rng = ctx.rng("carteira")
    n_ativos = rng.randint(*p.acervo)
    n_arquivados = rng.randint(*p.arquivados)
    casos = [novo_caso(ctx, i, arquivado=i >= n_ativos, hoje=ctx.hoje) for i in range(n_ativos + n_arquivados)]
    ativos = casos[:n_ativos]
    # The last active case is kept quiet (no expedientes, no hearings), as many real cases are.
    ocupaveis = ativos[:-1] if len(ativos) > 1 else ativos

    expedientes: list[Expediente] = []
    por_caso: dict[int, int] = {}
    if ativos:
        n_n, n_i = rng.randint(*p.pendentes_n), rng.randint(*p.pendentes_i)
        for k, agrupador in enumerate(["N"] * n_n + ["I"] * n_i):
            # The first case always gets two expedientes, so a case id repeats in the pendentes list.
            caso = ativos[0] if k < 2 else rng.choice(ocupaveis)
            n = por_caso.get(caso.idx, 0)
            if n >= ITEM_EXTRA - ITEM_EXPEDIENTE:
                continue
            por_caso[caso.idx] = n + 1
            expedientes.append(novo_expediente(ctx, caso, n, agrupador, ctx.hoje))

    audiencias: list[Audiencia] = []
    if casos:
        n_passadas, n_futuras = rng.randint(*p.audiencias_ano), rng.randint(*p.audiencias_ano)
        for j in range(n_passadas + n_futuras):
            futura = j >= n_passadas
            alvo = rng.choice(ocupaveis) if futura and ativos else rng.choice(casos)
            # The first future hearing falls within a week: there is always something on the agenda.
            offset = rng.randrange(1, 8) if j == n_passadas else rng.randrange(1, 365)
            day = ctx.hoje + dt.timedelta(days=offset) if futura else ctx.hoje - dt.timedelta(days=offset + 3)
            cancelada = rng.random() < (0.12 if futura else 0.15)
            status = "C" if cancelada else "M" if futura else "F"
            audiencias.append(nova_audiencia(ctx, j, alvo, day, status))
    return Carteira(ctx, casos, expedientes, audiencias)
