"""`scrapy crawl` refuses to start on a database or history row it cannot use, and reports a failed capture."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sinesys_spiders.core.db.migrate import upgrade
from sinesys_spiders.core.historico import HistoricoService

ROOT = Path(__file__).resolve().parents[2]


def _crawl(var_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
    env["SINESYS_VAR_DIR"] = str(var_dir)
    argv = [sys.executable, "-m", "scrapy", "crawl", "acervo_geral", "-s", "LOG_LEVEL=ERROR"]
    for arg in args:
        argv += ["-a", arg]
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("erro:")]


def test_an_unmigrated_database_is_refused_before_crawling(tmp_path):
    """No migrations yet: exit 2 and one line saying to run `sinesys db upgrade`."""
    result = _crawl(tmp_path, "credenciais=1")
    assert result.returncode == 2
    (line,) = _error_lines(result)
    assert "sinesys db upgrade" in line


def test_an_unknown_or_finished_captura_id_is_refused(tmp_path):
    """captura_id must name a history row that is still open."""
    url = f"sqlite:///{tmp_path / 'sinesys.db'}"
    upgrade(url)
    historico = HistoricoService.from_url(url)
    finished = historico.start(tipo_captura="acervo_geral", credencial_ids=[1])
    historico.finish(finished)

    unknown = _crawl(tmp_path, "credenciais=1", "captura_id=999")
    assert unknown.returncode == 2
    assert "captura 999 não existe" in _error_lines(unknown)[0]

    done = _crawl(tmp_path, "credenciais=1", f"captura_id={finished}")
    assert done.returncode == 2
    assert "já terminou" in _error_lines(done)[0]


def test_a_capture_where_every_credential_failed_exits_non_zero(tmp_path):
    """An unknown credential fails the capture: recorded as NAO_ENCONTRADO and exit status 1."""
    url = f"sqlite:///{tmp_path / 'sinesys.db'}"
    upgrade(url)
    result = _crawl(tmp_path, "credenciais=42")
    assert result.returncode == 1, result.stderr[-2000:]
    (resumo,) = HistoricoService.from_url(url).list(limit=1)
    assert resumo.status == "failed"
    assert resumo.resultados[0]["erro"]["codigo"] == "NAO_ENCONTRADO"
