"""Recovery throughput: gap analysis and re-persisting from the raw log, pages per second, no tribunal.

In process, on a fresh SQLite database (``BENCH_RECOVERY_URL`` for another, e.g. PostgreSQL): the sandbox world's
main lawyer at TRT3 1º grau (``scale=firm``, about 1,150 active cases) gives the raw log of one ``acervo_geral``
capture (100-row pages, parsed as the capture parses them) and of one ``partes`` and one ``timeline`` capture
(without PDFs) of its first ``BENCH_RECOVERY_CASOS`` cases (default 300; one page per case). Nothing is stored but
the raw log, so everything is a gap. Measures, per capture:

- ``analise_tudo_faltando`` / ``analise_nada_faltando``: ``RecoveryService.analisar_captura`` before and after;
- ``reprocesso``: ``reprocessar(captura_log_id=...)``, every element missing (cases, or parties with their
  representatives, addresses and links);
- ``reprocesso_idempotente``: the same again, nothing to write.

Writes ``benchmarks/results/recovery.json``. Run: ``python -m benchmarks recovery``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "recovery.json"
API = "https://pje.trt3.jus.br/pje-comum-api/api"


def _cenario(factory: Any, casos: int) -> tuple[Any, dict[str, int], int]:
    """Lawyer, credential, the world's pages in the raw log; (store, capture ids, partes pages)."""
    from pydantic import SecretStr

    from plugins.pje_trt.parsers import ContextoPagina, parse_pagina
    from plugins.pje_trt.partes import partes_url
    from plugins.pje_trt.requests import acervo_geral_url, describe_request
    from plugins.pje_trt.sandbox.world import World
    from plugins.pje_trt.timeline import timeline_url
    from sinesys_spiders.core.capturas_jobs import ServicoCapturas
    from sinesys_spiders.core.credenciais import CredenciaisService
    from sinesys_spiders.core.credenciais_input import NovaCredencial
    from sinesys_spiders.core.crypto import Cipher, generate_key
    from sinesys_spiders.core.db.engine import session_scope
    from sinesys_spiders.core.db.repositories.advogados import AdvogadosRepository
    from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
    from sinesys_spiders.core.items import PaginaBruta
    from sinesys_spiders.core.rawlog.sql import SqlRawLogStore

    world = World.generate(seed=3, scale="firm", users=1, tribunais=["TRT3"], today=dt.date(2026, 11, 24))
    user = world.users[0]
    cipher = Cipher.from_text(generate_key())
    with session_scope(factory=factory) as session:
        advogado_id = AdvogadosRepository(session).add(nome_completo=user.nome, cpf=user.cpf).id
    credencial_id = CredenciaisService(factory, cipher, cache_ttl=0).add(
        NovaCredencial(advogado_id=advogado_id, tribunal=Tribunal("TRT3"), grau=Grau.PRIMEIRO_GRAU,
                       senha=SecretStr(user.senha), usuario=user.cpf, totp_secret=SecretStr(user.totp_secret))
    )  # fmt: skip
    servico = ServicoCapturas(factory)
    capturas = {
        tipo: servico.criar(tipo, advogado_id=advogado_id, credencial_ids=[credencial_id], parametros={}, origem="cli")
        for tipo in ("acervo_geral", "partes", "timeline")
    }
    store = SqlRawLogStore(factory, cipher=cipher)
    adv = user.ids_advogado["TRT3"]
    rows = world.painel("TRT3", "primeiro_grau", adv, 1)
    contexto = ContextoPagina(tipo_captura=TipoCaptura.ACERVO_GERAL, tribunal=Tribunal("TRT3"),
                              grau=Grau.PRIMEIRO_GRAU, advogado_id=advogado_id, credencial_id=credencial_id,
                              captura_id=capturas["acervo_geral"])  # fmt: skip
    pages = -(-len(rows) // 100)
    brutas = []
    for n in range(pages):
        payload = {"pagina": n + 1, "tamanhoPagina": 100, "qtdPaginas": pages, "totalRegistros": len(rows),
                   "resultado": rows[n * 100 : (n + 1) * 100]}  # fmt: skip
        brutas.append(parse_pagina(payload, contexto, url=acervo_geral_url(API, adv, n + 1)).bruta)
    for row in rows[:casos]:
        requisicao = describe_request(partes_url(API, row["id"]))
        requisicao.update(processo_id=1, numero_processo=row["numeroProcesso"])
        brutas.append(PaginaBruta(captura_id=capturas["partes"], tipo_captura=TipoCaptura.PARTES,
                                  advogado_id=advogado_id, credencial_id=credencial_id, tribunal=Tribunal("TRT3"),
                                  grau=Grau.PRIMEIRO_GRAU, requisicao=requisicao,
                                  payload_bruto=world.partes("TRT3", "primeiro_grau", row["id"])))  # fmt: skip
        requisicao = describe_request(timeline_url(API, row["id"]))
        requisicao.update(processo_id=1, numero_processo=row["numeroProcesso"],
                          parametros={"baixar_documentos": False})  # fmt: skip
        brutas.append(PaginaBruta(captura_id=capturas["timeline"], tipo_captura=TipoCaptura.TIMELINE,
                                  advogado_id=advogado_id, credencial_id=credencial_id, tribunal=Tribunal("TRT3"),
                                  grau=Grau.PRIMEIRO_GRAU, requisicao=requisicao,
                                  payload_bruto=world.timeline("TRT3", "primeiro_grau", row["id"])))  # fmt: skip
    store.append_many(brutas)
    return store, capturas, min(casos, len(rows))


def _medir(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main() -> None:
    from sinesys_spiders.core.db.engine import make_engine, make_session_factory
    from sinesys_spiders.core.db.migrate import upgrade
    from sinesys_spiders.core.documentos import PastaDocumentStore
    from sinesys_spiders.core.recovery import RecoveryService

    casos = int(os.environ.get("BENCH_RECOVERY_CASOS", "300"))
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_RECOVERY_URL") or f"sqlite:///{tmp}/recovery.db"
        upgrade(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        store, capturas, n_partes = _cenario(factory, casos)
        servico = RecoveryService(factory, store, documentos=PastaDocumentStore(Path(tmp) / "documentos"))
        figuras: dict[str, Any] = {}
        for tipo, captura_id in capturas.items():
            antes, t_antes = _medir(lambda c=captura_id: servico.analisar_captura(c))
            feito, t_feito = _medir(lambda c=captura_id: servico.reprocessar(captura_log_id=c))
            depois, t_depois = _medir(lambda c=captura_id: servico.analisar_captura(c))
            de_novo, t_de_novo = _medir(lambda c=captura_id: servico.reprocessar(captura_log_id=c))
            if not feito.sucesso or depois.gaps or de_novo.inseridos or de_novo.atualizados:
                raise RuntimeError(f"recovery de {tipo} não restaurou tudo ou não é idempotente")
            paginas = antes.total_documentos
            figuras[tipo] = {
                "paginas": paginas,
                "elementos_faltando": sum(antes.gaps.values()),
                "inseridos": feito.inseridos,
                "analise_tudo_faltando_paginas_s": round(paginas / t_antes, 1),
                "reprocesso_paginas_s": round(paginas / t_feito, 1),
                "reprocesso_elementos_s": round(feito.total_elementos / t_feito, 1),
                "analise_nada_faltando_paginas_s": round(paginas / t_depois, 1),
                "reprocesso_idempotente_paginas_s": round(paginas / t_de_novo, 1),
            }
            print(tipo, json.dumps(figuras[tipo]), flush=True)
        servico.close()
        engine.dispose()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "machine": {"python": platform.python_version(), "load_avg": os.getloadavg()},
                "database": "sqlite" if not os.environ.get("BENCH_RECOVERY_URL") else "given",
                "casos_partes": n_partes,
                "capturas": figuras,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
