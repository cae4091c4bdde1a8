"""New rows stored through PostgreSQL's COPY are exactly what an INSERT stores: a second upsert changes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from plugins.pje_trt.parsers import ContextoPagina, parse_pagina
from plugins.pje_trt.requests import FiltroPrazo
from plugins.pje_trt.sandbox.world import World
from sinesys_spiders.core.db.engine import make_engine, make_session_factory
from sinesys_spiders.core.db.migrate import upgrade
from sinesys_spiders.core.db.models import Advogado, Credencial
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.items import ItemCaptura, Processo
from sinesys_spiders.core.persistence.copia import copy_rows
from sinesys_spiders.core.upsert import table_for, upsert_items
from sinesys_spiders.testing.postgres import PostgresServer

#: Columns that say when and by which row, not what was captured (they differ between two databases).
_VOLATEIS = {"id", "created_at", "updated_at", "processo_id", "orgao_julgador_id", "classe_judicial_id",
             "sala_audiencia_id", "tipo_audiencia_id"}  # fmt: skip


def _itens(advogado_id: int, credencial_id: int) -> list[ItemCaptura]:
    """Every list type the sandbox serves for one lawyer: acervo, arquivados, both pendentes filters, the pauta."""
    world = World.generate(seed=11, scale="small", users=1, tribunais=["TRT3"])
    adv = world.users[0].ids_advogado["TRT3"]
    paginas = [
        (TipoCaptura.ACERVO_GERAL, None, world.painel("TRT3", "primeiro_grau", adv, 1)),
        (TipoCaptura.ARQUIVADOS, None, world.painel("TRT3", "primeiro_grau", adv, 5)),
        (TipoCaptura.PENDENTES, FiltroPrazo.NO_PRAZO, world.painel("TRT3", "primeiro_grau", adv, 2, "N")),
        (TipoCaptura.PENDENTES, FiltroPrazo.SEM_PRAZO, world.painel("TRT3", "primeiro_grau", adv, 2, "I")),
        (TipoCaptura.AUDIENCIAS, None, world.pauta("TRT3", "primeiro_grau", adv, dt.date(2000, 1, 1),
                                                   dt.date(2100, 1, 1), "M")),
    ]  # fmt: skip
    itens: list[ItemCaptura] = []
    for tipo, filtro, rows in paginas:
        contexto = ContextoPagina(
            tipo_captura=tipo, tribunal=Tribunal("TRT3"), grau=Grau.PRIMEIRO_GRAU, advogado_id=advogado_id,
            credencial_id=credencial_id, filtro=filtro,
        )  # fmt: skip
        payload = {"pagina": 1, "tamanhoPagina": 100, "qtdPaginas": 1, "totalRegistros": len(rows), "resultado": rows}
        pagina = parse_pagina(payload, contexto, url="https://pje.trt3.jus.br/pje-comum-api/api/x?pagina=1")
        itens.extend(item for item in pagina.itens if isinstance(item, ItemCaptura))
    assert {type(item).__name__ for item in itens} == {"Processo", "Expediente", "Audiencia"}
    return itens


def _store(url: str) -> tuple[Any, dict[str, list[dict[str, Any]]], Any]:
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        advogado = Advogado(nome_completo="ADVOGADA", cpf="52998224725")
        session.add(advogado)
        session.flush()
        credencial = Credencial(advogado_id=advogado.id, tribunal="TRT3", grau="primeiro_grau", senha_cifrada=b"x")
        session.add(credencial)
        session.flush()
        ids = advogado.id, credencial.id
    itens = _itens(*ids)
    with factory.begin() as session:
        primeira = upsert_items(session, itens).total
    assert primeira.inseridos == len(itens)
    with factory.begin() as session:
        segunda = upsert_items(session, itens).total
    stored: dict[str, list[dict[str, Any]]] = {}
    with factory() as session:
        for spec in {table_for(item).name: table_for(item) for item in itens}.values():
            rows = session.execute(select(spec.table)).mappings()
            records = [{k: v for k, v in row.items() if k not in _VOLATEIS} for row in rows]
            stored[spec.name] = sorted(records, key=lambda r: (r["id_externo"], str(r.get("id_documento"))))
    return engine, stored, segunda


def test_copy_stores_what_insert_stores_and_nothing_changes_on_a_second_run(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    pg_engine, pg_rows, pg_segunda = _store(postgres_server.create_database(f"copia_{uuid.uuid4().hex[:8]}"))
    sqlite_engine, sqlite_rows, sqlite_segunda = _store(f"sqlite:///{tmp_path / 'insert.sqlite'}")
    try:
        assert (pg_segunda.inseridos, pg_segunda.atualizados, pg_segunda.erros) == (0, 0, 0)
        assert (sqlite_segunda.inseridos, sqlite_segunda.atualizados, sqlite_segunda.erros) == (0, 0, 0)
        assert pg_rows == sqlite_rows  # COPY on PostgreSQL, INSERT on SQLite: the same stored values
    finally:
        pg_engine.dispose()
        sqlite_engine.dispose()


def test_copy_declines_where_it_does_not_apply(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            table = table_for(Processo).table
            assert copy_rows(session, table, [{"id_externo": 1}]) is False  # not PostgreSQL: the caller INSERTs
    finally:
        engine.dispose()
