"""``sinesys credenciais``: a recorded login failure is listed, and update or enable clear it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine

from sinesys_spiders.core.db import make_session_factory
from sinesys_spiders.core.falhas_login import FalhaLogin, SqlLoginFailureStore
from sinesys_spiders.core.timeutil import utcnow
from sinesys_spiders.testing.canary import CANARY_SENHA, CANARY_SENHA_2, CANARY_TOTP_SECRET, find_canaries

TOTP_INPUT = f"{CANARY_SENHA}\n{CANARY_SENHA}\n{CANARY_TOTP_SECRET}\n"


@pytest.fixture
def credencial_id(sinesys) -> str:
    advogado = sinesys("advogados", "add", "--nome", "Maria", "--cpf", "529.982.247-25").stdout.strip()
    result = sinesys(
        "credenciais", "add", "--advogado", advogado, "--tribunal", "TRT3", "--grau", "primeiro_grau", input=TOTP_INPUT
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture
def failures(engine: Engine) -> SqlLoginFailureStore:
    return SqlLoginFailureStore(make_session_factory(engine))


def _listed(sinesys) -> list[dict]:
    result = sinesys("credenciais", "list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_list_shows_the_recorded_failure_and_no_secret(sinesys, credencial_id, failures):
    """The table and the JSON name the failure's code and time; a credential without one shows '-'."""
    assert "-" in sinesys("credenciais", "list").stdout.splitlines()[1].split()
    em = utcnow().replace(microsecond=0)
    failures.record(int(credencial_id), FalhaLogin("SENHA_INVALIDA", "Usuário ou senha inválidos", em))

    table = sinesys("credenciais", "list")
    assert "FALHA LOGIN" in table.stdout
    assert f"SENHA_INVALIDA ({em:%d/%m/%Y %H:%M} UTC)" in table.stdout
    assert find_canaries(table.output) == []
    [row] = _listed(sinesys)
    assert row["falha_login"] == "SENHA_INVALIDA"
    assert row["falha_login_em"] == em.isoformat()


def test_update_password_clears_the_failure(sinesys, credencial_id, failures):
    """`credenciais update ID --senha` stores the new password and lets the next run log in again."""
    failures.record(int(credencial_id), FalhaLogin("SENHA_INVALIDA", "", utcnow()))

    result = sinesys("credenciais", "update", credencial_id, "--senha", input=f"{CANARY_SENHA_2}\n{CANARY_SENHA_2}\n")

    assert result.exit_code == 0, result.output
    assert "falha de login SENHA_INVALIDA apagada" in result.stdout
    assert failures.get(int(credencial_id)) is None
    assert _listed(sinesys)[0]["falha_login"] is None
    assert find_canaries(result.output) == []


def test_update_second_factor_clears_rejected_codes(sinesys, credencial_id, failures):
    """`credenciais update ID --otp totp` with a new secret clears OTP_INVALIDO."""
    failures.record(int(credencial_id), FalhaLogin("OTP_INVALIDO", "", utcnow()))

    result = sinesys("credenciais", "update", credencial_id, "--otp", "totp", input=f"{CANARY_TOTP_SECRET}\n")

    assert result.exit_code == 0, result.output
    assert "falha de login OTP_INVALIDO apagada" in result.stdout
    assert failures.get(int(credencial_id)) is None


def test_enable_clears_the_failure_even_when_already_active(sinesys, credencial_id, failures):
    """`credenciais enable ID` on an active credential with a WAF block asks for a new attempt; disable keeps it."""
    failures.record(int(credencial_id), FalhaLogin("BLOQUEIO_WAF", "", utcnow()))
    assert sinesys("credenciais", "disable", credencial_id).exit_code == 0
    assert failures.get(int(credencial_id)) is not None

    result = sinesys("credenciais", "enable", credencial_id)
    assert result.exit_code == 0, result.output
    assert "ativada; falha de login BLOQUEIO_WAF apagada" in result.stdout
    assert failures.get(int(credencial_id)) is None

    failures.record(int(credencial_id), FalhaLogin("TRIBUNAL_EM_MANUTENCAO", "", utcnow()))
    again = sinesys("credenciais", "enable", credencial_id)
    assert "(já estava); falha de login TRIBUNAL_EM_MANUTENCAO apagada" in again.stdout
    assert failures.get(int(credencial_id)) is None
    plain = sinesys("credenciais", "enable", credencial_id)
    assert plain.stdout.strip() == f"credencial {credencial_id} ativada (já estava)"
