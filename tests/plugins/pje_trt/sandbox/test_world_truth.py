"""The sandbox's ground truth agrees with the PJE JSON it serves, once normalized as a capture must (§5)."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plugins.pje_trt.sandbox.world import World

TODAY = dt.date(2026, 11, 24)
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
TS = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$")
ESPECIAIS = ("PERITO", "MINISTERIO_PUBLICO", "ASSISTENTE", "TESTEMUNHA", "CUSTOS_LEGIS", "AMICUS_CURIAE", "PREPOSTO")


def to_utc(text: str) -> str:
    """A PJE zone-less Brasília time as ISO 8601 UTC (written independently of the world's code)."""
    m = TS.match(text)
    assert m, text
    base = dt.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    micro = int((m.group(2) or "").ljust(6, "0"))
    return base.replace(microsecond=micro, tzinfo=SAO_PAULO).astimezone(dt.UTC).isoformat()


def normalize(row: dict[str, Any], tribunal: str, grau: str) -> dict[str, Any]:
    out: dict[str, Any] = {"tribunal": tribunal, "grau": grau}
    for key, value in row.items():
        name = "id_externo" if key == "id" else re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()
        if isinstance(value, str):
            value = to_utc(value) if TS.match(value) else value.strip()
        out[name] = value
    return out


@pytest.fixture(scope="module")
def world() -> World:
    return World.generate(seed=5, scale="small", users=2, today=TODAY)


def carteiras(world: World):
    for t in world.tribunais:
        for g in t.graus:
            for user in world.users:
                yield t.value, g.value, user


def test_list_captures_match_the_normalized_rows(world: World) -> None:
    """acervo_geral, arquivados and pendentes in the truth are the painel rows, normalized, key by key."""
    truth = world.truth()
    for tribunal, grau, user in carteiras(world):
        bloco = truth["tribunais"][tribunal][grau][user.cpf]
        adv = user.ids_advogado[tribunal]
        assert bloco["id_advogado"] == adv
        for tipo, agrupamento in (("acervo_geral", 1), ("arquivados", 5)):
            raw = {r["id"]: normalize(r, tribunal, grau) for r in world.painel(tribunal, grau, adv, agrupamento)}
            assert {r["id_externo"]: r for r in bloco[tipo]} == raw
        for nome, grupo in (("no_prazo", "N"), ("sem_prazo", "I")):
            raw_rows = world.painel(tribunal, grau, adv, 2, grupo)
            raw = {(r["id"], r["idDocumento"]): normalize(r, tribunal, grau) for r in raw_rows}
            assert {(r["id_externo"], r["id_documento"]): r for r in bloco["pendentes"][nome]} == raw
        tot = {
            t["idAgrupamentoProcessoTarefa"]: t["quantidadeProcessos"] for t in world.totalizadores(tribunal, grau, adv)
        }
        assert bloco["totalizadores"] == {"acervo_geral": tot[1], "pendentes": tot[2], "arquivados": tot[5]}


def test_audiencias_match_the_pauta(world: World) -> None:
    """Hearings in the truth, by situação, are the pauta rows (any date) with times in UTC."""
    for tribunal, grau, user in carteiras(world):
        bloco = world.truth(tribunal=tribunal, grau=grau, cpf=user.cpf, tipo="audiencias")
        auds = bloco["tribunais"][tribunal][grau][user.cpf]["audiencias"]
        for nome, codigo in (("designada", "M"), ("cancelada", "C"), ("realizada", "F")):
            rows = world.pauta(
                tribunal, grau, user.ids_advogado[tribunal], dt.date(2000, 1, 1), dt.date(2100, 1, 1), codigo
            )
            expected = {
                r["id"]: (r["nrProcesso"], r["idProcesso"], to_utc(r["dataInicio"]), to_utc(r["dataFim"]),
                          r["statusDescricao"], r["salaAudiencia"]["nome"], r["tipo"]["descricao"],
                          r["poloAtivo"]["nome"].strip(), r["poloPassivo"]["nome"].strip(), r["urlAudienciaVirtual"])
                for r in rows
            }  # fmt: skip
            got = {
                a["id_externo"]: (a["numero_processo"], a["id_processo"], a["data_inicio"], a["data_fim"],
                              a["status_descricao"], a["sala_audiencia_nome"], a["tipo_audiencia"],
                              a["polo_ativo_nome"], a["polo_passivo_nome"], a["url_audiencia_virtual"])
                for a in auds[nome]
            }  # fmt: skip
            assert got == expected


def classify(parte: dict[str, Any], cpf: str) -> str:
    tipo = unicodedata.normalize("NFKD", parte["tipo"]).encode("ascii", "ignore").decode().upper().replace(" ", "_")
    if tipo.startswith(ESPECIAIS):
        return "terceiro"
    if any(r["cpf"] == cpf for r in parte["representantes"]):
        return "cliente"
    return "parte_contraria"


def test_partes_truth_classifies_each_party_for_the_lawyer(world: World) -> None:
    """Each party's classification follows pje-api.md §5 from the raw parties; names and documents normalized."""
    user = world.users[0]
    truth = world.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf, tipo="partes")
    por_caso = truth["tribunais"]["TRT3"]["primeiro_grau"][user.cpf]["partes"]
    classes = set()
    assert len(por_caso) == sum(
        len(world.painel("TRT3", "primeiro_grau", user.ids_advogado["TRT3"], a)) for a in (1, 5)
    )
    for caso in por_caso:
        raw = world.partes("TRT3", "primeiro_grau", caso["id_processo"])
        assert caso["sem_partes"] == (raw is None)
        lista = [p for polo in (raw or {}).values() for p in polo]
        assert [p["id_externo"] for p in caso["partes"]] == [p["id"] for p in lista]
        for parte, raw_parte in zip(caso["partes"], lista, strict=True):
            assert parte["classificacao"] == classify(raw_parte, user.cpf)
            assert parte["nome"] == raw_parte["nome"].strip()
            assert (parte["cpf"] or parte["cnpj"]) == re.sub(r"\D", "", raw_parte["documento"])
            if raw_parte.get("endereco"):
                assert parte["endereco"]["cep"] == raw_parte["endereco"]["nroCep"].replace("-", "")
            assert [r["oabs"][0]["uf"] + r["oabs"][0]["numero"] for r in parte["representantes"]] == [
                r["numeroOab"] for r in raw_parte["representantes"]
            ]
            classes.add(parte["classificacao"])
        if lista:
            assert any(p["classificacao"] == "cliente" for p in caso["partes"])
    assert classes == {"cliente", "parte_contraria", "terceiro"}


def test_timeline_truth_counts_documents_movements_and_downloadables(world: World) -> None:
    """Timeline truth: totals of documents and movements, and which documents are signed and not secret."""
    user = world.users[1]
    truth = world.truth(tribunal="TRT5", grau="segundo_grau", cpf=user.cpf, tipo="timeline")
    casos = truth["tribunais"]["TRT5"]["segundo_grau"][user.cpf]["timeline"]
    assert casos
    for caso in casos:
        raw = world.timeline("TRT5", "segundo_grau", caso["id_processo"])
        docs = [i for i in raw if i["documento"]]
        assert caso["total_documentos"] == len(docs)
        assert caso["total_movimentos"] == len(raw) - len(docs)
        baixaveis = sorted(i["id"] for i in docs if "idSignatario" in i and not i["documentoSigiloso"])
        assert caso["documentos_baixaveis"] == baixaveis
        assert [(i["id_externo"], i["data"]) for i in caso["itens"]] == [(i["id"], to_utc(i["data"])) for i in raw]


def test_truth_slices_and_lazy_parts(world: World) -> None:
    """Slicing by tribunal, grau, cpf and tipo returns just that; per-case parts only when asked for."""
    user = world.users[1]
    full = world.truth()
    assert set(full["tribunais"]) == {t.value for t in world.tribunais}
    assert set(full["tribunais"]["TST"]) == {"tribunal_superior"}
    bloco = full["tribunais"]["TRT3"]["primeiro_grau"][user.cpf]
    assert "partes" not in bloco
    assert "timeline" not in bloco
    part = world.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf, tipo="acervo_geral")
    assert list(part["tribunais"]) == ["TRT3"]
    assert list(part["tribunais"]["TRT3"]) == ["primeiro_grau"]
    assert part["tribunais"]["TRT3"]["primeiro_grau"] == {
        user.cpf: {"id_advogado": bloco["id_advogado"], "nome": user.nome, "acervo_geral": bloco["acervo_geral"]}
    }
    one = bloco["acervo_geral"][0]["id_externo"]
    single = world.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf, tipo="partes", id_processo=one)
    assert [c["id_processo"] for c in single["tribunais"]["TRT3"]["primeiro_grau"][user.cpf]["partes"]] == [one]


def test_truth_file_holds_the_list_captures(world: World, tmp_path) -> None:
    """The truth file is the JSON of ``truth()``: every list capture of every tribunal, grau and lawyer."""
    path = tmp_path / "var" / "truth.json"
    world.write_truth_file(path)
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(json.dumps(world.truth()))


def test_truth_grau_filter_across_tribunals(world: World) -> None:
    """Filtering by grau alone keeps only the tribunals that have it (the TST for tribunal_superior)."""
    user = world.users[0]
    superior = world.truth(grau="tribunal_superior", cpf=user.cpf, tipo="totalizadores")
    assert list(superior["tribunais"]) == ["TST"]
    formatted = f"{user.cpf[:3]}.{user.cpf[3:6]}.{user.cpf[6:9]}-{user.cpf[9:]}"
    segundo = world.truth(grau="segundo_grau", cpf=formatted, tipo="totalizadores")
    assert len(segundo["tribunais"]) == 24
    assert all(list(g) == ["segundo_grau"] for g in segundo["tribunais"].values())
    with pytest.raises(ValueError, match="grau"):
        world.truth(tribunal="TST", grau="primeiro_grau")
    with pytest.raises(ValueError, match="grau"):
        world.truth(grau="terceiro_grau")
