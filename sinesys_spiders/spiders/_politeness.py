"""Politeness per tribunal: the download slot of each tribunal, polite for real hosts and open for a simulator.

Each tribunal is its own download slot (``meta["download_slot"]``). A real host gets its plugin's politeness
(``TribunalPlugin.cortesia``; PJE-TRT: 2 requests at once, 0.5 s apart, ±50% jitter), which
``SINESYS_TRIBUNAL_CONCURRENCY`` and ``SINESYS_TRIBUNAL_DELAY`` override for every plugin; a loopback host (a
simulator) the crawl's whole ``CONCURRENT_REQUESTS`` and no delay; ``tribunais_config.opcoes`` (``concurrency``,
``delay``, ``jitter``) override both.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from sinesys_spiders.core.endpoints import EndpointEfetivo
from sinesys_spiders.core.tribunais import get_registry

__all__ = ["slot_do_tribunal"]


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def slot_do_tribunal(settings: BaseSettings, efetivo: EndpointEfetivo) -> dict[str, Any]:
    """The ``DOWNLOAD_SLOTS`` entry of the tribunal served at ``efetivo``."""
    if _is_loopback(efetivo.endpoint.base_url):
        slot: dict[str, Any] = {"concurrency": settings.getint("CONCURRENT_REQUESTS"), "delay": 0.0, "jitter": 0.0}
    else:
        cortesia = get_registry().plugins[efetivo.plugin].cortesia
        concurrency, delay = settings.get("SINESYS_TRIBUNAL_CONCURRENCY"), settings.get("SINESYS_TRIBUNAL_DELAY")
        slot = {
            "concurrency": cortesia.concurrency if concurrency is None else int(concurrency),
            "delay": cortesia.delay if delay is None else float(delay),
            "jitter": cortesia.jitter,
        }
    for key in ("concurrency", "delay", "jitter"):
        if key in efetivo.opcoes:
            slot[key] = efetivo.opcoes[key]
    return slot
