"""Retry with backoff: which responses are retried, and Retry-After honoured, in a real Scrapy crawl."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sinesys_spiders.middlewares.retry import backoff_delay, parse_retry_after

ROOT = Path(__file__).resolve().parents[2]

SPIDER = """
import scrapy

class Probe(scrapy.Spider):
    name = "probe"
    custom_settings = {"HTTPERROR_ALLOW_ALL": True}

    async def start(self):
        for path in self.paths.split(","):
            yield scrapy.Request(self.base + path, dont_filter=True)

    def parse(self, response):
        yield {"path": response.url.rsplit("/", 1)[1], "status": response.status}
"""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, script: dict[str, list[tuple[int, dict[str, str]]]]):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = script
        self.hits: dict[str, list[float]] = {}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self):
        path = self.path.rsplit("/", 1)[1]
        self.server.hits.setdefault(path, []).append(time.monotonic())
        steps = self.server.script[path]
        status, headers = steps[min(len(self.server.hits[path]), len(steps)) - 1]
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    script = {
        "flaky": [(503, {}), (502, {}), (200, {})],
        "limited": [(429, {"Retry-After": "1"}), (200, {})],
        "missing": [(404, {}), (200, {})],
        "forbidden": [(403, {}), (200, {})],
        "bad": [(400, {}), (200, {})],
    }
    srv = _Server(script)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()


def test_5xx_and_429_are_retried_and_4xx_are_not(server, tmp_path):
    """5xx and 429 end in the 200 that follows; 400, 403 and 404 are final; Retry-After is waited for."""
    spider_file = tmp_path / "probe.py"
    spider_file.write_text(SPIDER)
    out = tmp_path / "items.jsonl"
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "runspider", str(spider_file), "-O", str(out),
         "-a", f"base={base}", "-a", "paths=flaky,limited,missing,forbidden,bad",
         "-s", "SINESYS_RETRY_BASE_DELAY=0.01", "-s", "ITEM_PIPELINES={}",
         "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = {row["path"]: row["status"] for row in map(json.loads, out.read_text().splitlines())}
    assert results == {"flaky": 200, "limited": 200, "missing": 404, "forbidden": 403, "bad": 400}
    assert len(server.hits["flaky"]) == 3
    assert len(server.hits["missing"]) == len(server.hits["forbidden"]) == len(server.hits["bad"]) == 1
    first, second = server.hits["limited"]
    assert second - first >= 1.0, "the retry came before Retry-After allowed"


def test_backoff_grows_exponentially_with_full_jitter_and_honours_retry_after():
    """Delays stay within [0, base*2^(n-1)] capped, and never below Retry-After."""
    rng = random.Random(1)
    for attempt in range(1, 8):
        upper = min(10.0, 0.5 * 2 ** (attempt - 1))
        delays = [backoff_delay(attempt, base=0.5, cap=10.0, rng=rng) for _ in range(200)]
        assert all(0 <= d <= upper for d in delays)
        assert max(delays) > upper * 0.8  # full jitter spreads over the whole window
    assert backoff_delay(1, base=0.5, cap=10.0, retry_after=7, rng=rng) >= 7
    assert backoff_delay(1, base=0.5, cap=10.0, retry_after=9999, retry_after_max=60, rng=rng) == 60


def test_retry_after_accepts_seconds_and_http_dates():
    """Retry-After is read as delta-seconds or an HTTP date; garbage is ignored."""
    assert parse_retry_after(b"12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == pytest.approx(10.0)
    assert parse_retry_after(b"soon") is None
    assert parse_retry_after(None) is None
