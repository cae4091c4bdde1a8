"""The parties of one case (``/processos/id/{id}/partes``), built on demand and the same whenever asked.

Shape decisions where pje-api.md §3 is silent: ``documento`` is formatted (``000.000.000-00``,
``00.000.000/0000-00``), ``cpf`` and ``pessoaFisica.login`` are digits, ``pessoaJuridica.cnpj`` is formatted,
``nroCep`` is ``NNNNN-NNN``, ``dataNascimento``/``dataAbertura`` are plain dates. The lawyer who logged in appears
as a representative (``tipo`` ADVOGADO) of every party on the side they act for, so the rule of pje-api.md §5
classifies those parties as ``cliente``; special types (PERITO, TESTEMUNHA, ...) come under ``TERCEIROS``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import random
import unicodedata
from typing import Any

from plugins.pje_trt.sandbox._carteira import PARTES_POR_CASO, Caso, Contexto
from plugins.pje_trt.sandbox._data import (
    BAIRROS,
    CIDADES_POR_UF,
    ESTADOS,
    LOGRADOUROS,
    TIPOS_TERCEIRO,
    nome_pessoa,
)
from plugins.pje_trt.sandbox._gen_docs import derive_rng, formatar_cnpj, formatar_cpf, gerar_cpf
from plugins.pje_trt.sandbox._gen_time import fmt_ts, rand_ts

__all__ = ["ESPECIAIS", "PARTES_EM_LISTA", "Advogado", "advogados_do_tribunal", "gerar_partes", "id_pessoa"]

#: Tribunals whose ``partes`` endpoint answers a plain array instead of ``{ATIVO, PASSIVO, TERCEIROS}``.
PARTES_EM_LISTA = frozenset({"TRT2", "TRT15"})

#: Prefixes of party types that pje-api.md §5 classifies as ``terceiro`` (upper case, ASCII, spaces as ``_``).
ESPECIAIS = (
    "PERITO", "MINISTERIO_PUBLICO", "ASSISTENTE", "TESTEMUNHA", "CUSTOS_LEGIS", "AMICUS_CURIAE", "PREPOSTO",
    "CURADOR", "INVENTARIANTE", "ADMINISTRADOR", "SINDICO", "DEPOSITARIO", "LEILOEIRO", "TRADUTOR", "INTERPRETE",
)  # fmt: skip


@dataclasses.dataclass(frozen=True, slots=True)
class Advogado:
    nome: str
    cpf: str
    oab: str  # UF + digits, "MG123456"


def id_pessoa(doc: str) -> int:
    """PJE's person id, stable for a CPF/CNPJ across cases (range 10⁴–2.5×10⁶)."""
    return 10_000 + int(doc[:11]) % 2_490_000


def advogados_do_tribunal(seed: int, tribunal: str, uf: str) -> tuple[Advogado, ...]:
    """Lawyers of the other side, met again and again in one tribunal."""
    rng = derive_rng(seed, "advogados", tribunal)
    return tuple(
        Advogado(nome_pessoa(rng)[0], gerar_cpf(rng), f"{uf}{rng.randrange(30_000, 250_000)}") for _ in range(25)
    )


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _email(nome: str, dominio: str) -> str:
    partes = _ascii(nome).lower().split()
    return f"{partes[0]}.{partes[-1]}@{dominio}"


def _endereco(seed: int, doc: str, uf: str, when: dt.date) -> dict[str, Any]:
    rng = derive_rng(seed, "endereco", doc)
    municipio, ibge, _ddd, cep_lo, cep_hi = rng.choice(CIDADES_POR_UF[uf])
    estado_id, estado_nome = ESTADOS[uf]
    pessoa = id_pessoa(doc)
    return {
        "id": 3_000_000 + pessoa,
        "logradouro": rng.choice(LOGRADOUROS),
        "numero": str(rng.randrange(1, 3000)),
        "complemento": rng.choice((None, None, f"APTO {rng.randrange(101, 1204)}", f"SALA {rng.randrange(1, 30)}")),
        "bairro": rng.choice(BAIRROS),
        "idMunicipio": ibge % 100_000,
        "municipio": municipio,
        "municipioIbge": str(ibge),
        "estado": {"id": estado_id, "sigla": uf, "descricao": estado_nome},
        "pais": {"id": 1, "codigo": "076", "descricao": "Brasil"},
        "nroCep": f"{rng.randint(cep_lo, cep_hi):05d}-{rng.randrange(1000):03d}",
        "idPessoa": pessoa,
        "correspondencia": True,
        "situacao": "P" if rng.random() < 0.8 else "V",
        "classificacoesEndereco": [{"codigo": "R", "descricao": "Residencial"}],
        "idUsuarioCadastrador": rng.randrange(1_000, 90_000),
        "dtAlteracao": fmt_ts(rand_ts(rng, when - dt.timedelta(days=rng.randrange(30, 2000)))),
    }


def _telefones(rng: random.Random, ddd: str) -> dict[str, Any]:
    return {
        "dddCelular": ddd,
        "numeroCelular": f"9{rng.randrange(10**7, 10**8)}",
        "dddResidencial": ddd if rng.random() < 0.3 else None,
        "numeroResidencial": f"3{rng.randrange(10**6, 10**7)}" if rng.random() < 0.3 else None,
        "dddComercial": None,
        "numeroComercial": None,
    }


@functools.lru_cache(maxsize=8192)
def _estatico(seed: int, doc: str, nome: str, uf: str, hoje: dt.date) -> dict[str, Any]:
    """What a person looks like in every case (cached: lawyers and employers come back again and again).

    The nested dicts are shared between answers: treat them as read-only.
    """
    rng = derive_rng(seed, "pessoa", doc)
    pj = len(doc) == 14
    pessoa = id_pessoa(doc)
    email = _email(nome, "empresa.com.br" if pj else "email.com.br")
    out: dict[str, Any] = {"email": email, "telefones": _telefones(rng, CIDADES_POR_UF[uf][0][2])}
    if pj:
        out["sexo"] = None
        out["pessoaJuridica"] = {
            "id": pessoa,
            "nome": nome,
            "nomeFantasia": nome.split(" LTDA")[0].split(" S")[0],
            "cnpj": formatar_cnpj(doc),
            "numeroCpfResponsavel": gerar_cpf(rng),
            "dataAbertura": (hoje - dt.timedelta(days=rng.randrange(2_000, 15_000))).isoformat(),
            "dataFimAtividade": None,
            "orgaoPublico": False,
            "tipoPessoaCodigo": "PJD",
            "tipoPessoaLabel": "Pessoa Jurídica de Direito Privado",
            "dsTipoPessoa": "Pessoa Jurídica de Direito Privado",
            "situacaoCnpjReceitaFederal": {"id": 2, "descricao": "ATIVA"},
            "dsRamoAtividade": rng.choice(("Comércio varejista", "Construção civil", "Serviços", "Indústria")),
            "email": email,
            "login": doc,
            "porteCodigo": rng.choice((1, 3, 5)),
            "porteLabel": rng.choice(("Microempresa", "Empresa de Pequeno Porte", "Demais")),
        }
    else:
        sexo = "F" if nome.split()[0].endswith("A") else "M"
        out["sexo"] = "FEMININO" if sexo == "F" else "MASCULINO"
        out["pessoaFisica"] = {
            "id": pessoa,
            "nome": nome,
            "situacao": "A",
            "login": doc,
            "codigoSexo": sexo,
            "sexo": out["sexo"],
            "dataNascimento": (hoje - dt.timedelta(days=rng.randrange(18 * 365, 70 * 365))).isoformat(),
            "nomeGenitora": nome_pessoa(rng, "F")[0],
            "ufNascimento": uf if rng.random() < 0.7 else None,
            "naturalidade": CIDADES_POR_UF[uf][0][0].title() if rng.random() < 0.6 else None,
            "paisNascimento": "Brasil",
            "estadoCivil": rng.choice((None, "Solteiro(a)", "Casado(a)", "Divorciado(a)")),
            "escolaridade": rng.choice((None, "Ensino médio completo", "Superior completo")),
            "situacaoCpfReceitaFederal": {"id": 1, "descricao": "REGULAR"},
        }
    out["endereco"] = _endereco(seed, doc, uf, hoje)
    return out


def _pessoa(
    seed: int,
    *,
    id_parte: int,
    polo: str,
    tipo: str,
    id_tipo: int,
    nome: str,
    doc: str,
    uf: str,
    principal: bool,
    ordem: int,
    pad: int,
    hoje: dt.date,
    sem_endereco: bool = False,
) -> dict[str, Any]:
    """A party or a representative: the common shape of pje-api.md §3."""
    pj = len(doc) == 14
    fixo = _estatico(seed, doc, nome, uf, hoje)
    out: dict[str, Any] = {
        "id": id_parte,
        "idPessoa": id_pessoa(doc),
        "polo": polo,
        "principal": principal,
        "enderecoDesconhecido": sem_endereco,
        "tipo": tipo,
        "idTipoParte": id_tipo,
        "nome": nome + " " * pad,
        "documento": formatar_cnpj(doc) if pj else formatar_cpf(doc),
        "tipoDocumento": "CNPJ" if pj else "CPF",
        "cpf": None if pj else doc,
        "emails": [fixo["email"]],
        "email": fixo["email"],
        "tipoPessoa": "J" if pj else "F",
        "status": "A",
        "situacao": "Ativo",
        "ordem": ordem,
        "autoridade": False,
        "sexo": fixo["sexo"],
        **fixo["telefones"],
    }
    if not sem_endereco:
        out["endereco"] = fixo["endereco"]
    if pj:
        out["pessoaJuridica"] = fixo["pessoaJuridica"]
    else:
        out["pessoaFisica"] = fixo["pessoaFisica"]
    return out


def _representante(seed: int, adv: Advogado, *, id_parte: int, polo: str, uf: str, hoje: dt.date) -> dict[str, Any]:
    rng = derive_rng(seed, "habilitacao", adv.cpf, id_parte)
    out = _pessoa(
        seed, id_parte=id_parte, polo=polo, tipo="ADVOGADO", id_tipo=7, nome=adv.nome, doc=adv.cpf, uf=uf,
        principal=False, ordem=1, pad=0, hoje=hoje, sem_endereco=rng.random() < 0.5,
    )  # fmt: skip
    out["numeroOab"] = adv.oab
    out["situacaoOab"] = "REGULAR"
    out["dataHabilitacao"] = fmt_ts(rand_ts(rng, hoje - dt.timedelta(days=rng.randrange(10, 900))))
    return out


def gerar_partes(
    ctx: Contexto, caso: Caso, advogado: Advogado, outros: tuple[Advogado, ...]
) -> dict[str, list[dict[str, Any]]] | None:
    """``{ATIVO, PASSIVO, TERCEIROS}`` for ``caso`` (``None`` for a case with no parties: the endpoint's 404)."""
    if caso.sem_partes:
        return None
    rng = ctx.rng("partes", caso.idx)
    seed, uf, hoje = ctx.seed, ctx.uf, ctx.hoje
    slot = ctx.slot(caso.idx) * PARTES_POR_CASO
    ids = iter(range(slot, slot + PARTES_POR_CASO))

    def next_id() -> int:
        return ctx.perm_parte.id(next(ids))

    contrarios = rng.sample(outros, k=min(len(outros), rng.randrange(1, 3)))
    polos: dict[str, list[dict[str, Any]]] = {"ATIVO": [], "PASSIVO": [], "TERCEIROS": []}
    for polo_enum, tipo, id_tipo, qtde in (
        ("ATIVO", "AUTOR", 65, caso.qtde_autor),
        ("PASSIVO", "RÉU", 66, caso.qtde_re),
    ):
        for ordem in range(1, qtde + 1):
            if ordem == 1:
                nome, doc = (caso.autor, caso.autor_cpf) if polo_enum == "ATIVO" else (caso.re, caso.re_doc)
                pad = caso.autor_pad if polo_enum == "ATIVO" else caso.re_pad
            else:
                nome, doc, pad = nome_pessoa(rng)[0], gerar_cpf(rng), 0
            parte = _pessoa(
                seed, id_parte=next_id(), polo=polo_enum.lower(), tipo=tipo, id_tipo=id_tipo, nome=nome, doc=doc,
                uf=uf, principal=ordem == 1, ordem=ordem, pad=pad, hoje=hoje, sem_endereco=rng.random() < 0.05,
            )  # fmt: skip
            advs = [advogado] if polo_enum == caso.lado else contrarios
            parte["representantes"] = [
                _representante(seed, a, id_parte=next_id(), polo=polo_enum.lower(), uf=uf, hoje=hoje) for a in advs
            ]
            polos[polo_enum].append(parte)
    n_terceiros = 0 if rng.random() < 0.6 else rng.randrange(1, 3)
    for ordem in range(1, n_terceiros + 1):
        tipo, id_tipo = rng.choice(TIPOS_TERCEIRO)
        nome, doc = nome_pessoa(rng)[0], gerar_cpf(rng)
        parte = _pessoa(
            seed, id_parte=next_id(), polo="outros", tipo=tipo, id_tipo=id_tipo, nome=nome, doc=doc, uf=uf,
            principal=False, ordem=ordem, pad=0, hoje=hoje, sem_endereco=rng.random() < 0.3,
        )  # fmt: skip
        parte["representantes"] = []
        polos["TERCEIROS"].append(parte)
    return polos
