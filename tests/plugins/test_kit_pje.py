"""The PJE-TRT plugin passes the plugin contract kit, against the shared sandbox (short TOTP steps)."""

from __future__ import annotations

from typing import Any

import pytest

from sinesys_spiders.testing.db_fixtures import CreateDatabase, on_postgresql
from sinesys_spiders.testing.kit import ContratoPlugin, SimuladorKit, UsuarioKit
from sinesys_spiders.testing.sandbox_fixtures import DemoUser, SandboxClient

pytestmark = [pytest.mark.e2e, on_postgresql]

TRIBUNAL, GRAU = "TRT3", "primeiro_grau"


def _mascara(cpf: str) -> str:
    return f"***.{cpf[3:6]}.{cpf[6:9]}-**"


class TestKitPjeTrt(ContratoPlugin):
    plugin = "pje_trt"

    @pytest.fixture(scope="class")
    @classmethod
    def kit_database_url(cls, create_database: CreateDatabase) -> str:
        """The suite's PostgreSQL (a copy of the migrated template) instead of the kit's SQLite."""
        return create_database()

    @pytest.fixture(scope="class")
    @classmethod
    def simulador_kit(cls, pje_sandbox: SandboxClient) -> SimuladorKit:
        """Three users of the shared sandbox at TRT3 1º grau, their truth and their counters."""
        users: dict[str, DemoUser] = {}
        kit_users = []
        for _ in range(3):
            user = pje_sandbox.take_user()
            users[user.cpf] = user
            kit_users.append(UsuarioKit(user.cpf, user.senha, user.totp_secret, user.nome))

        def verdade(usuario: UsuarioKit) -> dict[str, list[dict[str, Any]]]:
            bloco = pje_sandbox.truth(tribunal=TRIBUNAL, grau=GRAU, cpf=usuario.usuario)
            linhas = bloco["tribunais"][TRIBUNAL][GRAU][usuario.usuario]["acervo_geral"]
            return {"acervo": [{**p, "tribunal": TRIBUNAL, "grau": GRAU, "origem": "acervo_geral"} for p in linhas]}

        def contadores(usuario: UsuarioKit) -> dict[str, int]:
            c = pje_sandbox.counters()
            m = _mascara(usuario.usuario)
            return {
                "logins": int(c["logins"].get(m, 0)),
                "senhas_recusadas": int(c["login_failures"].get(m, 0)),
                "otp_recusados": int(c["otp"]["rejected_by_user"].get(m, 0)),
            }

        return SimuladorKit(
            tribunal=TRIBUNAL,
            grau=GRAU,
            base_url=pje_sandbox.base_url(TRIBUNAL),
            sso_url=pje_sandbox.sso_url,
            usuarios=kit_users,
            verdade=verdade,
            expirar_sessoes=lambda: pje_sandbox.expire_sessions(tribunal=TRIBUNAL),
            contadores=contadores,
        )
