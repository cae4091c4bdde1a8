"""The sandbox world's PJE JSON: identifiers, determinism, counters, shapes and quirks (pje-api.md §3, §8)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterator

import pyotp
import pytest

from plugins.pje_trt.sandbox.world import World
from plugins.pje_trt.tribunais import TribunalTrt as Tribunal

TODAY = dt.date(2026, 11, 24)
CNJ = re.compile(r"^(\d{7})-(\d{2})\.(\d{4})\.(\d)\.(\d{2})\.(\d{4})$")
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.(\d{1,6}))?$")


def cpf_ok(cpf: str) -> bool:
    d = [int(c) for c in re.sub(r"\D", "", cpf)]
    if len(d) != 11 or len(set(d)) == 1:
        return False
    dv1 = sum(d[i] * (10 - i) for i in range(9)) * 10 % 11 % 10
    dv2 = sum(d[i] * (11 - i) for i in range(10)) * 10 % 11 % 10
    return d[9] == dv1 and d[10] == dv2


def cnpj_ok(cnpj: str) -> bool:
    d = [int(c) for c in re.sub(r"\D", "", cnpj)]
    if len(d) != 14:
        return False
    w1, w2 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    r1 = sum(a * b for a, b in zip(d[:12], w1, strict=True)) % 11
    r2 = sum(a * b for a, b in zip(d[:13], w2, strict=True)) % 11
    return d[12] == (0 if r1 < 2 else 11 - r1) and d[13] == (0 if r2 < 2 else 11 - r2)


def cnj_ok(numero: str, regiao: int) -> bool:
    m = CNJ.match(numero)
    if not m:
        return False
    nnn, dd, ano, j, tr, oooo = m.groups()
    return j == "5" and int(tr) == regiao and int(dd) == 98 - int(f"{nnn}{ano}{j}{tr}{oooo}00") % 97


def test_check_digit_helpers_accept_known_documents() -> None:
    """The test's own validators agree with well-known valid and invalid documents."""
    assert cpf_ok("529.982.247-25")
    assert not cpf_ok("529.982.247-24")
    assert not cpf_ok("111.111.111-11")
    assert cnpj_ok("11.222.333/0001-81")
    assert not cnpj_ok("11.222.333/0001-82")


@pytest.fixture(scope="module")
def world() -> World:
    return World.generate(seed=42, scale="tiny", users=3, today=TODAY)


def carteiras(world: World) -> Iterator[tuple[str, str, int]]:
    for t in world.tribunais:
        for g in t.graus:
            for user in world.users:
                yield t.value, g.value, user.ids_advogado[t.value]


def all_cases(world: World) -> Iterator[tuple[str, str, int, dict]]:
    for tribunal, grau, adv in carteiras(world):
        for agrupamento in (1, 5):
            for row in world.painel(tribunal, grau, adv, agrupamento):
                yield tribunal, grau, adv, row


def pessoas(partes: dict | list) -> Iterator[dict]:
    lista = partes if isinstance(partes, list) else [p for polo in partes.values() for p in polo]
    for parte in lista:
        yield parte
        yield from parte["representantes"]


def test_every_identifier_has_valid_check_digits(world: World) -> None:
    """Every CNJ number, CPF and CNPJ the world serves passes its check-digit formula; numero = NNNNNNN."""
    assert all(cpf_ok(u.cpf) for u in world.users)
    checked = Counter()
    for tribunal, grau, _adv, row in all_cases(world):
        regiao = Tribunal(tribunal).regiao or 0
        assert cnj_ok(row["numeroProcesso"], regiao), row["numeroProcesso"]
        assert row["numero"] == int(row["numeroProcesso"][:7])
        checked["cnj"] += 1
        partes = world.partes(tribunal, grau, row["id"])
        for pessoa in pessoas(partes or []):
            if pessoa["tipoDocumento"] == "CPF":
                assert cpf_ok(pessoa["documento"])
                assert pessoa["cpf"] == re.sub(r"\D", "", pessoa["documento"])
                assert pessoa["pessoaFisica"]["login"] == pessoa["cpf"]
                checked["cpf"] += 1
            else:
                assert cnpj_ok(pessoa["documento"])
                assert cnpj_ok(pessoa["pessoaJuridica"]["cnpj"])
                checked["cnpj"] += 1
    for tribunal, grau, adv in carteiras(world):
        for row in world.pauta(tribunal, grau, adv, TODAY - dt.timedelta(days=400), TODAY + dt.timedelta(400), "M"):
            polo = row["poloPassivo"]
            assert cpf_ok(polo["cpf"]) if "cpf" in polo else cnpj_ok(polo["cnpj"])
    assert min(checked.values()) > 50, checked


def test_same_seed_same_data_other_seed_other_data() -> None:
    """Two worlds from the same seed serve identical rows, parties, timelines and truth; another seed differs."""
    a = World.generate(seed=7, scale="tiny", users=2, today=TODAY)
    b = World.generate(seed=7, scale="tiny", users=2, today=TODAY)
    c = World.generate(seed=8, scale="tiny", users=2, today=TODAY)
    # Ask b in another order first: carteiras are built lazily and must not depend on the order.
    b.painel("TRT24", "segundo_grau", b.users[1].ids_advogado["TRT24"], 1)
    assert a.users == b.users
    assert a.users != c.users
    assert a.truth() == b.truth()
    assert a.truth()["tribunais"] != c.truth()["tribunais"]
    for tribunal, grau, adv, row in all_cases(a):
        assert a.partes(tribunal, grau, row["id"]) == b.partes(tribunal, grau, row["id"])
        assert a.timeline(tribunal, grau, row["id"]) == b.timeline(tribunal, grau, row["id"])
        assert a.painel(tribunal, grau, adv, 2) == b.painel(tribunal, grau, adv, 2)


def test_counters_agree_with_rows(world: World) -> None:
    """Counter 1 = acervo rows, 2 = rows(N) + rows(I), 5 = arquivados rows, in every tribunal and grau."""
    for tribunal, grau, adv in carteiras(world):
        tot = {t["idAgrupamentoProcessoTarefa"]: t for t in world.totalizadores(tribunal, grau, adv)}
        assert [tot[k]["nomeAgrupamentoTarefa"] for k in (1, 2, 5)] == [
            "Acervo Geral",
            "Pendentes de Manifestação",
            "Arquivados",
        ]
        assert tot[1]["quantidadeProcessos"] == len(world.painel(tribunal, grau, adv, 1))
        assert tot[5]["quantidadeProcessos"] == len(world.painel(tribunal, grau, adv, 5))
        n, i = world.painel(tribunal, grau, adv, 2, "N"), world.painel(tribunal, grau, adv, 2, "I")
        assert tot[2]["quantidadeProcessos"] == len(n) + len(i)
        assert all(r["dataPrazoLegalParte"] is None for r in i)
        assert all(r["dataPrazoLegalParte"] is not None for r in n)


def test_every_tribunal_and_grau_has_data(world: World) -> None:
    """At tiny scale every tribunal and grau (2º grau and the TST included) has cases for every user."""
    for tribunal, grau, adv in carteiras(world):
        assert world.painel(tribunal, grau, adv, 1), (tribunal, grau)


def test_pendentes_repeat_a_case_with_another_documento(world: World) -> None:
    """Pendentes are one row per expediente: the same case id comes back with a different idDocumento."""
    user = world.users[0]
    rows = world.painel("TRT3", "primeiro_grau", user.ids_advogado["TRT3"], 2, "N")
    by_case: dict[int, set[int]] = {}
    for row in rows:
        by_case.setdefault(row["id"], set()).add(row["idDocumento"])
    assert any(len(docs) > 1 for docs in by_case.values())
    assert len({r["idDocumento"] for r in rows}) == len(rows)


def test_pendente_fields_and_second_grau_extras(world: World) -> None:
    """Pendentes carry the expediente fields; 2º grau and TST rows add the turma and the relator."""
    user = world.users[0]
    first = world.painel("TRT3", "primeiro_grau", user.ids_advogado["TRT3"], 2, "N")[0]
    for key in ("idDocumento", "dataCienciaParte", "dataPrazoLegalParte", "dataCriacaoExpediente", "prazoVencido"):
        assert key in first
    assert "nomeRelator" not in first
    assert isinstance(first["siglaOrgaoJulgador"], str)
    second = world.painel("TRT3", "segundo_grau", user.ids_advogado["TRT3"], 2, "N")[0]
    assert second["descricaoOrgaoJulgadorColegiado"].endswith("Turma")
    assert second["nomeRelator"].startswith("DESEMBARGADOR")


def test_processo_rows_have_pje_field_names_and_types(world: World) -> None:
    """Painel rows have every Processo field of pje-api.md §3 with its JSON type."""
    types = {
        "id": int, "descricaoOrgaoJulgador": str, "classeJudicial": str, "numero": int, "numeroProcesso": str,
        "segredoDeJustica": bool, "codigoStatusProcesso": str, "prioridadeProcessual": int, "nomeParteAutora": str,
        "qtdeParteAutora": int, "nomeParteRe": str, "qtdeParteRe": int, "dataAutuacao": str, "juizoDigital": bool,
        "temAssociacao": bool,
    }  # fmt: skip
    classes = set()
    for _t, _g, _adv, row in all_cases(world):
        for key, kind in types.items():
            assert isinstance(row[key], kind), key
        assert "dataArquivamento" in row
        assert row["dataProximaAudiencia"] is None
        classes.add(row["classeJudicial"])
    assert {"ATOrd", "ATSum", "ROT", "AIRR"} <= classes


def test_quirks_padding_fraction_digits_and_partes_shapes(world: World) -> None:
    """Names are right-padded, timestamps carry 0 to 6 fraction digits, partes come as object or array."""
    digits: Counter[int] = Counter()
    padded = 0
    for _t, _g, _adv, row in all_cases(world):
        padded += row["nomeParteAutora"] != row["nomeParteAutora"].rstrip()
        padded += row["nomeParteRe"] != row["nomeParteRe"].rstrip()
        for key in ("dataAutuacao", "dataArquivamento"):
            if row[key] is not None:
                m = TS.match(row[key])
                assert m, row[key]
                digits[len(m.group(2) or "")] += 1
    assert padded > 10
    assert set(digits) == set(range(7)), digits

    user = world.users[0]
    trt3 = world.painel("TRT3", "primeiro_grau", user.ids_advogado["TRT3"], 1)[0]["id"]
    shape3 = world.partes("TRT3", "primeiro_grau", trt3)
    assert isinstance(shape3, dict)
    assert set(shape3) == {"ATIVO", "PASSIVO", "TERCEIROS"}
    for tribunal in ("TRT2", "TRT15"):
        rows = world.painel(tribunal, "primeiro_grau", user.ids_advogado[tribunal], 1)
        shapes = [world.partes(tribunal, "primeiro_grau", r["id"]) for r in rows]
        assert any(isinstance(s, list) and s for s in shapes)
        assert all(isinstance(s, list) or s is None for s in shapes)


def test_some_cases_have_no_parties(world: World) -> None:
    """Some cases answer ``None`` (the endpoint's 404) for their parties, but still have a timeline."""
    sem = [(t, g, row) for t, g, _adv, row in all_cases(world) if world.partes(t, g, row["id"]) is None]
    assert sem
    t, g, row = sem[0]
    assert world.timeline(t, g, row["id"])


def test_party_shape_and_the_lawyer_among_representatives(world: World) -> None:
    """Parties carry person, address and representatives; the logged lawyer represents the client side."""
    user = world.users[0]
    seen_tipos: set[str] = set()
    for row in world.painel("TRT3", "primeiro_grau", user.ids_advogado["TRT3"], 1):
        partes = world.partes("TRT3", "primeiro_grau", row["id"])
        if partes is None:
            continue
        ativos, passivos = partes["ATIVO"], partes["PASSIVO"]
        assert ativos[0]["principal"]
        assert ativos[0]["nome"].rstrip() == row["nomeParteAutora"].rstrip()
        assert len(ativos) == row["qtdeParteAutora"]
        assert len(passivos) == row["qtdeParteRe"]
        lados = [
            polo
            for polo, lista in partes.items()
            if lista and all(any(r["cpf"] == user.cpf for r in p["representantes"]) for p in lista)
        ]
        assert len(lados) == 1
        assert lados[0] in ("ATIVO", "PASSIVO")
        for parte in ativos + passivos + partes["TERCEIROS"]:
            seen_tipos.add(parte["tipo"])
            assert ("pessoaFisica" in parte) != ("pessoaJuridica" in parte)
            if not parte["enderecoDesconhecido"]:
                end = parte["endereco"]
                assert re.fullmatch(r"\d{5}-\d{3}", end["nroCep"])
                assert re.fullmatch(r"\d{7}", end["municipioIbge"])
                assert end["estado"]["sigla"] == "MG"
                assert end["pais"]["codigo"] == "076"
            for rep in parte["representantes"]:
                assert rep["tipo"] == "ADVOGADO"
                assert rep["situacaoOab"] == "REGULAR"
                assert re.fullmatch(r"[A-Z]{2}\d{4,6}", rep["numeroOab"])
    assert {"AUTOR", "RÉU"} <= seen_tipos


def test_pauta_rows_have_the_full_nested_shape(world: World) -> None:
    """Hearings come with processo, classe, órgão, tipo, polos and horário, filtered by situação and dates."""
    total = Counter()
    for tribunal, grau, adv in carteiras(world):
        for situacao in ("M", "C", "F"):
            rows = world.pauta(tribunal, grau, adv, TODAY - dt.timedelta(days=400), TODAY + dt.timedelta(400), situacao)
            total[situacao] += len(rows)
            for row in rows:
                assert row["status"] == situacao
                assert row["statusDescricao"] == {"M": "Designada", "C": "Cancelada", "F": "Realizada"}[situacao]
                assert set(row["processo"]["classeJudicial"]) >= {"id", "codigo", "descricao", "sigla", "ativo"}
                assert set(row["processo"]["orgaoJulgador"]) >= {"id", "descricao", "codigoServentiaCnj"}
                assert set(row["tipo"]) == {"id", "descricao", "codigo", "isVirtual"}
                assert row["poloAtivo"]["poloEnum"] == "ATIVO"
                assert row["poloPassivo"]["polo"] == "passivo"
                assert re.fullmatch(r"\d{2}:\d{2}:\d{2}", row["pautaAudienciaHorario"]["horaInicial"])
                assert row["idProcesso"] == row["processo"]["id"]
                assert row["nrProcesso"] == row["processo"]["numero"]
                assert (row["urlAudienciaVirtual"] is not None) == row["tipo"]["isVirtual"]
                day = dt.date.fromisoformat(row["dataInicio"][:10])
                assert (day >= TODAY) == (situacao == "M") or situacao == "C"
    assert all(total[s] > 0 for s in "MCF"), total
    user = world.users[0]
    assert world.pauta("TRT3", "primeiro_grau", user.ids_advogado["TRT3"], TODAY, TODAY, "Z") == []


def test_timeline_documents_metadata_and_pdfs(world: World) -> None:
    """Every timeline document has metadata and a real PDF; movements carry a CNJ code; some are not downloadable."""
    flags = Counter()
    for tribunal, grau, _adv, row in list(all_cases(world))[:120]:
        items = world.timeline(tribunal, grau, row["id"])
        assert items
        assert [i["data"] for i in items] == sorted((i["data"] for i in items), reverse=True)
        for item in items:
            if not item["documento"]:
                assert isinstance(item["codigoMovimentoCNJ"], int)
                assert world.documento(tribunal, grau, row["id"], item["id"]) is None
                flags["movimento"] += 1
                continue
            meta = world.documento(tribunal, grau, row["id"], item["id"])
            pdf = world.documento_conteudo(tribunal, grau, row["id"], item["id"])
            assert meta is not None
            assert pdf is not None
            assert pdf.startswith(b"%PDF-")
            assert pdf.rstrip().endswith(b"%%EOF")
            assert meta["md5"] == hashlib.md5(pdf).hexdigest()  # noqa: S324 - PJE checksum
            assert meta["tamanho"] == len(pdf)
            assert meta["idProcesso"] == row["id"]
            assert meta["tipoArquivo"] == "PDF"
            assert meta["assinado"] == ("idSignatario" in item)
            assert meta["sigiloso"] == item["documentoSigiloso"]
            flags["sigiloso"] += item["documentoSigiloso"]
            flags["sem_assinatura"] += "idSignatario" not in item
            flags["documento"] += 1
    assert all(flags[k] > 0 for k in ("movimento", "documento", "sigiloso", "sem_assinatura")), flags
    assert world.documento_conteudo("TRT3", "primeiro_grau", 1, 1) is None
    assert world.timeline("TRT3", "primeiro_grau", 1) is None


def test_pdfs_have_a_consistent_cross_reference_table(world: World) -> None:
    """The PDF's xref offsets point at its objects, startxref at the table, and the stream length is exact."""
    user = world.users[0]
    case = world.painel("TRT3", "primeiro_grau", user.ids_advogado["TRT3"], 1)[0]["id"]
    doc = next(i["id"] for i in world.timeline("TRT3", "primeiro_grau", case) if i["documento"])
    pdf = world.documento_conteudo("TRT3", "primeiro_grau", case, doc)
    assert pdf is not None
    startxref = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[startxref:].startswith(b"xref")
    entries = pdf[startxref:].split(b"trailer")[0].splitlines()[3:]
    for number, entry in enumerate(entries, start=1):
        offset = int(entry.split()[0])
        assert pdf[offset:].startswith(b"%d 0 obj" % number)
    length = int(re.search(rb"/Length (\d+)", pdf).group(1))
    stream = pdf.split(b"stream\n", 1)[1]
    assert stream[length:].startswith(b"\nendstream")
    assert pdf == world.documento_conteudo("TRT3", "primeiro_grau", case, doc)


def test_pendente_documents_are_timeline_intimacoes(world: World) -> None:
    """A pendente's idDocumento is an Intimação in its case's timeline."""
    user = world.users[0]
    for row in world.painel("TRT3", "primeiro_grau", user.ids_advogado["TRT3"], 2):
        items = {i["id"]: i for i in world.timeline("TRT3", "primeiro_grau", row["id"])}
        assert items[row["idDocumento"]]["titulo"] == "Intimação"


def test_cases_are_visible_only_to_their_lawyer(world: World) -> None:
    """A lawyer sees their own cases only; unknown ids and other tribunals see nothing."""
    a, b = world.users[0], world.users[1]
    case = world.painel("TRT3", "primeiro_grau", a.ids_advogado["TRT3"], 1)[0]["id"]
    assert world.processo_visivel("TRT3", "primeiro_grau", a.ids_advogado["TRT3"], case)
    assert not world.processo_visivel("TRT3", "primeiro_grau", b.ids_advogado["TRT3"], case)
    assert not world.processo_visivel("TRT3", "primeiro_grau", a.ids_advogado["TRT3"], 12)
    assert world.painel("TRT3", "primeiro_grau", 99, 1) == []


def test_users_are_many_distinct_and_secret_in_reprs(world: World, tmp_path) -> None:
    """Users have valid unique CPFs, usable TOTP secrets, unique lawyer ids per tribunal; reprs hide secrets."""
    many = World.generate(seed=1, scale="tiny", users=40, tribunais=["TRT3", "TST"], today=TODAY)
    assert len({u.cpf for u in many.users}) == 40
    assert len({u.ids_advogado["TRT3"] for u in many.users}) == 40
    assert all(10_000 <= u.ids_advogado["TST"] <= 99_999 for u in many.users)
    user = many.users[5]
    assert len(pyotp.TOTP(user.totp_secret).now()) == 6
    assert many.user_by_login(user.cpf) == user
    assert many.user_by_advogado("TRT3", user.ids_advogado["TRT3"]) == user
    assert user.cpf not in repr(user)
    assert user.senha not in repr(user)
    assert user.totp_secret not in repr(user)

    path = tmp_path / "users.json"
    urls = {"TRT3": {"primeiro_grau": "http://127.0.1.3:8800/primeirograu/login.seam"}}
    many.write_users_file(path, urls)
    assert os.stat(path).st_mode & 0o777 == 0o600
    data = json.loads(path.read_text())
    assert data["tribunais"] == urls
    assert data["users"][5] == dataclasses.asdict(user)


def test_bad_arguments_are_refused() -> None:
    """Unknown scales, user counts below one, unknown tribunals and truth filters raise ValueError."""
    with pytest.raises(ValueError, match="escala"):
        World.generate(seed=1, scale="huge")
    with pytest.raises(ValueError, match="users"):
        World.generate(seed=1, scale="tiny", users=0)
    with pytest.raises(ValueError, match="tribunal"):
        World.generate(seed=1, scale="tiny", tribunais=["TRT99"])
    w = World.generate(seed=1, scale="tiny", tribunais=["TRT3"], today=TODAY)
    with pytest.raises(ValueError, match="tipo"):
        w.truth(tipo="processos")
    with pytest.raises(ValueError, match="tribunal"):
        w.truth(tribunal="TRT4")
    assert w.painel("TRT4", "primeiro_grau", w.users[0].ids_advogado["TRT3"], 1) == []
