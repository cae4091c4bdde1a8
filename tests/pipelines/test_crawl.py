"""A real Scrapy crawl (subprocess) yields parsed pages: feed export is faithful, pipelines store and record."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from sinesys_spiders.core.db.models import CapturaLogBruto, Processo
from sinesys_spiders.core.historico import HistoricoService
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore

SPIDER = textwrap.dedent(
    """
    import os

    import scrapy

    from plugins.pje_trt.parsers import ContextoPagina, parse_pagina
    from plugins.pje_trt.requests import acervo_geral_url
    from plugins.pje_trt.sandbox.world import World
    from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal


    class AcervoGeralSpider(scrapy.Spider):
        name = "acervo_geral"

        # The items come from a response's callback, as in a capture, so the crawl ends as soon as their pipelines
        # finish (after items yielded by start() itself the engine idles until its 5-second heartbeat).
        async def start(self):
            yield scrapy.Request("data:,", callback=self.pagina)

        def pagina(self, response):
            world = World.generate(seed=5, scale="small", users=1, tribunais=["TRT3"])
            adv = world.users[0].ids_advogado["TRT3"]
            rows = world.painel("TRT3", "primeiro_grau", adv, 1)
            contexto = ContextoPagina(
                tipo_captura=TipoCaptura.ACERVO_GERAL, tribunal=Tribunal("TRT3"), grau=Grau.PRIMEIRO_GRAU,
                advogado_id=int(os.environ["T_ADVOGADO"]), credencial_id=int(os.environ["T_CREDENCIAL"]),
                captura_id=self.captura_id,
            )
            rows.append(dict(rows[0], id=1, numeroProcesso="quebrado"))
            payload = {"pagina": 1, "tamanhoPagina": 100, "qtdPaginas": 0, "resultado": rows}
            page = parse_pagina(payload, contexto, url=acervo_geral_url("https://x/pje-comum-api/api", adv))
            yield page.bruta
            for item in page.itens:
                yield item
    """
)

PIPELINES = {
    "pipelines.validacao.ValidacaoPipeline": 100,
    "pipelines.rawlog.RawLogPipeline": 200,
    "pipelines.persistencia.PersistenciaPipeline": 300,
}
EXTENSIONS = {"sinesys_spiders.extensions.capturas.CapturaExtension": 10}


def test_crawl_exports_items_and_persists(tmp_path: Path, database_url: str, seeded: dict[str, Any]) -> None:
    """`scrapy runspider -O items.jsonl`: every valid row exported as-is and stored; the bad one explained."""
    (tmp_path / "spider.py").write_text(SPIDER, encoding="utf-8")
    env = {
        **os.environ,
        "SINESYS_DATABASE_URL": database_url,
        "T_ADVOGADO": str(seeded["advogado"]),
        "T_CREDENCIAL": str(seeded["a"]),
    }
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "runspider", "spider.py", "-O", "items.jsonl",
         "-a", f"captura_id={seeded['captura']}", "-s", f"ITEM_PIPELINES={json.dumps(PIPELINES)}",
         "-s", f"EXTENSIONS={json.dumps(EXTENSIONS)}",
         "-s", "LOG_LEVEL=INFO", "-s", "TELNETCONSOLE_ENABLED=False"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    exported = [json.loads(line) for line in (tmp_path / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    factory = seeded["factory"]
    with factory() as session:
        stored = session.scalar(select(func.count()).select_from(Processo))
        raw = session.scalar(select(func.count()).select_from(CapturaLogBruto))
    assert stored == len(exported) > 0
    assert raw == 1
    first = exported[0]
    assert first["tribunal"] == "TRT3"
    assert first["grau"] == "primeiro_grau"
    assert first["origem"] == "acervo_geral"
    assert first["data_autuacao"].endswith("+00:00")
    assert "raw_log_id" not in first  # raw pages go to the raw log, not the feed
    assert all(item["nome_parte_autora"] == item["nome_parte_autora"].strip() for item in exported)
    resumo = HistoricoService(factory).get(seeded["captura"])
    assert resumo.status == "completed"
    [entry] = [e for e in resumo.resultados if e["credencial_id"] == seeded["a"]]
    assert entry["resultado"]["inseridos"] == len(exported)
    assert entry["resultado"]["erros"] == 1
    assert entry["erros_itens"][0]["id_externo"] == 1
    assert "item inválido" in result.stderr
    [pagina] = SqlRawLogStore(factory).list()
    assert pagina.resultado_processado["inseridos"] == len(exported)
    assert pagina.resultado_processado["erros"] == 1
