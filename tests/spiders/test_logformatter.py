"""Items in log lines by identity only: no party's name or CPF in what Scrapy logs about an item."""

from __future__ import annotations

import dataclasses

import pytest
import scrapy
from pydantic import ValidationError
from scrapy.exceptions import DropItem
from scrapy.utils.log import logformatter_adapter
from scrapy.utils.test import get_crawler

from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.items import Lote, Processo
from sinesys_spiders.core.items_processo import ParteProcesso, PartesProcesso
from sinesys_spiders.logformatter import LogFormatter, descrever_item
from sinesys_spiders.settings import LOG_FORMATTER
from sinesys_spiders.testing.canary import CANARY_CPF, find_canaries
from sinesys_spiders.testing.rawlog_contract import make_entry, partes_payload

NOME = "JOSEFA CANARIO DE TAL"
CASO = {
    "id_externo": 2_345_678,
    "tribunal": "TRT3",
    "grau": "primeiro_grau",
    "advogado_id": 7,
    "credencial_id": 11,
    "numero_processo": "0010702-80.2025.5.03.0111",
    "numero": 10702,
    "origem": "acervo_geral",
    "nome_parte_autora": NOME,
    "nome_parte_re": f"EMPRESA {CANARY_CPF} LTDA",
}


def _itens() -> list[object]:
    bruta = make_entry(tipo_captura=TipoCaptura.PARTES, payload_bruto=partes_payload())
    partes = PartesProcesso(
        tipo_captura=TipoCaptura.PARTES,
        processo_id=1,
        id_processo_externo=2_345_678,
        numero_processo=CASO["numero_processo"],
        tribunal=Tribunal("TRT3"),
        grau=Grau.PRIMEIRO_GRAU,
        credencial_id=11,
        partes=[
            ParteProcesso(
                id_externo=9, nome=NOME, cpf=CANARY_CPF, polo="ATIVO", tipo_parte="RECLAMANTE", classificacao="cliente"
            )
        ],
    )
    return [Processo(**CASO), bruta, partes, Lote([bruta, Processo(**CASO)])]


def _formatted(result: dict) -> str:
    _level, msg, args = logformatter_adapter(result)
    return msg % args


@pytest.mark.parametrize("item", _itens(), ids=lambda item: type(item).__name__)
def test_scraped_dropped_and_failed_items_are_logged_without_personal_data(item: object) -> None:
    """Scrapy's three item lines keep their message and level, and name the item by type and identity only."""
    spider = scrapy.Spider("acervo_geral")
    spider.crawler = get_crawler(settings_dict={"LOG_FORMATTER": LOG_FORMATTER})
    formatter = LogFormatter()
    lines = [
        _formatted(formatter.scraped(item, None, spider)),
        _formatted(formatter.dropped(item, DropItem("fora"), None, spider)),
        _formatted(formatter.item_error(item, ValueError("bug"), None, spider)),
    ]
    for line in lines:
        assert NOME not in line
        assert find_canaries(line) == []
        assert type(item).__name__ in line
    assert lines[1].startswith("Dropped: fora")
    assert lines[2].startswith("Error processing")
    if isinstance(item, Processo):
        assert "id_externo=2345678" in lines[0]
        assert "TRT3" in lines[0]


def test_a_lote_is_described_by_its_counts() -> None:
    assert repr(Lote([make_entry(), Processo(**CASO), Processo(**CASO)])) == "Lote(1 PaginaBruta, 2 Processo)"
    assert repr(Lote()) == "Lote(vazio)"


def test_other_items_are_described_by_type_and_identity_fields() -> None:
    """A third-party plugin's dict or dataclass item: its identity fields, none of the others."""

    @dataclasses.dataclass
    class Outro:
        id_externo: int
        cpf: str

    assert (
        descrever_item({"id_externo": 5, "tribunal": "TRT2", "cpf": CANARY_CPF})
        == "dict(tribunal='TRT2', id_externo=5)"
    )
    assert descrever_item(Outro(5, CANARY_CPF)) == "Outro(id_externo=5)"
    assert descrever_item(object()) == "<object>"


def test_item_reprs_and_validation_errors_hold_no_personal_data() -> None:
    """``repr``/``str`` of items and the text of a refused value never quote a name or a CPF."""
    for item in _itens():
        assert NOME not in repr(item)
        assert NOME not in str(item)
        assert find_canaries(repr(item)) == []
        assert find_canaries(str(item)) == []
    with pytest.raises(ValidationError) as refused:
        Processo(**{**CASO, "numero_processo": f"{CANARY_CPF} {NOME}"})
    assert NOME not in str(refused.value)
    assert find_canaries(str(refused.value)) == []
    with pytest.raises(ValidationError) as refused:
        Processo(**CASO).numero_processo = f"{CANARY_CPF}"
    assert find_canaries(str(refused.value)) == []
