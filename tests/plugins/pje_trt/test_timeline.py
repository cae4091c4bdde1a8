"""PJE-TRT timelines: totals and downloadable documents as the ground truth says; a non-PDF is refused."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from plugins.pje_trt.capturas_processo import TimelineCaptura
from plugins.pje_trt.sandbox.world import World
from plugins.pje_trt.timeline import check_pdf, contar, conteudo_url, documentos_baixaveis, ler_timeline
from sinesys_spiders.core.capturas import ContextoCaptura, Pedido
from sinesys_spiders.core.capturas_processo import ProcessoAlvo, RespostaBinaria
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.errors import RespostaInvalida
from sinesys_spiders.core.items import PaginaBruta
from sinesys_spiders.core.items_processo import DocumentoBaixado, OcorrenciaProcesso, TimelineProcesso

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def world() -> World:
    return World.generate(seed=13, scale="small", users=1, tribunais=["TRT3"], today=TODAY)


def test_totals_and_downloadable_documents_match_the_ground_truth(world: World) -> None:
    """Documents, movements, the signed, non-secret documents of each case and each item read into its neutral
    fields (id, title, kind, secrecy, signer, time in UTC) equal the ground truth."""
    user = world.users[0]
    truth = world.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf, tipo="timeline")
    casos = truth["tribunais"]["TRT3"]["primeiro_grau"][user.cpf]["timeline"]
    assert casos
    for caso in casos:
        itens = ler_timeline(world.timeline("TRT3", "primeiro_grau", caso["id_processo"]))
        assert contar(itens) == (caso["total_documentos"], caso["total_movimentos"])
        assert sorted(documentos_baixaveis(itens)) == caso["documentos_baixaveis"]
        lidos = [
            {"id_externo": i.id_externo, "titulo": i.titulo, "documento": i.tipo == "documento",
             "documento_sigiloso": i.documento_sigiloso, "id_signatario": i.id_signatario}
            for i in itens
        ]  # fmt: skip
        campos = ("id_externo", "titulo", "documento", "documento_sigiloso", "id_signatario")
        assert lidos == [{k: i[k] for k in campos} for i in caso["itens"]]
        assert [i.data.isoformat() if i.data else None for i in itens] == [
            dt.datetime.fromisoformat(i["data"]).isoformat() if i["data"] else None for i in caso["itens"]
        ]


def _ctx(baixar: bool) -> ContextoCaptura:
    return ContextoCaptura(
        tipo_captura=TipoCaptura.TIMELINE,
        credencial_id=1,
        advogado_id=1,
        tribunal=Tribunal("TRT3"),
        grau=Grau.PRIMEIRO_GRAU,
        api_url="http://127.0.1.3/pje-comum-api/api",
        id_advogado_externo=1,
        parametros={"baixar_documentos": baixar},
    )


def test_the_capture_asks_only_for_documents_not_stored_yet(world: World) -> None:
    """With baixar_documentos, one request per downloadable document not already stored."""
    user = world.users[0]
    truth = world.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf, tipo="timeline")
    caso = next(c for c in truth["tribunais"]["TRT3"]["primeiro_grau"][user.cpf]["timeline"]
                if len(c["documentos_baixaveis"]) >= 2)  # fmt: skip
    guardado = caso["documentos_baixaveis"][0]
    alvo = ProcessoAlvo(7, caso["id_processo"], caso["numero_processo"], documentos_baixados=(guardado,))
    captura = TimelineCaptura()
    [pedido] = captura.iniciar_processo(_ctx(True), alvo, {})
    out = list(captura.processar(_ctx(True), pedido, world.timeline("TRT3", "primeiro_grau", alvo.id_externo), {}))
    [timeline] = [o for o in out if isinstance(o, TimelineProcesso)]
    pedidos = [o for o in out if isinstance(o, Pedido)]
    assert timeline.documentos_ja_baixados == [guardado]
    assert sorted(p.dados["id_documento"] for p in pedidos) == caso["documentos_baixaveis"][1:]
    assert sorted(timeline.documentos_a_baixar) == caso["documentos_baixaveis"][1:]
    sem = list(captura.processar(_ctx(False), pedido, world.timeline("TRT3", "primeiro_grau", alvo.id_externo), {}))
    assert not [o for o in sem if isinstance(o, Pedido)]

    primeiro = pedidos[0]
    pdf = world.documento_conteudo("TRT3", "primeiro_grau", alvo.id_externo, primeiro.dados["id_documento"])
    assert pdf is not None
    ok = list(captura.processar(_ctx(True), primeiro, RespostaBinaria(primeiro.url, 200, "application/pdf", pdf), {}))
    assert isinstance(ok[0], DocumentoBaixado)
    assert ok[0].conteudo == pdf
    assert not [o for o in ok if isinstance(o, PaginaBruta)]  # a PDF never goes to the raw log
    html = RespostaBinaria(primeiro.url, 200, "text/html", b"<html>manutencao</html>")
    [erro] = captura.processar(_ctx(True), primeiro, html, {})
    assert isinstance(erro, OcorrenciaProcesso)
    assert erro.tipo == "erro"
    assert erro.codigo == "RESPOSTA_INVALIDA"
    assert erro.id_documento_externo == primeiro.dados["id_documento"]


def test_the_timeline_answer_goes_to_the_raw_log_and_reads_back_for_recovery(world: World) -> None:
    """The case's timeline is one raw page (the case and the download filters in ``requisicao``, the item points at
    it); ``reprocessar`` reads that page back into the same timeline and the documents to check, with no request."""
    user = world.users[0]
    truth = world.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf, tipo="timeline")
    caso = next(c for c in truth["tribunais"]["TRT3"]["primeiro_grau"][user.cpf]["timeline"]
                if c["documentos_baixaveis"])  # fmt: skip
    alvo = ProcessoAlvo(7, caso["id_processo"], caso["numero_processo"])
    captura = TimelineCaptura()
    [pedido] = captura.iniciar_processo(_ctx(True), alvo, {})
    payload = world.timeline("TRT3", "primeiro_grau", alvo.id_externo)
    out = list(captura.processar(_ctx(True), pedido, payload, {}))
    [bruta] = [o for o in out if isinstance(o, PaginaBruta)]
    [timeline] = [o for o in out if isinstance(o, TimelineProcesso)]
    assert out.index(bruta) < out.index(timeline)
    assert timeline.raw_ref == bruta.raw_log_id
    assert bruta.tipo_captura == TipoCaptura.TIMELINE
    assert bruta.payload_bruto == payload
    assert bruta.requisicao["path"].endswith(f"/processos/id/{alvo.id_externo}/timeline")
    assert (bruta.requisicao["processo_id"], bruta.requisicao["numero_processo"]) == (7, caso["numero_processo"])
    assert bruta.requisicao["parametros"] == {
        "baixar_documentos": True, "apenas_assinados": True, "apenas_nao_sigilosos": True,
    }  # fmt: skip

    # recovery: a context that knows nothing of the crawl's arguments; the page's own filters apply
    sem_argumentos = dataclasses.replace(_ctx(False), parametros={})
    lido = list(captura.reprocessar(sem_argumentos, bruta.requisicao, bruta.payload_bruto, {}))
    [de_novo] = [o for o in lido if isinstance(o, TimelineProcesso)]
    assert de_novo.itens == timeline.itens
    assert (de_novo.processo_id, de_novo.numero_processo) == (7, caso["numero_processo"])
    assert sorted(p.dados["id_documento"] for p in lido if isinstance(p, Pedido)) == caso["documentos_baixaveis"]
    assert not [o for o in lido if isinstance(o, PaginaBruta)]
    with pytest.raises(RespostaInvalida):
        list(captura.reprocessar(sem_argumentos, bruta.requisicao, {"timeline": "não é uma lista"}, {}))


def test_check_pdf_refuses_anything_but_a_pdf() -> None:
    """``%PDF`` at the start passes; HTML or an empty body is an error naming the document."""
    check_pdf(b"%PDF-1.4\n...", id_documento=1)
    with pytest.raises(RespostaInvalida, match="documento 9"):
        check_pdf(b"<!doctype html>", id_documento=9)
    with pytest.raises(RespostaInvalida):
        check_pdf(b"", id_documento=9)


def test_conteudo_url_names_the_grau() -> None:
    """The PDF request carries grau=1 or 2 and no cover page."""
    url = conteudo_url("https://x/api", 5, 6, Grau.SEGUNDO_GRAU)
    assert (
        url == "https://x/api/processos/id/5/documentos/id/6/conteudo?incluirCapa=false&incluirAssinatura=true&grau=2"
    )
