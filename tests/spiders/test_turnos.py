"""Turns on a lawyer's PJE session inside ``CapturaSpider.start``: deferral, one shared wait, failures that free it.

The spider's own steps are replaced by stand-ins (no database, no tribunal): ``requests_credencial`` yields one
marker per credential, the locks live in memory, and the crawler is only its signals (the capture extension, the
history's one writer, is not there: the failures it would record are observed on the signal), so only the
turn-taking is exercised.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from scrapy.signalmanager import SignalManager

from sinesys_spiders import sinais
from sinesys_spiders.core.credenciais import CredencialResumo
from sinesys_spiders.core.errors import SinesysError
from sinesys_spiders.spiders._turnos import chave_sessao
from sinesys_spiders.spiders.acervo_geral import AcervoGeralSpider
from sinesys_spiders.testing.locks import MemoriaLocks


class _Crawler:
    """A crawler's signals, with the credential failures sent on them (what the capture extension records)."""

    def __init__(self) -> None:
        self.signals = SignalManager(self)
        self.falhas: dict[int, str] = {}
        self.signals.connect(self._falhou, signal=sinais.credencial_falhou)

    def _falhou(self, credencial_id: int, tribunal: Any, grau: Any, error: SinesysError) -> None:
        self.falhas[credencial_id] = error.code


def _credencial(id_: int, advogado_id: int, tribunal: str, grau: str = "primeiro_grau") -> CredencialResumo:
    return CredencialResumo(id_, advogado_id, tribunal, grau, "***", "totp", True)


class _Spider(AcervoGeralSpider):
    """The turn-taking of the real spider; each credential 'crawls' for ``duracao`` seconds."""

    duracao = 0.0
    quebra: int | None = None

    async def requests_credencial(self, credencial: CredencialResumo) -> AsyncIterator[Any]:
        if credencial.id == self.quebra:
            raise RuntimeError("bug do plugin")
        yield ("inicio", credencial.id)
        await asyncio.sleep(self.duracao)


@pytest.fixture
def spider() -> _Spider:
    spider = _Spider(credenciais="1")
    spider.crawler = _Crawler()  # type: ignore[assignment]
    spider.locks = MemoriaLocks()
    spider._turnos.ttl = 0.3  # renewed and polled every 0.1 s
    return spider


async def _run(spider: _Spider) -> list[Any]:
    return [produced async for produced in spider.start()]


async def test_a_busy_session_goes_last_and_runs_once_it_is_free(spider: _Spider) -> None:
    """Another process holds lawyer 7's TRT3 session: lawyer 8 runs first, then 7's graus in order once freed."""
    outro = spider.locks.try_acquire(chave_sessao(7, "TRT3"), ttl=60)
    spider._credenciais = [
        _credencial(1, 7, "TRT3"),
        _credencial(2, 8, "TRT5"),
        _credencial(3, 7, "TRT3", "segundo_grau"),
    ]
    asyncio.get_running_loop().call_later(0.3, spider.locks.release, outro)
    produced = await _run(spider)
    assert produced == [("inicio", 2), ("inicio", 1), ("inicio", 3)]
    assert spider._falhas == {}
    assert spider.crawler.falhas == {}
    assert spider.locks.donos == {}  # every session handed back


async def test_the_wait_is_shared_and_counts_only_waiting(spider: _Spider) -> None:
    """A 1 s limit for the whole crawl: lawyer 8 waits 0.2 s, then crawls for 1.5 s; lawyer 7's session is freed
    0.2 s after that, within what is left of the limit (the crawl time does not count), so 7 runs too; lawyer 9's
    never frees, and 9 fails with LOCK_OCUPADO once the 1 s is used up."""
    spider._turnos.espera = 1.0
    spider.duracao = 1.5
    locks = spider.locks
    held = {adv: locks.try_acquire(chave_sessao(adv, trib), ttl=60) for adv, trib in ((8, "TRT5"), (7, "TRT3"))}
    nunca = locks.try_acquire(chave_sessao(9, "TRT9"), ttl=60)
    spider._credenciais = [_credencial(1, 8, "TRT5"), _credencial(2, 7, "TRT3"), _credencial(3, 9, "TRT9")]
    loop = asyncio.get_running_loop()
    loop.call_later(0.2, locks.release, held[8])
    loop.call_later(1.9, locks.release, held[7])
    produced = await _run(spider)
    assert produced == [("inicio", 1), ("inicio", 2)]
    assert set(spider._falhas) == {3}
    assert spider._falhas[3].code == "LOCK_OCUPADO"
    assert "SINESYS_SESSAO_USO_ESPERA" in spider._falhas[3].message
    assert spider.crawler.falhas == {3: "LOCK_OCUPADO"}  # sent once, for the capture extension to record
    assert nunca is not None
    assert locks.donos == {nunca.key: nunca.owner}  # the other holder's, untouched; ours all handed back


async def test_a_credential_that_breaks_is_recorded_frees_its_session_and_the_others_run(spider: _Spider) -> None:
    """A plugin bug starting credential 1 fails it with ERRO_INTERNO; its grau sibling then takes the session."""
    spider.quebra = 1
    spider._credenciais = [_credencial(1, 7, "TRT3"), _credencial(2, 7, "TRT3", "segundo_grau")]
    produced = await _run(spider)
    assert produced == [("inicio", 2)]
    assert isinstance(spider._falhas[1], SinesysError)
    assert spider._falhas[1].code == "ERRO_INTERNO"
    assert "RuntimeError" in spider._falhas[1].message
    assert spider.crawler.falhas == {1: "ERRO_INTERNO"}
    assert spider.locks.donos == {}
