"""``scrapy crawl partes -O`` and ``scrapy crawl timeline -O``: the feed holds what was stored, one line per case."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from processo_e2e import PROJECT_DIR, ProcessoE2E
from sqlalchemy import select

from sinesys_spiders.core.db.models import Processo, Timeline, TimelineItem
from sinesys_spiders.testing.sandbox_fixtures import SandboxClient

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


@pytest.fixture
def e2e(pje_sandbox: SandboxClient, database_url: str, tmp_path: Path) -> Iterator[ProcessoE2E]:
    """A user with at least three cases at TRT3 1º grau, its acervo stored and a session ready."""
    for _ in range(len(pje_sandbox.users)):
        user = pje_sandbox.take_user()
        truth = pje_sandbox.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf, tipo="partes")
        if len(truth["tribunais"]["TRT3"]["primeiro_grau"][user.cpf]["partes"]) >= 3:
            break
    e2e = ProcessoE2E(sandbox=pje_sandbox, database_url=database_url, workdir=tmp_path, user=user, tribunal="TRT3")
    yield e2e
    e2e.close()


def _crawl_feed(e2e: ProcessoE2E, spider: str) -> list[dict[str, Any]]:
    """``scrapy crawl <spider> -a credenciais=<id> -O <file>.jsonl`` as an operator runs it; the feed's records."""
    destino = e2e.workdir / f"{spider}.jsonl"
    argv = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"credenciais={e2e.credencial_id}",
            "-O", str(destino)]  # fmt: skip
    result = subprocess.run(argv, cwd=PROJECT_DIR, env=e2e.env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-4000:]
    return [json.loads(line) for line in destino.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_partes_feed_equals_what_was_stored(e2e: ProcessoE2E) -> None:
    """Every case once in the feed, with exactly the parties, polos and types stored for it."""
    acervo = e2e.store_acervo()
    registros = _crawl_feed(e2e, "partes")

    armazenadas = e2e.partes_armazenadas()
    assert registros
    assert sorted(r["processo_id"] for r in registros) == sorted(acervo.values())
    for registro in registros:
        no_feed = sorted((p["id_pje"], p["nome"], p["polo"], p["tipo_parte"]) for p in registro["partes"])
        guardado = sorted((p["id_pje"], p["nome"], p["polo"], p["tipo"])
                          for p in armazenadas.get(registro["id_processo_pje"], []))  # fmt: skip
        assert no_feed == guardado
        reps_feed = sorted(r["nome"] for p in registro["partes"] for r in p["representantes"])
        reps_guardados = sorted(r["nome"] for p in armazenadas.get(registro["id_processo_pje"], [])
                                for r in p["representantes"])  # fmt: skip
        assert reps_feed == reps_guardados


def test_the_timeline_feed_equals_what_was_stored(e2e: ProcessoE2E) -> None:
    """Every case once in the feed; its items are the stored timeline and the stored item rows."""
    acervo = e2e.store_acervo()
    registros = _crawl_feed(e2e, "timeline")

    assert sorted(r["processo_id"] for r in registros) == sorted(acervo.values())
    with e2e.factory() as session:
        timelines = {t.id_processo_pje: t.timeline for t in session.scalars(select(Timeline))}
        linhas: dict[int, set[tuple[str, int]]] = {}
        for row in session.scalars(select(TimelineItem)):
            linhas.setdefault(row.id_processo_pje, set()).add((row.tipo, row.id_pje))
        capturados = set(session.scalars(select(Processo.id).where(Processo.timeline_capturada_em.is_not(None))))
    assert capturados == {r["processo_id"] for r in registros}
    for registro in registros:
        assert registro["itens"] == timelines[registro["id_processo_pje"]]
        esperado = {("documento" if i.get("documento") else "movimento", i["id"]) for i in registro["itens"]}
        assert esperado == linhas.get(registro["id_processo_pje"], set())
        assert registro["total_documentos"] + registro["total_movimentos"] == len(registro["itens"])
