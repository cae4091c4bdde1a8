"""Stored list-capture rows in the ground truth's vocabulary, for comparing a database with a simulator's truth.

``db_registros(factory)`` reads ``acervo``, ``expedientes`` and ``audiencias`` (hearings joined with their
catalogues) keyed by their natural keys, with datetimes and times as ISO strings, as the PJE-TRT sandbox's
``truth()`` gives them. Plugin authors can use it with their own simulator's truth.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.db.models import (
    Audiencia,
    ClasseJudicial,
    Expediente,
    OrgaoJulgador,
    Processo,
    SalaAudiencia,
    TipoAudiencia,
)
from sinesys_spiders.core.domain import BRASILIA

__all__ = ["Registros", "casos_nomeados", "db_registros"]

Registros = dict[str, dict[tuple[Any, ...], dict[str, Any]]]


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime | dt.time) else value


def db_registros(factory: sessionmaker[Session]) -> Registros:
    """The stored rows in the ground truth's vocabulary (hearings joined with their catalogues)."""
    out: Registros = {"acervo": {}, "expedientes": {}, "audiencias": {}}
    with factory() as session:
        for row in session.scalars(select(Processo)):
            cols = {c.name: _iso(getattr(row, c.name)) for c in Processo.__table__.columns}
            out["acervo"][(row.tribunal, row.grau, row.id_externo)] = cols
        for expediente in session.scalars(select(Expediente)):
            cols = {c.name: _iso(getattr(expediente, c.name)) for c in Expediente.__table__.columns}
            chave = (expediente.tribunal, expediente.grau, expediente.id_externo, expediente.id_documento)
            out["expedientes"][chave] = cols
        query = (
            select(Audiencia, OrgaoJulgador, ClasseJudicial, SalaAudiencia, TipoAudiencia)
            .outerjoin(OrgaoJulgador, Audiencia.orgao_julgador_id == OrgaoJulgador.id)
            .outerjoin(ClasseJudicial, Audiencia.classe_judicial_id == ClasseJudicial.id)
            .outerjoin(SalaAudiencia, Audiencia.sala_audiencia_id == SalaAudiencia.id)
            .outerjoin(TipoAudiencia, Audiencia.tipo_audiencia_id == TipoAudiencia.id)
        )
        for aud, orgao, classe, sala, tipo in session.execute(query):
            cols = {c.name: _iso(getattr(aud, c.name)) for c in Audiencia.__table__.columns}
            cols.update(
                id_processo=aud.id_processo_externo,
                orgao_julgador_id=orgao.id_externo if orgao else None,
                orgao_julgador_descricao=orgao.descricao if orgao else None,
                classe_judicial_id=classe.id_externo if classe else None,
                classe_judicial=classe.sigla if classe else None,
                sala_audiencia_id=sala.id_externo if sala else None,
                tipo_audiencia=tipo.descricao if tipo else None,
                tipo_is_virtual=tipo.is_virtual if tipo else None,
            )
            out["audiencias"][(aud.tribunal, aud.grau, aud.id_externo)] = cols
    return out


def casos_nomeados(bloco: dict[str, Any]) -> set[int]:
    """The ids of the cases a combined capture's lists name today, from one lawyer's truth block at one tribunal
    and grau: its pending notices (both filters) and its hearings designadas and canceladas from today to a year
    ahead and realizadas yesterday (Brasília), among the cases of its acervo (active or archived)."""
    hoje = dt.datetime.now(BRASILIA).date()
    ano = hoje + dt.timedelta(days=365)
    janelas = {"designada": (hoje, ano), "cancelada": (hoje, ano), "realizada": (hoje - dt.timedelta(days=1),) * 2}
    casos = {e["id_externo"] for filtro in ("no_prazo", "sem_prazo") for e in bloco["pendentes"][filtro]}
    for situacao, (inicio, fim) in janelas.items():
        for a in bloco["audiencias"][situacao]:
            dia = dt.datetime.fromisoformat(a["data_inicio"].replace("Z", "+00:00")).astimezone(BRASILIA).date()
            if inicio <= dia <= fim:
                casos.add(a["id_processo"])
    return casos & {c["id_externo"] for lista in ("acervo_geral", "arquivados") for c in bloco[lista]}
