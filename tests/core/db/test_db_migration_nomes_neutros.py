"""Migration 0005_i16 renames the PJE-named columns to neutral names and keeps every row (both back ends)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import inspect

from sinesys_spiders.core.db.engine import make_engine
from sinesys_spiders.core.db.migrate import alembic_config, current, head, upgrade
from sinesys_spiders.testing.db_fixtures import CreateDatabase

_AGORA = "2026-12-01 12:00:00+00:00"


def _linhas(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def _colunas(url: str, tabela: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns(tabela)}
    finally:
        engine.dispose()


def test_upgrade_keeps_rows_under_the_new_names_and_downgrade_restores_them(create_database: CreateDatabase) -> None:
    """A database at 0004_i13 with cases and catalogue rows keeps them, ids and payloads, across 0005 and back."""
    url = create_database(migrated=False)
    upgrade(url, "0004_i13")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO acervo (origem, id_pje, tribunal, grau, numero_processo, created_at, updated_at) "
                    "VALUES ('acervo_geral', 4242, 'TRT3', 'primeiro_grau', '0010001-23.2024.5.03.0001', :t, :t)"
                ),
                {"t": _AGORA},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO classes_judiciais (id_pje, tribunal, grau, descricao, dados_pje, created_at, "
                    "updated_at) VALUES (7, 'TRT3', 'primeiro_grau', 'Ação Trabalhista', :dados, :t, :t)"
                ),
                {"t": _AGORA, "dados": '{"id": 7, "sigla": "ATOrd"}'},
            )
    finally:
        engine.dispose()

    upgrade(url)
    assert current(url) == head()
    assert "id_externo" in _colunas(url, "acervo")
    assert "id_pje" not in _colunas(url, "acervo")
    assert {"id_advogado_externo"} <= _colunas(url, "sessoes")
    assert _linhas(url, "SELECT id_externo, numero_processo FROM acervo") == [(4242, "0010001-23.2024.5.03.0001")]
    [(id_externo, dados)] = _linhas(url, "SELECT id_externo, dados_origem FROM classes_judiciais")
    assert id_externo == 7
    assert "ATOrd" in str(dados)

    engine = make_engine(url)
    try:
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO acervo (origem, id_externo, tribunal, grau, numero_processo, created_at, "
                    "updated_at) VALUES ('acervo_geral', 4242, 'TRT3', 'primeiro_grau', "
                    "'0010001-23.2024.5.03.0001', :t, :t)"
                ),
                {"t": _AGORA},
            )
    finally:
        engine.dispose()

    command.downgrade(alembic_config(url), "0004_i13")
    assert "id_pje" in _colunas(url, "acervo")
    assert _linhas(url, "SELECT id_pje FROM acervo") == [(4242,)]
    assert "dados_pje" in _colunas(url, "classes_judiciais")


def _inserir(url: str, *comandos: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for sql in comandos:
                conn.execute(sa.text(sql), {"t": _AGORA})
    finally:
        engine.dispose()


_PARTE_SEM_DOCUMENTO = (
    "INSERT INTO partes (tipo_pessoa, nome, emails, telefones, {col}, tribunal, created_at, updated_at) "
    "VALUES ('F', 'Fulano', '[]', '[]', {valor}, 'TRT3', :t, :t)"
)


def test_0007_keeps_case_person_and_document_ids_under_neutral_names_and_back(create_database: CreateDatabase) -> None:
    """Parties, addresses, timelines and documents keep their tribunal ids across 0007_i16 and its downgrade; the
    dedup keys (a party without CPF/CNPJ by person id and tribunal, a timeline per case) still hold after it."""
    url = create_database(migrated=False)
    upgrade(url, "0006_i17")
    _inserir(
        url,
        _PARTE_SEM_DOCUMENTO.format(col="id_pessoa_pje", valor=555),
        "INSERT INTO enderecos (id_externo, entidade_tipo, entidade_id, classificacoes, id_municipio_pje, "
        "alterado_pje_em, created_at, updated_at) VALUES (9, 'parte', 1, '[]', 3106200, :t, :t, :t)",
        "INSERT INTO timelines (id_processo_pje, tribunal, grau, capturado_em, timeline, metadata, created_at, "
        "updated_at) VALUES (2345678, 'TRT3', 'primeiro_grau', :t, '[]', '{}', :t, :t)",
        "INSERT INTO documentos (tribunal, grau, id_processo_pje, id_documento_pje, md5_pje, sha256, tamanho, "
        "caminho, baixado_em) VALUES ('TRT3', 'primeiro_grau', 2345678, 77, 'abc', 'f00', 10, 'a/b.pdf', :t)",
    )

    upgrade(url, "0007_i16")
    assert _linhas(url, "SELECT id_pessoa_externo, tribunal FROM partes") == [(555, "TRT3")]
    assert _linhas(url, "SELECT id_municipio_externo FROM enderecos") == [(3106200,)]
    assert _linhas(url, "SELECT count(*) FROM enderecos WHERE alterado_origem_em IS NOT NULL") == [(1,)]
    assert _linhas(url, "SELECT id_processo_externo FROM timelines") == [(2345678,)]
    assert _linhas(url, "SELECT id_processo_externo, id_documento_externo, md5_externo FROM documentos") == [
        (2345678, 77, "abc")
    ]
    for tabela, colunas in {
        "representantes": {"id_pessoa_externo"},
        "processo_partes": {"id_pessoa_externo"},
        "timeline_itens": {"id_processo_externo"},
        "salas_audiencia": {"orgao_julgador_id_externo"},
        "audiencias": {"id_processo_externo"},
    }.items():
        nomes = _colunas(url, tabela)
        assert colunas <= nomes
        assert not any(n.endswith("_pje") or "_pje_" in n for n in nomes)
    for duplicada in (
        _PARTE_SEM_DOCUMENTO.format(col="id_pessoa_externo", valor=555),  # the partial unique index
        _PARTE_SEM_DOCUMENTO.format(col="id_pessoa_externo", valor="NULL"),  # the CHECK on the renamed column
        "INSERT INTO timelines (id_processo_externo, tribunal, grau, capturado_em, timeline, metadata, "
        "created_at, updated_at) VALUES (2345678, 'TRT3', 'primeiro_grau', :t, '[]', '{}', :t, :t)",
    ):
        with pytest.raises(sa.exc.IntegrityError):
            _inserir(url, duplicada)

    command.downgrade(alembic_config(url), "0006_i17")
    assert _linhas(url, "SELECT id_pessoa_pje FROM partes") == [(555,)]
    assert _linhas(url, "SELECT id_municipio_pje FROM enderecos") == [(3106200,)]
    assert _linhas(url, "SELECT id_processo_pje, id_documento_pje, md5_pje FROM documentos") == [(2345678, 77, "abc")]
    with pytest.raises(sa.exc.IntegrityError):
        _inserir(url, _PARTE_SEM_DOCUMENTO.format(col="id_pessoa_pje", valor=555))
