"""Items carried as one ``Lote`` per answer reach feeds, pipelines, stats and the history as if yielded one by one."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from sinesys_spiders.core.crypto import generate_key
from sinesys_spiders.core.db.models import Processo
from sinesys_spiders.core.historico import HistoricoService

SPIDER = textwrap.dedent(
    """
    import os

    import scrapy
    from scrapy.exceptions import DropItem

    from plugins.pje_trt.parsers import ContextoPagina, parse_pagina
    from plugins.pje_trt.requests import acervo_geral_url
    from plugins.pje_trt.sandbox.world import World
    from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
    from sinesys_spiders.core.items import ItemCaptura, Lote

    BROKEN = 1  # the id_externo of a row that does not validate


    class Trouble:
        "A third-party pipeline: drops one item and fails on another (ids given in the environment)."

        def process_item(self, item):
            if isinstance(item, ItemCaptura):
                if item.id_externo == int(os.environ.get("T_DROP", 0)):
                    raise DropItem("not wanted")
                if item.id_externo == int(os.environ.get("T_FAIL", 0)):
                    raise ValueError("pipeline bug")
            return item


    class AcervoGeralSpider(scrapy.Spider):
        name = "acervo_geral"

        # The lotes come from a response's callback, as in a capture, so the crawl ends as soon as their pipelines
        # finish (after items yielded by start() itself the engine idles until its 5-second heartbeat).
        custom_settings = {
            "DOWNLOAD_HANDLERS": {"data": "scrapy.core.downloader.handlers.datauri.DataURIDownloadHandler"}
        }

        async def start(self):
            yield scrapy.Request("data:,", callback=self.lotes)

        def lotes(self, response):
            world = World.generate(seed=5, scale="small", users=1, tribunais=["TRT3"])
            adv = world.users[0].ids_advogado["TRT3"]
            contexto = ContextoPagina(
                tipo_captura=TipoCaptura.ACERVO_GERAL, tribunal=Tribunal("TRT3"), grau=Grau.PRIMEIRO_GRAU,
                advogado_id=int(os.environ["T_ADVOGADO"]), credencial_id=int(os.environ["T_CREDENCIAL"]),
                captura_id=self.captura_id,
            )
            acervo = world.painel("TRT3", "primeiro_grau", adv, 1)
            half = len(acervo) // 2
            for numero, rows in ((1, acervo[:half]), (2, acervo[half:])):  # two pages, two lotes
                if numero == 1:
                    rows.append(dict(rows[0], id=BROKEN, numeroProcesso="quebrado"))
                payload = {"pagina": numero, "tamanhoPagina": 100, "qtdPaginas": 2, "resultado": rows}
                url = acervo_geral_url("https://x/pje-comum-api/api", adv, numero)
                page = parse_pagina(payload, contexto, url=url)
                yield Lote([page.bruta, *page.itens])
    """
)

PIPELINES = {
    "pipelines.validacao.ValidacaoPipeline": 100,
    "pipelines.rawlog.RawLogPipeline": 200,
    "spider.Trouble": 250,
    "pipelines.persistencia.PersistenciaPipeline": 300,
}

# One key for every crawl of the module, as a deployment has: raw pages are sealed under it, and a second crawl
# run from another folder must not generate a key of its own (the store refuses one that cannot read the database).
_SECRET_KEY = generate_key()
_STAT = re.compile(r"'(item_scraped_count|item_dropped_count)': (\d+)")


def _crawl(
    tmp_path: Path, database_url: str, seeded: dict[str, Any], output: str, log_level: str = "INFO", **env: str
) -> tuple[str, dict]:
    (tmp_path / "spider.py").write_text(SPIDER, encoding="utf-8")
    environ = {
        **os.environ,
        **env,
        "SINESYS_DATABASE_URL": database_url,
        "SINESYS_SECRET_KEY": _SECRET_KEY,
        "T_ADVOGADO": str(seeded["advogado"]),
        "T_CREDENCIAL": str(seeded["a"]),
        "PYTHONPATH": str(tmp_path),
        # The project's item processor, its lote-aware feed exporter and the capture extension (the history's
        # writer) all come from here: overriding EXTENSIONS on the command line would drop the feed exporter.
        "SCRAPY_SETTINGS_MODULE": "sinesys_spiders.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "runspider", "spider.py", "-O", output,
         "-a", f"captura_id={seeded['captura']}", "-s", f"ITEM_PIPELINES={json.dumps(PIPELINES)}",
         "-s", f"LOG_LEVEL={log_level}"],
        cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr, {k: int(v) for k, v in _STAT.findall(result.stderr)}


def _stored(seeded: dict[str, Any]) -> int:
    with seeded["factory"]() as session:
        return session.scalar(select(func.count()).select_from(Processo)) or 0


#: Every feed format once, on PostgreSQL; JSON lines on SQLite too (the stored rows and the history per back end).
FORMATOS = [("sqlite", "items.jsonl"), ("postgresql", "items.jsonl"), ("postgresql", "items.csv"),
            ("postgresql", "items.json")]  # fmt: skip


@pytest.mark.parametrize(("db_backend", "output"), FORMATOS, indirect=["db_backend"])
def test_a_lote_is_exported_one_record_per_item_and_counted_per_item(
    tmp_path: Path, database_url: str, seeded: dict[str, Any], output: str
) -> None:
    """A feed (JSON lines, CSV, JSON) has one record per item of a lote, as many as were stored, never the invalid
    row; the crawl's and the feed's counts and the history count items, not lotes."""
    log, stats = _crawl(tmp_path, database_url, seeded, output)
    text = (tmp_path / output).read_text(encoding="utf-8")
    if output.endswith(".jsonl"):
        exported = [json.loads(line) for line in text.splitlines()]
    elif output.endswith(".csv"):
        exported = list(csv.DictReader(io.StringIO(text)))
    else:
        exported = json.loads(text)
    stored = _stored(seeded)
    assert stored == len(exported) > 10, log[-3000:]  # two pages of cases, each case its own record
    assert {str(record["id_externo"]) for record in exported}.isdisjoint({"1"})  # the broken row is not exported
    assert all("itens" not in record and "raw_log_id" not in record for record in exported)
    assert stats["item_scraped_count"] == len(exported)
    assert f"feed ({len(exported)} items)" in log  # the feed's own count is per item too
    resumo = HistoricoService(seeded["factory"]).get(seeded["captura"])
    [entry] = [e for e in resumo.resultados if e["credencial_id"] == seeded["a"]]
    assert entry["resultado"]["inseridos"] == len(exported)
    assert entry["resultado"]["erros"] == 1
    assert "item inválido" in log


def test_an_item_dropped_or_failing_in_a_pipeline_leaves_the_rest_of_its_lote(
    tmp_path: Path, database_url: str, seeded: dict[str, Any]
) -> None:
    """A third-party pipeline that drops one item of a lote and fails on another: the rest of the lote is exported,
    stored and counted (on both back ends: a failed row must not undo its lote's transaction); the drop and the
    error are logged by identity, never with a party's name."""
    clean_dir = tmp_path / "clean"
    clean_dir.mkdir()
    _crawl(clean_dir, database_url, seeded, "items.jsonl")
    everything = [json.loads(line) for line in (clean_dir / "items.jsonl").read_text().splitlines()]
    dropped, failing = everything[3]["id_externo"], everything[-3]["id_externo"]

    with seeded["factory"].begin() as session:  # start again from an empty table
        session.query(Processo).delete()
    seeded["captura"] = HistoricoService(seeded["factory"]).start(
        tipo_captura="acervo_geral", advogado_id=seeded["advogado"], credencial_ids=[seeded["a"]]
    )
    log, stats = _crawl(
        tmp_path, database_url, seeded, "items.jsonl", log_level="DEBUG", T_DROP=str(dropped), T_FAIL=str(failing)
    )
    exported = {record["id_externo"] for record in map(json.loads, (tmp_path / "items.jsonl").read_text().splitlines())}
    assert exported == {record["id_externo"] for record in everything} - {dropped, failing}
    assert _stored(seeded) == len(exported)
    assert stats["item_scraped_count"] == len(exported)
    assert re.search(rf"Error processing Processo\(.*id_externo={failing}\b", log)  # Scrapy's item_error log...
    assert "ValueError: pipeline bug" in log  # ...with the traceback
    assert re.search(rf"Dropped: not wanted\s+Processo\(.*id_externo={dropped}\b", log)
    # Scraped, dropped and failed items, and raw pages, are logged by identity: no party's name, even at DEBUG.
    nomes = {r[k] for r in everything for k in ("nome_parte_autora", "nome_parte_re") if r.get(k)}
    assert len(nomes) > 10
    assert not [nome for nome in nomes if nome in log]
    assert "Scraped from" in log
    assert "Lote(" in log
    # Dropped: the invalid row, the unwanted one, and the two raw pages (sent to the raw log).
    assert stats["item_dropped_count"] == 4
