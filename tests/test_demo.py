"""The README's main command: ``sinesys demo`` runs the whole capture path on embedded defaults."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.requires_browser, pytest.mark.slow, pytest.mark.e2e]


def test_demo_captures_the_four_list_types_and_summarises_them(tmp_path):
    """The demo starts the sandbox, captures with two credentials, then once over the REST API (service key, POST
    acervo-geral, polled) and once by a schedule the scheduler fires; it prints deadlines, hearings and both."""
    var_dir = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
    proc = subprocess.run(
        [sys.executable, "-m", "sinesys_spiders.cli", "demo", "--scale", "tiny", "--var-dir", str(var_dir)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    for spider in ("acervo_geral", "arquivados", "pendentes", "audiencias"):
        assert f"scrapy crawl {spider} -a credenciais=1,2" in out
        assert f"{spider}: exit 0" in out
    prazos = out.split("Próximos prazos", 1)[1].split("Próximas audiências", 1)[0]
    audiencias = out.split("Próximas audiências", 1)[1]
    assert "TRT3" in prazos or "TRT5" in prazos, "no deadline listed"
    assert "TRT3" in audiencias or "TRT5" in audiencias, "no hearing listed"
    assert "falhou" not in out
    db = sqlite3.connect(var_dir / "sinesys.db")
    rows = db.execute(
        "select id, tipo_captura, status, origem, solicitante, agendamento_id from capturas_log"
    ).fetchall()
    status = {(tipo, origem): st for _, tipo, st, origem, _, _ in rows}
    assert status == {
        **{(t, "cli"): "completed" for t in ("acervo_geral", "arquivados", "pendentes", "audiencias")},
        ("acervo_geral", "api"): "completed",
        ("pendentes", "agendamento"): "completed",
    }
    [api] = [r for r in rows if r[3] == "api"]
    assert api[4] == "chave:demo"
    [agendada] = [r for r in rows if r[3] == "agendamento"]
    [(agendamento_id, manual, captura_id)] = db.execute(
        "select agendamento_id, manual, captura_id from agendamento_execucoes"
    ).fetchall()
    assert (agendada[5], manual, captura_id) == (agendamento_id, 0, agendada[0])
    servicos = out.split("API e agendador", 1)[1]
    assert f"POST /api/captura/trt/acervo-geral -> captura {api[0]}, completed" in servicos
    assert f"agendamento {agendamento_id} (pendentes" in servicos
    assert f"captura {agendada[0]}, completed" in servicos
    for table in ("acervo", "expedientes", "audiencias"):
        assert db.execute(f"select count(*) from {table}").fetchone()[0] > 0  # noqa: S608
    assert {row[0] for row in db.execute("select distinct tribunal from acervo")} == {"TRT3", "TRT5"}
    senha = json.loads((var_dir / "sandbox-users.json").read_text())["users"][0]["senha"]
    assert {"api.log", "scheduler.log"} <= {p.name for p in var_dir.glob("*.log")}
    for log in var_dir.glob("*.log"):
        assert senha not in log.read_text(errors="replace"), f"password leaked into {log.name}"
    assert senha not in out + proc.stderr
