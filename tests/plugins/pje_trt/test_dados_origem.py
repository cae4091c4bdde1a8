"""``dados_origem`` keeps no personal data in clear, and migration 0006_i17 reduces old rows the same way (issue 17)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from plugins.pje_trt import dados_origem as pje_dados
from plugins.pje_trt.partes import ler_partes
from plugins.pje_trt.sandbox.world import World
from plugins.pje_trt.timeline import ler_timeline
from sinesys_spiders.core.db.repositories import timeline as repo_timeline

TODAY = dt.date(2026, 11, 24)
_MIGRACAO = next(
    (Path(repo_timeline.__file__).parents[1] / "migrations" / "versions").glob("*_0006_i17.py")
)  # fmt: skip


@pytest.fixture(scope="module")
def world() -> World:
    return World.generate(seed=17, scale="small", users=1, tribunais=["TRT3"], today=TODAY)


@pytest.fixture(scope="module")
def migracao() -> ModuleType:
    spec = importlib.util.spec_from_file_location("migracao_0006_i17", _MIGRACAO)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _respostas(world: World) -> list[Any]:
    user = world.users[0]
    truth = world.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf, tipo="partes")
    casos = truth["tribunais"]["TRT3"]["primeiro_grau"][user.cpf]["partes"]
    return [p for c in casos if (p := world.partes("TRT3", "primeiro_grau", c["id_processo"])) is not None]


def _pessoas(payload: Any) -> list[dict[str, Any]]:
    polos = payload if isinstance(payload, list) else [p for v in payload.values() for p in v]
    return [*polos, *(r for p in polos for r in p.get("representantes") or [])]


def test_no_name_document_contact_or_street_of_a_party_stays_in_clear_in_dados_origem(world: World) -> None:
    """Every party's, representative's and address's copy holds PJE's ids and codes, and none of the personal
    values of the answer (CPF/CNPJ digits, names, e-mails, phones, streets, CEPs, mothers' names)."""
    user = world.users[0]
    vistos = 0
    for payload in _respostas(world)[:20]:
        pessoais: set[str] = set()
        for raw in _pessoas(payload):
            pf, pj, end = raw.get("pessoaFisica") or {}, raw.get("pessoaJuridica") or {}, raw.get("endereco") or {}
            valores = [raw.get("nome"), raw.get("documento"), raw.get("cpf"), raw.get("email"), pf.get("login"),
                       pf.get("nomeGenitora"), pf.get("dataNascimento"), pj.get("cnpj"),
                       pj.get("numeroCpfResponsavel"), end.get("logradouro"), end.get("nroCep"),
                       (raw.get("telefones") or {}).get("numeroCelular")]  # fmt: skip
            pessoais |= {str(v).strip() for v in valores if v}
        for parte in ler_partes(payload, cpf_advogado=user.cpf):
            copias = [parte.dados_origem, *(r.dados_origem for r in parte.representantes)]
            copias += [e.dados_origem for e in [parte.endereco, *(r.endereco for r in parte.representantes)] if e]
            for copia in copias:
                assert copia is not None
                assert copia.get("id") is not None  # PJE's own id stays
                texto = json.dumps(copia, ensure_ascii=False)
                vazados = [v for v in pessoais if v in texto]
                assert vazados == [], vazados
                vistos += 1
    assert vistos > 50


def test_a_timeline_item_keeps_no_title_nor_signer_name(world: World) -> None:
    """A timeline row's copy keeps ids, codes and dates; the title and who signed it are not in it."""
    user = world.users[0]
    truth = world.truth(tribunal="TRT3", grau="primeiro_grau", cpf=user.cpf, tipo="timeline")
    caso = truth["tribunais"]["TRT3"]["primeiro_grau"][user.cpf]["timeline"][0]
    itens = world.timeline("TRT3", "primeiro_grau", caso["id_processo"])
    assert itens
    for raw, lido in zip(itens, ler_timeline(itens), strict=True):
        copia = lido.dados_origem
        assert copia["id"] == raw["id"]
        assert not {"titulo", "nomeResponsavel", "nomeSignatario"} & set(copia)


def test_the_migration_reduces_an_old_row_to_exactly_what_a_capture_writes_now(
    world: World, migracao: ModuleType
) -> None:
    """Migration 0006_i17 holds the same allowlists, and an old full copy reduced by it equals the copy the capture
    writes now: the next capture finds the migrated rows unchanged (no update, no version)."""
    assert migracao.PESSOA == pje_dados.PESSOA
    assert migracao.ENDERECO == pje_dados.ENDERECO
    assert migracao.ITEM_TIMELINE == pje_dados.ITEM_TIMELINE
    pessoa = migracao._campos(migracao.PESSOA)
    endereco = migracao._campos(migracao.ENDERECO)
    payload = _respostas(world)[0]
    polos = payload if isinstance(payload, list) else [p for v in payload.values() for p in v]
    for raw, parte in zip(polos, ler_partes(payload, cpf_advogado=None), strict=True):
        antiga = {k: v for k, v in raw.items() if k != "representantes"}  # what 0005 rows hold
        assert migracao._reduzir(antiga, pessoa) == parte.dados_origem
        if parte.endereco is not None:
            assert migracao._reduzir(dict(raw["endereco"]), endereco) == parte.endereco.dados_origem
