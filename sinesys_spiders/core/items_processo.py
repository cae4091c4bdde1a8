"""Items of the per-case captures (``partes``, ``timeline``): one case at a time, with its parts inside.

A per-case capture yields, for each case, exactly one terminal item, which the per-case pipeline
(``pipelines/processo.py``) persists and counts for the case's credential:

- :class:`PartesProcesso`: every party of the case, classified (cliente, parte_contraria, terceiro),
  each with its address and its representatives (lawyers, with their OABs and addresses);
- :class:`TimelineProcesso`: the case's whole timeline as the tribunal sent it, with its totals, plus the
  documents it chose to download (:class:`DocumentoBaixado`, yielded separately as each PDF arrives);
- :class:`OcorrenciaProcesso`: a case not captured (``bloqueado`` by another run, or ``erro`` with its
  reason), or a document that failed (``erro`` with ``id_documento``).

Every item carries the case (``processo_id`` = the ``acervo`` row, ``id_processo_externo``,
``numero_processo``), where (``tribunal``, ``grau``) and who (``advogado_id``, ``credencial_id``,
``captura_id``), plus ``credencial_iniciada_em``: when the credential's capture started (the
pipeline reports ``duracao_ms`` from it). Values are normalized like :mod:`sinesys_spiders.core.items`:
strings trimmed, empty strings read as ``None``, PJE's zone-less times read as Brasília and kept
in UTC. No CPF, CNPJ or e-mail is ever part of a ``repr``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sinesys_spiders.core.domain import ClassificacaoParte, Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.items import DataHoraOrigem, OptStr, OptUtcDateTime
from sinesys_spiders.core.timeutil import utcnow

__all__ = [
    "DocumentoBaixado",
    "EnderecoParte",
    "ItemProcesso",
    "ItemTimeline",
    "Oab",
    "OcorrenciaProcesso",
    "ParteProcesso",
    "PartesProcesso",
    "RepresentanteParte",
    "TimelineProcesso",
    "digits",
]


def digits(value: Any) -> str | None:
    """Only the digits of a document number (``529.982.247-25`` -> ``52998224725``); ``None`` if none."""
    if value is None:
        return None
    out = re.sub(r"\D", "", str(value))
    return out or None


class _Model(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", frozen=False, hide_input_in_errors=True)

    def __repr__(self) -> str:  # documents, e-mails and phones stay out of reprs
        return f"<{type(self).__name__}>"

    __str__ = __repr__


class EnderecoParte(_Model):
    """An address as the tribunal gives it (``endereco``), flattened; ``cep`` in digits."""

    id_externo: int
    logradouro: OptStr = None
    numero: OptStr = None
    complemento: OptStr = None
    bairro: OptStr = None
    id_municipio_externo: int | None = None
    municipio: OptStr = None
    municipio_ibge: OptStr = None
    estado_sigla: OptStr = None
    estado_descricao: OptStr = None
    pais_codigo: OptStr = None
    pais_descricao: OptStr = None
    cep: OptStr = None
    correspondencia: bool | None = None
    situacao: OptStr = None
    classificacoes: list[Any] = Field(default_factory=list)
    alterado_origem_em: OptUtcDateTime = None
    dados_origem: dict[str, Any] | None = None


class Oab(_Model):
    """An OAB registration: ``MG123456`` is ``{"uf": "MG", "numero": "123456"}``."""

    numero: str
    uf: str
    situacao: OptStr = None


class _Pessoa(_Model):
    """Fields shared by parties and representatives."""

    id_externo: int | None = None
    id_pessoa_externo: int | None = None
    nome: str
    tipo_pessoa: Literal["F", "J"] = "F"
    cpf: OptStr = None
    cnpj: OptStr = None
    emails: list[str] = Field(default_factory=list)
    telefones: list[dict[str, Any]] = Field(default_factory=list)
    endereco: EnderecoParte | None = None
    dados_origem: dict[str, Any] | None = None


class RepresentanteParte(_Pessoa):
    """A lawyer (``tipo`` ADVOGADO) acting for a party, with the OABs read from ``numeroOab``."""

    tipo: OptStr = None
    oabs: list[Oab] = Field(default_factory=list)


class ParteProcesso(_Pessoa):
    """A party of one case: where it stands (polo, tipo) and what it is to the firm (classificacao)."""

    polo: str
    tipo_parte: str
    id_tipo_parte: int | None = None
    principal: bool | None = None
    ordem: int | None = None
    classificacao: ClassificacaoParte
    status: OptStr = None
    situacao: OptStr = None
    # pessoa física
    sexo: OptStr = None
    data_nascimento: dt.date | None = None
    nome_genitora: OptStr = None
    naturalidade: OptStr = None
    uf_nascimento: OptStr = None
    pais_nascimento: OptStr = None
    estado_civil: OptStr = None
    escolaridade: OptStr = None
    situacao_cpf_receita: OptStr = None
    # pessoa jurídica
    nome_fantasia: OptStr = None
    cpf_responsavel: OptStr = None
    data_abertura: dt.date | None = None
    data_fim_atividade: dt.date | None = None
    orgao_publico: bool | None = None
    tipo_pessoa_juridica: OptStr = None
    situacao_cnpj_receita: OptStr = None
    ramo_atividade: OptStr = None
    porte: OptStr = None
    representantes: list[RepresentanteParte] = Field(default_factory=list)


class ItemProcesso(_Model):
    """What every per-case item carries: the case, where, who, and when its credential started."""

    tipo_captura: TipoCaptura
    processo_id: int = Field(gt=0)
    id_processo_externo: int = Field(gt=0)
    numero_processo: str
    tribunal: Tribunal
    grau: Grau
    advogado_id: int | None = None
    credencial_id: int = Field(gt=0)
    captura_id: int | None = None
    credencial_iniciada_em: DataHoraOrigem = Field(default_factory=utcnow)


class PartesProcesso(ItemProcesso):
    """Every party of one case; ``sem_partes`` when the tribunal has none (its 404)."""

    sem_partes: bool = False
    partes: list[ParteProcesso] = Field(default_factory=list)
    raw_ref: str | None = None


class ItemTimeline(_Model):
    """One movement or document of a case's timeline, as the plugin read it: neutral fields plus the record as sent.

    ``id_externo`` and ``tipo`` key the ``timeline_itens`` row; ``data`` is read like every tribunal time (zone-less
    = Brasília, kept in UTC); ``dados_origem`` is what the row keeps of the tribunal's record (the plugin's
    allowlist; the whole record is in :attr:`TimelineProcesso.bruta`).
    """

    id_externo: int
    tipo: Literal["documento", "movimento"]
    titulo: OptStr = None
    data: OptUtcDateTime = None
    documento_sigiloso: bool | None = None
    id_signatario: int | None = None
    codigo_movimento_cnj: str | None = Field(default=None, max_length=20)
    dados_origem: dict[str, Any] = Field(default_factory=dict)


class TimelineProcesso(ItemProcesso):
    """The whole timeline of one case (newest first), its items already read by the plugin, with its totals."""

    itens: list[ItemTimeline] = Field(default_factory=list)
    #: The whole timeline exactly as the tribunal sent it (the timeline store keeps it).
    bruta: list[dict[str, Any]] = Field(default_factory=list)
    total_documentos: int = 0
    total_movimentos: int = 0
    #: Documents of this timeline that will be downloaded now (signed, not secret, not stored yet).
    documentos_a_baixar: list[int] = Field(default_factory=list)
    #: Downloadable documents already stored by an earlier run (not downloaded again).
    documentos_ja_baixados: list[int] = Field(default_factory=list)
    capturado_em: DataHoraOrigem = Field(default_factory=utcnow)
    #: The raw-log entry of the timeline's answer (concluded once the timeline is stored).
    raw_ref: str | None = None


class DocumentoBaixado(ItemProcesso):
    """A PDF of the case, checked (``%PDF``), with its provenance; the pipeline stores it."""

    id_documento_externo: int = Field(gt=0)
    url: str
    conteudo: bytes = Field(repr=False, exclude=True)  # in the document store; not part of feeds
    content_type: OptStr = None
    md5_externo: OptStr = None
    baixado_em: DataHoraOrigem = Field(default_factory=utcnow)


class OcorrenciaProcesso(ItemProcesso):
    """A case not captured (``bloqueado``: held by another run; ``erro``) or one document that failed."""

    tipo: Literal["bloqueado", "erro"]
    codigo: str = "ERRO_INTERNO"
    mensagem: str = ""
    id_documento_externo: int | None = None
