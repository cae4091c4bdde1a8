"""`scrapy crawl` with a bad argument: one clear line on stderr, exit status 2, nothing written anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from sinesys_spiders.core.crypto import generate_key
from sinesys_spiders.core.db.migrate import upgrade
from sinesys_spiders.core.db.models import CapturaLog, CapturaLogBruto

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ambiente(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An operator's environment: a migrated SQLite database, a var folder and a secret key."""
    folder = tmp_path_factory.mktemp("crawl-args")
    url = f"sqlite:///{folder / 'sinesys.db'}"
    upgrade(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
    env.update(SINESYS_DATABASE_URL=url, SINESYS_VAR_DIR=str(folder / "var"), SINESYS_SECRET_KEY=generate_key())
    return env


def _rows(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sum(conn.scalar(select(func.count()).select_from(m)) or 0 for m in (CapturaLog, CapturaLogBruto))
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("spider", "args", "needle"),
    [
        ("acervo_geral", ["credenciais=x"], "credenciais"),
        ("acervo_geral", [], "credenciais=ID,ID ou advogado=ID"),
        ("acervo_geral", ["credenciais=1", "advogado=2"], "um dos dois"),
        ("arquivados", ["credenciais=1", "tribunais=TRT99"], "TRT99"),
        ("arquivados", ["credenciais=1", "capture=3"], "capture: argumento desconhecido"),
        ("audiencias", ["credenciais=1", "data_inicio=2026-05-01", "data_fim=2026-04-01"], "data_fim"),
        ("audiencias", ["credenciais=1", "data_inicio=2026-13-01"], "data_inicio"),
        ("audiencias", ["credenciais=1", "situacao=Z"], "situacao"),
        ("pendentes", ["credenciais=1", "filtros_prazo=foo"], "filtros_prazo"),
    ],
    ids=[
        "credenciais-not-ids",
        "neither-selector",
        "both-selectors",
        "unknown-tribunal",
        "unknown-argument",
        "data_fim-before-data_inicio",
        "bad-date",
        "bad-situacao",
        "bad-filtro",
    ],
)
def test_bad_argument_is_one_line_and_exit_2(
    ambiente: dict[str, str], tmp_path: Path, spider: str, args: list[str], needle: str
) -> None:
    """A mistyped argument is named on one stderr line, exit status 2, no feed file and no history row."""
    argv = [sys.executable, "-m", "scrapy", "crawl", spider, "-O", str(tmp_path / "items.jsonl")]
    for arg in args:
        argv += ["-a", arg]
    result = subprocess.run(argv, cwd=PROJECT_DIR, env=ambiente, capture_output=True, text=True, timeout=300)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("erro: argumento inválido"), lines[0]
    assert needle in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "items.jsonl").exists()
    assert _rows(ambiente["SINESYS_DATABASE_URL"]) == 0
