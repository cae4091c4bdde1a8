"""The one place a recovery run is recorded as a capture (``capturas_log``), with its origin and counts.

Each capture type a run touches is one capture of the capture service
(:class:`~sinesys_spiders.core.capturas_jobs.ServicoCapturas`) with ``origem = recovery``, runner
``recovery``, ``parametros`` saying what was asked (and ``origem`` again, for readers of the parameters only);
it is started at once, kept alive by heartbeats while pages are re-persisted, and each credential's counts are
its result, as for a crawl.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.capturas_jobs import Origem, ServicoCapturas

__all__ = ["ORIGEM", "RegistroRecovery"]

ORIGEM = Origem.RECOVERY.value
#: Pages between two heartbeats of the run's captures.
_HEARTBEAT_PAGINAS = 20


@dataclasses.dataclass(slots=True)
class _Conta:
    tribunal: str
    grau: str
    contagem: dict[str, int] = dataclasses.field(default_factory=dict)
    extra: dict[str, int] = dataclasses.field(default_factory=dict)
    erros: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def soma(self, destino: dict[str, int], valores: Mapping[str, int]) -> None:
        for key, value in valores.items():
            destino[key] = destino.get(key, 0) + int(value)


class RegistroRecovery:
    """One capture row per capture type a run touches, opened on first use and finished by :meth:`concluir`."""

    def __init__(
        self, session_factory: sessionmaker[Session], parametros: Mapping[str, Any], *, solicitante: str | None = None
    ) -> None:
        self._servico = ServicoCapturas(session_factory)
        self._parametros = {**parametros, "origem": ORIGEM}
        self._solicitante = solicitante
        self._capturas: dict[str, int] = {}
        self._contas: dict[tuple[str, int], _Conta] = {}
        self._paginas = 0

    def captura_id(self, tipo_captura: str, advogado_id: int | None, credencial_id: int | None) -> int:
        """The run's capture row for ``tipo_captura`` (created and started the first time)."""
        if tipo_captura not in self._capturas:
            captura_id = self._servico.criar(
                tipo_captura,
                advogado_id=advogado_id,
                # the lawyer is enough: a credential deactivated since the crawl does not block re-persisting
                # what it captured (its results still name it)
                credencial_ids=[credencial_id] if credencial_id and advogado_id is None else [],
                parametros=self._parametros,
                origem=Origem.RECOVERY,
                solicitante=self._solicitante,
            )
            self._capturas[tipo_captura] = captura_id
            self._servico.iniciar(captura_id, runner=ORIGEM, job_id=f"recovery-{captura_id}")
        return self._capturas[tipo_captura]

    def registrar(
        self, tipo_captura: str, credencial_id: int | None, tribunal: str | None, grau: str | None, *,
        contagem: Mapping[str, int], extra: Mapping[str, int], erro: Mapping[str, Any] | None = None,
    ) -> None:  # fmt: skip
        """Add one page's outcome to its credential's counts."""
        conta = self._contas.setdefault((tipo_captura, credencial_id or 0), _Conta(tribunal or "", grau or ""))
        conta.soma(conta.contagem, contagem)
        conta.soma(conta.extra, extra)
        if erro is not None:
            conta.erros.append(dict(erro))
        self._paginas += 1
        if self._paginas % _HEARTBEAT_PAGINAS == 0:  # a long run is not reaped as a dead crawl
            for captura_id in self._capturas.values():
                self._servico.heartbeat(captura_id)

    @property
    def ids(self) -> list[int]:
        return sorted(self._capturas.values())

    def concluir(self) -> None:
        """Record every credential's counts and finish each row."""
        for (tipo, credencial_id), conta in sorted(self._contas.items()):
            captura_id = self._capturas.get(tipo)
            if captura_id is None or not credencial_id:
                continue
            self._servico.record_result(
                captura_id,
                credencial_id=credencial_id,
                tribunal=conta.tribunal,
                grau=conta.grau,
                contagem=conta.contagem,
                erros_itens=conta.erros[:50],
                extra={**conta.extra, "origem": ORIGEM},
            )
        for captura_id in self._capturas.values():
            self._servico.concluir(captura_id)

    def falhar(self, exc: BaseException) -> None:
        """The run stopped on an unexpected error: its rows fail (with the error's class, no free text)."""
        for captura_id in self._capturas.values():
            try:
                self._servico.fail(captura_id, {"codigo": "ERRO_RECOVERY", "mensagem": type(exc).__name__})
            except Exception:  # noqa: S112 - already finished: nothing more to record
                continue
