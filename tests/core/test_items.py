"""Typed capture items: normalization, natural keys and export through itemadapter and Scrapy feeds."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from itemadapter import ItemAdapter, is_item
from pydantic import ValidationError
from scrapy.utils.serialize import ScrapyJSONEncoder

from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.items import (
    Audiencia,
    Expediente,
    ItemInvalido,
    PaginaBruta,
    Processo,
    describe_validation_error,
)

UTC = dt.UTC
BASE = {
    "id_externo": 2_345_678,
    "tribunal": "TRT3",
    "grau": "primeiro_grau",
    "advogado_id": 7,
    "credencial_id": 11,
    "captura_id": 5,
    "numero_processo": "0010702-80.2025.5.03.0111",
}


def processo(**extra: object) -> Processo:
    return Processo(**{**BASE, "numero": 10702, "origem": "acervo_geral", **extra})


def test_strings_are_trimmed_and_blank_optionals_become_none() -> None:
    """PJE right-pads names with spaces; the item keeps the name without them, and '' as None."""
    item = processo(nome_parte_autora="MARIA DA SILVA      ", nome_parte_re="   ", classe_judicial=" ATOrd ")
    assert item.nome_parte_autora == "MARIA DA SILVA"
    assert item.nome_parte_re is None
    assert item.classe_judicial == "ATOrd"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-07-11T11:12:15", dt.datetime(2025, 7, 11, 14, 12, 15, tzinfo=UTC)),
        ("2025-07-11T11:12:15.261", dt.datetime(2025, 7, 11, 14, 12, 15, 261000, tzinfo=UTC)),
        ("2025-11-17T23:59:59.999999", dt.datetime(2025, 11, 18, 2, 59, 59, 999999, tzinfo=UTC)),
    ],
)
def test_zoneless_pje_times_are_read_as_brasilia_and_kept_in_utc(text: str, expected: dt.datetime) -> None:
    """A time with 0, 3 or 6 fraction digits and no zone is Brasília time, stored as aware UTC."""
    assert processo(data_autuacao=text).data_autuacao == expected


def test_a_naive_datetime_is_refused() -> None:
    """A naive datetime would be three hours off once stored, so it is rejected."""
    with pytest.raises(ValidationError):
        processo(data_autuacao=dt.datetime(2025, 1, 1, 10, 0))


def test_enums_and_natural_key() -> None:
    """Tribunal and grau are domain enums and the natural key matches the table's unique key."""
    item = processo()
    assert item.tribunal == Tribunal("TRT3")
    assert item.grau == Grau.PRIMEIRO_GRAU
    assert item.natural_key() == (Tribunal("TRT3"), Grau.PRIMEIRO_GRAU, 2_345_678, "0010702-80.2025.5.03.0111")
    expediente = Expediente(
        **BASE, numero=10702, id_documento=198_765_432, agrupador="N", data_criacao_expediente="2025-10-01T08:00:00"
    )
    assert expediente.natural_key()[3:] == (198_765_432, dt.datetime(2025, 10, 1, 11, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("numero_processo", "10702-80.2025.5.03.0111"),
        ("tribunal", "TRT99"),
        ("grau", "terceiro_grau"),
        ("id_externo", 0),
        ("credencial_id", None),
        ("nao_existe", 1),
    ],
)
def test_bad_values_do_not_make_an_item(field: str, value: object) -> None:
    """A malformed CNJ number, unknown tribunal or grau, missing id or unknown field is a validation error."""
    with pytest.raises(ValidationError):
        processo(**{field: value})


def test_assignment_is_validated() -> None:
    """A pipeline changing a field cannot make the item invalid."""
    item = processo()
    with pytest.raises(ValidationError):
        item.origem = "outro"  # type: ignore[assignment]
    ItemAdapter(item)["raw_ref"] = "abc"
    assert item.raw_ref == "abc"


def test_items_are_scrapy_items_and_export_every_field_faithfully() -> None:
    """itemadapter sees every model as an item, and the feed exporters' JSON keeps values and zones."""
    item = processo(data_autuacao="2025-07-11T11:12:15.261", nome_parte_autora="JOAO  ")
    audiencia = Audiencia(**BASE, data_inicio="2026-02-03T09:30:00", hora_inicio="09:30:00", modalidade="virtual")
    for obj in (item, audiencia, PaginaBruta(tipo_captura="acervo_geral", tribunal="TRT3", grau="primeiro_grau")):
        assert is_item(obj)
        assert set(ItemAdapter(obj).asdict()) == set(type(obj).model_fields)
    exported = json.loads(json.dumps(ItemAdapter(item).asdict(), cls=ScrapyJSONEncoder))
    assert exported["tribunal"] == "TRT3"
    assert exported["grau"] == "primeiro_grau"
    assert exported["nome_parte_autora"] == "JOAO"
    assert exported["data_autuacao"] == "2025-07-11T14:12:15.261000+00:00"
    assert Processo.model_validate(exported) == item
    exported_aud = json.loads(json.dumps(ItemAdapter(audiencia).asdict(), cls=ScrapyJSONEncoder))
    assert exported_aud["hora_inicio"] == "09:30:00"
    assert Audiencia.model_validate(exported_aud) == audiencia


def test_dados_excludes_provenance() -> None:
    """The record's own data leaves out who captured it, so two captures of one case compare equal."""
    a = processo(captura_id=1, credencial_id=1, raw_ref="x")
    b = processo(captura_id=2, credencial_id=3, raw_ref="y")
    assert a.dados() == b.dados()
    assert "raw_ref" not in a.dados()


def test_raw_pages_get_distinct_ids_up_front() -> None:
    """Each raw page has its own id before it is stored, so items can point to it at once."""
    first = PaginaBruta(tipo_captura=TipoCaptura.PENDENTES, tribunal="TRT5", grau="segundo_grau")
    second = PaginaBruta(tipo_captura=TipoCaptura.PENDENTES, tribunal="TRT5", grau="segundo_grau")
    assert first.raw_log_id != second.raw_log_id
    assert first.criado_em.tzinfo is not None


def test_validation_reason_names_fields_not_values() -> None:
    """The reason recorded for a bad row names the failing fields without echoing personal data."""
    with pytest.raises(ValidationError) as info:
        Processo(**{**BASE, "numero": "x", "origem": "acervo_geral", "nome_parte_autora": 12})
    reason = describe_validation_error(info.value)
    assert "numero" in reason
    assert "nome_parte_autora" in reason
    invalido = ItemInvalido(tipo_captura="acervo_geral", motivo=reason)
    assert invalido.motivo == reason
