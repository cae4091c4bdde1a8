"""PJE-TRT parties (``/processos/id/{id}/partes``): reading both shapes, and classifying each party.

The endpoint answers ``{ATIVO: [...], PASSIVO: [...], TERCEIROS: [...]}`` or, at some TRTs, one plain
array (each party's ``polo`` says where it stands); a 404 means the case has no parties
(pje-api.md §3). Each party becomes a :class:`~sinesys_spiders.core.items_processo.ParteProcesso`,
classified as pje-api.md §5 says:

1. a special type (PERITO*, MINISTERIO_PUBLICO*, ASSISTENTE*, TESTEMUNHA, ...) is a ``terceiro``;
2. a party one of whose representatives has the logged lawyer's CPF is the firm's ``cliente``;
3. every other party is a ``parte_contraria``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from plugins.pje_trt.dados_origem import CAMPOS_ENDERECO, CAMPOS_PESSOA
from sinesys_spiders.plugin import (
    ClassificacaoParte,
    EnderecoParte,
    Oab,
    ParteProcesso,
    RepresentanteParte,
    RespostaInvalida,
    digits,
    reduzir,
)

__all__ = ["ESPECIAIS", "classificar", "ler_partes", "partes_url", "tipo_especial"]

#: Prefixes of the party types classified ``terceiro`` (upper case, ASCII, spaces as ``_``).
ESPECIAIS = (
    "PERITO", "MINISTERIO_PUBLICO", "ASSISTENTE", "TESTEMUNHA", "CUSTOS_LEGIS", "AMICUS_CURIAE", "PREPOSTO",
    "CURADOR", "INVENTARIANTE", "ADMINISTRADOR", "SINDICO", "DEPOSITARIO", "LEILOEIRO", "TRADUTOR", "INTERPRETE",
)  # fmt: skip

_POLOS = ("ATIVO", "PASSIVO", "TERCEIROS")
_OAB = re.compile(r"^\s*([A-Za-z]{2})\s*0*(\d+)\s*([A-Za-z]?)\s*$")


def partes_url(api_url: str, id_processo: int) -> str:
    """The parties of a case, addresses included."""
    return f"{api_url.rstrip('/')}/processos/id/{int(id_processo)}/partes?" + urlencode({"retornaEndereco": "true"})


def _chave_tipo(tipo: str) -> str:
    text = unicodedata.normalize("NFKD", tipo).encode("ascii", "ignore").decode().upper().strip()
    return re.sub(r"[\s-]+", "_", text)


def tipo_especial(tipo: str | None) -> bool:
    """Whether a party type is a special one (classified ``terceiro``): ``PERITO CONTÁBIL`` is, ``RÉU`` is not."""
    if not tipo:
        return False
    key = _chave_tipo(tipo)
    return any(key.startswith(prefix) for prefix in ESPECIAIS)


def classificar(tipo: str | None, representantes: Iterable[RepresentanteParte], cpf_advogado: str | None) -> str:
    """``terceiro`` for a special type, ``cliente`` when the logged lawyer represents it, else ``parte_contraria``."""
    if tipo_especial(tipo):
        return ClassificacaoParte.TERCEIRO.value
    alvo = digits(cpf_advogado)
    if alvo and any(alvo in (r.cpf, r.cnpj) for r in representantes):
        return ClassificacaoParte.CLIENTE.value
    return ClassificacaoParte.PARTE_CONTRARIA.value


# -- reading ---------------------------------------------------------------------------------------


def _lista(payload: Any) -> list[Mapping[str, Any]]:
    """Every party of the answer, in order (ATIVO, PASSIVO, TERCEIROS), whatever its shape."""
    if payload is None:
        return []
    if isinstance(payload, list):
        rows = payload
    elif isinstance(payload, Mapping):
        unknown = [k for k in payload if k not in _POLOS]
        if unknown and not any(k in payload for k in _POLOS):
            raise RespostaInvalida("partes: objeto sem ATIVO, PASSIVO ou TERCEIROS")
        rows = []
        for polo in _POLOS:
            value = payload.get(polo) or []
            if not isinstance(value, list):
                raise RespostaInvalida(f"partes: {polo} não é uma lista")
            rows.extend(value)
    else:
        raise RespostaInvalida("partes: resposta não é um objeto nem uma lista")
    for row in rows:
        if not isinstance(row, Mapping):
            raise RespostaInvalida("partes: item não é um objeto")
    return rows


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _data(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _nome(value: Any) -> str | None:
    nome: str | None = value.get("descricao") if isinstance(value, Mapping) else value
    return nome


def _telefones(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for tipo in ("Celular", "Residencial", "Comercial"):
        numero = raw.get(f"numero{tipo}")
        if numero:
            out.append({"tipo": tipo.lower(), "ddd": raw.get(f"ddd{tipo}"), "numero": str(numero)})
    return out


def _emails(raw: Mapping[str, Any]) -> list[str]:
    emails = [e for e in (raw.get("emails") or []) if isinstance(e, str) and e.strip()]
    if not emails and isinstance(raw.get("email"), str) and raw["email"].strip():
        emails = [raw["email"]]
    return list(dict.fromkeys(e.strip() for e in emails))


def _endereco(raw: Any) -> EnderecoParte | None:
    if not isinstance(raw, Mapping) or raw.get("id") is None:
        return None
    estado = raw.get("estado") or {}
    pais = raw.get("pais") or {}
    return EnderecoParte(
        id_externo=int(raw["id"]),
        logradouro=raw.get("logradouro"),
        numero=None if raw.get("numero") is None else str(raw.get("numero")),
        complemento=raw.get("complemento"),
        bairro=raw.get("bairro"),
        id_municipio_externo=_int(raw.get("idMunicipio")),
        municipio=raw.get("municipio"),
        municipio_ibge=None if raw.get("municipioIbge") is None else str(raw["municipioIbge"]),
        estado_sigla=estado.get("sigla") if isinstance(estado, Mapping) else None,
        estado_descricao=estado.get("descricao") if isinstance(estado, Mapping) else None,
        pais_codigo=pais.get("codigo") if isinstance(pais, Mapping) else None,
        pais_descricao=pais.get("descricao") if isinstance(pais, Mapping) else None,
        cep=digits(raw.get("nroCep")),
        correspondencia=raw.get("correspondencia"),
        situacao=raw.get("situacao"),
        classificacoes=list(raw.get("classificacoesEndereco") or []),
        alterado_origem_em=raw.get("dtAlteracao") or None,
        dados_origem=reduzir(raw, CAMPOS_ENDERECO),
    )


def _documentos(raw: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
    """(tipo_pessoa F|J, cpf, cnpj) from ``tipoPessoa``, ``tipoDocumento``, ``documento``, ``cpf``."""
    tipo_doc = str(raw.get("tipoDocumento") or "").upper()
    juridica = str(raw.get("tipoPessoa") or "").upper() == "J" or tipo_doc == "CNPJ"
    documento = digits(raw.get("documento"))
    if juridica:
        pj = raw.get("pessoaJuridica")
        if not isinstance(pj, Mapping):
            pj = {}
        return "J", None, documento or digits(pj.get("cnpj"))
    pf = raw.get("pessoaFisica")
    if not isinstance(pf, Mapping):
        pf = {}
    return "F", digits(raw.get("cpf")) or documento or digits(pf.get("login")), None


def _pessoa(raw: Mapping[str, Any]) -> dict[str, Any]:
    tipo_pessoa, cpf, cnpj = _documentos(raw)
    nome = str(raw.get("nome") or "").strip()
    if not nome:
        raise RespostaInvalida("partes: pessoa sem nome")
    dados = reduzir(raw, CAMPOS_PESSOA)  # no personal data in clear beside the typed columns (dados_origem.py)
    return {
        "id_externo": _int(raw.get("id")),
        "id_pessoa_externo": _int(raw.get("idPessoa")),
        "nome": nome,
        "tipo_pessoa": tipo_pessoa,
        "cpf": cpf,
        "cnpj": cnpj,
        "emails": _emails(raw),
        "telefones": _telefones(raw),
        "endereco": _endereco(raw.get("endereco")),
        "dados_origem": dados,
    }


def _oabs(raw: Mapping[str, Any]) -> list[Oab]:
    texto = raw.get("numeroOab")
    if not texto:
        return []
    out = []
    for parte in re.split(r"[,;/]", str(texto)):
        match = _OAB.match(parte)
        if match:
            numero = match.group(2) + match.group(3).upper()
            out.append(Oab(numero=numero, uf=match.group(1).upper(), situacao=raw.get("situacaoOab")))
    return out


def _representante(raw: Mapping[str, Any]) -> RepresentanteParte:
    return RepresentanteParte(**_pessoa(raw), tipo=raw.get("tipo"), oabs=_oabs(raw))


def _fisica_juridica(raw: Mapping[str, Any]) -> dict[str, Any]:
    pf = raw.get("pessoaFisica")
    pj = raw.get("pessoaJuridica")
    out: dict[str, Any] = {"sexo": raw.get("sexo")}
    if isinstance(pf, Mapping):
        out.update(
            sexo=pf.get("sexo") or raw.get("sexo"),
            data_nascimento=_data(pf.get("dataNascimento")),
            nome_genitora=pf.get("nomeGenitora"),
            naturalidade=_nome(pf.get("naturalidade")),
            uf_nascimento=_nome(pf.get("ufNascimento")),
            pais_nascimento=_nome(pf.get("paisNascimento")),
            estado_civil=_nome(pf.get("estadoCivil")),
            escolaridade=_nome(pf.get("escolaridade")),
            situacao_cpf_receita=_nome(pf.get("situacaoCpfReceitaFederal")),
        )
    if isinstance(pj, Mapping):
        out.update(
            nome_fantasia=pj.get("nomeFantasia"),
            cpf_responsavel=digits(pj.get("numeroCpfResponsavel")),
            data_abertura=_data(pj.get("dataAbertura")),
            data_fim_atividade=_data(pj.get("dataFimAtividade")),
            orgao_publico=pj.get("orgaoPublico"),
            tipo_pessoa_juridica=pj.get("dsTipoPessoa") or pj.get("tipoPessoaLabel"),
            situacao_cnpj_receita=_nome(pj.get("situacaoCnpjReceitaFederal")),
            ramo_atividade=pj.get("dsRamoAtividade"),
            porte=pj.get("porteLabel"),
        )
    for key in ("uf_nascimento",):
        if isinstance(out.get(key), str) and len(out[key]) > 2:
            out[key] = None
    return out


def ler_partes(payload: Any, *, cpf_advogado: str | None) -> list[ParteProcesso]:
    """Every party of a ``/partes`` answer (``None`` for the 404), classified relative to ``cpf_advogado``."""
    out = []
    for raw in _lista(payload):
        representantes = [_representante(r) for r in (raw.get("representantes") or []) if isinstance(r, Mapping)]
        tipo = str(raw.get("tipo") or "").strip() or "NÃO INFORMADO"
        polo = str(raw.get("polo") or "").strip().lower() or "outros"
        out.append(
            ParteProcesso(
                **_pessoa(raw),
                **_fisica_juridica(raw),
                polo=polo,
                tipo_parte=tipo,
                id_tipo_parte=_int(raw.get("idTipoParte")),
                principal=raw.get("principal"),
                ordem=_int(raw.get("ordem")),
                classificacao=ClassificacaoParte(classificar(tipo, representantes, cpf_advogado)),
                status=raw.get("status"),
                situacao=raw.get("situacao"),
                representantes=representantes,
            )
        )
    return out
