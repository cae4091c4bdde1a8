"""A lawyer's 1º and 2º grau at one tribunal share one PJE session: crawled together, they must not fight."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.requires_browser, pytest.mark.slow]


def _logins_of(sandbox: Any, cpf: str) -> int:
    masked = f"***.{cpf[3:6]}.{cpf[6:9]}-**"
    return sandbox.counters()["logins"].get(masked, 0)


def test_both_graus_of_one_lawyer_are_captured_with_one_login_each(captura_factory, captura_sandbox):
    """TRT5 1º and 2º grau of the same lawyer in one crawl: both complete, one login each, no re-login."""
    e2e = captura_factory()
    user = captura_sandbox.take_user()
    primeiro = e2e.credencial(user, "TRT5", "primeiro_grau")
    segundo = e2e.credencial(user, "TRT5", "segundo_grau")
    before = _logins_of(captura_sandbox, user.cpf)

    crawl = e2e.crawl("acervo_geral", f"credenciais={segundo},{primeiro}")

    resumo = e2e.resumo(crawl.captura_id)
    assert resumo.status == "completed"
    assert all("erro" not in entry for entry in resumo.resultados), resumo.resultados
    assert _logins_of(captura_sandbox, user.cpf) - before == 2
    assert "sessao/relogins" not in crawl.stderr
    truth = e2e.truth(user, [("TRT5", "primeiro_grau"), ("TRT5", "segundo_grau")])
    ativos = {k: v for k, v in truth["acervo"].items() if v["origem"] == "acervo_geral"}
    assert {grau for _, grau, _ in ativos} == {"primeiro_grau", "segundo_grau"}
    db = e2e.registros()
    assert e2e.diferencas({"acervo": db["acervo"]}, {"acervo": ativos}) == []
