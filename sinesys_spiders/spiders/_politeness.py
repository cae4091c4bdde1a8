"""Politeness per tribunal: the download slot of each tribunal, polite for real PJE hosts and open for the sandbox.

Each tribunal is its own download slot (``meta["download_slot"]``). A real PJE host gets ``SINESYS_PJE_CONCURRENCY``
requests at once (default 2), ``SINESYS_PJE_DELAY`` seconds apart (default 0.5, ±50% jitter); a loopback host (the
sandbox) the crawl's whole ``CONCURRENT_REQUESTS`` and no delay; ``tribunais_config.opcoes`` (``concurrency``,
``delay``, ``jitter``) override both.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from sinesys_spiders.core.endpoints import EndpointEfetivo

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
        slot = {
            "concurrency": settings.getint("SINESYS_PJE_CONCURRENCY", 2),
            "delay": settings.getfloat("SINESYS_PJE_DELAY", 0.5),
            "jitter": 0.5,
        }
    for key in ("concurrency", "delay", "jitter"):
        if key in efetivo.opcoes:
            slot[key] = efetivo.opcoes[key]
    return slot
