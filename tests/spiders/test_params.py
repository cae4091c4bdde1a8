"""Typed spider arguments: what an operator types after ``-a`` and what they get back on a mistake."""

import datetime

import pytest
from pydantic import ValidationError

from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.params import CapturaParams, describe_validation_error, modelo_parametros

#: The installed models: the framework's arguments plus the PJE-TRT plugin's own (situacao, filtros_prazo).
AudienciasParams = modelo_parametros("audiencias")
PendentesParams = modelo_parametros("pendentes")


def _error(model, **kwargs) -> str:
    with pytest.raises(ValidationError) as info:
        model(**kwargs)
    return describe_validation_error(info.value)


def test_comma_separated_strings_become_typed_lists():
    """credenciais, tribunais and graus accept the comma-separated strings of `scrapy crawl -a`."""
    params = CapturaParams(credenciais="1, 2", tribunais="trt3,TST", graus="primeiro_grau")
    assert params.credenciais == [1, 2]
    assert params.tribunais == [Tribunal("TRT3"), Tribunal("TST")]
    assert params.graus == [Grau.PRIMEIRO_GRAU]


def test_exactly_one_of_credenciais_or_advogado():
    """Either credenciais or advogado must be given, not both and not neither."""
    assert "credenciais=ID,ID ou advogado=ID" in _error(CapturaParams)
    assert "um dos dois" in _error(CapturaParams, credenciais="1", advogado="2")
    assert CapturaParams(advogado="7").advogado == 7


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"credenciais": "1,x"}, "credenciais"),
        ({"credenciais": "0"}, "credenciais"),
        ({"credenciais": "1", "tribunais": "TRT99"}, "tribunal desconhecido"),
        ({"credenciais": "1", "graus": "terceiro"}, "grau desconhecido"),
        ({"credenciais": "1", "capture": "3"}, "capture: argumento desconhecido"),
    ],
)
def test_bad_arguments_are_named_in_one_line(kwargs, needle):
    """Each bad argument is named in a single line saying what is expected."""
    message = _error(CapturaParams, **kwargs)
    assert needle in message
    assert "\n" not in message


def test_pendentes_filters_default_to_both_and_are_validated():
    """pendentes captures both deadline filters by default and rejects unknown ones."""
    assert PendentesParams(credenciais="1").filtros_prazo == ["no_prazo", "sem_prazo"]
    assert PendentesParams(credenciais="1", filtros_prazo="sem_prazo").filtros_prazo == ["sem_prazo"]
    assert "filtros_prazo" in _error(PendentesParams, credenciais="1", filtros_prazo="vencidos")


def test_audiencias_range_defaults_to_a_year_and_must_be_ordered():
    """audiencias defaults to today..today+365 and refuses an end before the start."""
    params = AudienciasParams(credenciais="1", data_inicio="2026-01-10")
    assert params.data_fim == datetime.date(2027, 1, 10)
    assert params.situacao == "M"
    assert "anterior a data_inicio" in _error(
        AudienciasParams, credenciais="1", data_inicio="2026-02-01", data_fim="2026-01-01"
    )
    assert "situacao" in _error(AudienciasParams, credenciais="1", situacao="R")


def test_plugin_filters_are_the_plugins_not_the_frameworks():
    """situacao and filtros_prazo come from the PJE-TRT plugin's models: the framework's own models refuse them."""
    from sinesys_spiders.params import PARAMS_POR_TIPO

    assert "situacao: argumento desconhecido" in _error(PARAMS_POR_TIPO["audiencias"], credenciais="1", situacao="M")
    assert "filtros_prazo: argumento desconhecido" in _error(
        PARAMS_POR_TIPO["pendentes"], credenciais="1", filtros_prazo="no_prazo"
    )
    assert issubclass(AudienciasParams, PARAMS_POR_TIPO["audiencias"])
    assert AudienciasParams.__module__.startswith("plugins.pje_trt")
