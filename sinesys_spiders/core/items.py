"""Typed capture items: what a capture yields, one pydantic model per record kind.

Every item carries its natural key (``id_externo``, ``tribunal``, ``grau``, plus ``numero_processo`` for
a :class:`Processo` and ``id_documento`` and ``data_criacao_expediente`` for an :class:`Expediente`:
the unique keys of their tables), who captured it (``advogado_id``, ``credencial_id``,
``captura_id``), the PJE fields in snake_case, and ``raw_ref``: the ``raw_log_id`` of the page it
came from in the raw log.

Values are normalized on construction: strings trimmed (PJE right-pads names with spaces), empty
strings read as ``None`` for optional fields, PJE's zone-less timestamps (Brasília, 0 to 6 fraction
digits) read as aware UTC datetimes. Assignments are validated too, so an item changed by a pipeline
stays valid.

The models are plain pydantic, so itemadapter (and with it Scrapy's feed exports,
``-O items.jsonl``) treats them as items: ``ItemAdapter(item).asdict()`` gives every field.

- :class:`Processo`: ``acervo_geral`` and ``arquivados`` rows (``origem`` says which);
- :class:`Expediente`: ``pendentes`` rows (``agrupador`` N no prazo, I sem prazo);
- :class:`Audiencia`: ``audiencias`` rows;
- :class:`PaginaBruta`: one fetched page, the raw log's entry (its ``raw_log_id`` is ``raw_ref``);
- :class:`ItemInvalido`: a row that did not validate, recorded as an error with its reason, never stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, ValidationError

from sinesys_spiders.core.domain import BRASILIA, Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.timeutil import ensure_utc, parse_datetime_origem, utcnow

__all__ = [
    "CAMPOS_IDENTIDADE",
    "CNJ_PATTERN",
    "Audiencia",
    "Expediente",
    "ItemCaptura",
    "ItemInvalido",
    "Lote",
    "PaginaBruta",
    "Processo",
    "ProcessoBase",
    "describe_validation_error",
    "new_raw_log_id",
]

#: A CNJ case number: NNNNNNN-DD.AAAA.J.TR.OOOO.
CNJ_PATTERN = re.compile(r"^\d{7}-\d{2}\.\d{4}\.\d\.\d{2}\.\d{4}$")


def new_raw_log_id() -> str:
    """A fresh raw-log id (a UUID in text form): known before the page is stored."""
    return str(uuid.uuid4())


def _to_datetime(value: Any) -> Any:
    if isinstance(value, str):
        try:  # fast path: PJE's usual ISO text (0 to 7+ fraction digits, zone-less = Brasília)
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:  # blanks, odd forms: the full parser (and its clear message)
            return parse_datetime_origem(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=BRASILIA)
        return parsed.astimezone(dt.UTC)
    return value


def _to_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else ensure_utc(value)


def _empty_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _check_cnj(value: str) -> str:
    if not CNJ_PATTERN.match(value):
        raise ValueError("número de processo fora do padrão CNJ (NNNNNNN-DD.AAAA.J.TR.OOOO)")
    return value


#: An aware UTC datetime; a zone-less PJE text is read as Brasília time.
DataHoraOrigem = Annotated[dt.datetime, BeforeValidator(_to_datetime), AfterValidator(_to_utc)]
OptUtcDateTime = Annotated[dt.datetime | None, BeforeValidator(_to_datetime), AfterValidator(_to_utc)]
OptStr = Annotated[str | None, BeforeValidator(_empty_to_none)]
NumeroCnj = Annotated[str, AfterValidator(_check_cnj)]


#: Fields that say which record an item is and where it came from, never what it says about people: the only
#: ones an item's ``repr`` (and so a log line, a traceback, a debugger) shows.
CAMPOS_IDENTIDADE = (
    "tipo_captura",
    "tribunal",
    "grau",
    "credencial_id",
    "captura_id",
    "id_externo",
    "numero_processo",
    "id_documento",
    "raw_log_id",
    "raw_ref",
    "status",
)


class _Model(BaseModel):
    """Items are validated on construction and on assignment; their ``repr`` and errors never show personal data.

    Parties' names and a raw page's payload (CPFs included) stay out of ``repr``/``str`` (Scrapy logs items that
    way), and a ``ValidationError`` does not quote the value it refused.
    """

    model_config = ConfigDict(
        str_strip_whitespace=True,
        validate_assignment=True,
        extra="forbid",
        use_enum_values=False,
        hide_input_in_errors=True,
    )

    #: Set on an item whose values were not all validated: built by ``model_construct`` or copied by
    #: ``model_copy(update=...)``, pydantic's two ways around validation. Every other item was validated whole
    #: on construction and on each assignment since (``validate_assignment``), so the validation pipeline
    #: checks only the marked ones again.
    _sem_validacao: bool = PrivateAttr(default=False)

    @property
    def validado(self) -> bool:
        """Whether every value of this item went through validation (see ``_sem_validacao``); never for a
        subclass that turned ``validate_assignment`` off."""
        privado = self.__pydantic_private__  # read directly: pydantic's private-attribute lookup is slow
        return not (privado and privado.get("_sem_validacao")) and bool(
            type(self).model_config.get("validate_assignment")
        )

    # The pydantic mypy plugin re-types ``model_construct`` per model from its fields (no ``**values`` when
    # extra fields are forbidden), which mypy then reports against pydantic's own signature.
    @classmethod
    def model_construct(cls, _fields_set: set[str] | None = None, **values: Any) -> Self:  # type: ignore[override]
        item = super().model_construct(_fields_set, **values)
        item._sem_validacao = True
        return item

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        copia = super().model_copy(update=update, deep=deep)
        if update:
            copia._sem_validacao = True
        return copia

    def copy(self, **kwargs: Any) -> Self:  # pydantic v1's copy(update=...), deprecated: also unvalidated
        copia = super().copy(**kwargs)
        copia._sem_validacao = True
        return copia

    def __repr_args__(self) -> Iterator[tuple[str, Any]]:
        fields = type(self).model_fields
        for name in CAMPOS_IDENTIDADE:
            if name in fields:
                yield name, getattr(self, name)


class ItemCaptura(_Model):
    """Fields every captured record carries: natural key, provenance and raw-log reference."""

    #: The table the record is stored in (``acervo``, ``expedientes``, ``audiencias``).
    tabela: ClassVar[str] = ""
    #: Names of the fields that identify the record at its tribunal and grau.
    chave_natural: ClassVar[tuple[str, ...]] = ("tribunal", "grau", "id_externo")
    #: Fields that say who captured the record and from where, not what the record is.
    campos_controle: ClassVar[frozenset[str]] = frozenset({"credencial_id", "captura_id", "raw_ref"})

    id_externo: int = Field(gt=0)
    tribunal: Tribunal
    grau: Grau
    advogado_id: int = Field(gt=0)
    credencial_id: int = Field(gt=0)
    captura_id: int | None = None
    numero_processo: NumeroCnj
    raw_ref: str | None = None

    def natural_key(self) -> tuple[Any, ...]:
        """The values of :attr:`chave_natural`, e.g. ``(Tribunal("TRT3"), Grau.PRIMEIRO_GRAU, 123)``."""
        return tuple(getattr(self, name) for name in self.chave_natural)

    def dados(self) -> dict[str, Any]:
        """The record's own fields (everything but :attr:`campos_controle`), Python values."""
        return self.model_dump(exclude=set(self.campos_controle))


class ProcessoBase(ItemCaptura):
    """The case fields PJE's advocate panel returns (acervo, arquivados and pendentes rows)."""

    numero: int = Field(ge=0)
    descricao_orgao_julgador: OptStr = None
    classe_judicial: OptStr = None
    segredo_de_justica: bool = False
    codigo_status_processo: OptStr = None
    prioridade_processual: int = 0
    nome_parte_autora: OptStr = None
    qtde_parte_autora: int | None = None
    nome_parte_re: OptStr = None
    qtde_parte_re: int | None = None
    data_autuacao: OptUtcDateTime = None
    juizo_digital: bool = False
    data_arquivamento: OptUtcDateTime = None
    data_proxima_audiencia: OptUtcDateTime = None
    tem_associacao: bool = False


class Processo(ProcessoBase):
    """A case of the lawyer's panel: ``origem`` says whether it is active or archived."""

    tabela: ClassVar[str] = "acervo"
    chave_natural: ClassVar[tuple[str, ...]] = ("tribunal", "grau", "id_externo", "numero_processo")

    origem: Literal["acervo_geral", "arquivado"]


class Expediente(ProcessoBase):
    """A pending notice (pendente de manifestação): one per document, several per case.

    ``agrupador`` is the panel filter the row came from: ``N`` no prazo, ``I`` sem prazo.
    """

    tabela: ClassVar[str] = "expedientes"
    chave_natural: ClassVar[tuple[str, ...]] = (
        "tribunal",
        "grau",
        "id_externo",
        "id_documento",
        "data_criacao_expediente",
    )

    id_documento: int = Field(gt=0)
    agrupador: Literal["N", "I"]
    data_ciencia_parte: OptUtcDateTime = None
    data_prazo_legal_parte: OptUtcDateTime = None
    data_criacao_expediente: OptUtcDateTime = None
    prazo_vencido: bool = False
    sigla_orgao_julgador: OptStr = None
    descricao_orgao_julgador_colegiado: OptStr = None
    nome_relator: OptStr = None


class Audiencia(ItemCaptura):
    """A hearing from the pauta, flattened: nested PJE objects become ``<object>_<field>`` fields.

    The tribunal's own ids of the related records end in ``_id_externo`` (the database keeps its own ids apart).
    """

    tabela: ClassVar[str] = "audiencias"

    id_processo_externo: int | None = None
    data_inicio: DataHoraOrigem
    data_fim: OptUtcDateTime = None
    hora_inicio: dt.time | None = None
    hora_fim: dt.time | None = None
    status: OptStr = None
    status_descricao: OptStr = None
    designada: bool = False
    em_andamento: bool = False
    documento_ativo: bool = False
    sala_audiencia_id_externo: int | None = None
    sala_audiencia_nome: OptStr = None
    tipo_audiencia_id_externo: int | None = None
    tipo_codigo: OptStr = None
    tipo_descricao: OptStr = None
    tipo_is_virtual: bool = False
    orgao_julgador_id_externo: int | None = None
    orgao_julgador_descricao: OptStr = None
    classe_judicial_id_externo: int | None = None
    classe_judicial_sigla: OptStr = None
    classe_judicial_descricao: OptStr = None
    segredo_de_justica: bool = False
    juizo_digital: bool = False
    polo_ativo_nome: OptStr = None
    polo_passivo_nome: OptStr = None
    url_audiencia_virtual: OptStr = None
    prioridades: list[Any] | None = None
    modalidade: Literal["virtual", "presencial"] | None = None


class PaginaBruta(_Model):
    """One page fetched from the tribunal, as received: the raw log's entry.

    ``requisicao`` holds the request's path and query parameters, never cookies or tokens.
    """

    raw_log_id: str = Field(default_factory=new_raw_log_id)
    captura_id: int | None = None
    tipo_captura: TipoCaptura
    advogado_id: int | None = None
    credencial_id: int | None = None
    tribunal: Tribunal
    grau: Grau
    status: Literal["success", "error"] = "success"
    requisicao: dict[str, Any] = Field(default_factory=dict)
    payload_bruto: Any = None
    erro: OptStr = None
    criado_em: DataHoraOrigem = Field(default_factory=utcnow)


class ItemInvalido(_Model):
    """A row that could not become an item: recorded as an error with its reason, never stored."""

    tipo_captura: TipoCaptura
    tribunal: Tribunal | None = None
    grau: Grau | None = None
    credencial_id: int | None = None
    captura_id: int | None = None
    id_externo: Any = None
    motivo: str
    raw_ref: str | None = None


@dataclasses.dataclass(slots=True)
class Lote:
    """The items one tribunal answer produced (its raw page, its records, its invalid rows), carried as one.

    Capture spiders yield one lote per answer instead of one item per row; the item processor
    (``pipelines.lotes``) still hands every item to every pipeline on its own, and feed exports write
    one record per item (``sinesys_spiders.feeds``). It saves Scrapy's per-item path for each of
    up to 100 rows a page holds.
    """

    itens: list[Any] = dataclasses.field(default_factory=list)

    def __repr__(self) -> str:  # a count per type: a page's rows would make a 100-record log line
        tipos: dict[str, int] = {}
        for item in self.itens:
            tipos[type(item).__name__] = tipos.get(type(item).__name__, 0) + 1
        return f"Lote({', '.join(f'{n} {nome}' for nome, n in tipos.items()) or 'vazio'})"


def describe_validation_error(error: ValidationError, *, limit: int = 3) -> str:
    """A short Portuguese reason naming the fields that failed (never the values: they may be personal)."""
    parts = []
    for detail in error.errors()[:limit]:
        where = ".".join(str(loc) for loc in detail["loc"]) or "item"
        parts.append(f"{where}: {detail['msg']}")
    extra = len(error.errors()) - limit
    if extra > 0:
        parts.append(f"(+{extra} erro(s))")
    return "; ".join(parts)
