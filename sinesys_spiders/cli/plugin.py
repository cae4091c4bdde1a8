"""``sinesys plugin new NAME``: a working tribunal plugin package from the template shipped with Sinesys Captura.

The package (``sinesys-NAME/``) has everything a plugin needs and works as generated: the ``sinesys.tribunais``
entry point, a tribunal table, a login flow (a CPF + password form, then a second-factor form), the
``acervo_geral`` capture, a small simulator of that system (``sinesys NAME-simulador``) and the contract kit's
tests against it. ``docs/plugins.md`` walks through it.
"""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from sinesys_spiders.cli._common import fail

__all__ = ["command"]

_NOME = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
_TRIBUNAL = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")


def _arquivos(pasta: Traversable, prefixo: str = "") -> list[tuple[str, Traversable]]:
    out: list[tuple[str, Traversable]] = []
    for item in sorted(pasta.iterdir(), key=lambda t: t.name):
        if item.name == "__pycache__":
            continue
        caminho = f"{prefixo}{item.name}"
        if item.is_dir():
            out += _arquivos(item, caminho + "/")
        elif item.name.endswith(".tmpl"):
            out.append((caminho.removesuffix(".tmpl"), item))
    return out


def gerar(nome: str, destino: Path, *, tribunal: str) -> Path:
    """Write the package ``sinesys-<nome>`` under ``destino``; return its folder."""
    pacote = f"sinesys_{nome}"
    valores = {
        "__distribuicao__": f"sinesys-{nome.replace('_', '-')}",
        "__pacote__": pacote,
        "__Classe__": "".join(parte.capitalize() for parte in nome.split("_")),
        "__SISTEMA__": nome.upper(),
        "__TRIBUNAL__": tribunal,
        "__nome__": nome,
    }
    raiz = destino / valores["__distribuicao__"]
    if raiz.exists():
        raise FileExistsError(raiz)
    modelo = resources.files("sinesys_spiders.templates") / "plugin"
    for relativo, origem in _arquivos(modelo):
        texto = origem.read_text(encoding="utf-8")
        for marca, valor in valores.items():
            texto = texto.replace(marca, valor)
        alvo = raiz / relativo.replace("__pacote__", pacote)
        alvo.parent.mkdir(parents=True, exist_ok=True)
        alvo.write_text(texto, encoding="utf-8")
    return raiz


@click.group("plugin")
def command() -> None:
    """Tribunal plugins: create one from the template."""


@command.command("new")
@click.argument("nome")
@click.option(
    "--tribunal",
    default=None,
    help="Code of the plugin's first tribunal (2 to 8 capitals and digits; default: from NAME). Unique across plugins.",
)
@click.option(
    "--destino",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder where the package folder sinesys-NAME is created.",
)
def new(nome: str, tribunal: str | None, destino: Path) -> None:
    """Create sinesys-NAME/: a working plugin package (entry point, login, acervo_geral, simulator, kit tests)."""
    if not _NOME.match(nome):
        fail(f"nome inválido: {nome[:40]!r} (letras minúsculas, dígitos e _, começando por letra, 2 a 30)")
    codigo = tribunal or (re.sub(r"[^A-Z0-9]", "", nome.upper())[:7] + "1")
    if not _TRIBUNAL.match(codigo):
        fail(f"código de tribunal inválido: {codigo[:20]!r} (2 a 8 letras maiúsculas e dígitos, começando por letra)")
    try:
        raiz = gerar(nome, destino, tribunal=codigo)
    except FileExistsError as exc:
        fail(f"{exc.args[0]} já existe; nada foi escrito")
    click.echo(str(raiz))
    click.echo(
        f"plugin {nome} criado (tribunal {codigo}). Próximos passos: pip install -e {raiz} && "
        f"sinesys tribunais list && python -m pytest {raiz}",
        err=True,
    )
