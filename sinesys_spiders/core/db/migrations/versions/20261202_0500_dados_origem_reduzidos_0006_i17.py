"""dados_origem reduced: the clear copies of the tribunal's records keep no personal data (issue 17)

Revision ID: 0006_i17
Revises: 0005_i16
Create Date: 2026-12-02 05:00:00+00:00

The ``dados_origem`` column of ``partes``, ``representantes``, ``processo_partes``, ``enderecos`` and
``timeline_itens`` kept PJE's whole record in clear (names, CPFs, addresses, signatures), a copy of what the
encrypted raw log already holds. Each row (and each previous version of it in ``registro_versoes``) is reduced to
the allowlists below, the same the capture writes from now on (:mod:`sinesys_spiders.core.dados_origem`; a test
keeps these copies equal to the plugin's and the repository's): the fields kept stay as they were, and the typed
columns are untouched. The catalogues (``orgaos_julgadores``, ``classes_judiciais``) hold no personal data and are
left as they are. The fields removed are still in the raw log, where ``sinesys recovery`` reads them; downgrading
cannot put them back (it leaves the reduced rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_i17"
down_revision: str | Sequence[str] | None = "0005_i16"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: plugins/pje_trt/dados_origem.py PESSOA, as of this revision.
PESSOA = (
    "id", "idPessoa", "polo", "principal", "enderecoDesconhecido", "tipo", "idTipoParte", "tipoDocumento",
    "tipoPessoa", "status", "situacao", "ordem", "autoridade", "situacaoOab", "dataHabilitacao",
    "pessoaFisica.id", "pessoaFisica.situacao", "pessoaFisica.situacaoCpfReceitaFederal",
    "pessoaJuridica.id", "pessoaJuridica.orgaoPublico", "pessoaJuridica.tipoPessoaCodigo",
    "pessoaJuridica.tipoPessoaLabel", "pessoaJuridica.dsTipoPessoa", "pessoaJuridica.situacaoCnpjReceitaFederal",
    "pessoaJuridica.dsRamoAtividade", "pessoaJuridica.porteCodigo", "pessoaJuridica.porteLabel",
    "pessoaJuridica.dataAbertura", "pessoaJuridica.dataFimAtividade",
)  # fmt: skip

#: plugins/pje_trt/dados_origem.py ENDERECO, as of this revision.
ENDERECO = (
    "id", "idMunicipio", "municipioIbge", "estado", "pais", "idPessoa", "correspondencia", "situacao",
    "classificacoesEndereco", "idUsuarioCadastrador", "dtAlteracao",
)  # fmt: skip

#: sinesys_spiders/core/db/repositories/timeline.py ITEM_TIMELINE, as of this revision.
ITEM_TIMELINE = (
    "id", "data", "documento", "idUsuario", "especializacoes", "tipoPolo", "favorito", "ativo", "documentoSigiloso",
    "usuarioInterno", "documentoApreciavel", "expediente", "numeroOrdem", "codigoInstancia",
    "pendenciaDocInstanciaOrigem", "copia", "permiteCooperacaoJudiciaria", "dataJuntadaFutura", "idUnicoDocumento",
    "identificadorUnico", "idTipo", "idTipoDocumento", "tipo", "codigoDocumento", "codigoTipoDocumento",
    "participacaoProcesso", "instancia", "papelUsuarioDocumento", "infoExpedientes", "idSignatario",
    "idPessoaInclusao", "criadoEm", "juntadoEm", "idProcesso", "processoEmSegredo", "assinado", "apreciado",
    "sigiloso", "tipoArquivo", "idBin", "md5", "dataInclusaoBin", "tamanho", "version", "codigoMovimentoCNJ",
    "movimentoPermiteExclusao", "movimentoPermiteRetificacao", "movimentoFoiRetificado",
)  # fmt: skip

#: table -> the allowlist of its dados_origem.
TABELAS: dict[str, tuple[str, ...]] = {
    "partes": PESSOA,
    "representantes": PESSOA,
    "processo_partes": PESSOA,
    "enderecos": ENDERECO,
    "timeline_itens": ITEM_TIMELINE,
}

_LOTE = 1000
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _campos(caminhos: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for caminho in caminhos:
        no = out
        *pais, folha = caminho.split(".")
        for pai in pais:
            filho = no.get(pai, {})
            if filho is None:
                break
            no = no.setdefault(pai, filho)
        else:
            no[folha] = None
    return out


def _reduzir(dados: Any, permitidos: Mapping[str, Any]) -> Any:
    if not isinstance(dados, Mapping):
        return dados
    out: dict[str, Any] = {}
    for chave, valor in dados.items():
        if chave not in permitidos:
            continue
        aninhados = permitidos[chave]
        if aninhados is None:
            out[chave] = valor
        elif isinstance(valor, Mapping):
            out[chave] = _reduzir(valor, aninhados)
        elif valor is None:
            out[chave] = None
    return out


def _por_lotes(conn: sa.Connection, tabela: sa.TableClause, coluna: str) -> Iterable[list[tuple[Any, Any]]]:
    ultimo = 0
    while True:
        linhas = [
            (row[0], row[1])
            for row in conn.execute(
                sa.select(tabela.c.id, tabela.c[coluna])
                .where(tabela.c.id > ultimo, tabela.c[coluna].is_not(None))
                .order_by(tabela.c.id)
                .limit(_LOTE)
            )
        ]
        if not linhas:
            return
        yield linhas
        ultimo = linhas[-1][0]


def upgrade() -> None:
    conn = op.get_bind()
    for nome, caminhos in TABELAS.items():
        permitidos = _campos(caminhos)
        tabela = sa.table(nome, sa.column("id", sa.Integer), sa.column("dados_origem", _JSON))
        atualizar = (
            sa.update(tabela).where(tabela.c.id == sa.bindparam("_id")).values(dados_origem=sa.bindparam("_dados"))
        )
        for linhas in _por_lotes(conn, tabela, "dados_origem"):
            params = [
                {"_id": id_, "_dados": reduzido}
                for id_, dados in linhas
                if (reduzido := _reduzir(dados, permitidos)) != dados
            ]
            if params:
                conn.execute(atualizar, params)
    versoes = sa.table(
        "registro_versoes", sa.column("id", sa.Integer), sa.column("tabela", sa.String), sa.column("versao", _JSON)
    )
    atualizar = sa.update(versoes).where(versoes.c.id == sa.bindparam("_id")).values(versao=sa.bindparam("_versao"))
    for nome, caminhos in TABELAS.items():
        permitidos = _campos(caminhos)
        ultimo = 0
        while True:
            linhas = [
                (row[0], row[1])
                for row in conn.execute(
                    sa.select(versoes.c.id, versoes.c.versao)
                    .where(versoes.c.tabela == nome, versoes.c.id > ultimo)
                    .order_by(versoes.c.id)
                    .limit(_LOTE)
                )
            ]
            if not linhas:
                break
            ultimo = linhas[-1][0]
            params = []
            for id_, versao in linhas:
                if not isinstance(versao, Mapping):
                    continue
                nova = dict(versao)
                for chave in ("dados_origem", "dados_pje"):  # versions written before 0005_i16 use the old name
                    if chave in nova:
                        nova[chave] = _reduzir(nova[chave], permitidos)
                if nova != versao:
                    params.append({"_id": id_, "_versao": nova})
            if params:
                conn.execute(atualizar, params)


def downgrade() -> None:
    """Nothing to undo: the removed fields are in the encrypted raw log, not in this revision's reach."""
