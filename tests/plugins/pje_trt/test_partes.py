"""PJE-TRT parties: both answer shapes read, every party classified as the sandbox's ground truth says."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from plugins.pje_trt.partes import classificar, ler_partes, partes_url, tipo_especial
from plugins.pje_trt.sandbox.world import World
from sinesys_spiders.core.errors import RespostaInvalida
from sinesys_spiders.core.items_processo import RepresentanteParte

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def world() -> World:
    return World.generate(seed=11, scale="small", users=2, tribunais=["TRT2", "TRT3"], today=TODAY)


def _normalizado(parte: Any) -> dict[str, Any]:
    """A parsed party in the ground truth's vocabulary."""
    endereco = parte.endereco
    return {
        "id_externo": parte.id_externo,
        "id_pessoa": parte.id_pessoa_externo,
        "nome": parte.nome,
        "tipo_pessoa": "pj" if parte.tipo_pessoa == "J" else "pf",
        "cpf": parte.cpf,
        "cnpj": parte.cnpj,
        "polo": parte.polo,
        "tipo": parte.tipo_parte,
        "id_tipo_parte": parte.id_tipo_parte,
        "emails": parte.emails,
        "principal": parte.principal,
        "ordem": parte.ordem,
        "classificacao": parte.classificacao.value,
        "endereco": None
        if endereco is None
        else {
            "id_externo": endereco.id_externo,
            "logradouro": endereco.logradouro,
            "numero": endereco.numero,
            "complemento": endereco.complemento,
            "bairro": endereco.bairro,
            "municipio": endereco.municipio,
            "municipio_ibge": endereco.municipio_ibge,
            "estado_sigla": endereco.estado_sigla,
            "pais_codigo": endereco.pais_codigo,
            "cep": endereco.cep,
        },
    }


def _truth_parte(parte: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in parte.items() if k != "representantes"}


@pytest.mark.parametrize("tribunal", ["TRT2", "TRT3"])
def test_every_party_matches_the_ground_truth(world: World, tribunal: str) -> None:
    """Each case's parties, addresses, representatives, OABs and classification equal the ground truth."""
    user = world.users[0]
    truth = world.truth(tribunal=tribunal, grau="primeiro_grau", cpf=user.cpf, tipo="partes")
    casos = truth["tribunais"][tribunal]["primeiro_grau"][user.cpf]["partes"]
    assert casos
    vistos = {"cliente": 0, "parte_contraria": 0, "terceiro": 0, "sem_partes": 0}
    for caso in casos:
        payload = world.partes(tribunal, "primeiro_grau", caso["id_processo"])
        if caso["sem_partes"]:
            assert payload is None
            vistos["sem_partes"] += 1
        if tribunal == "TRT2" and payload is not None:
            assert isinstance(payload, list)
        partes = ler_partes(payload, cpf_advogado=user.cpf)
        assert [_normalizado(p) for p in partes] == [_truth_parte(p) for p in caso["partes"]]
        for parte, esperada in zip(partes, caso["partes"], strict=True):
            vistos[parte.classificacao.value] += 1
            reps = [
                {"cpf": r.cpf, "nome": r.nome, "oabs": [{"numero": o.numero, "uf": o.uf} for o in r.oabs]}
                for r in parte.representantes
            ]
            assert reps == [{"cpf": r["cpf"], "nome": r["nome"], "oabs": r["oabs"]} for r in esperada["representantes"]]
            assert all(o.situacao == "REGULAR" for r in parte.representantes for o in r.oabs)
    assert vistos["cliente"]
    assert vistos["parte_contraria"]


def test_special_types_are_third_parties_even_when_the_lawyer_represents_them() -> None:
    """PERITO, MINISTÉRIO PÚBLICO, TESTEMUNHA... are terceiros; the rule on the lawyer comes second."""
    rep = RepresentanteParte(nome="ADV", cpf="52998224725")
    assert tipo_especial("PERITO CONTÁBIL")
    assert tipo_especial("Ministério Público do Trabalho")
    assert not tipo_especial("RÉU")
    assert classificar("TESTEMUNHA", [rep], "529.982.247-25") == "terceiro"
    assert classificar("AUTOR", [rep], "529.982.247-25") == "cliente"
    assert classificar("AUTOR", [rep], "11144477735") == "parte_contraria"
    assert classificar("AUTOR", [rep], None) == "parte_contraria"


def test_a_404_is_a_case_without_parties_and_a_strange_answer_is_an_error() -> None:
    """``None`` (the 404) gives no parties; an answer of another shape is a clear error."""
    assert ler_partes(None, cpf_advogado="52998224725") == []
    with pytest.raises(RespostaInvalida):
        ler_partes("<html>", cpf_advogado=None)
    with pytest.raises(RespostaInvalida):
        ler_partes({"outra": []}, cpf_advogado=None)


def test_partes_url_asks_for_addresses() -> None:
    """The request names the case and asks for addresses."""
    assert partes_url("https://pje.trt3.jus.br/pje-comum-api/api/", 123) == (
        "https://pje.trt3.jus.br/pje-comum-api/api/processos/id/123/partes?retornaEndereco=true"
    )
