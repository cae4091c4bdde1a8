"""The plugin face is typed: mypy accepts the PJE-TRT plugin against the protocols of ``sinesys_spiders.plugin``
and rejects a plugin that lacks a hook or implements one with another signature.

One mypy run (``mypy.api``, the project's configuration and its ``.mypy_cache``) checks three small files that a
plugin author could write; each test reads that run's report for its own file.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import NamedTuple

import pytest
from mypy import api


class Mensagem(NamedTuple):
    linha: int
    tipo: str
    texto: str


ROOT = Path(__file__).resolve().parents[2]

ARQUIVOS = {
    "plugin_pje": """
        from plugins.pje_trt.plugin import PjeTrtPlugin
        from sinesys_spiders.plugin import LoginFlow, TribunalPlugin

        plugin: TribunalPlugin = PjeTrtPlugin()
        fluxo: LoginFlow = PjeTrtPlugin.login_flow
    """,
    "plugin_sem_hook": """
        from sinesys_spiders.plugin import TribunalPlugin


        class SemEndpoints:
            name = "sem_endpoints"
            sistema = "EXEMPLO"


        plugin: TribunalPlugin = SemEndpoints()
    """,
    "plugin_assinatura_errada": """
        from plugins.pje_trt.login import PjeTrtLoginFlow
        from plugins.pje_trt.plugin import PjeTrtPlugin
        from sinesys_spiders.plugin import LoginFlow, TribunalPlugin


        class EndpointsComoTexto(PjeTrtPlugin):
            def endpoints(self) -> list[str]:  # type: ignore[override]
                return ["TRT1"]


        class ExpiracaoSemCorpo(PjeTrtLoginFlow):
            def sessao_expirada(self, status: int) -> bool:  # type: ignore[override]
                return status == 401


        plugin: TribunalPlugin = EndpointsComoTexto()
        fluxo: LoginFlow = ExpiracaoSemCorpo()
    """,
}


@pytest.fixture(scope="module")
def relatorio(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Mensagem]]:
    """mypy's messages (errors and notes) about each file, by file name, in order."""
    pasta = tmp_path_factory.mktemp("typing")
    for nome, fonte in ARQUIVOS.items():
        (pasta / f"{nome}.py").write_text(textwrap.dedent(fonte).lstrip(), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)  # the tree's packages and its cache (mypy puts the working directory on its path)
        stdout, stderr, _status = api.run(
            ["--config-file", str(ROOT / "pyproject.toml"), "--no-error-summary", "--show-absolute-path",
             *(str(pasta / f"{nome}.py") for nome in ARQUIVOS)]
        )  # fmt: skip
    assert not stderr, stderr
    mensagens: dict[str, list[Mensagem]] = {nome: [] for nome in ARQUIVOS}
    for linha in stdout.splitlines():
        achado = re.fullmatch(r"(.+?):(\d+): (error|note): (.*)", linha)
        assert achado, f"unexpected mypy output: {linha}"
        # by module name: an unchanged file is answered from the cache, under the path it was first checked at
        caminho = Path(achado[1])
        assert caminho.stem in mensagens, f"mypy reported outside the checked files: {linha}"
        mensagens[caminho.stem].append(Mensagem(int(achado[2]), achado[3], achado[4].strip()))
    return mensagens


def _na_linha_de(mensagens: list[Mensagem], erro: str) -> list[str]:
    """The texts of the error matching ``erro`` and of the notes on its line (what mypy says about it)."""
    linhas = [m.linha for m in mensagens if m.tipo == "error" and re.search(erro, m.texto)]
    assert len(linhas) == 1, (erro, mensagens)
    return [m.texto for m in mensagens if m.linha == linhas[0]]


def test_pje_plugin_type_checks_against_the_protocols(relatorio: dict[str, list[Mensagem]]) -> None:
    """The first-party plugin and its login flow are a ``TribunalPlugin`` and a ``LoginFlow`` for mypy."""
    assert relatorio["plugin_pje"] == []


def test_plugin_missing_a_hook_fails_type_check(relatorio: dict[str, list[Mensagem]]) -> None:
    """A plugin class without ``endpoints`` cannot be used as a ``TribunalPlugin``: mypy names the missing hook."""
    mensagens = relatorio["plugin_sem_hook"]
    textos = _na_linha_de(mensagens, r'^Incompatible types in assignment \(expression has type "SemEndpoints", '
                                     r'variable has type "TribunalPlugin"\)')  # fmt: skip
    assert any(re.match(r'"SemEndpoints" is missing following "TribunalPlugin" protocol members?:', t) for t in textos)
    assert any("endpoints" in re.split(r",\s*", t) for t in textos), textos
    assert [m.tipo for m in mensagens].count("error") == 1, mensagens


@pytest.mark.parametrize(
    ("classe", "protocolo", "membro"),
    [("EndpointsComoTexto", "TribunalPlugin", "endpoints"), ("ExpiracaoSemCorpo", "LoginFlow", "sessao_expirada")],
)
def test_hook_with_a_wrong_signature_fails_type_check(
    relatorio: dict[str, list[Mensagem]], classe: str, protocolo: str, membro: str
) -> None:
    """A hook implemented with another signature (a plugin's ``endpoints`` answering strings, a login flow's
    ``sessao_expirada`` without the response's fields) is refused, and mypy shows the expected signature."""
    mensagens = relatorio["plugin_assinatura_errada"]
    textos = _na_linha_de(mensagens, rf'^Incompatible types in assignment \(expression has type "{classe}", '
                                     rf'variable has type "{protocolo}"\)')  # fmt: skip
    assert f'Following member(s) of "{classe}" have conflicts:' in textos, textos
    esperado, obtido = textos.index("Expected:"), textos.index("Got:")
    assert textos[esperado + 1].startswith(f"def {membro}("), textos
    assert textos[obtido + 1].startswith(f"def {membro}("), textos
    assert textos[esperado + 1] != textos[obtido + 1]
    assert [m.tipo for m in mensagens].count("error") == 2, mensagens
