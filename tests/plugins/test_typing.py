"""The plugin face is typed: mypy accepts the PJE-TRT plugin against the protocols of ``sinesys_spiders.plugin``
and rejects a plugin that lacks a hook or implements one with another signature.

One mypy run (``mypy.api``, the project's configuration, an incremental cache of its own) checks three small files
that a plugin author could write; each test reads that run's report for its own file.
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
# Its own incremental cache: the SQLite cache in .mypy_cache is written by the run scripts/test.sh starts beside
# pytest, and two mypy processes writing one cache may wait on each other's lock and fail.
CACHE = ROOT / ".mypy_cache" / "test_typing"

ARQUIVOS = {
    "plugin_pje": """
        from plugins.pje_trt.plugin import PjeTrtPlugin
        from sinesys_spiders.plugin import LoginFlow, TribunalPlugin

        plugin: TribunalPlugin = PjeTrtPlugin()
        fluxo: LoginFlow = PjeTrtPlugin.login_flow
    """,
    "plugin_sem_hook": """
        from plugins.pje_trt.login import PjeTrtLoginFlow
        from sinesys_spiders.plugin import TribunalPlugin


        class SemEndpoints(TribunalPlugin):
            name = "sem_endpoints"
            sistema = "EXEMPLO"
            login_flow = PjeTrtLoginFlow()


        class SoNome:
            name = "so_nome"
            sistema = "EXEMPLO"


        plugin: TribunalPlugin = SemEndpoints()
        outro: TribunalPlugin = SoNome()
    """,
    "plugin_assinatura_errada": """
        from plugins.pje_trt.login import PjeTrtLoginFlow
        from sinesys_spiders.plugin import LoginFlow, TribunalPlugin


        class EndpointsComoTexto(TribunalPlugin):
            name = "texto"
            sistema = "EXEMPLO"
            login_flow = PjeTrtLoginFlow()

            def endpoints(self) -> list[str]:
                return ["TRT1"]


        class ExpiracaoSemCorpo(LoginFlow):
            def sessao_expirada(self, status: int) -> bool:
                return status == 401
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
            ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(CACHE), "--no-error-summary",
             "--show-absolute-path", *(str(pasta / f"{nome}.py") for nome in ARQUIVOS)]
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


def test_pje_plugin_type_checks_against_the_protocols(relatorio: dict[str, list[Mensagem]]) -> None:
    """The first-party plugin and its login flow are a ``TribunalPlugin`` and a ``LoginFlow`` for mypy."""
    assert relatorio["plugin_pje"] == []


def test_plugin_missing_a_hook_fails_type_check(relatorio: dict[str, list[Mensagem]]) -> None:
    """A plugin without ``endpoints`` fails: built on the protocol class, mypy refuses to instantiate it and names
    the missing hook; a class that only looks like a plugin is refused where it is used as one."""
    mensagens = relatorio["plugin_sem_hook"]
    erros = [m.texto for m in mensagens if m.tipo == "error"]
    assert len(erros) == 2, mensagens
    assert re.match(r'Cannot instantiate abstract class "SemEndpoints" with abstract attributes? "endpoints"', erros[0])
    assert erros[0].endswith("[abstract]"), erros
    assert re.match(r'Incompatible types in assignment \(expression has type "SoNome", variable has type '
                    r'"TribunalPlugin"\)', erros[1]), erros  # fmt: skip


def test_hook_with_a_wrong_signature_fails_type_check(relatorio: dict[str, list[Mensagem]]) -> None:
    """A hook implemented with another signature (a plugin's ``endpoints`` answering strings, a login flow's
    ``sessao_expirada`` without the response's fields) is refused where it is written, against the protocol."""
    mensagens = relatorio["plugin_assinatura_errada"]
    erros = [m.texto for m in mensagens if m.tipo == "error"]
    assert len(erros) == 2, mensagens
    endpoints = (
        r'Return type "list\[str\]" of "endpoints" incompatible with return type "Sequence\[TribunalEndpoint\]" '
        r'in supertype "([\w.]+\.)?TribunalPlugin"'
    )
    assert re.match(endpoints, erros[0]), erros
    assert re.match(r'Signature of "sessao_expirada" incompatible with supertype "([\w.]+\.)?LoginFlow"', erros[1])
    assert all(erro.endswith("[override]") for erro in erros), erros
    notas = [m.texto for m in mensagens if m.tipo == "note"]
    assert any(n.startswith("def sessao_expirada(self, *, status: int, url: str") for n in notas), notas
