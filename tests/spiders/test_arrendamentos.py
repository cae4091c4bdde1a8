"""The lease keeper of crawls: locks held across callbacks, renewed, released, and never lost to a race."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from sinesys_spiders.core.errors import LockOcupado
from sinesys_spiders.core.locks import Lease
from sinesys_spiders.spiders._arrendamentos import Arrendamentos
from sinesys_spiders.testing.locks import MemoriaLocks


async def test_a_lock_released_and_taken_again_during_a_renewal_stays_held() -> None:
    """Grau 1 lets the session go while its lease is being extended and grau 2 takes it at once: the renewal of
    the old lease must neither drop nor overwrite the new one, which is renewed and released like any other."""
    backend = MemoriaLocks()
    backend.portao = threading.Event()
    leases = Arrendamentos(lambda: backend, ttl=0.3)
    assert await leases.tentar("sessao:advogado:1:TRT3")
    primeiro = backend.donos["sessao:advogado:1:TRT3"]
    await asyncio.to_thread(backend.estendendo.wait, 5)  # the renewer is inside extend(old lease)

    leases.liberar("sessao:advogado:1:TRT3")
    assert await leases.tentar("sessao:advogado:1:TRT3")
    segundo = backend.donos["sessao:advogado:1:TRT3"]
    assert segundo != primeiro
    backend.portao.set()  # extend(old) returns None: the old lease is gone
    backend.portao = None
    await asyncio.sleep(0.35)  # the renewer finishes that round and renews the new lease

    assert "sessao:advogado:1:TRT3" in leases
    assert backend.donos["sessao:advogado:1:TRT3"] == segundo
    leases.fechar()
    assert backend.donos == {}


async def test_waiting_times_out_with_lock_ocupado_or_takes_the_lock_when_freed() -> None:
    backend = MemoriaLocks()
    outro = backend.try_acquire("k", ttl=60)
    assert outro is not None
    leases = Arrendamentos(lambda: backend, ttl=60)
    with pytest.raises(LockOcupado, match="continua em uso por outra captura"):
        await leases.aguardar("k", timeout=0.2, poll=0.05)

    asyncio.get_running_loop().call_later(0.1, backend.release, outro)
    await leases.aguardar("k", timeout=5, poll=0.05)
    assert "k" in leases
    leases.fechar()
    assert backend.donos == {}


async def test_nothing_is_taken_after_close_and_a_lock_taken_while_cancelled_is_given_back() -> None:
    backend = MemoriaLocks()
    leases = Arrendamentos(lambda: backend, ttl=60)
    leases.fechar()
    assert not await leases.tentar("k")
    assert backend.donos == {}

    lento = MemoriaLocks()
    entrou, solta = threading.Event(), threading.Event()
    original = lento.try_acquire

    def try_acquire(key: str, **kwargs: Any) -> Lease | None:
        entrou.set()
        solta.wait(5)
        return original(key, **kwargs)

    lento.try_acquire = try_acquire  # type: ignore[method-assign]
    leases = Arrendamentos(lambda: lento, ttl=60)
    tarefa = asyncio.ensure_future(leases.tentar("k"))
    await asyncio.to_thread(entrou.wait, 5)
    tarefa.cancel()  # the crawl stops while the database call is under way
    await asyncio.sleep(0)
    solta.set()
    with pytest.raises(asyncio.CancelledError):
        await tarefa
    for _ in range(50):  # the thread finishes, takes the lock, and the callback gives it back
        await asyncio.sleep(0.02)
        if not lento.donos:
            break
    assert lento.donos == {}
    assert "k" not in leases
