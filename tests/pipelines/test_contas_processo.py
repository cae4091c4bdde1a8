"""A per-case capture's credential result added up from its workers' parts (``pipelines._contas_processo.juntar``)."""

from __future__ import annotations

import datetime as dt
import json

from pipelines._contas_processo import ContaCredencial, de_dict, juntar
from sinesys_spiders.core.persistencia_processo import ResultadoPartes

INICIO = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def _conta(minutos: int, **campos: object) -> ContaCredencial:
    instante = INICIO + dt.timedelta(minutes=minutos)
    return ContaCredencial(tipo_captura="partes", tribunal="TRT3", grau="primeiro_grau", captura_id=1,
                           inicio=instante, fim=instante, **campos)  # type: ignore[arg-type]  # fmt: skip


def _partes(n: int) -> ResultadoPartes:
    return ResultadoPartes(total_partes=n, clientes=n, inseridos=n)


def test_the_parts_of_two_workers_add_up_to_the_whole_in_any_order() -> None:
    """The selection (sent by the worker that chose the cases) and each worker's stored cases and errors, added in
    any order and through JSON (as in Redis), give the result one process would have counted: every case once."""
    selecao = _conta(0, selecionados={10: 110, 11: 111, 12: 112}, escolhidos={"partes": {10, 11, 12}})
    a = _conta(1, processos={10}, capturados={10}, concluidos={"partes": {10}}, partes=_partes(2))
    b = _conta(3, processos={11, 12}, capturados={11}, concluidos={"partes": {11, 12}}, partes=_partes(3),
               erros=[{"id_externo": 112, "processo_id": 12, "motivo": "X: y"}], bloqueados=[12])  # fmt: skip
    inteira = _conta(0, selecionados=selecao.selecionados, escolhidos=selecao.escolhidos, processos={10, 11, 12},
                     capturados={10, 11}, concluidos={"partes": {10, 11, 12}}, partes=_partes(5), erros=b.erros,
                     bloqueados=[12])  # fmt: skip
    inteira.fim = INICIO + dt.timedelta(minutes=3)
    for ordem in ([selecao, a, b], [b, a, selecao], [a, selecao, b]):
        dados: dict[str, object] = {}
        for parte in ordem:
            juntar(dados, parte)
            dados = json.loads(json.dumps(dados))
        soma = de_dict(dados)
        assert soma.extra() == inteira.extra()
        assert soma.contagem() == inteira.contagem()
        assert (soma.escolhidos, soma.concluidos, soma.selecionados) == (
            inteira.escolhidos, inteira.concluidos, inteira.selecionados)  # fmt: skip


def test_a_failure_known_before_any_case_is_kept() -> None:
    """A credential's failure recorded before any case was counted stays with the counts added after it."""
    dados: dict[str, object] = {"falha": "SENHA_INVALIDA: recusada"}
    juntar(dados, _conta(0, escolhidos={"partes": {10}}, selecionados={10: 110}))
    assert de_dict(dados).falha == "SENHA_INVALIDA: recusada"
