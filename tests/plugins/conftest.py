"""A fresh virtual environment with Sinesys Captura and the example plugins installed by pip, once per session.

The environment is new (``python -m venv``, no system site-packages, no ``.pth`` back to this tree): Sinesys
Captura and every package under ``examples/`` are built and installed into it by ``pip install --no-deps``, as a
user installs them. The tests know an example only by its folder and its ``pyproject.toml`` (no code outside
``examples/`` names one). Only their third-party dependencies are reused, hard-linked from the running environment
(as a wheel cache would give them), so that making it takes seconds instead of a full download.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
#: The example plugin packages: every folder of ``examples/`` with a ``pyproject.toml``.
EXEMPLOS = sorted(p.parent for p in (PROJECT_DIR / "examples").glob("*/pyproject.toml"))

#: What of the running environment is never carried over: this project's own install (editable or not) and any
#: example plugin, which the fresh environment must get from pip.
_PROPRIOS = ("__editable__", "sinesys")
#: The project's top-level packages (setup.py), present in site-packages after a non-editable install.
_PACOTES_DO_PROJETO = ("sinesys_spiders", "pipelines", "plugins", "api", "scheduler")


_IGNORAR = shutil.ignore_patterns(
    ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "var"
)


def _dependencias(site: Path) -> list[Path]:
    out = []
    for entry in sorted(site.iterdir()):
        if entry.name.startswith(_PROPRIOS) or entry.name in _PACOTES_DO_PROJETO:
            continue
        if entry.suffix == ".pth" and str(PROJECT_DIR) in entry.read_text(errors="replace"):
            continue
        out.append(entry)
    return out


def criar_venv(destino: Path, pacotes: Sequence[Path]) -> Path:
    """A new venv at ``destino`` with ``pacotes`` installed by pip (no deps) and the running env's dependencies."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(destino)], check=True)
    python = destino / "bin" / "python"
    alvo = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )  # fmt: skip
    fontes = [str(p) for p in _dependencias(Path(sysconfig.get_paths()["purelib"]))]
    copia = subprocess.run(["cp", "-al", *fontes, str(alvo)], capture_output=True, check=False)
    if copia.returncode != 0:  # another file system: copy instead of linking
        subprocess.run(["cp", "-a", *fontes, str(alvo)], check=True)
    env = _env_limpo(destino)
    # Built from copies: pip builds in the source folder (build/, *.egg-info), which must stay untouched.
    fontes_copiadas = []
    for pacote in pacotes:
        copia_fonte = destino.parent / "fontes" / pacote.name
        shutil.copytree(pacote, copia_fonte, ignore=_IGNORAR)
        fontes_copiadas.append(copia_fonte)
    pacotes = fontes_copiadas
    # Built with the setuptools and wheel carried over (seconds); pip's own isolated build if that fails.
    for isolamento in (["--no-build-isolation"], []):
        instalacao = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--no-deps", *isolamento, *map(str, pacotes)],
            cwd=destino, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if instalacao.returncode == 0:
            break
    assert instalacao.returncode == 0, instalacao.stderr[-3000:]
    return python


def _env_limpo(venv: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SINESYS_", "SCRAPY_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


class VenvFresco:
    """The fresh environment: its interpreter, and commands run in it (never in this tree)."""

    def __init__(self, raiz: Path, python: Path, segundos: float) -> None:
        self.raiz = raiz
        self.python = python
        self.segundos = segundos
        self.trabalho = raiz.parent / "trabalho"
        self.trabalho.mkdir(exist_ok=True)

    @property
    def env(self) -> dict[str, str]:
        return _env_limpo(self.raiz)

    def run(
        self, *argv: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 900
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.python), *argv], cwd=cwd or self.trabalho, env={**self.env, **(env or {})},
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip

    def sinesys(self, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return self.run("-c", "from sinesys_spiders.cli import main; main()", *argv, env=env)


@pytest.fixture(scope="session")
def venv_exemplo(tmp_path_factory: pytest.TempPathFactory) -> VenvFresco:
    """Sinesys Captura and the examples installed by pip into a fresh venv (one per session and worker)."""
    raiz = tmp_path_factory.mktemp("venv-fresco") / "venv"
    inicio = time.monotonic()
    python = criar_venv(raiz, [PROJECT_DIR, *EXEMPLOS])
    return VenvFresco(raiz, python, time.monotonic() - inicio)


def plugins_do_exemplo(exemplo: Path) -> list[str]:
    """The tribunal plugins an example registers (its ``sinesys.tribunais`` entry points)."""
    with (exemplo / "pyproject.toml").open("rb") as fh:
        projeto = tomllib.load(fh)["project"]
    return sorted(projeto.get("entry-points", {}).get("sinesys.tribunais", {}))


def copiar_testes(exemplo: Path, destino: Path) -> Path:
    """An example's tests copied out of the tree: they run against the installed package, not its sources."""
    shutil.copytree(exemplo / "tests", destino / "tests")
    return destino / "tests"
