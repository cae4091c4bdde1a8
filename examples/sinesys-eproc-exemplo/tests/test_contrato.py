"""The eproc plugin passes the Sinesys plugin contract kit against its own simulator."""

from __future__ import annotations

import pytest
from sinesys_eproc.simulador.processo import ClienteSimulador

from sinesys_spiders.testing.kit import ContratoPlugin, SimuladorKit, UsuarioKit

TRIBUNAL, GRAU = "TRF4", "primeiro_grau"


class TestKitEproc(ContratoPlugin):
    plugin = "eproc"

    @pytest.fixture(scope="class")
    @classmethod
    def simulador_kit(cls, simulador_eproc: ClienteSimulador) -> SimuladorKit:
        """TRF4 1º grau; the first user has 57 cases there (three pages of 25)."""
        sim = simulador_eproc
        return SimuladorKit(
            tribunal=TRIBUNAL,
            grau=GRAU,
            base_url=sim.base_url,
            usuarios=[UsuarioKit(u.cpf, u.senha, u.totp_secret, u.nome) for u in sim.usuarios[:3]],
            verdade=lambda usuario: sim.verdade(tribunal=TRIBUNAL, grau=GRAU, cpf=usuario.usuario),
            expirar_sessoes=sim.expirar_sessoes,
            contadores=lambda usuario: sim.contadores(cpf=usuario.usuario),
            min_paginas=3,
        )
