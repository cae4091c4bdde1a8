"""The contract of a per-case crawl state back end (:mod:`sinesys_spiders.core.estado_captura.processos`).

Subclass :class:`EstadoProcessosContract` and give it an ``processos_factory`` fixture returning a callable that
opens one more handle on the same capture's per-case state (the in-memory back end returns the same object; Redis
opens a new connection, as another worker would).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sinesys_spiders.core.estado_captura.processos import EstadoProcessos

__all__ = ["EstadoProcessosContract", "ProcessosFactory"]

ProcessosFactory = Callable[[], EstadoProcessos]


class EstadoProcessosContract:
    """What the per-case spiders and pipeline rely on, for any back end."""

    def test_a_case_is_opened_once_and_closed_by_its_last_token(self, processos_factory: ProcessosFactory) -> None:
        """A case opens once; it stays open while anything of it is in flight, and exactly the caller that removes
        its last token gets its record back (to give its lock back)."""
        a, b = processos_factory(), processos_factory()
        registro = {"credencial_id": 7, "lease": {"key": "captura:processo:1", "owner": "t"}}
        assert a.abrir(1, registro) is True
        assert b.abrir(1, {"credencial_id": 8}) is False
        a.adicionar(1, ["r1", "r2"])
        b.adicionar(1, ["r3"])
        assert b.aberto(1)
        assert a.concluir(1, "r2") is None
        assert b.concluir(1, "r1") is None
        assert b.concluir(1, "r9") is None  # not one of its tokens: nothing closes
        assert a.concluir(1, "r3") == registro
        assert not b.aberto(1)
        assert b.concluir(1, "r3") is None  # closed: nobody gets it twice
        assert a.abrir(1, {"credencial_id": 7}) is True  # asked again later in the crawl: a new case

    def test_tokens_of_an_unknown_case_are_ignored_and_a_case_can_be_discarded(
        self, processos_factory: ProcessosFactory
    ) -> None:
        """Tokens for a case that is not open change nothing; a case discarded is closed whatever it had in flight."""
        a, b = processos_factory(), processos_factory()
        a.adicionar(2, ["r1"])
        assert not a.aberto(2)
        assert a.concluir(2, "r1") is None
        assert a.abrir(3, {"credencial_id": 1}) is True
        a.adicionar(3, ["r1"])
        assert b.descartar(3) == {"credencial_id": 1}
        assert a.descartar(3) is None
        assert a.concluir(3, "r1") is None

    def test_an_open_case_is_taken_over_with_what_it_has_in_flight(self, processos_factory: ProcessosFactory) -> None:
        """Another worker replaces an open case's record (the lock it took over from a dead worker): it learns
        whether the case was ever started; the new record is the one its closer gets; a closed case is not taken."""
        a, b = processos_factory(), processos_factory()
        a.abrir(1, {"credencial_id": 1, "lease": {"owner": "morto"}})
        assert b.retomar(1, {"credencial_id": 1, "lease": {"owner": "vivo"}}) == 0
        a.adicionar(1, ["r1", "r2"])
        assert b.retomar(1, {"credencial_id": 1, "lease": {"owner": "outro"}}) == 2
        a.concluir(1, "r1")
        assert b.concluir(1, "r2") == {"credencial_id": 1, "lease": {"owner": "outro"}}
        assert a.retomar(1, {"credencial_id": 1}) is None
        assert not a.aberto(1)

    def test_which_cases_are_open(self, processos_factory: ProcessosFactory) -> None:
        """The renewer of the locks asks which of its cases are still open, in one call."""
        a, b = processos_factory(), processos_factory()
        for processo_id in (1, 2, 3):
            a.abrir(processo_id, {"credencial_id": 1})
            a.adicionar(processo_id, ["r"])
        b.concluir(2, "r")
        assert b.abertos([1, 2, 3, 4]) == {1, 3}
        assert a.abertos([]) == set()

    def test_each_credential_result_is_accumulated_by_every_handle(self, processos_factory: ProcessosFactory) -> None:
        """Per-case results added by two workers add up; each credential has its own; :meth:`limpar` forgets all."""
        a, b = processos_factory(), processos_factory()

        def somar(n: int) -> Callable[[dict[str, Any]], int]:
            def funcao(resultado: dict[str, Any]) -> int:
                resultado["casos"] = resultado.get("casos", 0) + n
                resultado.setdefault("ids", []).append(n)
                return int(resultado["casos"])

            return funcao

        assert a.acumular(1, somar(2)) == 2
        assert b.acumular(1, somar(3)) == 5
        assert b.acumular(4, somar(1)) == 1
        assert a.resultados() == {1: {"casos": 5, "ids": [2, 3]}, 4: {"casos": 1, "ids": [1]}}
        a.abrir(9, {"credencial_id": 1})
        b.limpar()
        assert a.resultados() == {}
        assert not a.aberto(9)

    def test_a_marked_contribution_is_added_once(self, processos_factory: ProcessosFactory) -> None:
        """The same answer's part handled by two workers (one killed before acknowledging it) is added once: the
        second ``acumular`` with the same mark changes nothing and returns None; other marks still add up."""
        a, b = processos_factory(), processos_factory()

        def somar(resultado: dict[str, Any]) -> int:
            resultado["inseridos"] = resultado.get("inseridos", 0) + 3
            return int(resultado["inseridos"])

        assert a.acumular(1, somar, marca="rid-1#0:1") == 3
        assert b.acumular(1, somar, marca="rid-1#0:1") is None
        assert b.acumular(1, somar, marca="rid-2#0:1") == 6
        assert a.acumular(1, somar) == 9  # unmarked: always added
        assert a.resultados() == {1: {"inseridos": 9}}
        b.limpar()
        assert a.acumular(1, somar, marca="rid-1#0:1") == 3  # the capture's marks went with its keys
