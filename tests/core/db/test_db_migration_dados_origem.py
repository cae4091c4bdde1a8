"""Migration 0006_i17 reduces the clear ``dados_origem`` copies (and their versions) and keeps every row (issue 17)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from sinesys_spiders.core.db.engine import make_engine
from sinesys_spiders.core.db.migrate import current, head, upgrade
from sinesys_spiders.testing.db_fixtures import CreateDatabase

_AGORA = "2026-12-01 12:00:00+00:00"
_CPF = "52998224725"
_PARTE = {
    "id": 901, "idPessoa": 77, "polo": "ATIVO", "tipo": "RECLAMANTE", "nome": "MARIA DAS DORES  ", "cpf": _CPF,
    "documento": "529.982.247-25", "email": "maria@email.com.br", "telefones": {"numeroCelular": "912345678"},
    "pessoaFisica": {"id": 77, "login": _CPF, "nomeGenitora": "ANA DAS DORES", "situacaoCpfReceitaFederal": {"id": 1}},
}  # fmt: skip
_ENDERECO = {"id": 5, "logradouro": "RUA DAS FLORES", "numero": "12", "nroCep": "30100-000",
             "estado": {"id": 13, "sigla": "MG"}, "municipioIbge": "3106200"}  # fmt: skip
_ITEM = {"id": 3, "titulo": "Petição de MARIA DAS DORES", "nomeSignatario": "JOSE ADVOGADO", "idSignatario": 8,
         "documento": True, "tipo": "Petição"}  # fmt: skip


def _sql(url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(sa.text(sql), params)
            return [tuple(r) for r in result] if result.returns_rows else []
    finally:
        engine.dispose()


def _json(value: object) -> dict:
    return value if isinstance(value, dict) else json.loads(str(value))


def test_upgrade_reduces_every_copy_and_version_keeping_rows_and_typed_columns(create_database: CreateDatabase) -> None:
    """A database at 0005_i16 whose rows hold PJE's whole records: after 0006 no CPF, name, e-mail, phone or street
    is left in any ``dados_origem`` or version of it, PJE's ids and codes are, and the typed columns are as before."""
    url = create_database(migrated=False)
    upgrade(url, "0005_i16")
    t = {"t": _AGORA}
    _sql(
        url,
        "INSERT INTO acervo (id, origem, id_externo, tribunal, grau, numero_processo, created_at, updated_at) "
        "VALUES (1, 'acervo_geral', 4242, 'TRT3', 'primeiro_grau', '0010001-23.2024.5.03.0001', :t, :t)",
        **t,
    )
    _sql(
        url,
        "INSERT INTO partes (id, tipo_pessoa, nome, cpf, emails, telefones, dados_origem, created_at, updated_at) "
        "VALUES (1, 'F', 'MARIA DAS DORES', :cpf, '[]', '[]', :d, :t, :t)",
        cpf=_CPF,
        d=json.dumps(_PARTE),
        **t,
    )
    _sql(
        url,
        "INSERT INTO processo_partes (processo_id, parte_id, classificacao, polo, tipo_parte, tribunal, grau, "
        "dados_origem, created_at, updated_at) VALUES (1, 1, 'cliente', 'ativo', 'RECLAMANTE', 'TRT3', "
        "'primeiro_grau', :d, :t, :t)",
        d=json.dumps(_PARTE),
        **t,
    )
    _sql(
        url,
        "INSERT INTO enderecos (id_externo, entidade_tipo, entidade_id, logradouro, classificacoes, "
        "dados_origem, created_at, updated_at) VALUES (5, 'parte', 1, 'RUA DAS FLORES', '[]', :d, :t, :t)",
        d=json.dumps(_ENDERECO),
        **t,
    )
    _sql(
        url,
        "INSERT INTO timeline_itens (tribunal, grau, id_processo_pje, id_externo, tipo, titulo, dados_origem, "
        "created_at, updated_at) VALUES ('TRT3', 'primeiro_grau', 4242, 3, 'documento', 'Petição', :d, :t, :t)",
        d=json.dumps(_ITEM),
        **t,
    )
    for n, chave in enumerate(("dados_origem", "dados_pje"), start=1):  # a version written before 0005 too
        versao = {"id": 1, "nome": "MARIA DAS DORES", "cpf": _CPF, chave: _PARTE}
        _sql(url, "INSERT INTO registro_versoes (id, tabela, registro_id, versao, campos_alterados, created_at) "
                  "VALUES (:id, 'partes', 1, :v, '[]', :t)", id=n, v=json.dumps(versao), **t)  # fmt: skip

    upgrade(url)
    assert current(url) == head()

    copias = [_json(d) for (d,) in _sql(url, "SELECT dados_origem FROM partes UNION ALL "
                                             "SELECT dados_origem FROM processo_partes")]  # fmt: skip
    assert copias == [{"id": 901, "idPessoa": 77, "polo": "ATIVO", "tipo": "RECLAMANTE",
                       "pessoaFisica": {"id": 77, "situacaoCpfReceitaFederal": {"id": 1}}}] * 2  # fmt: skip
    [(endereco,)] = _sql(url, "SELECT dados_origem FROM enderecos")
    assert _json(endereco) == {"id": 5, "estado": {"id": 13, "sigla": "MG"}, "municipioIbge": "3106200"}
    [(item,)] = _sql(url, "SELECT dados_origem FROM timeline_itens")
    assert _json(item) == {"id": 3, "idSignatario": 8, "documento": True, "tipo": "Petição"}
    versoes = [_json(v) for (v,) in _sql(url, "SELECT versao FROM registro_versoes ORDER BY id")]
    assert versoes[0]["dados_origem"] == copias[0]
    assert versoes[1]["dados_pje"] == copias[0]
    assert versoes[0]["cpf"] == _CPF  # the typed columns of a version are as they were
    assert _sql(url, "SELECT nome, cpf FROM partes") == [("MARIA DAS DORES", _CPF)]
    assert _sql(url, "SELECT logradouro FROM enderecos") == [("RUA DAS FLORES",)]
