"""What a PJE-TRT party, representative and address row keeps of PJE's record in ``dados_origem`` (issue 17).

Only fields that are no personal data: PJE's ids, codes, flags and the dates of its own records
(:mod:`sinesys_spiders.core.dados_origem`). Names, CPF/CNPJ, e-mails, phones, street addresses, birth data, a
mother's name, logins and OAB numbers are left out: the typed columns hold what the system uses, and the whole
answer stays in the encrypted raw log. Migration ``0006_i17`` holds a copy of these lists (a test keeps them equal).
"""

from __future__ import annotations

from sinesys_spiders.plugin import campos

__all__ = ["CAMPOS_ENDERECO", "CAMPOS_ITEM_TIMELINE", "CAMPOS_PESSOA", "ENDERECO", "ITEM_TIMELINE", "PESSOA"]

#: A party or a representative (the case's link row keeps the same reduced record).
PESSOA = (
    "id", "idPessoa", "polo", "principal", "enderecoDesconhecido", "tipo", "idTipoParte", "tipoDocumento",
    "tipoPessoa", "status", "situacao", "ordem", "autoridade", "situacaoOab", "dataHabilitacao",
    "pessoaFisica.id", "pessoaFisica.situacao", "pessoaFisica.situacaoCpfReceitaFederal",
    "pessoaJuridica.id", "pessoaJuridica.orgaoPublico", "pessoaJuridica.tipoPessoaCodigo",
    "pessoaJuridica.tipoPessoaLabel", "pessoaJuridica.dsTipoPessoa", "pessoaJuridica.situacaoCnpjReceitaFederal",
    "pessoaJuridica.dsRamoAtividade", "pessoaJuridica.porteCodigo", "pessoaJuridica.porteLabel",
    "pessoaJuridica.dataAbertura", "pessoaJuridica.dataFimAtividade",
)  # fmt: skip

#: An address: where in the country, not the street.
ENDERECO = (
    "id", "idMunicipio", "municipioIbge", "estado", "pais", "idPessoa", "correspondencia", "situacao",
    "classificacoesEndereco", "idUsuarioCadastrador", "dtAlteracao",
)  # fmt: skip

#: What a timeline item row keeps of PJE's record: ids, codes, flags and dates; not the title, the names of who
#: signed or created it, nor the signature data (the whole timeline is in the timeline store). Migration
#: ``0006_i17`` holds a copy (a test keeps them equal).
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

CAMPOS_PESSOA = campos(PESSOA)
CAMPOS_ENDERECO = campos(ENDERECO)
CAMPOS_ITEM_TIMELINE = campos(ITEM_TIMELINE)
