"""Helpers of the recovery tests: the captured scenario, deletions with the gaps they must leave, comparisons.

The gaps a deletion leaves are read from the sandbox's truth (every appearance of a person in every case), so the
analysis is checked against something it did not compute itself.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

from processo_e2e import ProcessoE2E, enderecos_esperados, partes_esperadas
from sqlalchemy import delete, select

from sinesys_spiders.core.db.models import (
    Audiencia,
    Documento,
    Endereco,
    Expediente,
    Parte,
    Processo,
    ProcessoParte,
    ProcessoParteRepresentante,
    Representante,
    Timeline,
    TimelineItem,
)
from sinesys_spiders.core.documentos import PastaDocumentStore
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.items import PaginaBruta
from sinesys_spiders.core.rawlog import FiltroRawLog, RawLogStore
from sinesys_spiders.core.rawlog.mongo import MongoRawLogStore
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.core.recovery import RecoveryService

TABELAS = (Processo, Expediente, Audiencia, Parte, Representante, Endereco, ProcessoParte, ProcessoParteRepresentante)
#: Columns that say when and by which run a row was written (a recovered row has new ones).
ESCRITA = {
    "id",
    "created_at",
    "updated_at",
    "ultima_captura_id",
    "partes_capturadas_em",
    "timeline_capturada_em",
    "processo_id",
}

Gap = tuple[str, str, str | None]


@dataclasses.dataclass
class Cenario:
    e2e: ProcessoE2E
    capturas: dict[str, int]
    registros: dict[str, dict[Any, dict[str, Any]]]
    truth: list[dict[str, Any]]
    #: The sandbox's timeline truth of the user's cases, and the folder of downloaded PDFs.
    truth_timeline: list[dict[str, Any]]
    pasta: PastaDocumentStore


def sem_escrita(registros: dict[str, dict[Any, dict[str, Any]]]) -> dict[str, dict[Any, dict[str, Any]]]:
    return {t: {k: {c: v for c, v in row.items() if c not in ESCRITA} for k, row in rows.items()}
            for t, rows in registros.items()}  # fmt: skip


def sem_ordem(partes: dict[int, list[dict[str, Any]]]) -> dict[int, list[str]]:
    """Parties per case as a sorted list (rows written again come later in id order: order is not data)."""
    out = {}
    for caso, lista in partes.items():
        linhas = []
        for parte in lista:
            reps = sorted(json.dumps(r, sort_keys=True, default=str) for r in parte["representantes"])
            linhas.append(json.dumps({**parte, "representantes": reps}, sort_keys=True, default=str))
        out[caso] = sorted(linhas)
    return out


def partes_armazenadas_ok(cenario: Cenario) -> bool:
    """The stored parties, lawyers, links and addresses equal the sandbox's truth."""
    e2e = cenario.e2e
    partes = sem_ordem(e2e.partes_armazenadas()) == sem_ordem(partes_esperadas(cenario.truth))
    return partes and e2e.enderecos_armazenados() == enderecos_esperados(cenario.truth)


def copiar_para_mongo(sql: SqlRawLogStore, mongo: MongoRawLogStore) -> None:
    for r in sql.list(FiltroRawLog(), limit=100_000):
        mongo.append(PaginaBruta(
            raw_log_id=r.raw_log_id, captura_id=r.captura_log_id, tipo_captura=TipoCaptura(r.tipo_captura),
            advogado_id=r.advogado_id, credencial_id=r.credencial_id, tribunal=Tribunal(r.tribunal),
            grau=Grau(r.grau), status=r.status, requisicao=r.requisicao or {}, payload_bruto=r.payload_bruto,
            erro=r.erro, criado_em=r.criado_em,
        ))  # fmt: skip
        if r.processado:
            mongo.mark_processed(r.raw_log_id, r.resultado_processado)


@dataclasses.dataclass
class Recovery:
    servico: RecoveryService
    store: RawLogStore
    backend: str
    #: Replace one entry's sealed payload by another entry's (it no longer decrypts); returns the undo.
    trocar_blob: Callable[[str, str], Callable[[], None]]
    #: Remove entries a test appended.
    remover: Callable[[list[str]], None]


def pessoa(id_pessoa_externo: int | None) -> str:
    return f"pessoa_externo:{id_pessoa_externo}"


def apagar_subconjunto(cenario: Cenario) -> set[Gap]:
    """Delete a known subset of stored rows; the gaps recovery must report, as (tipo, identificador, processo).

    What each deletion leaves missing is read from the sandbox's truth (every appearance of a person in every case).
    """
    e2e, truth = cenario.e2e, cenario.truth
    esperado: set[Gap] = set()

    def aparicoes() -> Iterator[tuple[str, dict[str, Any], dict[str, Any] | None]]:
        for caso in truth:
            for parte in caso["partes"]:
                yield caso["numero_processo"], parte, None
                for rep in parte["representantes"]:
                    yield caso["numero_processo"], parte, rep

    def vinculos_do_caso(numero: str) -> None:
        for caso, parte, rep in aparicoes():
            if caso == numero and rep is None:
                esperado.add(("vinculo", pessoa(parte["id_pessoa"]), caso))
            elif caso == numero:
                esperado.add(("vinculo_representante", f"{pessoa(parte['id_pessoa'])}>{pessoa(rep['id_pessoa'])}",
                              caso))  # fmt: skip

    with e2e.factory.begin() as session:
        numero = dict(session.execute(select(Processo.id, Processo.numero_processo)).all())
        pps = session.scalars(select(ProcessoParte).order_by(ProcessoParte.id)).all()
        links = session.execute(select(ProcessoParteRepresentante.processo_parte_id,
                                       ProcessoParteRepresentante.representante_id)).all()  # fmt: skip
        partes = {p.id: p for p in session.scalars(select(Parte))}
        reps = {r.id: r for r in session.scalars(select(Representante))}
        com_lista = set(session.scalars(select(Expediente.processo_id))) | set(
            session.scalars(select(Audiencia.processo_id))
        )
        # 1. a case without expedientes or hearings: the case, and (by cascade) its party and lawyer links
        caso = next(pid for pid in sorted(numero) if pid not in com_lista and any(pp.processo_id == pid for pp in pps))
        esperado.add(("processo", f"id_externo:{session.get(Processo, caso).id_externo}", None))
        vinculos_do_caso(numero[caso])
        # 2. a party with an address, in another case: wherever it appears, the party, its address, its links
        pa = next(pp for pp in pps if pp.processo_id != caso and partes[pp.parte_id].id_pessoa_externo
                  and session.scalar(select(Endereco.id).where(Endereco.entidade_tipo == "parte",
                                                               Endereco.entidade_id == pp.parte_id)))  # fmt: skip
        parte_a = partes[pa.parte_id]
        for caso_n, parte, rep in aparicoes():
            if parte["id_pessoa"] != parte_a.id_pessoa_externo:
                continue
            if rep is None:
                esperado.add(("parte", pessoa(parte["id_pessoa"]), caso_n))
                esperado.add(("vinculo", pessoa(parte["id_pessoa"]), caso_n))
                if parte["endereco"]:
                    esperado.add(("endereco", f"endereco_externo:{parte['endereco']['id_externo']}", caso_n))
            else:
                esperado.add(("vinculo_representante", f"{pessoa(parte['id_pessoa'])}>{pessoa(rep['id_pessoa'])}",
                              caso_n))  # fmt: skip
        # 3. the lawyer with the fewest links (not only of that party): the lawyer, its addresses, its links
        por_rep: dict[int, list[int]] = {}
        for pp_id, rep_id in links:
            por_rep.setdefault(rep_id, []).append(pp_id)
        rep_id = min((r for r in por_rep if reps[r].id_pessoa_externo and set(por_rep[r]) - {pa.id}),
                     key=lambda r: (len(por_rep[r]), r))  # fmt: skip
        id_rep = reps[rep_id].id_pessoa_externo
        for caso_n, parte, rep in aparicoes():
            if rep is not None and rep["id_pessoa"] == id_rep:
                esperado.add(("representante", pessoa(id_rep), caso_n))
                esperado.add(("vinculo_representante", f"{pessoa(parte['id_pessoa'])}>{pessoa(id_rep)}", caso_n))
                if rep["endereco"]:
                    esperado.add(("endereco", f"endereco_externo:{rep['endereco']['id_externo']}", caso_n))
        # 4. a link of another party (its lawyer links go with it), and 5. one lawyer link elsewhere
        pb = next(pp for pp in pps if pp.processo_id != caso and pp.parte_id != parte_a.id
                  and any(pp_id == pp.id and r != rep_id for pp_id, r in links))  # fmt: skip
        ident_b = pessoa(partes[pb.parte_id].id_pessoa_externo)
        esperado.add(("vinculo", ident_b, numero[pb.processo_id]))
        for pp_id, r in links:
            if pp_id == pb.id:
                esperado.add(("vinculo_representante", f"{ident_b}>{pessoa(reps[r].id_pessoa_externo)}",
                              numero[pb.processo_id]))  # fmt: skip
        by_id = {pp.id: pp for pp in pps}
        pk_id, rk_id = next((pp_id, r) for pp_id, r in links if r != rep_id and pp_id != pb.id
                            and by_id[pp_id].processo_id != caso and by_id[pp_id].parte_id != parte_a.id)  # fmt: skip
        pk = by_id[pk_id]
        esperado.add(("vinculo_representante", f"{pessoa(partes[pk.parte_id].id_pessoa_externo)}>"
                      f"{pessoa(reps[rk_id].id_pessoa_externo)}", numero[pk.processo_id]))  # fmt: skip
        # 6. an expediente and 7. a hearing
        exp = session.scalars(select(Expediente).order_by(Expediente.id)).first()
        esperado.add(("expediente", f"id_externo:{exp.id_externo}/id_documento:{exp.id_documento}", None))
        aud = session.scalars(select(Audiencia).order_by(Audiencia.id)).first()
        esperado.add(("audiencia", f"id_externo:{aud.id_externo}", None))

        session.execute(delete(Processo).where(Processo.id == caso))
        session.execute(delete(Endereco).where(Endereco.entidade_tipo == "parte", Endereco.entidade_id == parte_a.id))
        session.execute(delete(Parte).where(Parte.id == parte_a.id))
        session.execute(delete(Endereco).where(Endereco.entidade_tipo == "representante",
                                               Endereco.entidade_id == rep_id))  # fmt: skip
        session.execute(delete(Representante).where(Representante.id == rep_id))
        session.execute(delete(ProcessoParte).where(ProcessoParte.id == pb.id))
        session.execute(delete(ProcessoParteRepresentante).where(
            ProcessoParteRepresentante.processo_parte_id == pk_id, ProcessoParteRepresentante.representante_id == rk_id
        ))  # fmt: skip
        session.delete(exp)
        session.delete(aud)
    return esperado


def gaps_das_capturas(servico: RecoveryService, capturas: dict[str, int]) -> set[Gap]:
    out: set[Gap] = set()
    for captura_id in capturas.values():
        analise = servico.analisar_captura(captura_id)
        assert analise.documentos_com_erro == 0, [a.erro for a in analise.documentos if a.erro]
        for doc in analise.documentos:
            for tipo, elementos in doc.gaps.items():
                for e in elementos:
                    out.add((tipo, e.identificador, e.contexto.get("numero_processo") if tipo not in (
                        "processo", "expediente", "audiencia") else None))  # fmt: skip
    return out


def contar_linhas(cenario: Cenario) -> dict[str, int]:
    return cenario.e2e.contagens(*TABELAS)


def quebrar_ultima_parte(payload: Any) -> Any:
    """The same answer with its last party stripped of CPF, CNPJ and PJE person id (the upsert refuses it)."""
    copia = json.loads(json.dumps(payload))
    lista = (
        copia if isinstance(copia, list) else next(copia[p] for p in ("TERCEIROS", "PASSIVO", "ATIVO") if copia.get(p))
    )
    for key in ("documento", "cpf", "pessoaFisica", "pessoaJuridica", "idPessoa", "tipoDocumento"):
        lista[-1].pop(key, None)
    lista[-1]["tipoPessoa"] = "F"
    return copia


# -- timelines ----------------------------------------------------------------------------------------


def timelines_armazenadas(e2e: ProcessoE2E, pasta: PastaDocumentStore) -> dict[str, Any]:
    """What the timeline capture stored, write stamps left out: item rows, document rows (and their PDFs' digests),
    whole timelines."""
    escrita = {"id", "created_at", "updated_at", "processo_id", "baixado_em", "capturado_em"}

    def linha(row: Any) -> dict[str, Any]:
        return {c.name: getattr(row, c.name) for c in row.__table__.columns if c.name not in escrita}

    with e2e.factory() as session:
        itens = {(r.id_processo_externo, r.tipo, r.id_externo): linha(r) for r in session.scalars(select(TimelineItem))}
        documentos = {
            (r.id_processo_externo, r.id_documento_externo): linha(r) for r in session.scalars(select(Documento))
        }
        timelines = {r.id_processo_externo: {**linha(r), "metadata": {k: v for k, v in r.metadados.items()
                                                                  if k != "capturadoEm"}}
                     for r in session.scalars(select(Timeline))}  # fmt: skip
    pdfs = {chave: hashlib.sha256(pasta.get(d["caminho"])).hexdigest() for chave, d in documentos.items()}
    return {"itens": itens, "documentos": documentos, "pdfs": pdfs, "timelines": timelines}


def timelines_iguais_a_verdade(armazenado: dict[str, Any], truth: list[dict[str, Any]]) -> bool:
    """Items, whole timelines and downloaded documents (rows and PDFs) equal the sandbox's timeline truth."""
    itens = {(c["id_processo"], "documento" if i["documento"] else "movimento", i["id_externo"])
             for c in truth for i in c["itens"]}  # fmt: skip
    baixaveis = {(c["id_processo"], d) for c in truth for d in c["documentos_baixaveis"]}
    ordem = {c["id_processo"]: [i["id_externo"] for i in c["itens"]] for c in truth}
    return (
        set(armazenado["itens"]) == itens
        and set(armazenado["documentos"]) == baixaveis == set(armazenado["pdfs"])
        and all(armazenado["pdfs"][k] == d["sha256"] for k, d in armazenado["documentos"].items())
        and {k: [i["id"] for i in t["timeline"]] for k, t in armazenado["timelines"].items()} == ordem
    )


def apagar_timelines(e2e: ProcessoE2E, truth: list[dict[str, Any]]) -> tuple[set[Gap], str]:
    """Delete timeline item rows, document rows, a whole timeline and one PDF; the gaps recovery must report, and
    the path of the deleted PDF (its row is deleted too: only the tribunal has it now)."""
    com_docs = [c for c in truth if c["documentos_baixaveis"]]
    assert len(com_docs) >= 2, "the scenario needs cases with downloadable documents"
    assert len(truth) >= 3
    a, b = com_docs[0], com_docs[1]
    c = next(c for c in truth if c["id_processo"] not in (a["id_processo"], b["id_processo"]) and c["itens"])
    doc_a, doc_b = a["documentos_baixaveis"][0], b["documentos_baixaveis"][-1]
    movimento = next(i for i in a["itens"] if not i["documento"])
    documento = next((i for i in b["itens"] if i["documento"] and i["id_externo"] not in b["documentos_baixaveis"]),
                     None) or next(i for i in b["itens"] if i["documento"] and i["id_externo"] != doc_b)  # fmt: skip
    ultimo = c["itens"][0]
    esperado: set[Gap] = {
        ("timeline_item", f"movimento:{movimento['id_externo']}", a["numero_processo"]),
        ("timeline_item", f"documento:{documento['id_externo']}", b["numero_processo"]),
        ("timeline_item", f"{'documento' if ultimo['documento'] else 'movimento'}:{ultimo['id_externo']}",
         c["numero_processo"]),
        ("documento", f"id_documento:{doc_a}", a["numero_processo"]),
        ("documento", f"id_documento:{doc_b}", b["numero_processo"]),
        ("timeline", f"id_processo_externo:{c['id_processo']}", c["numero_processo"]),
    }  # fmt: skip
    with e2e.factory.begin() as session:
        for caso, item in ((a, movimento), (b, documento), (c, ultimo)):
            session.execute(delete(TimelineItem).where(TimelineItem.id_processo_externo == caso["id_processo"],
                                                       TimelineItem.id_externo == item["id_externo"]))  # fmt: skip
        caminho = session.scalar(select(Documento.caminho).where(Documento.id_documento_externo == doc_b))
        for doc in (doc_a, doc_b):
            session.execute(delete(Documento).where(Documento.id_documento_externo == doc))
        session.execute(delete(Timeline).where(Timeline.id_processo_externo == c["id_processo"]))
    assert caminho
    return esperado, caminho
