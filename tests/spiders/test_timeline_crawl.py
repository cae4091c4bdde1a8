"""`scrapy crawl timeline` against the sandbox: totals and documents exact, PDFs kept once, only news fetched.

The module has its own sandbox (its world is advanced) and each test its own database (SQLite and PostgreSQL)
with the firm's main lawyer (user 0, whose TRT3 carteira changes at every step), its acervo and a session.
"""

from __future__ import annotations

import hashlib
import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from processo_e2e import ProcessoE2E
from sqlalchemy import select

from sinesys_spiders.core.db.models import Documento, Processo, Timeline, TimelineItem
from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository
from sinesys_spiders.core.documentos import PastaDocumentStore
from sinesys_spiders.testing.db_fixtures import on_postgresql
from sinesys_spiders.testing.sandbox_fixtures import TEST_TOTP_PERIOD, SandboxClient, start_sandbox

pytestmark = [pytest.mark.slow, pytest.mark.e2e, on_postgresql]


@pytest.fixture(scope="module")
def timeline_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxClient]:
    folder = tmp_path_factory.mktemp("timeline-sandbox")
    with start_sandbox(folder, scale="tiny", users=3, tribunais="TRT3", totp_period=TEST_TOTP_PERIOD) as client:
        yield client


@pytest.fixture
def e2e(timeline_sandbox: SandboxClient, database_url: str, tmp_path: Path) -> Iterator[ProcessoE2E]:
    user = timeline_sandbox.users[0]
    e2e = ProcessoE2E(sandbox=timeline_sandbox, database_url=database_url, workdir=tmp_path, user=user, tribunal="TRT3")
    yield e2e
    e2e.close()


def _truth(e2e: ProcessoE2E, ids: set[int]) -> dict[int, dict[str, Any]]:
    return {c["id_processo"]: c for c in e2e.truth("timeline")["timeline"] if c["id_processo"] in ids}


def _armazenado(e2e: ProcessoE2E) -> dict[str, Any]:
    with e2e.factory() as session:
        timelines = {t.id_processo_externo: t for t in session.scalars(select(Timeline))}
        itens: dict[int, dict[str, set[int]]] = {}
        for item in session.scalars(select(TimelineItem)):
            itens.setdefault(item.id_processo_externo, {"documento": set(), "movimento": set()})[item.tipo].add(
                item.id_externo
            )
        documentos = list(session.scalars(select(Documento)))
        session.expunge_all()
    return {"timelines": timelines, "itens": itens, "documentos": documentos}


def _baixaveis(truth: dict[int, dict[str, Any]]) -> set[tuple[int, int]]:
    return {(caso, doc) for caso, t in truth.items() for doc in t["documentos_baixaveis"]}


def test_timeline_totals_documents_and_only_news_after_the_world_moves(e2e: ProcessoE2E) -> None:
    """Totals and items exact; signed, non-secret PDFs stored with digest and provenance, never twice; news only."""
    acervo = e2e.store_acervo()
    truth = _truth(e2e, set(acervo))
    _, resumo = e2e.crawl("timeline", "baixar_documentos=true")
    assert resumo is not None
    assert resumo.status == "completed"
    stored = _armazenado(e2e)
    assert set(stored["timelines"]) == set(truth)
    for caso, t in truth.items():
        meta = stored["timelines"][caso].metadados
        assert (meta["totalDocumentos"], meta["totalMovimentos"]) == (t["total_documentos"], t["total_movimentos"])
        assert meta["schemaVersion"] == 1
        assert [i["id"] for i in stored["timelines"][caso].timeline] == [i["id_externo"] for i in t["itens"]]
        docs = {i["id_externo"] for i in t["itens"] if i["documento"]}
        movs = {i["id_externo"] for i in t["itens"] if not i["documento"]}
        assert stored["itens"][caso] == {"documento": docs, "movimento": movs}
        assert meta["totalDocumentosBaixados"] == len(t["documentos_baixaveis"])
    baixaveis = _baixaveis(truth)
    assert baixaveis
    assert {(d.id_processo_externo, d.id_documento_externo) for d in stored["documentos"]} == baixaveis
    pasta = PastaDocumentStore(e2e.workdir / "var" / "documentos")
    for doc in stored["documentos"]:
        conteudo = pasta.get(doc.caminho)
        assert conteudo.startswith(b"%PDF")
        assert hashlib.sha256(conteudo).hexdigest() == doc.sha256
        assert len(conteudo) == doc.tamanho
        assert doc.credencial_id == e2e.credencial_id
        assert f"/processos/id/{doc.id_processo_externo}/documentos/id/{doc.id_documento_externo}/conteudo" in (
            doc.url or ""
        )
    resultado = e2e.resultado(resumo)["resultado"]
    assert resultado["total_processos"] == len(truth)
    assert resultado["total_documentos"] == sum(t["total_documentos"] for t in truth.values())
    assert resultado["total_movimentos"] == sum(t["total_movimentos"] for t in truth.values())
    assert resultado["documentos_baixados"] == len(baixaveis)
    assert resultado["erros"] == 0
    with e2e.factory() as session:
        assert all(session.scalars(select(Processo.timeline_capturada_em)))

    _, segunda = e2e.crawl("timeline", "baixar_documentos=true", "horas_para_recaptura=0")
    assert segunda is not None
    resultado = e2e.resultado(segunda)["resultado"]
    assert resultado["documentos_baixados"] == 0
    assert resultado["documentos_ja_baixados"] == len(baixaveis)
    assert resultado["novos_documentos"] == resultado["novos_movimentos"] == 0
    assert len(_armazenado(e2e)["documentos"]) == len(baixaveis)

    e2e.sandbox.advance(steps=2)
    depois = _truth(e2e, set(acervo))
    novos = {
        (caso, i["id_externo"], i["documento"])
        for caso, t in depois.items()
        for i in t["itens"]
        if i["id_externo"] not in {j["id_externo"] for j in truth[caso]["itens"]}
    }
    assert novos, "the forced carteira gets new items at every step"
    _, terceira = e2e.crawl("timeline", "baixar_documentos=true", "horas_para_recaptura=0")
    assert terceira is not None
    resultado = e2e.resultado(terceira)["resultado"]
    assert resultado["novos_documentos"] == sum(1 for n in novos if n[2])
    assert resultado["novos_movimentos"] == sum(1 for n in novos if not n[2])
    assert resultado["documentos_baixados"] == len(_baixaveis(depois) - baixaveis)
    assert {(d.id_processo_externo, d.id_documento_externo) for d in _armazenado(e2e)["documentos"]} == _baixaveis(
        depois
    )


class _Proxy(http.server.BaseHTTPRequestHandler):
    """Forwards to the sandbox, but answers one document's PDF with an HTML page."""

    upstream = ""
    estragado = -1

    def do_GET(self) -> None:
        if f"/documentos/id/{self.estragado}/conteudo" in self.path:
            body, status, headers = (
                b"<html><body>Sistema em manutencao</body></html>",
                200,
                {"Content-Type": "text/html"},
            )
        else:
            answer = httpx.get(self.upstream + self.path, headers={k: v for k, v in self.headers.items()
                                                                   if k.lower() in ("cookie", "accept")})  # fmt: skip
            body, status = answer.content, answer.status_code
            headers = {"Content-Type": answer.headers.get("content-type", "application/octet-stream")}
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return None


def test_an_answer_that_is_not_a_pdf_is_that_documents_error(e2e: ProcessoE2E) -> None:
    """One document answers HTML: recorded as an error of its case, nothing stored for it, the rest stored."""
    acervo = e2e.store_acervo()
    truth = _truth(e2e, set(acervo))
    caso, estragado = sorted(_baixaveis(truth))[0]
    host = e2e.sandbox.base_url("TRT3").split("//")[1].split(":")[0]
    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    handler = type("Proxy", (_Proxy,), {"upstream": e2e.sandbox.base_url("TRT3"), "estragado": estragado})
    server = http.server.ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with e2e.factory.begin() as session:
            TribunaisConfigRepository(session).set_override(
                tribunal="TRT3", grau="primeiro_grau", base_url=f"http://{host}:{port}"
            )
        _, resumo = e2e.crawl("timeline", "baixar_documentos=true", f"processos={acervo[caso]}")
    finally:
        server.shutdown()
        server.server_close()
    assert resumo is not None
    entry = e2e.resultado(resumo)
    assert entry["resultado"]["erros"] == 1
    assert entry["resultado"]["documentos_baixados"] == len(truth[caso]["documentos_baixaveis"]) - 1
    [erro] = entry["erros_itens"]
    assert erro["id_externo"] == caso
    assert "não é um PDF" in erro["motivo"]
    assert str(estragado) in erro["motivo"]
    stored = {(d.id_processo_externo, d.id_documento_externo) for d in _armazenado(e2e)["documentos"]}
    assert (caso, estragado) not in stored
    assert stored == {(caso, d) for d in truth[caso]["documentos_baixaveis"] if d != estragado}


def test_one_case_by_its_pje_id(e2e: ProcessoE2E) -> None:
    """`-a processo=ID_EXTERNO -a numero_processo=... -a tribunal=TRT3 -a grau=primeiro_grau`: that case only."""
    acervo = e2e.store_acervo()
    truth = _truth(e2e, set(acervo))
    caso = sorted(truth)[-1]
    _, resumo = e2e.crawl(
        "timeline", f"processo={caso}", f"numero_processo={truth[caso]['numero_processo']}", "tribunal=TRT3",
        "grau=primeiro_grau",
    )  # fmt: skip
    assert resumo is not None
    assert resumo.status == "completed"
    assert set(_armazenado(e2e)["timelines"]) == {caso}
    assert e2e.resultado(resumo)["resultado"]["total_processos"] == 1
    assert e2e.resultado(resumo)["resultado"]["documentos_baixados"] == 0  # not asked for


def test_one_case_not_in_the_acervo_fails_the_capture_with_its_reason(e2e: ProcessoE2E) -> None:
    """A case id that is not in ``acervo``: nothing requested, the history row failed with what to do."""
    result, resumo = e2e.crawl("timeline", "processo=4242", "tribunal=TRT3", "grau=primeiro_grau", check=False)
    assert resumo is not None
    assert resumo.status == "failed"
    assert resumo.erro is not None
    assert "4242" in resumo.erro
    assert "capture o acervo antes" in resumo.erro
    assert "não está no acervo" in result.stderr
    assert _armazenado(e2e)["timelines"] == {}


@pytest.mark.e2e
def test_the_timeline_feed_equals_what_was_stored(e2e: ProcessoE2E) -> None:
    """Every case once in the feed; its items (as read, with the tribunal's record) are the stored timeline and the
    stored item rows."""
    acervo = e2e.store_acervo()
    registros = e2e.crawl_feed("timeline")

    assert sorted(r["processo_id"] for r in registros) == sorted(acervo.values())
    with e2e.factory() as session:
        timelines = {t.id_processo_externo: t.timeline for t in session.scalars(select(Timeline))}
        linhas: dict[int, set[tuple[str, int]]] = {}
        for row in session.scalars(select(TimelineItem)):
            linhas.setdefault(row.id_processo_externo, set()).add((row.tipo, row.id_externo))
        capturados = set(session.scalars(select(Processo.id).where(Processo.timeline_capturada_em.is_not(None))))
    assert capturados == {r["processo_id"] for r in registros}
    for registro in registros:
        assert registro["bruta"] == timelines[registro["id_processo_externo"]]
        assert [i["id_externo"] for i in registro["itens"]] == [i["id"] for i in registro["bruta"]]
        esperado = {(i["tipo"], i["id_externo"]) for i in registro["itens"]}
        assert esperado == linhas.get(registro["id_processo_externo"], set())
        assert registro["total_documentos"] + registro["total_movimentos"] == len(registro["itens"])
