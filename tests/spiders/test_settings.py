"""The Scrapy project settings a deployment relies on: reactor, browser, security defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pydantic import SecretStr

from sinesys_spiders.core.browser import SYSTEM_CHROMIUM_PATHS, resolve_browser
from sinesys_spiders.core.config import Settings

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import json
from scrapy.utils.project import get_project_settings
s = get_project_settings()
out = {k: s.get(k) for k in (
    "TWISTED_REACTOR", "TELNETCONSOLE_ENABLED", "REMOTE_CONTROL_ENABLED", "DOWNLOAD_VERIFY_CERTIFICATES",
    "PLAYWRIGHT_CDP_URL", "ROBOTSTXT_OBEY")}
out["DOWNLOAD_HANDLERS"] = {k: str(v) for k, v in s.getwithbase("DOWNLOAD_HANDLERS").items()}
out["PLAYWRIGHT_DOWNLOAD_HANDLERS"] = s.getdict("PLAYWRIGHT_DOWNLOAD_HANDLERS")
out["PLAYWRIGHT_LAUNCH_OPTIONS"] = s.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
import scrapy
from scrapy.core.downloader.handlers import DownloadHandlers
from scrapy.crawler import Crawler
handlers = DownloadHandlers(Crawler(scrapy.Spider, s))
out["SEM_HANDLER"] = [x for x in ("file", "data", "s3", "ftp", "http") if handlers._get_handler(x) is None]
print(json.dumps(out))
"""


def _project_settings(env: dict[str, str]) -> dict:
    import json

    base = {k: v for k, v in os.environ.items() if not k.startswith("SINESYS_")}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_security_defaults_and_the_asyncio_reactor(tmp_path):
    """Telnet and remote control are off, certificates are verified, and the reactor suits Playwright."""
    s = _project_settings({"SINESYS_VAR_DIR": str(tmp_path)})
    assert s["TWISTED_REACTOR"] == "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
    assert s["TELNETCONSOLE_ENABLED"] is False
    assert s["REMOTE_CONTROL_ENABLED"] is False
    assert s["DOWNLOAD_VERIFY_CERTIFICATES"] is True  # behaviour: tests/spiders/test_tls.py
    # Data requests go through Scrapy's HTTP downloader: no Playwright driver started by a crawl that needs none.
    assert "scrapy_playwright" not in str(s["DOWNLOAD_HANDLERS"])
    assert s["DOWNLOAD_HANDLERS"]["https"] == "sinesys_spiders.parada.HttpDownloadHandler"  # Scrapy's HTTP/1.1
    assert s["PLAYWRIGHT_DOWNLOAD_HANDLERS"]["https"] == "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
    # A file://, data:, s3:// or ftp:// URL (from a plugin, a redirect or the database) has no download handler in a
    # crawl: Scrapy refuses it instead of reading a local file or another store (issue 17, item 2).
    assert s["SEM_HANDLER"] == ["file", "data", "s3", "ftp"]


def test_a_remote_browser_url_is_kept_away_from_scrapy_playwright(tmp_path):
    """SINESYS_BROWSER_CDP_URL (it may carry a token) is not handed to scrapy-playwright, which logs it."""
    s = _project_settings({"SINESYS_VAR_DIR": str(tmp_path), "SINESYS_BROWSER_CDP_URL": "ws://h:1/?token=Canary9"})
    assert s["PLAYWRIGHT_CDP_URL"] is None
    assert "Canary9" not in str(s)


def test_browser_choice_order(tmp_path):
    """A remote browser wins, then SINESYS_BROWSER_EXECUTABLE, then the system Chromium."""
    remote = resolve_browser(Settings(browser_cdp_url=SecretStr("ws://h:1"), browser_executable=tmp_path / "c"))
    assert remote.cdp_url == "ws://h:1"
    assert remote.executable is None
    given = resolve_browser(Settings(browser_executable=tmp_path / "chrome"))
    assert given.executable == tmp_path / "chrome"
    system = resolve_browser(Settings())
    if any(Path(p).exists() for p in SYSTEM_CHROMIUM_PATHS):
        assert str(system.executable) in SYSTEM_CHROMIUM_PATHS
    assert "--disable-background-networking" in system.args
