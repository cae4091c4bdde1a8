"""Politeness per tribunal: each tribunal is a download slot; real PJE hosts get polite limits, the sandbox none."""

from __future__ import annotations

from scrapy.utils.test import get_crawler

from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.endpoints import EndpointEfetivo
from sinesys_spiders.core.tribunais import get_registry
from sinesys_spiders.spiders._politeness import slot_do_tribunal


def _efetivo(base_url: str | None = None, **opcoes) -> EndpointEfetivo:
    padrao = get_registry().endpoint(Tribunal("TRT3"), Grau.PRIMEIRO_GRAU)
    endpoint = padrao.with_base_url(base_url) if base_url else padrao
    return EndpointEfetivo(endpoint=endpoint, padrao=padrao, plugin="pje_trt", opcoes=opcoes)


def test_a_real_tribunal_gets_the_polite_defaults():
    """The real PJE host: SINESYS_TRIBUNAL_CONCURRENCY requests at once, SINESYS_TRIBUNAL_DELAY apart, with jitter."""
    crawler = get_crawler(settings_dict={"SINESYS_TRIBUNAL_CONCURRENCY": 2, "SINESYS_TRIBUNAL_DELAY": 0.5})
    assert slot_do_tribunal(crawler.settings, _efetivo()) == {"concurrency": 2, "delay": 0.5, "jitter": 0.5}


def test_the_sandbox_on_loopback_is_not_throttled():
    """A loopback base URL (the sandbox) gets the crawl's whole concurrency and no delay."""
    crawler = get_crawler(settings_dict={"CONCURRENT_REQUESTS": 16})
    slot = slot_do_tribunal(crawler.settings, _efetivo("http://127.0.1.3:8800"))
    assert slot == {"concurrency": 16, "delay": 0.0, "jitter": 0.0}


def test_tribunal_options_override_the_defaults():
    """tribunais_config.opcoes (concurrency, delay, jitter) win over the defaults."""
    crawler = get_crawler(settings_dict={"SINESYS_TRIBUNAL_CONCURRENCY": 2, "SINESYS_TRIBUNAL_DELAY": 0.5})
    slot = slot_do_tribunal(crawler.settings, _efetivo(concurrency=1, delay=3.0))
    assert slot == {"concurrency": 1, "delay": 3.0, "jitter": 0.5}


def test_without_settings_a_real_tribunal_gets_its_plugins_politeness():
    """No SINESYS_TRIBUNAL_* setting: the slot is the serving plugin's cortesia (PJE-TRT: 2 at once, 0.5 s ±50%)."""
    cortesia = get_registry().plugins["pje_trt"].cortesia
    slot = slot_do_tribunal(get_crawler().settings, _efetivo())
    assert slot == {"concurrency": cortesia.concurrency, "delay": cortesia.delay, "jitter": cortesia.jitter}
    assert slot == {"concurrency": 2, "delay": 0.5, "jitter": 0.5}
