"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 00:39:26.631077+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "advogados",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nome_completo", sa.String(length=255), nullable=False),
        sa.Column("cpf", sa.String(length=11), nullable=False),
        sa.Column(
            "oabs", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(cpf) = 11", name=op.f("ck_advogados_cpf_11_digitos")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advogados")),
        sa.UniqueConstraint("cpf", name=op.f("uq_advogados_cpf")),
    )
    op.create_table(
        "classes_judiciais",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_pje", sa.BigInteger(), nullable=False),
        sa.Column("tribunal", sa.String(length=8), nullable=False),
        sa.Column("grau", sa.String(length=20), nullable=False),
        sa.Column("codigo", sa.String(length=20), nullable=True),
        sa.Column("descricao", sa.String(length=255), nullable=True),
        sa.Column("sigla", sa.String(length=30), nullable=True),
        sa.Column("requer_processo_referencia_codigo", sa.String(length=30), nullable=True),
        sa.Column("controla_valor_causa", sa.Boolean(), nullable=True),
        sa.Column("pode_incluir_autoridade", sa.Boolean(), nullable=True),
        sa.Column("piso_valor_causa", sa.Numeric(precision=15, scale=2, asdecimal=False), nullable=True),
        sa.Column("teto_valor_causa", sa.Numeric(precision=15, scale=2, asdecimal=False), nullable=True),
        sa.Column("ativo", sa.Boolean(), nullable=True),
        sa.Column("id_classe_judicial_pai", sa.BigInteger(), nullable=True),
        sa.Column("possui_filhos", sa.Boolean(), nullable=True),
        sa.Column(
            "dados_pje", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classes_judiciais")),
        sa.UniqueConstraint("id_pje", "tribunal", "grau", name=op.f("uq_classes_judiciais_id_pje")),
    )
    op.create_table(
        "enderecos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_pje", sa.BigInteger(), nullable=False),
        sa.Column("entidade_tipo", sa.String(length=20), nullable=False),
        sa.Column("entidade_id", sa.Integer(), nullable=False),
        sa.Column("logradouro", sa.String(length=500), nullable=True),
        sa.Column("numero", sa.String(length=30), nullable=True),
        sa.Column("complemento", sa.String(length=255), nullable=True),
        sa.Column("bairro", sa.String(length=255), nullable=True),
        sa.Column("id_municipio_pje", sa.BigInteger(), nullable=True),
        sa.Column("municipio", sa.String(length=255), nullable=True),
        sa.Column("municipio_ibge", sa.String(length=7), nullable=True),
        sa.Column("estado_sigla", sa.String(length=2), nullable=True),
        sa.Column("estado_descricao", sa.String(length=60), nullable=True),
        sa.Column("pais_codigo", sa.String(length=5), nullable=True),
        sa.Column("pais_descricao", sa.String(length=60), nullable=True),
        sa.Column("cep", sa.String(length=9), nullable=True),
        sa.Column("correspondencia", sa.Boolean(), nullable=True),
        sa.Column("situacao", sa.String(length=1), nullable=True),
        sa.Column(
            "classificacoes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("alterado_pje_em", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tribunal", sa.String(length=8), nullable=True),
        sa.Column("grau", sa.String(length=20), nullable=True),
        sa.Column(
            "dados_pje", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("entidade_tipo IN ('parte', 'representante')", name=op.f("ck_enderecos_entidade_tipo")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enderecos")),
        sa.UniqueConstraint("id_pje", "entidade_tipo", "entidade_id", name=op.f("uq_enderecos_id_pje")),
    )
    with op.batch_alter_table("enderecos", schema=None) as batch_op:
        batch_op.create_index("ix_enderecos_entidade_tipo_entidade_id", ["entidade_tipo", "entidade_id"], unique=False)

    op.create_table(
        "locks",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "metadata", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_locks")),
    )
    with op.batch_alter_table("locks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_locks_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "orgaos_julgadores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_pje", sa.BigInteger(), nullable=False),
        sa.Column("tribunal", sa.String(length=8), nullable=False),
        sa.Column("grau", sa.String(length=20), nullable=False),
        sa.Column("descricao", sa.String(length=255), nullable=False),
        sa.Column("cejusc", sa.Boolean(), nullable=True),
        sa.Column("ativo", sa.Boolean(), nullable=True),
        sa.Column("posto_avancado", sa.Boolean(), nullable=True),
        sa.Column("novo_orgao_julgador", sa.Boolean(), nullable=True),
        sa.Column("codigo_serventia_cnj", sa.BigInteger(), nullable=True),
        sa.Column(
            "dados_pje", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orgaos_julgadores")),
        sa.UniqueConstraint("id_pje", "tribunal", "grau", name=op.f("uq_orgaos_julgadores_id_pje")),
    )
    op.create_table(
        "partes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tipo_pessoa", sa.String(length=1), nullable=False),
        sa.Column("nome", sa.String(length=500), nullable=False),
        sa.Column("cpf", sa.String(length=11), nullable=True),
        sa.Column("cnpj", sa.String(length=14), nullable=True),
        sa.Column("id_pessoa_pje", sa.BigInteger(), nullable=True),
        sa.Column("tribunal", sa.String(length=8), nullable=True),
        sa.Column(
            "emails", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "telefones", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("status", sa.String(length=5), nullable=True),
        sa.Column("situacao", sa.String(length=30), nullable=True),
        sa.Column("sexo", sa.String(length=20), nullable=True),
        sa.Column("data_nascimento", sa.Date(), nullable=True),
        sa.Column("nome_genitora", sa.String(length=500), nullable=True),
        sa.Column("naturalidade", sa.String(length=120), nullable=True),
        sa.Column("uf_nascimento", sa.String(length=2), nullable=True),
        sa.Column("pais_nascimento", sa.String(length=60), nullable=True),
        sa.Column("estado_civil", sa.String(length=40), nullable=True),
        sa.Column("escolaridade", sa.String(length=60), nullable=True),
        sa.Column("situacao_cpf_receita", sa.String(length=60), nullable=True),
        sa.Column("nome_fantasia", sa.String(length=500), nullable=True),
        sa.Column("cpf_responsavel", sa.String(length=11), nullable=True),
        sa.Column("data_abertura", sa.Date(), nullable=True),
        sa.Column("data_fim_atividade", sa.Date(), nullable=True),
        sa.Column("orgao_publico", sa.Boolean(), nullable=True),
        sa.Column("tipo_pessoa_juridica", sa.String(length=120), nullable=True),
        sa.Column("situacao_cnpj_receita", sa.String(length=60), nullable=True),
        sa.Column("ramo_atividade", sa.String(length=255), nullable=True),
        sa.Column("porte", sa.String(length=60), nullable=True),
        sa.Column(
            "dados_pje", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("tipo_pessoa IN ('F', 'J')", name=op.f("ck_partes_tipo_pessoa")),
        sa.CheckConstraint(
            "NOT (cpf IS NULL AND cnpj IS NULL) OR (id_pessoa_pje IS NOT NULL AND tribunal IS NOT NULL)",
            name=op.f("ck_partes_chave_de_deduplicacao"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partes")),
        sa.UniqueConstraint("cnpj", name=op.f("uq_partes_cnpj")),
        sa.UniqueConstraint("cpf", name=op.f("uq_partes_cpf")),
    )
    with op.batch_alter_table("partes", schema=None) as batch_op:
        batch_op.create_index(
            "uq_partes_id_pessoa_pje_tribunal",
            ["id_pessoa_pje", "tribunal"],
            unique=True,
            sqlite_where=sa.text("cpf IS NULL AND cnpj IS NULL"),
            postgresql_where=sa.text("cpf IS NULL AND cnpj IS NULL"),
        )

    op.create_table(
        "representantes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cpf", sa.String(length=11), nullable=True),
        sa.Column("nome", sa.String(length=500), nullable=False),
        sa.Column("tipo", sa.String(length=40), nullable=True),
        sa.Column("id_pessoa_pje", sa.BigInteger(), nullable=True),
        sa.Column(
            "oabs", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "emails", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "telefones", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "dados_pje", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_representantes")),
        sa.UniqueConstraint("cpf", name=op.f("uq_representantes_cpf")),
    )
    op.create_table(
        "timeline_itens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tribunal", sa.String(length=8), nullable=False),
        sa.Column("grau", sa.String(length=20), nullable=False),
        sa.Column("id_processo_pje", sa.BigInteger(), nullable=False),
        sa.Column("id_pje", sa.BigInteger(), nullable=False),
        sa.Column("tipo", sa.String(length=10), nullable=False),
        sa.Column("titulo", sa.Text(), nullable=True),
        sa.Column("data", sa.DateTime(timezone=True), nullable=True),
        sa.Column("documento_sigiloso", sa.Boolean(), nullable=True),
        sa.Column("id_signatario", sa.BigInteger(), nullable=True),
        sa.Column("codigo_movimento_cnj", sa.String(length=20), nullable=True),
        sa.Column(
            "dados_pje", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("tipo IN ('movimento', 'documento')", name=op.f("ck_timeline_itens_tipo")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timeline_itens")),
        sa.UniqueConstraint(
            "tribunal", "grau", "id_processo_pje", "tipo", "id_pje", name=op.f("uq_timeline_itens_tribunal")
        ),
    )
    op.create_table(
        "tipos_audiencia",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_pje", sa.BigInteger(), nullable=True),
        sa.Column("tribunal", sa.String(length=8), nullable=False),
        sa.Column("grau", sa.String(length=20), nullable=False),
        sa.Column("descricao", sa.String(length=255), nullable=False),
        sa.Column("codigo", sa.String(length=30), nullable=True),
        sa.Column("is_virtual", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tipos_audiencia")),
        sa.UniqueConstraint("tribunal", "grau", "descricao", name=op.f("uq_tipos_audiencia_tribunal")),
    )
    op.create_table(
        "tribunais_config",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tribunal", sa.String(length=8), nullable=False),
        sa.Column("grau", sa.String(length=20), nullable=False),
        sa.Column("base_url", sa.String(length=500), nullable=True),
        sa.Column("login_path", sa.String(length=500), nullable=True),
        sa.Column("api_path", sa.String(length=500), nullable=True),
        sa.Column("sso_url", sa.String(length=500), nullable=True),
        sa.Column(
            "opcoes", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tribunais_config")),
        sa.UniqueConstraint("tribunal", "grau", name=op.f("uq_tribunais_config_tribunal")),
    )
    op.create_table(
        "agendamentos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tipo_captura", sa.String(length=30), nullable=False),
        sa.Column("advogado_id", sa.Integer(), nullable=True),
        sa.Column(
            "credencial_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("periodicidade", sa.String(length=20), nullable=False),
        sa.Column("intervalo", sa.Integer(), nullable=True),
        sa.Column("horario", sa.String(length=5), nullable=True),
        sa.Column("ativo", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column(
            "parametros_extras",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("ultima_execucao", sa.DateTime(timezone=True), nullable=True),
        sa.Column("proxima_execucao", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "periodicidade IN ('diario', 'a_cada_N_dias', 'a_cada_N_horas')", name=op.f("ck_agendamentos_periodicidade")
        ),
        sa.CheckConstraint("intervalo IS NULL OR intervalo > 0", name=op.f("ck_agendamentos_intervalo_positivo")),
        sa.ForeignKeyConstraint(
            ["advogado_id"], ["advogados.id"], name=op.f("fk_agendamentos_advogado_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agendamentos")),
    )
    with op.batch_alter_table("agendamentos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agendamentos_advogado_id"), ["advogado_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agendamentos_proxima_execucao"), ["proxima_execucao"], unique=False)

    op.create_table(
        "capturas_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tipo_captura", sa.String(length=30), nullable=False),
        sa.Column("advogado_id", sa.Integer(), nullable=True),
        sa.Column(
            "credencial_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "parametros", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "resultado", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column("erro", sa.Text(), nullable=True),
        sa.Column("iniciado_em", sa.DateTime(timezone=True), nullable=True),
        sa.Column("concluido_em", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'in_progress', 'completed', 'failed')", name=op.f("ck_capturas_log_status")
        ),
        sa.ForeignKeyConstraint(
            ["advogado_id"], ["advogados.id"], name=op.f("fk_capturas_log_advogado_id"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capturas_log")),
    )
    with op.batch_alter_table("capturas_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_capturas_log_advogado_id"), ["advogado_id"], unique=False)
        batch_op.create_index("ix_capturas_log_status_created_at", ["status", "created_at"], unique=False)

    op.create_table(
        "credenciais",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("advogado_id", sa.Integer(), nullable=False),
        sa.Column("tribunal", sa.String(length=8), nullable=False),
        sa.Column("grau", sa.String(length=20), nullable=False),
        sa.Column("usuario", sa.String(length=64), nullable=True),
        sa.Column("senha_cifrada", sa.LargeBinary(), nullable=False),
        sa.Column("totp_secret_cifrado", sa.LargeBinary(), nullable=True),
        sa.Column("twofauth_cifrado", sa.LargeBinary(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["advogado_id"], ["advogados.id"], name=op.f("fk_credenciais_advogado_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credenciais")),
        sa.UniqueConstraint("advogado_id", "tribunal", "grau", name=op.f("uq_credenciais_advogado_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_credenciais_uuid")),
    )
    with op.batch_alter_table("credenciais", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credenciais_advogado_id"), ["advogado_id"], unique=False)

    op.create_table(
        "salas_audiencia",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_pje", sa.BigInteger(), nullable=True),
        sa.Column("tribunal", sa.String(length=8), nullable=False),
        sa.Column("grau", sa.String(length=20), nullable=False),
        sa.Column("nome", sa.String(length=255), nullable=False),
        sa.Column("orgao_julgador_id_pje", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("orgao_julgador_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["orgao_julgador_id"],
            ["orgaos_julgadores.id"],
            name=op.f("fk_salas_audiencia_orgao_julgador_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_salas_audiencia")),
        sa.UniqueConstraint(
            "tribunal", "grau", "orgao_julgador_id_pje", "nome", name=op.f("uq_salas_audiencia_tribunal")
        ),
    )
    op.create_table(
        "acervo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origem", sa.String(length=20), nullable=False),
        sa.Column("orgao_julgador_id", sa.Integer(), nullable=True),
        sa.Column("classe_judicial_id", sa.Integer(), nullable=True),
        sa.Column("partes_capturadas_em", sa.DateTime(timezone=True), nullable=True),
        sa.Column("timeline_capturada_em", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id_pje", sa.BigInteger(), nullable=False),
        sa.Column("tribunal", sa.String(length=8), nullable=False),
        sa.Column("grau", sa.String(length=20), nullable=False),
        sa.Column("numero_processo", sa.String(length=25), nullable=False),
        sa.Column("numero", sa.BigInteger(), nullable=True),
        sa.Column("descricao_orgao_julgador", sa.String(length=255), nullable=True),
        sa.Column("classe_judicial", sa.String(length=30), nullable=True),
        sa.Column("segredo_de_justica", sa.Boolean(), nullable=True),
        sa.Column("codigo_status_processo", sa.String(length=40), nullable=True),
        sa.Column("prioridade_processual", sa.Integer(), nullable=True),
        sa.Column("nome_parte_autora", sa.String(length=500), nullable=True),
        sa.Column("qtde_parte_autora", sa.Integer(), nullable=True),
        sa.Column("nome_parte_re", sa.String(length=500), nullable=True),
        sa.Column("qtde_parte_re", sa.Integer(), nullable=True),
        sa.Column("data_autuacao", sa.DateTime(timezone=True), nullable=True),
        sa.Column("juizo_digital", sa.Boolean(), nullable=True),
        sa.Column("data_arquivamento", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data_proxima_audiencia", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tem_associacao", sa.Boolean(), nullable=True),
        sa.Column("advogado_id", sa.Integer(), nullable=True),
        sa.Column("credencial_id", sa.Integer(), nullable=True),
        sa.Column("ultima_captura_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("origem IN ('acervo_geral', 'arquivado')", name=op.f("ck_acervo_origem")),
        sa.ForeignKeyConstraint(
            ["advogado_id"], ["advogados.id"], name=op.f("fk_acervo_advogado_id"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["classe_judicial_id"],
            ["classes_judiciais.id"],
            name=op.f("fk_acervo_classe_judicial_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["credencial_id"], ["credenciais.id"], name=op.f("fk_acervo_credencial_id"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["orgao_julgador_id"],
            ["orgaos_julgadores.id"],
            name=op.f("fk_acervo_orgao_julgador_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ultima_captura_id"], ["capturas_log.id"], name=op.f("fk_acervo_ultima_captura_id"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acervo")),
        sa.UniqueConstraint("id_pje", "tribunal", "grau", "numero_processo", name=op.f("uq_acervo_id_pje")),
    )
    with op.batch_alter_table("acervo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_acervo_advogado_id"), ["advogado_id"], unique=False)
        batch_op.create_index("ix_acervo_numero_processo", ["numero_processo"], unique=False)
        batch_op.create_index("ix_acervo_tribunal_grau_id_pje", ["tribunal", "grau", "id_pje"], unique=False)

    op.create_table(
        "captura_logs_brutos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("raw_log_id", sa.String(length=36), nullable=False),
        sa.Column("captura_log_id", sa.Integer(), nullable=True),
        sa.Column("tipo_captura", sa.String(length=30), nullable=False),
        sa.Column("advogado_id", sa.Integer(), nullable=True),
        sa.Column("credencial_id", sa.Integer(), nullable=True),
        sa.Column("tribunal", sa.String(length=8), nullable=True),
        sa.Column("grau", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column(
            "requisicao", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column(
            "payload_bruto",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "resultado_processado",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("erro", sa.Text(), nullable=True),
        sa.Column("criado_em", sa.DateTime(timezone=True), nullable=False),
        sa.Column("atualizado_em", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('success', 'error')", name=op.f("ck_captura_logs_brutos_status")),
        sa.ForeignKeyConstraint(
            ["captura_log_id"],
            ["capturas_log.id"],
            name=op.f("fk_captura_logs_brutos_captura_log_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_captura_logs_brutos")),
        sa.UniqueConstraint("raw_log_id", name=op.f("uq_captura_logs_brutos_raw_log_id")),
    )
    with op.batch_alter_table("captura_logs_brutos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_captura_logs_brutos_captura_log_id"), ["captura_log_id"], unique=False)
        batch_op.create_index(
            "ix_captura_logs_brutos_tipo_captura_criado_em", ["tipo_captura", "criado_em"], unique=False
        )

    op.create_table(
        "documentos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tribunal", sa.String(length=8), nullable=False),
        sa.Column("grau", sa.String(length=20), nullable=False),
        sa.Column("id_processo_pje", sa.BigInteger(), nullable=False),
        sa.Column("id_documento_pje", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("tamanho", sa.BigInteger(), nullable=False),
        sa.Column("caminho", sa.String(length=1000), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("md5_pje", sa.String(length=32), nullable=True),
        sa.Column("credencial_id", sa.Integer(), nullable=True),
        sa.Column("baixado_em", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credencial_id"], ["credenciais.id"], name=op.f("fk_documentos_credencial_id"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documentos")),
        sa.UniqueConstraint(
            "tribunal", "grau", "id_processo_pje", "id_documento_pje", name=op.f("uq_documentos_tribunal")
        ),
    )
    op.create_table(
        "registro_versoes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tabela", sa.String(length=64), nullable=False),
        sa.Column("registro_id", sa.Integer(), nullable=False),
        sa.Column(
            "versao", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "campos_alterados",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("captura_log_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["captura_log_id"],
            ["capturas_log.id"],
            name=op.f("fk_registro_versoes_captura_log_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registro_versoes")),
    )
    with op.batch_alter_table("registro_versoes", schema=None) as batch_op:
        batch_op.create_index("ix_registro_versoes_tabela_registro_id", ["tabela", "registro_id"], unique=False)

    op.create_table(
        "sessoes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credencial_id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("dados_cifrados", sa.LargeBinary(), nullable=True),
        sa.Column("id_advogado_pje", sa.BigInteger(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("otp_ultimo_passo", sa.BigInteger(), nullable=True),
        sa.Column("logins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credencial_id"], ["credenciais.id"], name=op.f("fk_sessoes_credencial_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessoes")),
        sa.UniqueConstraint("credencial_id", name=op.f("uq_sessoes_credencial_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_sessoes_uuid")),
    )
    op.create_table(
        "audiencias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_pje", sa.BigInteger(), nullable=False),
        sa.Column("tribunal", sa.String(length=8), nullable=False),
        sa.Column("grau", sa.String(length=20), nullable=False),
        sa.Column("numero_processo", sa.String(length=25), nullable=False),
        sa.Column("id_processo_pje", sa.BigInteger(), nullable=True),
        sa.Column("processo_id", sa.Integer(), nullable=True),
        sa.Column("advogado_id", sa.Integer(), nullable=True),
        sa.Column("credencial_id", sa.Integer(), nullable=True),
        sa.Column("orgao_julgador_id", sa.Integer(), nullable=True),
        sa.Column("classe_judicial_id", sa.Integer(), nullable=True),
        sa.Column("sala_audiencia_id", sa.Integer(), nullable=True),
        sa.Column("tipo_audiencia_id", sa.Integer(), nullable=True),
        sa.Column("data_inicio", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data_fim", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hora_inicio", sa.Time(), nullable=True),
        sa.Column("hora_fim", sa.Time(), nullable=True),
        sa.Column("sala_audiencia_nome", sa.String(length=255), nullable=True),
        sa.Column("tipo_descricao", sa.String(length=255), nullable=True),
        sa.Column("tipo_is_virtual", sa.Boolean(), nullable=True),
        sa.Column("status", sa.String(length=5), nullable=True),
        sa.Column("status_descricao", sa.String(length=60), nullable=True),
        sa.Column("designada", sa.Boolean(), nullable=True),
        sa.Column("em_andamento", sa.Boolean(), nullable=True),
        sa.Column("documento_ativo", sa.Boolean(), nullable=True),
        sa.Column("segredo_de_justica", sa.Boolean(), nullable=True),
        sa.Column("juizo_digital", sa.Boolean(), nullable=True),
        sa.Column("polo_ativo_nome", sa.String(length=500), nullable=True),
        sa.Column("polo_passivo_nome", sa.String(length=500), nullable=True),
        sa.Column("url_audiencia_virtual", sa.Text(), nullable=True),
        sa.Column(
            "endereco_presencial",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("modalidade", sa.String(length=12), nullable=True),
        sa.Column(
            "prioridades", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column("ultima_captura_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "modalidade IS NULL OR modalidade IN ('virtual', 'presencial')", name=op.f("ck_audiencias_modalidade")
        ),
        sa.ForeignKeyConstraint(
            ["advogado_id"], ["advogados.id"], name=op.f("fk_audiencias_advogado_id"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["classe_judicial_id"],
            ["classes_judiciais.id"],
            name=op.f("fk_audiencias_classe_judicial_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["credencial_id"], ["credenciais.id"], name=op.f("fk_audiencias_credencial_id"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["orgao_julgador_id"],
            ["orgaos_julgadores.id"],
            name=op.f("fk_audiencias_orgao_julgador_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["processo_id"], ["acervo.id"], name=op.f("fk_audiencias_processo_id"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["sala_audiencia_id"],
            ["salas_audiencia.id"],
            name=op.f("fk_audiencias_sala_audiencia_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tipo_audiencia_id"],
            ["tipos_audiencia.id"],
            name=op.f("fk_audiencias_tipo_audiencia_id"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ultima_captura_id"],
            ["capturas_log.id"],
            name=op.f("fk_audiencias_ultima_captura_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audiencias")),
        sa.UniqueConstraint("id_pje", "tribunal", "grau", name=op.f("uq_audiencias_id_pje")),
    )
    with op.batch_alter_table("audiencias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audiencias_advogado_id"), ["advogado_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audiencias_data_inicio"), ["data_inicio"], unique=False)
        batch_op.create_index(batch_op.f("ix_audiencias_processo_id"), ["processo_id"], unique=False)

    op.create_table(
        "expedientes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_documento", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("data_criacao_expediente", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data_ciencia_parte", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data_prazo_legal_parte", sa.DateTime(timezone=True), nullable=True),
        sa.Column("prazo_vencido", sa.Boolean(), nullable=True),
        sa.Column("sigla_orgao_julgador", sa.String(length=60), nullable=True),
        sa.Column("descricao_orgao_julgador_colegiado", sa.String(length=255), nullable=True),
        sa.Column("nome_relator", sa.String(length=255), nullable=True),
        sa.Column("agrupador", sa.String(length=1), nullable=True),
        sa.Column("processo_id", sa.Integer(), nullable=True),
        sa.Column("baixado_em", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id_pje", sa.BigInteger(), nullable=False),
        sa.Column("tribunal", sa.String(length=8), nullable=False),
        sa.Column("grau", sa.String(length=20), nullable=False),
        sa.Column("numero_processo", sa.String(length=25), nullable=False),
        sa.Column("numero", sa.BigInteger(), nullable=True),
        sa.Column("descricao_orgao_julgador", sa.String(length=255), nullable=True),
        sa.Column("classe_judicial", sa.String(length=30), nullable=True),
        sa.Column("segredo_de_justica", sa.Boolean(), nullable=True),
        sa.Column("codigo_status_processo", sa.String(length=40), nullable=True),
        sa.Column("prioridade_processual", sa.Integer(), nullable=True),
        sa.Column("nome_parte_autora", sa.String(length=500), nullable=True),
        sa.Column("qtde_parte_autora", sa.Integer(), nullable=True),
        sa.Column("nome_parte_re", sa.String(length=500), nullable=True),
        sa.Column("qtde_parte_re", sa.Integer(), nullable=True),
        sa.Column("data_autuacao", sa.DateTime(timezone=True), nullable=True),
        sa.Column("juizo_digital", sa.Boolean(), nullable=True),
        sa.Column("data_arquivamento", sa.DateTime(timezone=True), nullable=True),
        sa.Column("data_proxima_audiencia", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tem_associacao", sa.Boolean(), nullable=True),
        sa.Column("advogado_id", sa.Integer(), nullable=True),
        sa.Column("credencial_id", sa.Integer(), nullable=True),
        sa.Column("ultima_captura_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("agrupador IS NULL OR agrupador IN ('N', 'I')", name=op.f("ck_expedientes_agrupador")),
        sa.ForeignKeyConstraint(
            ["advogado_id"], ["advogados.id"], name=op.f("fk_expedientes_advogado_id"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["credencial_id"], ["credenciais.id"], name=op.f("fk_expedientes_credencial_id"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["processo_id"], ["acervo.id"], name=op.f("fk_expedientes_processo_id"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["ultima_captura_id"],
            ["capturas_log.id"],
            name=op.f("fk_expedientes_ultima_captura_id"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expedientes")),
        sa.UniqueConstraint(
            "id_pje", "id_documento", "tribunal", "grau", "data_criacao_expediente", name="uq_expedientes_chave"
        ),
    )
    with op.batch_alter_table("expedientes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expedientes_advogado_id"), ["advogado_id"], unique=False)
        batch_op.create_index("ix_expedientes_data_prazo_legal_parte", ["data_prazo_legal_parte"], unique=False)
        batch_op.create_index(batch_op.f("ix_expedientes_processo_id"), ["processo_id"], unique=False)

    op.create_table(
        "processo_partes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("processo_id", sa.Integer(), nullable=False),
        sa.Column("parte_id", sa.Integer(), nullable=False),
        sa.Column("id_pje", sa.BigInteger(), nullable=True),
        sa.Column("id_pessoa_pje", sa.BigInteger(), nullable=True),
        sa.Column("classificacao", sa.String(length=20), nullable=False),
        sa.Column("polo", sa.String(length=10), nullable=False),
        sa.Column("tipo_parte", sa.String(length=60), nullable=False),
        sa.Column("id_tipo_parte", sa.Integer(), nullable=True),
        sa.Column("principal", sa.Boolean(), nullable=True),
        sa.Column("ordem", sa.Integer(), nullable=True),
        sa.Column("tribunal", sa.String(length=8), nullable=False),
        sa.Column("grau", sa.String(length=20), nullable=False),
        sa.Column(
            "dados_pje", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "classificacao IN ('cliente', 'parte_contraria', 'terceiro')", name=op.f("ck_processo_partes_classificacao")
        ),
        sa.ForeignKeyConstraint(
            ["parte_id"], ["partes.id"], name=op.f("fk_processo_partes_parte_id"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["processo_id"], ["acervo.id"], name=op.f("fk_processo_partes_processo_id"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processo_partes")),
        sa.UniqueConstraint(
            "processo_id", "parte_id", "polo", "tipo_parte", name=op.f("uq_processo_partes_processo_id")
        ),
    )
    with op.batch_alter_table("processo_partes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_processo_partes_parte_id"), ["parte_id"], unique=False)

    op.create_table(
        "timelines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_processo_pje", sa.BigInteger(), nullable=False),
        sa.Column("tribunal", sa.String(length=8), nullable=False),
        sa.Column("grau", sa.String(length=20), nullable=False),
        sa.Column("processo_id", sa.Integer(), nullable=True),
        sa.Column("capturado_em", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "timeline", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "metadata", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["processo_id"], ["acervo.id"], name=op.f("fk_timelines_processo_id"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timelines")),
        sa.UniqueConstraint("id_processo_pje", "tribunal", "grau", name=op.f("uq_timelines_id_processo_pje")),
    )
    with op.batch_alter_table("timelines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_timelines_processo_id"), ["processo_id"], unique=False)

    op.create_table(
        "processo_parte_representantes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("processo_parte_id", sa.Integer(), nullable=False),
        sa.Column("representante_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["processo_parte_id"],
            ["processo_partes.id"],
            name=op.f("fk_processo_parte_representantes_processo_parte_id"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["representante_id"],
            ["representantes.id"],
            name=op.f("fk_processo_parte_representantes_representante_id"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processo_parte_representantes")),
        sa.UniqueConstraint(
            "processo_parte_id", "representante_id", name=op.f("uq_processo_parte_representantes_processo_parte_id")
        ),
    )
    with op.batch_alter_table("processo_parte_representantes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_processo_parte_representantes_representante_id"), ["representante_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("processo_parte_representantes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processo_parte_representantes_representante_id"))

    op.drop_table("processo_parte_representantes")
    with op.batch_alter_table("timelines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timelines_processo_id"))

    op.drop_table("timelines")
    with op.batch_alter_table("processo_partes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_processo_partes_parte_id"))

    op.drop_table("processo_partes")
    with op.batch_alter_table("expedientes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expedientes_processo_id"))
        batch_op.drop_index("ix_expedientes_data_prazo_legal_parte")
        batch_op.drop_index(batch_op.f("ix_expedientes_advogado_id"))

    op.drop_table("expedientes")
    with op.batch_alter_table("audiencias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audiencias_processo_id"))
        batch_op.drop_index(batch_op.f("ix_audiencias_data_inicio"))
        batch_op.drop_index(batch_op.f("ix_audiencias_advogado_id"))

    op.drop_table("audiencias")
    op.drop_table("sessoes")
    with op.batch_alter_table("registro_versoes", schema=None) as batch_op:
        batch_op.drop_index("ix_registro_versoes_tabela_registro_id")

    op.drop_table("registro_versoes")
    op.drop_table("documentos")
    with op.batch_alter_table("captura_logs_brutos", schema=None) as batch_op:
        batch_op.drop_index("ix_captura_logs_brutos_tipo_captura_criado_em")
        batch_op.drop_index(batch_op.f("ix_captura_logs_brutos_captura_log_id"))

    op.drop_table("captura_logs_brutos")
    with op.batch_alter_table("acervo", schema=None) as batch_op:
        batch_op.drop_index("ix_acervo_tribunal_grau_id_pje")
        batch_op.drop_index("ix_acervo_numero_processo")
        batch_op.drop_index(batch_op.f("ix_acervo_advogado_id"))

    op.drop_table("acervo")
    op.drop_table("salas_audiencia")
    with op.batch_alter_table("credenciais", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credenciais_advogado_id"))

    op.drop_table("credenciais")
    with op.batch_alter_table("capturas_log", schema=None) as batch_op:
        batch_op.drop_index("ix_capturas_log_status_created_at")
        batch_op.drop_index(batch_op.f("ix_capturas_log_advogado_id"))

    op.drop_table("capturas_log")
    with op.batch_alter_table("agendamentos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agendamentos_proxima_execucao"))
        batch_op.drop_index(batch_op.f("ix_agendamentos_advogado_id"))

    op.drop_table("agendamentos")
    op.drop_table("tribunais_config")
    op.drop_table("tipos_audiencia")
    op.drop_table("timeline_itens")
    op.drop_table("representantes")
    with op.batch_alter_table("partes", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_partes_id_pessoa_pje_tribunal",
            sqlite_where=sa.text("cpf IS NULL AND cnpj IS NULL"),
            postgresql_where=sa.text("cpf IS NULL AND cnpj IS NULL"),
        )

    op.drop_table("partes")
    op.drop_table("orgaos_julgadores")
    with op.batch_alter_table("locks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_locks_expires_at"))

    op.drop_table("locks")
    with op.batch_alter_table("enderecos", schema=None) as batch_op:
        batch_op.drop_index("ix_enderecos_entidade_tipo_entidade_id")

    op.drop_table("enderecos")
    op.drop_table("classes_judiciais")
    op.drop_table("advogados")
