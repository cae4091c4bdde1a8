"""A lawyer's portfolio (carteira) in one tribunal and grau: cases, expedientes and hearings as compact records.

A carteira is built from ``derive_rng(seed, ..., tribunal, grau, user)`` alone, so it can be materialized lazily and
always comes out the same; :mod:`._advance` replays the world's steps on it. Rendering to PJE JSON lives in
:mod:`._render`, parties and timelines (built per case, on demand) in :mod:`._gen_partes` and :mod:`._gen_timeline`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from plugins.pje_trt.sandbox._data import (
    CIDADES_POR_UF,
    CLASSES_POR_NIVEL,
    TIPOS_AUDIENCIA,
    UF_POR_REGIAO,
    nome_empresa,
    nome_pessoa,
)
from plugins.pje_trt.sandbox._gen_docs import IdPermutation, derive_rng, gerar_cnpj, gerar_cpf, montar_cnj
from plugins.pje_trt.sandbox._gen_time import Ts, rand_ts

__all__ = [
    "Audiencia",
    "Carteira",
    "Caso",
    "Contexto",
    "Expediente",
    "Orgao",
    "Perfil",
    "gerar_carteira",
    "novo_caso",
    "perfil",
]

PRIMEIRO, SEGUNDO, SUPERIOR = "primeiro_grau", "segundo_grau", "tribunal_superior"

#: Timeline item slots per case: base items below 64, expediente documents 64..127, items added by advance above.
ITENS_POR_CASO = 256
ITEM_EXPEDIENTE = 64
ITEM_EXTRA = 128
PARTES_POR_CASO = 32
AUDIENCIAS_POR_CARTEIRA = 8192

#: Cases a lawyer may hold in one tribunal and grau, per scale (id slots; advance stops adding beyond it).
CASOS_POR_ADVOGADO = {"tiny": 2_000, "small": 4_000, "firm": 20_000, "large": 60_000}


@dataclasses.dataclass(frozen=True, slots=True)
class Perfil:
    """Ranges ``(lo, hi)`` of how much a lawyer has in one tribunal and grau."""

    acervo: tuple[int, int]
    arquivados: tuple[int, int]
    pendentes_n: tuple[int, int]
    pendentes_i: tuple[int, int]
    audiencias_ano: tuple[int, int]


_TINY = Perfil((2, 5), (1, 3), (2, 3), (0, 1), (1, 3))
_SMALL = Perfil((10, 40), (10, 50), (3, 8), (1, 3), (3, 12))
_SMALL_2G = Perfil((3, 12), (2, 15), (1, 3), (0, 1), (0, 2))
_FIRM_TRT3 = Perfil((1119, 1279), (8769, 8978), (37, 85), (9, 22), (19, 51))
_FIRM_MEDIO = {"TRT1": (205, 225), "TRT4": (75, 83), "TRT5": (200, 218), "TRT7": (230, 248)}
_FIRM_PEQUENO = Perfil((0, 20), (0, 40), (0, 3), (0, 1), (0, 4))
_FIRM_2G = Perfil((0, 15), (0, 30), (0, 3), (0, 1), (0, 0))
_FIRM_TRT3_2G = Perfil((100, 180), (150, 300), (4, 10), (1, 3), (0, 0))
_FIRM_TST = Perfil((20, 40), (20, 60), (0, 3), (0, 0), (0, 0))
_LARGE_TRT3 = Perfil((12_000, 12_600), (30_000, 31_000), (300, 360), (70, 90), (250, 320))
_LARGE_MEDIO = Perfil((1_500, 2_500), (2_000, 3_000), (20, 40), (5, 10), (30, 60))
_LARGE_PEQUENO = Perfil((150, 400), (100, 300), (2, 8), (0, 3), (5, 15))
_LARGE_2G = Perfil((50, 200), (50, 300), (1, 6), (0, 2), (0, 0))
_LARGE_TRT3_2G = Perfil((1_200, 1_600), (1_000, 2_000), (20, 40), (5, 10), (0, 0))
_LARGE_TST = Perfil((200, 400), (200, 400), (2, 6), (0, 2), (0, 0))


def perfil(scale: str, tribunal: str, grau: str, user_index: int) -> Perfil:
    """How much the ``user_index``-th lawyer has in ``tribunal``/``grau``.

    The first lawyer (index 0) is the firm's main lawyer and carries the scale; the others get the ``tiny`` or
    ``small`` profile (``small`` for every scale above ``tiny``) so that many users stay cheap.
    """
    if scale == "tiny":
        return _TINY
    if scale == "small" or user_index > 0:
        return _SMALL if grau == PRIMEIRO else _SMALL_2G
    if scale == "firm":
        if grau == SUPERIOR:
            return _FIRM_TST
        if grau == SEGUNDO:
            return _FIRM_TRT3_2G if tribunal == "TRT3" else _FIRM_2G
        if tribunal == "TRT3":
            return _FIRM_TRT3
        if tribunal in _FIRM_MEDIO:
            lo, hi = _FIRM_MEDIO[tribunal]
            return Perfil((lo, hi), (lo * 3, hi * 5), (5, 15), (1, 4), (5, 15))
        return _FIRM_PEQUENO
    if scale == "large":
        if grau == SUPERIOR:
            return _LARGE_TST
        if grau == SEGUNDO:
            return _LARGE_TRT3_2G if tribunal == "TRT3" else _LARGE_2G
        if tribunal == "TRT3":
            return _LARGE_TRT3
        if tribunal in ("TRT1", "TRT2", "TRT4", "TRT5", "TRT15"):
            return _LARGE_MEDIO
        return _LARGE_PEQUENO
    raise ValueError(f"escala desconhecida: {scale!r} (use tiny, small, firm ou large)")


@dataclasses.dataclass(frozen=True, slots=True)
class Orgao:
    """An órgão julgador: a vara (1º grau), a gabinete in a turma (2º grau) or a minister's office (TST)."""

    id: int
    descricao: str
    sigla: str
    vara: int  # OOOO of the CNJ number (0 outside the 1º grau)
    municipio: str
    codigo_serventia: int
    colegiado: str | None
    relator: str | None
    salas: tuple[tuple[int, str], ...]


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
    steps: int = 0
    version: int = 0

    def ativos(self) -> list[Caso]:
        return [c for c in self.casos if c.arquivamento is None]

    def arquivados(self) -> list[Caso]:
        return [c for c in self.casos if c.arquivamento is not None]


def gerar_orgaos(seed: int, tribunal: str, grau: str, regiao: int) -> tuple[Orgao, ...]:
    """The órgãos of a tribunal and grau (shared by every lawyer there)."""
    rng = derive_rng(seed, "orgaos", tribunal, grau)
    uf = UF_POR_REGIAO.get(regiao, "DF")
    cidades = CIDADES_POR_UF[uf]
    if tribunal == "TRT2":
        cidades = tuple(c for c in cidades if c[2] == "11")
    elif tribunal == "TRT15":
        cidades = tuple(c for c in cidades if c[2] != "11")
    out: list[Orgao] = []
    usados: set[int] = set()
    n = 8 if grau == PRIMEIRO else 6 if grau == SEGUNDO else 4
    while len(out) < n:
        oid = rng.randrange(1_000, 99_999)
        if oid in usados:
            continue
        usados.add(oid)
        salas = tuple((oid * 10 + k, f"Sala {k} - Audiências") for k in range(1, rng.randrange(2, 4)))
        serventia = rng.randrange(10_000, 99_999)
        if grau == PRIMEIRO:
            municipio = cidades[len(out) % len(cidades)][0]
            vara = rng.randrange(1, 49)
            iniciais = "".join(p[0] for p in municipio.split() if len(p) > 2)[:3]
            out.append(
                Orgao(oid, f"{vara}ª VARA DO TRABALHO DE {municipio}", f"VT{vara:02d}{iniciais}", vara, municipio,
                      serventia, None, None, salas)
            )  # fmt: skip
        else:
            relator, sexo = nome_pessoa(rng)
            turma = rng.randrange(1, 11 if grau == SEGUNDO else 9)
            if grau == SEGUNDO:
                gab = rng.randrange(1, 45)
                titulo = "DESEMBARGADORA" if sexo == "F" else "DESEMBARGADOR"
                descricao, sigla = f"Gabinete de Desembargador n. {gab}", f"GDES{gab:02d}"
                colegiado = f"{turma:02d}ª Turma"
            else:
                titulo = "MINISTRA" if sexo == "F" else "MINISTRO"
                descricao = f"Gabinete d{'a' if sexo == 'F' else 'o'} {titulo.title()} {relator.title()}"
                sigla = f"GMIN{len(out) + 1:02d}"
                colegiado = f"{turma}ª Turma"
            out.append(
                Orgao(oid, descricao, sigla, 0, cidades[0][0], serventia, colegiado, f"{titulo} {relator}", salas)
            )
    return tuple(out)


def gerar_empresas(seed: int, tribunal: str) -> tuple[tuple[str, str], ...]:
    """Employers sued again and again in one tribunal: (razão social, CNPJ)."""
    rng = derive_rng(seed, "empresas", tribunal)
    vistos: set[str] = set()
    out: list[tuple[str, str]] = []
    while len(out) < 30:
        nome, _ = nome_empresa(rng)
        if nome in vistos:
            continue
        vistos.add(nome)
        out.append((nome, gerar_cnpj(rng)))
    return tuple(out)


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


def novo_expediente(ctx: Contexto, caso: Caso, n: int, agrupador: str, hoje: dt.date, salt: object = 0) -> Expediente:
    """The ``n``-th expediente of ``caso`` (its Intimação is timeline item ``ITEM_EXPEDIENTE + n``)."""
    rng = ctx.rng("expediente", caso.idx, n, salt)
    criacao = rand_ts(rng, hoje - dt.timedelta(days=rng.randrange(0, 30)))
    ciencia = rand_ts(rng, criacao[0].date() + dt.timedelta(days=rng.randrange(0, 10)))
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
