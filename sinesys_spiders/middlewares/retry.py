"""Retry with exponential backoff, full jitter and ``Retry-After``.

Replaces Scrapy's ``RetryMiddleware`` (which retries at once): a 429 or 5xx response, or a network error, is
retried after ``uniform(0, min(SINESYS_RETRY_MAX_DELAY, SINESYS_RETRY_BASE_DELAY * 2 ** attempt))`` seconds, and
never sooner than the server's ``Retry-After`` (capped by ``SINESYS_RETRY_AFTER_MAX``). 400, 401, 403 and 404 are
not retried (401/403 belong to the session middleware). Only the retried request waits; the others go on.

Settings: ``RETRY_ENABLED``, ``RETRY_TIMES``, ``RETRY_HTTP_CODES``, ``RETRY_EXCEPTIONS`` (Scrapy's own),
``SINESYS_RETRY_BASE_DELAY`` (default 0.5 s), ``SINESYS_RETRY_MAX_DELAY`` (30 s), ``SINESYS_RETRY_AFTER_MAX``
(300 s). Per request: ``meta["dont_retry"]``, ``meta["max_retry_times"]``. A crawl that starts stopping during a
wait retries no more (:mod:`sinesys_spiders.parada`).
"""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.response import response_status_message

from sinesys_spiders.parada import DownloadInterrompido, esperar

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

__all__ = ["BackoffRetryMiddleware", "backoff_delay", "parse_retry_after"]


def parse_retry_after(value: bytes | str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date); ``None`` if absent or bad."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff_delay(
    attempt: int,
    *,
    base: float,
    cap: float,
    retry_after: float | None = None,
    retry_after_max: float = 300.0,
    rng: random.Random | None = None,
) -> float:
    """Full-jitter exponential backoff for retry number ``attempt`` (1-based), at least ``retry_after``."""
    uniform = rng.uniform if rng is not None else random.uniform
    delay = uniform(0.0, min(cap, base * (2 ** (attempt - 1))))
    if retry_after is not None:
        delay = max(delay, min(retry_after, retry_after_max))
    return delay


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry rules and statistics, with a wait before each retry."""

    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.base_delay = settings.getfloat("SINESYS_RETRY_BASE_DELAY", 0.5)
        self.max_delay = settings.getfloat("SINESYS_RETRY_MAX_DELAY", 30.0)
        self.retry_after_max = settings.getfloat("SINESYS_RETRY_AFTER_MAX", 300.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        o = cls(crawler.settings)
        o.crawler = crawler
        return o

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry_after = parse_retry_after(response.headers.get(b"Retry-After"))
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._wait(retry, retry_after)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._wait(retry, None)
        return retry

    async def _wait(self, retry: Request, retry_after: float | None) -> None:
        attempt = retry.meta.get("retry_times", 1)
        delay = backoff_delay(
            attempt,
            base=self.base_delay,
            cap=self.max_delay,
            retry_after=retry_after,
            retry_after_max=self.retry_after_max,
        )
        stats = self.crawler.stats
        if stats is not None:
            # Scrapy annotates ``count`` as int; the collector adds any number (seconds here).
            stats.inc_value("sinesys/retry/wait_seconds", round(delay, 3))  # type: ignore[arg-type]
        if delay > 0 and not await esperar(self.crawler, delay):
            # The crawl is stopping: no retry after the wait (it would hold the stop up to Retry-After).
            raise DownloadInterrompido("nova tentativa cancelada: a captura está parando")
