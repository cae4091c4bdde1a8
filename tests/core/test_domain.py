"""Domain enums, the error hierarchy and the plugin registry."""

import pytest

from sinesys_spiders.core import errors
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal, check_tribunal_grau, parse_grau
from sinesys_spiders.core.tribunais import PluginRegistry, TribunalEndpoint, TribunalPlugin, get_registry


def test_tipo_captura_values_are_the_spider_names():
    """Each capture type's value is the name of its spider."""
    assert [t.value for t in TipoCaptura] == [
        "acervo_geral",
        "arquivados",
        "audiencias",
        "pendentes",
        "partes",
        "timeline",
        "combinada",
    ]


@pytest.mark.parametrize(
    ("text", "expected"), [("TRT3", Tribunal("TRT3")), ("trt07", Tribunal("TRT7")), ("tst", Tribunal("TST"))]
)
def test_tribunal_parse_accepts_common_spellings(text, expected):
    """Tribunal codes are read case-insensitively, with zero padding."""
    assert Tribunal.parse(text) == expected


@pytest.mark.parametrize("text", ["TRT0", "TRT25", "STF", ""])
def test_tribunal_parse_rejects_unknown_codes_with_the_accepted_values(text):
    """An unknown tribunal says which values are accepted."""
    with pytest.raises(ValueError, match=r"TRT1\.\.TRT24 ou TST"):
        Tribunal.parse(text)


def test_grau_must_exist_at_the_tribunal():
    """The TST has only tribunal_superior; a TRT has 1º and 2º grau."""
    check_tribunal_grau(Tribunal("TRT3"), Grau.SEGUNDO_GRAU)
    with pytest.raises(ValueError, match="tribunal_superior"):
        check_tribunal_grau(Tribunal("TST"), Grau.PRIMEIRO_GRAU)
    with pytest.raises(ValueError, match="grau desconhecido"):
        parse_grau("terceiro_grau")


def test_errors_carry_stable_codes_and_retry_class():
    """Transient errors are retryable, permanent ones are not, and codes round-trip."""
    assert errors.NetworkError().transient
    assert not errors.SenhaInvalida().transient
    for code in ("SENHA_INVALIDA", "OTP_INVALIDO", "BLOQUEIO_WAF", "TRIBUNAL_EM_MANUTENCAO", "SESSAO_EXPIRADA"):
        assert errors.error_from_code(code).code == code
    assert errors.error_from_code("SENHA_INVALIDA", "x").as_dict() == {"codigo": "SENHA_INVALIDA", "mensagem": "x"}


def test_pje_trt_plugin_registers_through_entry_points_with_every_tribunal():
    """The first-party plugin is found through the sinesys.tribunais entry point and serves 49 endpoints."""
    registry = get_registry()
    assert "pje_trt" in registry.plugins
    endpoints = registry.endpoints()
    assert len(endpoints) == 24 * 2 + 1
    trt3 = registry.endpoint(Tribunal("TRT3"), Grau.SEGUNDO_GRAU)
    assert trt3.login_url == "https://pje.trt3.jus.br/segundograu/login.seam"
    assert trt3.api_url == "https://pje.trt3.jus.br/pje-comum-api/api"
    tst = registry.endpoint(Tribunal("TST"), Grau.TRIBUNAL_SUPERIOR)
    assert tst.login_url == "https://pje.tst.jus.br/tst/login.seam"
    assert endpoints[0].tribunal == Tribunal("TRT1")
    assert endpoints[-1].tribunal == Tribunal("TST")


def test_registry_refuses_two_plugins_for_one_tribunal():
    """Two plugins claiming the same tribunal and grau is a configuration error naming both."""

    class Other(TribunalPlugin):
        name = "other"
        sistema = "PJE"
        login_flow = get_registry().plugins["pje_trt"].login_flow

        def endpoints(self):
            return [TribunalEndpoint(Tribunal("TRT3"), Grau.PRIMEIRO_GRAU, "PJE", "https://x", "/l", "/a")]

    registry = PluginRegistry([get_registry().plugins["pje_trt"]])
    with pytest.raises(errors.ConfiguracaoInvalida, match="both 'pje_trt' and 'other'"):
        registry.register(Other())
