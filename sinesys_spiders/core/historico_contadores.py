"""Counts per credential during a crawl: filled by the pipelines, flushed into the history at the end.

The pipelines of one crawl share one :class:`ContadoresCaptura` (``pipelines._contexto.contadores``); the history
pipeline writes it into the ``capturas_log`` row with :meth:`ContadoresCaptura.flush`. A capture run by N workers
counts in Redis instead (:class:`ContadoresRedis`), flushed once by the last worker; there each answer's counts are
added once per capture, keyed by its request's id (``pedido=``, :mod:`sinesys_spiders.workers.contagem`).
"""

from __future__ import annotations

import dataclasses
import json
import threading
from typing import TYPE_CHECKING, Any

import redis

from sinesys_spiders.core.historico import CONTAGENS, MAX_ERROS_ITENS, HistoricoService

if TYPE_CHECKING:
    from sinesys_spiders.core.redis_conexao import RedisConexao

__all__ = ["ContadoresCaptura", "ContadoresRedis"]


def _text(value: Any) -> str:
    return str(getattr(value, "value", value))


@dataclasses.dataclass(slots=True)
class _Credencial:
    tribunal: str
    grau: str
    contagem: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(CONTAGENS, 0))
    erros_itens: list[dict[str, Any]] = dataclasses.field(default_factory=list)


class ContadoresCaptura:
    """Counts per credential during a crawl (filled by the pipelines, flushed into the history)."""

    def __init__(self) -> None:
        self._por_credencial: dict[int, _Credencial] = {}

    def _get(self, credencial_id: int, tribunal: Any, grau: Any) -> _Credencial:
        entry = self._por_credencial.get(credencial_id)
        if entry is None:
            entry = self._por_credencial[credencial_id] = _Credencial(_text(tribunal), _text(grau))
        return entry

    def add(self, credencial_id: int, tribunal: Any, grau: Any, *, pedido: str | None = None, **counts: int) -> None:
        """Add counts (``inseridos=3, inalterados=1``...) to a credential (``pedido``: the answer's request id, for
        N workers)."""
        entry = self._get(credencial_id, tribunal, grau)
        for key, value in counts.items():
            if key not in CONTAGENS:
                raise KeyError(f"contagem desconhecida: {key}")
            entry.contagem[key] += value

    def add_item_error(
        self, credencial_id: int, tribunal: Any, grau: Any, *, id_externo: Any, motivo: str, pedido: str | None = None
    ) -> None:
        """One item could not be stored: count it and keep its reason (up to :data:`MAX_ERROS_ITENS`)."""
        entry = self._get(credencial_id, tribunal, grau)
        entry.contagem["erros"] += 1
        if len(entry.erros_itens) < MAX_ERROS_ITENS:
            entry.erros_itens.append({"id_externo": id_externo, "motivo": motivo})

    def confirmar(self, pedido: str) -> bool:
        """The answer to ``pedido`` was handled: add what it counted (N workers; nothing to do in one process)."""
        return False

    def credenciais(self) -> list[int]:
        return sorted(self._por_credencial)

    def contagem(self, credencial_id: int) -> dict[str, int]:
        entry = self._por_credencial.get(credencial_id)
        return dict(entry.contagem) if entry else dict.fromkeys(CONTAGENS, 0)

    def flush(self, service: HistoricoService, captura_id: int) -> None:
        """Record every credential's counts into the history row, then forget them."""
        for credencial_id in self.credenciais():
            entry = self._por_credencial[credencial_id]
            service.record_result(
                captura_id,
                credencial_id=credencial_id,
                tribunal=entry.tribunal,
                grau=entry.grau,
                contagem=entry.contagem,
                erros_itens=entry.erros_itens,
            )
        self._por_credencial.clear()


class ContadoresRedis(ContadoresCaptura):
    """The counts of a capture run by N workers, kept in Redis as they happen (a worker killed mid-crawl loses
    none of what it stored); the last worker to close flushes them into the history row."""

    def __init__(self, conexao: RedisConexao, captura_id: int) -> None:
        super().__init__()
        self.conexao = conexao
        self.base = conexao.chave("captura", int(captura_id), "contagem")
        #: Counts of answers not yet acknowledged, per request id (see :meth:`confirmar`).
        self._staged: dict[str, ContadoresCaptura] = {}
        self._trava = threading.Lock()

    def add(self, credencial_id: int, tribunal: Any, grau: Any, *, pedido: str | None = None, **counts: int) -> None:
        for key in counts:
            if key not in CONTAGENS:
                raise KeyError(f"contagem desconhecida: {key}")
        if pedido is not None:  # staged until the answer is handled (confirmar): added once per capture
            with self._trava:
                entry = self._staged.setdefault(pedido, ContadoresCaptura())
                entry.add(credencial_id, tribunal, grau, pedido=None, **counts)
            return
        with self.conexao.erros():
            pipe = self.conexao.client.pipeline(transaction=True)
            self._somar(pipe, credencial_id, _Credencial(_text(tribunal), _text(grau), dict(counts)))
            pipe.execute()

    def add_item_error(
        self, credencial_id: int, tribunal: Any, grau: Any, *, id_externo: Any, motivo: str, pedido: str | None = None
    ) -> None:
        if pedido is not None:
            with self._trava:
                entry = self._staged.setdefault(pedido, ContadoresCaptura())
                entry.add_item_error(credencial_id, tribunal, grau, id_externo=id_externo, motivo=motivo)
            return
        erro = {"id_externo": id_externo, "motivo": motivo}
        with self.conexao.erros():
            pipe = self.conexao.client.pipeline(transaction=True)
            self._somar(pipe, credencial_id, _Credencial(_text(tribunal), _text(grau), {"erros": 1}, [erro]))
            pipe.execute()

    def _somar(self, pipe: Any, credencial_id: int, entry: _Credencial) -> None:
        chave = f"{self.base}:{int(credencial_id)}"
        pipe.hset(chave, mapping={"tribunal": entry.tribunal, "grau": entry.grau})
        for key, value in entry.contagem.items():
            if value:
                pipe.hincrby(chave, key, int(value))
        pipe.expire(chave, _TTL)
        pipe.sadd(self.base, int(credencial_id))
        pipe.expire(self.base, _TTL)
        if entry.erros_itens:
            pipe.rpush(f"{chave}:erros", *(json.dumps(e, default=str) for e in entry.erros_itens))
            pipe.ltrim(f"{chave}:erros", 0, MAX_ERROS_ITENS - 1)
            pipe.expire(f"{chave}:erros", _TTL)

    def confirmar(self, pedido: str) -> bool:
        """Add what the answer to ``pedido`` counted, in one transaction, unless that request was counted before in
        this capture (another worker handled the same answer: :mod:`sinesys_spiders.workers.contagem`)."""
        with self._trava:
            staged = self._staged.pop(pedido, None)
        if staged is None:
            return False
        try:
            return self._adicionar_uma_vez(pedido, staged)
        except Exception:  # Redis out of reach: kept for a later try (the request stays unacknowledged meanwhile)
            with self._trava:
                self._staged.setdefault(pedido, staged)
            raise

    def _adicionar_uma_vez(self, pedido: str, staged: ContadoresCaptura) -> bool:
        contados = f"{self.base}:pedidos"
        with self.conexao.erros(), self.conexao.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(contados)  # type: ignore[no-untyped-call]
                    if pipe.sismember(contados, pedido):
                        pipe.unwatch()
                        return False
                    pipe.multi()
                    pipe.sadd(contados, pedido)
                    pipe.expire(contados, _TTL)
                    for credencial_id, entry in staged._por_credencial.items():
                        self._somar(pipe, credencial_id, entry)
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue  # another worker counted a request meanwhile: look again

    def credenciais(self) -> list[int]:
        with self.conexao.erros():
            return sorted(int(i) for i in self.conexao.client.smembers(self.base))

    def _ler(self, credencial_id: int) -> tuple[dict[str, str], list[dict[str, Any]]]:
        chave = f"{self.base}:{int(credencial_id)}"
        with self.conexao.erros():
            bruto = self.conexao.client.hgetall(chave)
            erros = [json.loads(e) for e in self.conexao.client.lrange(f"{chave}:erros", 0, -1)]
        return {_decode(k): _decode(v) for k, v in bruto.items()}, erros

    def contagem(self, credencial_id: int) -> dict[str, int]:
        campos, _ = self._ler(credencial_id)
        return {key: int(campos.get(key, 0)) for key in CONTAGENS}

    def flush(self, service: HistoricoService, captura_id: int) -> None:
        for credencial_id in self.credenciais():
            campos, erros = self._ler(credencial_id)
            service.record_result(
                captura_id,
                credencial_id=credencial_id,
                tribunal=campos.get("tribunal"),
                grau=campos.get("grau"),
                contagem={key: int(campos.get(key, 0)) for key in CONTAGENS},
                erros_itens=erros,
            )
        with self.conexao.erros():
            chaves = list(self.conexao.client.scan_iter(match=f"{self.base}*", count=500))
            if chaves:
                self.conexao.client.delete(*chaves)


#: Seconds the counts of a capture outlive their last change when nobody flushes them.
_TTL = 7 * 24 * 3600


def _decode(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
