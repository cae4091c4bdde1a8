"""The plugin contract: hooks declared with defaults, codes and graus declared by plugins, the PJE-TRT rules."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

import sinesys_spiders.plugin as face
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.errors import ConfiguracaoInvalida
from sinesys_spiders.core.items import PaginaBruta
from sinesys_spiders.core.tribunais import Cortesia, PluginRegistry, TribunalEndpoint, TribunalPlugin, get_registry

PJE = get_registry().plugins["pje_trt"]


class Eproc(TribunalPlugin):
    """Another family with its own codes and a grau PJE does not have; only the required members."""

    name = "eproc_teste"
    sistema = "EPROC"
    login_flow = PJE.login_flow

    def endpoints(self) -> list[TribunalEndpoint]:
        return [
            TribunalEndpoint(Tribunal("TRF4"), Grau("unico"), "EPROC", "https://eproc.trf4.jus.br", "/login", "/api"),
            TribunalEndpoint(Tribunal("TRF4"), Grau.SEGUNDO_GRAU, "EPROC", "https://eproc.trf4.jus.br", "/l2", "/api"),
        ]


def _pagina(tribunal: str, grau: Grau, payload: object) -> PaginaBruta:
    return PaginaBruta(
        tipo_captura=TipoCaptura.ACERVO_GERAL, tribunal=Tribunal(tribunal), grau=grau, payload_bruto=payload
    )


def test_a_plugin_inherits_the_documented_defaults_of_every_optional_hook():
    """Subclassing TribunalPlugin gives the defaults: no captures, no own arguments, each grau its own session."""
    plugin = Eproc()
    assert plugin.captura(TipoCaptura.ACERVO_GERAL) is None
    assert plugin.parametros(TipoCaptura.AUDIENCIAS) is None
    assert plugin.cortesia == Cortesia(concurrency=2, delay=0.5, jitter=0.5)
    assert plugin.chave_sessao(Tribunal("TRF4"), Grau("unico")) != plugin.chave_sessao(
        Tribunal("TRF4"), Grau.SEGUNDO_GRAU
    )
    assert plugin.ler_tribunal(" trf4 ") == "TRF4"
    assert plugin.ler_tribunal("TRT3") is None
    assert plugin.plano_combinada(dt.date(2026, 12, 2)) == ()
    assert plugin.linhas(_pagina("TRF4", Grau("unico"), [{"a": 1}, {"a": 2}])) == 2
    assert plugin.linhas(_pagina("TRF4", Grau("unico"), {"resultado": [1, 2, 3]})) == 0
    assert plugin.login_flow.sessao_probe_url(plugin.endpoints()[0]) is not None  # PJE's flow declares one


def test_codes_and_graus_are_what_the_installed_plugins_declare():
    """A second family's tribunal and grau are read, ordered and checked through the registry, not a core enum."""
    registry = PluginRegistry([PJE, Eproc()])
    assert registry.ler_tribunal("trt03") == "TRT3"
    assert registry.ler_tribunal("trf4") == "TRF4"
    assert registry.ler_grau("UNICO") == "unico"
    assert registry.graus("TRF4") == (Grau("unico"), Grau.SEGUNDO_GRAU)
    assert registry.ordem("TRT3") < registry.ordem("TST") < registry.ordem("TRF4")
    assert registry.plugin_for("TRF4", "unico").name == "eproc_teste"
    with pytest.raises(ValueError, match=r"tribunal desconhecido: 'TRF9' \(use TRT1\.\.TST ou TRF4\)"):
        registry.ler_tribunal("TRF9")
    with pytest.raises(ValueError, match=r"grau desconhecido: 'terceiro' .*unico"):
        registry.ler_grau("terceiro")
    assert registry.tipos_captura() == get_registry().tipos_captura()  # the second family captures nothing yet


def test_a_plugin_missing_a_hook_is_refused_naming_it():
    """A plugin object that neither subclasses TribunalPlugin nor defines every hook is refused with their names."""

    class Incompleto:
        name = "incompleto"
        sistema = "X"
        login_flow = PJE.login_flow

        def endpoints(self) -> list[TribunalEndpoint]:
            return []

    with pytest.raises(ConfiguracaoInvalida, match="missing: cortesia, captura, parametros, linhas"):
        PluginRegistry([Incompleto()])


def test_the_pje_trt_rules_live_in_its_plugin():
    """PJE-TRT: 1º and 2º grau share a session, rows are its envelope's resultado, its own filters and plan."""
    trt3 = Tribunal("TRT3")
    assert PJE.chave_sessao(trt3, Grau.PRIMEIRO_GRAU) == PJE.chave_sessao(trt3, Grau.SEGUNDO_GRAU)
    assert PJE.chave_sessao(trt3, Grau.PRIMEIRO_GRAU) != PJE.chave_sessao(Tribunal("TRT5"), Grau.PRIMEIRO_GRAU)
    assert get_registry().linhas(_pagina("TRT3", Grau.PRIMEIRO_GRAU, {"resultado": [{}, {}, {}]})) == 3
    assert get_registry().linhas(_pagina("TRT3", Grau.PRIMEIRO_GRAU, [{"idAgrupamento": 1}])) == 0
    assert set(PJE.parametros(TipoCaptura.AUDIENCIAS).model_fields) >= {"situacao", "data_inicio"}
    assert "filtros_prazo" in PJE.parametros(TipoCaptura.PENDENTES).model_fields
    plano = PJE.plano_combinada(dt.date(2026, 12, 2))
    assert [(p.nome, p.parametros.get("situacao")) for p in plano][:3] == [
        ("audiencias_designadas", "M"),
        ("audiencias_realizadas", "F"),
        ("audiencias_canceladas", "C"),
    ]


def test_the_face_exports_what_it_lists_and_the_pje_plugin_imports_only_the_face():
    """Every name in sinesys_spiders.plugin.__all__ exists, and plugins/pje_trt's plugin modules import the
    framework from that module alone (its demo command and sandbox tooling aside)."""
    assert all(hasattr(face, name) for name in face.__all__)
    pasta = Path(__file__).resolve().parents[2] / "plugins" / "pje_trt"
    fora = []
    for arquivo in sorted(pasta.glob("*.py")):
        if arquivo.name.startswith("demo"):
            continue
        for node in ast.walk(ast.parse(arquivo.read_text(encoding="utf-8"))):
            modulo = node.module if isinstance(node, ast.ImportFrom) else None
            if modulo and modulo.startswith("sinesys_spiders") and modulo != "sinesys_spiders.plugin":
                fora.append(f"{arquivo.name}: {modulo}")
    assert fora == []
