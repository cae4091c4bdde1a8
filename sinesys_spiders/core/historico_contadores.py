"""Counts per credential during a crawl: filled by the pipelines, flushed into the history at the end.

The pipelines of one crawl share one :class:`ContadoresCaptura` (``pipelines._contexto.contadores``); the history
pipeline writes it into the ``capturas_log`` row with :meth:`ContadoresCaptura.flush`. A capture run by N workers
counts in Redis instead (:class:`ContadoresRedis`), flushed once by the last worker.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

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

    def add(self, credencial_id: int, tribunal: Any, grau: Any, **counts: int) -> None:
        """Add counts (``inseridos=3, inalterados=1``...) to a credential."""
        entry = self._get(credencial_id, tribunal, grau)
        for key, value in counts.items():
            if key not in CONTAGENS:
                raise KeyError(f"contagem desconhecida: {key}")
            entry.contagem[key] += value

    def add_item_error(self, credencial_id: int, tribunal: Any, grau: Any, *, id_externo: Any, motivo: str) -> None:
        """One item could not be stored: count it and keep its reason (up to :data:`MAX_ERROS_ITENS`)."""
        entry = self._get(credencial_id, tribunal, grau)
        entry.contagem["erros"] += 1
        if len(entry.erros_itens) < MAX_ERROS_ITENS:
            entry.erros_itens.append({"id_externo": id_externo, "motivo": motivo})

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

    def add(self, credencial_id: int, tribunal: Any, grau: Any, **counts: int) -> None:
        for key in counts:
            if key not in CONTAGENS:
                raise KeyError(f"contagem desconhecida: {key}")
        chave = f"{self.base}:{int(credencial_id)}"
        with self.conexao.erros():
            pipe = self.conexao.client.pipeline(transaction=True)
            pipe.hset(chave, mapping={"tribunal": _text(tribunal), "grau": _text(grau)})
            for key, value in counts.items():
                pipe.hincrby(chave, key, int(value))
            pipe.expire(chave, _TTL)
            pipe.sadd(self.base, int(credencial_id))
            pipe.expire(self.base, _TTL)
            pipe.execute()

    def add_item_error(self, credencial_id: int, tribunal: Any, grau: Any, *, id_externo: Any, motivo: str) -> None:
        self.add(credencial_id, tribunal, grau, erros=1)
        chave = f"{self.base}:{int(credencial_id)}:erros"
        with self.conexao.erros():
            pipe = self.conexao.client.pipeline(transaction=True)
            pipe.rpush(chave, json.dumps({"id_externo": id_externo, "motivo": motivo}, default=str))
            pipe.ltrim(chave, 0, MAX_ERROS_ITENS - 1)
            pipe.expire(chave, _TTL)
            pipe.execute()

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
