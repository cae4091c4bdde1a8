"""The contract of a per-credential crawl state back end (:mod:`sinesys_spiders.core.estado_captura`).

Subclass :class:`EstadoCredenciaisContract` and give it an ``estado_factory`` fixture returning a callable that
opens one more handle on the same capture's state (the in-memory back end returns the same object; Redis opens a
new connection, as another worker would).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sinesys_spiders.core.estado_captura import EstadoCredenciais

__all__ = ["EstadoCredenciaisContract", "EstadoFactory"]

EstadoFactory = Callable[[], EstadoCredenciais]


class EstadoCredenciaisContract:
    """What the base spider relies on, for any back end."""

    @pytest.fixture
    def estado(self, estado_factory: EstadoFactory) -> EstadoCredenciais:
        return estado_factory()

    def test_one_worker_claims_a_credential(self, estado_factory: EstadoFactory) -> None:
        """The first claim wins and is kept by its worker; after it is dropped, another worker may claim it."""
        a, b = estado_factory(), estado_factory()
        assert a.reivindicar(1, "w1") is True
        assert a.reivindicar(1, "w1") is True
        assert b.reivindicar(1, "w2") is False
        assert b.dono(1) == "w1"
        assert b.liberar_dono(1, "w2") is False
        assert b.liberar_dono(1, "w1") is True
        assert b.reivindicar(1, "w2") is True

    def test_a_claim_marks_the_credential_starting_and_a_dead_starter_is_taken_over_once(
        self, estado_factory: EstadoFactory
    ) -> None:
        """A claim and its "starting" mark are one step (a worker dying right after its claim leaves a credential
        that says it was being started); taking over a dead starter's claim succeeds for one worker only, and the
        credential stays marked starting until the new owner has sent its first requests."""
        a, b, c = estado_factory(), estado_factory(), estado_factory()
        assert a.reivindicar(1, "morto") is True
        assert b.iniciando(1)
        assert [b.retomar(1, "morto", "w2"), c.retomar(1, "morto", "w3")] == [True, False]
        assert c.dono(1) == "w2"
        assert c.iniciando(1)
        assert c.retomar(2, "morto", "w3") is False  # nobody's claim: nothing to take over
        assert c.dono(2) is None
        b.marcar_iniciando(1, False)
        assert not a.iniciando(1)

    def test_pending_requests_count_down_to_zero(self, estado: EstadoCredenciais) -> None:
        """Requests added are in flight until each is handled; the count says when the credential may end."""
        estado.marcar_iniciando(1, True)
        assert estado.iniciando(1)
        estado.adicionar_pendentes(1, ["r1", "r2"])
        estado.adicionar_pendentes(1, ["r3"])
        estado.marcar_iniciando(1, False)
        assert not estado.iniciando(1)
        assert estado.pendentes(1) == 3
        assert [estado.concluir_pendente(1, r) for r in ("r2", "r1", "r3")] == [2, 1, 0]
        assert estado.pendentes(2) == 0

    def test_the_plugin_state_is_changed_once_per_request(self, estado_factory: EstadoFactory) -> None:
        """A change tied to a request id is kept once, even when a second worker handles the same answer again
        (after the first died); every handle sees the state the others left."""
        a, b = estado_factory(), estado_factory()

        def somar(linhas: int) -> Callable[[dict[str, Any]], int]:
            def funcao(estado: dict[str, Any]) -> int:
                estado["linhas"] = estado.get("linhas", 0) + linhas
                return int(estado["linhas"])

            return funcao

        assert a.alterar(1, somar(10), request_id="p1") == 10
        assert b.alterar(1, somar(5), request_id="p2") == 15
        assert b.alterar(1, somar(10), request_id="p1") == 25  # the throwaway copy: not kept
        assert a.estado(1)["linhas"] == 15
        assert b.estado(1) == {"linhas": 15}
        assert a.estado(2) == {}

    def test_a_failure_and_an_end_are_recorded_once(self, estado_factory: EstadoFactory) -> None:
        """Only the first failure of a credential is kept and only one caller ends it (and runs its check)."""
        a, b = estado_factory(), estado_factory()
        assert a.registrar_falha(1, "LOGIN_FALHOU", "senha recusada") is True
        assert b.registrar_falha(1, "REDE", "outra") is False
        assert b.falha(1) == ("LOGIN_FALHOU", "senha recusada")
        assert a.falha(2) is None
        assert not a.terminada(1)
        assert [a.terminar(1), b.terminar(1)] == [True, False]
        assert b.terminada(1)

    def test_the_context_is_shared_and_everything_is_forgotten_at_the_end(self, estado_factory: EstadoFactory) -> None:
        """A credential's context is read by any handle; :meth:`limpar` forgets the whole capture."""
        a, b = estado_factory(), estado_factory()
        a.guardar_contexto(1, {"credencial_id": 1, "tribunal": "TRT9"})
        assert b.contexto(1) == {"credencial_id": 1, "tribunal": "TRT9"}
        a.adicionar_pendentes(1, ["r1"])
        a.terminar(1)
        b.limpar()
        assert a.contexto(1) is None
        assert a.pendentes(1) == 0
        assert not a.terminada(1)
