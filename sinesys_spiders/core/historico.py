"""The capture history (``capturas_log``): one row per capture run, with a result per credential.

Life cycle (:class:`~sinesys_spiders.core.domain.StatusCaptura`)::

    pending ──start──> in_progress ──finish──> completed | failed
       └────────────────fail──────────────────> failed

How a capture uses it (the API or the scheduler may create the row first and pass ``captura_id``)::

    historico = HistoricoService(session_factory)   # or HistoricoService.from_url()
    captura_id = historico.start(captura_id,                      # attach (pending -> in_progress)
                                 tipo_captura="acervo_geral",      # or open a new row when None
                                 advogado_id=7, credencial_ids=[1, 2])
    historico.record_result(captura_id, credencial_id=1, tribunal="TRT3", grau="primeiro_grau",
                            contagem={"inseridos": 10, "atualizados": 0, "inalterados": 2, "erros": 0})
    historico.record_failure(captura_id, credencial_id=2, tribunal="TRT5", grau="primeiro_grau",
                             error=SenhaInvalida())            # one credential failing never stops others
    historico.finish(captura_id)     # completed if any credential succeeded (or none failed), else failed
    historico.fail(captura_id, error)  # the whole run failed before or outside any credential

``resultado`` (JSON) is ``{credenciais_processadas, totais: {inseridos, atualizados, inalterados,
duplicados, erros}, resultados: [{credencial_id, tribunal, grau, resultado: {...counts}} | {...,
erro: {codigo, mensagem}}]}``; ``erro`` (text) joins the failures' messages with "; ". Recording a
credential twice merges: counts add up, the last error wins. Item-level errors (a row that did not
validate or store) count in ``erros`` and keep up to :data:`MAX_ERROS_ITENS` reasons per credential
under ``erros_itens``.

:class:`~sinesys_spiders.core.historico_contadores.ContadoresCaptura` is the in-memory accumulator the pipelines
fill during a crawl and flush through :meth:`HistoricoService.record_result` at the end.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.db.models import CapturaLog
from sinesys_spiders.core.domain import StatusCaptura, TipoCaptura
from sinesys_spiders.core.errors import EntradaInvalida, NaoEncontrado, PermanentError, SinesysError
from sinesys_spiders.core.logsafe import ecoar
from sinesys_spiders.core.timeutil import utcnow

__all__ = [
    "CONTAGENS",
    "MAX_ERROS_ITENS",
    "CapturaResumo",
    "HistoricoService",
    "TransicaoInvalida",
]

#: The counts kept per credential, in display order.
CONTAGENS = ("inseridos", "atualizados", "inalterados", "duplicados", "erros")
#: How many item-level error reasons are kept per credential (the count keeps going).
MAX_ERROS_ITENS = 50

_TERMINAL = frozenset({StatusCaptura.COMPLETED, StatusCaptura.FAILED, StatusCaptura.CANCELLED})


class TransicaoInvalida(PermanentError):
    """A capture cannot move to that status from the one it is in."""

    code = "TRANSICAO_INVALIDA"


def _as_error(error: BaseException | Mapping[str, Any]) -> dict[str, str]:
    if isinstance(error, Mapping):
        return {"codigo": str(error.get("codigo", "ERRO_INTERNO")), "mensagem": str(error.get("mensagem", ""))}
    if isinstance(error, SinesysError):
        return error.as_dict()
    # Unexpected exceptions: the class name only; their text may carry anything.
    return {"codigo": "ERRO_INTERNO", "mensagem": f"erro inesperado ({type(error).__name__})"}


def _text(value: Any) -> str:
    return str(getattr(value, "value", value))


@dataclasses.dataclass(frozen=True, slots=True)
class CapturaResumo:
    """A ``capturas_log`` row as read by the CLI and the API."""

    id: int
    tipo_captura: str
    status: str
    advogado_id: int | None
    credencial_ids: list[int]
    parametros: dict[str, Any]
    resultado: dict[str, Any]
    erro: str | None
    criado_em: dt.datetime
    iniciado_em: dt.datetime | None
    concluido_em: dt.datetime | None

    @property
    def resultados(self) -> list[dict[str, Any]]:
        return list(self.resultado.get("resultados", []))

    @property
    def totais(self) -> dict[str, int]:
        return {key: int(self.resultado.get("totais", {}).get(key, 0)) for key in CONTAGENS}

    def as_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        for key in ("criado_em", "iniciado_em", "concluido_em"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


def _resumo(row: CapturaLog) -> CapturaResumo:
    return CapturaResumo(
        id=row.id,
        tipo_captura=row.tipo_captura,
        status=row.status,
        advogado_id=row.advogado_id,
        credencial_ids=list(row.credencial_ids or []),
        parametros=dict(row.parametros or {}),
        resultado=dict(row.resultado or {}),
        erro=row.erro,
        criado_em=row.created_at,
        iniciado_em=row.iniciado_em,
        concluido_em=row.concluido_em,
    )


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _entry(resultados: list[dict[str, Any]], credencial_id: int, tribunal: Any, grau: Any) -> dict[str, Any]:
    """The credential's entry (created if new); a tribunal or grau unknown before (None) is filled in."""
    for entry in resultados:
        if entry["credencial_id"] == credencial_id:
            if entry.get("tribunal") is None and tribunal is not None:
                entry["tribunal"] = _text(tribunal)
            if entry.get("grau") is None and grau is not None:
                entry["grau"] = _text(grau)
            return entry
    entry = {"credencial_id": credencial_id, "tribunal": _optional_text(tribunal), "grau": _optional_text(grau)}
    resultados.append(entry)
    return entry


def _recompute(resultado: dict[str, Any], credencial_ids: Sequence[int]) -> dict[str, Any]:
    resultados = sorted(resultado.get("resultados", []), key=lambda e: e["credencial_id"])
    totais = dict.fromkeys(CONTAGENS, 0)
    for entry in resultados:
        for key in CONTAGENS:
            totais[key] += int(entry.get("resultado", {}).get(key, 0))
    return {
        **resultado,
        "credenciais_processadas": len(resultados),
        "totais": totais,
        "resultados": resultados,
    }


class HistoricoService:
    """Reads and moves ``capturas_log`` rows; every call is its own short transaction."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    @classmethod
    def from_url(cls, database_url: str | None = None) -> HistoricoService:
        """The service on ``database_url`` (default: ``SINESYS_DATABASE_URL``, SQLite under ``var/``)."""
        from sinesys_spiders.core.db.engine import get_session_factory

        return cls(get_session_factory(database_url))

    # -- creating and moving -------------------------------------------------------------------

    def create(
        self,
        tipo_captura: TipoCaptura | str,
        *,
        advogado_id: int | None = None,
        credencial_ids: Iterable[int] = (),
        parametros: Mapping[str, Any] | None = None,
    ) -> int:
        """A new ``pending`` row; return its id."""
        tipo = self._tipo(tipo_captura)
        with self._factory.begin() as session:
            row = CapturaLog(
                tipo_captura=tipo,
                advogado_id=advogado_id,
                credencial_ids=sorted(set(credencial_ids)),
                status=StatusCaptura.PENDING.value,
                parametros=dict(parametros or {}),
                resultado=_recompute({}, []),
            )
            session.add(row)
            session.flush()
            return row.id

    def start(
        self,
        captura_id: int | None = None,
        *,
        tipo_captura: TipoCaptura | str | None = None,
        advogado_id: int | None = None,
        credencial_ids: Iterable[int] = (),
        parametros: Mapping[str, Any] | None = None,
    ) -> int:
        """Move a ``pending`` row to ``in_progress`` (creating it first when ``captura_id`` is None).

        Starting a row already ``in_progress`` is allowed (a resumed job); a finished one is not.
        """
        if captura_id is None:
            if tipo_captura is None:
                raise EntradaInvalida("informe captura_id ou tipo_captura")
            captura_id = self.create(
                tipo_captura, advogado_id=advogado_id, credencial_ids=credencial_ids, parametros=parametros
            )
        with self._factory.begin() as session:
            row = self._lock(session, captura_id)
            status = StatusCaptura(row.status)
            if status in _TERMINAL:
                raise TransicaoInvalida(f"captura {captura_id} já está {status.value}: não pode ser iniciada de novo")
            if tipo_captura is not None and row.tipo_captura != self._tipo(tipo_captura):
                raise EntradaInvalida(
                    f"captura {captura_id} é do tipo {row.tipo_captura}, não {self._tipo(tipo_captura)}"
                )
            extra = set(credencial_ids) - set(row.credencial_ids or [])
            if extra:
                row.credencial_ids = sorted(set(row.credencial_ids or []) | extra)
            if advogado_id is not None and row.advogado_id is None:
                row.advogado_id = advogado_id
            if status is StatusCaptura.PENDING:
                row.status = StatusCaptura.IN_PROGRESS.value
                row.iniciado_em = utcnow()
        return captura_id

    def record_result(
        self,
        captura_id: int,
        *,
        credencial_id: int,
        tribunal: Any,
        grau: Any,
        contagem: Mapping[str, int],
        erros_itens: Sequence[Mapping[str, Any]] = (),
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Add a credential's counts (merged with what was recorded before for it)."""
        with self._factory.begin() as session:
            row = self._lock_open(session, captura_id)
            resultado = dict(row.resultado or {})
            resultados = [dict(e) for e in resultado.get("resultados", [])]
            entry = _entry(resultados, credencial_id, tribunal, grau)
            counts = {key: int(entry.get("resultado", {}).get(key, 0)) for key in CONTAGENS}
            for key, value in contagem.items():
                if key in CONTAGENS:
                    counts[key] += int(value)
            entry["resultado"] = {**entry.get("resultado", {}), **(extra or {}), **counts}
            if erros_itens:
                kept = list(entry.get("erros_itens", []))
                kept.extend(dict(e) for e in erros_itens[: max(0, MAX_ERROS_ITENS - len(kept))])
                entry["erros_itens"] = kept
            resultado["resultados"] = resultados
            row.resultado = _recompute(resultado, row.credencial_ids or [])
            row.credencial_ids = sorted(set(row.credencial_ids or []) | {credencial_id})

    def record_failure(
        self,
        captura_id: int,
        *,
        credencial_id: int,
        tribunal: Any,
        grau: Any,
        error: BaseException | Mapping[str, Any],
    ) -> None:
        """Record why a credential failed (code and message; never the exception's free text)."""
        with self._factory.begin() as session:
            row = self._lock_open(session, captura_id)
            resultado = dict(row.resultado or {})
            resultados = [dict(e) for e in resultado.get("resultados", [])]
            entry = _entry(resultados, credencial_id, tribunal, grau)
            entry["erro"] = _as_error(error)
            resultado["resultados"] = resultados
            row.resultado = _recompute(resultado, row.credencial_ids or [])
            row.credencial_ids = sorted(set(row.credencial_ids or []) | {credencial_id})

    def finish(self, captura_id: int) -> StatusCaptura:
        """End the run: ``failed`` when every credential recorded failed, ``completed`` otherwise."""
        with self._factory.begin() as session:
            row = self._lock(session, captura_id)
            status = StatusCaptura(row.status)
            if status in _TERMINAL:
                raise TransicaoInvalida(f"captura {captura_id} já está {status.value}")
            resultado = _recompute(dict(row.resultado or {}), row.credencial_ids or [])
            failures = [e for e in resultado["resultados"] if "erro" in e]
            succeeded = [e for e in resultado["resultados"] if "erro" not in e]
            final = StatusCaptura.FAILED if failures and not succeeded else StatusCaptura.COMPLETED
            row.resultado = resultado
            row.erro = "; ".join(self._failure_text(e) for e in failures) or None
            row.status = final.value
            row.iniciado_em = row.iniciado_em or utcnow()
            row.concluido_em = utcnow()
            return final

    def fail(self, captura_id: int, error: BaseException | Mapping[str, Any]) -> None:
        """The whole run failed (bad arguments, no credential could even start...)."""
        err = _as_error(error)
        with self._factory.begin() as session:
            row = self._lock(session, captura_id)
            status = StatusCaptura(row.status)
            if status in _TERMINAL:
                raise TransicaoInvalida(f"captura {captura_id} já está {status.value}")
            resultado = _recompute(dict(row.resultado or {}), row.credencial_ids or [])
            resultado["erro"] = err
            failures = [self._failure_text(e) for e in resultado["resultados"] if "erro" in e]
            row.resultado = resultado
            row.erro = "; ".join([f"{err['codigo']}: {err['mensagem']}", *failures])
            row.status = StatusCaptura.FAILED.value
            row.concluido_em = utcnow()

    # -- reading -------------------------------------------------------------------------------

    def get(self, captura_id: int) -> CapturaResumo:
        """The row of ``captura_id``; :class:`NaoEncontrado` when there is none."""
        with self._factory() as session:
            row = session.get(CapturaLog, captura_id)
            if row is None:
                raise NaoEncontrado(f"captura {captura_id} não encontrada")
            return _resumo(row)

    def list(
        self,
        *,
        limit: int = 20,
        tipo_captura: TipoCaptura | str | None = None,
        status: StatusCaptura | str | None = None,
        advogado_id: int | None = None,
    ) -> list[CapturaResumo]:
        """The most recent captures first."""
        query = select(CapturaLog)
        if tipo_captura is not None:
            query = query.where(CapturaLog.tipo_captura == self._tipo(tipo_captura))
        if status is not None:
            query = query.where(CapturaLog.status == StatusCaptura(_text(status)).value)
        if advogado_id is not None:
            query = query.where(CapturaLog.advogado_id == advogado_id)
        query = query.order_by(CapturaLog.id.desc()).limit(limit)
        with self._factory() as session:
            return [_resumo(row) for row in session.scalars(query)]

    # -- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _tipo(tipo: TipoCaptura | str) -> str:
        try:
            return TipoCaptura(_text(tipo)).value
        except ValueError:
            accepted = ", ".join(t.value for t in TipoCaptura)
            raise EntradaInvalida(f"tipo de captura desconhecido: {ecoar(tipo)} (use {accepted})") from None

    @staticmethod
    def _failure_text(entry: Mapping[str, Any]) -> str:
        erro = entry["erro"]
        where = " ".join(str(v) for v in (entry.get("tribunal"), entry.get("grau")) if v)
        onde = f"credencial {entry['credencial_id']}" + (f" ({where})" if where else "")
        return f"{onde}: {erro['codigo']}: {erro['mensagem']}"

    @staticmethod
    def _lock(session: Session, captura_id: int) -> CapturaLog:
        row = session.execute(
            select(CapturaLog).where(CapturaLog.id == captura_id).with_for_update()
        ).scalar_one_or_none()
        if row is None:
            raise NaoEncontrado(f"captura {captura_id} não encontrada")
        return row

    def _lock_open(self, session: Session, captura_id: int) -> CapturaLog:
        row = self._lock(session, captura_id)
        if StatusCaptura(row.status) in _TERMINAL:
            raise TransicaoInvalida(f"captura {captura_id} já está {row.status}: resultados não podem mudar")
        return row
