"""What every lawyer of one tribunal and grau shares: its órgãos julgadores and the employers sued there."""

from __future__ import annotations

import dataclasses

from plugins.pje_trt.sandbox._data import CIDADES_POR_UF, UF_POR_REGIAO, nome_empresa, nome_pessoa
from plugins.pje_trt.sandbox._gen_docs import derive_rng, gerar_cnpj

__all__ = ["Orgao", "gerar_empresas", "gerar_orgaos"]

PRIMEIRO, SEGUNDO = "primeiro_grau", "segundo_grau"


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
